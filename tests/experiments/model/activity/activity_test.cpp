#include "silico/model/activity.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "cell_test_data.hpp"
#include "silico/model/simrun_rows.hpp"

namespace silico::experiments {
namespace {

const std::string& k_isf = test::k_isf_dir;
const std::string& k_network = test::k_network_c2;
const recipes::PathMap k_paths{{"IN_SILICO_FRAMEWORK_DIR", k_isf}};

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

// --- rate-based pointcell distributions (PSTH_poissontrain, PSTH_poissontrain_v2, poissontrain_modulated)
// ---

// One population X_C2 of `cells` cells with one pointcell source (a JSON dictionary) and a .con line per
// cell.
PreparedNetwork one_pointcell_population(const std::string& pointcell, int cells) {
    auto tree =
        recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": )" + std::to_string(cells) +
                                 R"(, "celltype": {"pointcell": )" + pointcell +
                                 R"(}, "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con",
        "receptors": {"gaba_syn": {"weight": 1.0}}}}}})");
    EXPECT_TRUE(tree) << tree.error().what();
    auto params = network_from_tree(*tree);
    EXPECT_TRUE(params) << params.error().what();
    std::string con_text = "# h\n# a.syn\n";
    for (int c = 0; c < cells; ++c)
        con_text += "X_C2\t" + std::to_string(c) + "\t" + std::to_string(c) + "\n";
    auto con = parse_con(con_text);
    EXPECT_TRUE(con);
    auto net = prepare_network(*params, {{"a.con", *con}});
    EXPECT_TRUE(net) << net.error().what();
    return std::move(*net);
}

std::vector<std::vector<double>> spikes_per_cell(const TrialActivity& a) {
    std::vector<std::vector<double>> out;
    for (std::size_t c = 0; c + 1 < a.spike_begin.size(); ++c)
        out.emplace_back(a.spike_times.begin() + a.spike_begin[c],
                         a.spike_times.begin() + a.spike_begin[c + 1]);
    return out;
}

// The presynaptic spike trains of one isf-mode sweep (generator seeded with `seed`) of a
// one_pointcell_population.
std::vector<std::vector<double>> isf_sweep(const std::string& pointcell, int cells, std::uint32_t seed,
                                           double t_stop = 345.0) {
    auto net = one_pointcell_population(pointcell, cells);
    IsfRandomState g(seed);
    auto a = generate_activity_isf(net, g, {.t_stop = t_stop});
    EXPECT_TRUE(a) << a.error().what();
    return a ? spikes_per_cell(*a) : std::vector<std::vector<double>>{};
}

std::vector<std::vector<double>> modulated_isf(const std::string& rates, const std::string& phase, int cells,
                                               std::uint32_t seed, double t_stop) {
    return isf_sweep(R"({"distribution": "poissontrain_modulated", )" + rates + ", " + phase + "}", cells,
                     seed, t_stop);
}

// Known answers: numpy 1.24's legacy RandomState running ISF's algorithm (np.random.seed(s); per cell
// sample_times_from_rates(bins, rates) with blocks of exponential(1000), np.cumsum, np.interp).
TEST(IsfActivity, PsthPoissonTrainV2MatchesNumpyForSeeds7And2024) {
    auto trains = isf_sweep(
        R"({"distribution": "PSTH_poissontrain_v2", "bins": [0, 50, 100, 200], "rates": [20, 0, 40], "offset": 0})",
        3, 7);
    std::vector<std::vector<double>> expected = {
        {3.968845476072225, 114.82838960200579, 129.25293620591867, 161.38839937643894},
        {9.923357094497785, 21.505289277474986, 100.94112110409394, 102.1313417459793, 102.36121436725212,
         124.63821216163925, 136.0767333436714},
        {125.09383668119982, 157.9686288235958, 198.51281560175954},
    };
    EXPECT_EQ(trains, expected);
    for (const auto& cell : trains)
        for (double t : cell) EXPECT_FALSE(t >= 50 && t < 100) << "no spikes in the 0 Hz bin";
    // bins not starting at 0: the warped times are shifted by bins[0]; offset is read and not applied.
    EXPECT_EQ(
        isf_sweep(
            R"({"distribution": "PSTH_poissontrain_v2", "bins": [245, 255, 265, 300], "rates": [80, 30, 5], "offset": 99})",
            2, 2024),
        (std::vector<std::vector<double>>{{257.8922390096976}, {}}));
}

// numpy's sin and the C library's may differ in the last bit, so the modulated rates (and the warped times)
// agree to rounding; the draw sequence is exact, which the counts show.
void expect_near_trains(const std::vector<std::vector<double>>& got,
                        const std::vector<std::vector<double>>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t c = 0; c < got.size(); ++c) {
        ASSERT_EQ(got[c].size(), want[c].size()) << "cell " << c;
        for (std::size_t i = 0; i < got[c].size(); ++i) EXPECT_NEAR(got[c][i], want[c][i], 1e-9);
    }
}

TEST(IsfActivity, PoissonTrainModulatedMatchesNumpyForEachPhaseDistribution) {
    expect_near_trains(
        modulated_isf(R"("rate_before_t_offset": 5.0, "mean_rate": 30.0, "max_modulation": 0.5,
            "modulation_frequency": 10.0, "bin_size": 25.0, "offset": 100.0)",
                      R"("phase_distribution": "uniform")", 3, 11, 345.0),
        {{144.34664787312798, 173.07860230098316, 196.38023599904264, 196.81317572841758, 212.77569424472804,
          307.0670734145623},
         {84.01802593236215, 135.40197163232108, 135.7238710336181, 141.63215337781614, 202.47663788790302,
          214.32334581754586, 222.9354681170495, 306.22554330494296, 338.5541346284387},
         {95.9033821266362, 135.38588055554462, 186.45043235884788, 204.13270231607834}});
    expect_near_trains(
        modulated_isf(R"("rate_before_t_offset": 2.0, "mean_rate": 50.0, "max_modulation": 0.9,
            "modulation_frequency": 8.0, "bin_size": 10.0, "offset": 245.0)",
                      R"("phase_distribution": "normal", "mean_phase": 1.0, "std_phase": 0.3)", 2, 5, 345.0),
        {{115.78898268304754, 281.68869022080384, 298.0783052273049}, {340.139081064102}});
    expect_near_trains(
        modulated_isf(R"("rate_before_t_offset": 0.0, "mean_rate": 40.0, "max_modulation": 1.0,
            "modulation_frequency": 5.0, "bin_size": 20.0, "offset": 100.0)",
                      R"("phase_distribution": "zero")", 2, 3, 300.0),
        {{132.17872569411426, 149.03815677846634, 153.3681151984882, 162.5256844146053, 197.32705254811998},
         {127.69719168230816, 178.64648044252098, 201.8269430591252, 203.15992039070943}});
}

TEST(IsfActivity, DeprecatedPsthPoissonTrainIsASpikeTrainPerCellAndBinWithItsOwnSeed) {
    auto trains = isf_sweep(R"({"distribution": "PSTH_poissontrain",
        "intervals": [[0, 100], [100, 150], [150, 300]], "rates": [30, 0, 60], "offset": 0})",
                            3, 13);
    std::vector<std::vector<double>> expected = {
        {18.18019390785515, 26.100024700821738, 39.66004297956308, 67.27090208299572, 69.82907182402471,
         82.18908207068364, 99.18160417604857, 199.86223026159712, 229.6970038652397, 239.53875658190947,
         278.1105379712016, 278.3972593354734},
        {80.80775283743229, 96.91867177005446, 151.82706887586235, 203.21280099694073, 210.73701680420118,
         216.98979856176692, 220.5339752899787, 223.24458569420685, 233.9707365181643, 249.07500765606147,
         292.57358875267886, 292.6003488584096},
        {40.63763815275803, 92.21723830298845, 167.2288173359209, 175.4049016490479, 194.0796202020205,
         200.4115919680841, 204.70091086982282, 205.85613079168144, 221.77302451457982, 230.10414457404312,
         242.40307105629128, 279.19525970406005, 296.4457922576071, 298.84189433901133},
    };
    EXPECT_EQ(trains, expected);
}

// Mean spike count per bin over all cells, bins as [edges[i], edges[i+1]).
std::vector<double> mean_counts(const TrialActivity& a, const std::vector<double>& edges) {
    std::vector<double> counts(edges.size() - 1, 0.0);
    double cells = static_cast<double>(a.spike_begin.size() - 1);
    for (double t : a.spike_times) {
        auto it = std::upper_bound(edges.begin(), edges.end(), t);
        if (it == edges.begin() || it == edges.end()) continue;
        counts[static_cast<std::size_t>(it - edges.begin() - 1)] += 1.0 / cells;
    }
    return counts;
}

// Poisson counts: the mean over n cells of a bin with expectation m has SD sqrt(m / n); allow 5 SD.
void expect_poisson_means(const std::vector<double>& observed, const std::vector<double>& expected,
                          double n) {
    ASSERT_EQ(observed.size(), expected.size());
    for (std::size_t i = 0; i < observed.size(); ++i)
        EXPECT_NEAR(observed[i], expected[i], 5 * std::sqrt(expected[i] / n) + 1e-12) << "bin " << i;
}

TEST(IndependentActivity, PsthPoissonTrainV2CountsFollowTheRateProfile) {
    const int cells = 20000;
    auto net = one_pointcell_population(
        R"({"distribution": "PSTH_poissontrain_v2", "bins": [0, 100, 150, 200, 345], "rates": [10, 60, 0, 4], "offset": 0})",
        cells);
    auto a = generate_activity_independent(net, 9);
    ASSERT_TRUE(a) << a.error().what();
    expect_poisson_means(mean_counts(*a, {0, 100, 150, 200, 345}), {1.0, 3.0, 0.0, 0.58}, cells);
    // Within a bin the rate is flat: the two halves of the 60 Hz bin have equal counts.
    expect_poisson_means(mean_counts(*a, {100, 125, 150}), {1.5, 1.5}, cells);
}

TEST(IsfActivity, PsthPoissonTrainV2CountsFollowTheRateProfile) {
    const int cells = 2000;  // ISF's sampler draws about 1000 numbers per expected spike
    auto net = one_pointcell_population(
        R"({"distribution": "PSTH_poissontrain_v2", "bins": [0, 100, 200], "rates": [20, 5], "offset": 0})",
        cells);
    IsfRandomState g(1);
    auto a = generate_activity_isf(net, g);
    ASSERT_TRUE(a) << a.error().what();
    expect_poisson_means(mean_counts(*a, {0, 100, 200}), {2.0, 0.5}, cells);
}

TEST(IndependentActivity, PoissonTrainModulatedRateFollowsTheSineAndUniformPhasesAverageItOut) {
    const int cells = 20000;
    const double offset = 100, t_stop = 300, bin = 20, mean = 40, m = 0.8;
    auto counts = [&](const std::string& phase, std::uint64_t seed, const std::vector<double>& edges) {
        auto net = one_pointcell_population(R"({"distribution": "poissontrain_modulated",
            "rate_before_t_offset": 3.0, "mean_rate": 40.0, "max_modulation": 0.8, "modulation_frequency": 5.0,
            "bin_size": 20.0, "offset": 100.0, "phase_distribution": ")" +
                                                phase + "\"}",
                                            cells);
        auto a = generate_activity_independent(net, seed, {.t_stop = t_stop});
        EXPECT_TRUE(a) << a.error().what();
        return mean_counts(*a, edges);
    };
    // Bins [0, 120) at 3 Hz, then [120 + 20 k, 140 + 20 k) with the sine sampled by ISF's linspace: bin k
    // (k = 1..9) has phase 2π·n_cycles·k / (n_bins - 1), n_bins = 10, n_cycles = 200 ms · 5 Hz / 1000 = 1.
    // With uniform phases the population rate is flat at mean_rate.
    std::vector<double> edges = {0, 120}, locked = {3.0 * 120 / 1000}, flat = locked;
    for (int k = 1; k < 10; ++k) {
        edges.push_back(offset + bin * (k + 1));
        locked.push_back(mean * (1 + m * std::sin(2 * std::numbers::pi * k / 9.0)) * bin / 1000);
        flat.push_back(mean * bin / 1000);
    }
    expect_poisson_means(counts("none", 21, edges), locked, cells);
    expect_poisson_means(counts("uniform", 22, edges), flat, cells);
}

TEST(IndependentActivity, DeprecatedPsthPoissonTrainCountsFollowTheRates) {
    const int cells = 20000;
    auto net = one_pointcell_population(R"({"distribution": "PSTH_poissontrain",
        "intervals": [[0, 100], [100, 150], [150, 300]], "rates": [30, 0, 60], "offset": 0})",
                                        cells);
    auto a = generate_activity_independent(net, 4);
    ASSERT_TRUE(a) << a.error().what();
    expect_poisson_means(mean_counts(*a, {0, 100, 150, 300}), {3.0, 0.0, 9.0}, cells);
}

TEST(Activity, RateBasedDistributionsRefuseWhatIsfCannotSample) {
    auto negative = one_pointcell_population(
        R"({"distribution": "PSTH_poissontrain_v2", "bins": [0, 10, 20], "rates": [5, -1], "offset": 0})", 2);
    IsfRandomState g(1);
    auto a = generate_activity_isf(negative, g);
    ASSERT_FALSE(a);
    EXPECT_NE(a.error().what().find("X_C2"), std::string::npos) << a.error().message;
    EXPECT_NE(a.error().message.find("bin 1"), std::string::npos) << a.error().message;
    EXPECT_FALSE(generate_activity_independent(negative, 1));
    auto late = one_pointcell_population(R"({"distribution": "poissontrain_modulated",
        "rate_before_t_offset": 3.0, "mean_rate": 40.0, "max_modulation": 0.8, "modulation_frequency": 5.0,
        "bin_size": 20.0, "phase_distribution": "uniform", "offset": 400.0})",
                                         2);
    auto b = generate_activity_independent(late, 1, {.t_stop = 345});
    ASSERT_FALSE(b);
    EXPECT_NE(b.error().message.find("offset < tStop"), std::string::npos) << b.error().message;
    auto endless = one_pointcell_population(
        R"({"distribution": "PSTH_poissontrain", "intervals": [[0, 10]], "rates": [-2], "offset": 0})", 1);
    EXPECT_FALSE(generate_activity_independent(endless, 1));
}

TEST(Activity, SpikeTrainsThatNeverAdvanceAreRefusedInsteadOfLoopingLikeIsf) {
    for (std::string train :
         {R"("interval": 1.0, "noise": 0.0)", R"("interval": 1.0, "noise": 0.0, "start": 0.0)",
          R"("interval": 0.0, "noise": 0.5, "start": 2.0)"}) {
        auto tree =
            recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 1, "celltype": "spiketrain", )" +
                                     train + R"(, "synapses": {"distributionFile": "a.syn",
            "connectionFile": "a.con", "receptors": {"gaba_syn": {"weight": 1.0}}}}}})");
        auto params = network_from_tree(*tree);
        ASSERT_TRUE(params) << params.error().what();
        auto net = prepare_network(*params, {{"a.con", *parse_con("X_C2\t0\t0\n")}});
        ASSERT_TRUE(net);
        IsfRandomState g(1);
        auto a = generate_activity_isf(*net, g);
        ASSERT_FALSE(a) << train;
        EXPECT_NE(a.error().what().find("never advances"), std::string::npos) << a.error().what();
        EXPECT_FALSE(generate_activity_independent(*net, 1));
    }
}

TEST(Activity, EverySpikeAndReleaseKeepsItsIsfSpikeSource) {
    auto tree = recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 50, "celltype": {"pointcell":
        {"distribution": "PSTH", "intervals": [[0, 10]], "probabilities": [0.8], "offset": 100.0},
        "spiketrain": {"interval": 20.0}}, "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con",
        "receptors": {"gaba_syn": {"weight": 1.0}}, "releaseProb": 0.7}}}})");
    auto params = network_from_tree(*tree);
    ASSERT_TRUE(params) << params.error().what();
    std::string con_text = "# h\n# a\n";
    for (int c = 0; c < 50; ++c) con_text += "X_C2\t" + std::to_string(c) + "\t" + std::to_string(c) + "\n";
    auto net = prepare_network(*params, {{"a.con", *parse_con(con_text)}});
    ASSERT_TRUE(net);
    IsfRandomState g(8);
    for (auto a : {generate_activity_isf(*net, g), generate_activity_independent(*net, 8)}) {
        ASSERT_TRUE(a) << a.error().what();
        ASSERT_EQ(a->spike_origins.size(), a->spike_times.size());
        ASSERT_EQ(a->release_origins.size(), a->release_times.size());
        std::size_t psth = 0;
        for (std::size_t i = 0; i < a->spike_times.size(); ++i) {
            bool in_window = a->spike_times[i] >= 100.0 && a->spike_times[i] < 110.0;
            if (a->spike_origins[i] == SpikeOrigin::pointcell_psth) {
                ++psth;
                EXPECT_TRUE(in_window);
            } else {
                EXPECT_EQ(a->spike_origins[i], SpikeOrigin::poissontrain);
            }
        }
        EXPECT_GT(psth, 25u);
        for (const auto& s : a->synapses) {
            std::uint32_t cell = a->cell_begin[s.population] + s.cell_id;
            for (auto i = s.release_begin; i < s.release_end; ++i) {
                auto b = a->spike_begin[cell], e = a->spike_begin[cell + 1];
                auto at =
                    std::find(a->spike_times.begin() + b, a->spike_times.begin() + e, a->release_times[i]);
                ASSERT_NE(at, a->spike_times.begin() + e);
                EXPECT_EQ(a->release_origins[i],
                          a->spike_origins[static_cast<std::size_t>(at - a->spike_times.begin())]);
            }
        }
    }
    EXPECT_EQ(spike_origin_name(SpikeOrigin::pointcell_psth), "pointcell_PSTH");
    EXPECT_EQ(spike_origin_from_name("poissontrain"), SpikeOrigin::poissontrain);
    EXPECT_EQ(spike_origin_from_name("PSTH_poissontrain_v2"), SpikeOrigin::psth_poissontrain_v2);
    EXPECT_FALSE(spike_origin_from_name("spiketrain"));
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
