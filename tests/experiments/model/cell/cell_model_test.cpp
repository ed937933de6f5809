// Cell 86 built from ISF's shipped parameter file: the numbers ISF's create_cell gives (ISF_SPEC.md §2).
#include "silico/model/cell_model.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "cell_test_data.hpp"
#include "run_2015.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/model/synapse_files.hpp"

namespace silico::experiments {
namespace {

using test::k_isf_dir;

CellParameters params_86() {
    auto p = read_cell_parameters(test::k_param_86, {{"IN_SILICO_FRAMEWORK_DIR", k_isf_dir}});
    EXPECT_TRUE(p.has_value()) << p.error().what();
    return *p;
}

const CellModel& cell_86() {
    static const CellModel cell = [] {
        auto c = build_cell_model(params_86());
        EXPECT_TRUE(c.has_value()) << c.error().what();
        return *c;
    }();
    return cell;
}

int segments_of(const CellModel& c, std::string_view label) {
    int n = 0;
    for (const auto& s : c.sections())
        if (s.label == label) n += s.nseg;
    return n;
}

TEST(CellModel, Cell86HasIsfSectionAndSegmentCounts) {
    const auto& c = cell_86();
    EXPECT_EQ(c.sections().size(), 170u);
    EXPECT_EQ(c.total_segments(), 1142);
    EXPECT_EQ(segments_of(c, "Soma"), 1);
    EXPECT_EQ(segments_of(c, "Dendrite"), 483);
    EXPECT_EQ(segments_of(c, "ApicalDendrite"), 625);
    EXPECT_EQ(segments_of(c, "AIS") + segments_of(c, "Myelin"), 33);
    EXPECT_EQ(c.section(38).nseg, 35);
    EXPECT_EQ(c.section(25).nseg, 3);
}

TEST(CellModel, Cell86AppendsTheHay2013AxonAfterTheHocSections) {
    const auto& c = cell_86();
    EXPECT_EQ(c.section(167).name, "axon_0");
    EXPECT_EQ(c.section(167).label, "AIS");
    EXPECT_EQ(c.section(167).parent_id, c.soma_id());
    EXPECT_DOUBLE_EQ(c.section(167).parent_x, 0.5);
    EXPECT_EQ(c.section(168).label, "AIS");
    EXPECT_EQ(c.section(168).parent_id, 167);
    EXPECT_EQ(c.section(169).label, "Myelin");
    EXPECT_EQ(c.section(169).parent_id, 168);
    EXPECT_NEAR(c.section(167).length, 20.0, 1e-4);
    EXPECT_NEAR(c.section(168).length, 30.0, 1e-4);
    EXPECT_NEAR(c.section(169).length, 1000.0, 1e-3);
    EXPECT_DOUBLE_EQ(c.section(167).points.front().d, 3.0);
    EXPECT_DOUBLE_EQ(c.section(168).points.back().d, 1.0);
}

TEST(CellModel, Cell86TotalLengthMatchesIsf) {
    EXPECT_NEAR(cell_86().total_length(), 16340.39, 0.005);
}

TEST(CellModel, SomaChildrenAttachAtTheSomaMiddle) {
    const auto& c = cell_86();
    for (const auto& s : c.sections())
        if (s.parent_id == c.soma_id()) {
            EXPECT_DOUBLE_EQ(s.parent_x, 0.5) << s.name;
        }
    EXPECT_NEAR(c.section(1).file_parent_x, 0.187136, 1e-12);
}

TEST(CellModel, Cell86ApicalMaxDistanceMatchesIsf) {
    auto d = cell_86().max_distance("ApicalDendrite");
    ASSERT_TRUE(d.has_value());
    // ISF quotes 1576.55286112 (older NEURON); NEURON 8.2's float 3D points give 1576.552850: same to 1e-5.
    EXPECT_NEAR(*d, 1576.55286112, 5e-5);
}

TEST(CellModel, Cell86CalciumHotZoneCovers39ApicalSegments) {
    int hot = 0;
    for (const auto& s : cell_86().sections()) {
        if (s.label != "ApicalDendrite") continue;
        for (const auto& m : s.mechanisms)
            if (m.name == "Ca_LVAst")
                for (double v : m.values.at(0)) hot += v == 0.104;
    }
    EXPECT_EQ(hot, 39);
}

TEST(CellModel, ApicalIhFollowsTheRelativeExponential) {
    const auto& c = cell_86();
    const double max_dist = *c.max_distance("ApicalDendrite");
    double highest = 0, lowest = 1;
    for (const auto& s : c.sections()) {
        if (s.label != "ApicalDendrite") continue;
        const int id = s.id;
        auto ih = std::ranges::find(s.mechanisms, std::string("Ih"), &SectionMechanism::name);
        ASSERT_NE(ih, s.mechanisms.end());
        for (int i = 0; i < s.nseg; ++i) {
            const double d1 = *c.label_distance("ApicalDendrite", id, s.segment_x(i));
            const double expected = 2e-4 * (-0.8696 + 2.0870 * std::exp(3.6161 * d1 / max_dist));
            EXPECT_NEAR(ih->values[0][i], expected, 1e-12 * expected);
            highest = std::max(highest, ih->values[0][i]);
            lowest = std::min(lowest, ih->values[0][i]);
        }
    }
    EXPECT_NEAR(lowest, 2.5e-4, 0.05e-4);  // trunk base (spec §2.6)
    // 1.54e-2 at the farthest tip (x = 1); the last segment centre lies a little closer.
    EXPECT_GT(highest, 1.50e-2);
    EXPECT_LT(highest, 1.54e-2);
}

TEST(CellModel, SomaDistanceIncludesHalfTheSomaButLabelDistanceDoesNot) {
    const auto& c = cell_86();
    const double half_soma = c.section(c.soma_id()).length / 2;
    EXPECT_NEAR(half_soma, 11.08, 0.01);
    EXPECT_NEAR(c.distance_to_soma(6, 1.0) - *c.label_distance("ApicalDendrite", 6, 1.0), half_soma, 1e-9);
    EXPECT_NEAR(c.length_to_soma(6, 1.0), c.section(6).length, 1e-9);
}

TEST(CellModel, ScaleApicalMorph86ScalesSections6To38) {
    const auto& c = cell_86();
    std::vector<int> scaled;
    for (const auto& s : c.sections())
        if (s.diameters.front() != s.points.front().d) scaled.push_back(s.id);
    ASSERT_EQ(scaled.size(), 33u);
    EXPECT_EQ(scaled.front(), 6);
    EXPECT_EQ(scaled.back(), 38);
    EXPECT_DOUBLE_EQ(c.section(6).diameters[3], 2.5 * c.section(6).points[3].d);
}

TEST(CellModel, ScaledDiameterHocWithoutModifyFunctionHas1066Segments) {
    auto p = params_86();
    p.modify_functions.clear();
    p.morphology = test::k_hoc_86_scaled;
    auto c = build_cell_model(p);
    ASSERT_TRUE(c.has_value()) << c.error().what();
    EXPECT_EQ(c->total_segments(), 1066);
}

TEST(CellModel, RecordingSiteLabelMatchesIsfOutputFile) {
    auto landmarks = read_landmarks(test::k_landmarks);
    ASSERT_TRUE(landmarks.has_value());
    ASSERT_EQ(landmarks->size(), 1u);
    auto site = cell_86().recording_site(landmarks->front());
    EXPECT_EQ(site.label("apical_proximal_distal_rec_sites", 0),
              "apical_proximal_distal_rec_sites_ID_000_sec_038_seg_032_x_0.929_somaDist_920.7");
}

TEST(CellModel, InnerSectionAtDistanceFindsTheTrunkLikeIsf) {
    const auto& c = cell_86();
    auto site = c.inner_section_at_distance(620);
    ASSERT_TRUE(site.has_value()) << site.error().what();
    const auto& s = c.section(site->section_id);
    EXPECT_EQ(s.label, "ApicalDendrite");
    EXPECT_LT(c.distance_to_soma(s.id, 0), 620);
    EXPECT_GT(c.distance_to_soma(s.id, 1), 620);
    EXPECT_NEAR(c.distance_to_soma(s.id, 0) + site->x * s.length, 620, 1e-9);
    EXPECT_EQ(site->segment, static_cast<int>(site->x * s.nseg));
    // Only trunk sections qualify: the chosen one leads to apical sections beyond 1000 µm.
    bool leads_beyond = false;
    std::vector<int> stack{s.id};
    while (!stack.empty()) {
        int id = stack.back();
        stack.pop_back();
        leads_beyond = leads_beyond || c.distance_to_soma(id, 1) > 1000;
        for (int k : c.section(id).children) stack.push_back(k);
    }
    EXPECT_TRUE(leads_beyond);
    EXPECT_FALSE(c.inner_section_at_distance(5000).has_value());
    EXPECT_EQ(c.find_section(s.name), s.id);
    EXPECT_FALSE(c.find_section("no_such_section").has_value());
}

TEST(CellModel, LengthToSomaReproducesTheSomaDistancesOfIsfSynapseOutput) {
    // ISF's 2015 run wrote D3 at relPts[ptID] of every active synapse (spec §8).
    auto text = read_text_file(test::k_synapses_2015);
    ASSERT_TRUE(text.has_value()) << text.error().what();
    const auto& c = cell_86();
    std::istringstream lines(*text);
    std::string line;
    int checked = 0;
    while (std::getline(lines, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string type, label;
        int synapse = 0, section = 0, point = 0;
        double distance = 0;
        fields >> type >> synapse >> distance >> section >> point >> label;
        ASSERT_EQ(c.section(section).label, label) << line;
        const double x = c.section(section).rel_pts.at(static_cast<std::size_t>(point));
        ASSERT_NEAR(c.length_to_soma(section, x), distance, 1e-5 * distance) << line;
        ++checked;
    }
    EXPECT_EQ(checked, 4428);
}

}  // namespace
}  // namespace silico::experiments

namespace silico::experiments {
namespace {

using test::rows_2015;

SynapseDistribution syn_86() {
    auto syn = read_syn_file(test::k_syn_86);
    EXPECT_TRUE(syn.has_value()) << syn.error().what();
    return syn.value_or(SynapseDistribution{});
}

// The 2015 run's soma distances give every dendritic section's length. They are not the float32 lengths of
// the shipped morphology's points (that file registers the cell at another position), and for 67 sections
// they are exactly those of 86_C2_center_scaled_diameters.hoc, which kept an older registration.
TEST(RunSectionLengths, The2015RunHadOtherFloat32LengthsThanTheShippedMorphology) {
    const auto& shipped = cell_86();
    auto lengths = run_section_lengths(rows_2015(), syn_86(), shipped.sections().size());
    ASSERT_TRUE(lengths.has_value()) << lengths.error().what();
    auto p = params_86();
    p.modify_functions.clear();
    p.morphology = test::k_hoc_86_scaled;
    auto scaled = build_cell_model(p);
    ASSERT_TRUE(scaled.has_value()) << scaled.error().what();
    std::vector<double> relative;
    int found = 0, as_scaled = 0;
    for (const auto& s : shipped.sections()) {
        const auto& length = (*lengths)[static_cast<std::size_t>(s.id)];
        if (s.id == shipped.soma_id() || s.id >= 167) {  // the soma (D3 = 0) and the axon have no rows
            EXPECT_FALSE(length.has_value()) << s.id;
            continue;
        }
        ASSERT_TRUE(length.has_value()) << s.id;
        ++found;
        relative.push_back(std::abs(*length / s.length - 1));
        if (std::abs(*length - scaled->section(s.id).length) < 1e-9) ++as_scaled;
    }
    EXPECT_EQ(found, 166);
    std::ranges::sort(relative);
    EXPECT_GT(relative[relative.size() / 2], 1e-8);  // measured median 1.55e-7
    EXPECT_LT(relative.back(), 1e-5);                // measured 3.6e-6: float32 rounding, not another cell
    EXPECT_EQ(as_scaled, 67);
}

TEST(RunSectionLengths, RefusesSomaDistancesThatAreNotLinearInTheSynX) {
    auto rows = rows_2015();
    const auto syn = syn_86();
    ASSERT_TRUE(run_section_lengths(rows, syn, 167).has_value());
    // One synapse's soma distance off by 1e-6 um in every trial: another geometry, or a replay's file (D3 at
    // relPts, not at x).
    const auto on_38 = *std::ranges::find_if(rows, [](const auto& r) { return r.section_id == 38; });
    auto same_synapse = [&](const SynapseActivationRow& r) {
        return r.synapse_type == on_38.synapse_type && r.synapse_id == on_38.synapse_id;
    };
    for (auto& r : rows)
        if (same_synapse(r)) r.soma_distance += 1e-6;
    auto bent = run_section_lengths(rows, syn, 167);
    ASSERT_FALSE(bent.has_value());
    EXPECT_EQ(bent.error().code, Errc::validation);
    EXPECT_NE(bent.error().what().find("section 38: the soma distances are not linear"), std::string::npos)
        << bent.error().what();
    // Only one of its rows changed: two trials of one run disagree.
    rows = rows_2015();
    std::ranges::find_if(rows, same_synapse)->soma_distance += 1e-6;
    auto torn = run_section_lengths(rows, syn, 167);
    ASSERT_FALSE(torn.has_value());
    EXPECT_NE(torn.error().what().find("another row at that place"), std::string::npos)
        << torn.error().what();
    // A row on another section than its .syn entry.
    rows = rows_2015();
    rows.front().section_id += 1;
    auto moved = run_section_lengths(rows, syn, 167);
    ASSERT_FALSE(moved.has_value());
    EXPECT_NE(moved.error().what().find("in the .syn file"), std::string::npos) << moved.error().what();
}

TEST(CellModel, ImposedLengthsReplaceThePointsLengths) {
    const auto& plain = cell_86();
    BuildOptions options;
    options.section_lengths.assign(plain.sections().size(), std::nullopt);
    options.section_lengths[38] = plain.section(38).length * (1 + 2e-7);
    auto model = build_cell_model(params_86(), options);
    ASSERT_TRUE(model.has_value()) << model.error().what();
    EXPECT_EQ(model->section(38).length, *options.section_lengths[38]);
    EXPECT_TRUE(model->section(38).imposed_length);
    EXPECT_FALSE(model->section(37).imposed_length);
    EXPECT_EQ(model->section(37).length, plain.section(37).length);
    // More than float32 rounding is another morphology.
    options.section_lengths[38] = plain.section(38).length * 1.001;
    auto other = build_cell_model(params_86(), options);
    ASSERT_FALSE(other.has_value());
    EXPECT_NE(other.error().what().find("section 38"), std::string::npos) << other.error().what();
}

}  // namespace
}  // namespace silico::experiments
