// Cell 86 build time: reading ISF's files, the NEURON-free model (nseg, distances, per-segment values), and
// (NEURON benchmarks) creating it in NEURON. Results: bench/RESULTS.md, "Cell models".
#include <benchmark/benchmark.h>

#include <chrono>
#include <optional>

#include "silico/neuron/neuron_cell.hpp"
#include "silico/neuron/recording.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"

namespace {

namespace ex = silico::experiments;

const std::string k_data = SILICO_SHARED_DIR "/isf/getting_started/example_data";
const std::string k_hoc = k_data + "/anatomical_constraints/86_C2_center.hoc";
const std::string k_param = k_data + "/biophysical_constraints/86_C2_center.param.TEMPLATE";
const silico::recipes::PathMap k_paths{{"IN_SILICO_FRAMEWORK_DIR", SILICO_SHARED_DIR "/isf"}};

void read_hoc_86(benchmark::State& state) {
    for (auto _ : state) {
        auto m = ex::read_hoc(k_hoc);
        if (!m) state.SkipWithError(m.error().what().c_str());
        benchmark::DoNotOptimize(m);
    }
}
BENCHMARK(read_hoc_86)->Unit(benchmark::kMillisecond);

// Parameter file + morphology + model: everything before NEURON.
void build_cell_model_86(benchmark::State& state) {
    for (auto _ : state) {
        auto p = ex::read_cell_parameters(k_param, k_paths);
        if (!p) state.SkipWithError(p.error().what().c_str());
        auto c = ex::build_cell_model(*p);
        if (!c) state.SkipWithError(c.error().what().c_str());
        benchmark::DoNotOptimize(c);
    }
}
BENCHMARK(build_cell_model_86)->Unit(benchmark::kMillisecond);

void hoc_program_86(benchmark::State& state) {
    auto p = ex::read_cell_parameters(k_param, k_paths);
    auto c = ex::build_cell_model(*p);
    for (auto _ : state) benchmark::DoNotOptimize(ex::hoc_program(*c, "silico_cell0"));
}
BENCHMARK(hoc_program_86)->Unit(benchmark::kMillisecond);

// Creating the model in NEURON: the hoc program (sections, 3D points, nseg, 1142 segments' mechanism values,
// connections, diameters). Deleting the sections afterwards is not timed.
void instantiate_cell_86(benchmark::State& state) {
    auto simulator = ex::Simulator::instance();
    if (!simulator) return state.SkipWithError(simulator.error().what().c_str());
    auto p = ex::read_cell_parameters(k_param, k_paths);
    auto c = ex::build_cell_model(*p);
    for (auto _ : state) {
        auto cell = ex::NeuronCell::instantiate(**simulator, *c);
        if (!cell) state.SkipWithError(cell.error().what().c_str());
        state.PauseTiming();
        cell = std::unexpected(silico::Error{});  // deletes the sections
        state.ResumeTiming();
    }
}
BENCHMARK(instantiate_cell_86)->Unit(benchmark::kMillisecond);

// The whole cell 86 build: parameter file, hoc file, model, NEURON.
void build_cell_86_in_neuron(benchmark::State& state) {
    auto simulator = ex::Simulator::instance();
    if (!simulator) return state.SkipWithError(simulator.error().what().c_str());
    for (auto _ : state) {
        auto p = ex::read_cell_parameters(k_param, k_paths);
        auto c = ex::build_cell_model(*p);
        auto cell = ex::NeuronCell::instantiate(**simulator, *c);
        if (!cell) state.SkipWithError(cell.error().what().c_str());
        state.PauseTiming();
        cell = std::unexpected(silico::Error{});
        state.ResumeTiming();
    }
}
BENCHMARK(build_cell_86_in_neuron)->Unit(benchmark::kMillisecond);

// ISF's 3000 ms step protocol on cell 86 (0.793 nA, 700-2700 ms): wall time of Stimulus::run(), NEURON's own
// share (init + the fadvance loop, the floor) and the share silico adds around it. Arg 0: fixed step dt 0.025
// (cache_efficient); arg 1: CVODE with NEURON's default tolerances.
void step_3000ms_cell_86(benchmark::State& state) {
    static std::optional<ex::CellModel> model;
    static std::optional<ex::NeuronCell> cell;
    auto simulator = ex::Simulator::instance();
    if (!simulator) return state.SkipWithError(simulator.error().what().c_str());
    if (!cell) {
        auto p = ex::read_cell_parameters(k_param, k_paths);
        if (!p) return state.SkipWithError(p.error().what().c_str());
        auto c = ex::build_cell_model(*p);
        if (!c) return state.SkipWithError(c.error().what().c_str());
        model = std::move(*c);
        auto made = ex::NeuronCell::instantiate(**simulator, *model);
        if (!made) return state.SkipWithError(made.error().what().c_str());
        cell.emplace(std::move(*made));
    }
    const std::string soma = cell->hoc_name(model->soma_id());
    ex::StimulusSpec spec;
    spec.integration = {state.range(0) ? ex::Solver::cvode : ex::Solver::fixed_step, 0.025, 3000.0, -75.0,
                        34.0};
    spec.clamps.push_back({{soma, 0.5}, 700.0, 2000.0, 0.793});
    spec.probes.push_back({"soma.v", {soma, 0.5}, "v"});
    auto protocol = ex::Stimulus::install(**simulator, spec);
    if (!protocol) return state.SkipWithError(protocol.error().what().c_str());
    double neuron = 0, total = 0;
    std::size_t spikes = 0;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        auto result = protocol->run();
        total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!result) return state.SkipWithError(result.error().what().c_str());
        neuron += result->neuron_seconds;
        spikes = ex::detect_spikes(result->time, result->find("soma.v")->values).size();
    }
    state.counters["neuron_s"] = neuron / static_cast<double>(state.iterations());
    state.counters["silico_share_pct"] = 100.0 * (total - neuron) / total;
    state.counters["spikes"] = static_cast<double>(spikes);
}
BENCHMARK(step_3000ms_cell_86)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
