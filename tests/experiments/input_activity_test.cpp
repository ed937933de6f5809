#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "silico/experiments/activity.hpp"

namespace silico::experiments {
namespace {

const std::string k_isf = SILICO_SHARED_DIR "/isf";
const recipes::PathMap k_paths{{"IN_SILICO_FRAMEWORK_DIR", k_isf}};
const std::string k_network =
    k_isf + "/getting_started/example_data/functional_constraints/network.param.TEMPLATE";

const PreparedNetwork& shipped() {
    static const PreparedNetwork net = [] {
        auto params = read_network_param(k_network, k_paths);
        EXPECT_TRUE(params) << params.error().what();
        auto prepared = prepare_network(std::move(*params));
        EXPECT_TRUE(prepared) << prepared.error().what();
        return std::move(*prepared);
    }();
    return net;
}

std::string cell_type(const std::string& population) {
    return population.substr(0, population.find('_'));
}

// P(a .con line releases at least once) = 1 - E[(1-p)^N] with N the presynaptic spike count:
// Poisson train on [0, T]: exp(-p T / interval); PSTH bin with probability q: (1 - p q).
double p_active(const Population& pop, double t_stop) {
    double p = pop.synapses.release_prob.value_or(1.0);
    double none = 1.0;
    for (const auto& s : pop.sources) {
        if (const auto* st = std::get_if<SpikeTrainSource>(&s)) {
            none *= std::exp(-p * t_stop / st->interval);
        } else {
            const auto& psth = std::get<PsthDistribution>(std::get<PointCellSource>(s));
            for (double q : psth.probabilities) none *= 1.0 - p * std::clamp(q, 0.0, 1.0);
        }
    }
    return 1.0 - none;
}

TEST(IndependentActivity, MeanActiveSynapsesPerCellTypeMatchTheParametersOver200Trials) {
    const auto& net = shipped();
    const auto& pops = net.parameters.populations;
    std::map<std::string, double> expected, observed;
    for (std::size_t p = 0; p < pops.size(); ++p)
        expected[cell_type(pops[p].name)] +=
            static_cast<double>(net.connections[p].size()) * p_active(pops[p], 345.0);
    const int trials = 200;
    for (int t = 0; t < trials; ++t) {
        auto a = generate_activity_independent(net, 1000 + static_cast<std::uint64_t>(t));
        ASSERT_TRUE(a) << a.error().what();
        for (const auto& s : a->synapses) observed[cell_type(pops[s.population].name)] += 1.0 / trials;
    }
    ASSERT_EQ(expected.size(), 22u);
    for (const auto& [type, e] : expected) {
        EXPECT_NEAR(observed[type] / e, 1.0, 0.05)
            << type << ": expected " << e << ", observed " << observed[type];
    }
}

TEST(IndependentActivity, ResultsDoNotDependOnPopulationOrder) {
    const auto& net = shipped();
    PreparedNetwork reversed = net;
    std::reverse(reversed.parameters.populations.begin(), reversed.parameters.populations.end());
    std::reverse(reversed.connections.begin(), reversed.connections.end());
    std::reverse(reversed.in_con.begin(), reversed.in_con.end());
    std::reverse(reversed.weights_per_synapse.begin(), reversed.weights_per_synapse.end());
    auto a = generate_activity_independent(net, 77);
    auto b = generate_activity_independent(reversed, 77);
    ASSERT_TRUE(a && b);
    auto ra = presynaptic_cell_rows(net, *a);
    auto rb = presynaptic_cell_rows(reversed, *b);
    EXPECT_EQ(ra, rb);
    EXPECT_EQ(a->release_times.size(), b->release_times.size());
    auto c = generate_activity_independent(net, 78);
    ASSERT_TRUE(c);
    EXPECT_NE(presynaptic_cell_rows(net, *c), ra);
}

// Checks the structural promises of TrialActivity for any mode.
void expect_consistent(const PreparedNetwork& net, const TrialActivity& a) {
    const auto& pops = net.parameters.populations;
    ASSERT_EQ(a.cell_begin.size(), pops.size() + 1);
    for (std::size_t c = 0; c + 1 < a.spike_begin.size(); ++c) {
        EXPECT_TRUE(std::is_sorted(a.spike_times.begin() + a.spike_begin[c],
                                   a.spike_times.begin() + a.spike_begin[c + 1]));
    }
    for (const auto& s : a.synapses) {
        ASSERT_LT(s.release_begin, s.release_end);
        std::uint32_t cell = a.cell_begin[s.population] + s.cell_id;
        const double* sb = a.spike_times.data() + a.spike_begin[cell];
        const double* se = a.spike_times.data() + a.spike_begin[cell + 1];
        for (auto i = s.release_begin; i < s.release_end; ++i) {
            EXPECT_TRUE(std::find(sb, se, a.release_times[i]) != se);  // every release is a presynaptic spike
            if (i > s.release_begin) {
                EXPECT_LE(a.release_times[i - 1], a.release_times[i]);
            }
        }
        const auto& rec = pops[s.population].synapses.receptors;
        std::size_t k = s.weight_begin;
        for (const auto& r : rec) {
            for (double w : r.weight) {
                EXPECT_EQ(a.weights[k++], w);
            }
        }
    }
}

TEST(IsfActivity, SameSeedSameTrialAndTheStreamContinuesAcrossSweeps) {
    const auto& net = shipped();
    IsfRandomState r1(20240), r2(20240);
    auto a = generate_activity_isf(net, r1);
    auto b = generate_activity_isf(net, r2);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->spike_times, b->spike_times);
    EXPECT_EQ(a->release_times, b->release_times);
    expect_consistent(net, *a);
    auto next = generate_activity_isf(net, r1);  // second sweep of the same process
    ASSERT_TRUE(next);
    EXPECT_NE(next->spike_times, a->spike_times);
    // One full network: about 2,000 active synapses in a 345 ms evoked trial (ISF's stored trials: 4,428).
    EXPECT_GT(a->synapses.size(), 1000u);
    EXPECT_LT(a->synapses.size(), 10000u);
}

TEST(IsfActivity, FirstSpikeTrainCellUsesAPrivateGeneratorSeededFromTheGlobalOne) {
    // One population, one cell, a pure Poisson train: its spikes come from RandomState(randint(123456,
    // 1234567)).
    auto tree = recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 1, "celltype": "spiketrain",
        "interval": 50.0, "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con",
        "receptors": {"gaba_syn": {"weight": 1.0}}, "releaseProb": 0.5}}}})");
    ASSERT_TRUE(tree);
    auto params = network_from_tree(*tree);
    ASSERT_TRUE(params) << params.error().what();
    auto con = parse_con("# h\n# a.syn\nX_C2\t0\t0\n");
    ASSERT_TRUE(con);
    auto net = prepare_network(*params, {{"a.con", *con}});
    ASSERT_TRUE(net) << net.error().what();
    IsfRandomState global(5);
    auto a = generate_activity_isf(*net, global, {.t_stop = 345.0});
    ASSERT_TRUE(a);

    IsfRandomState g(5);
    IsfRandomState own2(static_cast<std::uint32_t>(g.randint(123456, 1234567)));
    std::vector<double> expected;
    double last = 0.0;
    while (true) {
        double d = (1 - 1.0) * 50.0 + 1.0 * 50.0 * own2.exponential();
        double s = last == 0 ? 0.0 + d - 50.0 * (1 - 1.0) : last + d;
        if (s > 345.0) break;
        expected.push_back(s);
        last = s;
    }
    EXPECT_EQ(a->spike_times, expected);
    // Release: one rand() per spike on the global stream, after the seed draw.
    std::vector<double> releases;
    for (double s : expected)
        if (g.random_sample() < 0.5) releases.push_back(s);
    EXPECT_EQ(a->release_times, releases);
}

TEST(IsfActivity, MeanActiveSynapsesOver20SweepsMatchTheParameters) {
    const auto& net = shipped();
    double expected = 0;
    for (std::size_t p = 0; p < net.parameters.populations.size(); ++p)
        expected +=
            static_cast<double>(net.connections[p].size()) * p_active(net.parameters.populations[p], 345.0);
    IsfRandomState rng(4242);
    double observed = 0;
    const int sweeps = 20;
    for (int s = 0; s < sweeps; ++s) {
        auto a = generate_activity_isf(net, rng);
        ASSERT_TRUE(a);
        observed += static_cast<double>(a->synapses.size()) / sweeps;
    }
    EXPECT_NEAR(observed / expected, 1.0, 0.02) << expected << " vs " << observed;
}

TEST(Replay, StoredTrialBecomesOneActiveSynapsePerRowWithItsTimes) {
    const auto& net = shipped();
    auto rows = read_synapse_activation_file(
        SILICO_SHARED_DIR
        "/isf/getting_started/example_data/simulation_data/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/"
        "20150815-1530_20240/simulation_run0000_synapses.csv");
    ASSERT_TRUE(rows) << rows.error().what();
    auto a = activity_from_replay(net, *rows);
    ASSERT_TRUE(a) << a.error().what();
    ASSERT_EQ(a->synapses.size(), rows->size());
    const auto& first = a->synapses[0];
    EXPECT_EQ(net.parameters.populations[first.population].name, "L1_C1");
    EXPECT_EQ(first.synapse_id, 0u);  // renumbered per type in file order
    EXPECT_EQ(a->release_times[first.release_begin], 14.3144635349);
    EXPECT_EQ(a->weights[first.weight_begin], 1.0);
    EXPECT_EQ(a->synapses[1].synapse_id, 1u);
    std::vector<SynapseActivationRow> unknown = {{"Nope_C2", 0, 1.0, 1, 1, "Soma", {1.0}}};
    EXPECT_FALSE(activity_from_replay(net, unknown));
}

TEST(Activity, ConFileNamingACellBeyondCellNrIsRejected) {
    auto tree = recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 1, "celltype": "spiketrain",
        "interval": 50.0, "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con",
        "receptors": {"gaba_syn": {"weight": 1.0}}}}}})");
    auto params = network_from_tree(*tree);
    ASSERT_TRUE(params);
    auto con = parse_con("X_C2\t3\t0\n");
    auto net = prepare_network(*params, {{"a.con", *con}});
    ASSERT_FALSE(net);
    EXPECT_NE(net.error().message.find("cellNr"), std::string::npos);
}

TEST(Activity, UnsupportedDistributionsFailClearly) {
    auto tree = recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 2, "celltype": {"pointcell":
        {"distribution": "poissontrain_modulated", "mean_rate": 1.0}}, "synapses": {"distributionFile": "a.syn",
        "connectionFile": "a.con", "receptors": {"gaba_syn": {"weight": 1.0}}}}}})");
    auto params = network_from_tree(*tree);
    ASSERT_TRUE(params) << params.error().what();
    auto con = parse_con("X_C2\t0\t0\n");
    auto net = prepare_network(*params, {{"a.con", *con}});
    ASSERT_TRUE(net);
    IsfRandomState g(1);
    auto a = generate_activity_isf(*net, g);
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().message.find("poissontrain_modulated"), std::string::npos);
    EXPECT_FALSE(generate_activity_independent(*net, 1));
}

TEST(Activity, LognormalWeightsHaveMeanWAndSdWSquared) {
    auto tree = recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 1, "celltype": "spiketrain",
        "interval": 1.0, "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con",
        "receptors": {"gaba_syn": {"weight": 0.8, "weightDistribution": "lognormal"}}}}}})");
    auto params = network_from_tree(*tree);
    ASSERT_TRUE(params) << params.error().what();
    std::string con_text = "# h\n# a\n";
    for (int i = 0; i < 20000; ++i) con_text += "X_C2\t0\t" + std::to_string(i) + "\n";
    auto con = parse_con(con_text);
    auto net = prepare_network(*params, {{"a.con", *con}});
    ASSERT_TRUE(net);
    IsfRandomState g(3);
    auto a = generate_activity_isf(*net, g, {.t_stop = 10.0});
    ASSERT_TRUE(a);
    ASSERT_EQ(a->synapses.size(), 20000u);  // no releaseProb: every spike releases
    double sum = 0, sq = 0;
    for (double w : a->weights) {
        sum += w;
        sq += w * w;
    }
    double n = static_cast<double>(a->weights.size());
    double mean = sum / n, sd = std::sqrt(sq / n - mean * mean);
    EXPECT_NEAR(mean, 0.8, 0.01);
    EXPECT_NEAR(sd, 0.64, 0.02);
}

TEST(Activity, RowsForIsfFilesAreSortedByTypeThenId) {
    const auto& net = shipped();
    auto a = generate_activity_independent(net, 5);
    ASSERT_TRUE(a);
    SynapsePlacement placement;
    for (std::size_t p = 0; p < net.parameters.populations.size(); ++p)
        placement[net.parameters.populations[p].name].resize(net.connections[p].size(),
                                                             PlacedSynapse{1, 2, 3.5, "Dendrite"});
    auto rows = synapse_activation_rows(net, *a, placement);
    ASSERT_TRUE(rows) << rows.error().what();
    ASSERT_EQ(rows->size(), a->synapses.size());
    for (std::size_t i = 1; i < rows->size(); ++i) {
        const auto& x = (*rows)[i - 1];
        const auto& y = (*rows)[i];
        EXPECT_TRUE(x.synapse_type < y.synapse_type ||
                    (x.synapse_type == y.synapse_type && x.synapse_id < y.synapse_id));
    }
    auto cells = presynaptic_cell_rows(net, *a);
    for (const auto& c : cells) EXPECT_FALSE(c.times.empty());
    EXPECT_FALSE(synapse_activation_rows(net, *a, {}));
}

}  // namespace
}  // namespace silico::experiments
