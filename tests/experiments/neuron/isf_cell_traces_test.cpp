// Cell 86 under ISF's current-injection protocols (simulation tests, CVODE; ~15 s of CPU in all):
// the stored 1.9 nA / 5 ms pulse and step traces, and BAC firing (ISF_SPEC.md §7.5, §11).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "cell_test_data.hpp"
#include "neuron_test_support.hpp"
#include "silico/neuron/neuron_cell.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"

namespace silico::experiments {
namespace {

using testing::simulator;

NeuronCell build(CellParameters p) {
    auto model = build_cell_model(p);
    EXPECT_TRUE(model.has_value()) << model.error().what();
    auto cell = NeuronCell::instantiate(simulator(), *model);
    EXPECT_TRUE(cell.has_value()) << cell.error().what();
    return std::move(*cell);
}

CellParameters params_86() {
    auto p = read_cell_parameters(test::k_param_86, {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}});
    EXPECT_TRUE(p.has_value()) << p.error().what();
    return *p;
}

struct Reference {
    std::vector<double> t, v;
};

Reference read_reference(const std::string& name) {
    Reference r;
    std::ifstream in(test::k_example_data + "/simulation_data/voltage_traces/" + name);
    std::string line;
    std::getline(in, line);  // t_ms,v_mV
    while (std::getline(in, line)) {
        const auto comma = line.find(',');
        r.t.push_back(std::stod(line.substr(0, comma)));
        r.v.push_back(std::stod(line.substr(comma + 1)));
    }
    return r;
}

// Membrane potential at time t (linear interpolation of a variable-step trace).
double at(const std::vector<double>& t, const std::vector<double>& v, double time) {
    auto it = std::lower_bound(t.begin(), t.end(), time);
    if (it == t.begin()) return v.front();
    if (it == t.end()) return v.back();
    const auto i = static_cast<std::size_t>(it - t.begin());
    return v[i - 1] + (v[i] - v[i - 1]) * (time - t[i - 1]) / (t[i] - t[i - 1]);
}

StimulusSpec cvode(double tstop, const NeuronCell& cell) {
    StimulusSpec spec;
    spec.integration = {Solver::cvode, 0.025, tstop, -75.0, 34.0};
    spec.probes.push_back({"soma.v", cell.location(cell.model().soma_id(), 0.5), "v"});
    return spec;
}

std::vector<double> soma_spikes(const RunResult& r) {
    const Trace* v = r.find("soma.v");
    EXPECT_NE(v, nullptr);
    return detect_spikes(r.time, v->values);
}

// ISF's stored trace: scaled-diameters hoc, no modify function, 1.9 nA for 5 ms at 150 ms, CVODE, tstop 250.
TEST(CellProtocol, Cell86PulseReproducesIsfStoredTrace) {
    auto p = params_86();
    p.modify_functions.clear();
    p.morphology = test::k_hoc_86_scaled;
    auto cell = build(p);
    auto spec = cvode(250, cell);
    spec.clamps.push_back({cell.location(cell.model().soma_id(), 0.5), 150, 5, 1.9});
    auto protocol = Stimulus::install(simulator(), spec);
    ASSERT_TRUE(protocol.has_value()) << protocol.error().what();
    auto result = protocol->run();
    ASSERT_TRUE(result.has_value()) << result.error().what();
    const auto ref = read_reference("step_rect5_1.9.csv");
    const auto ref_spikes = detect_spikes(ref.t, ref.v);
    const auto spikes = soma_spikes(*result);
    ASSERT_EQ(ref_spikes.size(), 1u);
    ASSERT_EQ(spikes.size(), 1u);
    EXPECT_NEAR(spikes[0], ref_spikes[0], 0.1);
    const auto& v = result->find("soma.v")->values;
    EXPECT_NEAR(at(result->time, v, 149.0), at(ref.t, ref.v, 149.0), 0.01);
}

// ISF's stored step traces (same cell): 2 s steps from 500 ms, tstop 3000, CVODE. The longest test here
// (three 3-second simulations, ~10 s of CPU).
TEST(CellProtocol, Cell86StepCurrentsReproduceIsfSpikeCounts) {
    auto p = params_86();
    p.modify_functions.clear();
    p.morphology = test::k_hoc_86_scaled;
    auto cell = build(p);
    for (const auto& [amplitude, file] :
         {std::pair{0.619, "step_current_0.619.csv"}, std::pair{0.793, "step_current_0.793.csv"},
          std::pair{1.507, "step_current_1.507.csv"}}) {
        auto spec = cvode(3000, cell);
        spec.clamps.push_back({cell.location(cell.model().soma_id(), 0.5), 500, 2000, amplitude});
        auto protocol = Stimulus::install(simulator(), spec);
        ASSERT_TRUE(protocol.has_value()) << protocol.error().what();
        auto result = protocol->run();
        ASSERT_TRUE(result.has_value()) << result.error().what();
        const auto ref = read_reference(file);
        const auto ref_spikes = detect_spikes(ref.t, ref.v);
        const auto spikes = soma_spikes(*result);
        EXPECT_EQ(spikes.size(), ref_spikes.size()) << amplitude;
        if (!spikes.empty() && !ref_spikes.empty()) {
            EXPECT_NEAR(spikes[0], ref_spikes[0], 0.1) << amplitude;
        }
        const auto& v = result->find("soma.v")->values;
        EXPECT_NEAR(at(result->time, v, 499.0), at(ref.t, ref.v, 499.0), 0.01) << amplitude;
    }
}

// BAC firing (Hay protocol on cell 86 as shipped): soma pulse 1.9 nA at 295 ms for 5 ms, epsp 0.5 nA at 300
// ms at 620 µm on the apical trunk. Together they give a burst; each alone at most one spike.
TEST(CellProtocol, Cell86BacFiringGivesABurstOnlyWithBothInputs) {
    auto cell = build(params_86());
    auto site = cell.model().inner_section_at_distance(620);
    ASSERT_TRUE(site.has_value()) << site.error().what();
    auto run = [&](double pulse, double epsp) {
        auto spec = cvode(600, cell);
        spec.clamps.push_back({cell.location(cell.model().soma_id(), 0.5), 295, 5, pulse});
        spec.epsps.push_back({cell.location(*site), 300, epsp, 1, 5});
        auto protocol = Stimulus::install(simulator(), spec);
        EXPECT_TRUE(protocol.has_value()) << protocol.error().what();
        auto result = protocol->run();
        EXPECT_TRUE(result.has_value()) << result.error().what();
        return soma_spikes(*result);
    };
    const auto both = run(1.9, 0.5);
    const auto pulse_only = run(1.9, 0.0);
    const auto epsp_only = run(0.0, 0.5);
    EXPECT_GE(both.size(), 2u);
    EXPECT_LE(pulse_only.size(), 1u);
    EXPECT_LE(epsp_only.size(), 1u);
}

}  // namespace
}  // namespace silico::experiments
