// Cell 86 build time: reading ISF's files, the NEURON-free model (nseg, distances, per-segment values), and
// (NEURON benchmarks) creating it in NEURON. Results: bench/RESULTS.md, "Cell models".
#include <benchmark/benchmark.h>

#include "silico/experiments/cell.hpp"
#include "silico/experiments/simulator.hpp"

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

}  // namespace

BENCHMARK_MAIN();
