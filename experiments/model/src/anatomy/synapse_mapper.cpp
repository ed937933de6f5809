// Steps 1-4 of the synapse mapper: the cell on the grid, its PSTs, the innervation field of every bouton
// lattice, and the loading of ISF's barrel-cortex layout (synapse_mapper.hpp).
#include "silico/model/synapse_mapper.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <optional>

#include "parallel.hpp"
#include "silico/model/morphology.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/model/synapse_placement.hpp"

namespace silico::experiments {
namespace {

using Vec3 = std::array<double, 3>;

double distance(const Vec3& a, const Vec3& b) {
    const double dx = b[0] - a[0], dy = b[1] - a[1], dz = b[2] - a[2];
    return std::sqrt(dx * dx + dy * dy + dz * dz);
}

// ISF's _get_truncated_cone_area: lateral area of a truncated cone of height h and radii r1, r2.
double truncated_cone_area(double height, double r1, double r2) {
    const double dr = r2 - r1;
    return M_PI * (r1 + r2) * std::sqrt(height * height + dr * dr);
}

// ISF's _interpolate_radius.
double interpolate_radius(const Vec3& p0, const Vec3& p1, double r0, double r1, const Vec3& target) {
    const double total = distance(p0, p1);
    if (total > -1e-4 && total < 1e-4) return 0.5 * (r0 + r1);
    const double alpha = distance(p0, target) / total;
    return alpha * r1 + (1.0 - alpha) * r0;
}

// ISF's _clip_u (one Liang-Barsky boundary test).
bool clip_u(double p, double q, double& u1, double& u2) {
    if (p < 0) {
        const double t = q / p;
        if (t > u2) return false;
        if (t > u1) u1 = t;
    } else if (p > 0) {
        const double t = q / p;
        if (t < u1) return false;
        if (t < u2) u2 = t;
    } else if (q < 0) {
        return false;
    }
    return true;
}

// ISF's _intersect_bboxes (closed intervals).
bool intervals_overlap(double a0, double a1, double b0, double b1) {
    bool hit = (a0 >= b0 && a0 <= b1) || (b0 >= a0 && b0 <= a1);
    if ((a1 <= b1 && a1 >= b0) || (b1 <= a1 && b1 >= a0)) hit = true;
    return hit;
}

int floor_index(double x, double origin, double spacing) {
    return static_cast<int>(std::floor((x - origin) / spacing));
}

}  // namespace

std::array<double, 3> CellGrid::centre(std::size_t voxel) const {
    const std::size_t nz = static_cast<std::size_t>(dims[2]), ny = static_cast<std::size_t>(dims[1]);
    const std::size_t k = voxel % nz, j = (voxel / nz) % ny, i = voxel / (nz * ny);
    return {origin[0] + (static_cast<double>(i) + 0.5) * spacing[0],
            origin[1] + (static_cast<double>(j) + 0.5) * spacing[1],
            origin[2] + (static_cast<double>(k) + 0.5) * spacing[2]};
}

namespace {

// The grid voxel holding p, or nullopt outside the grid.
std::optional<std::array<int, 3>> grid_voxel(const CellGrid& g, const Vec3& p) {
    std::array<int, 3> ijk{};
    for (int a = 0; a < 3; ++a) {
        ijk[a] = floor_index(p[a], g.origin[a], g.spacing[a]);
        if (ijk[a] < 0 || ijk[a] >= g.dims[a]) return std::nullopt;
    }
    return ijk;
}

// Step 1: labels and structures (order of first appearance), section IDs, relPts; returns each section's
// length.
Result<std::vector<double>> label_sections(const Morphology& morphology, const MapperOptions& options,
                                           MappedCell& cell) {
    const auto& secs = morphology.sections;
    std::vector<double> length(secs.size(), 0.0);
    int kept = 0;
    for (std::size_t s = 0; s < secs.size(); ++s) {
        const auto& sec = secs[s];
        auto& out = cell.sections[s];
        for (const auto& p : sec.points) out.xyz.push_back({p.x, p.y, p.z});
        for (std::size_t k = 1; k < out.xyz.size(); ++k) length[s] += distance(out.xyz[k - 1], out.xyz[k]);
        out.x = isf_relative_points(out.xyz);
        if (sec.label == k_label_axon || sec.label == k_label_ais || sec.label == k_label_myelin) {
            out.output_id = sec.id;
            continue;
        }
        if (sec.label != k_label_soma && sec.label != k_label_dendrite && sec.label != k_label_apical)
            return fail(Errc::validation,
                        fmt::format("section {} ('{}') has label {}; synapses map onto Soma, Dendrite and "
                                    "ApicalDendrite sections only",
                                    sec.id, sec.name, sec.label),
                        fmt::format("{}:{}", morphology.source, sec.line));
        std::size_t st = 0;
        while (st < cell.structures.size() && cell.structures[st].label != sec.label) ++st;
        if (st == cell.structures.size())
            cell.structures.push_back(MappedStructure{sec.label, {}, {}, {}, {}, {}, {}});
        out.structure = static_cast<int>(st);
        out.output_id = options.isf_compat ? kept : sec.id;
        ++kept;
    }
    if (cell.structures.empty())
        return fail(Errc::validation, "the morphology has no soma or dendrite section", morphology.source);
    return length;
}

// Path length to the soma (ISF's distance_to_soma): x·L plus, for every ancestor below the soma, the part of
// the parent between its start and the child's attachment (ISF: the whole parent, isf_compat).
Status set_soma_distances(const Morphology& morphology, const std::vector<double>& length,
                          const MapperOptions& options, MappedCell& cell) {
    const auto& secs = morphology.sections;
    std::vector<double> base(secs.size(), -1.0);
    for (std::size_t s = 0; s < secs.size(); ++s) {
        // Walk up to a section with a known base (or the soma), then fill the chain on the way down.
        std::vector<std::size_t> chain;
        std::size_t at = s;
        while (base[at] < 0) {
            if (secs[at].label == k_label_soma || secs[at].parent_id < 0) {
                base[at] = 0.0;
                break;
            }
            chain.push_back(at);
            at = static_cast<std::size_t>(secs[at].parent_id);
            if (chain.size() > secs.size())
                return fail(Errc::validation, "section parents form a cycle", morphology.source);
        }
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
            const auto& sec = secs[*it];
            const auto parent = static_cast<std::size_t>(sec.parent_id);
            if (secs[parent].label == k_label_soma)
                base[*it] = 0.0;
            else
                base[*it] = base[parent] + (options.isf_compat ? 1.0 : sec.parent_x) * length[parent];
        }
    }
    for (std::size_t s = 0; s < secs.size(); ++s) {
        auto& out = cell.sections[s];
        out.path.resize(out.x.size());
        for (std::size_t k = 0; k < out.x.size(); ++k)
            out.path[k] = secs[s].label == k_label_soma ? 0.0 : base[s] + out.x[k] * length[s];
    }

    return {};
}

// Step 2: the grid. Bounding box of the mapped sections, voxels of the lattice overlapping it; every mapped
// point must lie inside.
Status fit_grid(const Morphology& morphology, const ScalarLattice& excitatory_norm, MappedCell& cell) {
    const auto& secs = morphology.sections;
    Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
    for (std::size_t s = 0; s < secs.size(); ++s) {
        if (cell.sections[s].structure < 0) continue;
        for (const auto& p : cell.sections[s].xyz)
            for (int a = 0; a < 3; ++a) {
                lo[a] = std::min(lo[a], p[a]);
                hi[a] = std::max(hi[a], p[a]);
            }
    }
    std::array<int, 3> first{}, last{};
    for (int a = 0; a < 3; ++a) {
        first[a] = excitatory_norm.dims[a];
        last[a] = -1;
        for (int i = 0; i < excitatory_norm.dims[a]; ++i) {
            const double v0 = excitatory_norm.origin[a] + i * excitatory_norm.spacing[a];
            const double v1 = excitatory_norm.origin[a] + (i + 1) * excitatory_norm.spacing[a];
            if (!intervals_overlap(lo[a], hi[a], v0, v1)) continue;
            first[a] = std::min(first[a], i);
            last[a] = std::max(last[a], i);
        }
    }
    if (last[0] < 0 || last[1] < 0 || last[2] < 0) {
        const auto b = excitatory_norm.bounds();
        return fail(
            Errc::validation,
            fmt::format(
                "the cell (bounding box x {:.1f}..{:.1f}, y {:.1f}..{:.1f}, z {:.1f}..{:.1f} µm) lies "
                "outside the excitatory normalisation lattice (x {:.1f}..{:.1f}, y {:.1f}..{:.1f}, "
                "z {:.1f}..{:.1f}): is it registered to this barrel cortex?",
                lo[0], hi[0], lo[1], hi[1], lo[2], hi[2], b[0], b[1], b[2], b[3], b[4], b[5]),
            morphology.source);
    }
    for (int a = 0; a < 3; ++a) {
        cell.grid.dims[a] = last[a] - first[a] + 1;
        cell.grid.spacing[a] = excitatory_norm.spacing[a];
        cell.grid.origin[a] = excitatory_norm.origin[a] + first[a] * excitatory_norm.spacing[a];
    }
    const auto& g = cell.grid;
    for (std::size_t s = 0; s < secs.size(); ++s) {
        if (cell.sections[s].structure < 0) continue;
        for (std::size_t k = 0; k < cell.sections[s].xyz.size(); ++k) {
            const auto& p = cell.sections[s].xyz[k];
            if (!grid_voxel(g, p))
                return fail(
                    Errc::validation,
                    fmt::format("section {} ('{}') point {} at ({:.2f}, {:.2f}, {:.2f}) lies outside the "
                                "excitatory normalisation lattice: the cell is not inside the barrel "
                                "cortex model",
                                secs[s].id, secs[s].name, k, p[0], p[1], p[2]),
                    fmt::format("{}:{}", morphology.source, secs[s].line));
        }
    }

    return {};
}

// Length and area per voxel: segments inside one voxel whole, the others clipped (Liang-Barsky) against every
// voxel whose closed box they can touch (ISF tests every voxel; the others contribute nothing).
void add_length_and_area(const Morphology& morphology, const MapperOptions& options, MappedCell& cell) {
    const auto& secs = morphology.sections;
    const auto& g = cell.grid;
    for (std::size_t s = 0; s < secs.size(); ++s) {
        const auto& ms = cell.sections[s];
        if (ms.structure < 0) continue;
        auto& st = cell.structures[static_cast<std::size_t>(ms.structure)];
        const auto& pts = secs[s].points;
        for (std::size_t k = 0; k + 1 < pts.size(); ++k) {
            const Vec3& p1 = ms.xyz[k];
            const Vec3& p2 = ms.xyz[k + 1];
            const double scale = options.area == AreaConvention::amira ? 1.0 : 0.5;
            const double r1 = pts[k].d * scale, r2 = pts[k + 1].d * scale;
            const auto c1 = *grid_voxel(g, p1), c2 = *grid_voxel(g, p2);
            if (c1 == c2) {
                const double len = distance(p1, p2);
                const auto v = g.index(c1[0], c1[1], c1[2]);
                st.length[v] += len;
                st.area[v] += truncated_cone_area(len, r1, r2);
                cell.total_length += len;
                continue;
            }
            const Vec3 d{p2[0] - p1[0], p2[1] - p1[1], p2[2] - p1[2]};
            std::array<int, 3> from{}, to{};
            for (int a = 0; a < 3; ++a) {
                from[a] = std::max(0, std::min(c1[a], c2[a]) - 1);
                to[a] = std::min(g.dims[a] - 1, std::max(c1[a], c2[a]) + 1);
            }
            for (int i = from[0]; i <= to[0]; ++i)
                for (int j = from[1]; j <= to[1]; ++j)
                    for (int kk = from[2]; kk <= to[2]; ++kk) {
                        const double b0 = g.origin[0] + i * g.spacing[0],
                                     b1 = g.origin[0] + (i + 1) * g.spacing[0];
                        const double b2 = g.origin[1] + j * g.spacing[1],
                                     b3 = g.origin[1] + (j + 1) * g.spacing[1];
                        const double b4 = g.origin[2] + kk * g.spacing[2],
                                     b5 = g.origin[2] + (kk + 1) * g.spacing[2];
                        double u1 = 0.0, u2 = 1.0;
                        if (!(clip_u(-d[0], p1[0] - b0, u1, u2) && clip_u(d[0], b1 - p1[0], u1, u2) &&
                              clip_u(-d[1], p1[1] - b2, u1, u2) && clip_u(d[1], b3 - p1[1], u1, u2) &&
                              clip_u(-d[2], p1[2] - b4, u1, u2) && clip_u(d[2], b5 - p1[2], u1, u2)))
                            continue;
                        if (u2 < u1) continue;
                        const Vec3 q1{p1[0] + u1 * d[0], p1[1] + u1 * d[1], p1[2] + u1 * d[2]};
                        const Vec3 q2{p1[0] + u2 * d[0], p1[1] + u2 * d[1], p1[2] + u2 * d[2]};
                        const Vec3 diff{(u2 - u1) * d[0], (u2 - u1) * d[1], (u2 - u1) * d[2]};
                        const double len =
                            std::sqrt(diff[0] * diff[0] + diff[1] * diff[1] + diff[2] * diff[2]);
                        const double ra = interpolate_radius(p1, p2, r1, r2, q1);
                        const double rb = interpolate_radius(p1, p2, r1, r2, q2);
                        const auto v = g.index(i, j, kk);
                        st.length[v] += len;
                        st.area[v] += truncated_cone_area(len, ra, rb);
                        cell.total_length += len;
                    }
        }
    }
}

// Traced points per voxel and structure: a point on a voxel face belongs to every voxel whose closed box holds
// it (ISF's _pt_in_box).
void assign_points(const Morphology& morphology, MappedCell& cell) {
    const auto& secs = morphology.sections;
    const auto& g = cell.grid;
    const std::size_t nvox = g.voxel_count();
    for (auto& st : cell.structures) st.point_begin.assign(nvox + 1, 0);
    std::vector<std::vector<std::pair<std::uint32_t, PointRef>>> members(cell.structures.size());
    for (std::size_t s = 0; s < secs.size(); ++s) {
        const auto& ms = cell.sections[s];
        if (ms.structure < 0) continue;
        for (std::size_t k = 0; k < ms.xyz.size(); ++k) {
            const auto& p = ms.xyz[k];
            const auto c = *grid_voxel(g, p);
            for (int i = std::max(0, c[0] - 1); i <= std::min(g.dims[0] - 1, c[0] + 1); ++i)
                for (int j = std::max(0, c[1] - 1); j <= std::min(g.dims[1] - 1, c[1] + 1); ++j)
                    for (int kk = std::max(0, c[2] - 1); kk <= std::min(g.dims[2] - 1, c[2] + 1); ++kk) {
                        const bool in = g.origin[0] + i * g.spacing[0] <= p[0] &&
                                        p[0] <= g.origin[0] + (i + 1) * g.spacing[0] &&
                                        g.origin[1] + j * g.spacing[1] <= p[1] &&
                                        p[1] <= g.origin[1] + (j + 1) * g.spacing[1] &&
                                        g.origin[2] + kk * g.spacing[2] <= p[2] &&
                                        p[2] <= g.origin[2] + (kk + 1) * g.spacing[2];
                        if (in)
                            members[static_cast<std::size_t>(ms.structure)].push_back(
                                {static_cast<std::uint32_t>(g.index(i, j, kk)),
                                 PointRef{static_cast<int>(s), static_cast<int>(k)}});
                    }
        }
    }
    for (std::size_t st = 0; st < cell.structures.size(); ++st) {
        auto& list = members[st];
        // Within a voxel, points in section order then point order (ISF's voxelEdgeMap order).
        std::stable_sort(list.begin(), list.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        auto& ms = cell.structures[st];
        for (const auto& [v, ref] : list) {
            ++ms.point_begin[v + 1];
            ms.points.push_back(ref);
        }
        for (std::size_t v = 0; v < nvox; ++v) ms.point_begin[v + 1] += ms.point_begin[v];
    }
}

// Step 3: the cell's PSTs, and the normalisation PSTs at the voxel centres.
void set_psts(const ScalarLattice& excitatory_norm, const ScalarLattice& inhibitory_norm,
              const PostTypeConstants& constants, MappedCell& cell) {
    const auto& g = cell.grid;
    const std::size_t nvox = g.voxel_count();
    for (auto& st : cell.structures) {
        auto pick = [&](const PstDensities& d) -> std::pair<double, double> {
            if (st.label == k_label_soma) return {d.length_soma, d.area_soma};
            if (st.label == k_label_apical) return {d.length_apical, d.area_apical};
            return {d.length_basal, d.area_basal};
        };
        const auto [le, ae] = pick(constants.excitatory);
        const auto [li, ai] = pick(constants.inhibitory);
        st.pst_excitatory.resize(nvox);
        st.pst_inhibitory.resize(nvox);
        for (std::size_t v = 0; v < nvox; ++v) {
            st.pst_excitatory[v] = le * st.length[v] + ae * st.area[v];
            st.pst_inhibitory[v] = li * st.length[v] + ai * st.area[v];
        }
    }
    cell.norm_excitatory.resize(nvox);
    cell.norm_inhibitory.resize(nvox);
    for (std::size_t v = 0; v < nvox; ++v) {
        const auto c = g.centre(v);
        cell.norm_excitatory[v] = excitatory_norm.value_at(c);
        cell.norm_inhibitory[v] = inhibitory_norm.value_at(c);
    }
}

}  // namespace

Result<MappedCell> prepare_cell(const Morphology& morphology, const ScalarLattice& excitatory_norm,
                                const ScalarLattice& inhibitory_norm, const PostTypeConstants& constants,
                                const MapperOptions& options) {
    MappedCell cell;
    cell.name = std::filesystem::path(morphology.source).stem().string();
    cell.sections.resize(morphology.sections.size());
    auto length = label_sections(morphology, options, cell);
    if (!length) return std::unexpected(length.error());
    if (auto st = set_soma_distances(morphology, *length, options, cell); !st)
        return std::unexpected(st.error());
    if (auto st = fit_grid(morphology, excitatory_norm, cell); !st) return std::unexpected(st.error());
    const std::size_t nvox = cell.grid.voxel_count();
    for (auto& st : cell.structures) {
        st.length.assign(nvox, 0.0);
        st.area.assign(nvox, 0.0);
    }
    add_length_and_area(morphology, options, cell);
    assign_points(morphology, cell);
    set_psts(excitatory_norm, inhibitory_norm, constants, cell);
    return cell;
}

InnervationField compute_innervation(const MappedCell& cell, const ScalarLattice& boutons, SynapseClass cls) {
    InnervationField field;
    const auto& norm = cls == SynapseClass::excitatory ? cell.norm_excitatory : cell.norm_inhibitory;
    const std::size_t nvox = cell.grid.voxel_count();
    // Bouton values at the voxel centres, looked up once for all structures.
    std::vector<double> b(nvox, -1.0);
    for (std::size_t st = 0; st < cell.structures.size(); ++st) {
        const auto& ms = cell.structures[st];
        const auto& pst = cls == SynapseClass::excitatory ? ms.pst_excitatory : ms.pst_inhibitory;
        for (std::size_t v = 0; v < nvox; ++v) {
            if (ms.point_begin[v + 1] == ms.point_begin[v]) continue;  // no traced point: ISF skips the voxel
            if (!(norm[v] > 0.0) || !(pst[v] > 0.0)) continue;
            if (b[v] < 0.0) b[v] = boutons.value_at(cell.grid.centre(v));
            if (!(b[v] > 0.0)) continue;
            const double lambda = b[v] * pst[v] / norm[v];
            if (!(lambda > 0.0)) continue;
            field.entries.push_back({static_cast<std::uint32_t>(st), static_cast<std::uint32_t>(v), lambda});
            field.total += lambda;
            field.cumulative.push_back(field.total);
        }
    }
    return field;
}

Result<MappingInput> load_mapping_input(const Morphology& morphology, const BarrelCortexLayout& layout,
                                        const MapperOptions& options) {
    MappingInput input;
    auto counts = read_cell_type_counts(layout.nr_cells());
    if (!counts) return std::unexpected(counts.error());
    input.counts = std::move(*counts);
    auto constants = read_connection_constants(layout.connections());
    if (!constants) return std::unexpected(constants.error());
    const auto* post = constants->find(options.cell_type);
    if (!post) {
        std::string known;
        for (const auto& p : constants->post_types) known += (known.empty() ? "" : ", ") + p.post_type;
        return fail(
            Errc::validation,
            fmt::format("unknown postsynaptic cell type '{}'; the file has {}", options.cell_type, known),
            layout.connections().string());
    }
    std::vector<SynapseClass> classes;
    for (std::size_t t = 0; t < input.counts.cell_types.size(); ++t) {
        auto cls = isf_cell_type_class(input.counts.cell_types[t]);
        if (!cls)
            return fail(
                Errc::validation,
                fmt::format("unknown presynaptic cell type '{}': neither one of ISF's excitatory types "
                            "(VPM, L2, L34, L4py, L4sp, L4ss, L5st, L5tt, L6cc, L6ccinv, L6ct) nor one of "
                            "its inhibitory types (SymLocal1-6, L1, L23Trans, L45Sym, L45Peak, L56Trans)",
                            input.counts.cell_types[t]),
                fmt::format("{}:{}", input.counts.source, input.counts.type_lines[t]));
        classes.push_back(*cls);
    }
    auto ex = read_amira_lattice(layout.excitatory_pst());
    if (!ex) return std::unexpected(ex.error());
    auto inh = read_amira_lattice(layout.inhibitory_pst());
    if (!inh) return std::unexpected(inh.error());
    crop_to_nonzero(*ex);
    crop_to_nonzero(*inh);
    auto cell = prepare_cell(morphology, *ex, *inh, *post, options);
    if (!cell) return std::unexpected(cell.error());
    input.cell = std::move(*cell);

    struct Job {
        std::size_t population, lattice;
    };
    std::vector<Job> jobs;
    for (std::size_t c = 0; c < input.counts.columns.size(); ++c)
        for (std::size_t t = 0; t < input.counts.cell_types.size(); ++t) {
            PresynapticPopulation pop;
            pop.cell_type = input.counts.cell_types[t];
            pop.column = input.counts.columns[c];
            pop.cls = classes[t];
            pop.cells = input.counts.count(t, c);
            if (pop.cells > 0) {
                auto files = list_bouton_lattices(layout.bouton_folder(pop.column, pop.cell_type));
                if (!files)
                    return std::unexpected(
                        files.error().within(fmt::format("{} cells of {} in column {} ({})", pop.cells,
                                                         pop.cell_type, pop.column, input.counts.source)));
                pop.lattice_files = std::move(*files);
                pop.fields.resize(pop.lattice_files.size());
                for (std::size_t l = 0; l < pop.lattice_files.size(); ++l)
                    jobs.push_back({input.populations.size(), l});
            }
            input.populations.push_back(std::move(pop));
        }

    std::vector<std::optional<Error>> errors(jobs.size());
    detail::parallel_for(jobs.size(), options.threads, [&](std::size_t j) {
        auto& pop = input.populations[jobs[j].population];
        auto lattice = read_amira_lattice(pop.lattice_files[jobs[j].lattice]);
        if (!lattice) {
            errors[j] = lattice.error();
            return;
        }
        pop.fields[jobs[j].lattice] = compute_innervation(input.cell, *lattice, pop.cls);
    });
    for (auto& e : errors)
        if (e) return std::unexpected(*e);
    return input;
}

}  // namespace silico::experiments

namespace silico::experiments {

Result<Digest> anatomy_key(const std::filesystem::path& morphology, const BarrelCortexLayout& layout,
                           const MapperOptions& options) {
    Sha256 h;
    auto field = [&](std::string_view tag, std::string_view value) {
        auto u64 = [&](std::uint64_t v) {
            char b[8];
            for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (56 - 8 * i)) & 0xff);
            h.update(std::string_view(b, 8));
        };
        u64(tag.size());
        h.update(tag);
        u64(value.size());
        h.update(value);
    };
    field("key-format", "silico.anatomy-key.v1");
    auto cell = sha256_file(morphology);
    if (!cell) return std::unexpected(cell.error());
    field("morphology", cell->hex());
    auto counts = read_cell_type_counts(layout.nr_cells());
    if (!counts) return std::unexpected(counts.error());
    std::vector<std::filesystem::path> files = {layout.nr_cells(), layout.connections(),
                                                layout.excitatory_pst(), layout.inhibitory_pst()};
    for (std::size_t c = 0; c < counts->columns.size(); ++c)
        for (std::size_t t = 0; t < counts->cell_types.size(); ++t) {
            if (counts->count(t, c) == 0) continue;
            auto listed =
                list_bouton_lattices(layout.bouton_folder(counts->columns[c], counts->cell_types[t]));
            if (!listed) return std::unexpected(listed.error());
            files.insert(files.end(), listed->begin(), listed->end());
        }
    std::sort(files.begin(), files.end());
    field("file-count", std::to_string(files.size()));
    for (const auto& f : files) {
        auto d = sha256_file(f);
        if (!d) return std::unexpected(d.error());
        field("file", std::filesystem::relative(f, layout.dir).generic_string());
        field("digest", d->hex());
    }
    field("cell-type", options.cell_type);
    field("realisations", std::to_string(options.realisations));
    field("seed", std::to_string(options.seed));
    field("area", options.area == AreaConvention::amira ? "amira" : "geometric");
    field("isf-compat", options.isf_compat ? "1" : "0");
    return h.finish();
}

}  // namespace silico::experiments
