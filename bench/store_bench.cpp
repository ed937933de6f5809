// Store benchmarks (issue 2): trial lookup among 100,000 records, commit of a trial with 1 MB of arrays,
// blob read throughput, and compression ratios of the numeric array encoding on ISF's real traces.
// Results and the command line: bench/RESULTS.md, "## Store".
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "silico/store/array.hpp"
#include "silico/store/store.hpp"
#include "numeric_columns.hpp"

namespace {

using namespace silico;
using namespace silico::store;

constexpr int k_records = 100000;

std::filesystem::path bench_dir(const std::string& name) {
    static const std::filesystem::path root = [] {
        std::string tmpl = (std::filesystem::temp_directory_path() / "silico-store-bench-XXXXXX").string();
        return std::filesystem::path(mkdtemp(tmpl.data()));
    }();
    return root / name;
}

Digest key_of(int i) {
    return sha256("bench trial " + std::to_string(i));
}

// 100,000 complete trials, each with a small output and a seed; reopened so lookups hit SST files
// (with their bloom filters) and not only the memtable.
Store& lookup_store() {
    static Store store = [] {
        const auto dir = bench_dir("lookup");
        {
            auto writer = Store::open(dir, {.sync = false});
            if (!writer) std::abort();
            for (int i = 0; i < k_records; ++i) {
                TrialRecord r;
                fill_provenance(r);
                r.seed = static_cast<std::uint64_t>(i);
                if (!writer->commit_trial(key_of(i), r, {{"spikes", std::to_string(i)}})) std::abort();
            }
        }
        auto reopened = Store::open(dir);
        if (!reopened) std::abort();
        return std::move(*reopened);
    }();
    return store;
}

void BM_ContainsPresentKey(benchmark::State& state) {
    Store& store = lookup_store();
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> pick(0, k_records - 1);
    std::vector<Digest> keys;
    for (int i = 0; i < 4096; ++i) keys.push_back(key_of(pick(rng)));
    std::size_t i = 0;
    for (auto _ : state) {
        auto hit = store.contains(keys[i++ & 4095]);
        if (!hit || !*hit) state.SkipWithError("present key not found");
        benchmark::DoNotOptimize(hit);
    }
}
BENCHMARK(BM_ContainsPresentKey);

void BM_ContainsAbsentKey(benchmark::State& state) {
    Store& store = lookup_store();
    std::vector<Digest> keys;
    for (int i = 0; i < 4096; ++i) keys.push_back(key_of(k_records + i));
    std::size_t i = 0;
    for (auto _ : state) {
        auto hit = store.contains(keys[i++ & 4095]);
        if (!hit || *hit) state.SkipWithError("absent key found");
        benchmark::DoNotOptimize(hit);
    }
}
BENCHMARK(BM_ContainsAbsentKey);

void BM_FindTrialPresent(benchmark::State& state) {
    Store& store = lookup_store();
    std::size_t i = 0;
    for (auto _ : state) {
        auto record = store.find_trial(key_of(static_cast<int>(i++ % k_records)));
        if (!record) state.SkipWithError("record not found");
        benchmark::DoNotOptimize(record);
    }
}
BENCHMARK(BM_FindTrialPresent);

// Four smooth full-precision traces of 32,768 samples: 1 MiB of float64.
std::vector<std::vector<double>> one_mb_of_traces(std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.05);
    std::vector<std::vector<double>> columns(4, std::vector<double>(32768));
    for (auto& column : columns) {
        double v = -65.0, dv = 0.0;
        for (auto& x : column) {
            dv = 0.95 * dv + noise(rng);
            x = (v += dv);
        }
    }
    return columns;
}

void BM_EncodeArrays1MB(benchmark::State& state) {
    const auto columns = one_mb_of_traces(1);
    for (auto _ : state) {
        auto bytes = encode_f64_table(columns);
        benchmark::DoNotOptimize(bytes);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * (1 << 20));
}
BENCHMARK(BM_EncodeArrays1MB)->Unit(benchmark::kMillisecond);

// A synced commit of a new trial whose outputs are 1 MiB of float64 (encoded losslessly beforehand):
// hashing, zstd, one WriteBatch, fsync.
void BM_CommitTrialWith1MBOfArrays(benchmark::State& state) {
    static auto store = Store::open(bench_dir("commit"));
    if (!store) return state.SkipWithError(store.error().what().c_str());
    auto columns = one_mb_of_traces(2);
    static int n = 0;
    for (auto _ : state) {
        state.PauseTiming();
        columns[0][0] = static_cast<double>(++n);  // a new blob each time, so nothing is deduplicated
        std::vector<NamedBlob> outputs = {{"soma.v", *encode_f64_table({columns[0], columns[1]})},
                                          {"dend.v", *encode_f64_table({columns[2], columns[3]})}};
        state.ResumeTiming();
        auto committed = store->commit_trial(sha256("commit " + std::to_string(n)), {}, outputs);
        if (!committed) state.SkipWithError(committed.error().what().c_str());
    }
}
BENCHMARK(BM_CommitTrialWith1MBOfArrays)->Unit(benchmark::kMillisecond)->UseRealTime();

// get_blob of a 1 MiB blob: RocksDB read, zstd decode, SHA-256 verification.
void BM_BlobReadVerified1MB(benchmark::State& state) {
    static auto store = Store::open(bench_dir("read"));
    if (!store) return state.SkipWithError(store.error().what().c_str());
    const auto columns = one_mb_of_traces(3);
    std::string raw;
    for (const auto& c : columns)
        raw.append(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(double));
    const auto ref = store->put_blob(raw);
    for (auto _ : state) {
        auto bytes = store->get_blob(ref->digest);
        if (!bytes) state.SkipWithError("read failed");
        benchmark::DoNotOptimize(bytes);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size()));
}
BENCHMARK(BM_BlobReadVerified1MB)->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------- compression on ISF's traces

const std::string k_data =
    std::string(SILICO_SHARED_DIR) + "/isf/getting_started/example_data/simulation_data/";

using silico::testing_support::read_numeric_columns;
std::vector<std::vector<double>> read_columns(const std::string& path) { return read_numeric_columns(path); }

// Ratios against raw float64 (8 bytes a value) for: plain zstd of the float64 bytes, silico lossless,
// silico at 1 uV (values in mV); over every column of the file, time included.
void BM_CompressionRatio(benchmark::State& state, const std::string& file) {
    const auto columns = read_columns(k_data + file);
    std::string raw;
    for (const auto& c : columns)
        raw.append(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(double));
    std::string zstd_frame(ZSTD_compressBound(raw.size()), '\0');
    std::size_t plain = 0, lossless = 0, quantised = 0;
    for (auto _ : state) {
        plain = ZSTD_compress(zstd_frame.data(), zstd_frame.size(), raw.data(), raw.size(), 3);
        lossless = encode_f64_table(columns)->size();
        quantised = encode_f64_table(columns, {.precision = 0.001})->size();
    }
    const double n = static_cast<double>(raw.size());
    state.counters["values"] = static_cast<double>(raw.size() / 8);
    state.counters["plain_zstd_x"] = n / static_cast<double>(plain);
    state.counters["lossless_x"] = n / static_cast<double>(lossless);
    state.counters["q1uV_x"] = n / static_cast<double>(quantised);
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * raw.size() * 2));
}
BENCHMARK_CAPTURE(
    BM_CompressionRatio, vm_all_traces_20240,
    std::string("C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/20150815-1530_20240/20240_vm_all_traces.csv"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CompressionRatio, step_current_0_619,
                  std::string("voltage_traces/step_current_0.619.csv"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CompressionRatio, step_current_0_793,
                  std::string("voltage_traces/step_current_0.793.csv"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CompressionRatio, step_current_1_507,
                  std::string("voltage_traces/step_current_1.507.csv"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_CompressionRatio, step_rect5_1_9, std::string("voltage_traces/step_rect5_1.9.csv"))
    ->Unit(benchmark::kMillisecond);

// The same for synthetic full-precision traces (what NEURON writes, not a decimal CSV).
void BM_CompressionRatioFullPrecision(benchmark::State& state) {
    const auto columns = one_mb_of_traces(4);
    std::string raw;
    for (const auto& c : columns)
        raw.append(reinterpret_cast<const char*>(c.data()), c.size() * sizeof(double));
    std::string zstd_frame(ZSTD_compressBound(raw.size()), '\0');
    std::size_t plain = 0, lossless = 0, quantised = 0;
    for (auto _ : state) {
        plain = ZSTD_compress(zstd_frame.data(), zstd_frame.size(), raw.data(), raw.size(), 3);
        lossless = encode_f64_table(columns)->size();
        quantised = encode_f64_table(columns, {.precision = 0.001})->size();
    }
    const double n = static_cast<double>(raw.size());
    state.counters["plain_zstd_x"] = n / static_cast<double>(plain);
    state.counters["lossless_x"] = n / static_cast<double>(lossless);
    state.counters["q1uV_x"] = n / static_cast<double>(quantised);
}
BENCHMARK(BM_CompressionRatioFullPrecision)->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    std::error_code ec;
    std::filesystem::remove_all(bench_dir("").parent_path(), ec);
    return 0;
}
