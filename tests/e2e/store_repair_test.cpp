// Corruption and repair end to end (docs/store.md, "Corruption and repair"): a real store written by
// `silico run`, damaged the way a disk does (bytes flipped inside a RocksDB table file, so a block's checksum
// fails) and the way a bug would (a blob whose bytes no longer hash to its digest); `silico store verify`
// must read past both and name every affected trial, `store repair` must set them aside, and the next
// `silico run` must make the store complete and bit-identical again; `store repair --remote` must do so from a
// lab cache (a second store served by `silico serve`) without simulating anything.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "blob_codec.hpp"
#include "cache_servers.hpp"
#include "raw_db.hpp"
#include "silico/store/store.hpp"
#include "silico_process.hpp"
#include "temp_dir.hpp"

namespace silico::store {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using ::silico::testing::exit_code;
using ::silico::testing::run_silico;
using ::silico::testing::stored_digests;

// The largest table file of the blobs column family (the one holding the run's outputs).
fs::path largest_blob_table(const fs::path& store) {
    rocksdb::DBOptions options;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* name : k_column_families) cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    EXPECT_TRUE(rocksdb::DB::OpenForReadOnly(options, db_path(store).string(), cfs, &handles, &db).ok());
    if (!db) return {};
    std::vector<rocksdb::LiveFileMetaData> files;
    db->GetLiveFilesMetaData(&files);
    fs::path best;
    std::uint64_t size = 0;
    for (const auto& f : files)
        if (f.column_family_name == "blobs" && f.size > size) {
            size = f.size;
            best = fs::path(f.db_path) / fs::path(f.name).relative_path();
        }
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    delete db;
    return best;
}

void flip_bytes(const fs::path& file, std::streamoff at, int count) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.good()) << file;
    for (int i = 0; i < count; ++i) {
        f.seekg(at + i);
        char c = 0;
        f.read(&c, 1);
        f.seekp(at + i);
        c = static_cast<char>(c ^ 0x5a);
        f.write(&c, 1);
    }
}

// A store written by `silico run` of 3 conditions x 3 trials, then damaged twice: one trial's soma.v blob
// replaced by a well-formed frame of other bytes (a bug), and bytes flipped inside the first data block of
// the blob table (a disk).
class DamagedStore : public ::testing::Test {
  protected:
    void SetUp() override {
        std::ofstream(recipe)
            << "[experiment]\nname = \"steps\"\nprotocol = \"current_step\"\n\n[cell]\nbiophysics = \""
            << SILICO_SOURCE_DIR "/tests/data/one_compartment.param"
            << "\"\n\n[[stimulus.step]]\namplitude = [0.005, 0.02, 0.05]\ndelay = 2.0\nduration = "
               "26.0\n\n[simulation]\ntstop = 30.0\ntrials = 3\n";
        auto run = run_silico({"run", recipe.string(), "--store", store.string(), "--executor", "local:2"});
        ASSERT_EQ(exit_code(run), 0) << run.out << run.err;
        original = stored_digests(store);
        ASSERT_EQ(original.size(), 9u);
    }

    // Called by each test once it has copied what it needs from the intact store.
    void damage() {
        const auto& [trial, outputs] = *std::next(original.begin(), 4);
        bad_trial = trial;
        bad_blob = *Digest::from_hex(outputs.at("soma.v"));
        ASSERT_TRUE(testing::write_raw(store, cf_blobs, bad_blob.view(), compress_blob("not the trace", 3)));
        // Opening as writer first moves the log into table files.
        ASSERT_TRUE(Store::open(store).has_value());
        table = largest_blob_table(store);
        ASSERT_FALSE(table.empty());
        flip_bytes(table, 300, 8);
    }

    store::testing::TempDir tmp;
    const fs::path recipe = tmp / "steps.toml", store = tmp / "store";
    std::map<std::string, std::map<std::string, std::string>> original;
    // After a repair: `store verify` is clean, and every affected record is kept as a quarantine item (set
    // aside, not deleted).
    void expect_clean_with_records_set_aside(const std::set<std::string>& affected) {
        auto clean = run_silico({"store", "verify", "--store", store.string()});
        EXPECT_EQ(exit_code(clean), 0) << clean.out;
        auto items = run_silico({"store", "ls", "quarantine/", "--store", store.string()});
        for (const auto& key : affected)
            EXPECT_NE(items.out.find("quarantine/trial/" + key + "@"), std::string::npos) << items.out;
    }

    std::string bad_trial;
    Digest bad_blob;
    fs::path table;
};

TEST_F(DamagedStore,
       VerifyReadsPastAFlippedTableBlockAndABadBlobAndRepairPlusRunRestoresEveryTrialBitForBit) {
    ASSERT_NO_FATAL_FAILURE(damage());
    auto verify = run_silico({"store", "verify", "--store", store.string(), "--json"});
    ASSERT_EQ(exit_code(verify), 1) << verify.out << verify.err;
    const Json found = Json::parse(verify.out);
    ASSERT_FALSE(found["damaged"].empty()) << found.dump(2);
    EXPECT_EQ(found["damaged"][0]["column_family"], "blobs");
    EXPECT_NE(found["damaged"][0]["message"].get<std::string>().find(table.filename().string()),
              std::string::npos)
        << found["damaged"].dump(2);
    std::set<std::string> affected;
    for (const auto& a : found["affected"]) {
        EXPECT_EQ(a["kind"], "trial") << a.dump();
        EXPECT_TRUE(original.contains(a["name"].get<std::string>())) << a.dump();
        EXPECT_EQ(a["condition"].get<std::string>().size(), 64u) << a.dump();
        EXPECT_NE(a["recipe"].get<std::string>().find("steps.toml"), std::string::npos) << a.dump();
        affected.insert(a["name"].get<std::string>());
    }
    EXPECT_TRUE(affected.contains(bad_trial)) << found.dump(2);
    EXPECT_GE(affected.size(), 2u) << "the flipped block held no referenced blob: " << found.dump(2);
    // The scan went on after the unreadable block and re-hashed the blobs beyond it.
    EXPECT_FALSE(found["damaged"][0]["resume"].get<std::string>().empty()) << found["damaged"].dump(2);
    EXPECT_GT(found["blobs_checked"].get<int>(), 0);
    auto text = run_silico({"store", "verify", "--store", store.string()});
    EXPECT_NE(text.out.find("affected trial " + bad_trial + " (recipe " + recipe.string()), std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("output 'soma.v' blob " + bad_blob.hex() + " corrupt"), std::string::npos)
        << text.out;

    // A lab cache that is not there: the local repair stands, with a warning, and nothing is restored.
    auto repair = run_silico({"store", "repair", "--store", store.string(), "--json", "--remote",
                              "http://127.0.0.1:" + std::to_string(testing_support::free_loopback_port()),
                              "--remote-timeout", "2"});
    ASSERT_EQ(exit_code(repair), 0) << repair.out << repair.err;
    EXPECT_NE(repair.err.find("warning"), std::string::npos) << repair.err;
    const Json repaired = Json::parse(repair.out);
    EXPECT_EQ(repaired["recompute"].size(), affected.size());
    EXPECT_TRUE(repaired["restored"].empty()) << repaired.dump(2);
    EXPECT_TRUE(fs::exists(repaired["damaged_db"].get<std::string>()));
    expect_clean_with_records_set_aside(affected);

    auto rerun =
        run_silico({"run", recipe.string(), "--store", store.string(), "--executor", "local:2", "--json"});
    ASSERT_EQ(exit_code(rerun), 0) << rerun.out << rerun.err;
    const Json r = Json::parse(rerun.out);
    EXPECT_EQ(r["succeeded"].get<std::size_t>(), affected.size());
    EXPECT_EQ(r["cached"].get<std::size_t>(), original.size() - affected.size());
    EXPECT_EQ(stored_digests(store), original);
    auto after = run_silico({"store", "verify", "--store", store.string()});
    EXPECT_EQ(exit_code(after), 0) << after.out;
}

TEST_F(DamagedStore, RepairWithARemoteTakesTheSetAsideTrialsFromALabCacheAndNothingIsSimulated) {
    // The lab cache: a second store, served by `silico serve`, holding every trial of the intact store.
    const std::string token = "repair-test-token-0123456789";
    std::ofstream(tmp / "tokens") << "lab " << token << "\n";
    testing_support::ServerProcess server;
    const int port = server.start({SILICO_EXE, "serve", "--store", (tmp / "cache").string(), "--listen",
                                   "127.0.0.1:0", "--write-token-file", (tmp / "tokens").string()});
    ASSERT_GT(port, 0) << server.err();
    const std::string url = "http://127.0.0.1:" + std::to_string(port);
    auto push = run_silico({"push", "--all", "--store", store.string(), "--remote", url, "--token-file",
                            (tmp / "tokens").string()});
    ASSERT_EQ(exit_code(push), 0) << push.out << push.err;
    ASSERT_NO_FATAL_FAILURE(damage());

    auto repair = run_silico({"store", "repair", "--store", store.string(), "--remote", url, "--json"});
    ASSERT_EQ(exit_code(repair), 0) << repair.out << repair.err;
    const Json repaired = Json::parse(repair.out);
    std::set<std::string> affected, restored;
    for (const auto& a : repaired["found"]["affected"]) affected.insert(a["name"].get<std::string>());
    for (const auto& k : repaired["restored"]) restored.insert(k.get<std::string>());
    EXPECT_GE(affected.size(), 2u) << repaired.dump(2);
    EXPECT_TRUE(affected.contains(bad_trial));
    EXPECT_EQ(restored, affected) << repaired.dump(2) << repair.err;
    EXPECT_TRUE(repaired["recompute"].empty()) << repaired.dump(2);
    EXPECT_EQ(stored_digests(store), original);
    expect_clean_with_records_set_aside(affected);

    // Complete: a run finds every trial and starts no worker.
    auto rerun =
        run_silico({"run", recipe.string(), "--store", store.string(), "--executor", "local:2", "--json"});
    ASSERT_EQ(exit_code(rerun), 0) << rerun.out << rerun.err;
    const Json r = Json::parse(rerun.out);
    EXPECT_EQ(r["succeeded"], 0);
    EXPECT_EQ(r["cached"].get<std::size_t>(), original.size());
    EXPECT_EQ(r["workers_started"], false);
}

}  // namespace
}  // namespace silico::store
