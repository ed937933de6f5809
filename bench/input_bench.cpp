// Synaptic input set-up and per-trial activity for ISF's example network (cell 86, 278 populations,
// 24,780 synapses). Run: build/bench/input_bench --benchmark_repetitions=5
// --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "silico/model/activity.hpp"
#include "silico/model/network_parameters.hpp"
#include "silico/model/synapse_files.hpp"

namespace {

using namespace silico::experiments;

const std::string k_isf = SILICO_SHARED_DIR "/isf";
const silico::recipes::PathMap k_paths{{"IN_SILICO_FRAMEWORK_DIR", k_isf}};
const std::string k_network =
    k_isf + "/getting_started/example_data/functional_constraints/network.param.TEMPLATE";
const std::string k_syn =
    k_isf +
    "/getting_started/example_data/anatomical_constraints/example_embedding_86_C2_center/"
    "example_embedding_86_C2_center.syn";

PreparedNetwork load() {
    auto params = read_network_param(k_network, k_paths);
    if (!params) std::abort();
    auto net = prepare_network(std::move(*params));
    if (!net) std::abort();
    return std::move(*net);
}

// Reading network.param + .con and resolving every population's connections (done once per worker).
void BM_NetworkSetUp(benchmark::State& state) {
    for (auto _ : state) {
        auto net = load();
        benchmark::DoNotOptimize(net.connections.data());
    }
}
BENCHMARK(BM_NetworkSetUp)->Unit(benchmark::kMillisecond);

// Reading the .syn file (synapse locations, mapped once per cell).
void BM_ReadSyn(benchmark::State& state) {
    for (auto _ : state) {
        auto syn = read_syn_file(k_syn);
        benchmark::DoNotOptimize(syn->types.data());
    }
}
BENCHMARK(BM_ReadSyn)->Unit(benchmark::kMillisecond);

// One generated trial per iteration, the isf mode continuing one process stream, the independent mode with a
// new trial seed each time; `counter` reports the last trial's releases or spikes.
enum class Count { releases, spikes };

void trials(benchmark::State& state, const PreparedNetwork& net, bool isf, Count count) {
    IsfRandomState rng(20240);
    std::uint64_t seed = 1;
    std::size_t n = 0;
    for (auto _ : state) {
        auto a = isf ? generate_activity_isf(net, rng, {.t_stop = 345.0})
                     : generate_activity_independent(net, seed++, {.t_stop = 345.0});
        n = count == Count::releases ? a->release_count() : a->spike_times.size();
        benchmark::DoNotOptimize(a->release_times.data());
    }
    state.counters[count == Count::releases ? "releases" : "spikes"] = static_cast<double>(n);
}

// One trial of presynaptic activity + release draws in ISF's numpy draw order (one process stream).
void BM_TrialActivityIsf(benchmark::State& state) {
    trials(state, load(), true, Count::releases);
}
BENCHMARK(BM_TrialActivityIsf)->Unit(benchmark::kMillisecond);

// The same in independent mode (one derived stream per cell and synapse).
void BM_TrialActivityIndependent(benchmark::State& state) {
    trials(state, load(), false, Count::releases);
}
BENCHMARK(BM_TrialActivityIndependent)->Unit(benchmark::kMillisecond);

// A rate-based population: 1,000 cells with a PSTH_poissontrain_v2 evoked profile over 345 ms (about 2.4
// expected spikes per cell). ISF's sampler draws ceil(integral) + 1 exponentials per cell (~2,400), isf mode
// must too; independent mode draws only the intervals it uses.
PreparedNetwork rate_based_network() {
    auto tree =
        silico::recipes::parse_isf_param(R"({"network": {"X_C2": {"cellNr": 1000, "celltype": {"pointcell":
        {"distribution": "PSTH_poissontrain_v2", "bins": [0, 245, 255, 265, 345], "rates": [5, 60, 20, 5],
        "offset": 0}}, "synapses": {"distributionFile": "a.syn", "connectionFile": "a.con",
        "receptors": {"gaba_syn": {"weight": 1.0}}, "releaseProb": 0.6}}}})");
    if (!tree) std::abort();
    auto params = network_from_tree(*tree);
    std::string con_text = "# h\n# a.syn\n";
    for (int c = 0; c < 1000; ++c) con_text += "X_C2\t" + std::to_string(c) + "\t" + std::to_string(c) + "\n";
    auto con = parse_con(con_text);
    if (!params || !con) std::abort();
    auto net = prepare_network(std::move(*params), {{"a.con", *con}});
    if (!net) std::abort();
    return std::move(*net);
}

void BM_RateBasedActivityIsf(benchmark::State& state) {
    trials(state, rate_based_network(), true, Count::spikes);
}
BENCHMARK(BM_RateBasedActivityIsf)->Unit(benchmark::kMillisecond);

void BM_RateBasedActivityIndependent(benchmark::State& state) {
    trials(state, rate_based_network(), false, Count::spikes);
}
BENCHMARK(BM_RateBasedActivityIndependent)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
