// Amira landmark files (recording sites).
#include <gtest/gtest.h>

#include "cell_test_data.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {
namespace {

TEST(LandmarkReader, ReadsTheOnePointOfTheShippedFile) {
    auto points = read_landmarks(test::k_landmarks);
    ASSERT_TRUE(points.has_value()) << points.error().what();
    ASSERT_EQ(points->size(), 1u);  // it declares 2 markers but holds one point, as ISF reads it
    EXPECT_DOUBLE_EQ((*points)[0].x, -7.780574035644531e+01);
    EXPECT_DOUBLE_EQ((*points)[0].y, 4.308837585449219e+02);
    EXPECT_DOUBLE_EQ((*points)[0].z, 3.106405334472656e+02);
}

TEST(LandmarkReader, ReadsEveryPointAfterTheDataMarker) {
    auto points =
        parse_landmarks("define Markers 2\nMarkers { float[3] Coordinates } @1\n@1\n1 2 3\n\n4 5 6\n");
    ASSERT_TRUE(points.has_value()) << points.error().what();
    ASSERT_EQ(points->size(), 2u);
    EXPECT_DOUBLE_EQ((*points)[1].z, 6);
}

TEST(LandmarkReader, RejectsALineThatIsNotThreeNumbers) {
    auto points = parse_landmarks("@1\n1 2 3\n1 2\n", "l.landmarkAscii");
    ASSERT_FALSE(points.has_value());
    EXPECT_EQ(points.error().context, "l.landmarkAscii:3");
}

TEST(LandmarkReader, RejectsAFileWithoutData) {
    EXPECT_FALSE(parse_landmarks("# AmiraMesh 3D ASCII 2.0\n").has_value());
}

}  // namespace
}  // namespace silico::experiments
