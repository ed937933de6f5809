// Analysis queries from the store (bench/RESULTS.md "Analysis"), beside bench/isf_peer.py, the pandas + numpy
// operations of ISF's notebook on the same data; bench/analysis_bench.sh runs both in one go.
//
//   WindowPerStimulus18000   ISF's 18,000-trial spike table imported into a store: trials with a spike in
//                            [245, 265) per stimulus (index~^([^_]+)), on the opened dataset, and with the open
//   TracesMeanSd             mean and SD of 2,000 stored soma traces of 65,536 samples (1.05 GB as float64),
//                            streamed from the store (ISF's 2015 traces, tiled: decimal data as ISF writes it)
//   TracesMeanSd1uV          the same traces stored with a declared precision of 1 µV (record.precision)
//   TracesMeanSdFloat32      the same traces rounded to float32 and stored losslessly, as silico's shipped
//                            recipes store theirs (record.precision = "float32")
//   SynapseBinning1000       synapse activations of 1,000 evoked trials of cell 86 binned by cell type, EXC/INH,
//                            soma distance (50 µm) and time (1 ms): the 6 trials of ISF's shipped 2015 simrun,
//                            imported, each replicated into 1,000 stored trials (rows rotated so no two
//                            replicas share a blob)
//   MillionTrials            a dataset of 1,000,000 trials of synthetic spike lists: open the store read-only
//                            and the dataset; a spikes-in-window query grouped by stimulus
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/isf_import.hpp"
#include "silico/analysis/spikes.hpp"
#include "silico/analysis/synapses.hpp"
#include "silico/analysis/traces.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace silico;
using namespace silico::analysis;

const std::string k_data = SILICO_SHARED_DIR "/isf/getting_started/example_data/simulation_data";

fs::path bench_dir() {
    const char* env = std::getenv("SILICO_BENCH_DIR");
    return env && *env ? fs::path(env) : fs::temp_directory_path() / "silico-analysis-bench";
}

store::Store open_reader(const fs::path& dir) {
    auto s = store::Store::open(dir, {.read_only = true});
    if (!s) throw std::runtime_error(s.error().what());
    return std::move(*s);
}

// ----- 18,000 trials
const fs::path& spike_store() {
    static const fs::path dir = [] {
        const fs::path d = bench_dir() / "isf18000";
        if (fs::exists(d / "complete")) return d;  // built by an earlier run of this program
        fs::remove_all(d);
        auto s = store::Store::open(d);
        if (!s) throw std::runtime_error(s.error().what());
        if (auto r = import_isf_spike_times(*s, k_data + "/18000_trials/spike_times.csv", "isf18000"); !r)
            throw std::runtime_error(r.error().what());
        std::ofstream(d / "complete") << "";
        return d;
    }();
    return dir;
}

// query_window over the open 18,000-trial dataset, grouped by one index~REGEX.
void window_18000(benchmark::State& state, const std::string& group_by) {
    auto store = open_reader(spike_store());
    auto d = read_dataset(store, "isf18000");
    const SelectOptions select{{}, {group_by}};
    for (auto _ : state) {
        auto r = query_window(*d, {245, 265}, select);
        benchmark::DoNotOptimize(r->groups.data());
    }
}

void WindowPerStimulus18000(benchmark::State& state) {
    window_18000(state, "index~^([^_]+)");
}
BENCHMARK(WindowPerStimulus18000)->Unit(benchmark::kMillisecond);

// A regex decided only by the end of each index (the run's seed before the trial number): no prefix of a
// row decides its match, so every row runs the regex (selection.cpp's IndexRegex learns nothing).
void WindowPerRunSeed18000(benchmark::State& state) {
    window_18000(state, "index~_(\\d+)/\\d+$");
}
BENCHMARK(WindowPerRunSeed18000)->Unit(benchmark::kMillisecond);

void OpenAndWindowPerStimulus18000(benchmark::State& state) {
    const SelectOptions by_stimulus{{}, {"index~^([^_]+)"}};
    for (auto _ : state) {
        auto store = open_reader(spike_store());
        auto d = read_dataset(store, "isf18000");
        auto r = query_window(*d, {245, 265}, by_stimulus);
        benchmark::DoNotOptimize(r->groups.data());
    }
}
BENCHMARK(OpenAndWindowPerStimulus18000)->Unit(benchmark::kMillisecond);

// ----- 1 GB of traces
constexpr std::size_t k_trace_trials = 2000, k_trace_samples = 65536;

// precision 0: lossless (ISF's decimal text as it is); 0.001: 1 µV, as a recipe's record.precision may declare.
// float32: each value rounded to a float first, as `record.precision = "float32"` (silico's shipped recipes)
// stores a trial's traces, then stored losslessly.
fs::path make_trace_store(const std::string& name, double precision, bool float32 = false) {
    {
        const fs::path d = bench_dir() / name;
        if (fs::exists(d / "complete")) return d;  // built by an earlier run of this program
        fs::remove_all(d);
        auto s = store::Store::open(d, {.sync = false});
        if (!s) throw std::runtime_error(s.error().what());
        auto vm = experiments::read_vm_traces_file(
            k_data +
            "/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240/20240_vm_all_traces.csv");
        if (!vm) throw std::runtime_error(vm.error().what());
        std::vector<double> pool;
        for (const auto& run : vm->runs) pool.insert(pool.end(), run.begin(), run.end());
        std::vector<double> time(k_trace_samples);
        for (std::size_t j = 0; j < k_trace_samples; ++j) time[j] = 0.025 * static_cast<double>(j);
        const std::string time_blob = *store::encode_f64_table({time});
        Dataset::Builder b({"api", "bench traces", ""}, {"stimulus"});
        std::vector<double> v(k_trace_samples);
        for (std::size_t i = 0; i < k_trace_trials; ++i) {
            const std::size_t start = (i * 7919) % pool.size();
            for (std::size_t j = 0; j < k_trace_samples; ++j) v[j] = pool[(start + j) % pool.size()];
            if (float32)
                for (auto& x : v) x = static_cast<double>(static_cast<float>(x));
            const Digest key = sha256("bench trace " + std::to_string(i));
            if (auto c =
                    s->commit_trial(key, {},
                                    {{"time", time_blob},
                                     {"soma.v", *store::encode_f64_table({v}, {.precision = precision})}});
                !c)
                throw std::runtime_error(c.error().what());
            if (auto st = b.add({std::to_string(i),
                                 static_cast<std::int64_t>(i),
                                 {},
                                 key,
                                 {i % 2 ? "B1" : "C2"},
                                 {},
                                 {}});
                !st)
                throw std::runtime_error(st.error().what());
        }
        if (auto st = write_dataset(*s, "traces", *std::move(b).finish()); !st)
            throw std::runtime_error(st.error().what());
        std::ofstream(d / "complete") << "";
        return d;
    }
}

void trace_query(benchmark::State& state, const fs::path& dir) {
    auto store = open_reader(dir);
    auto d = read_dataset(store, "traces");
    std::uint64_t samples = 0;
    for (auto _ : state) {
        auto r = query_traces(store, *d, {}, {{}, {"stimulus"}});
        if (!r) {
            state.SkipWithError(r.error().what().c_str());
            return;
        }
        samples += r->samples;
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(samples * 8));
}

void TracesMeanSd(benchmark::State& state) {
    static const fs::path dir = make_trace_store("traces", 0.0);
    trace_query(state, dir);
}
BENCHMARK(TracesMeanSd)->Unit(benchmark::kMillisecond)->Iterations(1);

void TracesMeanSd1uV(benchmark::State& state) {
    static const fs::path dir = make_trace_store("traces-1uV", 0.001);
    trace_query(state, dir);
}
BENCHMARK(TracesMeanSd1uV)->Unit(benchmark::kMillisecond)->Iterations(1);

void TracesMeanSdFloat32(benchmark::State& state) {
    static const fs::path dir = make_trace_store("traces-float32", 0.0, true);
    trace_query(state, dir);
}
BENCHMARK(TracesMeanSdFloat32)->Unit(benchmark::kMillisecond)->Iterations(1);

// ----- 1,000 evoked trials' synapse activations
constexpr std::size_t k_synapse_trials = 1000;
const std::string k_simrun_2015 =
    k_data + "/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240";

store::NumericArray read_array(const store::Store& s, const store::TrialRecord& record,
                               const std::string& name) {
    auto bytes = s.get_blob(record.outputs.at(name).digest);
    if (!bytes) throw std::runtime_error(bytes.error().what());
    auto a = store::decode_array(*bytes);
    if (!a) throw std::runtime_error(a.error().what());
    return std::move(*a);
}

template <class T>
std::vector<T> rotated(const std::vector<T>& v, std::size_t by) {
    std::vector<T> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = v[(i + by) % v.size()];
    return out;
}

// Replica i of the imported trial i % 6, its synapse rows rotated by i / 6: the same activations in other bytes.
void replicate_synapses(store::Store& s, const Dataset& run, Dataset::Builder& b) {
    for (std::size_t i = 0; i < k_synapse_trials; ++i) {
        const std::size_t j = i % run.size(), by = i / run.size();
        auto record = s.find_trial(run.keys()[j]);
        if (!record) throw std::runtime_error(record.error().what());
        const auto population = read_array(s, *record, "synapse_activation.population").strings;
        const auto distance = read_array(s, *record, "synapse_activation.soma_distance").f64.at(0);
        const auto times = read_array(s, *record, "synapse_activation.times").f64;
        const Digest key = sha256("bench synapses " + std::to_string(i));
        if (auto c = s.commit_trial(
                key, {},
                {{"synapse_activation.population", *store::encode_strings(rotated(population, by))},
                 {"synapse_activation.soma_distance", *store::encode_f64_table({rotated(distance, by)})},
                 {"synapse_activation.times", *store::encode_spike_lists(rotated(times, by))}});
            !c)
            throw std::runtime_error(c.error().what());
        const auto spikes = run.spikes(j);
        if (auto st = b.add({std::string(run.index()[j]) + "/replica" + std::to_string(by),
                             static_cast<std::int64_t>(i),
                             {},
                             key,
                             {},
                             {},
                             {spikes.begin(), spikes.end()}});
            !st)
            throw std::runtime_error(st.error().what());
    }
}

const fs::path& synapse_store() {
    static const fs::path dir = [] {
        const fs::path d = bench_dir() / "synapses1000";
        if (fs::exists(d / "complete")) return d;  // built by an earlier run of this program
        fs::remove_all(d);
        auto s = store::Store::open(d, {.sync = false});
        if (!s) throw std::runtime_error(s.error().what());
        if (auto r = import_isf_simrun(*s, k_simrun_2015, "run2015"); !r)
            throw std::runtime_error(r.error().what());
        auto run = read_dataset(*s, "run2015");
        if (!run) throw std::runtime_error(run.error().what());
        Dataset::Builder b({"api", "2015 simrun x 1000", ""});
        replicate_synapses(*s, *run, b);
        if (auto st = write_dataset(*s, "synapses1000", *std::move(b).finish()); !st)
            throw std::runtime_error(st.error().what());
        std::ofstream(d / "complete") << "";
        return d;
    }();
    return dir;
}

void SynapseBinning1000(benchmark::State& state) {
    auto store = open_reader(synapse_store());
    auto d = read_dataset(store, "synapses1000");
    SynapseOptions options;
    options.by = {SynapseDim::celltype, SynapseDim::ei, SynapseDim::distance, SynapseDim::time};
    std::uint64_t activations = 0, bins = 0;
    for (auto _ : state) {
        auto r = query_synapses(store, *d, options);
        if (!r) {
            state.SkipWithError(r.error().what().c_str());
            return;
        }
        activations = r->activations;
        bins = r->bins.size();
    }
    state.counters["activations"] = static_cast<double>(activations);
    state.counters["bins"] = static_cast<double>(bins);
}
BENCHMARK(SynapseBinning1000)->Unit(benchmark::kMillisecond);

// ----- 1,000,000 trials
const fs::path& million_store() {
    static const fs::path dir = [] {
        const fs::path d = bench_dir() / "million";
        if (fs::exists(d / "complete")) return d;  // built by an earlier run of this program
        fs::remove_all(d);
        auto s = store::Store::open(d, {.sync = false});
        if (!s) throw std::runtime_error(s.error().what());
        std::mt19937_64 rng(42);
        std::uniform_real_distribution<double> when(0.0, 345.0);
        std::poisson_distribution<int> count(1.5);
        static const char* stimuli[] = {"B1", "B2", "B3", "C1", "C2", "C3", "D1", "D2", "D3", "E2"};
        Dataset::Builder b({"api", "synthetic", ""}, {"stimulus"});
        char index[96];
        for (std::size_t i = 0; i < 1'000'000; ++i) {
            const char* stim = stimuli[i % 10];
            std::snprintf(index, sizeof index,
                          "%s_evoked_UpState_INH_PW_1.0_SuW_0.5/20150817-1856_%05zu/%06zu", stim, i / 1000,
                          i % 1000);
            std::vector<double> spikes(static_cast<std::size_t>(count(rng)));
            for (auto& t : spikes) t = std::round(when(rng) * 40.0) / 40.0;  // on the 0.025 ms grid
            std::ranges::sort(spikes);
            if (auto st = b.add(
                    {index, static_cast<std::int64_t>(i % 1000), {}, {}, {stim}, {}, std::move(spikes)});
                !st)
                throw std::runtime_error(st.error().what());
        }
        if (auto st = write_dataset(*s, "million", *std::move(b).finish()); !st)
            throw std::runtime_error(st.error().what());
        std::ofstream(d / "complete") << "";
        return d;
    }();
    return dir;
}

void MillionTrialsOpen(benchmark::State& state) {
    const auto& dir = million_store();
    for (auto _ : state) {
        auto store = open_reader(dir);
        auto d = read_dataset(store, "million");
        benchmark::DoNotOptimize(d->size());
    }
}
BENCHMARK(MillionTrialsOpen)->Unit(benchmark::kMillisecond);

void MillionTrialsWindowByStimulus(benchmark::State& state) {
    auto store = open_reader(million_store());
    auto d = read_dataset(store, "million");
    for (auto _ : state) {
        auto r = query_window(*d, {245, 265}, {{}, {"stimulus"}});
        benchmark::DoNotOptimize(r->groups.data());
    }
}
BENCHMARK(MillionTrialsWindowByStimulus)->Unit(benchmark::kMillisecond);

void MillionTrialsWindowByIndexRegex(benchmark::State& state) {
    auto store = open_reader(million_store());
    auto d = read_dataset(store, "million");
    for (auto _ : state) {
        auto r = query_window(*d, {245, 265}, {{}, {"index~^([^_]+)"}});
        benchmark::DoNotOptimize(r->groups.data());
    }
}
BENCHMARK(MillionTrialsWindowByIndexRegex)->Unit(benchmark::kMillisecond);

}  // namespace

// As silico's main does (runner/src/main.cpp): keep freed decode buffers instead of returning them to the kernel.
int main(int argc, char** argv) {
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
