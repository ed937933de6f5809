#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "silico/store/store.hpp"
#include "temp_dir.hpp"

namespace silico::store {
namespace {

using testing::TempDir;

Digest key_of(int i) {
    return sha256("trial " + std::to_string(i));
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}
void write_file(const std::filesystem::path& p, std::string_view bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Every test moves things from a source store to a target store through bundle files in one folder.
class StoreBundle : public ::testing::Test {
  protected:
    TempDir tmp;
    Result<Store> source = Store::open(tmp / "a");
    Result<Store> target = Store::open(tmp / "b");

    void SetUp() override {
        ASSERT_TRUE(source) << source.error().what();
        ASSERT_TRUE(target) << target.error().what();
    }
};

// A source store with three trials sharing one blob.
void fill(Store& store) {
    for (int i = 0; i < 3; ++i) {
        TrialRecord r;
        r.seed = 100 + static_cast<std::uint64_t>(i);
        r.host = "h" + std::to_string(i);
        ASSERT_TRUE(
            store.commit_trial(key_of(i), r, {{"v", "trace " + std::to_string(i)}, {"shared", "same"}}));
    }
}

TEST_F(StoreBundle, ExportAllThenImportRoundTripsTrialsBlobsAndSeeds) {
    fill(*source);
    auto exported = source->export_bundle(tmp / "all.bundle");
    ASSERT_TRUE(exported) << exported.error().what();
    EXPECT_EQ(exported->trials, 3u);
    EXPECT_EQ(exported->blobs, 4u);
    auto imported = target->import_bundle(tmp / "all.bundle");
    ASSERT_TRUE(imported) << imported.error().what();
    EXPECT_EQ(imported->trials, 3u);
    EXPECT_EQ(imported->new_trials, 3u);
    for (int i = 0; i < 3; ++i) {
        auto r = target->find_trial(key_of(i));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->host, "h" + std::to_string(i));
        EXPECT_EQ(*target->get_blob(r->outputs.at("v").digest), "trace " + std::to_string(i));
        EXPECT_EQ(**target->seed_owner(100 + static_cast<std::uint64_t>(i)), key_of(i));
    }
    EXPECT_TRUE(target->verify()->ok());
    EXPECT_FALSE(std::filesystem::exists(tmp / "all.bundle.tmp"));
}

TEST_F(StoreBundle, IsfTrialsOfOneProcessSeedImportWithTheirSweepRegistrations) {
    const Digest condition = sha256("condition");
    for (int i = 0; i < 3; ++i) {
        TrialRecord r;
        r.seed = 1234;
        r.seed_mode = SeedMode::isf;
        r.sweep = static_cast<std::uint64_t>(i);
        r.condition = condition;
        ASSERT_TRUE(source->commit_trial(key_of(i), r, {{"v", "sweep " + std::to_string(i)}}));
    }
    ASSERT_TRUE(source->export_bundle(tmp / "isf.bundle"));
    auto imported = target->import_bundle(tmp / "isf.bundle");
    ASSERT_TRUE(imported) << imported.error().what();
    EXPECT_EQ(imported->new_trials, 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(target->find_trial(key_of(i))->sweep, static_cast<std::uint64_t>(i));
        EXPECT_EQ(**target->isf_seed_owner(1234, static_cast<std::uint64_t>(i), condition), key_of(i));
    }
}

TEST_F(StoreBundle, ImportIsIdempotent) {
    fill(*source);
    ASSERT_TRUE(source->export_bundle(tmp / "x.bundle"));
    ASSERT_TRUE(target->import_bundle(tmp / "x.bundle"));
    auto again = target->import_bundle(tmp / "x.bundle");
    ASSERT_TRUE(again) << again.error().what();
    EXPECT_EQ(again->new_trials, 0u);
    EXPECT_EQ(target->info()->trials, 3u);
}

TEST_F(StoreBundle, ExportOfChosenKeysCarriesOnlyThoseTrials) {
    fill(*source);
    auto exported = source->export_bundle(tmp / "one.bundle", {key_of(1)});
    ASSERT_TRUE(exported);
    EXPECT_EQ(exported->trials, 1u);
    EXPECT_EQ(exported->blobs, 2u);
    ASSERT_TRUE(target->import_bundle(tmp / "one.bundle"));
    EXPECT_TRUE(*target->contains(key_of(1)));
    EXPECT_FALSE(*target->contains(key_of(0)));
}

TEST_F(StoreBundle, ExportOfAnUnknownKeyIsNotFound) {
    auto exported = source->export_bundle(tmp / "x.bundle", {key_of(9)});
    ASSERT_FALSE(exported);
    EXPECT_EQ(exported.error().code, Errc::not_found);
}

TEST_F(StoreBundle, NewerBundleFormatIsRefused) {
    fill(*source);
    ASSERT_TRUE(source->export_bundle(tmp / "x.bundle"));
    std::string bytes = read_file(tmp / "x.bundle");
    bytes[8] = static_cast<char>(k_bundle_format_version + 1);  // version follows the 8-byte magic
    write_file(tmp / "x.bundle", bytes);
    auto imported = target->import_bundle(tmp / "x.bundle");
    ASSERT_FALSE(imported);
    EXPECT_EQ(imported.error().code, Errc::version);
}

TEST_F(StoreBundle, DamagedOrTruncatedBundleWritesNothing) {
    fill(*source);
    ASSERT_TRUE(source->export_bundle(tmp / "x.bundle"));
    const std::string good = read_file(tmp / "x.bundle");
    std::string flipped = good;
    flipped[good.size() / 3] ^= 0x01;
    for (const std::string& bad : {flipped, good.substr(0, good.size() - 10), good.substr(0, 20)}) {
        write_file(tmp / "bad.bundle", bad);
        auto imported = target->import_bundle(tmp / "bad.bundle");
        ASSERT_FALSE(imported);
        EXPECT_EQ(imported.error().code, Errc::corruption) << imported.error().what();
        EXPECT_EQ(target->info()->trials, 0u);
        EXPECT_EQ(target->info()->blobs, 0u);
    }
}

TEST_F(StoreBundle, NotABundleIsAParseError) {
    write_file(tmp / "x.bundle", "hello world, not a bundle");
    EXPECT_EQ(target->import_bundle(tmp / "x.bundle").error().code, Errc::parse);
    EXPECT_EQ(target->import_bundle(tmp / "absent.bundle").error().code, Errc::not_found);
}

TEST_F(StoreBundle, NamedItemsTravelWithTheirBytesAndMetadata) {
    fill(*source);
    ASSERT_TRUE(source->put_item("figures/psth.svg", "<svg/>", "svg"));
    ASSERT_TRUE(source->put_item("tables/rates.csv", "a,b\n1,2\n", "csv"));
    BundleSelection selection;
    selection.all_trials = true;
    selection.all_items = true;
    auto exported = source->export_bundle(tmp / "x.bundle", selection);
    ASSERT_TRUE(exported) << exported.error().what();
    EXPECT_EQ(exported->items, 2u);
    EXPECT_EQ(exported->trials, 3u);

    auto imported = target->import_bundle(tmp / "x.bundle");
    ASSERT_TRUE(imported) << imported.error().what();
    EXPECT_EQ(imported->items, 2u);
    EXPECT_EQ(imported->new_items, 2u);
    EXPECT_EQ(*target->get_item("tables/rates.csv"), "a,b\n1,2\n");
    const auto before = *source->item_meta("figures/psth.svg");
    const auto after = *target->item_meta("figures/psth.svg");
    EXPECT_EQ(after.encoding, "svg");
    EXPECT_EQ(after.blob.digest, before.blob.digest);
    EXPECT_EQ(after.time_unix_ms, before.time_unix_ms);  // the item's own history, not the import's
    auto again = target->import_bundle(tmp / "x.bundle");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->new_items, 0u);
    EXPECT_TRUE(target->verify()->ok());
}

TEST_F(StoreBundle, ChosenItemsOnlyAndAnUnknownItemIsNotFound) {
    ASSERT_TRUE(source->put_item("one", "1"));
    ASSERT_TRUE(source->put_item("two", "2"));
    BundleSelection selection;
    selection.items = {"two"};
    auto exported = source->export_bundle(tmp / "x.bundle", selection);
    ASSERT_TRUE(exported);
    EXPECT_EQ(exported->items, 1u);
    EXPECT_EQ(exported->trials, 0u);
    ASSERT_TRUE(target->import_bundle(tmp / "x.bundle"));
    EXPECT_EQ(*target->item_names(), std::vector<std::string>{"two"});

    selection.items = {"three"};
    auto missing = source->export_bundle(tmp / "y.bundle", selection);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(StoreBundle, AnItemNameHoldingOtherBytesIsAConflictAndNothingIsWritten) {
    fill(*source);
    ASSERT_TRUE(source->put_item("result", "from lab A"));
    BundleSelection selection;
    selection.all_trials = true;
    selection.all_items = true;
    ASSERT_TRUE(source->export_bundle(tmp / "x.bundle", selection));
    ASSERT_TRUE(target->put_item("result", "from lab B"));
    auto imported = target->import_bundle(tmp / "x.bundle");
    ASSERT_FALSE(imported);
    EXPECT_EQ(imported.error().code, Errc::validation);
    EXPECT_NE(imported.error().what().find("'result'"), std::string::npos) << imported.error().what();
    EXPECT_EQ(target->info()->trials, 0u);
    EXPECT_EQ(*target->get_item("result"), "from lab B");
}

// A version-1 bundle (before named items: no 'N' entries, two trailer counts) is still imported.
TEST_F(StoreBundle, VersionOneBundleIsStillRead) {
    fill(*source);
    ASSERT_TRUE(source->export_bundle(tmp / "x.bundle"));
    const std::string v2 = read_file(tmp / "x.bundle");
    // v2 trailer: 'E' blobs:u64 trials:u64 items:u64 sha256:32; v1 drops items and rehashes.
    const std::size_t trailer = v2.size() - (1 + 24 + 32);
    ASSERT_EQ(v2[trailer], 'E');
    std::string v1 = v2.substr(0, trailer + 1 + 16);
    v1[8] = 1;
    v1 += std::string(sha256(v1).view());
    write_file(tmp / "v1.bundle", v1);
    auto imported = target->import_bundle(tmp / "v1.bundle");
    ASSERT_TRUE(imported) << imported.error().what();
    EXPECT_EQ(imported->trials, 3u);
    EXPECT_EQ(imported->new_trials, 3u);
}

}  // namespace
}  // namespace silico::store
