#include "silico/neuron/recording.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace silico::experiments {
namespace {

// ISF's own test of simple_spike_detection (spec section 11): t = 0..6, v = -5..1.
TEST(DetectSpikes, ReportsTheFirstSampleAtOrAboveThresholdOfEachUpwardCrossing) {
    const std::vector<double> t{0, 1, 2, 3, 4, 5, 6};
    const std::vector<double> v{-5, -4, -3, -2, -1, 0, 1};
    EXPECT_EQ(detect_spikes(t, v), std::vector<double>{5});
    EXPECT_EQ(detect_spikes(t, v, -2.0), std::vector<double>{3});
}

TEST(DetectSpikes, CountsEveryCrossingAndIgnoresDownwardOnes) {
    const std::vector<double> t{0, 1, 2, 3, 4, 5, 6, 7};
    const std::vector<double> v{-70, 20, 30, -60, 0, -1, 5, -70};
    EXPECT_EQ(detect_spikes(t, v), (std::vector<double>{1, 4, 6}));
}

TEST(DetectSpikes, ATraceStartingAboveThresholdIsNotASpike) {
    const std::vector<double> t{0, 1, 2};
    const std::vector<double> v{10, 20, 30};
    EXPECT_TRUE(detect_spikes(t, v).empty());
    EXPECT_TRUE(detect_spikes({}, {}).empty());
}

TEST(HocVariableName, TranslatesMechanismDotVariableToHocRangeNames) {
    EXPECT_EQ(hoc_variable_name("Ca_LVAst.ica").value(), "ica_Ca_LVAst");
    EXPECT_EQ(hoc_variable_name("NaTa_t.m").value(), "m_NaTa_t");
    EXPECT_EQ(hoc_variable_name("v").value(), "v");
    EXPECT_EQ(hoc_variable_name("cai").value(), "cai");
    EXPECT_EQ(hoc_variable_name("gIh_Ih").value(), "gIh_Ih");
}

TEST(HocVariableName, RejectsAnythingThatIsNotAnIdentifier) {
    for (const char* bad : {"", ".ica", "Ca_LVAst.", "a.b.c", "v)\nquit()", "1v", "v x"})
        EXPECT_FALSE(hoc_variable_name(bad)) << bad;
}

TEST(HocReference, PointsAtASectionPositionAndVariable) {
    EXPECT_EQ(hoc_reference({"soma", {"soma", 0.5}, "v"}).value(), "&soma.v(0.5)");
    EXPECT_EQ(hoc_reference({"ca", {"dend[12]", 0.25}, "Ca_HVA.ica"}).value(), "&dend[12].ica_Ca_HVA(0.25)");
    EXPECT_EQ(hoc_reference({"c", {"cell.apic[3]", 1.0}, "cai"}).value(), "&cell.apic[3].cai(1)");
}

TEST(HocReference, RejectsBadSectionsAndPositions) {
    EXPECT_FALSE(hoc_reference({"p", {"", 0.5}, "v"}));
    EXPECT_FALSE(hoc_reference({"p", {"soma}\n{quit()", 0.5}, "v"}));
    EXPECT_FALSE(hoc_reference({"p", {"dend[x]", 0.5}, "v"}));
    EXPECT_FALSE(hoc_reference({"p", {"dend[]", 0.5}, "v"}));
    EXPECT_FALSE(hoc_reference({"p", {"soma", 1.5}, "v"}));
    EXPECT_FALSE(hoc_reference({"p", {"soma", -0.1}, "v"}));
    auto error = hoc_reference({"probe7", {"soma", 0.5}, "v v"});
    ASSERT_FALSE(error);
    EXPECT_EQ(error.error().context, "probe7");
}

}  // namespace
}  // namespace silico::experiments
