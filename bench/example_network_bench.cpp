// The example cell (680 segments) with its synthetic network (3,020 synapses, recipes/examples/cells/): one
// 345 ms evoked trial (fixed dt 0.025, soma Vm recorded), and the same cell with no synaptic input, to split
// the cost between the cell and the synapses. Results: bench/RESULTS.md, "Example network".
// Run with --benchmark_repetitions=5.
#include <benchmark/benchmark.h>

#include <ctime>
#include <memory>

#include "silico/model/activity.hpp"
#include "silico/model/synapse_sites.hpp"
#include "silico/neuron/neuron_cell.hpp"
#include "silico/neuron/recording.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"
#include "silico/neuron/synapse_pools.hpp"

namespace {

namespace ex = silico::experiments;

const std::string k_cells = SILICO_SOURCE_DIR "/recipes/examples/cells";

// Process CPU seconds: the VM is shared, so wall time is inflated by load; everything runs on one thread.
double cpu_now() {
    return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

// The example cell and its network in NEURON, built once per process.
struct Model {
    ex::Simulator* simulator = nullptr;
    std::unique_ptr<ex::NeuronCell> cell;
    ex::PreparedNetwork network;
    ex::SynapseSites sites;
    std::unique_ptr<ex::SynapsePools> model;
    std::unique_ptr<ex::Stimulus> protocol;
    std::string error;
};

Model& model() {
    static Model* m = [] {
        auto* made = new Model;  // never destroyed: NEURON objects outlive static destruction
        auto fail = [&](const silico::Error& e) {
            made->error = e.what();
            return made;
        };
        auto sim = ex::Simulator::instance();
        if (!sim) return fail(sim.error());
        made->simulator = *sim;
        auto p = ex::read_cell_parameters(k_cells + "/l5pt_example.param");
        if (!p) return fail(p.error());
        auto cell_model = ex::build_cell_model(*p);
        if (!cell_model) return fail(cell_model.error());
        auto cell = ex::NeuronCell::instantiate(*made->simulator, *cell_model);
        if (!cell) return fail(cell.error());
        made->cell = std::make_unique<ex::NeuronCell>(std::move(*cell));
        auto net = ex::read_network_param(k_cells + "/l5pt_example_network.param");
        if (!net) return fail(net.error());
        auto prepared = ex::prepare_network(std::move(*net));
        if (!prepared) return fail(prepared.error());
        made->network = std::move(*prepared);
        auto syn = ex::read_syn_file(k_cells + "/l5pt_example.syn");
        if (!syn) return fail(syn.error());
        auto sites = ex::place_synapses(made->cell->model(), made->network, *syn);
        if (!sites) return fail(sites.error());
        made->sites = std::move(*sites);
        auto nm = ex::SynapsePools::create(*made->simulator, *made->cell, made->network);
        if (!nm) return fail(nm.error());
        made->model = std::make_unique<ex::SynapsePools>(std::move(*nm));
        ex::StimulusSpec spec;
        spec.integration.dt = 0.025;
        spec.integration.tstop = 345.0;
        spec.integration.v_init = p->sim.v_init.value_or(-75.0);
        spec.integration.celsius = p->sim.temperature.value_or(34.0);
        spec.probes.push_back({"soma.v", {made->cell->hoc_name(made->cell->model().soma_id()), 0.5}, "v"});
        auto protocol = ex::Stimulus::install(*made->simulator, spec);
        if (!protocol) return fail(protocol.error());
        made->protocol = std::make_unique<ex::Stimulus>(std::move(*protocol));
        return made;
    }();
    return *m;
}

// One trial: activity (independent mode) + loading it into NEURON + the simulation. `with_input` false plays
// no synapse at all (an empty activity; run first, no synapse point process exists yet).
void run_trials(benchmark::State& state, bool with_input) {
    auto& m = model();
    if (!m.protocol) return state.SkipWithError(m.error.c_str());
    double activity_s = 0, simulate_s = 0, synapses = 0, spikes = 0;
    std::uint64_t seed = 1;
    for (auto _ : state) {
        double t0 = cpu_now();
        ex::TrialActivity activity;
        if (with_input) {
            auto a = ex::generate_activity_independent(m.network, seed++);
            if (!a) return state.SkipWithError(a.error().what().c_str());
            activity = std::move(*a);
            if (auto r = m.model->reserve(ex::SynapsePools::slots_needed(m.network, activity)); !r)
                return state.SkipWithError(r.error().what().c_str());
        } else {
            activity.cell_begin.assign(m.network.parameters.populations.size() + 1, 0);
            activity.spike_begin = {0};
        }
        if (auto s = m.model->load(activity, m.sites); !s)
            return state.SkipWithError(s.error().what().c_str());
        activity_s += cpu_now() - t0;
        t0 = cpu_now();
        auto run = m.protocol->run();
        if (!run) return state.SkipWithError(run.error().what().c_str());
        simulate_s += cpu_now() - t0;
        synapses += static_cast<double>(activity.synapses.size());
        spikes += static_cast<double>(ex::detect_spikes(run->time, run->find("soma.v")->values).size());
    }
    const double n = static_cast<double>(state.iterations());
    state.counters["activity_load_cpu_s"] = activity_s / n;
    state.counters["simulate_cpu_s"] = simulate_s / n;
    state.counters["active_synapses"] = synapses / n;
    state.counters["spikes"] = spikes / n;
}

// First: before any trial has created the synapse pools, so the cell alone is measured.
void BM_ExampleCellWithoutInput(benchmark::State& state) {
    run_trials(state, false);
}
BENCHMARK(BM_ExampleCellWithoutInput)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_ExampleEvokedTrial(benchmark::State& state) {
    run_trials(state, true);
}
BENCHMARK(BM_ExampleEvokedTrial)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
