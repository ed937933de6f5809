#include "silico/analysis/synapses.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <sstream>

#include "analysis_test_support.hpp"
#include "silico/analysis/isf_import.hpp"
#include "silico/analysis/table.hpp"
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

// The binning against a count written out here from the same inputs: random trials in two groups, with
// release times before 0, far beyond the rest (1e7 ms: outside any dense range) and arriving in no order.
TEST_F(StoreFixture, SynapseBinningEqualsAnIndependentCountOfRandomTrials) {
    const std::vector<std::string> populations = {"L5tt_C2", "L23Trans_C2", "L4ss_D2", "VPM_C2", "L1_B1"};
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> distance(0.0, 1600.0), time(-20.0, 300.0), unit(0.0, 1.0);
    std::map<std::vector<std::string>, std::uint64_t> expected;
    Dataset::Builder b({"api", "", ""}, {"group"});
    {
        auto store = open_writer();
        for (std::size_t i = 0; i < 12; ++i) {
            const std::string group = i % 3 == 0 ? "a" : "b";
            std::vector<std::string> population;
            std::vector<double> distances;
            std::vector<std::vector<double>> times;
            for (std::size_t s = 0; s < 200; ++s) {
                population.push_back(populations[rng() % populations.size()]);
                // 1 % far beyond the cell: their bins lie outside any dense table, as the 1 % of far times do.
                distances.push_back(unit(rng) < 0.01 ? 1e9 + distance(rng) : distance(rng));
                times.emplace_back();
                for (std::size_t k = rng() % 4; k-- > 0;)
                    times.back().push_back(unit(rng) < 0.01 ? 1e7 : time(rng));
                const std::string ct = population.back().substr(0, population.back().find('_'));
                const auto dbin = std::floor(distances.back() / 50);
                for (double t : times.back())
                    ++expected[{group, ct, is_excitatory(ct) ? "EXC" : "INH",
                                format_number(dbin * 50) + "to" + format_number((dbin + 1) * 50),
                                format_number(std::floor(t))}];
            }
            const Digest key = sha256("random " + std::to_string(i));
            ASSERT_TRUE(store.commit_trial(
                key, {},
                {{"synapse_activation.population", *store::encode_strings(population)},
                 {"synapse_activation.soma_distance", *store::encode_f64_table({distances})},
                 {"synapse_activation.times", *store::encode_spike_lists(times)}}));
            ASSERT_TRUE(b.add({"t" + std::to_string(i), std::int64_t(i), {}, key, {group}, {}, {}}));
        }
    }
    auto dataset = *std::move(b).finish();
    auto store = *store::Store::open(tmp / "store", {.read_only = true});
    SynapseOptions o;
    o.by = {SynapseDim::celltype, SynapseDim::ei, SynapseDim::distance, SynapseDim::time};
    auto r = query_synapses(store, dataset, o, {{}, {"group"}});
    ASSERT_TRUE(r) << r.error().what();
    std::map<std::vector<std::string>, std::uint64_t> ours;
    std::uint64_t total = 0;
    for (const auto& bin : r->bins) {
        std::vector<std::string> key{r->group_labels[bin.group][0]};
        key.insert(key.end(), bin.values.begin(), bin.values.end());
        EXPECT_TRUE(ours.emplace(key, bin.count).second) << "bin twice: " << key[4];
        total += bin.count;
    }
    EXPECT_EQ(ours, expected);
    EXPECT_EQ(total, r->activations);
    EXPECT_GT(expected.size(), 1000u);
}

// ISF's 2015 run of cell 86 binned by cell type, EXC/INH, soma distance (50 µm) and time (1 ms), against the
// same bins counted with pandas from the simrun's synapse files.
TEST_F(StoreFixture, The2015SimrunBinsByCellTypeEiDistanceAndTimeAsPandasCountsTheFiles) {
    auto store = open_writer();
    ASSERT_TRUE(import_isf_simrun(store, testing::k_simrun_parent, "run2015"));
    auto d = read_dataset(store, "run2015");
    ASSERT_TRUE(d);
    SynapseOptions o;
    o.by = {SynapseDim::celltype, SynapseDim::ei, SynapseDim::distance, SynapseDim::time};
    auto r = query_synapses(store, *d, o);
    ASSERT_TRUE(r) << r.error().what();
    std::ostringstream ours;
    for (const auto& bin : r->bins)
        ours << bin.values[0] << " " << bin.values[1] << " " << bin.values[2] << " " << bin.values[3] << " "
             << bin.count << "\n";
    const auto theirs = testing::python(tmp.path(), R"(
import math
d = ")" + testing::k_simrun_2015 + R"("
exc = {"L1", "L2", "L34", "L4py", "L4sp", "L4ss", "L5st", "L5tt", "L6cc", "L6ccinv", "L6ct", "VPM"}
counts = {}
for i in range(6):
    for line in open(d + "/simulation_run%04d_synapses.csv" % i):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        ct = f[0].split("_")[0]
        dbin = math.floor(float(f[2]) / 50)
        for x in f[6].split(","):
            if x.strip():
                k = (ct, "EXC" if ct in exc else "INH", dbin, math.floor(float(x)))
                counts[k] = counts.get(k, 0) + 1
for k in sorted(counts):
    print("%s %s %dto%d %d %d" % (k[0], k[1], k[2] * 50, (k[2] + 1) * 50, k[3], counts[k]))
)");
    EXPECT_EQ(ours.str(), theirs);
    EXPECT_GT(r->bins.size(), 1000u);
}

TEST(SynapseDim, ParsesTheSixNamesAndRefusesOthers) {
    EXPECT_EQ(*parse_synapse_dim("distance"), SynapseDim::distance);
    EXPECT_EQ(parse_synapse_dim("layer").error().code, Errc::invalid_argument);
    EXPECT_TRUE(is_excitatory("VPM"));
    EXPECT_FALSE(is_excitatory("L23Trans"));
}

}  // namespace
}  // namespace silico::analysis
