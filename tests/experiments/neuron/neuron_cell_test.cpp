// Cells built in NEURON: NEURON's own geometry (area(), L, nseg, distance()) and values agree with the model
// and with ISF's numbers for cell 86.
#include "silico/neuron/neuron_cell.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cell_test_data.hpp"
#include "neuron_test_support.hpp"
#include "silico/neuron/simulator.hpp"

namespace silico::experiments {
namespace {

using testing::simulator;

CellParameters params_86() {
    auto p = read_cell_parameters(test::k_param_86, {{"IN_SILICO_FRAMEWORK_DIR", test::k_isf_dir}});
    EXPECT_TRUE(p.has_value()) << p.error().what();
    return *p;
}

NeuronCell instantiate(const CellParameters& p) {
    auto model = build_cell_model(p);
    EXPECT_TRUE(model.has_value()) << model.error().what();
    auto cell = NeuronCell::instantiate(simulator(), *model);
    EXPECT_TRUE(cell.has_value()) << cell.error().what();
    return std::move(*cell);
}

// NEURON's distance(x) of a section (a section-scoped call, not an expression).
double neuron_distance(const std::string& section, double x) {
    EXPECT_TRUE(simulator().hoc(fmt::format("{{{} silico_test_d = distance({})}}\n", section, x)));
    auto v = simulator().eval("silico_test_d");
    EXPECT_TRUE(v.has_value()) << v.error().what();
    return v.value_or(std::nan(""));
}

double eval(const std::string& expression) {
    auto v = simulator().eval(expression);
    EXPECT_TRUE(v.has_value()) << expression << ": " << v.error().what();
    return v.value_or(std::nan(""));
}

TEST(NeuronCell, Cell86AreasMatchIsfAfterScaleApicalMorph86) {
    auto cell = instantiate(params_86());
    auto areas = cell.label_areas();
    ASSERT_TRUE(areas.has_value()) << areas.error().what();
    EXPECT_NEAR(areas->at("Soma"), 916.46, 0.005);
    EXPECT_NEAR(areas->at("ApicalDendrite"), 27211.75, 0.005);
}

TEST(NeuronCell, Cell86ApicalAreaWithoutModifyFunctionMatchesIsf) {
    auto p = params_86();
    p.modify_functions.clear();
    auto cell = instantiate(p);
    auto areas = cell.label_areas();
    ASSERT_TRUE(areas.has_value()) << areas.error().what();
    EXPECT_NEAR(areas->at("ApicalDendrite"), 16854.57, 0.005);
}

TEST(NeuronCell, NeuronGeometryEqualsTheModel) {
    auto cell = instantiate(params_86());
    const auto& model = cell.model();
    int segments = 0;
    for (const auto& s : model.sections()) {
        const std::string name = cell.hoc_name(s.id);
        EXPECT_EQ(eval(name + ".L"), s.length) << name;
        EXPECT_EQ(eval(name + ".nseg"), s.nseg) << name;
        segments += static_cast<int>(eval(name + ".nseg"));
    }
    EXPECT_EQ(segments, 1142);
    // D2 (origin soma(0)) and D1 (origin at the apical root's 0-end) from NEURON's distance().
    const std::string soma = cell.hoc_name(model.soma_id());
    for (int id : {6, 25, 38, 100, 166, 169}) {
        for (double x : {0.0, 0.13, 0.5, 0.9999, 1.0}) {
            ASSERT_TRUE(simulator().hoc(fmt::format("{} distance(0, 0)\n", soma)));
            EXPECT_NEAR(neuron_distance(cell.hoc_name(id), x), model.distance_to_soma(id, x), 1e-9)
                << id << " " << x;
        }
    }
    ASSERT_TRUE(simulator().hoc(fmt::format("{} distance(0, 0)\n", cell.hoc_name(6))));
    for (int id : {6, 38, 60, 100})
        EXPECT_NEAR(neuron_distance(cell.hoc_name(id), 0.7), *model.label_distance("ApicalDendrite", id, 0.7),
                    1e-9)
            << id;
}

// An imposed length (a stored run's) becomes NEURON's L, and NEURON scales the 3D points' arcs to it, which
// is what its areas and axial resistances integrate over.
TEST(NeuronCell, ImposedSectionLengthsBecomeNeuronsLengthsAndArcs) {
    const auto plain = build_cell_model(params_86());
    ASSERT_TRUE(plain.has_value()) << plain.error().what();
    BuildOptions options;
    for (const auto& s : plain->sections()) options.section_lengths.push_back(s.length * (1 + 3e-7));
    auto model = build_cell_model(params_86(), options);
    ASSERT_TRUE(model.has_value()) << model.error().what();
    auto cell = NeuronCell::instantiate(simulator(), *model);
    ASSERT_TRUE(cell.has_value()) << cell.error().what();
    for (const auto& s : cell->model().sections()) {
        const std::string name = cell->hoc_name(s.id);
        EXPECT_EQ(eval(name + ".L"), s.length) << name;
        ASSERT_TRUE(simulator().hoc(fmt::format("{{{} silico_test_d = arc3d(n3d() - 1)}}\n", name)));
        EXPECT_NEAR(eval("silico_test_d"), s.length, 1e-12 * s.length) << name;
    }
    auto areas = cell->label_areas();
    auto plain_cell = NeuronCell::instantiate(simulator(), *plain);
    ASSERT_TRUE(plain_cell.has_value()) << plain_cell.error().what();
    auto plain_areas = plain_cell->label_areas();
    ASSERT_TRUE(areas.has_value() && plain_areas.has_value());
    const double area = areas->at("ApicalDendrite"), plain_area = plain_areas->at("ApicalDendrite");
    // Lateral frustum areas grow with the arcs: by ~3e-7 (a little less where the radius changes).
    EXPECT_NEAR(area / plain_area - 1, 3e-7, 0.3e-7);
}

TEST(NeuronCell, MechanismValuesAndIonsReachNeuron) {
    auto cell = instantiate(params_86());
    const auto& model = cell.model();
    const auto& s38 = model.section(38);
    for (const auto& m : s38.mechanisms) {
        if (m.name != "Ih" && m.name != "Ca_LVAst") continue;
        for (int i = 0; i < s38.nseg; ++i)
            EXPECT_DOUBLE_EQ(eval(fmt::format("{}.{}_{}({})", cell.hoc_name(38), m.parameters[0], m.name,
                                              s38.segment_x(i))),
                             m.values[0][static_cast<std::size_t>(i)]);
    }
    EXPECT_EQ(eval(cell.hoc_name(38) + ".ek"), -85);
    EXPECT_EQ(eval(cell.hoc_name(0) + ".ena"), 50);
    EXPECT_EQ(eval(cell.hoc_name(0) + ".cm"), 1);
    EXPECT_EQ(eval(cell.hoc_name(38) + ".cm"), 2);
    EXPECT_EQ(eval(cell.hoc_name(169) + ".cm"), 0.02);
    EXPECT_EQ(eval(cell.hoc_name(0) + ".gNaTa_tbar_NaTa_t(0.5)"), 2.43);
}

TEST(NeuronCell, SpinesScaleCmAndGPasByTheAreaFactor) {
    auto p = params_86();
    for (auto& l : p.labels)
        if (l.label == "Dendrite") l.spines = Spines{1.08, 1.45};
    auto cell = instantiate(p);
    auto areas = cell.segment_areas();
    ASSERT_TRUE(areas.has_value());
    const auto& s = cell.model().section(1);
    double area = 0;
    for (double a : (*areas)[1]) area += a;
    const double f = 1 + 1.45 * 1.08 * s.length / area;
    EXPECT_NEAR(eval(cell.hoc_name(1) + ".cm"), 2 * f, 1e-12);
    EXPECT_NEAR(eval(cell.hoc_name(1) + ".g_pas(0.5)"), 6.31e-5 * f, 1e-15);
}

TEST(NeuronCell, DestroyingACellRemovesItsSections) {
    auto count = [] {
        EXPECT_TRUE(simulator().hoc("{silico_test_n = 0  forall silico_test_n += 1}\n"));
        return eval("silico_test_n");
    };
    const double before = count();
    {
        auto cell = instantiate(params_86());
        EXPECT_EQ(count(), before + 170);
        auto other = instantiate(params_86());
        EXPECT_EQ(count(), before + 340);
        cell = std::move(other);  // the first cell's sections go
        EXPECT_EQ(count(), before + 170);
        EXPECT_EQ(cell.model().sections().size(), 170u);
    }
    EXPECT_EQ(count(), before);
}

TEST(NeuronCell, ExampleCellBuildsWithItsBiophysics) {
    auto p = read_cell_parameters(SILICO_SOURCE_DIR "/recipes/examples/cells/l5pt_example.param");
    ASSERT_TRUE(p.has_value()) << p.error().what();
    auto cell = instantiate(*p);
    auto areas = cell.label_areas();
    ASSERT_TRUE(areas.has_value()) << areas.error().what();
    EXPECT_GT(areas->at("Soma"), 700);
    EXPECT_LT(areas->at("Soma"), 1100);
    EXPECT_GT(areas->at("ApicalDendrite"), 10000);
}

}  // namespace
}  // namespace silico::experiments
