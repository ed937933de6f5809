// The time axis trials read together share (analysis/time_axis.hpp), against a real store: the same values
// agree whatever bytes hold them, other values do not, and a trial without a time axis is named as such.
#include "silico/analysis/time_axis.hpp"

#include <gtest/gtest.h>

#include "analysis_test_support.hpp"
#include "silico/analysis/traces.hpp"
#include "silico/store/array.hpp"

namespace silico::analysis {
namespace {

using testing::StoreFixture;

struct TimeAxes : StoreFixture {
    // A trial whose time and soma.v are `time` and `v`; its time declared at precision `q` (0: lossless).
    // The times here are multiples of 0.125 (exact in binary), so either way they decode to the same bits, in
    // other bytes (as another zstd version or array format would write them).
    store::TrialRecord commit(store::Store& store, const std::string& name, const std::vector<double>& time,
                              const std::vector<double>& v, double q) {
        const Digest key = sha256(name);
        auto committed = store.commit_trial(key, {},
                                            {{"time", *store::encode_f64_table({time}, {.precision = q})},
                                             {"soma.v", *store::encode_f64_table({v})}});
        EXPECT_TRUE(committed) << committed.error().what();
        return *store.find_trial(key);
    }
};

TEST_F(TimeAxes, TheSameTimesInOtherBytesAgreeAndOtherTimesDoNot) {
    auto store = open_writer();
    const std::vector<double> time = {0.0, 0.125, 0.25, 0.375};
    const auto first = commit(store, "first", time, {1, 2, 3, 4}, 0);
    const auto again = commit(store, "again", time, {1, 2, 3, 4}, 0.125);
    const auto other = commit(store, "other", {0.0, 0.1, 0.2, 0.3}, {1, 2, 3, 4}, 0);
    ASSERT_NE(first.outputs.at("time").digest, again.outputs.at("time").digest);

    TimeAxis axis;
    EXPECT_TRUE(axis.empty());
    EXPECT_EQ(axis.adopt(store, first), true);
    EXPECT_EQ(axis.values(), time);
    EXPECT_EQ(axis.adopt(store, again), true);
    EXPECT_EQ(axis.adopt(store, other), false);
    EXPECT_EQ(axis.values(), time);

    store::TrialRecord without = first;
    without.outputs.erase("time");
    auto missing = axis.adopt(store, without);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(TimeAxes, TracesOfOneAxisInOtherBytesAverageTogetherAndAnotherAxisIsNamed) {
    auto store = open_writer();
    const std::vector<double> time = {0.0, 0.125};
    const auto first = commit(store, "first", time, {-70, -60}, 0);
    const auto pulled = commit(store, "pulled", time, {-66, -40}, 0.125);
    ASSERT_NE(first.outputs.at("time").digest, pulled.outputs.at("time").digest);
    commit(store, "other", {0.0, 0.2}, {1, 2}, 0);
    Dataset::Builder b({"api", "", ""}, {"g"});
    ASSERT_TRUE(b.add({"first", 0, {}, sha256("first"), {"a"}, {}, {}}));
    ASSERT_TRUE(b.add({"pulled", 1, {}, sha256("pulled"), {"a"}, {}, {}}));
    auto two = *std::move(b).finish();
    auto r = query_traces(store, two, {}, {{}, {"g"}});
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->groups[0].trials, 2u);
    EXPECT_DOUBLE_EQ(r->groups[0].mean[1], -50.0);

    Dataset::Builder c({"api", "", ""}, {"g"});
    ASSERT_TRUE(c.add({"first", 0, {}, sha256("first"), {"a"}, {}, {}}));
    ASSERT_TRUE(c.add({"other", 1, {}, sha256("other"), {"a"}, {}, {}}));
    auto mixed = *std::move(c).finish();
    auto refused = query_traces(store, mixed, {}, {{}, {"g"}});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::invalid_argument);
    EXPECT_EQ(refused.error().what(),
              "trial other: is sampled at other times than trial first of the same group");
}

}  // namespace
}  // namespace silico::analysis
