#include "silico/analysis/synapses.hpp"

#include <gtest/gtest.h>

#include "analysis_test_support.hpp"
#include "silico/store/array.hpp"

namespace silico::analysis {
namespace {

using testing::StoreFixture;

struct Synapses : StoreFixture {
    Dataset dataset;
    void SetUp() override {
        auto store = open_writer();
        Dataset::Builder b({"api", "", ""});
        // Trial 0: an L5tt_C2 synapse at 120 µm released at 10.2 and 10.7 ms, an L1_D2 synapse at 900 µm at
        // 30 ms, an inhibitory L45Peak_C2 at 510 µm at 10.5 ms. Trial 1: the L5tt_C2 synapse at 11.0 ms.
        const std::vector<std::vector<std::string>> population = {{"L1_D2", "L45Peak_C2", "L5tt_C2"},
                                                                  {"L5tt_C2"}};
        const std::vector<std::vector<double>> distance = {{900, 510, 120}, {120}};
        const std::vector<std::vector<std::vector<double>>> times = {{{30.0}, {10.5}, {10.2, 10.7}},
                                                                     {{11.0}}};
        for (std::size_t i = 0; i < 2; ++i) {
            const Digest key = sha256("s" + std::to_string(i));
            ASSERT_TRUE(store.commit_trial(
                key, {},
                {{"synapse_activation.population", *store::encode_strings(population[i])},
                 {"synapse_activation.soma_distance", *store::encode_f64_table({distance[i]})},
                 {"synapse_activation.times", *store::encode_spike_lists(times[i])}}));
            ASSERT_TRUE(b.add({"t" + std::to_string(i), std::int64_t(i), {}, key, {}, {}, {}}));
        }
        dataset = *std::move(b).finish();
    }
    store::Store reader() { return *store::Store::open(tmp / "store", {.read_only = true}); }
};

TEST_F(Synapses, CountsActivationsPerCellTypeOverTheGroupsTrials) {
    auto store = reader();
    auto r = query_synapses(store, dataset);
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r->bins.size(), 3u);
    EXPECT_EQ(r->bins[0].values[0], "L1");
    EXPECT_EQ(r->bins[1].values[0], "L45Peak");
    EXPECT_EQ(r->bins[2].values[0], "L5tt");
    EXPECT_EQ(r->bins[2].count, 3u);
    EXPECT_DOUBLE_EQ(r->bins[2].per_trial, 1.5);
    EXPECT_EQ(r->activations, 5u);
}

TEST_F(Synapses, BinsByEiColumnProximityDistanceAndTimeAsIsf) {
    auto store = reader();
    SynapseOptions o;
    o.by = {SynapseDim::ei, SynapseDim::column, SynapseDim::proximity, SynapseDim::distance,
            SynapseDim::time};
    auto r = query_synapses(store, dataset, o);
    ASSERT_TRUE(r) << r.error().what();
    std::vector<std::string> rows;
    for (const auto& b : r->bins) {
        std::string s;
        for (const auto& v : b.values) s += v + " ";
        rows.push_back(s + std::to_string(b.count));
    }
    // L1 counts as excitatory, as in ISF's cell_types.py.
    EXPECT_EQ(rows, (std::vector<std::string>{"EXC C2 prox 100to150 10 2", "EXC C2 prox 100to150 11 1",
                                              "EXC D2 dist 900to950 30 1", "INH C2 dist 500to550 10 1"}));
    o.by = {SynapseDim::celltype};
    o.from = 10.6;
    o.to = 30.0;
    auto window = query_synapses(store, dataset, o);
    ASSERT_TRUE(window);
    ASSERT_EQ(window->bins.size(), 1u);  // 10.7 and 11.0 of L5tt only
    EXPECT_EQ(window->bins[0].count, 2u);
}

TEST_F(Synapses, MeanSomaDistancePerCellType) {
    auto store = reader();
    auto r = query_synapse_distances(store, dataset);
    ASSERT_TRUE(r) << r.error().what();
    ASSERT_EQ(r->rows.size(), 3u);
    EXPECT_EQ(r->rows[2].cell_type, "L5tt");
    EXPECT_EQ(r->rows[2].synapses, 2u);
    EXPECT_EQ(r->rows[2].activations, 3u);
    EXPECT_DOUBLE_EQ(r->rows[2].mean_distance, 120.0);
}

TEST(SynapseDim, ParsesTheSixNamesAndRefusesOthers) {
    EXPECT_EQ(*parse_synapse_dim("distance"), SynapseDim::distance);
    EXPECT_EQ(parse_synapse_dim("layer").error().code, Errc::invalid_argument);
    EXPECT_TRUE(is_excitatory("VPM"));
    EXPECT_FALSE(is_excitatory("L23Trans"));
}

}  // namespace
}  // namespace silico::analysis
