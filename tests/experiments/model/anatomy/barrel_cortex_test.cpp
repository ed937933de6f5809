#include "silico/model/barrel_cortex.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace silico::experiments {
namespace {

const std::filesystem::path k_isf = std::filesystem::path(SILICO_SHARED_DIR) / "isf" / "barrel_cortex";

TEST(NrCells, ReadsIsfTable) {
    auto c = read_cell_type_counts(k_isf / "nrCells.csv");
    ASSERT_TRUE(c) << c.error().what();
    EXPECT_EQ(c->columns.size(), 24u);
    EXPECT_EQ(c->cell_types.size(), 22u);
    EXPECT_EQ(c->total(), 536162);  // ISF_SPEC / README: 536,162 presynaptic cells
    EXPECT_EQ(c->columns.front(), "Alpha");
    EXPECT_EQ(c->columns.back(), "E4");
    EXPECT_EQ(c->cell_types.front(), "L2");
    // L5tt in C2 (row 8, column 13 of the file).
    const auto t = static_cast<std::size_t>(std::find(c->cell_types.begin(), c->cell_types.end(), "L5tt") -
                                            c->cell_types.begin());
    const auto col =
        static_cast<std::size_t>(std::find(c->columns.begin(), c->columns.end(), "C2") - c->columns.begin());
    EXPECT_EQ(c->count(t, col), 1101);
    // Every type is one of ISF's classes.
    for (const auto& type : c->cell_types) EXPECT_TRUE(isf_cell_type_class(type)) << type;
    // The writer reproduces a table that reads back identically.
    auto back = parse_cell_type_counts(format_cell_type_counts(*c));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->counts, c->counts);
    EXPECT_EQ(back->columns, c->columns);
}

TEST(NrCells, ErrorsNameFileAndLine) {
    struct Case {
        std::string text, where, what;
    };
    const std::vector<Case> cases = {
        {"", "n.csv", "empty file"},
        {"TYPE\tA1\n", "n.csv:1", "header"},
        {"CELL TYPE\tA1\tA1\n", "n.csv:1", "appears twice"},
        {"CELL TYPE\tA1\tA2\nL2\t1\n", "n.csv:2", "has 1 counts"},
        {"CELL TYPE\tA1\nL2\t-1\n", "n.csv:2", "not a cell count"},
        {"CELL TYPE\tA1\nL2\t1.5\n", "n.csv:2", "not a cell count"},
        {"CELL TYPE\tA1\nL2\t1\n\nL2\t2\n", "n.csv:4", "appears twice"},
        {"CELL TYPE\tA1\n", "n.csv", "no cell type rows"},
    };
    for (const auto& c : cases) {
        auto r = parse_cell_type_counts(c.text, "n.csv");
        ASSERT_FALSE(r) << c.what;
        EXPECT_EQ(r.error().context, c.where) << r.error().what();
        EXPECT_NE(r.error().message.find(c.what), std::string::npos) << r.error().what();
    }
}

TEST(ConnectionsV8, ReadsIsfTable) {
    auto c = read_connection_constants(k_isf / "ConnectionsV8.csv");
    ASSERT_TRUE(c) << c.error().what();
    EXPECT_EQ(c->post_types.size(), 21u);
    const auto* l5tt = c->find("L5tt");
    ASSERT_NE(l5tt, nullptr);
    EXPECT_DOUBLE_EQ(l5tt->excitatory.length_apical, 1.68);
    EXPECT_DOUBLE_EQ(l5tt->excitatory.length_basal, 1.04);
    EXPECT_DOUBLE_EQ(l5tt->excitatory.area_soma, 0.0);
    EXPECT_DOUBLE_EQ(l5tt->inhibitory.area_soma, 0.03);
    EXPECT_DOUBLE_EQ(l5tt->inhibitory.length_apical, 0.0);
    const auto* sym = c->find("SymLocal3");
    ASSERT_NE(sym, nullptr);
    EXPECT_DOUBLE_EQ(sym->excitatory.area_basal, 0.37);
    EXPECT_EQ(c->find("VPM"), nullptr);
    auto back = parse_connection_constants(format_connection_constants(*c));
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_DOUBLE_EQ(back->find("L5tt")->excitatory.length_apical, 1.68);
}

TEST(ConnectionsV8, ErrorsNameFileAndLine) {
    const std::string header =
        "PRESYNAPTIC_CELLTYPE\tPOSTSYNAPTIC_CELLTYPE\tLENGTH_DENSITY_SOMA\tLENGTH_DENSITY_APICAL\t"
        "LENGTH_DENSITY_BASAL\tAREA_DENSITY_SOMA\tAREA_DENSITY_APICAL\tAREA_DENSITY_BASAL\n";
    struct Case {
        std::string text, where, what;
    };
    const std::vector<Case> cases = {
        {header + "ALL_EXCITATORY\tL5tt\t0\t1\t1\t0\t0\n", "c.csv:2", "8 tab-separated fields"},
        {header + "SOME\tL5tt\t0\t1\t1\t0\t0\t0\n", "c.csv:2", "neither ALL_EXCITATORY"},
        {header + "ALL_EXCITATORY\tL5tt\t0\tx\t1\t0\t0\t0\n", "c.csv:2", "LENGTH_DENSITY_APICAL of L5tt"},
        {header + "ALL_EXCITATORY\tL5tt\t0\t1\t1\t0\t0\t0\n", "c.csv:2", "no ALL_INHIBITORY row"},
        {header + "ALL_EXCITATORY\tL5tt\t0\t1\t1\t0\t0\t0\nALL_EXCITATORY\tL5tt\t0\t1\t1\t0\t0\t0\n",
         "c.csv:3", "second ALL_EXCITATORY"},
        {"PRESYNAPTIC_CELLTYPE\tPOST\tA\tB\tC\tD\tE\tF\n", "c.csv:1", "header field 2"},
    };
    for (const auto& c : cases) {
        auto r = parse_connection_constants(c.text, "c.csv");
        ASSERT_FALSE(r) << c.what;
        EXPECT_EQ(r.error().context, c.where) << r.error().what();
        EXPECT_NE(r.error().message.find(c.what), std::string::npos) << r.error().what();
    }
}

TEST(BoutonFolders, SortedAmFilesAndClearErrors) {
    const auto dir = std::filesystem::temp_directory_path() / "silico_bouton_folder_test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "C2" / "L2");
    for (auto name : {"b.am", "a.am", ".hidden"}) std::ofstream(dir / "C2" / "L2" / name) << "x";
    auto files = list_bouton_lattices(dir / "C2" / "L2");
    ASSERT_TRUE(files) << files.error().what();
    ASSERT_EQ(files->size(), 2u);
    EXPECT_EQ(files->at(0).filename(), "a.am");
    auto missing = list_bouton_lattices(dir / "C2" / "L34");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_NE(missing.error().what().find("C2/L34"), std::string::npos);
    std::ofstream(dir / "C2" / "L2" / "notes.txt") << "x";
    auto other = list_bouton_lattices(dir / "C2" / "L2");
    ASSERT_FALSE(other);
    EXPECT_NE(other.error().what().find("notes.txt"), std::string::npos);
    std::filesystem::create_directories(dir / "C2" / "VPM");
    auto empty = list_bouton_lattices(dir / "C2" / "VPM");
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().what().find("no .am file"), std::string::npos);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace silico::experiments
