#include "silico/model/synapse_mapper.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "anatomy_test_support.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/model/synapse_placement.hpp"

namespace silico::experiments {
namespace {

using namespace anatomy_test;

// Soma along z, an axon (section 1), a straight basal dendrite along x and two apical sections, one attached
// half-way along the other.
constexpr const char* k_small_hoc = R"({create soma}
{access soma}
{pt3dclear()}
{pt3dadd(0,0,-10,10)}
{pt3dadd(0,0,10,10)}
{create axon_1}
{connect axon_1(0), soma(0)}
{pt3dadd(0,0,-10,1)}
{pt3dadd(0,0,-40,1)}
{create dend_1}
{connect dend_1(0), soma(0.5)}
{pt3dadd(0,0,0,2)}
{pt3dadd(30,0,0,2)}
{pt3dadd(70,0,0,2)}
{pt3dadd(100,0,0,2)}
{create apical_1}
{connect apical_1(0), soma(1)}
{pt3dadd(0,0,10,1)}
{pt3dadd(0,0,60,1)}
{create apical_2}
{connect apical_2(0), apical_1(0.5)}
{pt3dadd(0,0,35,1)}
{pt3dadd(0,40,35,1)}
)";

// A lattice with voxel faces at -45, 5, 55, 105, ... on every axis.
ScalarLattice uniform_lattice(double value, int n = 6) {
    ScalarLattice l;
    l.dims = {n, n, n};
    l.origin = {-95, -95, -95};
    l.spacing = {50, 50, 50};
    l.values.assign(l.voxel_count(), value);
    return l;
}

PostTypeConstants constants() {
    PostTypeConstants c{"L5tt", {}, {}};
    c.excitatory.length_apical = 1.68;
    c.excitatory.length_basal = 1.04;
    c.inhibitory.area_soma = c.inhibitory.area_apical = c.inhibitory.area_basal = 0.03;
    return c;
}

const MappedStructure& structure(const MappedCell& cell, std::string_view label) {
    for (const auto& s : cell.structures)
        if (s.label == label) return s;
    throw std::runtime_error("no structure");
}

TEST(SynapseMapper, LengthAreaAndPstPerVoxel) {
    auto m = parse_hoc(k_small_hoc, "small.hoc");
    ASSERT_TRUE(m) << m.error().what();
    const auto norm = uniform_lattice(10.0);
    for (auto conv : {AreaConvention::amira, AreaConvention::geometric}) {
        MapperOptions o;
        o.area = conv;
        auto cell = prepare_cell(*m, norm, norm, constants(), o);
        ASSERT_TRUE(cell) << cell.error().what();
        // Structures in order of first appearance; the axon is skipped.
        ASSERT_EQ(cell->structures.size(), 3u);
        EXPECT_EQ(cell->structures[0].label, "Soma");
        EXPECT_EQ(cell->structures[1].label, "Dendrite");
        EXPECT_EQ(cell->structures[2].label, "ApicalDendrite");
        EXPECT_EQ(cell->sections[1].structure, -1);
        // Grid: voxels overlapping the bounding box x 0..100, y 0..40, z -10..60 of the mapped sections
        // (closed intervals; faces at -45, 5, 55, 105).
        EXPECT_EQ(cell->grid.dims, (std::array<int, 3>{3, 2, 3}));
        EXPECT_DOUBLE_EQ(cell->grid.origin[0], -45.0);
        EXPECT_DOUBLE_EQ(cell->grid.origin[2], -45.0);
        // The basal dendrite (y = z = 0, voxel row j = 0, k = 0) is cut at x = 5 and 55: 5, 50, 45 µm.
        const auto& basal = structure(*cell, "Dendrite");
        const auto& g = cell->grid;
        EXPECT_NEAR(basal.length[g.index(0, 0, 0)], 5.0, 1e-12);
        EXPECT_NEAR(basal.length[g.index(1, 0, 0)], 50.0, 1e-12);
        EXPECT_NEAR(basal.length[g.index(2, 0, 0)], 45.0, 1e-12);
        // Cylinder of diameter 2: ISF's area uses the diameter as the radius (twice the geometric value).
        const double r = conv == AreaConvention::amira ? 2.0 : 1.0;
        EXPECT_NEAR(basal.area[g.index(1, 0, 0)], 2 * M_PI * r * 50.0, 1e-9);
        EXPECT_NEAR(basal.pst_excitatory[g.index(1, 0, 0)], 1.04 * 50.0, 1e-12);
        EXPECT_NEAR(basal.pst_inhibitory[g.index(1, 0, 0)], 0.03 * 2 * M_PI * r * 50.0, 1e-9);
        // Soma: z -10..10 cut at z = 5: 15 and 5 µm; its PST is area only for L5tt.
        const auto& soma = structure(*cell, "Soma");
        EXPECT_NEAR(soma.length[g.index(0, 0, 0)], 15.0, 1e-12);
        EXPECT_NEAR(soma.length[g.index(0, 0, 1)], 5.0, 1e-12);
        EXPECT_EQ(soma.pst_excitatory[g.index(0, 0, 0)], 0.0);
        // Total clipped length = traced length of the mapped sections (20 + 100 + 50 + 40).
        EXPECT_NEAR(cell->total_length, 210.0, 1e-9);
        // Traced points per voxel: the basal points at x = 0 (voxel 0), 30 (voxel 1), 70 and 100 (voxel 2).
        auto points = [&](const MappedStructure& s, std::size_t v) {
            return s.point_begin[v + 1] - s.point_begin[v];
        };
        EXPECT_EQ(points(basal, g.index(0, 0, 0)), 1u);
        EXPECT_EQ(points(basal, g.index(1, 0, 0)), 1u);
        EXPECT_EQ(points(basal, g.index(2, 0, 0)), 2u);
    }
}

TEST(SynapseMapper, PathLengthSectionIdsAndTheCompatibilitySwitch) {
    auto m = parse_hoc(k_small_hoc, "small.hoc");
    ASSERT_TRUE(m);
    const auto norm = uniform_lattice(10.0);
    MapperOptions fixed, compat;
    compat.isf_compat = true;
    auto a = prepare_cell(*m, norm, norm, constants(), fixed);
    auto b = prepare_cell(*m, norm, norm, constants(), compat);
    ASSERT_TRUE(a && b);
    // apical_2 attaches at apical_1(0.5): 25 µm + 40 µm; ISF adds the whole parent (50 + 40).
    EXPECT_NEAR(a->sections[4].path.back(), 65.0, 1e-12);
    EXPECT_NEAR(b->sections[4].path.back(), 90.0, 1e-12);
    EXPECT_NEAR(a->sections[2].path.back(), 100.0, 1e-12);  // soma children start at 0
    EXPECT_EQ(a->sections[0].path.back(), 0.0);             // soma synapses are at 0
    // Section IDs: silico keeps the simulator's IDs (the axon is section 1); ISF's mapper skips axons.
    EXPECT_EQ(a->sections[2].output_id, 2);
    EXPECT_EQ(b->sections[2].output_id, 1);
}

TEST(SynapseMapper, InnervationIsBoutonsTimesPstOverNormalisation) {
    auto m = parse_hoc(k_small_hoc, "small.hoc");
    ASSERT_TRUE(m);
    auto norm = uniform_lattice(10.0);
    auto cell = prepare_cell(*m, norm, norm, constants(), MapperOptions{});
    ASSERT_TRUE(cell);
    auto boutons = uniform_lattice(2.0);
    boutons.values[boutons.index(4, 1, 1)] =
        0.0;  // the voxel around (105..155, -45..5, -45..5): not on the cell
    const auto& g = cell->grid;
    auto field = compute_innervation(*cell, boutons, SynapseClass::excitatory);
    double basal = 0;
    for (const auto& e : field.entries)
        if (cell->structures[e.structure].label == "Dendrite") basal += e.lambda;
    EXPECT_NEAR(basal, 2.0 * 1.04 * 100.0 / 10.0, 1e-9);
    // Voxels without a traced point of the structure get no synapses, even with PST > 0: the soma reaches
    // into voxel k = 1 (5 µm) but has no point there.
    for (const auto& e : field.entries) {
        const auto& s = cell->structures[e.structure];
        EXPECT_GT(s.point_begin[e.voxel + 1], s.point_begin[e.voxel]);
    }
    // Entries in ISF's order (structures, then C-order voxels) and their running sum.
    for (std::size_t i = 1; i < field.entries.size(); ++i) {
        const auto& p = field.entries[i - 1];
        const auto& e = field.entries[i];
        EXPECT_TRUE(p.structure < e.structure || (p.structure == e.structure && p.voxel < e.voxel));
        EXPECT_NEAR(field.cumulative[i], field.cumulative[i - 1] + e.lambda, 1e-12);
    }
    // Normalisation <= 0 gives no synapses.
    auto zero = uniform_lattice(0.0);
    auto cell0 = prepare_cell(*m, norm, zero, constants(), MapperOptions{});
    ASSERT_TRUE(cell0);
    EXPECT_TRUE(compute_innervation(*cell0, boutons, SynapseClass::inhibitory).entries.empty());
    EXPECT_FALSE(compute_innervation(*cell0, boutons, SynapseClass::excitatory).entries.empty());
    (void)g;
}

TEST(SynapseMapper, CellOutsideTheLatticeIsAnError) {
    auto m = parse_hoc(k_small_hoc, "small.hoc");
    ASSERT_TRUE(m);
    auto norm = uniform_lattice(10.0, 2);  // x, y, z in -95..5
    auto cell = prepare_cell(*m, norm, norm, constants(), MapperOptions{});
    ASSERT_FALSE(cell);
    EXPECT_EQ(cell.error().code, Errc::validation);
    EXPECT_NE(cell.error().what().find("lies outside the excitatory normalisation lattice"),
              std::string::npos)
        << cell.error().what();
    EXPECT_NE(cell.error().what().find("small.hoc:"), std::string::npos) << cell.error().what();
    ScalarLattice far = norm;
    far.origin = {5000, 5000, 5000};
    auto none = prepare_cell(*m, far, far, constants(), MapperOptions{});
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().what().find("is it registered"), std::string::npos) << none.error().what();
}

class MappedDataSet : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir("mapper");
        ASSERT_TRUE(write_synthetic_barrel_cortex(dir_->path(), small_options()));
    }
    static void TearDownTestSuite() {
        delete dir_;
        dir_ = nullptr;
    }
    static TempDir* dir_;
};
TempDir* MappedDataSet::dir_ = nullptr;

TEST_F(MappedDataSet, LoadErrorsNameTheFile) {
    const auto morph = cell86();
    MapperOptions o;
    o.realisations = 2;
    // Unknown postsynaptic type.
    o.cell_type = "L7";
    auto bad_post = load_mapping_input(morph, {dir_->path()}, o);
    ASSERT_FALSE(bad_post);
    EXPECT_NE(bad_post.error().what().find("unknown postsynaptic cell type 'L7'"), std::string::npos);
    EXPECT_NE(bad_post.error().what().find("ConnectionsV8.csv"), std::string::npos);
    o.cell_type = "L5tt";

    // A copy of the data set to break.
    TempDir broken("broken");
    std::filesystem::copy(dir_->path(), broken.path(), std::filesystem::copy_options::recursive);
    const BarrelCortexLayout layout{broken.path()};
    // A malformed lattice: the error names the file and line.
    const auto lattice = layout.bouton_folder("C2", "L2") / "axon_001.am";
    auto text = read_file(lattice);
    const auto at = text.find("@1\n", text.find("Data section"));
    text.insert(at + 3, "oops\n");
    write_file(lattice, text);
    auto malformed = load_mapping_input(morph, layout, o);
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, Errc::parse);
    EXPECT_NE(malformed.error().context.find("C2/L2/axon_001.am:"), std::string::npos)
        << malformed.error().what();
    std::filesystem::remove(lattice);
    // A missing bouton folder (ISF used to write an empty .con).
    std::filesystem::remove_all(layout.bouton_folder("D2", "VPM"));
    auto missing = load_mapping_input(morph, layout, o);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_NE(missing.error().what().find("D2/VPM"), std::string::npos) << missing.error().what();
    EXPECT_NE(missing.error().what().find("cells of VPM in column D2"), std::string::npos)
        << missing.error().what();
    // An unknown presynaptic type.
    auto counts = read_file(layout.nr_cells());
    write_file(layout.nr_cells(), counts + "L7py\t1\t1\t1\t1\n");
    auto unknown = load_mapping_input(morph, layout, o);
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().what().find("unknown presynaptic cell type 'L7py'"), std::string::npos);
    EXPECT_NE(unknown.error().context.find("nrCells.csv:8"), std::string::npos) << unknown.error().what();
}

TEST_F(MappedDataSet, FilesReadBackThroughTheSimulatorsReaders) {
    const auto morph = cell86();
    MapperOptions o;
    o.realisations = 6;
    o.seed = 11;
    o.threads = 2;
    auto input = load_mapping_input(morph, {dir_->path()}, o);
    ASSERT_TRUE(input) << input.error().what();
    auto result = map_synapses(*input, o);
    ASSERT_EQ(result.realisations.size(), 6u);
    TempDir out("files");
    auto files = write_anatomy(out.path(), *input, result, o, true);
    ASSERT_TRUE(files) << files.error().what();
    EXPECT_EQ(files->syn.filename(), "86_C2_center_synapses.syn");
    const auto& rep = result.realisations[result.representative];

    auto syn = read_syn_file(files->syn);
    ASSERT_TRUE(syn) << syn.error().what();
    auto con = read_con_file(files->con);
    ASSERT_TRUE(con) << con.error().what();
    EXPECT_EQ(con->anatomical_id, "86_C2_center_synapses.syn");
    EXPECT_EQ(syn->synapse_count(), rep.synapse_count());
    EXPECT_GT(syn->synapse_count(), 100u);
    for (std::size_t p = 0; p < input->populations.size(); ++p) {
        const auto& pop = input->populations[p];
        const auto& mapped = rep.populations[p];
        const auto t = syn->find(pop.name());
        const auto c = con->find(pop.name());
        if (mapped.synapses.empty()) {
            EXPECT_EQ(t, -1);
            continue;
        }
        ASSERT_GE(t, 0) << pop.name();
        ASSERT_GE(c, 0) << pop.name();
        const auto& locs = syn->types[static_cast<std::size_t>(t)].synapses;
        const auto& conns = con->types[static_cast<std::size_t>(c)].connections;
        ASSERT_EQ(locs.size(), mapped.synapses.size());
        ASSERT_EQ(conns.size(), mapped.synapses.size());
        std::uint32_t max_cell = 0;
        for (std::size_t s = 0; s < locs.size(); ++s) {
            const auto& m = mapped.synapses[s];
            EXPECT_EQ(locs[s].section_id, m.section);  // no axon in cell 86: IDs are section indices
            // The written x is the point's relative position, and ISF's placement finds the point again.
            const auto& rel = input->cell.sections[static_cast<std::size_t>(m.section)].x;
            EXPECT_EQ(locs[s].x, rel[static_cast<std::size_t>(m.point)]);
            EXPECT_DOUBLE_EQ(rel[nearest_point_index(rel, locs[s].x)], locs[s].x);
            EXPECT_EQ(conns[s].synapse_id, s);
            EXPECT_EQ(conns[s].cell_id, m.cell);
            max_cell = std::max(max_cell, m.cell);
        }
        EXPECT_EQ(max_cell + 1, mapped.connected_cells);  // cell IDs count connected cells only
    }
    auto counts = read_connected_cells_file(files->connected_cells);
    ASSERT_TRUE(counts) << counts.error().what();
    EXPECT_EQ(counts->size(), input->populations.size());  // zeros included
    for (const auto& row : *counts) {
        std::size_t p = 0;
        while (input->populations[p].column != row.column || input->populations[p].cell_type != row.cell_type)
            ++p;
        EXPECT_EQ(row.cells, rep.populations[p].connected_cells);
    }
    // Landmarks: one point per synapse.
    const auto first = input->populations[13];
    auto lm = read_landmarks(out.path() / "landmarks" / "total_synapses" /
                             ("86_C2_center_total_synapses_" + first.name() + ".landmarkAscii"));
    ASSERT_TRUE(lm) << lm.error().what();
    EXPECT_EQ(lm->size(), rep.populations[13].synapses.size());

    // The summary has the blocks and column headers of ISF's 2015 summary of cell 86.
    const auto summary = read_file(files->summary);
    const auto isf = read_file(k_shared / "barrel_cortex" / "86_C2_center_mapper_summary_2015.csv");
    auto line = [](const std::string& text, int n) {
        std::size_t pos = 0;
        for (int i = 1; i < n; ++i) pos = text.find('\n', pos) + 1;
        return text.substr(pos, text.find('\n', pos) - pos);
    };
    // 2015 file: population block lines 1-24, representative 26-49, per column from 51; here 6 types.
    for (int n : {1, 2}) EXPECT_EQ(line(summary, n), line(isf, n));
    EXPECT_EQ(line(summary, 9), "");
    EXPECT_EQ(line(summary, 10), line(isf, 26));
    EXPECT_EQ(line(summary, 11), line(isf, 27));
    EXPECT_EQ(line(summary, 19), line(isf, 51));
    EXPECT_EQ(line(summary, 20), line(isf, 52));
    EXPECT_EQ(line(summary, 21).substr(0, 6), "C1\tL2\t");
}

TEST_F(MappedDataSet, SameSeedSameBytesAtAnyThreadCount) {
    const auto morph = cell86();
    std::string texts[3];
    int run = 0;
    for (auto [threads, seed] : {std::pair{1, 5}, std::pair{2, 5}, std::pair{2, 6}}) {
        MapperOptions o;
        o.realisations = 8;
        o.seed = static_cast<std::uint64_t>(seed);
        o.threads = threads;
        auto input = load_mapping_input(morph, {dir_->path()}, o);
        ASSERT_TRUE(input) << input.error().what();
        auto result = map_synapses(*input, o);
        TempDir out("threads");
        auto files = write_anatomy(out.path(), *input, result, o, false);
        ASSERT_TRUE(files);
        for (const auto& f : {files->syn, files->con, files->connected_cells, files->summary})
            texts[run] += read_file(f);
        ++run;
    }
    EXPECT_EQ(texts[0], texts[1]);
    EXPECT_NE(texts[1], texts[2]);
    // A realisation depends only on (seed, index): realisation 3 alone equals realisation 3 of the batch.
    MapperOptions o;
    auto input = load_mapping_input(morph, {dir_->path()}, o);
    ASSERT_TRUE(input);
    o.seed = 5;
    o.realisations = 8;
    auto batch = map_synapses(*input, o);
    auto alone = sample_realisation(*input, 5, 3);
    EXPECT_EQ(format_syn_file(*input, alone), format_syn_file(*input, batch.realisations[3]));
}

}  // namespace
}  // namespace silico::experiments

namespace silico::experiments {
namespace {

using namespace anatomy_test;

TEST(AnatomyKey, CoversInputsOptionsAndSeedButNotThreads) {
    TempDir dir("key");
    ASSERT_TRUE(write_synthetic_barrel_cortex(dir.path(), small_options(2)));
    const BarrelCortexLayout layout{dir.path()};
    MapperOptions o;
    auto base = anatomy_key(k_cell86, layout, o);
    ASSERT_TRUE(base) << base.error().what();
    auto same = o;
    same.threads = 7;
    EXPECT_EQ(*anatomy_key(k_cell86, layout, same), *base);
    auto seed = o;
    seed.seed = 1;
    EXPECT_NE(*anatomy_key(k_cell86, layout, seed), *base);
    auto n = o;
    n.realisations = 49;
    EXPECT_NE(*anatomy_key(k_cell86, layout, n), *base);
    auto compat = o;
    compat.isf_compat = true;
    EXPECT_NE(*anatomy_key(k_cell86, layout, compat), *base);
    // One value of one lattice changes the key.
    const auto lattice = layout.bouton_folder("C3", "L45Sym") / "axon_001.am";
    auto text = read_file(lattice);
    text.back() = text.back() == '\n' ? ' ' : '\n';
    write_file(lattice, text);
    EXPECT_NE(*anatomy_key(k_cell86, layout, o), *base);
    std::filesystem::remove(lattice);
    EXPECT_NE(*anatomy_key(k_cell86, layout, o), *base);
    std::filesystem::remove_all(layout.bouton_folder("C3", "L45Sym"));
    auto missing = anatomy_key(k_cell86, layout, o);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

}  // namespace
}  // namespace silico::experiments
