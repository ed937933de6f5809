// Lab cache benchmarks (issue 15, docs/sharing.md): pull throughput over loopback for 1,000 cached trials,
// with and without TLS, and the server's requests per second under 32 concurrent clients. The server is
// `silico serve`'s (sharing::serve) on a thread of this process; the clients are silico's own (transfer.hpp).
// The trials are synthetic evoked trials of realistic size (the outputs of docs/recipes.md "What a trial
// stores": a 245 ms soma trace at dt 0.025, spikes, ~1,500 active synapses with their release times and
// ~3,000 presynaptic cells with spikes), encoded as the store encodes them. Results: bench/RESULTS.md,
// "## Sharing".
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "in_process_cache.hpp"
#include "silico/sharing/transfer.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"

namespace {

using namespace silico;
namespace fs = std::filesystem;

constexpr int k_trials = 1000;
constexpr int k_samples = 9801;  // 245 ms at dt 0.025, plus t = 0

fs::path bench_root() {
    static const fs::path root = [] {
        std::string tmpl = (fs::temp_directory_path() / "silico-sharing-bench-XXXXXX").string();
        return fs::path(mkdtemp(tmpl.data()));
    }();
    return root;
}

// An empty store in a new folder below bench_root(), closed and removed with this object: what each iteration
// pulls or commits into. Opened and removed outside the timed part (`state` paused).
class FreshStore {
  public:
    FreshStore(benchmark::State& state, const std::string& name, bool sync) : m_state(state) {
        m_state.PauseTiming();
        m_dir = bench_root() / name;
        m_store.emplace(std::move(*store::Store::open(m_dir, {.sync = sync})));
        m_state.ResumeTiming();
    }
    ~FreshStore() {
        m_state.PauseTiming();
        m_store.reset();
        fs::remove_all(m_dir);
        m_state.ResumeTiming();
    }
    store::Store& operator*() { return *m_store; }
    store::Store* operator->() { return &*m_store; }

  private:
    benchmark::State& m_state;
    fs::path m_dir;
    std::optional<store::Store> m_store;
};

Digest key_of(int i) {
    return sha256("sharing bench trial " + std::to_string(i));
}

store::TrialRecord expected_of(int i) {
    store::TrialRecord r;
    r.seed = 1000 + static_cast<std::uint64_t>(i);
    r.sweep = static_cast<std::uint64_t>(i);
    r.condition = sha256("sharing bench condition");
    return r;
}

// One synthetic evoked trial: membrane potential with synaptic noise and a few spikes, and the input tables.
std::vector<store::NamedBlob> evoked_outputs(int i) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(i));
    std::normal_distribution<double> noise(0.0, 0.3);
    std::vector<double> t(k_samples), v(k_samples);
    double vm = -75.0;
    for (int s = 0; s < k_samples; ++s) {
        t[static_cast<std::size_t>(s)] = s * 0.025;
        vm += 0.02 * (-75.0 - vm) + noise(rng);
        v[static_cast<std::size_t>(s)] = vm + (s % 2500 > 2480 ? 80.0 : 0.0);
    }
    std::uniform_real_distribution<double> when(0.0, 245.0);
    std::vector<std::vector<double>> releases(1500), presynaptic(3000);
    for (auto& l : releases) l = {when(rng), when(rng)};
    for (auto& l : presynaptic) l = {when(rng)};
    std::vector<std::int64_t> ids(1500), sections(1500), points(1500);
    std::vector<double> distance(1500);
    for (std::size_t s = 0; s < 1500; ++s) {
        ids[s] = static_cast<std::int64_t>(s * 7);
        sections[s] = static_cast<std::int64_t>(rng() % 200);
        points[s] = static_cast<std::int64_t>(rng() % 30);
        distance[s] = std::round(when(rng) * 4e3) / 1e3;
    }
    return {{"time", *store::encode_f64_table({t})},
            {"soma.v", *store::encode_f64_table({v})},
            {"spikes", *store::encode_spike_lists({{50.0 + i % 7, 112.5, 175.0}})},
            {"synapse_activation.ids", *store::encode_i64_table({ids, sections, points})},
            {"synapse_activation.soma_distance", *store::encode_f64_table({distance})},
            {"synapse_activation.times", *store::encode_spike_lists(releases)},
            {"presynaptic_spikes.times", *store::encode_spike_lists(presynaptic)}};
}

// The cache's store with the 1,000 trials, its server (plain and TLS) and the bytes per trial.
struct Cache {
    std::optional<store::Store> store;
    std::optional<testing_support::InProcessCache> plain, tls;
    fs::path cert;
    double bytes_per_trial = 0;
};

Cache* g_cache = nullptr;  // set once cache() built it, so main can stop its servers

Cache& cache() {
    static Cache out;  // filled in place: the servers cannot move
    static const bool ready = [] {
        const fs::path root = bench_root();
        out.store.emplace(std::move(*store::Store::open(root / "cache", {.sync = false})));
        std::uint64_t bytes = 0;
        for (int i = 0; i < k_trials; ++i) {
            auto outputs = evoked_outputs(i);
            for (const auto& o : outputs) bytes += o.bytes.size();
            (void)out.store->commit_trial(key_of(i), expected_of(i), outputs);
        }
        out.bytes_per_trial = static_cast<double>(bytes) / k_trials;
        out.cert = root / "cert.pem";
        const std::string cmd =
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
            "subjectAltName=IP:127.0.0.1 -keyout " +
            (root / "key.pem").string() + " -out " + out.cert.string() + " 2>/dev/null";
        if (std::system(cmd.c_str()) != 0) std::abort();
        out.plain.emplace(*out.store, sharing::ServerOptions{});
        out.tls.emplace(*out.store,
                        sharing::ServerOptions{.tls_cert = out.cert, .tls_key = root / "key.pem"});
        g_cache = &out;
        return true;
    }();
    (void)ready;
    return out;
}

// Pulls all 1,000 trials into a fresh store, verified as `silico pull RECIPE` does. range(0): TLS; range(1):
// connections; range(2): the store's fsync per commit (1, as a real pull) or not.
void BM_Pull1000Trials(benchmark::State& state) {
    Cache& c = cache();
    const bool tls = state.range(0) != 0;
    sharing::RemoteOptions remote{.url = tls ? c.tls->url("https") : c.plain->url(), .ca_file = c.cert};
    std::vector<sharing::WantedTrial> wanted;
    for (int i = 0; i < k_trials; ++i) wanted.push_back({key_of(i), expected_of(i)});
    int round = 0;
    for (auto _ : state) {
        FreshStore b(state, "b" + std::to_string(round++), state.range(2) != 0);
        auto pulled =
            sharing::pull_trials(*b, remote, wanted, {.connections = static_cast<unsigned>(state.range(1))});
        if (!pulled || pulled->pulled != k_trials) {
            state.SkipWithError("the pull did not take every trial");
            return;
        }
    }
    state.counters["trials/s"] = benchmark::Counter(k_trials, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["MB/s"] =
        benchmark::Counter(c.bytes_per_trial * k_trials / 1e6, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["KB/trial"] = c.bytes_per_trial / 1e3;
}
BENCHMARK(BM_Pull1000Trials)
    ->ArgNames({"tls", "connections", "fsync"})
    ->Args({0, 4, 1})
    ->Args({1, 4, 1})
    ->Args({0, 4, 0})
    ->Args({1, 4, 0})
    ->Args({0, 1, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// The store's side of a pull alone, no network: the 1,000 trials, as a pull hands them over (verified bytes
// and the cache's zstd frames), committed to a fresh store in groups of 16 (commit_verified_trials, one
// WriteBatch per group) by one thread. range(0): fsync per group (as a pull) or not. With fsync this is the
// disk's rate of synced group writes, which bounds a pull's trials/s at 16 times it.
void BM_CommitPulledTrialsInGroupsOf16(benchmark::State& state) {
    Cache& c = cache();
    static const std::vector<store::VerifiedTrial> trials = [&c] {
        std::vector<store::VerifiedTrial> out;
        for (int i = 0; i < k_trials; ++i) {
            store::VerifiedTrial t{key_of(i), *c.store->find_trial(key_of(i)), {}, {}};
            for (const auto& [name, ref] : t.record.outputs) {
                if (i > 0 && name == "time") continue;  // shared: given once, as a pull does
                t.blobs.emplace_back(ref.digest, *c.store->get_blob(ref.digest));
                t.frames.emplace(ref.digest, **c.store->get_blob_frame(ref.digest));
            }
            out.push_back(std::move(t));
        }
        return out;
    }();
    int round = 0;
    for (auto _ : state) {
        FreshStore b(state, "c" + std::to_string(round++), state.range(0) != 0);
        state.PauseTiming();
        std::vector<std::vector<store::VerifiedTrial>> groups;
        for (std::size_t i = 0; i < trials.size(); i += 16)
            groups.emplace_back(
                trials.begin() + static_cast<std::ptrdiff_t>(i),
                trials.begin() + static_cast<std::ptrdiff_t>(std::min(i + 16, trials.size())));
        state.ResumeTiming();
        for (auto& g : groups)
            if (auto done = b->commit_verified_trials(std::move(g)); !done) {
                state.SkipWithError("a commit failed");
                return;
            }
    }
    state.counters["trials/s"] = benchmark::Counter(k_trials, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["groups/s"] =
        benchmark::Counter((k_trials + 15) / 16, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_CommitPulledTrialsInGroupsOf16)
    ->ArgName("fsync")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// 32 clients, each on its own kept-alive connection, GET a trial record in a loop (a cache hit's first
// request): the server's requests per second.
void BM_ServerRequests32Clients(benchmark::State& state) {
    Cache& c = cache();
    constexpr int k_clients = 32, k_requests = 200;
    const bool tls = state.range(0) != 0;
    for (auto _ : state) {
        std::vector<std::thread> clients;
        std::atomic<int> failures{0};
        for (int t = 0; t < k_clients; ++t)
            clients.emplace_back([&, t] {
                auto r = sharing::open_remote(
                    {.url = tls ? c.tls->url("https") : c.plain->url(), .ca_file = c.cert});
                for (int i = 0; i < k_requests; ++i) {
                    auto got = (*r)->get(sharing::Area::ac, key_of((t * k_requests + i) % k_trials));
                    if (!got || !*got) ++failures;
                }
            });
        for (auto& t : clients) t.join();
        if (failures > 0) state.SkipWithError("a request failed");
    }
    state.counters["requests/s"] =
        benchmark::Counter(k_clients * k_requests, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_ServerRequests32Clients)
    ->ArgName("tls")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

}  // namespace

// The servers are stopped before static destruction: their last log line must not reach a logger spdlog has
// already destroyed (which crashed the benchmark at exit).
int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (g_cache) {
        g_cache->tls.reset();
        g_cache->plain.reset();
        g_cache->store.reset();
        fs::remove_all(bench_root());
    }
    return 0;
}
