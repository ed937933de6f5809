// The synthetic barrel-cortex data set (synthetic_barrel_cortex.hpp).
#include "silico/model/synthetic_barrel_cortex.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "silico/model/amira_mesh.hpp"
#include "silico/model/barrel_cortex.hpp"
#include "silico/model/isf_random.hpp"

namespace silico::experiments {
namespace {

constexpr int k_layers = 8;  // L1, L2, L3, L4, L5A, L5B, L6A, L6B
constexpr double k_layer_border[k_layers + 1] = {0, 150, 350, 600, 900, 1100, 1450, 1800, 2000};

struct TypeModel {
    const char* name;
    double cells;    // per column of average size
    double boutons;  // per axon
    double sigma;    // lateral SD of the bouton cloud (µm)
    double layer[k_layers];
};

// Invented, order-of-magnitude values for a rat barrel column (not ISF's data): about 22,000 presynaptic
// cells per column, excitatory axons with 5,000-14,000 boutons, inhibitory ones with 4,000-9,000.
constexpr TypeModel k_types[] = {
    {"L2", 2500, 9000, 200, {0.20, 0.40, 0.20, 0, 0.20, 0, 0, 0}},
    {"L34", 4500, 9000, 200, {0, 0.20, 0.40, 0.10, 0.30, 0, 0, 0}},
    {"L4py", 850, 9000, 150, {0, 0, 0.30, 0.40, 0.30, 0, 0, 0}},
    {"L4sp", 1300, 8000, 150, {0, 0.30, 0.30, 0.40, 0, 0, 0, 0}},
    {"L4ss", 2000, 7000, 100, {0, 0, 0.20, 0.80, 0, 0, 0, 0}},
    {"L5st", 1400, 12000, 220, {0.30, 0.30, 0.20, 0, 0.20, 0, 0, 0}},
    {"L5tt", 1100, 14000, 220, {0, 0, 0, 0, 0.30, 0.40, 0.30, 0}},
    {"L6cc", 1250, 10000, 280, {0, 0, 0, 0, 0, 0.30, 0.50, 0.20}},
    {"L6ccinv", 700, 9000, 250, {0, 0, 0, 0, 0, 0.50, 0.50, 0}},
    {"L6ct", 3500, 5000, 120, {0, 0, 0, 0.30, 0, 0, 0.70, 0}},
    {"VPM", 280, 8000, 120, {0, 0, 0, 0.60, 0, 0.20, 0.20, 0}},
    {"L1", 45, 5000, 200, {1.0, 0, 0, 0, 0, 0, 0, 0}},
    {"L23Trans", 220, 9000, 200, {0.30, 0.40, 0.30, 0, 0, 0, 0, 0}},
    {"L45Peak", 260, 8000, 180, {0, 0, 0, 0.40, 0.30, 0.30, 0, 0}},
    {"L45Sym", 250, 7000, 150, {0, 0, 0, 0.50, 0.50, 0, 0, 0}},
    {"L56Trans", 580, 8000, 220, {0, 0, 0, 0, 0, 0.40, 0.60, 0}},
    {"SymLocal1", 300, 6000, 120, {0.40, 0.40, 0.20, 0, 0, 0, 0, 0}},
    {"SymLocal2", 180, 6000, 100, {0, 0.50, 0.50, 0, 0, 0, 0, 0}},
    {"SymLocal3", 550, 7000, 130, {0, 0, 0.30, 0.40, 0.30, 0, 0, 0}},
    {"SymLocal4", 200, 7000, 110, {0, 0, 0, 0, 0.40, 0.60, 0, 0}},
    {"SymLocal5", 80, 4000, 90, {0, 0, 0, 0, 0, 0.50, 0.50, 0}},
    {"SymLocal6", 180, 5000, 100, {0, 0, 0, 0, 0, 0, 0.60, 0.40}},
};

struct ColumnModel {
    const char* name;
    double row;  // 0 = A ... 4 = E (Greek straddlers between rows)
    int arc;     // 0 = Greek
};
constexpr ColumnModel k_columns[] = {
    {"Alpha", 0.5, 0}, {"A1", 0, 1}, {"A2", 0, 2}, {"A3", 0, 3},      {"A4", 0, 4},      {"Beta", 1.5, 0},
    {"B1", 1, 1},      {"B2", 1, 2}, {"B3", 1, 3}, {"B4", 1, 4},      {"Gamma", 2.5, 0}, {"C1", 2, 1},
    {"C2", 2, 2},      {"C3", 2, 3}, {"C4", 2, 4}, {"Delta", 3.5, 0}, {"D1", 3, 1},      {"D2", 3, 2},
    {"D3", 3, 3},      {"D4", 3, 4}, {"E1", 4, 1}, {"E2", 4, 2},      {"E3", 4, 3},      {"E4", 4, 4},
};

// Normalisation PST densities per µm³ by layer (excitatory: dendritic length × length density; inhibitory:
// membrane area × area density, with ISF's doubled areas).
constexpr double k_ex_pst[k_layers] = {0.95, 0.85, 0.80, 0.75, 0.65, 0.60, 0.55, 0.45};
constexpr double k_inh_pst[k_layers] = {0.12, 0.11, 0.10, 0.10, 0.09, 0.09, 0.08, 0.07};

constexpr std::string_view k_purpose = "silico.synthetic-barrel-cortex.v1";

Status write_text(const std::filesystem::path& file, const std::string& text) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) return fail(Errc::io, "cannot create file", file.string());
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) return fail(Errc::io, "write failed", file.string());
    return {};
}

// Overlap of [a0, a1] with layer l (depths).
double layer_overlap(double a0, double a1, int l) {
    return std::max(0.0, std::min(a1, k_layer_border[l + 1]) - std::max(a0, k_layer_border[l]));
}

}  // namespace

std::vector<std::string> synthetic_columns() {
    std::vector<std::string> out;
    for (const auto& c : k_columns) out.emplace_back(c.name);
    return out;
}

std::vector<std::string> synthetic_cell_types() {
    std::vector<std::string> out;
    for (const auto& t : k_types) out.emplace_back(t.name);
    return out;
}

namespace {

// The entries of `table` named in `wanted` (all when it is empty), in the table's order; an unknown name is
// Errc::invalid_argument.
template <class Entry, std::size_t N>
Result<std::vector<const Entry*>> select_named(const Entry (&table)[N],
                                               const std::vector<std::string>& wanted,
                                               std::string_view what) {
    for (const auto& name : wanted)
        if (std::none_of(std::begin(table), std::end(table), [&](const Entry& e) { return name == e.name; }))
            return fail(Errc::invalid_argument, fmt::format("unknown {} '{}'", what, name));
    std::vector<const Entry*> out;
    for (const auto& e : table)
        if (wanted.empty() || std::find(wanted.begin(), wanted.end(), e.name) != wanted.end())
            out.push_back(&e);
    return out;
}

// nrCells.csv: per-type base count × a column size factor (rows grow towards E, arcs towards 4) × jitter.
Status write_cell_counts(const std::filesystem::path& dir, const SyntheticBarrelCortexOptions& options,
                         const std::vector<const ColumnModel*>& columns,
                         const std::vector<const TypeModel*>& types) {
    CellTypeCounts counts;
    for (const auto* c : columns) counts.columns.emplace_back(c->name);
    for (const auto* t : types) {
        counts.cell_types.emplace_back(t->name);
        for (const auto* c : columns) {
            SplitMixStream rng(
                StreamKey(options.seed, k_purpose, std::string("count/") + t->name + "_" + c->name)
                    .seed_for(0));
            const double size = (0.75 + 0.12 * c->row + 0.04 * c->arc) * rng.uniform(0.9, 1.1);
            counts.counts.push_back(std::max<std::int64_t>(
                1, static_cast<std::int64_t>(std::llround(t->cells * size * options.cell_scale))));
        }
    }
    return write_text(dir / "nrCells.csv", format_cell_type_counts(counts));
}

// ConnectionsV8.csv: invented constants of the same kind as ISF's (µm⁻¹ and µm⁻²).
Status write_connection_constants(const std::filesystem::path& dir) {
    ConnectionConstants constants;
    for (auto t : isf_excitatory_types()) {
        if (t == "VPM") continue;  // not a postsynaptic type of the cortex model
        PostTypeConstants p{std::string(t), {}, {}};
        const bool upper = t == "L2" || t == "L34" || t == "L4py" || t == "L5st" || t == "L5tt";
        p.excitatory.length_apical = upper ? 1.6 : 1.1;
        p.excitatory.length_basal = (t == "L2" || t == "L34") ? 1.6 : 1.1;
        p.inhibitory.area_soma = p.inhibitory.area_apical = p.inhibitory.area_basal = 0.035;
        constants.post_types.push_back(p);
    }
    for (auto t : isf_inhibitory_types()) {
        PostTypeConstants p{std::string(t), {}, {}};
        p.excitatory.area_soma = p.excitatory.area_apical = p.excitatory.area_basal = 0.35;
        p.inhibitory.area_soma = p.inhibitory.area_apical = p.inhibitory.area_basal = 0.035;
        constants.post_types.push_back(p);
    }
    return write_text(dir / "ConnectionsV8.csv", format_connection_constants(constants));
}

// The field: every column plus 600 µm margins, pia to 2000 µm depth; voxel-aligned at C2's axis.
ScalarLattice field_lattice(const SyntheticBarrelCortexOptions& options) {
    const double v = options.voxel, sp = options.column_spacing, margin = 600.0;
    const double x0 = options.c2_centre[0] - 2 * sp - margin, x1 = options.c2_centre[0] + 2 * sp + margin;
    const double y0 = options.c2_centre[1] - 2 * sp - margin, y1 = options.c2_centre[1] + 2 * sp + margin;
    ScalarLattice field;
    field.spacing = {v, v, v};
    field.origin = {x0, y0, options.pia_z - k_layer_border[k_layers]};
    field.dims = {static_cast<int>(std::ceil((x1 - x0) / v)), static_cast<int>(std::ceil((y1 - y0) / v)),
                  static_cast<int>(std::ceil(k_layer_border[k_layers] / v))};
    return field;
}

// PST/{EX,INH}NormalizationPSTs.am: the layer densities averaged over each voxel's depth, zero on the border.
Status write_normalisation_psts(const std::filesystem::path& dir, const SyntheticBarrelCortexOptions& options,
                                const ScalarLattice& field) {
    const double v = options.voxel;
    for (const auto* pst : {k_ex_pst, k_inh_pst}) {
        ScalarLattice l = field;
        l.values.assign(l.voxel_count(), 0.0);
        for (int k = 1; k + 1 < l.dims[2]; ++k) {
            const double ztop = l.origin[2] + (k + 1) * v, zbot = l.origin[2] + k * v;
            const double d0 = options.pia_z - ztop, d1 = options.pia_z - zbot;
            double density = 0;
            for (int layer = 0; layer < k_layers; ++layer)
                density += pst[layer] * layer_overlap(d0, d1, layer);
            density /= (d1 - d0);
            for (int j = 1; j + 1 < l.dims[1]; ++j)
                for (int i = 1; i + 1 < l.dims[0]; ++i) l.values[l.index(i, j, k)] = density * v * v * v;
        }
        const auto name = pst == k_ex_pst ? "EXNormalizationPSTs.am" : "INHNormalizationPSTs.am";
        if (auto s = write_text(dir / "PST" / name, format_amira_lattice(l, options.digits)); !s) return s;
    }
    return {};
}

// One traced axon, drawn from its own stream: soma, lateral spread, bouton count and per-layer weights.
struct Axon {
    double cx = 0, cy = 0, sigma = 0, boutons = 0;
    double w[k_layers] = {};  // boutons per µm of depth, relative
    int first_layer = k_layers, last_layer = -1;
};

Axon draw_axon(const TypeModel& t, std::array<double, 2> column_xy, SplitMixStream& rng) {
    Axon axon;
    // Soma inside the column (uniform in a disc of 150 µm), spread and weights jittered.
    const double r = 150.0 * std::sqrt(rng.random_sample()), phi = 2 * M_PI * rng.random_sample();
    axon.cx = column_xy[0] + r * std::cos(phi);
    axon.cy = column_xy[1] + r * std::sin(phi);
    axon.sigma = t.sigma * rng.uniform(0.8, 1.2);
    axon.boutons = t.boutons * rng.uniform(0.7, 1.3);
    double wsum = 0;
    for (int l = 0; l < k_layers; ++l) {
        axon.w[l] = t.layer[l] * rng.uniform(0.8, 1.2);
        wsum += axon.w[l];
    }
    for (int l = 0; l < k_layers; ++l)
        if (axon.w[l] > 0) {
            axon.w[l] /= wsum * (k_layer_border[l + 1] - k_layer_border[l]);  // per µm of depth
            axon.first_layer = std::min(axon.first_layer, l);
            axon.last_layer = std::max(axon.last_layer, l);
        }
    return axon;
}

// The axon's boutons on a box of ±2.5 σ laterally and its layers in depth, on the field's voxel grid: a
// Gaussian cloud weighted by layer, scaled to the bouton count, with values below 1e-3 of the peak cleared.
ScalarLattice bouton_lattice(const Axon& axon, const ScalarLattice& field,
                             const SyntheticBarrelCortexOptions& options) {
    const double v = options.voxel, cx = axon.cx, cy = axon.cy, sigma = axon.sigma;
    ScalarLattice b;
    b.spacing = {v, v, v};
    const int i0 = static_cast<int>(std::floor((cx - 2.5 * sigma - field.origin[0]) / v));
    const int i1 = static_cast<int>(std::ceil((cx + 2.5 * sigma - field.origin[0]) / v));
    const int j0 = static_cast<int>(std::floor((cy - 2.5 * sigma - field.origin[1]) / v));
    const int j1 = static_cast<int>(std::ceil((cy + 2.5 * sigma - field.origin[1]) / v));
    const int k0 = static_cast<int>(
        std::floor((options.pia_z - k_layer_border[axon.last_layer + 1] - field.origin[2]) / v));
    const int k1 =
        static_cast<int>(std::ceil((options.pia_z - k_layer_border[axon.first_layer] - field.origin[2]) / v));
    b.origin = {field.origin[0] + i0 * v, field.origin[1] + j0 * v, field.origin[2] + k0 * v};
    b.dims = {i1 - i0, j1 - j0, k1 - k0};
    b.values.assign(b.voxel_count(), 0.0);
    double total = 0;
    for (int k = 0; k < b.dims[2]; ++k) {
        const double zbot = b.origin[2] + k * v;
        const double d0 = options.pia_z - (zbot + v), d1 = options.pia_z - zbot;
        double wz = 0;
        for (int l = 0; l < k_layers; ++l) wz += axon.w[l] * layer_overlap(d0, d1, l);
        if (wz <= 0) continue;
        for (int j = 0; j < b.dims[1]; ++j) {
            const double dy = b.origin[1] + (j + 0.5) * v - cy;
            for (int i = 0; i < b.dims[0]; ++i) {
                const double dx = b.origin[0] + (i + 0.5) * v - cx;
                const double g = std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
                b.values[b.index(i, j, k)] = wz * g;
                total += wz * g;
            }
        }
    }
    double peak = 0;
    for (auto& x : b.values) {
        x *= axon.boutons / total;
        peak = std::max(peak, x);
    }
    for (auto& x : b.values)
        if (x < 1e-3 * peak) x = 0.0;
    return b;
}

// singleaxon_boutons_ascii/<column>/<type>/axon_NNN.am: one bouton lattice per traced axon.
Status write_bouton_lattices(const std::filesystem::path& dir, const SyntheticBarrelCortexOptions& options,
                             const std::vector<const ColumnModel*>& columns,
                             const std::vector<const TypeModel*>& types, const ScalarLattice& field) {
    const double sp = options.column_spacing;
    for (const auto* c : columns)
        for (const auto* t : types) {
            const auto folder = dir / "singleaxon_boutons_ascii" / c->name / t->name;
            std::error_code ec;
            std::filesystem::create_directories(folder, ec);
            if (ec) return fail(Errc::io, "cannot create folder: " + ec.message(), folder.string());
            const std::array<double, 2> xy{options.c2_centre[0] + (c->arc - 2) * sp,
                                           options.c2_centre[1] + (2.0 - c->row) * sp};
            for (int a = 0; a < options.lattices_per_folder; ++a) {
                SplitMixStream rng(
                    StreamKey(options.seed, k_purpose, std::string("axon/") + t->name + "_" + c->name)
                        .seed_for(a));
                const auto lattice = bouton_lattice(draw_axon(*t, xy, rng), field, options);
                const auto file = folder / fmt::format("axon_{:03d}.am", a);
                if (auto s = write_text(file, format_amira_lattice(lattice, options.digits)); !s) return s;
            }
        }
    return {};
}

}  // namespace

Status write_synthetic_barrel_cortex(const std::filesystem::path& dir,
                                     const SyntheticBarrelCortexOptions& options) {
    if (!(options.voxel > 0) || options.lattices_per_folder < 1 || !(options.cell_scale > 0) ||
        !(options.column_spacing > 0) || options.digits < 1 || options.digits > 17)
        return fail(Errc::invalid_argument,
                    "synthetic barrel cortex: voxel, spacing, scale and lattices must be > 0");
    auto columns = select_named(k_columns, options.columns, "column");
    if (!columns) return std::unexpected(columns.error());
    auto types = select_named(k_types, options.cell_types, "presynaptic cell type");
    if (!types) return std::unexpected(types.error());
    std::error_code ec;
    std::filesystem::create_directories(dir / "PST", ec);
    if (ec) return fail(Errc::io, "cannot create folder: " + ec.message(), (dir / "PST").string());
    const ScalarLattice field = field_lattice(options);
    if (auto s = write_cell_counts(dir, options, *columns, *types); !s) return s;
    if (auto s = write_connection_constants(dir); !s) return s;
    if (auto s = write_normalisation_psts(dir, options, field); !s) return s;
    return write_bouton_lattices(dir, options, *columns, *types, field);
}

}  // namespace silico::experiments
