#include "silico/neuron/stimulus.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "neuron_test_support.hpp"

namespace silico::experiments {
namespace {

using ::testing::HasSubstr;
using testing::hoc;

// A small cell built straight in hoc: a spiking soma (Hay-like densities) and two dendrites, one with
// T-type calcium channels and calcium dynamics.
class ProtocolTest : public testing::NeuronTest {
  protected:
    void SetUp() override {
        NeuronTest::SetUp();
        hoc("{create soma, dend[2]}\n"
            "{soma {L = 20  diam = 20  cm = 1  Ra = 100  insert pas  g_pas = 3.26e-5  e_pas = -90\n"
            "  insert NaTa_t  gNaTa_tbar_NaTa_t = 2.43  insert SKv3_1  gSKv3_1bar_SKv3_1 = 0.983  ena = 50  "
            "ek = -85}}\n"
            "{dend[0] {L = 200  diam = 2  nseg = 9  cm = 2  Ra = 100  insert pas  g_pas = 6e-5  e_pas = -90\n"
            "  insert Ca_LVAst  gCa_LVAstbar_Ca_LVAst = 0.01  insert CaDynamics_E2}}\n"
            "{dend[1] {L = 100  diam = 1  nseg = 5  cm = 2  Ra = 100  insert pas  g_pas = 6e-5  e_pas = "
            "-90}}\n"
            "{connect dend[0](0), soma(0.5)  connect dend[1](0), soma(0.5)}");
    }

    static Simulator& sim() { return testing::simulator(); }

    static StimulusSpec step(double amplitude, double tstop = 300) {
        StimulusSpec spec;
        spec.integration.tstop = tstop;
        spec.clamps.push_back({{"soma", 0.5}, 50.0, 200.0, amplitude});
        spec.probes.push_back({"soma.v", {"soma", 0.5}, "v"});
        return spec;
    }

    static std::size_t spike_count(const RunResult& result, const std::string& trace = "soma.v") {
        const Trace* v = result.find(trace);
        EXPECT_NE(v, nullptr);
        return v ? detect_spikes(result.time, v->values).size() : 0;
    }

    // Installs a protocol the test needs; a failure here ends the test program with NEURON's message.
    static Stimulus install(StimulusSpec spec) {
        auto protocol = Stimulus::install(sim(), std::move(spec));
        if (!protocol) {
            ADD_FAILURE() << protocol.error().what();
            std::abort();
        }
        return std::move(*protocol);
    }
};

TEST_F(ProtocolTest, CurrentStepMakesTheSomaFireAndRestIsQuiet) {
    auto protocol = install(step(1.0));
    auto result = protocol.run();
    ASSERT_TRUE(result) << result.error().what();
    EXPECT_GT(spike_count(*result), 2u);
    // Every spike lies inside the step.
    for (double t : detect_spikes(result->time, result->find("soma.v")->values)) {
        EXPECT_GE(t, 50.0);
        EXPECT_LE(t, 255.0);
    }
    ASSERT_TRUE(protocol.set_clamp_amplitude(0, 0.0));
    auto quiet = protocol.run();
    ASSERT_TRUE(quiet);
    EXPECT_EQ(spike_count(*quiet), 0u);
}

// ISF's reference trace for tstop 345 at dt 0.025 ends at 345.025 with 13 802 samples (spec section 2.9).
TEST_F(ProtocolTest, FixedStepRunStopsExactlyWhereNeuronsRunLoopDoes) {
    auto protocol = install(step(0.0, 345.0));
    auto result = protocol.run();
    ASSERT_TRUE(result) << result.error().what();
    ASSERT_EQ(result->time.size(), 13802u);
    EXPECT_EQ(result->steps, 13801u);
    EXPECT_NEAR(result->time.back(), 345.025, 1e-9);
    EXPECT_GE(result->time[4000], 100.0);
    EXPECT_NEAR(result->time[4000], 100.0, 1e-9);
    EXPECT_EQ(result->find("soma.v")->values.size(), result->time.size());
    EXPECT_EQ(result->find("soma.v")->values.front(), -75.0);  // v_init
}

TEST_F(ProtocolTest, RecordsDendriticVoltagesAndRangeVariables) {
    StimulusSpec spec = step(1.0, 150);
    spec.probes.push_back({"dend.v", {"dend[0]", 0.1}, "v"});
    spec.probes.push_back({"dend.ica", {"dend[0]", 0.1}, "Ca_LVAst.ica"});
    spec.probes.push_back({"dend.cai", {"dend[0]", 0.1}, "cai"});
    auto protocol = install(spec);
    auto result = protocol.run();
    ASSERT_TRUE(result) << result.error().what();
    const auto& v = result->find("dend.v")->values;
    const auto& ica = result->find("dend.ica")->values;
    const auto& cai = result->find("dend.cai")->values;
    ASSERT_EQ(ica.size(), result->time.size());
    // Back-propagating spikes depolarise the dendrite, open T-type channels and raise calcium.
    EXPECT_GT(*std::max_element(v.begin(), v.end()), -40.0);
    EXPECT_LT(*std::min_element(ica.begin(), ica.end()), -1e-6);
    EXPECT_EQ(cai.front(), 5e-5);
    EXPECT_GT(*std::max_element(cai.begin(), cai.end()), 1e-4);
}

TEST_F(ProtocolTest, CvodeTakesVariableStepsAndFiresLikeFixedStep) {
    StimulusSpec fixed = step(1.0);
    StimulusSpec variable = step(1.0);
    variable.integration.solver = Solver::cvode;
    auto fixed_result = install(fixed).run();
    auto cvode_result = install(variable).run();
    ASSERT_TRUE(fixed_result && cvode_result);
    // Steps shrink around spikes and grow at rest.
    const auto& t = cvode_result->time;
    double smallest = 1e9, largest = 0;
    for (std::size_t i = 1; i < t.size(); ++i) {
        ASSERT_GT(t[i], t[i - 1]);
        smallest = std::min(smallest, t[i] - t[i - 1]);
        largest = std::max(largest, t[i] - t[i - 1]);
    }
    EXPECT_GT(largest, 50 * smallest);
    EXPECT_LT(t.size(), fixed_result->time.size());
    // Under CVODE NEURON records each step's values at the start of the next fadvance(), so the last sample
    // lies one step before the loop's final t (>= tstop), as in ISF's CVODE traces.
    EXPECT_GT(t.back(), 290.0);
    EXPECT_LT(t.back(), 300.0);
    EXPECT_EQ(spike_count(*cvode_result), spike_count(*fixed_result));
    const auto fixed_spikes = detect_spikes(fixed_result->time, fixed_result->find("soma.v")->values);
    const auto cvode_spikes = detect_spikes(cvode_result->time, cvode_result->find("soma.v")->values);
    ASSERT_FALSE(fixed_spikes.empty());
    EXPECT_NEAR(cvode_spikes.front(), fixed_spikes.front(), 0.5);
}

TEST_F(ProtocolTest, ALooserCvodeToleranceTakesFewerSteps) {
    StimulusSpec tight = step(1.0, 150);
    tight.integration.solver = Solver::cvode;
    StimulusSpec loose = tight;
    loose.integration.atol = 1e-2;
    auto a = install(tight).run();
    auto b = install(loose).run();
    ASSERT_TRUE(a && b);
    EXPECT_LT(b->steps, a->steps);
    EXPECT_EQ(spike_count(*b), spike_count(*a));
}

TEST_F(ProtocolTest, EpspOnADendriteDepolarisesTheSoma) {
    StimulusSpec spec;
    spec.integration.tstop = 60;
    spec.epsps.push_back({{"dend[1]", 0.9}, 20.0, 0.2, 1.0, 5.0});
    spec.probes.push_back({"soma.v", {"soma", 0.5}, "v"});
    spec.probes.push_back({"dend.v", {"dend[1]", 0.9}, "v"});
    auto protocol = install(spec);
    auto with_epsp = protocol.run();
    ASSERT_TRUE(with_epsp) << with_epsp.error().what();
    ASSERT_TRUE(protocol.set_epsp_imax(0, 0.0));
    auto without = protocol.run();
    ASSERT_TRUE(without);
    const auto& a = with_epsp->find("soma.v")->values;
    const auto& b = without->find("soma.v")->values;
    ASSERT_EQ(a.size(), b.size());
    double largest = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (with_epsp->time[i] < 20.0) {
            EXPECT_EQ(a[i], b[i]);  // nothing before onset
        }
        largest = std::max(largest, a[i] - b[i]);
    }
    EXPECT_GT(largest, 0.1);
    const auto& dend = with_epsp->find("dend.v")->values;
    EXPECT_GT(*std::max_element(dend.begin(), dend.end()) - b.front(), largest);  // larger at the source
}

TEST_F(ProtocolTest, RerunningGivesBitIdenticalTraces) {
    auto protocol = install(step(0.8, 200));
    auto first = protocol.run();
    auto second = protocol.run();
    ASSERT_TRUE(first && second);
    EXPECT_EQ(first->time, second->time);
    EXPECT_EQ(first->find("soma.v")->values, second->find("soma.v")->values);
}

// The fast mode's integrator: Crank-Nicolson (secondorder 2) at dt 0.1 lands nearer a fine-step reference than
// implicit Euler at the same dt, and setting it on one run leaves the next exact run bit for bit as before.
TEST_F(ProtocolTest, SecondOrderAtACoarseStepIsCloserToAFineStepAndLeavesExactRunsUntouched) {
    const auto first_spike = [](const RunResult& r) {
        const auto spikes = detect_spikes(r.time, r.find("soma.v")->values);
        return spikes.empty() ? -1.0 : spikes.front();
    };
    auto exact = install(step(0.8, 120)).run();
    StimulusSpec fine = step(0.8, 120);
    fine.integration.dt = 0.001;
    fine.integration.secondorder = 2;
    auto reference = install(fine).run();
    StimulusSpec euler = step(0.8, 120);
    euler.integration.dt = 0.1;
    StimulusSpec crank = euler;
    crank.integration.secondorder = 2;
    auto coarse_euler = install(euler).run();
    auto coarse_crank = install(crank).run();
    auto exact_again = install(step(0.8, 120)).run();
    ASSERT_TRUE(exact && reference && coarse_euler && coarse_crank && exact_again);
    const double truth = first_spike(*reference);
    ASSERT_GT(truth, 50.0);
    const double crank_error = std::abs(first_spike(*coarse_crank) - truth);
    const double euler_error = std::abs(first_spike(*coarse_euler) - truth);
    EXPECT_LT(crank_error, euler_error) << "Crank-Nicolson " << first_spike(*coarse_crank) << ", Euler "
                                        << first_spike(*coarse_euler) << ", reference " << truth;
    EXPECT_EQ(exact_again->time, exact->time);
    EXPECT_EQ(exact_again->find("soma.v")->values, exact->find("soma.v")->values);
}

// The fast mode's rate tables: the channels interpolate their rates, so the trace moves a little (and the spike
// barely), every tabled mechanism's rate_tables is on for that run only, and the next exact run is bit for bit as
// before the tables were built.
TEST_F(ProtocolTest, RateTablesMoveTheTraceALittleAndLeaveExactRunsUntouched) {
    // Some channels of this cell, SK_E2, glutamate_syn's Mg block and the synapses' decay factors (a
    // mechanism's global exists wherever it is inserted or not).
    const std::vector<std::string> tabled = {"NaTa_t", "SKv3_1",        "Ca_LVAst",
                                             "SK_E2",  "glutamate_syn", "gaba_syn"};
    for (const auto& name : tabled) EXPECT_EQ(*sim().eval("rate_tables_" + name), 0.0) << name;
    auto exact = install(step(0.8, 120)).run();
    StimulusSpec tables = step(0.8, 120);
    tables.integration.rate_tables = true;
    auto interpolated = install(tables).run();
    for (const auto& name : tabled) EXPECT_EQ(*sim().eval("rate_tables_" + name), 1.0) << name;
    auto exact_again = install(step(0.8, 120)).run();
    for (const auto& name : tabled) EXPECT_EQ(*sim().eval("rate_tables_" + name), 0.0) << name;
    ASSERT_TRUE(exact && interpolated && exact_again);
    EXPECT_EQ(exact_again->find("soma.v")->values, exact->find("soma.v")->values);

    const auto& v = exact->find("soma.v")->values;
    const auto& w = interpolated->find("soma.v")->values;
    ASSERT_EQ(v.size(), w.size());
    double largest = 0;
    for (std::size_t i = 0; i < v.size(); ++i) largest = std::max(largest, std::abs(v[i] - w[i]));
    EXPECT_GT(largest, 0.0) << "the tables were not used";
    const auto spikes = detect_spikes(exact->time, v);
    const auto moved = detect_spikes(interpolated->time, w);
    ASSERT_FALSE(spikes.empty());
    ASSERT_EQ(moved.size(), spikes.size());
    EXPECT_NEAR(moved.front(), spikes.front(), 0.1);
}

TEST_F(ProtocolTest, DestroyingAProtocolRemovesItsStimulus) {
    {
        auto loud = install(step(1.0));
        auto fired = loud.run();
        ASSERT_TRUE(fired);
        EXPECT_GT(spike_count(*fired), 0u);
    }
    StimulusSpec quiet;
    quiet.integration.tstop = 300;
    quiet.probes.push_back({"soma.v", {"soma", 0.5}, "v"});
    auto result = install(quiet).run();
    ASSERT_TRUE(result);
    EXPECT_EQ(spike_count(*result), 0u);
}

TEST_F(ProtocolTest, UnknownSectionsAndVariablesFailWithNeuronsMessage) {
    StimulusSpec spec = step(1.0);
    spec.clamps[0].at.section = "axon";
    auto missing = Stimulus::install(sim(), spec);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::neuron);
    EXPECT_THAT(missing.error().what(), HasSubstr("axon"));

    StimulusSpec no_mechanism = step(1.0);
    no_mechanism.probes.push_back({"ih", {"soma", 0.5}, "Ih.ihcn"});  // Ih is not inserted in the soma
    auto not_inserted = Stimulus::install(sim(), no_mechanism);
    ASSERT_FALSE(not_inserted);
    EXPECT_EQ(not_inserted.error().code, Errc::neuron);
    EXPECT_THAT(not_inserted.error().what(), HasSubstr("probe 'ih'"));
}

TEST_F(ProtocolTest, ImpossibleSettingsAreRejectedBeforeTouchingNeuron) {
    StimulusSpec bad_tstop = step(1.0);
    bad_tstop.integration.tstop = 0;
    EXPECT_EQ(Stimulus::install(sim(), bad_tstop).error().code, Errc::invalid_argument);
    StimulusSpec bad_dt = step(1.0);
    bad_dt.integration.dt = -0.025;
    EXPECT_EQ(Stimulus::install(sim(), bad_dt).error().code, Errc::invalid_argument);
    StimulusSpec bad_x = step(1.0);
    bad_x.clamps[0].at.x = 2.0;
    EXPECT_EQ(Stimulus::install(sim(), bad_x).error().code, Errc::invalid_argument);
    StimulusSpec twice = step(1.0);
    twice.probes.push_back(twice.probes[0]);
    EXPECT_EQ(Stimulus::install(sim(), twice).error().code, Errc::invalid_argument);
    StimulusSpec bad_order = step(1.0);
    bad_order.integration.secondorder = 3;
    EXPECT_EQ(Stimulus::install(sim(), bad_order).error().code, Errc::invalid_argument);
    StimulusSpec bad_atol = step(1.0);
    bad_atol.integration.solver = Solver::cvode;
    bad_atol.integration.atol = 0;
    EXPECT_EQ(Stimulus::install(sim(), bad_atol).error().code, Errc::invalid_argument);
    StimulusSpec cvode_tables = step(1.0);
    cvode_tables.integration.solver = Solver::cvode;
    cvode_tables.integration.rate_tables = true;
    EXPECT_EQ(Stimulus::install(sim(), cvode_tables).error().code, Errc::invalid_argument);
    StimulusSpec bad_epsp = step(1.0);
    bad_epsp.epsps.push_back({{"soma", 0.5}, 10.0, 0.5, 5.0, 5.0});
    EXPECT_EQ(Stimulus::install(sim(), bad_epsp).error().code, Errc::invalid_argument);
}

}  // namespace
}  // namespace silico::experiments
