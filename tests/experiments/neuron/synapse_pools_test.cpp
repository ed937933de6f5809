// The NEURON side of synaptic input on cell 86: ISF's six stored 2015 trials replayed (issue 5's key
// acceptance test) and an evoked C2 trial from the network parameters.
//
// LONG SIMULATION TEST: nine 345 ms trials of cell 86 with thousands of synapses (~4 s each on the 2-core
// VM) and two 60 ms ones; the cell and the network model are built once for all of them.
#include "silico/neuron/synapse_pools.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include "cell_test_data.hpp"
#include "neuron_test_support.hpp"
#include "run_2015.hpp"
#include "silico/model/activity.hpp"
#include "silico/model/cell_model.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/model/simrun_rows.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/model/synapse_sites.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"

namespace silico::experiments {
namespace {

const std::string& k_trials = test::k_run_2015;
const std::string& k_network = test::k_network_c2;
const std::string& k_syn = test::k_syn_86;

// One process-wide cell 86 in NEURON with ISF's C2 network model (built once, as a batch worker would).
using Fixture = testing::NetworkRig;

Fixture& fixture() {
    // Never destroyed: NEURON objects outlive static destruction order concerns.
    static Fixture* fixture_instance = [] {
        auto* built = new Fixture;
        // The 2015 reference was computed with NEURON 7's physical constants (FARADAY 96485.3 in the .mod
        // files, eca = 1000·8.3134·(celsius + 273.15)/96485.309/2·ln(cao/cai) in the ion code; NEURON 8.2's
        // legacy switch reproduces both, checked: nernst(5e-5, 2, 2) = 140.21871199503352 either way).
        // NEURON 8 defaults to CODATA 2018, which moves eca and the calcium dynamics enough to shift the soma
        // by ~1.4e-3 mV at t = 100 ms and spikes by a step. With legacy units (and the run's section lengths,
        // below) the replay agrees to a median of ~1e-7 mV.
        // This is process-wide NEURON state, so every test of this executable runs with legacy units.
        auto legacy = testing::simulator().hoc("{nrnunit_use_legacy(1)}");
        EXPECT_TRUE(legacy) << legacy.error().what();
        const recipes::PathMap paths = {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}};
        auto p = read_cell_parameters(test::k_param_86, paths);
        EXPECT_TRUE(p) << p.error().what();
        // The 2015 run's section lengths, read back from its soma distances: the shipped morphology file
        // registers cell 86 at another position than the run did, so its float32 points give lengths
        // ~1.5e-7 different (see ReplaysTheSixStored2015Trials... below).
        auto lengths = test::section_lengths_2015();
        EXPECT_TRUE(lengths) << lengths.error().what();
        auto net = read_network_param(k_network, paths);
        EXPECT_TRUE(net) << net.error().what();
        if (p && lengths && net) {
            BuildOptions options;
            options.section_lengths = std::move(*lengths);
            testing::build_network_rig(*built, std::move(*p), options, std::move(*net), 345.0);
        }
        return built;
    }();
    return *fixture_instance;
}

// Cell 86's synapses of ISF's C2 network, placed from the example embedding's .syn (ISF_SPEC.md §4).
Result<SynapseSites> c2_synapse_sites(const Fixture& f) {
    auto syn = read_syn_file(k_syn);
    if (!syn) return std::unexpected(syn.error());
    return place_synapses(f.cell->model(), f.network, *syn);
}

// Cell 86's C2 synapses and the first sweep ISF draws for process seed 20240 (isf RNG mode).
struct C2Sweep {
    SynapseSites sites;
    TrialActivity activity;
};

Result<C2Sweep> c2_first_sweep_of_seed_20240(const Fixture& f) {
    auto sites = c2_synapse_sites(f);
    if (!sites) return std::unexpected(sites.error());
    IsfRandomState rng(20240);
    auto activity = generate_activity_isf(f.network, rng);
    if (!activity) return std::unexpected(activity.error());
    return C2Sweep{std::move(*sites), std::move(*activity)};
}

TEST(SynapsePools, ReplaysTheSixStored2015TrialsWithinIsfsToleranceAndIdenticalSpikes) {
    auto& f = fixture();
    ASSERT_TRUE(f.protocol);
    auto reference = read_vm_traces_file(k_trials + "/20240_vm_all_traces.csv");
    ASSERT_TRUE(reference) << reference.error().what();
    ASSERT_EQ(reference->runs.size(), 6u);
    const auto out_dir = std::filesystem::path(::testing::TempDir()) / "silico_replay_test";
    std::filesystem::create_directories(out_dir);
    for (int trial = 0; trial < 6; ++trial) {
        SCOPED_TRACE(fmt::format("trial {}", trial));
        const std::string file = k_trials + fmt::format("/simulation_run{:04d}_synapses.csv", trial);
        auto rows = read_synapse_activation_file(file);
        ASSERT_TRUE(rows) << rows.error().what();
        auto activity = activity_from_replay(f.network, *rows);
        ASSERT_TRUE(activity) << activity.error().what();
        auto sites = place_replayed_synapses(f.cell->model(), f.network, *rows);
        ASSERT_TRUE(sites) << sites.error().what();
        {
            auto loaded = f.model->load(*activity, *sites);
            ASSERT_TRUE(loaded) << loaded.error().what();
        }
        EXPECT_EQ(f.model->active_count(), rows->size());
        auto run = f.protocol->run();
        ASSERT_TRUE(run) << run.error().what();
        const auto& v = run->find("soma.v")->values;

        // Soma Vm for t >= 100 ms against column "Vm run 0N" at every sample.
        const auto first = static_cast<std::size_t>(
            std::find_if(run->time.begin(), run->time.end(), [](double t) { return t >= 100.0; }) -
            run->time.begin());
        ASSERT_EQ(run->time.size() - first, reference->t.size());
        // ISF's tolerance (assert_almost_equal, decimal 3: |dV| < 1.5e-3 mV) at every sample of all six
        // trials: max 4.9e-5, 3.3e-4, 2.2e-4, 5.1e-4, 2.5e-4, 7.5e-5 mV, each on a spike upstroke; median
        // 0.5-2e-7 mV. This needs the run's own section lengths (see the fixture). With the lengths of the
        // shipped morphology's points every trial carries a background of median ~4e-7 mV, which the
        // isolated threshold crossings of trials 1 and 3 (a slow ramp, then a 400 mV/ms upstroke) amplify
        // to 4.6e-3 and 3.2e-3 mV. The shipped file registers the cell at another position than the 2015
        // run did: the run's D3 column fits the float32 lengths of the shipped points in 0.1% of its rows
        // and those of 86_C2_center_scaled_diameters.hoc in 26%, and a float32-sized change of geometry is
        // the size of that background (the scaled file's coordinates move the replay by a median 6e-7 mV).
        // Ruled out on the way (NEURON 8.2.2): double rounding (one ulp of v_init moves the replay by
        // <= 1.4e-9 mV; another node order is bit-identical), a global parameter error (a least-squares fit
        // on 26 sensitivity directions removes a third of it), float-rounded parameters or weights, and
        // NEURON 8's constants (legacy units reproduce NEURON 7's, fixture).
        double max_dv = 0, max_dt = 0;
        std::size_t worst = 0;
        const auto& ref = reference->runs[trial];
        for (std::size_t k = 0; k < reference->t.size(); ++k) {
            max_dt = std::max(max_dt, std::abs(run->time[first + k] - reference->t[k]));
            const double dv = std::abs(v[first + k] - ref[k]);
            if (dv > max_dv) max_dv = dv, worst = k;
        }
        std::cout << fmt::format(
            "[ replay  ] trial {}: {} synapses, max |dV| = {:.3e} mV at t = {} ms; "
            "max |dt| = {:.1e} ms\n",
            trial, rows->size(), max_dv, reference->t[worst], max_dt);
        EXPECT_LT(max_dv, 1.5e-3);
        EXPECT_LT(max_dt, 1e-9);
        std::vector<double> abs_dv(reference->t.size());
        for (std::size_t k = 0; k < abs_dv.size(); ++k) abs_dv[k] = std::abs(v[first + k] - ref[k]);
        const auto middle = abs_dv.begin() + static_cast<std::ptrdiff_t>(abs_dv.size() / 2);
        std::nth_element(abs_dv.begin(), middle, abs_dv.end());
        std::cout << fmt::format("[ replay  ] trial {}: median |dV| = {:.2e} mV\n", trial, *middle);
        EXPECT_LT(*middle, 5e-7);

        // Spike times (0 mV upward crossings) identical to those of the stored trace.
        const std::span<const double> t_tail(run->time.data() + first, reference->t.size());
        const std::span<const double> v_tail(v.data() + first, reference->t.size());
        const auto spikes = detect_spikes(t_tail, v_tail);
        const auto expected_spikes = detect_spikes(reference->t, reference->runs[trial]);
        std::cout << fmt::format("[ replay  ] trial {}: spikes {} (stored {})\n", trial,
                                 fmt::join(spikes, ", "), fmt::join(expected_spikes, ", "));
        ASSERT_EQ(spikes.size(), expected_spikes.size());
        for (std::size_t i = 0; i < spikes.size(); ++i) EXPECT_NEAR(spikes[i], expected_spikes[i], 1e-9);

        // The written synapse activation equals the input on type, soma distance, label and times.
        auto written_rows = synapse_activation_rows(f.network, *activity, sites->placement(f.network));
        ASSERT_TRUE(written_rows) << written_rows.error().what();
        const auto out = out_dir / synapse_activation_file_name(trial);
        ASSERT_TRUE(write_synapse_activation_file(out, *written_rows));
        auto back = read_synapse_activation_file(out);
        ASSERT_TRUE(back) << back.error().what();
        auto by_key = [](std::vector<SynapseActivationRow> r) {
            std::stable_sort(r.begin(), r.end(), [](const auto& a, const auto& b) {
                return std::tie(a.synapse_type, a.soma_distance) < std::tie(b.synapse_type, b.soma_distance);
            });
            return r;
        };
        const auto got = by_key(*back);
        const auto want = by_key(*rows);
        ASSERT_EQ(got.size(), want.size());
        for (std::size_t i = 0; i < got.size(); ++i) {
            EXPECT_EQ(got[i].synapse_type, want[i].synapse_type) << i;
            EXPECT_NEAR(got[i].soma_distance, want[i].soma_distance, 1e-5 * std::abs(want[i].soma_distance))
                << i;
            EXPECT_EQ(got[i].dendrite_label, want[i].dendrite_label) << i;
            EXPECT_EQ(got[i].times, want[i].times) << i;
        }
    }
}

TEST(SynapsePools, EvokedC2TrialFromTheNetworkParametersLoadsEveryGeneratedReleaseAndRuns) {
    auto& f = fixture();
    ASSERT_TRUE(f.protocol);
    auto sites = c2_synapse_sites(f);
    ASSERT_TRUE(sites) << sites.error().what();
    std::size_t placed = 0;
    for (const auto& s : sites->sites) placed += s.size();
    EXPECT_EQ(placed, 24780u);

    IsfRandomState rng(20240);
    auto isf = generate_activity_isf(f.network, rng);
    ASSERT_TRUE(isf) << isf.error().what();
    auto independent = generate_activity_independent(f.network, 7);
    ASSERT_TRUE(independent) << independent.error().what();
    std::vector<double> first_isf_trace;
    for (const TrialActivity* activity : {&*isf, &*independent}) {
        {
            auto loaded = f.model->load(*activity, *sites);
            ASSERT_TRUE(loaded) << loaded.error().what();
        }
        EXPECT_EQ(f.model->active_count(), activity->synapses.size());
        EXPECT_GE(f.model->slot_count(), activity->synapses.size());
        auto run = f.protocol->run();
        ASSERT_TRUE(run) << run.error().what();
        const auto& v = run->find("soma.v")->values;
        ASSERT_EQ(v.size(), run->time.size());
        if (first_isf_trace.empty()) first_isf_trace = v;
        for (double x : v) ASSERT_TRUE(std::isfinite(x) && x > -120 && x < 80) << x;
        const auto spikes = detect_spikes(run->time, v);
        std::size_t releases = 0;
        for (const auto& s : activity->synapses) releases += s.release_end - s.release_begin;
        EXPECT_EQ(releases, activity->release_count());
        std::cout << fmt::format("[ evoked  ] {} active synapses, {} releases, spikes at {}\n",
                                 activity->synapses.size(), releases, fmt::join(spikes, ", "));
        // The written activation has one row per active synapse with exactly its releases.
        auto rows = synapse_activation_rows(f.network, *activity, sites->placement(f.network));
        ASSERT_TRUE(rows) << rows.error().what();
        EXPECT_EQ(rows->size(), activity->synapses.size());
        std::size_t written = 0;
        for (const auto& r : *rows) written += r.times.size();
        EXPECT_EQ(written, releases);
        // The cell responds to input: the up-state depolarises it above rest (-75 mV initial).
        EXPECT_GT(*std::max_element(v.begin(), v.end()), -60.0);
    }
    // The isf trial again after the independent one: slots are reused (no hoc objects created) and the
    // trace reproduces the first run. Not bit for bit: moving receptors with loc() changes the order in
    // which NEURON sums the currents of point processes sharing a segment, so the last bits differ.
    ASSERT_TRUE(f.model->load(*isf, *sites));
    EXPECT_EQ(f.model->created_by_last_load(), 0u);
    auto again = f.protocol->run();
    ASSERT_TRUE(again) << again.error().what();
    const auto& v2 = again->find("soma.v")->values;
    ASSERT_EQ(v2.size(), first_isf_trace.size());
    double max_dv = 0;
    for (std::size_t k = 0; k < v2.size(); ++k)
        max_dv = std::max(max_dv, std::abs(v2[k] - first_isf_trace[k]));
    std::cout << fmt::format("[ evoked  ] rerun after another trial: max |dV| = {:.3e} mV\n", max_dv);
    EXPECT_LT(max_dv, 1e-6);
    EXPECT_EQ(detect_spikes(again->time, v2), detect_spikes(again->time, first_isf_trace));
}

// Receptors with linear kinetics sharing one point process per segment (the default) against one point
// process per synapse as in ISF: the same soma trace up to the order of floating-point sums, and the same
// spikes, with far fewer point processes. The first 60 ms of the evoked C2 trial (4 spikes in it).
TEST(SynapsePools, SharedReceptorsGiveTheSameSomaTraceAsOneReceptorPerSynapse) {
    auto& f = fixture();
    ASSERT_TRUE(f.protocol);
    auto input = c2_first_sweep_of_seed_20240(f);
    ASSERT_TRUE(input) << input.error().what();
    // The fixture's model stops playing (its receptors keep zero conductance).
    ASSERT_TRUE(f.model->load(TrialActivity{}, input->sites));
    EXPECT_EQ(f.model->active_count(), 0u);

    StimulusSpec spec = f.protocol->spec();
    spec.integration.tstop = 60.0;
    auto protocol = Stimulus::install(*f.simulator, spec);
    ASSERT_TRUE(protocol) << protocol.error().what();
    std::vector<std::vector<double>> traces;
    std::vector<double> time;
    std::vector<std::size_t> receptors;
    for (const bool share : {true, false}) {
        auto model = SynapsePools::create(*f.simulator, *f.cell, f.network, share);
        ASSERT_TRUE(model) << model.error().what();
        ASSERT_TRUE(model->load(input->activity, input->sites));
        receptors.push_back(model->receptor_count());
        auto run = protocol->run();
        ASSERT_TRUE(run) << run.error().what();
        traces.push_back(run->find("soma.v")->values);
        time = run->time;
        if (!share) {
            EXPECT_EQ(model->receptor_count(), model->slot_count());
        }
    }
    std::cout << fmt::format("[ shared  ] {} receptor point processes shared, {} one per synapse\n",
                             receptors[0], receptors[1]);
    EXPECT_LT(receptors[0] * 2, receptors[1]);
    ASSERT_EQ(traces[0].size(), traces[1].size());
    double max_dv = 0;
    for (std::size_t k = 0; k < traces[0].size(); ++k)
        max_dv = std::max(max_dv, std::abs(traces[0][k] - traces[1][k]));
    std::cout << fmt::format("[ shared  ] max |dV| shared vs one per synapse = {:.3e} mV\n", max_dv);
    EXPECT_LT(max_dv, 1e-6);
    const auto spikes = detect_spikes(time, traces[0]);
    EXPECT_EQ(spikes.size(), 4u);
    EXPECT_EQ(spikes, detect_spikes(time, traces[1]));
}

// Whether receptors are linear (so shareable) is judged with the compiled mechanism's own defaults for the
// parameters a network file leaves unset: ISF's file sets decayampa = 1 (linear, shared); without it
// glutamate_syn uses its own default, which depresses, so no glutamatergic receptor is shared.
TEST(SynapsePools, ReceptorsLeavingADepressionParameterUnsetAreJudgedByTheMechanismsDefault) {
    auto& f = fixture();
    ASSERT_TRUE(f.protocol);
    auto input = c2_first_sweep_of_seed_20240(f);
    ASSERT_TRUE(input) << input.error().what();
    std::vector<std::size_t> receptors;
    for (const bool unset : {false, true}) {
        PreparedNetwork network = f.network;
        std::size_t glutamate = 0;
        for (auto& pop : network.parameters.populations)
            for (auto& rec : pop.synapses.receptors)
                if (rec.name == "glutamate_syn" && unset) {
                    ++glutamate;
                    std::erase_if(rec.parameters, [](const auto& p) { return p.first == "decayampa"; });
                }
        if (unset) {
            ASSERT_GT(glutamate, 0u);
        }
        auto model = SynapsePools::create(*f.simulator, *f.cell, network);
        ASSERT_TRUE(model) << model.error().what();
        ASSERT_TRUE(model->load(input->activity, input->sites));
        receptors.push_back(model->receptor_count());
    }
    // Unset decayampa: every glutamatergic synapse keeps its own receptor, so far more point processes.
    EXPECT_GT(receptors[1], receptors[0] * 2) << receptors[0] << " vs " << receptors[1];
}

}  // namespace
}  // namespace silico::experiments
