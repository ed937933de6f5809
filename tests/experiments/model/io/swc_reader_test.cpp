// The SWC reader: sections from unbranched runs, labels from types, and refusal of files without types or
// diameters (the shipped 86_C2_center.swc is such a file).
#include <gtest/gtest.h>

#include "cell_test_data.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {
namespace {

// Soma chain of 3 points; basal run of 2 points; apical trunk of 2 points that branches into two tufts.
constexpr std::string_view k_cell = R"(# a small pyramidal cell
1 1 0 0 0 5 -1
2 1 0 5 0 5 1
3 1 0 10 0 4 2
4 3 0 -5 0 1.0 1
5 3 0 -50 0 0.8 4
6 4 0 15 0 2.0 3
7 4 0 100 0 1.5 6
8 4 10 150 0 1.0 7
9 4 20 200 0 0.9 8
10 4 -10 150 0 1.0 7
)";

TEST(SwcReader, BuildsSectionsFromUnbranchedRunsWithTypesAsLabels) {
    auto m = parse_swc(k_cell, "cell.swc");
    ASSERT_TRUE(m.has_value()) << m.error().what();
    ASSERT_EQ(m->sections.size(), 5u);
    const auto& soma = m->sections[0];
    EXPECT_EQ(soma.label, "Soma");
    EXPECT_EQ(soma.points.size(), 3u);
    EXPECT_DOUBLE_EQ(soma.points[0].d, 10.0);
    const auto& basal = m->sections[1];
    EXPECT_EQ(basal.label, "Dendrite");
    EXPECT_EQ(basal.parent_id, 0);
    EXPECT_DOUBLE_EQ(basal.parent_x, 0.0);  // point 1 starts the soma
    EXPECT_EQ(basal.points.size(), 2u);     // soma children do not repeat a soma point
    const auto& trunk = m->sections[2];
    EXPECT_EQ(trunk.label, "ApicalDendrite");
    EXPECT_DOUBLE_EQ(trunk.parent_x, 1.0);
    EXPECT_EQ(trunk.points.size(), 2u);
    const auto& tuft1 = m->sections[3];
    EXPECT_EQ(tuft1.parent_id, 2);
    ASSERT_EQ(tuft1.points.size(), 3u);  // branch point, 8, 9
    EXPECT_DOUBLE_EQ(tuft1.points[0].y, 100);
    EXPECT_DOUBLE_EQ(tuft1.points[0].d, 3.0);  // the parent's diameter at the branch point
    EXPECT_EQ(m->sections[4].parent_id, 2);
    EXPECT_EQ(m->sections[4].points.size(), 2u);
}

TEST(SwcReader, OnePointSomaBecomesACylinderOfTheSphereArea) {
    auto m = parse_swc("1 1 0 0 0 6 -1\n2 3 0 -6 0 1 1\n3 3 0 -40 0 0.5 2\n", "s.swc");
    ASSERT_TRUE(m.has_value()) << m.error().what();
    const auto& soma = m->sections[0];
    ASSERT_EQ(soma.points.size(), 3u);
    EXPECT_DOUBLE_EQ(soma.points.front().y, -6);
    EXPECT_DOUBLE_EQ(soma.points.back().y, 6);
    EXPECT_DOUBLE_EQ(soma.points[1].d, 12);
    EXPECT_DOUBLE_EQ(m->sections[1].parent_x, 0.5);
}

TEST(SwcReader, ThreePointNeuroMorphoSomaIsReadAsAChain) {
    auto m =
        parse_swc("1 1 0 0 0 6 -1\n2 1 0 -6 0 6 1\n3 1 0 6 0 6 1\n4 4 0 6 0 2 3\n5 4 0 60 0 1 4\n", "s.swc");
    ASSERT_TRUE(m.has_value()) << m.error().what();
    const auto& soma = m->sections[0];
    ASSERT_EQ(soma.points.size(), 3u);
    EXPECT_DOUBLE_EQ(soma.points[0].y, -6);
    EXPECT_DOUBLE_EQ(soma.points[1].y, 0);
    EXPECT_DOUBLE_EQ(soma.points[2].y, 6);
    EXPECT_DOUBLE_EQ(m->sections[1].parent_x, 1.0);
}

TEST(SwcReader, RejectsTheShipped86SwcBecauseItHasNoTypesAndNoDiameters) {
    auto m = read_swc(test::k_swc_86);
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, Errc::parse);
    EXPECT_NE(m.error().message.find("neither section types"), std::string::npos) << m.error().what();
    EXPECT_NE(m.error().message.find("nor diameters"), std::string::npos) << m.error().what();
}

struct BadSwc {
    const char* text;
    const char* context;
    const char* message;
};

class SwcReaderRejects : public testing::TestWithParam<BadSwc> {};

TEST_P(SwcReaderRejects, SayingWhy) {
    auto m = parse_swc(GetParam().text, "bad.swc");
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, Errc::parse);
    EXPECT_EQ(m.error().context, GetParam().context) << m.error().what();
    EXPECT_NE(m.error().message.find(GetParam().message), std::string::npos) << m.error().what();
}

INSTANTIATE_TEST_SUITE_P(
    MalformedFiles, SwcReaderRejects,
    testing::Values(BadSwc{"1 1 0 0 0 5 -1\n2 1 0 5 0 4 1\n", "bad.swc", "no section types"},
                    BadSwc{"1 1 0 0 0 1 -1\n2 3 0 5 0 1 1\n", "bad.swc", "no diameters"},
                    BadSwc{"1 1 0 0 0 5 -1\n2 0 0 5 0 4 1\n", "bad.swc:2", "type 0"},
                    BadSwc{"1 1 0 0 0 5 -1\n2 7 0 5 0 4 1\n", "bad.swc:2", "type 7"},
                    BadSwc{"1 1 0 0 0 5 -1\n2 3 0 5 0 0 1\n", "bad.swc:2", "radius <= 0"},
                    BadSwc{"1 1 0 0 0 5 -1\n2 3 0 5 0 4\n", "bad.swc:2", "no radius?"},
                    BadSwc{"1 1 0 0 0 5 -1\n2 3 0 five 0 4 1\n", "bad.swc:2", "malformed"},
                    BadSwc{"1 1 0 0 0 5 -1\n1 3 0 5 0 4 1\n", "bad.swc:2", "appears twice"},
                    BadSwc{"1 1 0 0 0 5 -1\n2 3 0 5 0 4 9\n", "bad.swc:2", "unknown parent"},
                    BadSwc{"1 1 0 0 0 5 -1\n2 3 0 5 0 4 -1\n", "bad.swc:2", "second root"},
                    BadSwc{"1 3 0 0 0 5 -1\n2 1 0 5 0 4 1\n", "bad.swc:1", "not a soma point"},
                    BadSwc{"1 1 0 0 0 5 -1\n2 3 0 5 0 4 3\n3 3 0 9 0 3 2\n", "bad.swc", "cycle"},
                    BadSwc{"1 1 0 0 0 5 -1\n2 3 0 5 0 4 1\n3 1 0 9 0 3 2\n", "bad.swc:3",
                           "not part of the soma"},
                    BadSwc{"", "bad.swc", "no points"}));

}  // namespace
}  // namespace silico::experiments
