// Cell parameter files and the eight spatial distributions with ISF's formulas (ISF_SPEC.md §2.6).
#include "silico/model/biophysics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "cell_test_data.hpp"

namespace silico::experiments {
namespace {

MechanismBlock parse_block(std::string_view text) {
    auto doc =
        recipes::parse_isf_param(std::string("{'neuron': {'filename': 'x.hoc', 'Soma': {'properties': {}, "
                                             "'mechanisms': {'range': {'m': ") +
                                 std::string(text) + "}}}}}");
    EXPECT_TRUE(doc.has_value()) << doc.error().what();
    auto p = parse_cell_parameters(*doc, "t.param");
    EXPECT_TRUE(p.has_value()) << p.error().what();
    return p->labels.at(0).mechanisms.at(0);
}

SegmentPosition at(double d1, double d2, double z = 0, bool apical = false, int id = 5) {
    SegmentPosition p;
    p.d1 = d1;
    p.d2 = d2;
    p.z_dist = z;
    p.apical = apical;
    p.section_id = id;
    return p;
}

TEST(Biophysics, ReadsCell86ParametersInFileOrder) {
    auto p = read_cell_parameters(test::k_param_86, {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}});
    ASSERT_TRUE(p.has_value()) << p.error().what();
    EXPECT_EQ(p->morphology, test::k_hoc_86);
    ASSERT_EQ(p->labels.size(), 5u);
    EXPECT_EQ(p->labels[0].label, "Soma");
    EXPECT_EQ(p->labels[4].label, "Myelin");
    EXPECT_TRUE(p->has_ais());
    EXPECT_EQ(*p->labels[0].property("Ra"), 100.0);
    ASSERT_EQ(p->labels[0].ions.size(), 2u);
    EXPECT_EQ(p->labels[0].ions[0].first, "ek");
    const auto& apical = p->labels[2];
    ASSERT_EQ(apical.mechanisms.size(), 9u);
    EXPECT_EQ(apical.mechanisms[2].name, "Ca_LVAst");
    EXPECT_EQ(apical.mechanisms[2].kind, SpatialKind::uniform_range);
    EXPECT_EQ(apical.mechanisms[8].kind, SpatialKind::exponential);
    EXPECT_TRUE(apical.mechanisms[8].relative);
    ASSERT_EQ(p->modify_functions.size(), 1u);
    EXPECT_EQ(p->modify_functions[0].name, "scale_apical_morph_86");
    EXPECT_EQ(*p->sim.temperature, 34.0);
    EXPECT_EQ(p->sim.recording_sites.size(), 1u);
}

TEST(Biophysics, UniformKeepsEveryValue) {
    auto m = parse_block("{'spatial': 'uniform', 'g': 3e-5, 'e': -90}");
    auto v = evaluate_mechanism(m, at(10, 20), 100);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0], (NamedValue{"g", 3e-5}));
    EXPECT_EQ(v[1], (NamedValue{"e", -90}));
}

TEST(Biophysics, LinearUsesSomaDistanceWithAFloorAtOffset) {
    auto m = parse_block(
        "{'spatial': 'linear', 'distance': 'absolute', 'slope': -0.001, 'offset': 0.2, 'gbar': 2}");
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(999, 100), 1000)[0].second, 2 * (100 * -0.001 + 1));
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(0, 900), 1000)[0].second, 2 * 0.2);
    auto rel =
        parse_block("{'spatial': 'linear', 'distance': 'relative', 'slope': 1, 'offset': 0, 'gbar': 2}");
    EXPECT_DOUBLE_EQ(evaluate_mechanism(rel, at(0, 500), 1000)[0].second, 2 * 1.5);
}

TEST(Biophysics, LinearCappedSetsOnlyTheNamedParameter) {
    auto m = parse_block(
        "{'spatial': 'linear_capped', 'distance': 'absolute', 'param_name': 'gbar', "
        "'prox_value': 1, 'dist_value': 3, 'dist_value_distance': 200}");
    auto v = evaluate_mechanism(m, at(0, 100), 1000);
    ASSERT_EQ(v.size(), 1u);
    EXPECT_EQ(v[0], (NamedValue{"gbar", 2}));
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(0, 250), 1000)[0].second, 3);
}

TEST(Biophysics, ExponentialUsesLabelDistance) {
    auto m = parse_block(
        "{'spatial': 'exponential', 'distance': 'relative', 'gIhbar': 2e-4, 'offset': -0.8696, "
        "'linScale': 2.087, '_lambda': 3.6161, 'xOffset': 0.0}");
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(500, 0), 1000)[0].second,
                     2e-4 * (-0.8696 + 2.087 * std::exp(3.6161 * (0.5 - 0.0))));
}

TEST(Biophysics, ExponentialByZDistUsesZForApicalSectionsInMillimetres) {
    auto m = parse_block(
        "{'spatial': 'exponential_by_z_dist', 'distance': 'absolute', 'g': 1, 'offset': 0, "
        "'linScale': 1, '_lambda': 2, 'xOffset': 0.1}");
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(50, 60, 300, true), 1000)[0].second, std::exp(2 * (0.3 - 0.1)));
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(50, 60, 300, false), 1000)[0].second,
                     std::exp(2 * (0.05 - 0.1)));
}

TEST(Biophysics, CappedExponentialStopsAtMaxG) {
    auto m = parse_block(
        "{'spatial': 'capped_exponential', 'distance': 'absolute', 'g': 1, 'offset': 0, "
        "'linScale': 1, '_lambda': 0.01, 'xOffset': 0, 'max_g': 5}");
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(100, 0), 1000)[0].second, std::exp(1.0));
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(300, 0), 1000)[0].second, 5);
}

TEST(Biophysics, SigmoidFollowsIsfFormula) {
    auto m = parse_block(
        "{'spatial': 'sigmoid', 'distance': 'absolute', 'g': 2, 'offset': 0.5, 'linScale': 1, "
        "'xOffset': 100, 'width': 20}");
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(100, 0), 1000)[0].second, 2 * (0.5 + 1 / 2.0));
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(140, 0), 1000)[0].second, 2 * (0.5 + 1 / (1 + std::exp(2.0))));
}

TEST(Biophysics, UniformRangeScalesOutsideTheRangeAndListedSections) {
    auto m = parse_block(
        "{'spatial': 'uniform_range', 'g': 0.104, 'begin': 900, 'end': 1100, "
        "'outsidescale': 0.01, 'outsidescale_sections': [7]}");
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(900, 0), 1576)[0].second, 0.104);
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(1100, 0), 1576)[0].second, 0.104);
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(1100.5, 0), 1576)[0].second, 0.104 * 0.01);
    EXPECT_DOUBLE_EQ(evaluate_mechanism(m, at(1000, 0, 0, false, 7), 1576)[0].second, 0.104 * 0.01);
}

struct BadParam {
    const char* neuron_block;
    const char* message;
};

class BiophysicsRejects : public testing::TestWithParam<BadParam> {};

TEST_P(BiophysicsRejects, NamingTheKey) {
    auto doc = recipes::parse_isf_param(std::string("{'neuron': ") + GetParam().neuron_block + "}");
    ASSERT_TRUE(doc.has_value()) << doc.error().what();
    auto p = parse_cell_parameters(*doc, "bad.param");
    ASSERT_FALSE(p.has_value());
    EXPECT_EQ(p.error().code, Errc::validation);
    EXPECT_NE(p.error().message.find(GetParam().message), std::string::npos) << p.error().what();
}

INSTANTIATE_TEST_SUITE_P(
    MalformedBlocks, BiophysicsRejects,
    testing::Values(
        BadParam{"{'Soma': {'properties': {}}}", "neuron.filename: missing"},
        BadParam{"{'filename': 'a.hoc', 'Soma': {}}", "neuron.Soma.properties: missing"},
        BadParam{"{'filename': 'a.hoc', 'Soma': {'properties': {'Ra': 'high'}}}",
                 "neuron.Soma.properties.Ra"},
        BadParam{
            "{'filename': 'a.hoc', 'Soma': {'properties': {}, 'mechanisms': {'range': {'pas': {'g': 1}}}}}",
            "neuron.Soma.mechanisms.range.pas.spatial: missing"},
        BadParam{"{'filename': 'a.hoc', 'Soma': {'properties': {}, 'mechanisms': {'range': {'pas': "
                 "{'spatial': 'step'}}}}}",
                 "unknown spatial kind 'step'"},
        BadParam{"{'filename': 'a.hoc', 'Soma': {'properties': {}, 'mechanisms': {'range': {'Ih': "
                 "{'spatial': 'exponential', 'distance': 'relative', 'offset': 0}}}}}",
                 "neuron.Soma.mechanisms.range.Ih.linScale: missing"},
        BadParam{"{'filename': 'a.hoc', 'Soma': {'properties': {}, 'mechanisms': {'range': {'Ih': "
                 "{'spatial': 'linear', 'slope': 1, 'offset': 0}}}}}",
                 "Ih.distance: missing"},
        BadParam{"{'filename': 'a.hoc', 'discretization': {'f': 100}}", "max_seg_length: missing"}));

}  // namespace
}  // namespace silico::experiments
