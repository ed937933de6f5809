// Shared by the tests that embed NEURON: the process's simulator and a clean slate of sections.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "silico/model/activity.hpp"
#include "silico/neuron/neuron_cell.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"
#include "silico/neuron/synapse_pools.hpp"

namespace silico::experiments::testing {

// The process-wide simulator; fails the test (fatally) if NEURON cannot start.
inline Simulator& simulator() {
    auto sim = Simulator::instance();
    if (!sim) {
        ADD_FAILURE() << sim.error().what();
        std::abort();
    }
    return **sim;
}

// A fixed-step protocol at dt 0.025 with the cell's own v_init and temperature, recording the soma's v:
// the set-up of the network tests (ISF's evoked trials).
inline StimulusSpec soma_vm_protocol(const NeuronCell& cell, const CellParameters& parameters, double tstop) {
    StimulusSpec spec;
    spec.integration.solver = Solver::fixed_step;
    spec.integration.dt = 0.025;
    spec.integration.tstop = tstop;
    spec.integration.v_init = parameters.sim.v_init.value_or(-75.0);
    spec.integration.celsius = parameters.sim.temperature.value_or(34.0);
    spec.probes.push_back({"soma.v", {cell.hoc_name(cell.model().soma_id()), 0.5}, "v"});
    return spec;
}

// What the network tests run on, built once per process as a batch worker would: a cell in NEURON, a
// network's SynapsePools on it and a soma-Vm protocol.
struct NetworkRig {
    Simulator* simulator = nullptr;
    CellParameters parameters;
    std::unique_ptr<NeuronCell> cell;
    PreparedNetwork network;
    std::unique_ptr<SynapsePools> model;
    std::unique_ptr<Stimulus> protocol;
};

// Builds `rig` from cell parameters (with `options`) and network parameters, with a protocol of `tstop` ms.
// An error fails the calling test and leaves the later members empty (tests check `protocol`).
inline void build_network_rig(NetworkRig& rig, CellParameters parameters, const BuildOptions& options,
                              NetworkParameters network, double tstop) {
    rig.simulator = &simulator();
    rig.parameters = std::move(parameters);
    auto model = build_cell_model(rig.parameters, options);
    ASSERT_TRUE(model) << model.error().what();
    auto cell = NeuronCell::instantiate(*rig.simulator, *model);
    ASSERT_TRUE(cell) << cell.error().what();
    rig.cell = std::make_unique<NeuronCell>(std::move(*cell));
    auto prepared = prepare_network(std::move(network));
    ASSERT_TRUE(prepared) << prepared.error().what();
    rig.network = std::move(*prepared);
    auto network_model = SynapsePools::create(*rig.simulator, *rig.cell, rig.network);
    ASSERT_TRUE(network_model) << network_model.error().what();
    rig.model = std::make_unique<SynapsePools>(std::move(*network_model));
    auto protocol = Stimulus::install(*rig.simulator, soma_vm_protocol(*rig.cell, rig.parameters, tstop));
    ASSERT_TRUE(protocol) << protocol.error().what();
    rig.protocol = std::make_unique<Stimulus>(std::move(*protocol));
}

// Runs hoc and fails the test with NEURON's message if it reports an error.
inline void hoc(const std::string& code) {
    auto ok = simulator().hoc(code);
    ASSERT_TRUE(ok) << ok.error().what() << "\nin: " << code;
}

inline double eval(const std::string& expression) {
    auto value = simulator().eval(expression);
    EXPECT_TRUE(value) << value.error().what();
    return value.value_or(0.0);
}

// The number of states CVODE integrates (after finitialize with CVODE active).
inline double cvode_state_count() {
    hoc("objref silico_test_states_\n{silico_test_states_ = new Vector()  "
        "cvode.states(silico_test_states_)}");
    return eval("silico_test_states_.size()");
}

// Test fixture: every test starts without sections, with fixed-step integration at dt 0.025 and 34 degC.
class NeuronTest : public ::testing::Test {
  protected:
    void SetUp() override {
        hoc("{forall delete_section()}");
        hoc("{cvode.active(0)  dt = 0.025  celsius = 34  cai0_ca_ion = 5e-5}");
    }
};

}  // namespace silico::experiments::testing
