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
    // A trial whose time and soma.v are `time` and `v`, its time compressed at `level` (another level, as
    // another zstd version would, gives other bytes for the same values).
    store::TrialRecord commit(store::Store& store, const std::string& name, const std::vector<double>& time,
                              const std::vector<double>& v, int level) {
        const Digest key = sha256(name);
        auto committed =
            store.commit_trial(key, {},
                               {{"time", *store::encode_f64_table({time}, {.zstd_level = level})},
                                {"soma.v", *store::encode_f64_table({v})}});
        EXPECT_TRUE(committed) << committed.error().what();
        return *store.find_trial(key);
    }
};

TEST_F(TimeAxes, TheSameTimesInOtherBytesAgreeAndOtherTimesDoNot) {
    auto store = open_writer();
    const std::vector<double> time = {0.0, 0.025, 0.05, 0.075};
    const auto first = commit(store, "first", time, {1, 2, 3, 4}, 1);
    const auto again = commit(store, "again", time, {1, 2, 3, 4}, 19);
    const auto other = commit(store, "other", {0.0, 0.1, 0.2, 0.3}, {1, 2, 3, 4}, 1);
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
    const std::vector<double> time = {0.0, 0.1};
    const auto first = commit(store, "first", time, {-70, -60}, 1);
    const auto pulled = commit(store, "pulled", time, {-66, -40}, 19);
    ASSERT_NE(first.outputs.at("time").digest, pulled.outputs.at("time").digest);
    commit(store, "other", {0.0, 0.2}, {1, 2}, 1);
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
