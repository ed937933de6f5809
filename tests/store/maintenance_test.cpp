#include <gtest/gtest.h>

#include "blob_codec.hpp"
#include "raw_db.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"
#include "temp_dir.hpp"

namespace silico::store {
namespace {

using testing::TempDir;
using testing::write_raw;

Digest key_of(int i) {
    return sha256("trial " + std::to_string(i));
}

TEST(StoreInfo, CountsTrialsFailuresSeedsItemsRunsAndBlobSizes) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    TrialRecord r;
    r.seed = 1;
    ASSERT_TRUE(store->commit_trial(key_of(1), r, {{"v", std::string(10000, 'a')}, {"w", "b"}}));
    ASSERT_TRUE(store->record_failure(key_of(2), {}));
    ASSERT_TRUE(store->put_item("n", "c"));
    ASSERT_TRUE(store->put_run("r", "{}"));
    auto info = store->info();
    ASSERT_TRUE(info) << info.error().what();
    EXPECT_EQ(info->format_version, k_store_format_version);
    EXPECT_EQ(info->trials, 1u);
    EXPECT_EQ(info->failures, 1u);
    EXPECT_EQ(info->seeds, 1u);
    EXPECT_EQ(info->items, 1u);
    EXPECT_EQ(info->runs, 1u);
    EXPECT_EQ(info->blobs, 3u);
    EXPECT_EQ(info->blob_bytes, 10002u);
    EXPECT_LT(info->blob_stored_bytes, 200u);
    EXPECT_GT(info->disk_bytes, 0u);
}

TEST(StoreInfo, RawBytesCountTheValuesOfArraysNotTheirCompressedFrames) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    std::vector<double> trace(20000);
    for (std::size_t i = 0; i < trace.size(); ++i) trace[i] = -65.0 + 0.001 * static_cast<double>(i % 100);
    auto table = encode_f64_table({trace, trace});
    auto lists = encode_spike_lists({{1.5, 2.5}, {3.5}});
    auto strings = encode_strings({"L5tt_C2", "VPM_C2", std::string(300, 'x')});
    ASSERT_TRUE(table && lists && strings);
    ASSERT_TRUE(store->commit_trial(key_of(1), {}, {{"v", *table}, {"s", *lists}, {"p", *strings}, {"f", "12345"}}));
    auto info = store->info();
    ASSERT_TRUE(info) << info.error().what();
    // 2 x 20000 values; spike lists: 2 lengths + 3 times; strings: 3 lengths + 7 + 6 + 300 bytes; file: 5 bytes.
    EXPECT_EQ(info->raw_bytes, 8u * 40000 + 8u * 5 + (8u * 3 + 313) + 5);
    EXPECT_LT(info->blob_stored_bytes * 10, info->raw_bytes);  // the trace compresses, and info shows it
}

TEST(StoreVerify, HealthyStoreVerifiesClean) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), {}, {{"v", "a"}, {"w", "b"}}));
    ASSERT_TRUE(store->put_item("n", "c"));
    auto report = store->verify();
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->ok());
    EXPECT_EQ(report->blobs_checked, 3u);
    EXPECT_EQ(report->references_checked, 3u);
}

// The two ways stored bytes go bad: garbage that is not a frame, and a valid frame of other bytes.
class AlteredBlob : public ::testing::TestWithParam<std::string> {};

TEST_P(AlteredBlob, ReadsAsCorruptionNamingTheDigestAndIsListedByVerify) {
    TempDir tmp;
    const std::string bytes = "the true output of a trial";
    const Digest digest = sha256(bytes);
    {
        auto store = Store::open(tmp.path());
        ASSERT_TRUE(store->commit_trial(key_of(1), {}, {{"soma.v", bytes}}));
        ASSERT_TRUE(store->put_blob("an innocent bystander"));
    }
    ASSERT_TRUE(write_raw(tmp.path(), cf_blobs, digest.view(), GetParam()));
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store);
    auto read = store->get_blob(digest);
    ASSERT_FALSE(read) << "corrupt blob read back as data";
    EXPECT_EQ(read.error().code, Errc::corruption);
    EXPECT_NE(read.error().what().find(digest.hex()), std::string::npos) << read.error().what();
    auto report = store->verify();
    ASSERT_TRUE(report);
    EXPECT_FALSE(report->ok());
    ASSERT_EQ(report->corrupt.size(), 1u);
    EXPECT_EQ(report->corrupt[0].digest, digest);
    EXPECT_TRUE(report->missing.empty());
}

INSTANTIATE_TEST_SUITE_P(StoreVerify, AlteredBlob,
                         ::testing::Values(std::string("raw garbage, not a zstd frame"),
                                           compress_blob("different bytes with a valid frame", 3)),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                             return param.index == 0 ? std::string("RawGarbage")
                                                     : std::string("ValidFrameOfOtherBytes");
                         });

TEST(StoreVerify, BlobReferencedByATrialButAbsentIsListedAsMissing) {
    TempDir tmp;
    {
        auto store = Store::open(tmp.path());
        ASSERT_TRUE(store->commit_trial(key_of(1), {}, {{"soma.v", "volts"}}));
        ASSERT_TRUE(store->put_item("plot", "svg"));
    }
    ASSERT_TRUE(write_raw(tmp.path(), cf_blobs, sha256("volts").view(), std::nullopt));
    ASSERT_TRUE(write_raw(tmp.path(), cf_blobs, sha256("svg").view(), std::nullopt));
    auto store = Store::open(tmp.path());
    auto report = store->verify();
    ASSERT_TRUE(report);
    ASSERT_EQ(report->missing.size(), 2u);
    std::string all = report->missing[0].message + report->missing[1].message;
    EXPECT_NE(all.find(key_of(1).hex()), std::string::npos);
    EXPECT_NE(all.find("soma.v"), std::string::npos);
    EXPECT_NE(all.find("item 'plot'"), std::string::npos);
}

TEST(StoreGc, DryRunListsButKeepsUnreferencedBlobs) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), {}, {{"v", "kept"}}));
    ASSERT_TRUE(store->put_blob("orphan"));
    auto report = store->gc();
    ASSERT_TRUE(report);
    EXPECT_FALSE(report->deleted);
    ASSERT_EQ(report->unreferenced.size(), 1u);
    EXPECT_EQ(report->unreferenced[0], sha256("orphan"));
    EXPECT_TRUE(*store->has_blob(sha256("orphan")));
}

TEST(StoreGc, DeletesOnlyBlobsNothingReferences) {
    TempDir tmp;
    auto store = Store::open(tmp.path());
    ASSERT_TRUE(store->commit_trial(key_of(1), {}, {{"v", "trial output"}}));
    TrialRecord failed;
    failed.outputs["partial"] = *store->put_blob("failure output");
    ASSERT_TRUE(store->record_failure(key_of(2), failed));
    ASSERT_TRUE(store->put_item("item", "item bytes"));
    ASSERT_TRUE(store->put_item("gone", "deleted item bytes"));
    ASSERT_TRUE(store->delete_item("gone"));
    ASSERT_TRUE(store->put_blob("orphan"));
    auto report = store->gc(false);
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->deleted);
    EXPECT_EQ(report->unreferenced.size(), 2u);
    EXPECT_FALSE(*store->has_blob(sha256("orphan")));
    EXPECT_FALSE(*store->has_blob(sha256("deleted item bytes")));
    EXPECT_EQ(*store->get_blob(sha256("trial output")), "trial output");
    EXPECT_EQ(*store->get_blob(sha256("failure output")), "failure output");
    EXPECT_EQ(*store->get_item("item"), "item bytes");
    EXPECT_TRUE(store->verify()->ok());
}

}  // namespace
}  // namespace silico::store
