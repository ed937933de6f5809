// The generated example cell: deterministic, identical to the shipped file, and a sane L5PT-like model.
#include "silico/model/example_cell.hpp"

#include <gtest/gtest.h>

#include <map>

#include "silico/model/cell_model.hpp"

namespace silico::experiments {
namespace {

const std::string k_cells = SILICO_SOURCE_DIR "/recipes/examples/cells";

TEST(ExampleCell, GeneratorIsDeterministic) {
    EXPECT_EQ(write_hoc(generate_example_cell()), write_hoc(generate_example_cell()));
    EXPECT_NE(write_hoc(generate_example_cell({.seed = 7})), write_hoc(generate_example_cell()));
}

TEST(ExampleCell, ShippedFileIsTheGeneratorsOutput) {
    auto shipped = read_text_file(k_cells + "/l5pt_example.hoc");
    ASSERT_TRUE(shipped.has_value()) << shipped.error().what();
    EXPECT_EQ(*shipped, write_hoc(generate_example_cell()))
        << "regenerate with: silico cell generate-example -o recipes/examples/cells/l5pt_example.hoc";
}

TEST(ExampleCell, WrittenHocReadsBackToTheSameMorphology) {
    const auto generated = generate_example_cell();
    auto back = parse_hoc(write_hoc(generated), "example.hoc");
    ASSERT_TRUE(back.has_value()) << back.error().what();
    ASSERT_EQ(back->sections.size(), generated.sections.size());
    for (std::size_t i = 0; i < generated.sections.size(); ++i) {
        const auto &a = generated.sections[i], &b = back->sections[i];
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.label, b.label);
        EXPECT_EQ(a.parent_id, b.parent_id);
        ASSERT_EQ(a.points.size(), b.points.size());
        for (std::size_t k = 0; k < a.points.size(); ++k) {
            EXPECT_DOUBLE_EQ(a.points[k].x, b.points[k].x);
            EXPECT_DOUBLE_EQ(a.points[k].d, b.points[k].d);
        }
    }
}

TEST(ExampleCell, BuildsWithItsBiophysicsIntoAPlausibleL5PT) {
    auto params = read_cell_parameters(k_cells + "/l5pt_example.param");
    ASSERT_TRUE(params.has_value()) << params.error().what();
    auto cell = build_cell_model(*params);
    ASSERT_TRUE(cell.has_value()) << cell.error().what();
    std::map<std::string, LabelSummary> by_label;
    for (const auto& l : cell->label_summaries()) by_label[l.label] = l;
    EXPECT_EQ(by_label["Soma"].sections, 1);
    EXPECT_EQ(by_label["AIS"].sections, 2);
    EXPECT_EQ(by_label["Myelin"].sections, 1);
    EXPECT_EQ(by_label["Dendrite"].sections, 49);  // 7 trees of 7 sections
    EXPECT_GT(by_label["ApicalDendrite"].sections, 30);
    EXPECT_GT(by_label["Dendrite"].length, 4000);
    EXPECT_GT(by_label["ApicalDendrite"].length, 4000);
    EXPECT_GT(cell->total_segments(), 300);
    EXPECT_LT(cell->total_segments(), 1500);
    const double apical = *cell->max_distance("ApicalDendrite");
    EXPECT_GT(apical, 1000);
    EXPECT_LT(apical, 1400);
    // The hot zone exists and the BAC epsp site (620 µm) lies on the trunk.
    int hot = 0;
    for (const auto& s : cell->sections())
        for (const auto& m : s.mechanisms)
            if (m.name == "Ca_LVAst" && s.label == "ApicalDendrite")
                for (double v : m.values[0]) hot += v == 0.187;
    EXPECT_GT(hot, 5);
    auto site = cell->inner_section_at_distance(620);
    ASSERT_TRUE(site.has_value()) << site.error().what();
    EXPECT_TRUE(cell->section(site->section_id).name.starts_with("apical_trunk_"))
        << cell->section(site->section_id).name;
    EXPECT_NEAR(
        cell->distance_to_soma(site->section_id, 0) + site->x * cell->section(site->section_id).length, 620,
        1e-9);
}

}  // namespace
}  // namespace silico::experiments
