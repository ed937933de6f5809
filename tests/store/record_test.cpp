#include "record.hpp"

#include <gtest/gtest.h>

namespace silico::store {
namespace {

TrialRecord full_record() {
    TrialRecord r;
    r.status = TrialStatus::complete;
    r.outputs["soma.v"] = BlobRef{sha256("a"), 100, 40};
    r.outputs["spikes"] = BlobRef{sha256("b"), 8, 20};
    r.seed = 18446744073709551615ull;  // the largest seed survives JSON
    r.silico_version = "0.1.0";
    r.silico_commit = "0123456789abcdef0123456789abcdef01234567";
    r.silico_dirty = true;
    r.neuron_version = "NEURON -- VERSION 8.2.2";
    r.host = "node7";
    r.user = "ana";
    r.start_unix_ms = 1764100000000;
    r.end_unix_ms = 1764100001234;
    r.wall_seconds = 1.234;
    r.cpu_seconds = 1.1;
    r.attempt = 3;
    r.stderr_tail = "line 1\nline 2";
    return r;
}

TEST(TrialRecordEncoding, EveryFieldRoundTrips) {
    const TrialRecord r = full_record();
    auto back = decode_record(encode_record(r));
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(back->format_version, k_record_format_version);
    EXPECT_EQ(back->status, r.status);
    ASSERT_EQ(back->outputs.size(), 2u);
    EXPECT_EQ(back->outputs.at("soma.v").digest, sha256("a"));
    EXPECT_EQ(back->outputs.at("soma.v").size, 100u);
    EXPECT_EQ(back->outputs.at("spikes").stored_size, 20u);
    EXPECT_EQ(back->seed, r.seed);
    EXPECT_EQ(back->silico_version, r.silico_version);
    EXPECT_EQ(back->silico_commit, r.silico_commit);
    EXPECT_EQ(back->silico_dirty, r.silico_dirty);
    EXPECT_EQ(back->neuron_version, r.neuron_version);
    EXPECT_EQ(back->host, r.host);
    EXPECT_EQ(back->user, r.user);
    EXPECT_EQ(back->start_unix_ms, r.start_unix_ms);
    EXPECT_EQ(back->end_unix_ms, r.end_unix_ms);
    EXPECT_DOUBLE_EQ(back->wall_seconds, r.wall_seconds);
    EXPECT_DOUBLE_EQ(back->cpu_seconds, r.cpu_seconds);
    EXPECT_EQ(back->attempt, r.attempt);
    EXPECT_EQ(back->stderr_tail, r.stderr_tail);
}

TEST(TrialRecordEncoding, IsfSeedModeSweepAndConditionRoundTrip) {
    TrialRecord r = full_record();
    r.seed = 1234;
    r.seed_mode = SeedMode::isf;
    r.sweep = 2;
    r.condition = sha256("condition");
    auto back = decode_record(encode_record(r));
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(back->seed_mode, SeedMode::isf);
    EXPECT_EQ(back->sweep, 2u);
    EXPECT_EQ(back->condition, sha256("condition"));
}

TEST(TrialRecordEncoding, RecordWithoutSeedModeReadsAsIndependent) {
    auto back = decode_record(R"({"v":1,"status":"complete","outputs":{},"seed":42})");
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(back->seed_mode, SeedMode::independent);
    EXPECT_FALSE(back->sweep.has_value());
    EXPECT_FALSE(back->condition.has_value());
}

TEST(TrialRecordEncoding, IndependentRecordsWriteTheirModeWithTheSeed) {
    TrialRecord r;
    r.seed = 42;
    EXPECT_NE(encode_record(r).find(R"("seed_mode":"independent")"), std::string::npos);
    EXPECT_EQ(encode_record(TrialRecord{}).find("seed_mode"), std::string::npos);
}

TEST(TrialRecordEncoding, IsfRecordWithoutSeedSweepOrConditionOrWithAnUnknownSeedModeIsCorruption) {
    const std::string head = R"({"v":1,"status":"complete","outputs":{},)";
    const std::string condition = R"("condition":")" + sha256("c").hex() + R"(")";
    for (const std::string& bad : {head + R"("seed":1,"seed_mode":"isf","sweep":0})",
                                   head + R"("seed":1,"seed_mode":"isf",)" + condition + "}",
                                   head + R"("seed_mode":"isf","sweep":0,)" + condition + "}",
                                   head + R"("seed":1,"seed_mode":"numpy"})"}) {
        auto back = decode_record(bad);
        ASSERT_FALSE(back) << bad;
        EXPECT_EQ(back.error().code, Errc::corruption) << bad;
    }
}

TEST(TrialRecordEncoding, RecordWithoutSeedHasNoSeed) {
    TrialRecord r;
    auto back = decode_record(encode_record(r));
    ASSERT_TRUE(back);
    EXPECT_FALSE(back->seed.has_value());
}

TEST(TrialRecordEncoding, FailedStatusRoundTrips) {
    TrialRecord r;
    r.status = TrialStatus::failed;
    EXPECT_EQ(decode_record(encode_record(r))->status, TrialStatus::failed);
}

TEST(TrialRecordEncoding, BinaryStderrDoesNotBreakEncoding) {
    TrialRecord r;
    r.stderr_tail = std::string("bad \xff\xfe bytes");
    auto back = decode_record(encode_record(r));
    ASSERT_TRUE(back);
    EXPECT_NE(back->stderr_tail.find("bad"), std::string::npos);
}

TEST(TrialRecordEncoding, NewerVersionIsRefused) {
    auto back = decode_record(R"({"v":99,"status":"complete","outputs":{}})");
    ASSERT_FALSE(back);
    EXPECT_EQ(back.error().code, Errc::version);
}

TEST(TrialRecordEncoding, MalformedBytesAreCorruption) {
    for (std::string_view bad :
         {"", "{", "[]", R"({"v":1})", R"({"v":1,"status":"odd","outputs":{}})",
          R"({"v":1,"status":"complete","outputs":{"x":{"digest":"zz","size":1,"stored":1}}})"}) {
        auto back = decode_record(bad);
        ASSERT_FALSE(back) << bad;
        EXPECT_TRUE(back.error().code == Errc::corruption || back.error().code == Errc::parse) << bad;
    }
}

TEST(ItemMetaEncoding, EveryFieldRoundTrips) {
    ItemMeta m;
    m.name = "tables/psth";
    m.blob = BlobRef{sha256("x"), 1, 10};
    m.encoding = "csv";
    m.time_unix_ms = 1764100000000;
    m.silico_version = "0.1.0";
    m.silico_commit = "abc";
    m.silico_dirty = true;
    auto back = decode_item_meta(encode_item_meta(m));
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(back->name, m.name);
    EXPECT_EQ(back->blob.digest, m.blob.digest);
    EXPECT_EQ(back->encoding, "csv");
    EXPECT_EQ(back->time_unix_ms, m.time_unix_ms);
    EXPECT_EQ(back->silico_commit, "abc");
    EXPECT_TRUE(back->silico_dirty);
}

TEST(ItemMetaEncoding, MalformedBytesAreCorruption) {
    EXPECT_EQ(decode_item_meta("nope").error().code, Errc::corruption);
}

}  // namespace
}  // namespace silico::store
