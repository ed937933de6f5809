#include "silico/store/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "fake_env.hpp"
#include "silico/core/env.hpp"
#include "silico/core/git_info.hpp"
#include "store_impl.hpp"
#include "temp_dir.hpp"

namespace silico::store {
namespace {

using testing::TempDir;

Digest key_of(int i) {
    return sha256("trial " + std::to_string(i));
}

TrialRecord record_with_seed(std::uint64_t seed) {
    TrialRecord r;
    fill_provenance(r);
    r.seed = seed;
    r.neuron_version = "NEURON -- VERSION 8.2.2";
    r.wall_seconds = 1.5;
    return r;
}

TEST(StoreOpen, CreatesTheFolderAndDatabaseOnFirstUse) {
    TempDir tmp;
    auto store = Store::open(tmp / "new");
    ASSERT_TRUE(store) << store.error().what();
    EXPECT_TRUE(std::filesystem::exists(tmp / "new" / "db" / "CURRENT"));
    EXPECT_TRUE(std::filesystem::exists(tmp / "new" / "LOCK"));
    EXPECT_FALSE(store->read_only());
    EXPECT_EQ(store->dir(), tmp / "new");
}

TEST(StoreOpen, ReaderOfAMissingStoreGetsNotFound) {
    TempDir tmp;
    auto store = Store::open(tmp / "absent", {.read_only = true});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::not_found);
}

TEST(StoreOpen, WriterWithoutCreateIfMissingGetsNotFound) {
    TempDir tmp;
    auto store = Store::open(tmp / "absent", {.create_if_missing = false});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::not_found);
}

TEST(StoreOpen, WriterWithoutCreateIfMissingGetsNotFoundForAFolderWithoutAStore) {
    TempDir tmp;
    auto store = Store::open(tmp.path(), {.create_if_missing = false});
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::not_found);
}

TEST(StoreOpen, StoreFromANewerFormatIsRefused) {
    TempDir tmp;
    { ASSERT_TRUE(Store::open(tmp.path())); }
    {
        // Rewrite the format version with RocksDB directly, as a future silico would.
        rocksdb::DBOptions options;
        std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
        for (const char* name : k_column_families) cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
        std::vector<rocksdb::ColumnFamilyHandle*> handles;
        rocksdb::DB* db = nullptr;
        ASSERT_TRUE(rocksdb::DB::Open(options, db_path(tmp.path()).string(), cfs, &handles, &db).ok());
        ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[cf_meta], "format_version", "99").ok());
        for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
        delete db;
    }
    auto store = Store::open(tmp.path());
    ASSERT_FALSE(store);
    EXPECT_EQ(store.error().code, Errc::version);
    EXPECT_NE(store.error().what().find("99"), std::string::npos);
}

TEST(StoreBlobs, PutThenGetReturnsTheSameBytes) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store);
    const std::string bytes(100000, 'x');
    auto ref = store->put_blob(bytes);
    ASSERT_TRUE(ref) << ref.error().what();
    EXPECT_EQ(ref->digest, sha256(bytes));
    EXPECT_EQ(ref->size, bytes.size());
    EXPECT_LT(ref->stored_size, bytes.size() / 100);
    auto back = store->get_blob(ref->digest);
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(*back, bytes);
    EXPECT_TRUE(*store->has_blob(ref->digest));
}

TEST(StoreBlobs, PutIsIdempotent) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    auto a = store->put_blob("same bytes");
    auto b = store->put_blob("same bytes");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->digest, b->digest);
    EXPECT_EQ(a->stored_size, b->stored_size);
    EXPECT_EQ(store->info()->blobs, 1u);
}

TEST(StoreBlobs, EmptyBlobRoundTrips) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    auto ref = store->put_blob("");
    ASSERT_TRUE(ref);
    auto back = store->get_blob(ref->digest);
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(*back, "");
}

TEST(StoreBlobs, AbsentBlobIsNotFound) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    auto back = store->get_blob(sha256("never stored"));
    ASSERT_FALSE(back);
    EXPECT_EQ(back.error().code, Errc::not_found);
    EXPECT_FALSE(*store->has_blob(sha256("never stored")));
}

TEST(StoreBlobs, ReadBlobGivesGetBlobsBytesWithEitherCheckIntoOneReusedBuffer) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    const std::string large(200000, 'l'), small = "a few bytes";
    auto a = store->put_blob(large);
    auto b = store->put_blob(small);
    ASSERT_TRUE(a && b);
    std::string out;
    ASSERT_TRUE(store->read_blob(a->digest, out));
    EXPECT_EQ(out, large);
    const std::size_t capacity = out.capacity();
    for (auto check : {BlobCheck::digest, BlobCheck::block_checksums}) {
        ASSERT_TRUE(store->read_blob(b->digest, out, check));
        EXPECT_EQ(out, small);
        EXPECT_EQ(out.capacity(), capacity) << "the buffer was given up instead of reused";
    }
    auto absent = store->read_blob(sha256("never stored"), out, BlobCheck::block_checksums);
    ASSERT_FALSE(absent);
    EXPECT_EQ(absent.error().code, Errc::not_found);
}

// A byte flipped inside a table file, as a disk does: a read that skips the SHA-256 still never returns it.
TEST(StoreBlobs, AReadByBlockChecksumsFindsAByteFlippedOnDiskAsCorruptionNamingTheBlob) {
    TempDir tmp;
    std::string bytes;
    for (int i = 0; i < 20000; ++i) bytes += std::to_string(i * 7919 % 10007) + ",";
    const Digest digest = sha256(bytes);
    std::string frame;
    {
        auto store = Store::open(tmp.path());
        ASSERT_TRUE(store->put_blob(bytes));
        frame = **store->get_blob_frame(digest);
    }  // closing the writer flushes the blob into a table file
    bool flipped = false;
    for (const auto& entry : std::filesystem::directory_iterator(db_path(tmp.path()))) {
        if (entry.path().extension() != ".sst") continue;
        std::fstream f(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
        std::string table((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        const auto at = table.find(frame);
        if (at == std::string::npos) continue;
        f.seekp(static_cast<std::streamoff>(at + frame.size() / 2));
        f.put(static_cast<char>(table[at + frame.size() / 2] ^ 0x5a));
        flipped = true;
    }
    ASSERT_TRUE(flipped) << "no table file holds the blob's frame";
    auto store = Store::open(tmp.path());
    std::string out;
    for (auto check : {BlobCheck::digest, BlobCheck::block_checksums}) {
        auto read = store->read_blob(digest, out, check);
        ASSERT_FALSE(read) << "a damaged blob read back as data";
        EXPECT_EQ(read.error().code, Errc::corruption) << read.error().what();
        EXPECT_NE(read.error().what().find(digest.hex()), std::string::npos) << read.error().what();
        if (check == BlobCheck::block_checksums) {  // found by RocksDB, not by a frame that failed to decode
            EXPECT_NE(read.error().what().find("checksum mismatch"), std::string::npos)
                << read.error().what();
        }
    }
}

TEST(StoreTrials, CommittedTrialIsFoundWithItsOutputsAndProvenance) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store);
    auto committed =
        store->commit_trial(key_of(1), record_with_seed(11), {{"soma.v", "volts"}, {"spikes", "times"}});
    ASSERT_TRUE(committed) << committed.error().what();
    EXPECT_TRUE(*store->contains(key_of(1)));
    auto found = store->find_trial(key_of(1));
    ASSERT_TRUE(found) << found.error().what();
    EXPECT_EQ(found->status, TrialStatus::complete);
    ASSERT_EQ(found->outputs.size(), 2u);
    EXPECT_EQ(found->outputs.at("soma.v").digest, sha256("volts"));
    EXPECT_EQ(found->outputs.at("spikes").size, 5u);
    EXPECT_EQ(found->seed, 11u);
    EXPECT_EQ(found->neuron_version, "NEURON -- VERSION 8.2.2");
    EXPECT_EQ(found->silico_commit, build_info().commit);
    EXPECT_FALSE(found->host.empty());
    EXPECT_DOUBLE_EQ(found->wall_seconds, 1.5);
    EXPECT_EQ(*store->get_blob(found->outputs.at("soma.v").digest), "volts");
}

TEST(StoreTrials, ProvenanceAndItemTimesComeFromTheCurrentEnv) {
    silico::testing::FakeEnv fake;
    fake.host = "node-3";
    fake.user = "ana";
    fake.time_ms = 1'234'567'890'123;
    ScopedEnv scope(fake);
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store) << store.error().what();
    ASSERT_TRUE(store->commit_trial(key_of(1), record_with_seed(5), {{"v", "volts"}}));
    auto record = store->find_trial(key_of(1));
    ASSERT_TRUE(record) << record.error().what();
    EXPECT_EQ(record->host, "node-3");
    EXPECT_EQ(record->user, "ana");
    ASSERT_TRUE(store->put_item("notes", "hello", "text"));
    auto meta = store->item_meta("notes");
    ASSERT_TRUE(meta) << meta.error().what();
    EXPECT_EQ(meta->time_unix_ms, 1'234'567'890'123);
}

TEST(StoreTrials, AbsentTrialIsNotContainedAndNotFound) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    EXPECT_FALSE(*store->contains(key_of(2)));
    auto found = store->find_trial(key_of(2));
    ASSERT_FALSE(found);
    EXPECT_EQ(found.error().code, Errc::not_found);
    EXPECT_NE(found.error().what().find(key_of(2).hex()), std::string::npos);
}

TEST(StoreTrials, RecommittingTheSameKeyIsIdempotentAndKeepsTheFirstRecord) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), record_with_seed(7), {{"v", "first"}}));
    auto again = store->commit_trial(key_of(1), record_with_seed(7), {{"v", "second"}});
    ASSERT_TRUE(again) << again.error().what();
    EXPECT_EQ(again->outputs.at("v").digest, sha256("first"));
    EXPECT_EQ(store->find_trial(key_of(1))->outputs.at("v").digest, sha256("first"));
}

TEST(StoreTrials, DuplicateOutputNamesAreRejected) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    auto r = store->commit_trial(key_of(1), {}, {{"v", "a"}, {"v", "b"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_argument);
    EXPECT_FALSE(*store->contains(key_of(1)));
}

// A trial as sharing/'s pull hands it over: the record names the blobs, the bytes come with the digest the
// caller computed.
VerifiedTrial verified(int i, std::uint64_t seed,
                       const std::vector<std::pair<std::string, std::string>>& outs, bool give_bytes = true) {
    VerifiedTrial t{key_of(i), record_with_seed(seed), {}, {}};
    for (const auto& [name, bytes] : outs) {
        t.record.outputs[name] = BlobRef{sha256(bytes), bytes.size()};
        if (give_bytes) t.blobs.emplace_back(sha256(bytes), bytes);
    }
    return t;
}

TEST(StoreVerifiedTrials, AGroupIsCommittedAndEachTrialReadsBackLikeACommittedOne) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    std::vector<VerifiedTrial> group;
    group.push_back(verified(1, 11, {{"time", "shared time"}, {"soma.v", "volts one"}}));
    // The second trial does not carry the shared blob: the first of the same group stages it.
    auto second = verified(2, 12, {{"time", "shared time"}, {"soma.v", "volts two"}});
    second.blobs.erase(second.blobs.begin());
    group.push_back(std::move(second));
    auto results = store->commit_verified_trials(std::move(group));
    ASSERT_TRUE(results) << results.error().what();
    ASSERT_EQ(results->size(), 2u);
    for (const auto& r : *results) ASSERT_TRUE(r) << r.error().what();
    auto found = store->find_trial(key_of(2));
    ASSERT_TRUE(found) << found.error().what();
    EXPECT_EQ(found->seed, 12u);
    EXPECT_GT(found->outputs.at("soma.v").stored_size, 0u);
    EXPECT_EQ(*store->get_blob(found->outputs.at("time").digest), "shared time");
    EXPECT_EQ(*store->get_blob(found->outputs.at("soma.v").digest), "volts two");
    EXPECT_TRUE(store->verify()->ok());
}

TEST(StoreVerifiedTrials, ATrialFailingACheckIsRefusedAloneAndLeavesNothingBehind) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(9), record_with_seed(99), {{"v", "held"}}));
    std::vector<VerifiedTrial> group;
    group.push_back(verified(1, 11, {{"v", "fine"}}));
    group.push_back(verified(2, 99, {{"v", "seed taken by trial 9"}}));
    group.push_back(verified(3, 11, {{"v", "seed taken by trial 1 of this group"}}));
    group.push_back(verified(4, 14, {{"v", "never given, never held"}}, false));
    auto wrong_size = verified(5, 15, {{"v", "sizes differ"}});
    wrong_size.record.outputs["v"].size = 3;
    group.push_back(std::move(wrong_size));
    auto results = store->commit_verified_trials(std::move(group));
    ASSERT_TRUE(results) << results.error().what();
    ASSERT_EQ(results->size(), 5u);
    EXPECT_TRUE((*results)[0]);
    ASSERT_FALSE((*results)[1]);
    EXPECT_EQ((*results)[1].error().code, Errc::validation);
    ASSERT_FALSE((*results)[2]);
    EXPECT_EQ((*results)[2].error().code, Errc::validation);
    EXPECT_NE((*results)[2].error().what().find(key_of(1).hex()), std::string::npos);
    ASSERT_FALSE((*results)[3]);
    EXPECT_EQ((*results)[3].error().code, Errc::not_found);
    ASSERT_FALSE((*results)[4]);
    EXPECT_EQ((*results)[4].error().code, Errc::invalid_argument);
    EXPECT_TRUE(*store->contains(key_of(1)));
    for (int refused : {2, 3, 4, 5}) EXPECT_FALSE(*store->contains(key_of(refused))) << refused;
    // A refused trial's blobs were rolled back with it: nothing unreferenced is left for gc.
    EXPECT_FALSE(*store->has_blob(sha256("seed taken by trial 9")));
    EXPECT_TRUE(store->gc(true)->unreferenced.empty());
}

TEST(StoreVerifiedTrials, AKeyCompleteAlreadyKeepsItsFirstRecord) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), record_with_seed(7), {{"v", "first"}}));
    std::vector<VerifiedTrial> group;
    group.push_back(verified(1, 7, {{"v", "second"}}));
    group.push_back(verified(1, 7, {{"v", "third"}}));
    auto results = store->commit_verified_trials(std::move(group));
    ASSERT_TRUE(results) << results.error().what();
    for (const auto& r : *results) {
        ASSERT_TRUE(r) << r.error().what();
        EXPECT_EQ(r->outputs.at("v").digest, sha256("first"));
    }
    EXPECT_FALSE(*store->has_blob(sha256("second")));
}

TEST(StoreVerifiedTrials, AReaderStoreCannotCommit) {
    TempDir tmp;
    { auto writer = Store::open(tmp.path()); }
    auto reader = Store::open(tmp.path(), {.read_only = true});
    ASSERT_TRUE(reader) << reader.error().what();
    std::vector<VerifiedTrial> group;
    group.push_back(verified(1, 7, {{"v", "x"}}));
    auto results = reader->commit_verified_trials(std::move(group));
    ASSERT_FALSE(results);
    EXPECT_EQ(results.error().code, Errc::invalid_argument);
}

TEST(StoreTrials, IterationVisitsEveryCompleteTrialInKeyOrder) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(store->commit_trial(key_of(i), {}, {{"v", std::to_string(i)}}));
    std::vector<Digest> seen;
    ASSERT_TRUE(store->for_each_trial([&](const Digest& key, const TrialRecord&) {
        seen.push_back(key);
        return true;
    }));
    EXPECT_EQ(seen.size(), 20u);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    int visited = 0;
    ASSERT_TRUE(store->for_each_trial([&](const Digest&, const TrialRecord&) { return ++visited < 5; }));
    EXPECT_EQ(visited, 5);
}

TEST(StoreFailures, FailedAttemptsAreKeptApartFromCompleteTrials) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    TrialRecord failed;
    failed.attempt = 1;
    failed.stderr_tail = "segfault in worker";
    ASSERT_TRUE(store->record_failure(key_of(3), failed));
    failed.attempt = 2;
    failed.stderr_tail = "NEURON: out of memory";
    ASSERT_TRUE(store->record_failure(key_of(3), failed));
    EXPECT_FALSE(*store->contains(key_of(3)));
    auto attempts = store->failures(key_of(3));
    ASSERT_TRUE(attempts);
    ASSERT_EQ(attempts->size(), 2u);
    EXPECT_EQ((*attempts)[0].attempt, 1u);
    EXPECT_EQ((*attempts)[1].stderr_tail, "NEURON: out of memory");
    EXPECT_EQ((*attempts)[1].status, TrialStatus::failed);
    EXPECT_TRUE(store->failures(key_of(4))->empty());
}

TEST(StoreSeeds, CommitRegistersTheSeed) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), record_with_seed(42), {}));
    auto owner = store->seed_owner(42);
    ASSERT_TRUE(owner);
    ASSERT_TRUE(owner->has_value());
    EXPECT_EQ(**owner, key_of(1));
    EXPECT_FALSE(store->seed_owner(43)->has_value());
}

TEST(StoreSeeds, SecondTrialClaimingAUsedSeedIsReportedWithTheModeAndBothKeys) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), record_with_seed(42), {{"v", "a"}}));
    auto second = store->commit_trial(key_of(2), record_with_seed(42), {{"v", "b"}});
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::validation);
    EXPECT_NE(second.error().what().find("seed 42 (seed mode independent)"), std::string::npos)
        << second.error().what();
    EXPECT_NE(second.error().what().find(key_of(1).hex()), std::string::npos);
    EXPECT_NE(second.error().what().find(key_of(2).hex()), std::string::npos);
    EXPECT_FALSE(*store->contains(key_of(2)));
}

// ISF's trial i of process seed s in a condition: the record as the runner writes it.
TrialRecord isf_record(std::uint64_t seed, std::uint64_t sweep, const Digest& condition) {
    TrialRecord r = record_with_seed(seed);
    r.seed_mode = SeedMode::isf;
    r.sweep = sweep;
    r.condition = condition;
    return r;
}

const Digest k_condition_a = sha256("condition a");
const Digest k_condition_b = sha256("condition b");

TEST(StoreSeeds, IsfTrialsOfOneProcessSeedRegisterOneSweepEach) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    for (int i = 0; i < 3; ++i) {
        auto committed =
            store->commit_trial(key_of(i), isf_record(1234, static_cast<std::uint64_t>(i), k_condition_a),
                                {{"v", "sweep " + std::to_string(i)}});
        ASSERT_TRUE(committed) << committed.error().what();
        EXPECT_EQ(committed->seed_mode, SeedMode::isf);
    }
    for (int i = 0; i < 3; ++i) {
        auto owner = store->isf_seed_owner(1234, static_cast<std::uint64_t>(i), k_condition_a);
        ASSERT_TRUE(owner) << owner.error().what();
        ASSERT_TRUE(owner->has_value());
        EXPECT_EQ(**owner, key_of(i));
    }
    EXPECT_FALSE(store->isf_seed_owner(1234, 3, k_condition_a)->has_value());
    EXPECT_FALSE(store->seed_owner(1234)->has_value());  // isf registrations stay out of independent's
    auto record = store->find_trial(key_of(2));
    ASSERT_TRUE(record);
    EXPECT_EQ(record->seed_mode, SeedMode::isf);
    EXPECT_EQ(record->sweep, 2u);
    EXPECT_EQ(record->condition, k_condition_a);
    EXPECT_EQ(store->info()->seeds, 3u);
}

TEST(StoreSeeds, IsfConditionsSharingAProcessSeedRegisterTheSameSweepApart) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), isf_record(1234, 0, k_condition_a), {{"v", "a"}}));
    auto other = store->commit_trial(key_of(2), isf_record(1234, 0, k_condition_b), {{"v", "b"}});
    ASSERT_TRUE(other) << other.error().what();
    EXPECT_EQ(**store->isf_seed_owner(1234, 0, k_condition_a), key_of(1));
    EXPECT_EQ(**store->isf_seed_owner(1234, 0, k_condition_b), key_of(2));
}

TEST(StoreSeeds, IsfTrialClaimingATakenSweepOfItsConditionIsRefusedNamingTheModeAndBothTrials) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), isf_record(1234, 1, k_condition_a), {{"v", "a"}}));
    auto second = store->commit_trial(key_of(2), isf_record(1234, 1, k_condition_a), {{"v", "b"}});
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::validation);
    const std::string what = second.error().what();
    EXPECT_NE(what.find("ISF process seed 1234, sweep 1 of condition " + k_condition_a.hex() +
                        " (seed mode isf) is already used by trial " + key_of(1).hex() + "; trial " +
                        key_of(2).hex() + " claims it too"),
              std::string::npos)
        << what;
    EXPECT_FALSE(*store->contains(key_of(2)));
    EXPECT_FALSE(*store->has_blob(sha256("b")));  // nothing of the refused trial was written
    EXPECT_EQ(**store->isf_seed_owner(1234, 1, k_condition_a), key_of(1));
}

TEST(StoreSeeds, RecommittingAnIsfTrialKeepsItsRegistration) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), isf_record(7, 0, k_condition_a), {{"v", "a"}}));
    auto again = store->commit_trial(key_of(1), isf_record(7, 0, k_condition_a), {{"v", "a"}});
    ASSERT_TRUE(again) << again.error().what();
    EXPECT_EQ(**store->isf_seed_owner(7, 0, k_condition_a), key_of(1));
}

TEST(StoreSeeds, AnIndependentSeedAndAnIsfProcessSeedOfTheSameNumberDoNotCollide) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), record_with_seed(1234), {{"v", "a"}}));
    auto isf = store->commit_trial(key_of(2), isf_record(1234, 0, k_condition_a), {{"v", "b"}});
    ASSERT_TRUE(isf) << isf.error().what();
    EXPECT_EQ(**store->seed_owner(1234), key_of(1));
    EXPECT_EQ(**store->isf_seed_owner(1234, 0, k_condition_a), key_of(2));
}

TEST(StoreSeeds, IndependentTrialsStillRegisterTheSeedAloneWhateverTheirSweepAndCondition) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    TrialRecord first = record_with_seed(42);
    first.sweep = 0;
    first.condition = k_condition_a;
    ASSERT_TRUE(store->commit_trial(key_of(1), first, {{"v", "a"}}));
    EXPECT_EQ(**store->seed_owner(42), key_of(1));
    EXPECT_FALSE(store->isf_seed_owner(42, 0, k_condition_a)->has_value());
    TrialRecord second = record_with_seed(42);
    second.sweep = 1;
    second.condition = k_condition_b;
    auto refused = store->commit_trial(key_of(2), second, {{"v", "b"}});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::validation);
}

TEST(StoreSeeds, AnIsfRecordWithoutSeedSweepOrConditionIsRefused) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    TrialRecord no_sweep = isf_record(1234, 0, k_condition_a);
    no_sweep.sweep.reset();
    TrialRecord no_condition = isf_record(1234, 0, k_condition_a);
    no_condition.condition.reset();
    TrialRecord no_seed = isf_record(1234, 0, k_condition_a);
    no_seed.seed.reset();
    for (const auto& [record, field] :
         {std::pair{no_sweep, "sweep"}, std::pair{no_condition, "condition"}, std::pair{no_seed, "seed"}}) {
        auto committed = store->commit_trial(key_of(1), record, {{"v", "a"}});
        ASSERT_FALSE(committed) << field;
        EXPECT_EQ(committed.error().code, Errc::invalid_argument);
        EXPECT_NE(committed.error().what().find(std::string("needs its ") + field), std::string::npos)
            << committed.error().what();
        EXPECT_EQ(store->record_failure(key_of(1), record).error().code, Errc::invalid_argument);
    }
    EXPECT_FALSE(*store->contains(key_of(1)));
    EXPECT_TRUE(store->failures(key_of(1))->empty());
}

TEST(StoreItems, PutGetMetaKeysAndDelete) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    auto meta = store->put_item("tables/psth.csv", "bin,count\n0,3\n", "csv");
    ASSERT_TRUE(meta) << meta.error().what();
    ASSERT_TRUE(store->put_item("plots/raster.svg", "<svg/>", "svg"));
    EXPECT_EQ(*store->get_item("tables/psth.csv"), "bin,count\n0,3\n");
    auto m = store->item_meta("tables/psth.csv");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->encoding, "csv");
    EXPECT_EQ(m->blob.size, 14u);
    EXPECT_EQ(m->blob.digest, sha256("bin,count\n0,3\n"));
    EXPECT_EQ(m->silico_version, build_info().version);
    EXPECT_GT(m->time_unix_ms, 1700000000000);
    EXPECT_EQ(*store->item_names(), (std::vector<std::string>{"plots/raster.svg", "tables/psth.csv"}));
    EXPECT_EQ(*store->item_names("tables/"), (std::vector<std::string>{"tables/psth.csv"}));
    ASSERT_TRUE(store->delete_item("tables/psth.csv"));
    EXPECT_EQ(store->get_item("tables/psth.csv").error().code, Errc::not_found);
    EXPECT_EQ(store->delete_item("tables/psth.csv").error().code, Errc::not_found);
}

TEST(StoreItems, PuttingANameAgainReplacesItsContent) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->put_item("x", "one"));
    ASSERT_TRUE(store->put_item("x", "two"));
    EXPECT_EQ(*store->get_item("x"), "two");
    EXPECT_EQ(store->item_names()->size(), 1u);
}

TEST(StoreItems, EmptyNameIsRejected) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    EXPECT_EQ(store->put_item("", "x").error().code, Errc::invalid_argument);
}

TEST(StoreRuns, RunRecordsArePutReadListedAndDeleted) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->put_run("run-1", "{\"done\":3}"));
    ASSERT_TRUE(store->put_run("run-2", "{}"));
    EXPECT_EQ(**store->get_run("run-1"), "{\"done\":3}");
    EXPECT_FALSE(store->get_run("run-3")->has_value());
    EXPECT_EQ(*store->run_names(), (std::vector<std::string>{"run-1", "run-2"}));
    ASSERT_TRUE(store->delete_run("run-1"));
    EXPECT_FALSE(store->get_run("run-1")->has_value());
}

TEST(StoreReaders, ReaderSeesCommittedTrialsAndCannotWrite) {
    TempDir tmp;
    auto writer = Store::open(tmp.path());
    ASSERT_TRUE(writer->commit_trial(key_of(1), {}, {{"v", "a"}}));
    auto reader = Store::open(tmp.path(), {.read_only = true});
    ASSERT_TRUE(reader) << reader.error().what();
    EXPECT_TRUE(reader->read_only());
    EXPECT_TRUE(*reader->contains(key_of(1)));
    EXPECT_EQ(reader->commit_trial(key_of(2), {}, {}).error().code, Errc::invalid_argument);
    EXPECT_EQ(reader->put_item("x", "y").error().code, Errc::invalid_argument);
    EXPECT_EQ(reader->gc(false).error().code, Errc::invalid_argument);
}

TEST(StoreReaders, RefreshShowsTrialsCommittedAfterOpen) {
    TempDir tmp;
    auto writer = Store::open(tmp.path());
    ASSERT_TRUE(writer->commit_trial(key_of(1), {}, {{"v", "a"}}));
    auto reader = Store::open(tmp.path(), {.read_only = true});
    ASSERT_TRUE(reader);
    ASSERT_TRUE(writer->commit_trial(key_of(2), {}, {{"v", "b"}}));
    ASSERT_TRUE(reader->refresh());
    EXPECT_TRUE(*reader->contains(key_of(2)));
    EXPECT_EQ(*reader->get_blob(sha256("b")), "b");
}

TEST(StoreReaders, ReaderOpensWhileNoWriterRuns) {
    TempDir tmp;
    { ASSERT_TRUE(Store::open(tmp.path())->commit_trial(key_of(1), {}, {{"v", "a"}})); }
    auto reader = Store::open(tmp.path(), {.read_only = true});
    ASSERT_TRUE(reader) << reader.error().what();
    EXPECT_TRUE(*reader->contains(key_of(1)));
}

TEST(StoreReopen, TrialsSurviveClosingAndReopening) {
    TempDir tmp;
    { ASSERT_TRUE(Store::open(tmp.path())->commit_trial(key_of(1), record_with_seed(5), {{"v", "a"}})); }
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store);
    EXPECT_TRUE(*store->contains(key_of(1)));
    EXPECT_EQ(**store->seed_owner(5), key_of(1));
}

TEST(StoreReopen, IsfRegistrationsSurviveClosingAndReopening) {
    TempDir tmp;
    {
        auto store = Store::open(tmp.path());
        ASSERT_TRUE(store->commit_trial(key_of(1), isf_record(9, 0, k_condition_a), {{"v", "a"}}));
    }
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store);
    EXPECT_EQ(**store->isf_seed_owner(9, 0, k_condition_a), key_of(1));
    EXPECT_EQ(store->commit_trial(key_of(2), isf_record(9, 0, k_condition_a), {{"v", "b"}}).error().code,
              Errc::validation);
}

TEST(StoreCommitRecord, ARecordFromAnotherStoreIsCommittedOnlyWhenEveryBlobItNamesIsHere) {
    TempDir tmp;
    auto a = Store::open(tmp / "a");
    auto b = Store::open(tmp / "b");
    ASSERT_TRUE(a && b);
    auto committed =
        a->commit_trial(key_of(1), record_with_seed(41), {{"v", "trace bytes"}, {"s", "spikes"}});
    ASSERT_TRUE(committed);
    auto record = decode_trial_record(encode_trial_record(*committed));
    ASSERT_TRUE(record);

    ASSERT_TRUE(b->put_blob("trace bytes"));
    auto early = b->commit_record(key_of(1), *record);
    ASSERT_FALSE(early);
    EXPECT_EQ(early.error().code, Errc::not_found);
    EXPECT_NE(early.error().what().find(sha256("spikes").hex()), std::string::npos) << early.error().what();
    EXPECT_FALSE(*b->contains(key_of(1)));

    ASSERT_TRUE(b->put_blob("spikes"));
    auto wrong_size = *record;
    wrong_size.outputs.at("s").size += 1;
    auto refused = b->commit_record(key_of(1), wrong_size);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::invalid_argument);
    auto done = b->commit_record(key_of(1), *record);
    ASSERT_TRUE(done) << done.error().what();
    EXPECT_EQ(done->outputs.at("v").digest, sha256("trace bytes"));
    EXPECT_EQ(*b->seed_owner(41), key_of(1));
    EXPECT_EQ(*b->get_blob(b->find_trial(key_of(1))->outputs.at("s").digest), "spikes");
}

}  // namespace
}  // namespace silico::store
