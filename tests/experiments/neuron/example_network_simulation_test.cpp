// The example cell's synthetic network: deterministic, identical to the shipped files, readable by the ISF
// readers, placed by its layer and soma-distance profiles, active as its parameters say, and meaningful in
// NEURON (the whisker deflection makes the cell fire more than ongoing activity does).
//
// SIMULATION TEST (short): 6 trials of 345 ms on the example cell with ~3,000 synapses (~1.5-2.5 s each on
// the 2-core VM).
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "neuron_test_support.hpp"
#include "silico/model/activity.hpp"
#include "silico/model/cell_model.hpp"
#include "silico/model/example_cell.hpp"
#include "silico/model/example_network.hpp"
#include "silico/model/network_parameters.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/model/synapse_placement.hpp"
#include "silico/model/synapse_sites.hpp"
#include "silico/neuron/recording.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"
#include "silico/neuron/synapse_pools.hpp"

namespace silico::experiments {
namespace {

const std::string k_cells = SILICO_SOURCE_DIR "/recipes/examples/cells";
const std::string k_regenerate =
    "regenerate with: silico cell generate-example-network -o recipes/examples/cells";

const ExampleNetworkFiles& generated() {
    static const ExampleNetworkFiles files = [] {
        auto f = generate_example_network(generate_example_cell());
        EXPECT_TRUE(f) << f.error().what();
        return f.value_or(ExampleNetworkFiles{});
    }();
    return files;
}

// The shipped network; its bare .syn/.con names resolve against the network file's folder.
NetworkParameters shipped_network() {
    auto net = read_network_param(k_cells + "/l5pt_example_network.param");
    EXPECT_TRUE(net) << net.error().what();
    return net.value_or(NetworkParameters{});
}

TEST(ExampleNetwork, GeneratorIsDeterministicAndTheSeedMatters) {
    const auto& a = generated();
    auto b = generate_example_network(generate_example_cell());
    ASSERT_TRUE(b) << b.error().what();
    EXPECT_EQ(a.syn, b->syn);
    EXPECT_EQ(a.con, b->con);
    EXPECT_EQ(a.network_param, b->network_param);
    ExampleNetworkOptions options;
    options.seed = 7;
    auto other = generate_example_network(generate_example_cell(), options);
    ASSERT_TRUE(other) << other.error().what();
    EXPECT_NE(a.syn, other->syn);
    EXPECT_NE(a.con, other->con);
}

TEST(ExampleNetwork, ShippedFilesAreTheGeneratorsOutput) {
    const auto& files = generated();
    for (const auto& [name, text] :
         {std::pair{files.syn_name, &files.syn}, std::pair{files.con_name, &files.con},
          std::pair{files.network_name, &files.network_param}}) {
        auto shipped = read_text_file(k_cells + "/" + name);
        ASSERT_TRUE(shipped) << shipped.error().what();
        EXPECT_TRUE(*shipped == *text) << name << " differs from the generator's output; " << k_regenerate;
    }
}

TEST(ExampleNetwork, FilesReadBackWithIsfsReadersAndAgreeWithTheTypeTable) {
    auto syn = read_syn_file(k_cells + "/l5pt_example.syn");
    ASSERT_TRUE(syn) << syn.error().what();
    auto con = read_con_file(k_cells + "/l5pt_example.con");
    ASSERT_TRUE(con) << con.error().what();
    const auto network = shipped_network();
    const auto types = example_cell_types();
    ASSERT_EQ(syn->types.size(), types.size());
    ASSERT_EQ(network.populations.size(), types.size());
    EXPECT_GT(syn->synapse_count(), 2000u);
    EXPECT_LT(syn->synapse_count(), 5000u);
    EXPECT_EQ(con->anatomical_id, "l5pt_example.syn");
    for (std::size_t t = 0; t < types.size(); ++t) {
        const std::string name = fmt::format("{}_C2", types[t].name);
        SCOPED_TRACE(name);
        ASSERT_EQ(syn->types[t].name, name);
        EXPECT_EQ(syn->types[t].synapses.size(), static_cast<std::size_t>(types[t].synapses));
        const auto ci = con->find(name);
        ASSERT_GE(ci, 0);
        const auto& lines = con->types[static_cast<std::size_t>(ci)].connections;
        ASSERT_EQ(lines.size(), syn->types[t].synapses.size());
        const auto& pop = network.populations[t];
        EXPECT_EQ(pop.name, name);
        // Synapse IDs 0..n-1 in order, every presynaptic cell drives at least one synapse.
        std::set<std::uint32_t> cells;
        for (std::size_t i = 0; i < lines.size(); ++i) {
            EXPECT_EQ(lines[i].synapse_id, i);
            cells.insert(lines[i].cell_id);
        }
        EXPECT_EQ(static_cast<std::int64_t>(cells.size()), pop.cell_count);
        EXPECT_EQ(*cells.rbegin() + 1, static_cast<std::uint32_t>(pop.cell_count));
        // Ongoing spiketrain and evoked PSTH at the deflection.
        ASSERT_EQ(pop.sources.size(), 2u);
        const auto& psth = std::get<PsthDistribution>(std::get<PointCellSource>(pop.sources[0]));
        EXPECT_EQ(psth.offset, 245.0);
        double evoked = 0;
        for (double p : psth.probabilities) evoked += p;
        EXPECT_NEAR(evoked, types[t].evoked_spikes, 0.01);
        EXPECT_EQ(std::get<SpikeTrainSource>(pop.sources[1]).interval, types[t].ongoing_interval);
        ASSERT_EQ(pop.synapses.receptors.size(), 1u);
        EXPECT_EQ(pop.synapses.receptors[0].name, types[t].excitatory ? "glutamate_syn" : "gaba_syn");
        EXPECT_EQ(*pop.synapses.release_prob, types[t].excitatory ? 0.6 : 0.25);
    }
    EXPECT_TRUE(prepare_network(network).has_value());
}

// Depth below the pia and D3 soma distance of every synapse of a type on the generated cell.
struct Where {
    double depth = 0, soma_distance = 0;
    bool soma = false;
};
std::map<std::string, std::vector<Where>> where_synapses() {
    const auto cell = generate_example_cell();
    SectionTree tree;
    std::vector<std::vector<double>> rel;
    for (const auto& s : cell.sections) {
        std::vector<std::array<double, 3>> xyz;
        double length = 0;
        for (std::size_t k = 0; k < s.points.size(); ++k) {
            xyz.push_back({s.points[k].x, s.points[k].y, s.points[k].z});
            if (k > 0)
                length += std::hypot(s.points[k].x - s.points[k - 1].x, s.points[k].y - s.points[k - 1].y,
                                     s.points[k].z - s.points[k - 1].z);
        }
        rel.push_back(isf_relative_points(xyz));
        tree.parent.push_back(s.parent_id);
        tree.parent_x.push_back(s.parent_x);
        tree.length.push_back(length);
        tree.is_soma.push_back(s.label == "Soma");
    }
    auto syn = read_syn_file(k_cells + "/l5pt_example.syn");
    EXPECT_TRUE(syn) << syn.error().what();
    std::map<std::string, std::vector<Where>> out;
    if (!syn) return out;
    const double soma_depth = ExampleNetworkOptions{}.soma_depth;
    for (const auto& type : syn->types) {
        for (const auto& s : type.synapses) {
            const auto sec = static_cast<std::size_t>(s.section_id);
            const auto k = nearest_point_index(rel[sec], s.x);
            out[type.name].push_back({soma_depth - cell.sections[sec].points[k].z,
                                      soma_distance_d3(tree, s.section_id, s.x), tree.is_soma[sec]});
        }
    }
    return out;
}

double fraction(const std::vector<Where>& v, auto&& predicate) {
    return static_cast<double>(std::count_if(v.begin(), v.end(), predicate)) / static_cast<double>(v.size());
}

TEST(ExampleNetwork, SynapsesFollowTheirLayerAndSomaDistanceProfiles) {
    const auto where = where_synapses();
    ASSERT_EQ(where.size(), example_cell_types().size());
    const auto in_layer = [](std::size_t layer) {
        return [layer](const Where& w) { return example_layer(w.depth) == layer; };
    };
    // L1 interneurons: mostly on the tuft in layer 1 (the tuft's tips are the only dendrite there).
    EXPECT_GT(fraction(where.at("L1_C2"), in_layer(0)), 0.4);
    // Thalamic input: layer 4 (the oblique/trunk band) and the L5B/L6 border (basal dendrites); not layer 1.
    EXPECT_GT(fraction(where.at("VPM_C2"), in_layer(2)), 0.2);
    EXPECT_LT(fraction(where.at("VPM_C2"), in_layer(0)), 0.05);
    // L2/3 pyramids target layer 2/3 (the apical trunk and obliques there) far more than L5 thick-tufted
    // cells.
    EXPECT_GT(fraction(where.at("L2_C2"), in_layer(1)), 3 * fraction(where.at("L5tt_C2"), in_layer(1)));
    // L5 thick-tufted cells: deep (L5/L6), hardly any on the tuft.
    EXPECT_GT(fraction(where.at("L5tt_C2"), [](const Where& w) { return w.depth > 900; }), 0.7);
    // Perisomatic baskets: close to the soma, some on it; excitatory synapses never on the soma.
    EXPECT_GT(fraction(where.at("SymLocal1_C2"), [](const Where& w) { return w.soma_distance < 150; }), 0.6);
    EXPECT_GT(fraction(where.at("SymLocal1_C2"), [](const Where& w) { return w.soma; }), 0.02);
    for (const auto& type : example_cell_types()) {
        if (!type.excitatory) continue;
        EXPECT_EQ(fraction(where.at(fmt::format("{}_C2", type.name)), [](const Where& w) { return w.soma; }),
                  0.0)
            << type.name;
    }
}

// Expected active synapses (>= 1 release) of a population: a synapse of a cell with a Poisson ongoing train
// (rate·tstop spikes) plus one Bernoulli spike per PSTH bin, each spike released with probability r, stays
// silent with probability exp(-λ·r) · Π(1 - p_i·r).
double expected_active(const Population& pop, std::size_t synapses, double t_stop) {
    const double r = *pop.synapses.release_prob;
    double silent = 1.0;
    for (const auto& source : pop.sources) {
        if (const auto* train = std::get_if<SpikeTrainSource>(&source)) {
            silent *= std::exp(-t_stop / train->interval * r);
        } else {
            for (double p : std::get<PsthDistribution>(std::get<PointCellSource>(source)).probabilities)
                silent *= 1.0 - std::clamp(p, 0.0, 1.0) * r;
        }
    }
    return static_cast<double>(synapses) * (1.0 - silent);
}

TEST(ExampleNetwork, MeanActiveSynapsesPerTypeOver200TrialsMatchTheParameters) {
    auto prepared = prepare_network(shipped_network());
    ASSERT_TRUE(prepared) << prepared.error().what();
    const auto& pops = prepared->parameters.populations;
    constexpr int k_trials = 200;
    std::vector<double> sum(pops.size()), sum_sq(pops.size());
    for (int trial = 0; trial < k_trials; ++trial) {
        auto activity = generate_activity_independent(*prepared, 1000 + static_cast<std::uint64_t>(trial));
        ASSERT_TRUE(activity) << activity.error().what();
        std::vector<double> count(pops.size());
        for (const auto& s : activity->synapses) count[s.population] += 1;
        for (std::size_t p = 0; p < pops.size(); ++p) sum[p] += count[p], sum_sq[p] += count[p] * count[p];
    }
    double total = 0, total_expected = 0;
    for (std::size_t p = 0; p < pops.size(); ++p) {
        const double mean = sum[p] / k_trials;
        const double se = std::sqrt(std::max(0.0, sum_sq[p] / k_trials - mean * mean) / k_trials);
        const double expected = expected_active(pops[p], prepared->connections[p].size(), 345.0);
        std::cout << fmt::format("[ active  ] {:<13} {:7.2f} per trial (expected {:7.2f}, SE {:.2f})\n",
                                 pops[p].name, mean, expected, se);
        // 5% (the bound), or 4 standard errors for the few small, correlated inhibitory types.
        EXPECT_NEAR(mean, expected, std::max(0.05 * expected, 4 * se)) << pops[p].name;
        total += mean;
        total_expected += expected;
    }
    EXPECT_NEAR(total, total_expected, 0.02 * total_expected);
}

// The example cell in NEURON with the shipped network, built once as a worker would, and its synapses.
struct Model : testing::NetworkRig {
    SynapseSites sites;
};

Model& model() {
    static Model* m = [] {
        auto* built = new Model;  // never destroyed: NEURON objects must not meet static destruction order
        auto p = read_cell_parameters(k_cells + "/l5pt_example.param");
        EXPECT_TRUE(p) << p.error().what();
        if (!p) return built;
        testing::build_network_rig(*built, std::move(*p), {}, shipped_network(), 345.0);
        if (!built->protocol) return built;
        auto syn = read_syn_file(k_cells + "/l5pt_example.syn");
        EXPECT_TRUE(syn) << syn.error().what();
        auto sites = place_synapses(built->cell->model(), built->network, *syn);
        EXPECT_TRUE(sites) << sites.error().what();
        if (sites) built->sites = std::move(*sites);
        return built;
    }();
    return *m;
}

TEST(ExampleNetwork, WhiskerDeflectionMakesTheCellFireMoreThanOngoingActivity) {
    auto& m = model();
    ASSERT_TRUE(m.protocol);
    constexpr int k_trials = 6;
    constexpr double k_deflection = 245.0, k_window = 50.0;
    int evoked = 0, ongoing = 0, before = 0;
    for (int trial = 0; trial < k_trials; ++trial) {
        auto activity = generate_activity_independent(m.network, 77 + static_cast<std::uint64_t>(trial));
        ASSERT_TRUE(activity) << activity.error().what();
        ASSERT_TRUE(m.model->reserve(SynapsePools::slots_needed(m.network, *activity)));
        auto loaded = m.model->load(*activity, m.sites);
        ASSERT_TRUE(loaded) << loaded.error().what();
        auto run = m.protocol->run();
        ASSERT_TRUE(run) << run.error().what();
        const auto spikes = detect_spikes(run->time, run->find("soma.v")->values);
        int in_evoked = 0, in_ongoing = 0;
        for (double t : spikes) {
            in_evoked += t >= k_deflection && t < k_deflection + k_window;
            // Ongoing: the same window length just before the deflection (after the 100 ms settling time).
            in_ongoing += t >= k_deflection - k_window && t < k_deflection;
            before += t >= 100 && t < k_deflection;
        }
        std::cout << fmt::format(
            "[ evoked  ] trial {}: {} active synapses, {} releases, spikes at [{:.1f}] ms "
            "({:.2f} s in NEURON)\n",
            trial, activity->synapses.size(), activity->release_count(), fmt::join(spikes, ", "),
            run->neuron_seconds);
        evoked += in_evoked;
        ongoing += in_ongoing;
    }
    std::cout << fmt::format(
        "[ evoked  ] {} trials: {} spikes in [245, 295) ms, {} in [195, 245) ms, {} in "
        "[100, 245) ms\n",
        k_trials, evoked, ongoing, before);
    // A whisker response: at least one spike per trial on average after the deflection, more than in the
    // same window of ongoing activity, and little firing during ongoing activity.
    EXPECT_GE(evoked, k_trials);
    EXPECT_GT(evoked, 2 * ongoing);
    EXPECT_LT(before, 2 * k_trials);
}

}  // namespace
}  // namespace silico::experiments
