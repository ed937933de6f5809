// silico check's comparison of stored and re-run outputs (runner/src/commands/output_diff.hpp).
#include "commands/output_diff.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "silico/store/array.hpp"

namespace silico::runner {
namespace {

std::string table(std::vector<double> column) {
    return *store::encode_f64_table({std::move(column)});
}

TEST(OutputDiff, EqualBytesAreIdentical) {
    const auto a = table({1.0, 2.0, 3.0});
    const auto d = compare_output("soma.v", a, a, 0.0, {});
    EXPECT_TRUE(d.identical);
    EXPECT_TRUE(d.within);
    EXPECT_EQ(describe(d), "soma.v: identical");
}

TEST(OutputDiff, TheSameValuesInOtherBytesAreIdentical) {
    // Multiples of 0.25 stored losslessly and with a declared precision of 0.25: other bytes (another codec
    // and header, as another zstd or array format would write), the same bits.
    const std::vector<double> v = {-75.0, -74.25, -70.5, 12.75};
    const auto lossless = *store::encode_f64_table({v});
    const auto quantised = *store::encode_f64_table({v}, {.precision = 0.25});
    const auto spikes = *store::encode_spike_lists({{5.0, 12.5}});
    const auto spikes_q = *store::encode_spike_lists({{5.0, 12.5}}, {.precision = 0.25});
    ASSERT_NE(lossless, quantised);
    ASSERT_NE(spikes, spikes_q);
    EXPECT_TRUE(compare_output("soma.v", lossless, quantised, 0.0, {}).identical);
    EXPECT_TRUE(compare_output("spikes", spikes, spikes_q, 0.0, {}).identical);
    // One bit apart is not.
    const auto moved = *store::encode_f64_table({{-75.0, -74.25, std::nextafter(-70.5, 0.0), 12.75}});
    const auto d = compare_output("soma.v", quantised, moved, 0.0, {});
    EXPECT_FALSE(d.identical);
    EXPECT_EQ(d.differing, 1u);
}

TEST(OutputDiff, ATraceReportsTheLargestDeltaAndTheTimeOfTheFirstDifference) {
    const auto d = compare_output("soma.v", table({-75.0, -74.0, -70.0, -60.0}),
                                  table({-75.0, -74.0, -70.5, -60.25}), 0.0, {0.0, 0.025, 0.05, 0.075});
    EXPECT_FALSE(d.identical);
    EXPECT_FALSE(d.within);
    EXPECT_DOUBLE_EQ(d.max_abs, 0.5);
    EXPECT_EQ(d.differing, 2u);
    ASSERT_TRUE(d.first_index.has_value());
    EXPECT_EQ(*d.first_index, 2u);
    ASSERT_TRUE(d.first_time.has_value());
    EXPECT_DOUBLE_EQ(*d.first_time, 0.05);
    EXPECT_NE(describe(d).find("first at row 2 (t = 0.050000000000000003 ms)"), std::string::npos)
        << describe(d);
}

TEST(OutputDiff, ATolerancePassesSmallDeltasAndFailsLargerOnes) {
    const auto stored = table({1.0, 2.0}), rerun = table({1.0 + 1e-9, 2.0});
    EXPECT_TRUE(compare_output("v", stored, rerun, 1e-6, {}).within);
    EXPECT_FALSE(compare_output("v", stored, rerun, 1e-12, {}).within);
}

TEST(OutputDiff, BitIdenticalMeansSignedZerosAndNanPayloadsCount) {
    EXPECT_FALSE(compare_output("v", table({0.0}), table({-0.0}), 0.0, {}).within);
    const double nan = std::nan("");
    const auto d = compare_output("v", table({nan, 1.0}), table({1.0, 1.0}), 1e9, {});
    EXPECT_FALSE(d.within);
    EXPECT_TRUE(std::isinf(d.max_abs));
}

TEST(OutputDiff, SpikeListsReportTheCountsAndTheFirstSpikeThatMoved) {
    const auto stored = *store::encode_spike_lists({{5.0, 12.5, 20.0}});
    const auto rerun = *store::encode_spike_lists({{5.0, 12.75}});
    const auto d = compare_output("spikes", stored, rerun, 0.0, {});
    EXPECT_FALSE(d.within);
    EXPECT_EQ(d.stored_spikes, 3u);
    EXPECT_EQ(d.rerun_spikes, 2u);
    EXPECT_EQ(d.first_index, 1u);
    EXPECT_EQ(d.first_spike_stored, 12.5);
    EXPECT_EQ(d.first_spike_rerun, 12.75);
    EXPECT_NE(describe(d).find("spikes 3 stored, 2 re-run; first change at spike 1: 12.5 ms -> 12.75 ms"),
              std::string::npos)
        << describe(d);
}

TEST(OutputDiff, DifferentShapesAreAProblemNotAValueDelta) {
    const auto d = compare_output("v", table({1.0, 2.0}), table({1.0}), 1.0, {});
    EXPECT_FALSE(d.within);
    EXPECT_EQ(d.problem, "stored shape 1 x 2, re-run 1 x 1");
}

TEST(Tolerance, ParsesADefaultAndPerOutputEntries) {
    auto t = parse_tolerance("1e-6,spikes=0.025");
    ASSERT_TRUE(t.has_value());
    EXPECT_DOUBLE_EQ(t->of("soma.v"), 1e-6);
    EXPECT_DOUBLE_EQ(t->of("spikes"), 0.025);
    EXPECT_FALSE(t->exact());
    auto none = parse_tolerance("");
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->exact());
}

TEST(Tolerance, RefusesNegativeAndMalformedEntriesNamingThem) {
    for (const char* bad : {"-1", "soma.v=abc", "1e-6,,2", "inf", "soma.v=1x"}) {
        auto t = parse_tolerance(bad);
        ASSERT_FALSE(t.has_value()) << bad;
        EXPECT_EQ(t.error().code, Errc::invalid_argument);
    }
    EXPECT_NE(parse_tolerance("soma.v=abc").error().what().find("'soma.v=abc'"), std::string::npos);
}

}  // namespace
}  // namespace silico::runner
