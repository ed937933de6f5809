// Synaptic input in NEURON on cell 86 (24,780 synapses, ISF's example network): network set-up and one 300 ms
// evoked trial (tStop 345 ms, fixed dt 0.025), recording soma Vm and the synapse activation table; and the
// per-trial encoding and decoding of such a trial's request. Results: bench/RESULTS.md, "Synaptic input".
// Run with --benchmark_repetitions=5.
//
// BM_Floor_*: NEURON's own cost per compartment-step (CPU ns of fadvance per step / compartments), exact mode
// (implicit Euler, dt 0.025) and fast mode (secondorder 2, dt 0.1): a passive 1000-compartment cable, cell 86
// without synapses, and cell 86 with one evoked trial's synapses (bench/RESULTS.md, "NEURON's floor"):
//   build/bench/replay_bench --benchmark_filter=Floor --benchmark_repetitions=3
#include <benchmark/benchmark.h>

#include <ctime>
#include <memory>

#include "silico/model/activity.hpp"
#include "silico/model/simrun_rows.hpp"
#include "silico/model/synapse_sites.hpp"
#include "silico/neuron/neuron_cell.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"
#include "silico/neuron/synapse_pools.hpp"
#include "silico/recipes/isf_param.hpp"
#include "silico/trial/trial_runner.hpp"

namespace {

namespace ex = silico::experiments;
namespace recipes = silico::recipes;

const std::string k_data = SILICO_SHARED_DIR "/isf/getting_started/example_data";
const std::string k_param = k_data + "/biophysical_constraints/86_C2_center.param.TEMPLATE";
const std::string k_network = k_data + "/functional_constraints/network.param.TEMPLATE";
const std::string k_syn =
    k_data + "/anatomical_constraints/example_embedding_86_C2_center/example_embedding_86_C2_center.syn";
const silico::recipes::PathMap k_paths{{"IN_SILICO_FRAMEWORK_DIR", SILICO_SHARED_DIR "/isf"}};

// Process CPU seconds: the VM is shared with other engineers' builds, so wall time is inflated by load;
// everything here runs on one thread.
double cpu_now() {
    return static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

// The cell in NEURON, built once per process (cell_bench measures that).
struct Cell {
    ex::Simulator* simulator = nullptr;
    std::unique_ptr<ex::NeuronCell> cell;
};

Cell& cell_86() {
    static Cell* c = [] {
        auto* made = new Cell;
        auto sim = ex::Simulator::instance();
        if (!sim) return made;
        made->simulator = *sim;
        auto p = ex::read_cell_parameters(k_param, k_paths);
        if (!p) return made;
        auto model = ex::build_cell_model(*p);
        if (!model) return made;
        auto cell = ex::NeuronCell::instantiate(*made->simulator, *model);
        if (cell) made->cell = std::make_unique<ex::NeuronCell>(std::move(*cell));
        return made;
    }();
    return *c;
}

// Total compartments (segments) of every section in NEURON.
double compartments(ex::Simulator& sim) {
    if (!sim.hoc("{silico_nseg_ = 0  forall silico_nseg_ += nseg}")) return 0;
    auto n = sim.eval("silico_nseg_");
    return n ? *n : 0;
}

// The integration of the two modes a recipe can ask for (docs/recipes.md, "Fast mode").
ex::Integration floor_integration(bool fast, double tstop) {
    ex::Integration run;
    run.tstop = tstop;
    run.dt = fast ? 0.1 : 0.025;
    run.secondorder = fast ? 2 : 0;
    return run;
}

// Runs `spec` once per iteration and reports CPU ns per step and per compartment-step. CPU time, since the
// machine is shared; Stimulus::run's time outside NEURON (copying two traces out) is < 1 % (RESULTS.md).
void floor_runs(benchmark::State& state, ex::Simulator& sim, ex::StimulusSpec spec) {
    const double n = compartments(sim);
    auto protocol = ex::Stimulus::install(sim, std::move(spec));
    if (!protocol) return state.SkipWithError(protocol.error().what().c_str());
    double cpu = 0;
    std::size_t steps = 0;
    for (auto _ : state) {
        const double t0 = cpu_now();
        auto run = protocol->run();
        cpu += cpu_now() - t0;
        if (!run) return state.SkipWithError(run.error().what().c_str());
        steps += run->steps;
    }
    state.counters["compartments"] = n;
    state.counters["ns_per_step"] = 1e9 * cpu / static_cast<double>(steps);
    state.counters["ns_per_compartment_step"] = 1e9 * cpu / static_cast<double>(steps) / n;
}

// A 10 mm passive cable in 1000 compartments, alone in NEURON (registered before anything builds cell 86).
void BM_Floor_PassiveCable(benchmark::State& state) {
    auto sim = ex::Simulator::instance();
    if (!sim) return state.SkipWithError("NEURON did not start");
    if (!(*sim)->hoc(
            "{create silico_cable_}\n{silico_cable_ {L = 10000  diam = 2  nseg = 1000  Ra = 100  cm = 1  "
            "insert pas  g_pas = 1e-4  e_pas = -75}}"))
        return state.SkipWithError("cable not created");
    ex::StimulusSpec spec;
    spec.integration = floor_integration(state.range(0) != 0, 300.0);
    spec.probes.push_back({"v", {"silico_cable_", 0.5}, "v"});
    floor_runs(state, **sim, std::move(spec));
    if (!(*sim)->hoc("{silico_cable_ delete_section()}")) state.SkipWithError("cable not deleted");
}
BENCHMARK(BM_Floor_PassiveCable)
    ->ArgName("fast")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// Cell 86 at rest: its channels and calcium dynamics, no synapse in NEURON yet.
void BM_Floor_Cell86(benchmark::State& state) {
    auto& c = cell_86();
    if (!c.cell) return state.SkipWithError("cell 86 could not be built");
    ex::StimulusSpec spec;
    spec.integration = floor_integration(state.range(0) != 0, 300.0);
    spec.probes.push_back({"soma.v", {c.cell->hoc_name(c.cell->model().soma_id()), 0.5}, "v"});
    floor_runs(state, *c.simulator, std::move(spec));
}
BENCHMARK(BM_Floor_Cell86)->ArgName("fast")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(2);

// Everything a worker does once before its first trial, given the cell: network parameters and .con files,
// the .syn file and placement on the cell, the network model and its slot pools (sized by one trial of
// activity + 10%, so later trials rarely create objects).
struct Network {
    ex::PreparedNetwork network;
    ex::SynapseSites sites;
    std::unique_ptr<ex::SynapsePools> model;
};

silico::Result<std::unique_ptr<Network>> set_up(Cell& c) {
    auto n = std::make_unique<Network>();
    auto params = ex::read_network_param(k_network, k_paths);
    if (!params) return std::unexpected(params.error());
    auto prepared = ex::prepare_network(std::move(*params));
    if (!prepared) return std::unexpected(prepared.error());
    n->network = std::move(*prepared);
    auto syn = ex::read_syn_file(k_syn);
    if (!syn) return std::unexpected(syn.error());
    auto sites = ex::place_synapses(c.cell->model(), n->network, *syn);
    if (!sites) return std::unexpected(sites.error());
    n->sites = std::move(*sites);
    auto model = ex::SynapsePools::create(*c.simulator, *c.cell, n->network);
    if (!model) return std::unexpected(model.error());
    n->model = std::make_unique<ex::SynapsePools>(std::move(*model));
    auto probe = ex::generate_activity_independent(n->network, 1);
    if (!probe) return std::unexpected(probe.error());
    auto slots = ex::SynapsePools::slots_needed(n->network, *probe);
    for (auto& s : slots) s += s / 10 + 1;
    if (auto r = n->model->reserve(slots); !r) return std::unexpected(r.error());
    return n;
}

void BM_NetworkSetUp(benchmark::State& state) {
    auto& c = cell_86();
    if (!c.cell) return state.SkipWithError("cell 86 could not be built");
    for (auto _ : state) {
        auto n = set_up(c);
        if (!n) return state.SkipWithError(n.error().what().c_str());
        state.counters["slots"] = static_cast<double>((*n)->model->slot_count());
        state.PauseTiming();
        n->reset();  // frees the hoc objects
        state.ResumeTiming();
    }
}
BENCHMARK(BM_NetworkSetUp)->Unit(benchmark::kMillisecond)->UseRealTime();

// One evoked trial, isf RNG mode: activity + release, loading it into NEURON, the simulation (soma Vm
// recorded), and the synapse activation rows. Counters split the CPU time (seconds, per trial).
void BM_EvokedTrial(benchmark::State& state) {
    auto& c = cell_86();
    if (!c.cell) return state.SkipWithError("cell 86 could not be built");
    auto n = set_up(c);
    if (!n) return state.SkipWithError(n.error().what().c_str());
    ex::StimulusSpec spec;
    spec.integration.dt = 0.025;
    spec.integration.tstop = 345.0;
    spec.integration.v_init = -75.0;
    spec.integration.celsius = 34.0;
    spec.probes.push_back({"soma.v", {c.cell->hoc_name(c.cell->model().soma_id()), 0.5}, "v"});
    auto protocol = ex::Stimulus::install(*c.simulator, spec);
    if (!protocol) return state.SkipWithError(protocol.error().what().c_str());
    ex::IsfRandomState rng(20240);
    const auto placement = (*n)->sites.placement((*n)->network);
    double activity_s = 0, load_s = 0, run_s = 0, rows_s = 0, synapses = 0, spikes = 0;
    for (auto _ : state) {
        double t0 = cpu_now();
        auto activity = ex::generate_activity_isf((*n)->network, rng);
        if (!activity) return state.SkipWithError(activity.error().what().c_str());
        activity_s += (cpu_now() - t0);
        t0 = cpu_now();
        if (auto s = (*n)->model->load(*activity, (*n)->sites); !s)
            return state.SkipWithError(s.error().what().c_str());
        load_s += (cpu_now() - t0);
        t0 = cpu_now();
        auto run = protocol->run();
        if (!run) return state.SkipWithError(run.error().what().c_str());
        run_s += (cpu_now() - t0);
        t0 = cpu_now();
        auto rows = ex::synapse_activation_rows((*n)->network, *activity, placement);
        if (!rows) return state.SkipWithError(rows.error().what().c_str());
        rows_s += (cpu_now() - t0);
        synapses += static_cast<double>(activity->synapses.size());
        spikes += static_cast<double>(ex::detect_spikes(run->time, run->find("soma.v")->values).size());
    }
    const double n_iter = static_cast<double>(state.iterations());
    state.counters["activity_s"] = activity_s / n_iter;
    state.counters["load_s"] = load_s / n_iter;
    state.counters["simulate_s"] = run_s / n_iter;
    state.counters["rows_s"] = rows_s / n_iter;
    state.counters["active_synapses"] = synapses / n_iter;
    state.counters["spikes"] = spikes / n_iter;
    // Point processes NEURON integrates every step (shared receptors plus receptors owned by slots).
    state.counters["receptors"] = static_cast<double>((*n)->model->receptor_count());
}
BENCHMARK(BM_EvokedTrial)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

// Cell 86 with ISF's network: one evoked trial's activity (isf RNG, seed 20240) loaded into the pools, then
// the same 300 ms run again and again (VecStim replays its events after every finitialize).
void BM_Floor_Cell86WithSynapses(benchmark::State& state) {
    auto& c = cell_86();
    if (!c.cell) return state.SkipWithError("cell 86 could not be built");
    auto n = set_up(c);
    if (!n) return state.SkipWithError(n.error().what().c_str());
    ex::IsfRandomState rng(20240);
    auto activity = ex::generate_activity_isf((*n)->network, rng);
    if (!activity) return state.SkipWithError(activity.error().what().c_str());
    if (auto s = (*n)->model->load(*activity, (*n)->sites); !s)
        return state.SkipWithError(s.error().what().c_str());
    ex::StimulusSpec spec;
    spec.integration = floor_integration(state.range(0) != 0, 300.0);
    spec.probes.push_back({"soma.v", {c.cell->hoc_name(c.cell->model().soma_id()), 0.5}, "v"});
    floor_runs(state, *c.simulator, std::move(spec));
    state.counters["receptors"] = static_cast<double>((*n)->model->receptor_count());
}
BENCHMARK(BM_Floor_Cell86WithSynapses)
    ->ArgName("fast")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(2);

}  // namespace

// The per-trial serialisation of an evoked trial's request carrying ISF's network tree (~240 kB as JSON):
// the runner encodes it into the job frame and the worker decodes it; Model::run serialises the spec once
// more for the network key. Counter: the request's size.
void BM_EvokedTrialRequestEncodeDecode(benchmark::State& state) {
    auto tree = silico::recipes::read_isf_param(k_network, k_paths);
    if (!tree) return state.SkipWithError(tree.error().what().c_str());
    recipes::TrialRequest trial;
    trial.spec.experiment.protocol = silico::recipes::Protocol::evoked;
    trial.spec.input.network.kind = silico::recipes::ParameterSource::Kind::isf_param;
    trial.spec.input.network.file = k_network;
    trial.spec.input.network.tree = std::make_shared<const nlohmann::ordered_json>(std::move(*tree));
    std::size_t bytes = 0;
    for (auto _ : state) {
        const std::string text = recipes::encode_trial_request(trial);
        auto back = recipes::decode_trial_request(text);
        if (!back) return state.SkipWithError(back.error().what().c_str());
        bytes = text.size();
        benchmark::DoNotOptimize(back->spec.input.network.tree.get());
    }
    state.counters["request_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EvokedTrialRequestEncodeDecode)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
