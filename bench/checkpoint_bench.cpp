// Cost of checkpoints inside a run (experiments/checkpoint.hpp) on cell 86: a 100 ms soma-step trial at dt
// 0.025 (4000 steps, soma Vm and [Ca]i recorded), run without checkpoints and with one every 10 ms (9 saves).
// Counters: ms per save (SaveState + copy of the recordings + file write with fsync + rename), bytes of the
// last checkpoint (t = 90 ms), and the run's wall time. Results: bench/RESULTS.md, "Runner".
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "silico/neuron/checkpoint.hpp"
#include "silico/neuron/neuron_cell.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"

namespace {

namespace ex = silico::experiments;
namespace fs = std::filesystem;

const std::string k_data = SILICO_SHARED_DIR "/isf/getting_started/example_data";
const std::string k_param = k_data + "/biophysical_constraints/86_C2_center.param.TEMPLATE";
const silico::recipes::PathMap k_paths{{"IN_SILICO_FRAMEWORK_DIR", SILICO_SHARED_DIR "/isf"}};

// Cell 86 with a soma step, built once per process.
struct Setup {
    std::optional<ex::NeuronCell> cell;
    std::optional<ex::Stimulus> protocol;
    std::string error;
};

Setup& setup() {
    static Setup s = [] {
        Setup out;
        auto sim = ex::Simulator::instance();
        if (!sim) return out.error = sim.error().what(), std::move(out);
        auto p = ex::read_cell_parameters(k_param, k_paths);
        if (!p) return out.error = p.error().what(), std::move(out);
        auto model = ex::build_cell_model(*p);
        if (!model) return out.error = model.error().what(), std::move(out);
        auto cell = ex::NeuronCell::instantiate(**sim, *model);
        if (!cell) return out.error = cell.error().what(), std::move(out);
        out.cell.emplace(std::move(*cell));
        ex::StimulusSpec spec;
        spec.integration.tstop = 100.0;
        const ex::Location soma{out.cell->hoc_name(out.cell->model().soma_id()), 0.5};
        spec.clamps.push_back({soma, 20.0, 100.0, 1.2});
        spec.probes.push_back({"soma.v", soma, "v"});
        spec.probes.push_back({"soma.cai", soma, "cai"});
        auto protocol = ex::Stimulus::install(**sim, spec);
        if (!protocol) return out.error = protocol.error().what(), std::move(out);
        out.protocol.emplace(std::move(*protocol));
        return out;
    }();
    return s;
}

void step_100ms_cell_86(benchmark::State& state) {
    auto& s = setup();
    if (!s.error.empty()) return state.SkipWithError(s.error.c_str());
    const bool checkpoints = state.range(0) != 0;
    const fs::path dir =
        fs::temp_directory_path() / ("silico_checkpoint_bench_" + std::to_string(::getpid()));
    ex::CheckpointOptions options;
    options.file = dir / "trial.ckpt";
    options.every_ms = 10.0;
    options.identity = "bench";
    double save_seconds = 0, saves = 0, bytes = 0;
    for (auto _ : state) {
        std::error_code ec;
        fs::remove(options.file, ec);  // never resume: every iteration runs 0 -> 100 ms
        auto r = s.protocol->run(checkpoints ? &options : nullptr);
        if (!r) return state.SkipWithError(r.error().what().c_str());
        save_seconds += r->checkpoint.save_seconds;
        saves += static_cast<double>(r->checkpoint.saved);
        if (checkpoints) {
            auto info = ex::read_checkpoint_info(options.file);
            if (!info) return state.SkipWithError(info.error().what().c_str());
            bytes = static_cast<double>(info->bytes);
        }
    }
    if (checkpoints) {
        state.counters["ms_per_save"] = 1000.0 * save_seconds / saves;
        state.counters["saves"] = saves / static_cast<double>(state.iterations());
        state.counters["bytes_at_90ms"] = bytes;
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
}
BENCHMARK(step_100ms_cell_86)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("checkpoint_every_10ms")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
