// Reading morphologies by extension, and what every reader checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "cell_test_data.hpp"
#include "silico/model/cell_model.hpp"

namespace silico::experiments {
namespace {

std::filesystem::path write_temp(const std::string& name, std::string_view text) {
    auto path = std::filesystem::temp_directory_path() / ("silico_morphology_test_" + name);
    std::ofstream(path) << text;
    return path;
}

TEST(Morphology, ReadMorphologyChoosesTheReaderByExtension) {
    auto hoc = read_morphology(test::k_hoc_86);
    ASSERT_TRUE(hoc.has_value()) << hoc.error().what();
    EXPECT_EQ(hoc->sections.size(), 167u);
    auto swc = write_temp("cell.SWC", "1 1 0 0 0 5 -1\n2 3 0 -5 0 1 1\n3 3 0 -40 0 0.5 2\n");
    auto m = read_morphology(swc);
    ASSERT_TRUE(m.has_value()) << m.error().what();
    EXPECT_EQ(m->sections.size(), 2u);
    std::filesystem::remove(swc);
}

TEST(Morphology, UnknownExtensionIsAnError) {
    auto m = read_morphology("cell.asc");
    ASSERT_FALSE(m.has_value());
    EXPECT_EQ(m.error().code, Errc::invalid_argument);
}

TEST(Morphology, SwcCellBuildsIntoAModelLikeAHocCell) {
    auto swc = write_temp("pyr.swc",
                          "1 1 0 0 0 5 -1\n2 1 0 0 5 5 1\n3 1 0 0 10 4 2\n4 3 0 0 -5 1 1\n5 3 0 0 -60 0.8 4\n"
                          "6 4 0 0 15 2 3\n7 4 0 0 300 1.5 6\n8 4 50 0 400 1 7\n9 4 -50 0 400 1 7\n");
    auto m = read_morphology(swc);
    ASSERT_TRUE(m.has_value()) << m.error().what();
    CellParameters none;
    auto c = build_cell_model(*m, none);
    ASSERT_TRUE(c.has_value()) << c.error().what();
    EXPECT_EQ(c->sections().size(), 5u);
    EXPECT_NEAR(*c->max_distance("ApicalDendrite"), 285 + std::sqrt(50.0 * 50 + 100 * 100), 1e-3);
    std::filesystem::remove(swc);
}

}  // namespace
}  // namespace silico::experiments
