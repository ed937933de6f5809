// The hoc statements that build a cell model in NEURON.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cell_test_data.hpp"
#include "silico/neuron/neuron_cell.hpp"

namespace silico::experiments {
namespace {

const CellModel& cell_86() {
    static const CellModel cell = [] {
        auto p = read_cell_parameters(test::k_param_86, {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}});
        auto c = build_cell_model(*p);
        EXPECT_TRUE(c.has_value()) << c.error().what();
        return *c;
    }();
    return cell;
}

std::size_t count(const std::string& text, std::string_view what) {
    std::size_t n = 0;
    for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

TEST(CellHoc, CreatesOneArrayThenOneChunkPerSection) {
    auto program = hoc_program(cell_86(), "c");
    ASSERT_GE(program.size(), 172u);
    EXPECT_EQ(program[0], "{create c[170]}\n");
    EXPECT_TRUE(program[39].starts_with("c[38] {\npt3dclear()\n"));
    EXPECT_EQ(count(program[39], "pt3dadd("), cell_86().section(38).points.size());
    EXPECT_NE(program[39].find("nseg = 35\n"), std::string::npos);
}

TEST(CellHoc, PointsCanComeFromVectorsInsteadOfStatements) {
    auto program = hoc_program(cell_86(), "c", true);
    EXPECT_EQ(count(program[39], "pt3dadd("), 1u);
    EXPECT_NE(program[39].find("pt3dadd(silico_pt3d_x, silico_pt3d_y, silico_pt3d_z, silico_pt3d_d)\n"),
              std::string::npos);
    auto text = hoc_program(cell_86(), "c");
    ASSERT_EQ(program.size(), text.size());
    for (std::size_t i = 171; i < program.size(); ++i) EXPECT_EQ(program[i], text[i]);
}

TEST(CellHoc, SetsNonUniformValuesPerSegmentAndUniformOnesOnce) {
    auto program = hoc_program(cell_86(), "c");
    const std::string& apical = program[39];
    EXPECT_EQ(count(apical, "gIhbar_Ih("), 35u);
    EXPECT_EQ(count(apical, "gSK_E2bar_SK_E2 = 0.0034\n"), 1u);
    EXPECT_EQ(count(apical, "ek = -85\n"), 1u);
    EXPECT_LT(apical.find("insert Ih"), apical.find("ek = -85"));  // ions after insertion
}

TEST(CellHoc, ConnectsSomaChildrenAtTheMiddleAndScalesDiametersLast) {
    auto program = hoc_program(cell_86(), "c");
    std::string all;
    for (const auto& chunk : program) all += chunk;
    EXPECT_NE(all.find("connect c[6](0), c[0](0.5)\n"), std::string::npos);
    EXPECT_NE(all.find("connect c[167](0), c[0](0.5)\n"), std::string::npos);
    EXPECT_NE(all.find("connect c[168](0), c[167](1)\n"), std::string::npos);
    EXPECT_EQ(count(all, "pt3dchange("), [] {
        std::size_t n = 0;
        for (int id = 6; id <= 38; ++id) n += cell_86().section(id).points.size();
        return n;
    }());
    EXPECT_GT(all.find("pt3dchange("), all.find("connect c[169]"));
}

TEST(CellHoc, SpineCorrectionScalesCmAndGPasInNeuron) {
    auto p = read_cell_parameters(test::k_param_86, {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}});
    ASSERT_TRUE(p.has_value());
    for (auto& l : p->labels)
        if (l.label == "Dendrite") l.spines = Spines{1.08, 1.45};
    auto c = build_cell_model(*p);
    ASSERT_TRUE(c.has_value());
    std::string all;
    for (const auto& chunk : hoc_program(*c, "c")) all += chunk;
    EXPECT_EQ(count(all, "silico_spine_f = 1 + 1.45 * 1.08 * L / silico_spine_a"), 87u);  // 87 basal sections
    EXPECT_EQ(count(all, "g_pas(x) = g_pas(x) * silico_spine_f"), 87u);
}

TEST(CellHoc, MechanismGlobalsBecomeHocGlobals) {
    auto p = read_cell_parameters(test::k_param_86, {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}});
    ASSERT_TRUE(p.has_value());
    p->mech_globals.push_back({"CaDynamics_E2", "minCai", 1e-4});
    auto c = build_cell_model(*p);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(hoc_program(*c, "c").back(), "{minCai_CaDynamics_E2 = 0.0001}\n");
}

TEST(HocProgram, SetsImposedSectionLengthsWithL) {
    BuildOptions options;
    options.section_lengths.assign(cell_86().sections().size(), std::nullopt);
    options.section_lengths[38] = cell_86().section(38).length * (1 + 2e-7);
    auto parameters = read_cell_parameters(test::k_param_86, {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}});
    ASSERT_TRUE(parameters.has_value()) << parameters.error().what();
    auto model = build_cell_model(*parameters, options);
    ASSERT_TRUE(model.has_value()) << model.error().what();
    std::string program;
    for (const auto& chunk : hoc_program(*model, "c", false)) program += chunk;
    EXPECT_NE(program.find(fmt::format("L = {}\n", *options.section_lengths[38])), std::string::npos);
}

}  // namespace
}  // namespace silico::experiments
