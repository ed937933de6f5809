// Runner engine benchmarks: what the local executor costs per trial, and how it scales with workers.
//
//   BM_DispatchOverhead: 2000 trivial trials (one SHA-256 of a short string) on one worker, end to end:
//     worker start, hello, one job frame and one result frame per trial over pipes, outcome callback.
//     Counter ms_per_trial is the whole run's wall time divided by the trials (target <= 2 ms).
//   BM_Throughput/W: 24 CPU-bound checksum trials (300,000 chained SHA-256 each) on W workers;
//     compare trials_per_s of W=2 against W=1 (target >= 1.9x on 2 cores). worker_busy is the workers'
//     CPU time over (wall time x W), which tells a runner bottleneck from cores taken by other load.
//   BM_ParallelSleep/W: 24 trials that sleep 250 ms on W workers: the executor's own concurrency.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "silico/runner/executor.hpp"
#include "silico/runner/worker.hpp"

namespace silico::runner {
namespace {

// CPU seconds used by reaped child processes (the workers) so far.
double children_cpu_seconds() {
    rusage usage{};
    ::getrusage(RUSAGE_CHILDREN, &usage);
    auto secs = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return secs(usage.ru_utime) + secs(usage.ru_stime);
}

double run_trials(unsigned workers, std::size_t n, const std::string& model) {
    ExecutorOptions options;
    options.on_event = [](const std::string&) {};
    auto exec = make_local_executor({workers, {SILICO_TEST_WORKER, "worker", "--stdio"}}, options);
    std::vector<Job> jobs{Job{"checksum", model, {}}};
    for (std::size_t i = 0; i < n; ++i)
        jobs[0].trials.push_back({"k" + std::to_string(i), "t" + std::to_string(i)});
    std::size_t ok = 0;
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) { ok += o.ok; });
    if (!summary || ok != n) return -1;
    return summary->seconds;
}

void BM_DispatchOverhead(benchmark::State& state) {
    constexpr std::size_t n = 2000;
    double seconds = 0;
    for (auto _ : state) {
        seconds = run_trials(1, n, "rounds=1");
        if (seconds < 0) state.SkipWithError("trials failed");
        state.SetIterationTime(seconds);
    }
    state.counters["ms_per_trial"] = seconds * 1000.0 / n;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(BM_DispatchOverhead)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_Throughput(benchmark::State& state) {
    constexpr std::size_t n = 24;
    const auto workers = static_cast<unsigned>(state.range(0));
    double seconds = 0, cpu = 0;
    for (auto _ : state) {
        const double cpu_before = children_cpu_seconds();
        seconds = run_trials(workers, n, "rounds=300000");
        cpu = children_cpu_seconds() - cpu_before;
        if (seconds < 0) state.SkipWithError("trials failed");
        state.SetIterationTime(seconds);
    }
    state.counters["trials_per_s"] = static_cast<double>(n) / seconds;
    // Worker CPU time over (wall time x workers): how busy the runner kept its workers. Near 1 means
    // the runner is not the bottleneck; lower values on a loaded machine mean the cores were shared.
    state.counters["worker_busy"] = cpu / (seconds * workers);
}
BENCHMARK(BM_Throughput)->Arg(1)->Arg(2)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

// The same scaling question without competing for CPU: 24 trials that each sleep 250 ms. On a shared
// machine this isolates the executor's own concurrency (dispatch, pipes, callbacks) from the cores
// other processes take; ideal is exactly W times the 1-worker rate.
void BM_ParallelSleep(benchmark::State& state) {
    constexpr std::size_t n = 24;
    const auto workers = static_cast<unsigned>(state.range(0));
    double seconds = 0;
    for (auto _ : state) {
        ExecutorOptions options;
        options.on_event = [](const std::string&) {};
        auto exec = make_local_executor({workers, {SILICO_TEST_WORKER, "worker", "--stdio"}}, options);
        std::vector<Job> jobs{Job{"checksum", "rounds=1", {}}};
        for (std::size_t i = 0; i < n; ++i)
            jobs[0].trials.push_back({"k" + std::to_string(i), "sleep:250:" + std::to_string(i)});
        std::size_t ok = 0;
        auto summary = exec->run(jobs, [&](TrialOutcome&& o) { ok += o.ok; });
        if (!summary || ok != n) state.SkipWithError("trials failed");
        seconds = summary ? summary->seconds : 0;
        state.SetIterationTime(seconds);
    }
    state.counters["trials_per_s"] = static_cast<double>(n) / seconds;
}
BENCHMARK(BM_ParallelSleep)->Arg(1)->Arg(2)->UseManualTime()->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace silico::runner

BENCHMARK_MAIN();
