// The ISF/Amira hoc reader: ISF's line rules, the shipped morphologies, and errors at file:line.
#include <gtest/gtest.h>

#include "cell_test_data.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {
namespace {

constexpr std::string_view k_small = R"({create soma}
{access soma}
{nseg = 1}
{pt3dclear()}
{pt3dadd(0, 0, 0, 10)}
{pt3dadd(0, 10, 0, 10)}

/* a comment with pt3dadd(1,2,3,4) */
{create apical_1_0}
{connect apical_1_0(0), soma(0.75)}
{pt3dadd(0, 10, 0, 2)}
{pt3dadd(0, 110, 0, 1.5)}

{create BasalDendrite_1}
{connect BasalDendrite_1(0), soma(0.25)}
{pt3dadd(0, 0, 0, 1)}
{pt3dadd(0, -50, 0, 1)}
{pt3dadd(0, -60, 0, 1)}
)";

TEST(HocReader, ReadsSectionsInCreateOrderWithLabelsParentsAndPoints) {
    auto m = parse_hoc(k_small, "small.hoc");
    ASSERT_TRUE(m.has_value()) << m.error().what();
    ASSERT_EQ(m->sections.size(), 3u);
    EXPECT_EQ(m->sections[0].name, "soma");
    EXPECT_EQ(m->sections[0].label, "Soma");
    EXPECT_EQ(m->sections[0].parent_id, -1);
    EXPECT_EQ(m->sections[1].name, "apical_1_0");
    EXPECT_EQ(m->sections[1].label, "ApicalDendrite");
    EXPECT_EQ(m->sections[1].parent_id, 0);
    EXPECT_DOUBLE_EQ(m->sections[1].parent_x, 0.75);
    EXPECT_EQ(m->sections[2].label, "Dendrite");
    EXPECT_EQ(m->sections[2].points.size(), 3u);
    EXPECT_DOUBLE_EQ(m->sections[1].points[1].y, 110);
    EXPECT_DOUBLE_EQ(m->sections[1].points[1].d, 1.5);
    EXPECT_EQ(m->soma_id(), 0);
}

TEST(HocReader, StopsReadingPointsAtTheFirstOtherLineAndSkipsSpineLines) {
    auto m = parse_hoc(
        "{create soma}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)} // Spine\n{pt3dadd(2,0,0,1)}\n"
        "{access soma}\n{pt3dadd(9,9,9,9)}\n");
    ASSERT_TRUE(m.has_value()) << m.error().what();
    ASSERT_EQ(m->sections[0].points.size(), 2u);
    EXPECT_DOUBLE_EQ(m->sections[0].points[1].x, 2);
}

TEST(HocReader, ResolvesParentsDeclaredLater) {
    auto m = parse_hoc(
        "{create dend_a}\n{connect dend_a(0), soma(0.5)}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(5,0,0,1)}\n"
        "{create soma}\n{pt3dadd(0,0,0,9)}\n{pt3dadd(0,9,0,9)}\n");
    ASSERT_TRUE(m.has_value()) << m.error().what();
    EXPECT_EQ(m->sections[0].parent_id, 1);
    EXPECT_EQ(m->soma_id(), 1);
}

TEST(HocReader, ReadsTheShippedCell86) {
    auto m = read_hoc(test::k_hoc_86);
    ASSERT_TRUE(m.has_value()) << m.error().what();
    EXPECT_EQ(m->sections.size(), 167u);
    std::size_t points = 0;
    for (const auto& s : m->sections) points += s.points.size();
    EXPECT_EQ(points, 13962u);
    EXPECT_EQ(m->sections[6].name, "apical_1_0");
    EXPECT_EQ(m->sections[6].parent_id, 0);
    EXPECT_NEAR(m->sections[6].parent_x, 0.313299, 1e-12);
}

struct BadHoc {
    const char* text;
    int line;
    const char* message;
};

class HocReaderRejects : public testing::TestWithParam<BadHoc> {};

TEST_P(HocReaderRejects, NamingTheLineAndTheProblem) {
    auto m = parse_hoc(GetParam().text, "bad.hoc");
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, Errc::parse);
    EXPECT_EQ(m.error().context, "bad.hoc:" + std::to_string(GetParam().line)) << m.error().what();
    EXPECT_NE(m.error().message.find(GetParam().message), std::string::npos) << m.error().what();
}

INSTANTIATE_TEST_SUITE_P(
    MalformedFiles, HocReaderRejects,
    testing::Values(
        BadHoc{"{create soma}\n{pt3dadd(0,0,0)}\n", 2, "4 numbers"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1,2)}\n", 2, "4 numbers"},
        BadHoc{"{create soma}\n{pt3dadd(0,zero,0,1)}\n", 2, "not a number"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1}\n", 2, "(x, y, z, d)"},
        BadHoc{"{create apical_dend}\n", 1, "two section types"},
        BadHoc{"{create node_7}\n", 1, "cannot tell the section type"},
        BadHoc{"{create}\n", 1, "cannot tell"},
        BadHoc{"{connect dend(0), soma(0.5)}\n", 1, "before any create"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n{create dend}\n{connect dend(0) "
               "soma(0.5)}\n",
               5, "parent(x)"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n{create dend}\n{connect dend(0), "
               "soma(1.5)}\n",
               5, "[0, 1]"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n{create dend}\n{connect dend(0), "
               "axon(1)}\n"
               "{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n",
               5, "unknown parent"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n{create dend}\n{pt3dadd(0,0,0,1)}\n"
               "{pt3dadd(1,0,0,1)}\n",
               4, "no connect"},
        BadHoc{"{create soma}\n{create dend}\n", 1, "no pt3dadd"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1)}\n", 1, "at least 2"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(0,0,0,1)}\n", 1, "zero length"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n{create soma}\n", 4, "created twice"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n{create soma_b}\n{pt3dadd(0,0,0,1)}\n"
               "{pt3dadd(1,0,0,1)}\n",
               4, "second soma"},
        BadHoc{"{create soma}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n{create dend_a}\n{connect dend_a(0), "
               "dend_b(1)}\n"
               "{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n{create dend_b}\n{connect dend_b(0), dend_a(1)}\n"
               "{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n",
               4, "cycle"}));

TEST(HocReader, MissingFileIsNotFound) {
    auto m = read_hoc("/nonexistent/cell.hoc");
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, Errc::not_found);
}

TEST(HocReader, FileWithoutSomaIsRejected) {
    auto m = parse_hoc("{create dend}\n{connect dend(0), dend(1)}\n{pt3dadd(0,0,0,1)}\n{pt3dadd(1,0,0,1)}\n",
                       "x.hoc");
    ASSERT_FALSE(m.has_value());
}

}  // namespace
}  // namespace silico::experiments
