// Costs of the embedded NEURON layer: interpreter start-up, integration per step of a 1000-compartment
// cable (passive, and with silico's NaTa_t + SKv3_1 channels), and moving spike-time Vectors into NEURON.
//
//   build/bench/neuron_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"

namespace {

using silico::experiments::Simulator;
using silico::experiments::Stimulus;
using silico::experiments::StimulusSpec;

Simulator& simulator() {
    auto sim = Simulator::instance();
    if (!sim) std::abort();
    return **sim;
}

void hoc(const std::string& code) {
    if (!simulator().hoc(code)) std::abort();
}

// NEURON can start only once per process, so each iteration starts it in a fresh child process and the
// child reports how long Simulator::instance() took. Registered first: the parent must not have started it.
void BM_NeuronInit(benchmark::State& state) {
    for (auto _ : state) {
        int fds[2];
        if (pipe(fds) != 0) std::abort();
        const pid_t child = fork();
        if (child == 0) {
            const auto start = std::chrono::steady_clock::now();
            const bool ok = Simulator::instance().has_value();
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const ssize_t written = write(fds[1], &seconds, sizeof seconds);
            _exit(ok && written == sizeof seconds ? 0 : 1);
        }
        double seconds = 0;
        const ssize_t got = read(fds[0], &seconds, sizeof seconds);
        int status = 0;
        waitpid(child, &status, 0);
        close(fds[0]);
        close(fds[1]);
        if (got != sizeof seconds || status != 0) state.SkipWithError("child failed to start NEURON");
        state.SetIterationTime(seconds);
    }
}
BENCHMARK(BM_NeuronInit)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(20);

// One trivial hoc statement: the fixed cost of Simulator::hoc() (parsing plus capturing hoc's output).
void BM_HocStatement(benchmark::State& state) {
    Simulator& sim = simulator();
    for (auto _ : state)
        if (!sim.hoc("{silico_bench_x = 1}")) state.SkipWithError("hoc failed");
}
BENCHMARK(BM_HocStatement)->Unit(benchmark::kMicrosecond);

// A 10 mm cable in 1000 segments, driven at one end; arg 1 adds HH-like channels (NaTa_t + SKv3_1).
void BM_CableRun(benchmark::State& state) {
    const bool active = state.range(0) != 0;
    hoc("{forall delete_section()}\n{create cable}\n"
        "{cable {L = 10000  diam = 2  nseg = 1000  Ra = 100  cm = 1  insert pas  g_pas = 1e-4  e_pas = "
        "-75}}");
    if (active)
        hoc("{cable {insert NaTa_t  gNaTa_tbar_NaTa_t = 0.4  insert SKv3_1  gSKv3_1bar_SKv3_1 = 0.4  ena = "
            "50  "
            "ek = -85}}");
    StimulusSpec spec;
    spec.integration.tstop = 100;  // 4000 steps at dt 0.025
    spec.clamps.push_back({{"cable", 0.0}, 10.0, 80.0, 0.5});
    spec.probes.push_back({"v0", {"cable", 0.0}, "v"});
    spec.probes.push_back({"v1", {"cable", 1.0}, "v"});
    auto protocol = Stimulus::install(simulator(), spec);
    if (!protocol) {
        state.SkipWithError(protocol.error().what().c_str());
        return;
    }
    double neuron = 0, total = 0;
    std::size_t steps = 0;
    for (auto _ : state) {
        const auto start = std::chrono::steady_clock::now();
        auto result = protocol->run();
        total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!result) {
            state.SkipWithError(result.error().what().c_str());
            return;
        }
        neuron += result->neuron_seconds;
        steps += result->steps;
        benchmark::DoNotOptimize(result->traces);
    }
    state.counters["ns_per_step"] = 1e9 * neuron / static_cast<double>(steps);
    state.counters["ns_per_segment_step"] = 1e9 * neuron / static_cast<double>(steps) / 1000.0;
    state.counters["silico_share_pct"] = 100.0 * (total - neuron) / total;
}
BENCHMARK(BM_CableRun)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// 10 000 VecStims playing Vectors of ~15 spike times each: the per-trial cost of handing C++-generated
// spike trains to NEURON.
void BM_WriteEventVectors(benchmark::State& state) {
    constexpr int k_count = 10000;
    hoc("objref silico_bench_times[" + std::to_string(k_count) + "], silico_bench_stims[" +
        std::to_string(k_count) + "]");
    hoc("{for i = 0, " + std::to_string(k_count - 1) +
        " { silico_bench_times[i] = new Vector()  silico_bench_stims[i] = new VecStim()  "
        "silico_bench_stims[i].play(silico_bench_times[i]) }}");
    std::mt19937_64 rng(42);
    std::exponential_distribution<double> interval(1.0 / 20.0);
    std::vector<std::vector<double>> trains(k_count);
    std::size_t events = 0;
    for (auto& train : trains) {
        for (double t = interval(rng); t < 300.0; t += interval(rng)) train.push_back(t);
        events += train.size();
    }
    std::vector<std::string> names;
    for (int i = 0; i < k_count; ++i) names.push_back("silico_bench_times[" + std::to_string(i) + "]");
    Simulator& sim = simulator();
    for (auto _ : state)
        for (int i = 0; i < k_count; ++i)
            if (!sim.write_vector(names[static_cast<std::size_t>(i)], trains[static_cast<std::size_t>(i)]))
                state.SkipWithError("write_vector failed");
    state.counters["events"] = static_cast<double>(events);
    state.counters["vectors"] = k_count;
}
BENCHMARK(BM_WriteEventVectors)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
