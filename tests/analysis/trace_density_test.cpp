#include "silico/analysis/trace_density.hpp"

#include <gtest/gtest.h>

#include "analysis_test_support.hpp"
#include "silico/analysis/isf_import.hpp"
#include "silico/store/array.hpp"

namespace silico::analysis {
namespace {

using testing::StoreFixture;

struct TraceDensity : StoreFixture {
    // One trial per trace, all in group "a", sampled at `time`.
    Dataset commit(store::Store& store, const std::vector<std::vector<double>>& traces,
                   const std::vector<double>& time) {
        Dataset::Builder b({"api", "", ""}, {"g"});
        for (std::size_t i = 0; i < traces.size(); ++i) {
            const Digest key = sha256("density trial " + std::to_string(i));
            auto committed = store.commit_trial(key, {},
                                                {{"time", *store::encode_f64_table({time})},
                                                 {"soma.v", *store::encode_f64_table({traces[i]})}});
            EXPECT_TRUE(committed) << committed.error().what();
            EXPECT_TRUE(
                b.add({"t" + std::to_string(i), static_cast<std::int64_t>(i), {}, key, {"a"}, {}, {}}));
        }
        return *std::move(b).finish();
    }
    static std::uint32_t at(const TraceDensityGroup& g, const TraceDensityOptions& o, std::size_t t,
                            std::size_t v) {
        return g.counts[t * o.value_bins + v];
    }
};

TEST_F(TraceDensity, ALineCoversEveryCellItCrossesAndATrialCountsOncePerCell) {
    auto store = open_writer();
    // Value bins of 10 mV from 0; two time bins over [0, 3]: samples 0, 1 in the first, 2, 3 in the second.
    const TraceDensityOptions o{
        .time_bins = 2, .value_bins = 5, .value_min = 0, .value_max = 50, .keep_traces = 1};
    const auto d = commit(store, {{5, 6, 45, 44}, {5, 5, 5, 5}}, {0, 1, 2, 3});
    auto r = query_trace_density(store, d, o);
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r->groups.size(), 1u);
    const auto& g = r->groups[0];
    EXPECT_EQ(g.trials, 2u);
    ASSERT_EQ(g.counts.size(), 10u);
    // First bin: both trials at 5-6 mV (cell 0), each once although two samples fall there.
    EXPECT_EQ(at(g, o, 0, 0), 2u);
    EXPECT_EQ(at(g, o, 0, 1), 0u);
    // Second bin: the first trial's upstroke from 6 to 45 mV covers cells 0..4; the flat trial cell 0 only.
    EXPECT_EQ(at(g, o, 1, 0), 2u);
    for (std::size_t v = 1; v < 5; ++v) EXPECT_EQ(at(g, o, 1, v), 1u) << v;
    // keep_traces = 1: only the first trial comes back whole.
    ASSERT_EQ(g.traces.size(), 1u);
    EXPECT_EQ(g.traces[0], (std::vector<double>{5, 6, 45, 44}));
    EXPECT_EQ(g.time, (std::vector<double>{0, 1, 2, 3}));
}

TEST_F(TraceDensity, ValuesOutsideTheRangeLandInTheEdgeCells) {
    auto store = open_writer();
    const TraceDensityOptions o{.time_bins = 1, .value_bins = 4, .value_min = -80, .value_max = 0};
    const auto d = commit(store, {{-200, -200}, {30, 30}}, {0, 1});
    auto r = query_trace_density(store, d, o);
    ASSERT_TRUE(r) << r.error().what();
    EXPECT_EQ(r->groups[0].counts, (std::vector<std::uint32_t>{1, 0, 0, 1}));
}

TEST_F(TraceDensity, BadOptionsAndSpikeTablesAreRefused) {
    auto store = open_writer();
    const auto d = commit(store, {{1, 2}}, {0, 1});
    auto empty = query_trace_density(store, d, {.value_min = 5, .value_max = 5});
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().what(), "trace density: value range is empty");
    EXPECT_FALSE(query_trace_density(store, d, {.time_bins = 0}));
    auto table = parse_isf_spike_times("i,0\na,1\n", "t.csv");
    ASSERT_TRUE(table);
    EXPECT_EQ(query_trace_density(store, *table).error().code, Errc::invalid_argument);
}

TEST_F(TraceDensity, The2015TrialsAreAllCountedAtTheirRestingPotential) {
    auto store = open_writer();
    ASSERT_TRUE(import_isf_simrun(store, testing::k_simrun_2015, "run2015"));
    auto d = read_dataset(store, "run2015");
    ASSERT_TRUE(d);
    const TraceDensityOptions o;
    auto r = query_trace_density(store, *d, o);
    ASSERT_TRUE(r) << r.error().what();
    const auto& g = r->groups[0];
    EXPECT_EQ(g.trials, d->size());
    // In every time bin each trial's line passes through at least one cell, so the column holds >= trials.
    for (std::size_t t = 0; t < o.time_bins; ++t) {
        std::uint64_t column = 0;
        for (std::size_t v = 0; v < o.value_bins; ++v) column += at(g, o, t, v);
        ASSERT_GE(column, g.trials) << "time bin " << t;
    }
}

}  // namespace
}  // namespace silico::analysis
