// silico's own cost around the simulations (bench/RESULTS.md "Runner" and "Recipes and planning"):
//   BM_OverheadPerTrial     `silico run` of N one-compartment trials (tstop 10 ms, one local worker), timed
//   as
//                           (wall - handler time) for 250 trials minus the same for 50, / 200: what planning,
//                           dispatch and commit add per trial, start-up (worker, NEURON, cell) excluded.
//   BM_CachedRerun10k       `silico run` of a 100 x 100 recipe whose 10,000 trials the store holds: the whole
//                           process, wall time.
//   BM_Plan1000x100         in-process: load + expand 1,000 conditions x 100 trials + store.contains for
//                           all 100,000 keys against a store that holds all of them.
// Stores are filled by committing small real arrays under the recipe's real trial keys (sync off for the
// filling only; the measured runs use the store as `silico run` always does).
#include <benchmark/benchmark.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "commands/run_plan.hpp"
#include "silico/core/git_info.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace silico;

const fs::path k_dir = fs::temp_directory_path() / "silico_pipeline_bench";
const std::string k_cell = SILICO_SOURCE_DIR "/tests/data/one_compartment.param";

std::string amplitude_list(int n) {
    std::string s = "[";
    for (int i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(0.001 * (i + 1));
    return s + "]";
}

fs::path write_recipe(const std::string& name, int conditions, int trials) {
    fs::create_directories(k_dir);
    const fs::path file = k_dir / (name + ".toml");
    std::ofstream(file) << "[experiment]\nname = \"" << name
                        << "\"\nprotocol = \"current_step\"\n[cell]\nbiophysics = \"" << k_cell
                        << "\"\n[[stimulus.step]]\namplitude = " << amplitude_list(conditions)
                        << "\ndelay = 2.0\nduration = 6.0\n[simulation]\ntstop = 10.0\ntrials = " << trials
                        << "\n";
    return file;
}

std::string run_silico(const std::string& args) {
    const std::string command = std::string(SILICO_EXE) + " " + args + " 2>/dev/null";
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe) return out;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    ::pclose(pipe);
    return out;
}

recipes::Plan plan_of(const fs::path& file) {
    auto recipe = recipes::load_recipe(file);
    if (!recipe) throw std::runtime_error(recipe.error().front().what());
    auto context =
        recipes::make_key_context(build_info().source_dir, experiments::Simulator::version(), false);
    if (!context) throw std::runtime_error(context.error().what());
    auto plan = recipes::expand(*recipe, *context);
    if (!plan) throw std::runtime_error(plan.error().front().what());
    return std::move(*plan);
}

// Commits every trial of the recipe with a small real array (its own seed as the value).
// The marker holds the first trial key: a store filled under another model version (another commit)
// holds other keys and is filled again.
void fill_store(const fs::path& recipe, const fs::path& store_dir) {
    const auto plan = plan_of(recipe);
    const std::string marker = plan.trials.front().key.hex();
    if (std::ifstream in(store_dir / "filled"); in) {
        std::string stored;
        in >> stored;
        if (stored == marker) return;
    }
    fs::remove_all(store_dir);
    store::Options options;
    options.sync = false;
    auto store = store::Store::open(store_dir, options);
    if (!store) throw std::runtime_error(store.error().what());
    for (const auto& t : plan.trials) {
        store::TrialRecord record;
        store::fill_provenance(record);
        record.seed = t.seed;
        auto bytes = store::encode_f64_table({{static_cast<double>(t.seed % 1000003)}});
        if (!store->commit_trial(t.key, record, {{"soma.v", *bytes}}))
            throw std::runtime_error("commit failed");
    }
    std::ofstream(store_dir / "filled") << marker;
}

void BM_OverheadPerTrial(benchmark::State& state) {
    const auto small = write_recipe("overhead50", 1, 50);
    const auto large = write_recipe("overhead250", 1, 250);
    for (auto _ : state) {
        double net[2] = {0, 0};
        int i = 0;
        for (const auto& recipe : {small, large}) {
            const fs::path store = k_dir / "overhead_store";
            fs::remove_all(store);
            const auto t0 = std::chrono::steady_clock::now();
            const auto out = nlohmann::json::parse(run_silico("run " + recipe.string() + " --store " +
                                                              store.string() + " --executor local:1 --json"));
            const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (out["succeeded"] != (i == 0 ? 50 : 250)) state.SkipWithError("run failed");
            net[i++] = wall - out["timings"]["handler_seconds"].get<double>();
        }
        state.SetIterationTime((net[1] - net[0]) / 200.0);
    }
}
BENCHMARK(BM_OverheadPerTrial)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5);

void BM_CachedRerun10k(benchmark::State& state) {
    const auto recipe = write_recipe("cached10k", 100, 100);
    const fs::path store = k_dir / "cached10k_store";
    fill_store(recipe, store);
    for (auto _ : state) {
        const auto out = nlohmann::json::parse(
            run_silico("run " + recipe.string() + " --store " + store.string() + " --json"));
        if (out["cached"] != 10000 || out["workers_started"] != false) state.SkipWithError("not all cached");
    }
}
BENCHMARK(BM_CachedRerun10k)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5);

void BM_Plan1000x100(benchmark::State& state) {
    const auto recipe = write_recipe("plan100k", 1000, 100);
    const fs::path store_dir = k_dir / "plan100k_store";
    fill_store(recipe, store_dir);
    store::Options options;
    options.read_only = true;
    auto store = store::Store::open(store_dir, options);
    if (!store) {
        state.SkipWithError(store.error().what().c_str());
        return;
    }
    for (auto _ : state) {
        const auto plan = plan_of(recipe);
        auto complete = runner::trials_complete(plan, *store);
        if (!complete || std::count(complete->begin(), complete->end(), true) != 100000)
            state.SkipWithError("not all complete");
    }
}
BENCHMARK(BM_Plan1000x100)->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5);

}  // namespace

BENCHMARK_MAIN();
