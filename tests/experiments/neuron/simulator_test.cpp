#include "silico/neuron/simulator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "neuron_test_support.hpp"

namespace silico::experiments {
namespace {

using testing::eval;
using ::testing::HasSubstr;
using testing::hoc;
using testing::NeuronTest;

class SimulatorTest : public NeuronTest {};

TEST_F(SimulatorTest, InstanceIsOneProcessWideSimulator) {
    auto first = Simulator::instance();
    auto second = Simulator::instance();
    ASSERT_TRUE(first) << first.error().what();
    ASSERT_TRUE(second);
    EXPECT_EQ(*first, *second);
}

TEST_F(SimulatorTest, StdrunIsLoaded) {
    EXPECT_EQ(eval("name_declared(\"stdinit\")"), 1);  // 1: a hoc function or procedure
    EXPECT_EQ(eval("name_declared(\"cvode\")"), 2);    // 2: an object reference
}

TEST_F(SimulatorTest, HocRunsStatementsAndEvalReturnsTheirResults) {
    hoc("silico_test_x = 6");
    EXPECT_EQ(eval("silico_test_x * 7"), 42.0);
    EXPECT_DOUBLE_EQ(eval("sqrt(2)"), std::sqrt(2.0));
}

TEST_F(SimulatorTest, HocErrorCarriesNeuronsMessageAndTheInterpreterStaysUsable) {
    auto& sim = testing::simulator();
    auto failed = sim.hoc("silico_test_y = 1/0");
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().code, Errc::neuron);
    EXPECT_THAT(failed.error().message, HasSubstr("division by zero"));

    auto undefined = sim.hoc("{silico_no_such_function(3)}");
    ASSERT_FALSE(undefined);
    EXPECT_THAT(undefined.error().message, HasSubstr("silico_no_such_function undefined function"));

    auto not_a_mechanism = sim.hoc("{create silico_s}\n{silico_s insert silico_no_such_mechanism}");
    ASSERT_FALSE(not_a_mechanism);
    EXPECT_THAT(not_a_mechanism.error().message, HasSubstr("silico_no_such_mechanism is not a MECHANISM"));

    EXPECT_EQ(eval("1 + 1"), 2.0);
}

TEST_F(SimulatorTest, EvalOfABadExpressionNamesTheExpression) {
    auto value = testing::simulator().eval("silico_undefined_variable +");
    ASSERT_FALSE(value);
    EXPECT_EQ(value.error().code, Errc::neuron);
    EXPECT_THAT(value.error().what(), HasSubstr("silico_undefined_variable +"));
}

TEST_F(SimulatorTest, PrintedOutputIsCapturedForTheCaller) {
    auto& sim = testing::simulator();
    (void)sim.take_output();
    hoc("print 6 * 7");
    hoc("{printf(\"hello %d\\n\", 3)}");
    EXPECT_EQ(sim.take_output(), "42 \nhello 3\n");
    EXPECT_EQ(sim.take_output(), "");
}

TEST_F(SimulatorTest, VectorsRoundTripThroughNeuronMemory) {
    auto& sim = testing::simulator();
    hoc("objref silico_test_vec\nsilico_test_vec = new Vector(3)");
    const std::vector<double> data{1.5, -2.0, 1e-300, 4e12, 0.1};
    ASSERT_TRUE(sim.write_vector("silico_test_vec", data));
    EXPECT_EQ(eval("silico_test_vec.size()"), 5);
    EXPECT_EQ(eval("silico_test_vec.x[4]"), 0.1);
    auto back = sim.read_vector("silico_test_vec");
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(*back, data);
}

TEST_F(SimulatorTest, EmptyVectorsAreWrittenAndRead) {
    auto& sim = testing::simulator();
    hoc("objref silico_test_empty\nsilico_test_empty = new Vector(10)");
    ASSERT_TRUE(sim.write_vector("silico_test_empty", {}));
    EXPECT_EQ(eval("silico_test_empty.size()"), 0);
    auto back = sim.read_vector("silico_test_empty");
    ASSERT_TRUE(back);
    EXPECT_TRUE(back->empty());
}

TEST_F(SimulatorTest, ReadVectorRejectsWhatIsNotAVector) {
    auto& sim = testing::simulator();
    hoc("silico_test_scalar = 1\nobjref silico_test_list, silico_test_null\nsilico_test_list = new List()");
    auto missing = sim.read_vector("silico_test_nothing");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    auto scalar = sim.read_vector("silico_test_scalar");
    ASSERT_FALSE(scalar);
    EXPECT_EQ(scalar.error().code, Errc::invalid_argument);
    auto list = sim.read_vector("silico_test_list");
    ASSERT_FALSE(list);
    EXPECT_THAT(list.error().message, HasSubstr("List"));
    EXPECT_FALSE(sim.read_vector("silico_test_null"));
    EXPECT_FALSE(sim.write_vector("silico_test_list", std::vector<double>{1.0}));
}

TEST_F(SimulatorTest, ElementsOfObjrefArraysAreAddressedByIndex) {
    auto& sim = testing::simulator();
    hoc("objref silico_test_array[3]\n{for i = 0, 2 silico_test_array[i] = new Vector(i)}");
    ASSERT_TRUE(sim.write_vector("silico_test_array[2]", std::vector<double>{7, 8, 9}));
    EXPECT_EQ(eval("silico_test_array[2].x[1]"), 8.0);
    EXPECT_EQ(sim.read_vector("silico_test_array[1]").value(), std::vector<double>{0.0});
    EXPECT_FALSE(sim.read_vector("silico_test_array[3]"));  // out of range
    EXPECT_FALSE(sim.read_vector("silico_test_array"));     // an array needs an index
    EXPECT_FALSE(sim.read_vector("silico_test_array[-1]"));
    EXPECT_FALSE(sim.read_vector("silico_test_array[1"));
    hoc("objref silico_test_plain\nsilico_test_plain = new Vector()");
    EXPECT_FALSE(sim.read_vector("silico_test_plain[0]"));  // not an array
}

TEST(SimulatorVersion, IsTheShortNeuronVersion) {
    EXPECT_THAT(Simulator::version(), ::testing::MatchesRegex("[0-9]+\\.[0-9]+(\\.[0-9]+)?"));
}

// Issue 2's smoke test: a one-compartment cell, run in-process.
TEST_F(SimulatorTest, PassiveSomaRelaxesToItsReversalWithTheMembraneTimeConstant) {
    hoc("{create soma}\n{soma {L = 20  diam = 20  nseg = 1  cm = 1  insert pas  g_pas = 1e-4  e_pas = -70}}");
    hoc("objref silico_v, silico_t\n{silico_v = new Vector()  silico_v.record(&soma.v(0.5))}\n"
        "{silico_t = new Vector()  silico_t.record(&t)}");
    hoc("{dt = 0.001  v_init = -50  init()  while (t < 20) fadvance()}");
    auto& sim = testing::simulator();
    auto v = sim.read_vector("silico_v");
    auto t = sim.read_vector("silico_t");
    ASSERT_TRUE(v && t);
    const double tau = 1.0 / 1e-4 * 1e-3;  // cm / g = 1 uF/cm2 / 1e-4 S/cm2 = 10 ms
    for (std::size_t i = 0; i < t->size(); i += 1000) {
        const double expected = -70.0 + 20.0 * std::exp(-(*t)[i] / tau);
        EXPECT_NEAR((*v)[i], expected, 2e-3) << "t = " << (*t)[i];
    }
}

TEST_F(SimulatorTest, SomaWithSilicoSodiumAndPotassiumChannelsFiresOnACurrentStep) {
    hoc("{create soma}\n{soma {L = 20  diam = 20  insert pas  g_pas = 1e-4  e_pas = -75\n"
        "  insert NaTa_t  gNaTa_tbar_NaTa_t = 0.4  insert SKv3_1  gSKv3_1bar_SKv3_1 = 0.4  ena = 50  ek = "
        "-85}}");
    hoc("objref silico_stim, silico_v, silico_t\n{soma silico_stim = new IClamp(0.5)}\n"
        "{silico_stim.del = 20  silico_stim.dur = 50  silico_stim.amp = 0.15}\n"
        "{silico_v = new Vector()  silico_v.record(&soma.v(0.5))  silico_t = new Vector()  "
        "silico_t.record(&t)}");
    hoc("{v_init = -75  init()  while (t < 100) fadvance()}");
    auto v = testing::simulator().read_vector("silico_v");
    auto t = testing::simulator().read_vector("silico_t");
    ASSERT_TRUE(v && t);
    int spikes = 0;
    double before = 0.0;
    for (std::size_t i = 1; i < v->size(); ++i) {
        if ((*v)[i - 1] < 0 && (*v)[i] >= 0) ++spikes;
        if ((*t)[i] < 20) before = std::max(before, (*v)[i] + 75.0);
    }
    EXPECT_GE(spikes, 4);
    EXPECT_LT(before, 1.0);       // rest before the step
    EXPECT_LT(v->back(), -70.0);  // and back near rest after it
}

}  // namespace
}  // namespace silico::experiments
