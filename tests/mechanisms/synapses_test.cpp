// Event-driven synapses (glutamate_syn, gaba_syn), the epsp current and the VecStim event player, against
// ISF_SPEC.md sections 7.1-7.3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "neuron_test_support.hpp"

namespace silico::experiments {
namespace {

using testing::cvode_state_count;
using testing::eval;
using testing::hoc;

std::vector<double> read(const std::string& name) {
    auto values = testing::simulator().read_vector(name);
    EXPECT_TRUE(values) << values.error().what();
    return values.value_or(std::vector<double>{});
}

// 1 / (exp(-tp/decay) - exp(-tp/rise)) at the peak time tp of the double exponential.
double peak_factor(double decay, double rise) {
    const double tp = decay * rise / (decay - rise) * std::log(decay / rise);
    return 1 / (std::exp(-tp / decay) - std::exp(-tp / rise));
}

// ISF_SPEC.md 7.1: the NMDA Mg block at an implicit [Mg] of 1 mM.
double mg_block(double v) {
    return 1 / (1 + 0.25 * std::exp(-0.08 * v));
}

// The Mg block and the soma potential, sampled every step.
struct DrivenBlock {
    std::vector<double> mg, v;
};

class SynapseTest : public testing::NeuronTest {
  protected:
    // A large passive soma with one synapse of `kind`, driven by a VecStim playing `times`.
    void make_synapse(const std::string& kind, const std::string& times) {
        hoc("{create soma}\n{soma {L = 100  diam = 100  insert pas  g_pas = 1e-4  e_pas = -75}}");
        hoc("objref syn, stim, times, con, nil\n"
            "{soma syn = new " +
            kind +
            "(0.5)}\n"
            "{stim = new VecStim()  times = new Vector()  times.append(" +
            times +
            ")  stim.play(times)}\n"
            "{con = new NetCon(stim, syn)  con.delay = 0}");
    }
    // NetCons must not outlive the sections of their targets (NEURON would crash in the next finitialize).
    // A test that switches CVODE or the fast mode's tables on must not leave them on for the next one.
    void TearDown() override {
        hoc("{con = nil  syn = nil  stim = nil  cvode.active(0)  rate_tables_glutamate_syn = 0  "
            "rate_tables_gaba_syn = 0}");
    }

    // A clean slate inside one test, as between tests: the synapse and its sections go, CVODE is off.
    void restart() {
        TearDown();
        SetUp();
    }
    // Runs to `tstop` under CVODE with `settings` and an atol tight enough for the factors to follow their
    // equations to 1e-5; returns the time since the event at `event`.
    double run_under_cvode(const std::string& settings, double tstop, double event) {
        hoc("{" + settings + "  cvode.active(1)  cvode.atol(1e-6)}");
        run(tstop, 0.025);
        return eval("t") - event;
    }

    void record(const std::string& name, const std::string& reference) {
        hoc("objref " + name + "\n{" + name + " = new Vector()  " + name + ".record(" + reference + ")}");
    }
    void run(double tstop, double dt) {
        hoc("{dt = " + std::to_string(dt) + "  v_init = -75  init()  while (t < " + std::to_string(tstop) +
            ") fadvance()}");
    }
    // A glutamate synapse on a small soma with strong weights, so that the potential moves by tens of mV,
    // with the fast mode's table of the block on or off.
    DrivenBlock drive_nmda_block(bool table) {
        make_synapse("glutamate_syn", "5");
        hoc(std::string("{soma.L = 10  soma.diam = 10  con.weight[0] = 5  con.weight[1] = 5  ") +
            "rate_tables_glutamate_syn = " + (table ? "1" : "0") + "}");
        record("mg", "&syn.mgblock");
        record("vv", "&soma.v(0.5)");
        run(30, 0.025);
        return {read("mg"), read("vv")};
    }
};

TEST_F(SynapseTest, GlutamateNormalisationFactorsMatchTheSpecExample) {
    make_synapse("glutamate_syn", "5");
    hoc("{syn.tau1 = 26  syn.tau2 = 2  syn.tau3 = 2  syn.tau4 = 0.1  finitialize(-75)}");
    EXPECT_NEAR(eval("syn.factor_nmda"), 1.34150, 1e-5);
    EXPECT_NEAR(eval("syn.factor_ampa"), 1.23240, 1e-5);
    EXPECT_NEAR(eval("syn.factor_nmda"), peak_factor(26, 2), 1e-12);
}

TEST_F(SynapseTest, GlutamateSingleEventPeaksAtItsWeights) {
    make_synapse("glutamate_syn", "5");
    hoc("{syn.tau1 = 26  con.weight[0] = 1.5  con.weight[1] = 0.8}");
    record("g_ampa", "&syn.gampa");
    record("g_nmda", "&syn.gnmda");
    record("mg", "&syn.mgblock");
    record("tt", "&t");
    run(40, 0.001);
    const auto ampa = read("g_ampa");
    const auto nmda = read("g_nmda");
    const auto mg = read("mg");
    const auto t = read("tt");
    ASSERT_EQ(ampa.size(), t.size());
    const auto peak = std::max_element(ampa.begin(), ampa.end());
    EXPECT_NEAR(*peak, 1.5, 1.5e-4);
    const double tp_ampa = 2 * 0.1 / (2 - 0.1) * std::log(2 / 0.1);
    EXPECT_NEAR(t[static_cast<std::size_t>(peak - ampa.begin())], 5 + tp_ampa, 0.002);
    double nmda_peak = 0;
    for (std::size_t i = 0; i < nmda.size(); ++i) nmda_peak = std::max(nmda_peak, nmda[i] / mg[i]);
    EXPECT_NEAR(nmda_peak, 0.8, 1e-4);
    EXPECT_EQ(eval("syn.gampamax"), 1.5);
    EXPECT_EQ(eval("syn.gnmdamax"), 0.8);
    // Nothing before the event.
    for (std::size_t i = 0; t[i] < 4.99; ++i) ASSERT_EQ(ampa[i], 0.0);
}

TEST_F(SynapseTest, NmdaMagnesiumBlockFollowsTheMembranePotential) {
    const DrivenBlock d = drive_nmda_block(false);
    EXPECT_GT(*std::max_element(d.v.begin(), d.v.end()), -50.0);
    EXPECT_NEAR(d.mg[0], mg_block(-75.0), 1e-15);
    // The block of step i is computed from the potential at the start of the step (sample i-1).
    for (std::size_t i = 1; i < d.mg.size(); ++i) ASSERT_NEAR(d.mg[i], mg_block(d.v[i - 1]), 1e-14) << i;
}

TEST_F(SynapseTest, NmdaMagnesiumBlockFromTheFastModesTableStaysWithinTheInterpolationBound) {
    const DrivenBlock d = drive_nmda_block(true);
    // Linear interpolation 0.5 mV apart of 1 / (1 + 0.25 exp(-0.08 v)): at most h^2/8 max|f''| ~ 1.9e-5.
    double largest = 0;
    for (std::size_t i = 1; i < d.mg.size(); ++i) {
        ASSERT_NEAR(d.mg[i], mg_block(d.v[i - 1]), 2e-5) << i;
        largest = std::max(largest, std::abs(d.mg[i] - mg_block(d.v[i - 1])));
    }
    EXPECT_GT(largest, 1e-9) << "the block was computed, not interpolated";
}

// The fast mode decays a synapse's conductance states by a factor per step computed once per run, where the
// exact mode takes cnexp's exp and divisions every step: the same conductances up to rounding, at any dt (the
// factor follows dt; computed for dt 0.025 and run at 0.05 they are 2e-6 off). Most steps even
// give the same bits, because dt * ((e - 1) / dt) mostly rounds back to e - 1.
TEST_F(SynapseTest, InTheFastModeConductancesDecayAsInTheExactModeUpToRounding) {
    struct Case {
        std::string kind;
        std::vector<std::string> conductances;  // range variables of the synapse, independent of the Mg block
    };
    for (const Case& c : {Case{"glutamate_syn", {"gampa", "A", "B"}}, Case{"gaba_syn", {"ggaba"}}})
        for (double dt : {0.025, 0.05}) {
            std::vector<std::vector<double>> exact, fast;
            for (int table : {0, 1}) {
                make_synapse(c.kind, "5, 7.5");
                hoc("{con.weight[0] = 1  rate_tables_" + c.kind + " = " + std::to_string(table) + "}");
                if (c.kind == "glutamate_syn") hoc("{con.weight[1] = 1}");
                for (std::size_t k = 0; k < c.conductances.size(); ++k)
                    record("g" + std::to_string(k), "&syn." + c.conductances[k]);
                run(60, dt);
                auto& runs = table ? fast : exact;
                for (std::size_t k = 0; k < c.conductances.size(); ++k)
                    runs.push_back(read("g" + std::to_string(k)));
                restart();
            }
            for (std::size_t k = 0; k < exact.size(); ++k) {
                ASSERT_EQ(exact[k].size(), fast[k].size());
                const double peak = *std::max_element(exact[k].begin(), exact[k].end());
                ASSERT_GT(peak, 0.1) << c.kind << " " << c.conductances[k];
                for (std::size_t i = 0; i < exact[k].size(); ++i) {
                    ASSERT_NEAR(fast[k][i], exact[k][i], 1e-12 * peak)
                        << c.kind << " " << c.conductances[k] << " dt " << dt << " sample " << i;
                }
            }
        }
}

// CVODE integrates v and each state of a synapse once: glutamate_syn's A-D and its four factors, gaba_syn's R,
// D and two factors. (Equations for a state in both branches of an if make nocmodl list it twice.)
TEST_F(SynapseTest, UnderCvodeEveryStateIsIntegratedOnce) {
    for (const auto& [kind, states] : {std::pair<std::string, double>{"glutamate_syn", 8}, {"gaba_syn", 4}}) {
        make_synapse(kind, "5");
        hoc("{cvode.active(1)  finitialize(-75)}");
        EXPECT_EQ(cvode_state_count(), 1 + states) << kind;
        restart();
    }
}

TEST_F(SynapseTest, GlutamateDepressesAndFacilitatesPerEventAndRecovers) {
    make_synapse("glutamate_syn", "5, 10");
    hoc("{syn.decayampa = 0.5  syn.decaynmda = 0.7  syn.facilampa = 0.3  con.weight[0] = 1}");
    run(9.9, 0.025);
    const double since = eval("t") - 5.0;
    EXPECT_NEAR(eval("syn.dampa"), 1 - 0.5 * std::exp(-since / 200), 1e-9);
    EXPECT_NEAR(eval("syn.dnmda"), 1 - 0.3 * std::exp(-since / 200), 1e-9);
    EXPECT_NEAR(eval("syn.fampa"), 1 + 0.3 * std::exp(-since / 200), 1e-9);
    EXPECT_NEAR(eval("syn.fnmda"), 1.0, 1e-12);
}

TEST_F(SynapseTest, GlutamateFactorsStayExactlyOneWithoutDepressionOrFacilitation) {
    make_synapse("glutamate_syn", "5, 7, 9");
    hoc("{syn.decayampa = 1  syn.decaynmda = 1  syn.facilampa = 0  syn.facilnmda = 0  con.weight[0] = 1}");
    run(20, 0.025);
    EXPECT_EQ(eval("syn.dampa"), 1.0);
    EXPECT_EQ(eval("syn.dnmda"), 1.0);
    EXPECT_EQ(eval("syn.fampa"), 1.0);
    EXPECT_EQ(eval("syn.fnmda"), 1.0);
}

TEST_F(SynapseTest, GlutamateDepressionRecoversUnderCvodeToo) {
    make_synapse("glutamate_syn", "5");
    const double since = run_under_cvode(
        "syn.decayampa = 0.5  syn.decaynmda = 1  syn.facilnmda = 0.2  con.weight[0] = 1", 60, 5);
    EXPECT_NEAR(eval("syn.dampa"), 1 - 0.5 * std::exp(-since / 200), 1e-5);
    EXPECT_NEAR(eval("syn.fnmda"), 1 + 0.2 * std::exp(-since / 200), 1e-5);
    EXPECT_EQ(eval("syn.dnmda"), 1.0);
}

TEST_F(SynapseTest, GabaSingleEventPeaksAtItsWeightAndReversesAtE) {
    make_synapse("gaba_syn", "2");
    hoc("{syn.risetime = 1  syn.decaytime = 20  syn.e = -80  con.weight = 2}");
    record("g", "&syn.ggaba");
    record("ii", "&syn.i");
    record("vv", "&soma.v(0.5)");
    run(40, 0.001);
    EXPECT_NEAR(eval("syn.factor"), 1.23240, 1e-5);
    const auto g = read("g");
    const auto i = read("ii");
    const auto v = read("vv");
    EXPECT_NEAR(*std::max_element(g.begin(), g.end()), 2.0, 2e-4);
    for (std::size_t k = 1; k < g.size(); ++k) ASSERT_NEAR(i[k], 1e-3 * g[k] * (v[k - 1] + 80), 1e-15);
}

TEST_F(SynapseTest, GabaDepressionIsPerEvent) {
    make_synapse("gaba_syn", "2");
    hoc("{syn.decaygaba = 0.8  syn.facilgaba = 0.1}");
    run(2.5, 0.025);
    const double since = eval("t") - 2.0;
    EXPECT_NEAR(eval("syn.dgaba"), 1 - 0.2 * std::exp(-since / 200), 1e-9);
    EXPECT_NEAR(eval("syn.fgaba"), 1 + 0.1 * std::exp(-since / 200), 1e-9);
}

TEST_F(SynapseTest, GabaDepressionRecoversUnderCvodeTooAndAnUnusedFactorStaysOne) {
    make_synapse("gaba_syn", "2");
    const double since = run_under_cvode("syn.decaygaba = 0.8  syn.facilgaba = 0", 50, 2);
    EXPECT_NEAR(eval("syn.dgaba"), 1 - 0.2 * std::exp(-since / 200), 1e-5);
    EXPECT_EQ(eval("syn.fgaba"), 1.0);
}

class EpspTest : public testing::NeuronTest {};

TEST_F(EpspTest, CurrentPeaksAtImaxAtTheAnalyticPeakTime) {
    hoc("{create soma}\n{soma {L = 20  diam = 20  insert pas}}");
    hoc("objref e, ii, tt\n{soma e = new epsp(0.5)}\n{e.onset = 10  e.imax = 0.5  e.tau0 = 1  e.tau1 = 5}\n"
        "{ii = new Vector()  ii.record(&e.i)  tt = new Vector()  tt.record(&t)}");
    hoc("{dt = 0.001  v_init = -75  init()  while (t < 30) fadvance()}");
    const auto i = testing::simulator().read_vector("ii").value();
    const auto t = testing::simulator().read_vector("tt").value();
    const auto peak = std::min_element(i.begin(), i.end());
    EXPECT_NEAR(*peak, -0.5, 1e-6);  // inward: depolarising
    const double tpk = 1.0 * 5.0 * std::log(1.0 / 5.0) / (1.0 - 5.0);
    // The current of a step is evaluated at its middle, half a step before the recorded time.
    EXPECT_NEAR(t[static_cast<std::size_t>(peak - i.begin())] - 0.0005, 10 + tpk, 0.0011);
    for (std::size_t k = 0; t[k] < 9.99; ++k) ASSERT_EQ(i[k], 0.0);
}

class VecStimTest : public testing::NeuronTest {
  protected:
    void SetUp() override {
        NeuronTest::SetUp();
        hoc("objref vs, times, nc, out, nil\n"
            "{vs = new VecStim()  times = new Vector()  vs.play(times)}\n"
            "{nc = new NetCon(vs, nil)  out = new Vector()  nc.record(out)}");
    }
    void TearDown() override { hoc("{nc = nil  vs = nil}"); }

    std::vector<double> play(const std::vector<double>& times) {
        EXPECT_TRUE(testing::simulator().write_vector("times", times));
        hoc("{finitialize(-65)  while (t < 20) fadvance()}");
        return read("out");
    }
};

TEST_F(VecStimTest, DeliversEventsAtTheGivenTimes) {
    const std::vector<double> times{0.0123, 1.0, 2.5, 7.2501, 7.26, 19.0};
    EXPECT_EQ(play(times), times);
}

TEST_F(VecStimTest, RestartsAtTheFirstElementOnEveryInitialisation) {
    EXPECT_EQ(play({3.0, 4.0}), (std::vector<double>{3.0, 4.0}));
    EXPECT_EQ(play({3.0, 4.0}), (std::vector<double>{3.0, 4.0}));
    // The played Vector is overwritten in place between trials, with any size.
    EXPECT_EQ(play({1.5, 2.5, 12.0}), (std::vector<double>{1.5, 2.5, 12.0}));
    EXPECT_TRUE(play({}).empty());
    EXPECT_EQ(play({6.0}), (std::vector<double>{6.0}));
}

TEST_F(VecStimTest, DeliversExactTimesUnderCvodeToo) {
    hoc("{cvode.active(1)}");
    const std::vector<double> times{0.5, 5.00001, 13.3};
    EXPECT_EQ(play(times), times);
    hoc("{cvode.active(0)}");
}

}  // namespace
}  // namespace silico::experiments
