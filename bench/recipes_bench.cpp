// Planning cost: loading a recipe, expanding it into conditions and trials, and keying every trial.
//
// The issue's target is "plan 1,000 conditions x 100 trials against a store holding all of them in < 1 s";
// the store lookup belongs to `silico plan` (runner + store). This measures the recipe side of it: parse,
// validate, expand 1,000 conditions and derive 100,000 seeds and trial keys, with ISF's real example cell
// and network (86_C2_center + network.param: ~1.8 MB of input files, each hashed once per load).
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>

#include "silico/recipes/plan.hpp"

namespace {

namespace fs = std::filesystem;
using namespace silico::recipes;

fs::path write_recipe() {
    const fs::path file = fs::temp_directory_path() / "silico_recipes_bench.toml";
    std::ofstream(file) << "[paths]\nIN_SILICO_FRAMEWORK_DIR = \"" SILICO_SHARED_DIR "/isf\"\n"
                        << R"(
[experiment]
name = "bench"
protocol = "evoked"
[cell]
biophysics = "[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data/biophysical_constraints/86_C2_center.param.TEMPLATE"
[input]
network = "[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data/functional_constraints/network.param.TEMPLATE"
release_probability = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
[[stimulus.step]]
amplitude = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
delay = 100.0
duration = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
[simulation]
tstop = 345.0
trials = 100
[record]
synapse_activation = true
)";
    return file;
}

KeyContext context() {
    KeyContext c;
    c.mechanisms = mechanism_set_digest({{"a.mod", "A"}});
    c.neuron_version = "8.2.2";
    c.model.experiments_tree = std::string(40, 'e');
    c.model.mechanisms_tree = std::string(40, 'f');
    return c;
}

// Read + validate + canonicalise (hashes every input file once) + per-condition checks.
void BM_LoadRecipe1000Conditions(benchmark::State& state) {
    const fs::path file = write_recipe();
    for (auto _ : state) {
        auto r = load_recipe(file);
        if (!r) state.SkipWithError("recipe did not load");
        benchmark::DoNotOptimize(r);
    }
}
BENCHMARK(BM_LoadRecipe1000Conditions)->Unit(benchmark::kMillisecond);

// Expansion of a loaded recipe: 1,000 conditions, 100,000 trials with seeds and keys.
void BM_Expand1000x100(benchmark::State& state) {
    auto r = load_recipe(write_recipe());
    if (!r) {
        state.SkipWithError("recipe did not load");
        return;
    }
    const KeyContext c = context();
    for (auto _ : state) {
        auto plan = expand(*r, c);
        if (!plan || plan->trials.size() != 100'000) state.SkipWithError("wrong plan");
        benchmark::DoNotOptimize(plan);
    }
    state.counters["trials"] = 100'000;
}
BENCHMARK(BM_Expand1000x100)->Unit(benchmark::kMillisecond);

// The per-trial part alone: seed + key from precomputed model and condition keys.
void BM_TrialSeedAndKey(benchmark::State& state) {
    const silico::Digest model = silico::sha256("model"), condition = silico::sha256("condition");
    std::size_t i = 0;
    for (auto _ : state) {
        const auto seed = trial_seed(SeedMode::independent, 1, condition, i);
        benchmark::DoNotOptimize(trial_key(model, condition, SeedMode::independent, i++, seed));
    }
}
BENCHMARK(BM_TrialSeedAndKey);

}  // namespace

BENCHMARK_MAIN();
