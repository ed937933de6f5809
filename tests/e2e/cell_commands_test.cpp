// `silico cell summary`, `run-lengths`, `generate-example` and `generate-example-network`
// (runner/src/commands/cell_commands.cpp), run as the real executable.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cell_test_data.hpp"
#include "shell.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {
namespace {

const std::string k_silico = std::string(SILICO_EXE);

silico::testing::ShellRun run(const std::string& arguments) {
    return silico::testing::run_shell(k_silico + " " + arguments);
}

TEST(CellCommands, SummaryOfCell86ReportsIsfNumbers) {
    auto r = run("cell summary --json --morphology " + test::k_hoc_86 + " --biophysics " + test::k_param_86 +
                 " --path-map IN_SILICO_FRAMEWORK_DIR=" + test::k_isf_dir);
    ASSERT_EQ(r.status, 0) << r.out;
    auto s = nlohmann::json::parse(r.out);
    EXPECT_EQ(s["sections"], 170);
    EXPECT_EQ(s["segments"], 1142);
    EXPECT_NEAR(s["length_um"].get<double>(), 16340.39, 0.005);
    EXPECT_NEAR(s["max_apical_distance_um"].get<double>(), 1576.55, 0.005);
    EXPECT_EQ(s["cell_modify_functions"], nlohmann::json::array({"scale_apical_morph_86"}));
    std::map<std::string, nlohmann::json> labels;
    for (const auto& l : s["labels"]) labels[l["label"]] = l;
    EXPECT_NEAR(labels["Soma"]["area_um2"].get<double>(), 916.46, 0.005);
    EXPECT_NEAR(labels["ApicalDendrite"]["area_um2"].get<double>(), 27211.75, 0.005);
    EXPECT_EQ(labels["Dendrite"]["segments"], 483);
    EXPECT_NEAR(
        s["dendritic_length_um"].get<double>(),
        labels["Dendrite"]["length_um"].get<double>() + labels["ApicalDendrite"]["length_um"].get<double>(),
        1e-9);
}

TEST(CellCommands, SummaryWithoutBiophysicsUsesTheMorphologyAlone) {
    auto r = run("cell summary --morphology " + test::k_hoc_86);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("ApicalDendrite"), std::string::npos);
    EXPECT_EQ(r.out.find("AIS"), std::string::npos);  // no AIS block, no axon
    EXPECT_NE(r.out.find("max apical distance"), std::string::npos);
}

TEST(CellCommands, SummaryRefusesTheUnlabelledSwcWithExitStatus2) {
    auto r = run("cell summary --morphology " + test::k_swc_86);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("neither section types"), std::string::npos) << r.out;
}

TEST(CellCommands, GenerateExampleWritesTheShippedCell) {
    const std::string out = ::testing::TempDir() + "silico_example_cell.hoc";
    auto r = run("cell generate-example -o " + out);
    ASSERT_EQ(r.status, 0) << r.out;
    auto written = read_text_file(out);
    auto shipped = read_text_file(SILICO_SOURCE_DIR "/recipes/examples/cells/l5pt_example.hoc");
    ASSERT_TRUE(written && shipped);
    EXPECT_EQ(*written, *shipped);
    std::remove(out.c_str());
}

TEST(CellCommands, GenerateExampleNetworkWritesTheShippedNetworkFiles) {
    const std::string dir = ::testing::TempDir() + "silico_example_network";
    auto r = run("cell generate-example-network -o " + dir);
    ASSERT_EQ(r.status, 0) << r.out;
    for (const char* name : {"l5pt_example.syn", "l5pt_example.con", "l5pt_example_network.param"}) {
        auto written = read_text_file(dir + "/" + name);
        auto shipped = read_text_file(std::string(SILICO_SOURCE_DIR "/recipes/examples/cells/") + name);
        ASSERT_TRUE(written && shipped) << name;
        EXPECT_TRUE(*written == *shipped) << name;
        std::remove((dir + "/" + name).c_str());
    }
}

TEST(CellCommands, GenerateExampleNetworkFailsOnAMissingMorphologyNamingIt) {
    auto r = run("cell generate-example-network -o " + ::testing::TempDir() + " --morphology /nonexistent.hoc");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(r.out.find("/nonexistent.hoc: no such file"), std::string::npos) << r.out;
}

// The 2015 run of cell 86 against the shipped morphology (registered elsewhere: float32-level differences)
// and against the scaled-diameters file (the run's registration for many sections); a .syn of another cell
// is refused with exit status 2.
TEST(CellCommands, RunLengthsTellsWhetherAReplayNeedsTheRunsLengths) {
    const std::string run_files =
        " --activation " + test::k_run_2015 + "/simulation_run0000_synapses.csv --syn " + test::k_syn_86;
    auto shipped = run("cell run-lengths --json --morphology " + test::k_hoc_86 + run_files);
    ASSERT_EQ(shipped.status, 0) << shipped.out;
    auto s = nlohmann::json::parse(shipped.out);
    EXPECT_EQ(s["sections"], 167);
    EXPECT_EQ(s["recovered"], 158);  // sections holding two synapses of distinct x in trial 0
    EXPECT_EQ(s["verdict"], "float32");
    EXPECT_GT(s["median_relative_difference"].get<double>(), 1e-8);  // 1.59e-7
    EXPECT_LT(s["max_relative_difference"].get<double>(), 1e-5);     // 3.61e-6
    auto scaled = run("cell run-lengths --json --morphology " + test::k_hoc_86_scaled + run_files);
    ASSERT_EQ(scaled.status, 0) << scaled.out;
    auto t = nlohmann::json::parse(scaled.out);
    EXPECT_GT(t["identical"].get<int>(), 5 * s["identical"].get<int>());  // 76 against 8
    EXPECT_LT(t["median_relative_difference"], s["median_relative_difference"]);
    auto text = run("cell run-lengths --morphology " + test::k_hoc_86 + run_files);
    ASSERT_EQ(text.status, 0) << text.out;
    EXPECT_NE(text.out.find("add [cell.lengths_of_run]"), std::string::npos) << text.out;
    auto other = run("cell run-lengths --morphology " + test::k_hoc_86 + " --activation " + test::k_run_2015 +
                     "/simulation_run0000_synapses.csv --syn " SILICO_SOURCE_DIR
                     "/recipes/examples/cells/l5pt_example.syn");
    EXPECT_EQ(other.status, 2) << other.out;
    EXPECT_NE(other.out.find("is not in the .syn file"), std::string::npos) << other.out;
}

}  // namespace
}  // namespace silico::experiments
