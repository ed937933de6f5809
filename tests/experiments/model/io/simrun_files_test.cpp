#include "silico/model/simrun_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace silico::experiments {
namespace {

const std::string k_run = SILICO_SHARED_DIR
    "/isf/getting_started/example_data/simulation_data/C2_evoked_UpState_INH_PW_1.0_SuW_0.5_C2center/"
    "20150815-1530_20240/";

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path = std::filesystem::temp_directory_path() /
               ("silico_simrun_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(SynapseActivationFile, StoredTrialReadsWithAllRowsAndTimes) {
    auto rows = read_synapse_activation_file(k_run + "simulation_run0000_synapses.csv");
    ASSERT_TRUE(rows) << rows.error().what();
    EXPECT_EQ(rows->size(), 4428u);
    const auto& first = (*rows)[0];
    EXPECT_EQ(first.synapse_type, "L1_C1");
    EXPECT_EQ(first.synapse_id, 19);
    EXPECT_EQ(first.soma_distance, 1539.71545505);
    EXPECT_EQ(first.section_id, 50);
    EXPECT_EQ(first.section_pt_id, 80);
    EXPECT_EQ(first.dendrite_label, "ApicalDendrite");
    EXPECT_EQ(first.times, std::vector<double>{14.3144635349});
}

TEST(SynapseActivationFile, WritingTheStoredTrialReadsBackEqual) {
    TempDir dir;
    auto rows = read_synapse_activation_file(k_run + "simulation_run0000_synapses.csv");
    ASSERT_TRUE(rows);
    auto out = dir.path / synapse_activation_file_name(0);
    ASSERT_TRUE(write_synapse_activation_file(out, *rows));
    auto again = read_synapse_activation_file(out);
    ASSERT_TRUE(again) << again.error().what();
    EXPECT_EQ(*again, *rows);
    // Python-style shortest floats reproduce the 2015 file byte for byte.
    EXPECT_EQ(slurp(out), slurp(k_run + "simulation_run0000_synapses.csv"));
}

TEST(PresynapticCellsFile, WritingTheStoredTrialReadsBackEqual) {
    TempDir dir;
    auto rows = read_presynaptic_cells_file(k_run + "simulation_run0000_presynaptic_cells.csv");
    ASSERT_TRUE(rows) << rows.error().what();
    ASSERT_FALSE(rows->empty());
    EXPECT_EQ((*rows)[1].cell_type, "L1_B1");
    EXPECT_EQ((*rows)[1].cell_id, 6);
    EXPECT_EQ((*rows)[1].times, (std::vector<double>{174.863960609, 281.277497845}));
    auto out = dir.path / presynaptic_cells_file_name(0);
    ASSERT_TRUE(write_presynaptic_cells_file(out, *rows));
    auto again = read_presynaptic_cells_file(out);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *rows);
}

TEST(SynapseActivationFile, MixedDelimitersAndMissingTrailingCommaAreAccepted) {
    auto rows = parse_synapse_activation(
        "# h\nL2_C2,3,10.5\t7\t2,Dendrite\t1.5,2.5\n\nL4_C2\t0\t1\t0\t0\tSoma\t3,\n");
    ASSERT_TRUE(rows) << rows.error().what();
    ASSERT_EQ(rows->size(), 2u);
    EXPECT_EQ((*rows)[0].times, (std::vector<double>{1.5, 2.5}));
    EXPECT_EQ((*rows)[1].times, std::vector<double>{3.0});
}

TEST(SynapseActivationFile, BadFieldsAreReportedWithFileAndLine) {
    auto bad = parse_synapse_activation("# h\nL2_C2\t3\t10.5\t7\t2\tDendrite\t1.5,x,\n", "s.csv");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::parse);
    EXPECT_EQ(bad.error().context, "s.csv:2");
    auto short_line = parse_synapse_activation("L2_C2\t3\n", "t.csv");
    ASSERT_FALSE(short_line);
    EXPECT_EQ(short_line.error().context, "t.csv:1");
    auto cells = parse_presynaptic_cells("# h\nL2_C2\tq\t1,\n", "c.csv");
    ASSERT_FALSE(cells);
    EXPECT_EQ(cells.error().context, "c.csv:2");
}

TEST(VmTraces, StoredSomaTracesRoundTrip) {
    TempDir dir;
    auto traces = read_vm_traces_file(k_run + "20240_vm_all_traces.csv");
    ASSERT_TRUE(traces) << traces.error().what();
    EXPECT_EQ(traces->labels, make_vm_labels(6));
    EXPECT_EQ(traces->t.front(), 100.0);
    EXPECT_EQ(traces->runs[0][0], -61.4607218758);
    auto out = dir.path / "x_vm_all_traces.csv";
    ASSERT_TRUE(write_vm_traces_file(out, *traces));
    auto again = read_vm_traces_file(out);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *traces);
    auto bad = parse_vm_traces("t\tVm run 00\n1.0\t2.0\n2.0\n", "v.csv");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().context, "v.csv:3");
}

TEST(SimrunNames, FollowIsfPatterns) {
    EXPECT_EQ(synapse_activation_file_name(3), "simulation_run0003_synapses.csv");
    EXPECT_EQ(presynaptic_cells_file_name(12), "simulation_run0012_presynaptic_cells.csv");
    EXPECT_EQ(make_vm_labels(2)[1], "Vm run 01");
}

TEST(SimrunFloats, WrittenLikePythonStr) {
    std::vector<SynapseActivationRow> rows = {
        {"A_B", 1, 100.0, 2, 3, "Soma", {1e-05, 0.0001, 2.5, 1.5e16, 123456.789}}};
    std::string text = format_synapse_activation(rows);
    EXPECT_NE(text.find("A_B\t1\t100.0\t2\t3\tSoma\t1e-05,0.0001,2.5,1.5e+16,123456.789,\n"),
              std::string::npos)
        << text;
}

}  // namespace
}  // namespace silico::experiments
