// Checkpointed evoked trials in `isf` seed mode on cell 86 with ISF's C2 network (24,780 synapses).
// A checkpointed network trial gets a freshly built network (checkpoint.hpp explains why); trial i of ISF's
// stream needs sweeps 0..i-1 drawn first. The benchmark runs trials 0..N-1 of one condition in order, each
// with checkpoint options (no save, nothing to resume), tstop 100 ms, and reports the wall time per trial:
// it stays flat when the fresh network continues the previous one's stream, and grows with i when every
// trial redraws the stream from the seed. Results: bench/RESULTS.md, "Runner".
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <optional>

#include "silico/neuron/checkpoint.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/recipes/recipe.hpp"
#include "silico/trial/trial_runner.hpp"

namespace {

namespace ex = silico::experiments;
namespace rc = silico::recipes;

const std::string k_isf = SILICO_SHARED_DIR "/isf";
const std::string k_data = k_isf + "/getting_started/example_data";

struct Setup {
    std::optional<ex::TrialRunner> model;
    std::optional<rc::Condition> condition;
    std::string error;
};

Setup& setup() {
    static Setup s = [] {
        Setup out;
        const std::string text = fmt::format(R"([paths]
IN_SILICO_FRAMEWORK_DIR = "{}"
[experiment]
name = "isf-checkpoint-bench"
protocol = "evoked"
[cell]
biophysics = "{}/biophysical_constraints/86_C2_center.param.TEMPLATE"
[input]
network = "{}/functional_constraints/network.param.TEMPLATE"
[simulation]
tstop = 100.0
trials = 1000
units = "legacy"
[seeds]
mode = "isf"
root = 20240
)",
                                             k_isf, k_data, k_data);
        auto recipe = rc::parse_recipe(text, "bench.toml", SILICO_SHARED_DIR);
        if (!recipe) return out.error = recipe.error().front().what(), std::move(out);
        auto conditions = rc::expand_conditions(*recipe);
        if (!conditions) return out.error = conditions.error().front().what(), std::move(out);
        out.condition = conditions->front();
        auto model = ex::TrialRunner::build({out.condition->spec.cell});
        if (!model) return out.error = model.error().what(), std::move(out);
        out.model.emplace(std::move(*model));
        return out;
    }();
    return s;
}

void checkpointed_isf_trials_in_order(benchmark::State& state) {
    auto& s = setup();
    if (!s.error.empty()) {
        state.SkipWithError(s.error.c_str());
        return;
    }
    const auto trials = static_cast<std::uint64_t>(state.range(0));
    const auto dir =
        std::filesystem::temp_directory_path() / fmt::format("silico-isf-ckpt-bench-{}", getpid());
    std::filesystem::create_directories(dir);
    double last_trial_seconds = 0;
    for (auto _ : state) {
        for (std::uint64_t i = 0; i < trials; ++i) {
            ex::CheckpointOptions checkpoint;
            checkpoint.file = dir / fmt::format("{}.ckpt", i);
            checkpoint.identity = fmt::format("bench trial {}", i);
            const auto start = std::chrono::steady_clock::now();
            auto out = s.model->run({s.condition->spec, i, 20240}, &checkpoint);
            if (!out) {
                state.SkipWithError(out.error().what().c_str());
                return;
            }
            last_trial_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
    }
    std::filesystem::remove_all(dir);
    state.counters["s_per_trial"] =
        benchmark::Counter(static_cast<double>(trials),
                           benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    state.counters["last_trial_s"] = last_trial_seconds;
}

BENCHMARK(checkpointed_isf_trials_in_order)
    ->Arg(1)
    ->Arg(30)
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
