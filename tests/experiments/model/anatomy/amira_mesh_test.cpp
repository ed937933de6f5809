#include "silico/model/amira_mesh.hpp"

#include <gtest/gtest.h>

#include <string>

namespace silico::experiments {
namespace {

std::string lattice_text(const std::string& data, const std::string& dims = "2 3 2",
                         const std::string& box = "BoundingBox 0 50 0 100 -25 25,") {
    return "# AmiraMesh 3D ASCII 2.0\n\n\ndefine Lattice " + dims +
           "\n\nParameters {\n    Content \"x\",\n    " + box +
           "\n    CoordType \"uniform\"\n}\n\nLattice { float Data } @1\n\n# Data section follows\n@1\n" +
           data;
}

std::string values(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += std::to_string(i) + ".5\n";
    return s;
}

TEST(AmiraLattice, ReadsHeaderAndValuesXFastest) {
    auto l = parse_amira_lattice(lattice_text(values(12)), "t.am");
    ASSERT_TRUE(l) << l.error().what();
    EXPECT_EQ(l->dims, (std::array<int, 3>{2, 3, 2}));
    for (int a = 0; a < 3; ++a) EXPECT_DOUBLE_EQ(l->spacing[a], 50.0);
    // The bounding box holds voxel centres; the origin is the low corner of voxel 0.
    EXPECT_DOUBLE_EQ(l->origin[0], -25.0);
    EXPECT_DOUBLE_EQ(l->origin[1], -25.0);
    EXPECT_DOUBLE_EQ(l->origin[2], -50.0);
    EXPECT_DOUBLE_EQ(l->at(1, 0, 0), 1.5);
    EXPECT_DOUBLE_EQ(l->at(0, 1, 0), 2.5);
    EXPECT_DOUBLE_EQ(l->at(0, 0, 1), 6.5);
    EXPECT_DOUBLE_EQ(l->at(1, 2, 1), 11.5);
}

TEST(AmiraLattice, NearestVoxelIsTheOneContainingThePoint) {
    auto l = parse_amira_lattice(lattice_text(values(12)), "t.am");
    ASSERT_TRUE(l);
    EXPECT_DOUBLE_EQ(l->value_at({24.9, 75.1, 0.1}), l->at(0, 2, 1));
    EXPECT_DOUBLE_EQ(l->value_at({25.0, 0, -1}), l->at(1, 0, 0));  // faces belong to the upper voxel
    EXPECT_DOUBLE_EQ(l->value_at({-25.1, 0, 0}), 0.0);             // outside: 0
    EXPECT_DOUBLE_EQ(l->value_at({75.0, 0, 0}), 0.0);              // the upper bound is outside
    EXPECT_FALSE(l->voxel_of({0, 125.0, 0}));
}

TEST(AmiraLattice, SpacingLineIsUsedAndChecked) {
    auto l = parse_amira_lattice(
        lattice_text(values(12), "2 3 2", "BoundingBox 0 50 0 100 -25 25,\n    Spacing 50 50 50,"), "t.am");
    ASSERT_TRUE(l) << l.error().what();
    auto bad = parse_amira_lattice(
        lattice_text(values(12), "2 3 2", "BoundingBox 0 50 0 100 -25 25,\n    Spacing 40 50 50,"), "t.am");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().what().find("Spacing x"), std::string::npos) << bad.error().what();
    // One voxel along an axis needs the Spacing line.
    auto one = parse_amira_lattice(lattice_text("1\n2\n", "1 2 1", "BoundingBox 5 5 0 10 3 3,"), "t.am");
    ASSERT_FALSE(one);
    EXPECT_NE(one.error().what().find("t.am:4"), std::string::npos) << one.error().what();
    auto ok = parse_amira_lattice(
        lattice_text("1\n2\n", "1 2 1", "BoundingBox 5 5 0 10 3 3,\n Spacing 2 10 4"), "t.am");
    ASSERT_TRUE(ok) << ok.error().what();
    EXPECT_DOUBLE_EQ(ok->origin[0], 4.0);
    EXPECT_DOUBLE_EQ(ok->origin[2], 1.0);
}

TEST(AmiraLattice, ErrorsNameFileAndLine) {
    struct Case {
        std::string text, where, what;
    };
    const std::string v12 = values(12);
    const std::vector<Case> cases = {
        {"hello\n", "t.am:1", "not an AmiraMesh file"},
        {"# AmiraMesh BINARY-LITTLE-ENDIAN 2.1\n", "t.am:1", "only ASCII"},
        {lattice_text(v12, "2 x 2"), "t.am:4", "not a positive integer"},
        {lattice_text(v12, "2 0 2"), "t.am:4", "not a positive integer"},
        {lattice_text(v12, "2 3"), "t.am:4", "needs 3 sizes"},
        {lattice_text(v12, "2 3 2", "BoundingBox 0 50 0 100 -25,"), "t.am:8", "BoundingBox needs 6 numbers"},
        {lattice_text(v12, "2 3 2", "BoundingBox 0 50 0 nan -25 25,"), "t.am:8", "not a finite number"},
        {lattice_text(v12, "2 3 2", "BoundingBox 50 0 0 100 -25 25,"), "t.am:8", "reversed"},
        {lattice_text(values(11)), "t.am:27", "the data section has 11"},
        {lattice_text(values(13)), "t.am:28", "more than the 12 values"},
        {lattice_text("0\n1\n2\nx\n" + values(8)), "t.am:19", "'x' is not a finite number"},
        {lattice_text("0\n1\ninf\n" + values(9)), "t.am:18", "'inf' is not a finite number"},
        {lattice_text(v12, "2 3 2", "Content \"x\","), "t.am", "no BoundingBox"},
        {"# AmiraMesh 3D ASCII 2.0\ndefine Lattice 2 2 2\nBoundingBox 0 1 0 1 0 1\nLattice { float[3] Data } "
         "@1\n@1\n",
         "t.am:4", "one scalar per voxel"},
        {"# AmiraMesh 3D ASCII 2.0\ndefine Lattice 2 2 2\nBoundingBox 0 1 0 1 0 1\n@1\n", "t.am:4",
         "data section before"},
        {"# AmiraMesh 3D ASCII 2.0\ndefine Lattice 2 2 2\nBoundingBox 0 1 0 1 0 1\nLattice { float Data } "
         "@1\n",
         "t.am", "no '@1' data section"},
        {"# AmiraMesh 3D ASCII 2.0\ndefine Lattice 100000 100000 100000\nBoundingBox 0 1 0 1 0 1\nLattice { "
         "float "
         "Data } @1\n@1\n1\n",
         "t.am:2", "more than 2^31"},
        {"# AmiraMesh 3D ASCII 2.0\ndefine Lattice 1000 1000 10\nBoundingBox 0 1 0 1 0 1\nLattice { float "
         "Data } "
         "@1\n@1\n1\n",
         "t.am:2", "has only"},
    };
    for (const auto& c : cases) {
        auto l = parse_amira_lattice(c.text, "t.am");
        ASSERT_FALSE(l) << c.what;
        EXPECT_EQ(l.error().code, Errc::parse);
        EXPECT_EQ(l.error().context, c.where) << l.error().what();
        EXPECT_NE(l.error().message.find(c.what), std::string::npos) << l.error().what();
    }
}

TEST(AmiraLattice, StopsAtTheNextDataSectionAndAcceptsAnyWhitespace) {
    auto l = parse_amira_lattice(lattice_text("0 1 2 3\t4 5\r\n6 7 8 9 10 11\n@2\n1 2 3\n"), "t.am");
    ASSERT_TRUE(l) << l.error().what();
    EXPECT_DOUBLE_EQ(l->at(1, 2, 1), 11.0);
}

TEST(AmiraLattice, FormatReadsBackAndCropKeepsAlignment) {
    ScalarLattice l;
    l.dims = {4, 3, 2};
    l.origin = {-100.0, 20.0, 7.5};
    l.spacing = {25.0, 50.0, 10.0};
    l.values.assign(l.voxel_count(), 0.0);
    l.values[l.index(1, 1, 0)] = 0.1;
    l.values[l.index(2, 2, 1)] = 3.0e-7;
    auto back = parse_amira_lattice(format_amira_lattice(l), "f.am");
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(back->dims, l.dims);
    EXPECT_EQ(back->values, l.values);
    for (int a = 0; a < 3; ++a) {
        EXPECT_NEAR(back->origin[a], l.origin[a], 1e-12);
        EXPECT_DOUBLE_EQ(back->spacing[a], l.spacing[a]);
    }
    crop_to_nonzero(*back);
    EXPECT_EQ(back->dims, (std::array<int, 3>{2, 2, 2}));
    EXPECT_NEAR(back->origin[0], -75.0, 1e-12);
    EXPECT_NEAR(back->origin[1], 70.0, 1e-12);
    EXPECT_NEAR(back->origin[2], 7.5, 1e-12);
    EXPECT_DOUBLE_EQ(back->at(0, 0, 0), 0.1);
    EXPECT_DOUBLE_EQ(back->at(1, 1, 1), 3.0e-7);
    EXPECT_DOUBLE_EQ(back->value_at({-40.0, 130.0, 20.0}), 3.0e-7);
}

}  // namespace
}  // namespace silico::experiments
