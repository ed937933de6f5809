// The NEURON-free half of the cell builder: ISF's create_cell (single_cell_parser/__init__.py,
// cell_parser.py) computed in C++; docs/cells.md.
#include "silico/model/cell_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <set>

#include "cell/cell_modify_registry.hpp"

namespace silico::experiments {

namespace {

constexpr int k_max_nseg = 32767;  // NEURON's limit

// NEURON keeps 3D points as 32-bit floats and accumulates the arc length in double from float differences.
double neuron_length(const std::vector<Point3d>& points) {
    double arc = 0;
    for (std::size_t i = 1; i < points.size(); ++i) {
        const float dx = static_cast<float>(points[i].x) - static_cast<float>(points[i - 1].x);
        const float dy = static_cast<float>(points[i].y) - static_cast<float>(points[i - 1].y);
        const float dz = static_cast<float>(points[i].z) - static_cast<float>(points[i - 1].z);
        const double tx = dx, ty = dy, tz = dz;
        arc += std::sqrt(tx * tx + ty * ty + tz * tz);
    }
    return arc;
}

// ISF's relPts: cumulative Euclidean length / L, renormalised by the last value, last forced to 1.
std::vector<double> relative_points(const std::vector<Point3d>& pts, double length) {
    std::vector<double> rel{0.0};
    double cumulative = 0;
    for (std::size_t i = 0; i + 1 < pts.size(); ++i) {
        const double dx = pts[i].x - pts[i + 1].x, dy = pts[i].y - pts[i + 1].y, dz = pts[i].z - pts[i + 1].z;
        cumulative += std::sqrt(dx * dx + dy * dy + dz * dz);
        rel.push_back(cumulative / length);
    }
    const double norm = 1.0 / rel.back();
    for (std::size_t i = 0; i + 1 < rel.size(); ++i) rel[i] *= norm;
    rel.back() = 1.0;
    return rel;
}

// numpy.interp for increasing xp.
double interp(double x, const std::vector<double>& xp, const std::vector<double>& fp) {
    if (x <= xp.front()) return fp.front();
    if (x >= xp.back()) return fp.back();
    auto it = std::upper_bound(xp.begin(), xp.end(), x);
    const auto j = static_cast<std::size_t>(it - xp.begin()) - 1;
    const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
    return slope * (x - xp[j]) + fp[j];
}

bool is_preset_nseg_label(std::string_view label) {
    return label == "AIS" || label == "Myelin" || label == "Node";
}

}  // namespace

double CellSection::node_position(double x) const {
    if (x <= 0) return 0;
    if (x >= 1) return length;
    int i = static_cast<int>(x * nseg);
    if (i > nseg - 1) i = nseg - 1;
    const double ratio = (i + 0.5) / nseg;
    return length * ratio;
}

std::string RecordingSite::label(std::string_view stem, int index) const {
    return fmt::format("{}_ID_{:03d}_sec_{:03d}_seg_{:03d}_x_{:.3f}_somaDist_{:.1f}", stem, index,
                       location.section_id, location.segment, location.x, soma_distance);
}

// Builds a CellModel step by step in ISF's order.
class CellModelBuilder {
  public:
    CellModelBuilder(const Morphology& morphology, const CellParameters& parameters,
                     const BuildOptions& options)
        : m_morphology(morphology), m_options(options) {
        m_cell.m_parameters = parameters;
    }

    Result<CellModel> build() {
        Status s;
        if (!(s = create_sections()) || !(s = add_axon()) || !(s = connect()) || !(s = set_properties()) ||
            !(s = determine_nseg()) || !(s = insert_mechanisms()) || !(s = apply_modify_functions()))
            return std::unexpected(s.error());
        return std::move(m_cell);
    }

  private:
    std::unexpected<Error> error(const std::string& message) const {
        return fail(Errc::validation, message, m_cell.m_parameters.source);
    }

    Status create_sections() {
        const int soma = m_morphology.soma_id();
        if (soma < 0) return error("the morphology " + m_morphology.source + " has no soma");
        m_cell.m_soma = soma;
        for (const auto& ms : m_morphology.sections) {
            CellSection s;
            s.id = ms.id;
            s.name = ms.name;
            s.label = ms.label;
            s.parent_id = ms.parent_id;
            s.file_parent_x = ms.parent_x;
            s.parent_x = ms.parent_x;
            s.points = ms.points;
            m_cell.m_sections.push_back(std::move(s));
        }
        return {};
    }

    CellSection& sec(int id) { return m_cell.m_sections[static_cast<std::size_t>(id)]; }

    std::optional<double> imposed_length(int id) const {
        const auto& lengths = m_options.section_lengths;
        return static_cast<std::size_t>(id) < lengths.size() ? lengths[static_cast<std::size_t>(id)]
                                                             : std::nullopt;
    }

    // ISF's _create_ais_Hay2013: hillock, initial segment and myelin along -z from the soma's middle point.
    Status add_axon() {
        if (!m_cell.m_parameters.has_ais()) return {};
        const auto& soma = sec(m_cell.m_soma);
        const std::size_t mid = soma.points.size() / 2;
        const Point3d centre = soma.points[mid];
        const double radius = 0.5 * centre.d;
        const double z0 = centre.z - radius;
        auto run = [&](double start_z, int count, double step, auto diameter) {
            std::vector<Point3d> pts;
            for (int i = 0; i < count; ++i)
                pts.push_back({centre.x, centre.y, start_z - i * step, diameter(i)});
            return pts;
        };
        const double myelin_length = 1000.0, ais_length = 30.0, hill_length = 20.0;
        const int myelin_seg = 1 + 2 * static_cast<int>(myelin_length / 100.0);
        const int ais_seg = 1 + 2 * static_cast<int>(ais_length / 10.0);
        const int hill_seg = 1 + 2 * static_cast<int>(hill_length / 10.0);
        const double myelin_step = myelin_length / (myelin_seg - 1), ais_step = ais_length / (ais_seg - 1),
                     hill_step = hill_length / (hill_seg - 1);
        const double ais_diam = 1.75, myelin_diam = 1.0, hill_diam = 3.0;
        const double ais_taper = (myelin_diam - ais_diam) / (ais_seg - 1);
        const double hill_taper = (ais_diam - hill_diam) / (hill_seg - 1);
        auto hill = run(z0, hill_seg, hill_step, [&](int i) { return hill_diam + hill_taper * i; });
        auto ais = run(hill.back().z, ais_seg, ais_step, [&](int i) { return ais_diam + ais_taper * i; });
        auto myelin = run(ais.back().z, myelin_seg, myelin_step, [&](int) { return myelin_diam; });
        auto append = [&](std::string name, std::string label, int parent, double x, std::vector<Point3d> pts,
                          int nseg) {
            CellSection s;
            s.id = static_cast<int>(m_cell.m_sections.size());
            s.name = std::move(name);
            s.label = std::move(label);
            s.parent_id = parent;
            s.parent_x = s.file_parent_x = x;
            s.points = std::move(pts);
            s.nseg = nseg;
            m_cell.m_sections.push_back(std::move(s));
            return static_cast<int>(m_cell.m_sections.size()) - 1;
        };
        int h = append("axon_0", "AIS", m_cell.m_soma, 0.5, std::move(hill), hill_seg);
        int a = append("axon_0_0", "AIS", h, 1.0, std::move(ais), ais_seg);
        append("axon_0_0_0", "Myelin", a, 1.0, std::move(myelin), myelin_seg);
        return {};
    }

    Status connect() {
        auto& sections = m_cell.m_sections;
        for (std::size_t id = sections.size(); id < m_options.section_lengths.size(); ++id)
            if (m_options.section_lengths[id])
                return error(fmt::format("an imposed length names section {}, but the cell has {} sections",
                                         id, sections.size()));
        for (auto& s : sections) {
            s.diameters.clear();
            for (const auto& p : s.points) s.diameters.push_back(p.d);
            s.length = neuron_length(s.points);
            if (!(s.length > 0)) return error("section " + std::to_string(s.id) + " has zero length");
            if (auto imposed = imposed_length(s.id)) {
                if (!(std::abs(*imposed / s.length - 1) <= 1e-5))
                    return error(
                        fmt::format("section {} ({}): the imposed length {} um is not the length of its "
                                    "3D points ({} um) up to float32 rounding (1e-5)",
                                    s.id, s.name, *imposed, s.length));
                s.length = *imposed;
                s.imposed_length = true;
            }
            s.rel_pts = relative_points(s.points, s.length);
            if (s.id == m_cell.m_soma) continue;
            // ISF connects every soma child at soma(0.5) (NEURON's ri would otherwise depend on soma(0)).
            if (sections[static_cast<std::size_t>(s.parent_id)].label == k_label_soma) s.parent_x = 0.5;
            sections[static_cast<std::size_t>(s.parent_id)].children.push_back(s.id);
        }
        for (auto& s : sections) std::ranges::sort(s.children);
        // Branch roots (soma children) by walking down from the soma.
        std::vector<int> stack;
        for (int c : sec(m_cell.m_soma).children) {
            sec(c).branch_root = c;
            stack.push_back(c);
        }
        while (!stack.empty()) {
            int id = stack.back();
            stack.pop_back();
            for (int c : sec(id).children) {
                sec(c).branch_root = sec(id).branch_root;
                stack.push_back(c);
            }
        }
        return {};
    }

    Status set_properties() {
        for (const auto& label : m_cell.m_parameters.labels) {
            bool any = false;
            for (auto& s : m_cell.m_sections) {
                if (s.label != label.label) continue;
                any = true;
                for (const auto& [name, value] : label.properties) {
                    s.properties.emplace_back(name, value);
                    if (name == "Ra") s.ra = value;
                    if (name == "cm") s.cm = value;
                }
            }
            if (!any)
                return error("parameter block neuron." + label.label + " names a label the morphology " +
                             m_morphology.source + " has no section of");
        }
        return {};
    }

    // ISF's determine_nseg: preset for AIS/Myelin/Node branches, else the d-lambda rule on the middle 3D
    // point's diameter as read (before any scaling).
    Status determine_nseg() {
        const auto& disc = m_cell.m_parameters.discretization;
        for (auto& s : m_cell.m_sections) {
            const int root = s.id == m_cell.m_soma ? s.id : s.branch_root;
            if (is_preset_nseg_label(sec(root).label)) continue;  // keeps the preset (1 unless set)
            if (m_options.all_points) {
                s.nseg = static_cast<int>(std::min<std::size_t>(s.points.size(), k_max_nseg));
                continue;
            }
            const double d = s.points[s.points.size() / 2].d;
            if (!(d > 0) || !(s.ra > 0) || !(s.cm > 0))
                return error("section " + std::to_string(s.id) + " (" + s.name +
                             "): the d-lambda rule needs a positive middle diameter, Ra and cm");
            const double lambda = 100000 * std::sqrt(d / (4 * std::numbers::pi * disc.f * s.ra * s.cm));
            const double n = std::floor((s.length / (0.1 * lambda) + 0.5) / 2) * 2 + 1;
            double nseg = n;
            if (disc.max_seg_length && s.length / n > *disc.max_seg_length)
                nseg = std::ceil(s.length / *disc.max_seg_length);
            if (!(nseg <= k_max_nseg))
                return error("section " + std::to_string(s.id) + " (" + s.name + ") would need more than " +
                             std::to_string(k_max_nseg) + " segments");
            s.nseg = static_cast<int>(nseg);
        }
        // D2 of every section's 0-end, parents first.
        m_cell.m_d2_start.assign(m_cell.m_sections.size(), 0.0);
        std::vector<int> stack{m_cell.m_soma};
        while (!stack.empty()) {
            int id = stack.back();
            stack.pop_back();
            for (int c : sec(id).children) {
                m_cell.m_d2_start[static_cast<std::size_t>(c)] =
                    m_cell.m_d2_start[static_cast<std::size_t>(id)] + sec(id).node_position(sec(c).parent_x);
                stack.push_back(c);
            }
        }
        return {};
    }

    Status insert_mechanisms() {
        const auto& soma = sec(m_cell.m_soma);
        const double soma_mid_z = soma.points[soma.points.size() / 2].z;
        for (const auto& label : m_cell.m_parameters.labels) {
            for (const auto& block : label.mechanisms) {
                double max_dist = 0;
                if (block.kind != SpatialKind::uniform) {
                    auto md = m_cell.max_distance(label.label);
                    if (!md)
                        return error("neuron." + label.label + ".mechanisms.range." + block.name +
                                     ": spatial kind " + std::string(to_string(block.kind)) +
                                     " measures distance from a section of " +
                                     "that label attached to the soma, and there is none");
                    max_dist = *md;
                    if (block.relative && !(max_dist > 0))
                        return error("neuron." + label.label + ".mechanisms.range." + block.name +
                                     ": relative distance with a maximum distance of 0");
                }
                for (auto& s : m_cell.m_sections) {
                    if (s.label != label.label) continue;
                    if (auto st = insert(s, block, max_dist, soma_mid_z); !st) return st;
                }
            }
            for (auto& s : m_cell.m_sections) {
                if (s.label != label.label) continue;
                s.ions = label.ions;
                const bool passive = std::ranges::any_of(
                    label.mechanisms, [](const auto& m) { return m.name == "pas" || m.name == "ar"; });
                if (label.spines && passive) s.spines = label.spines;
            }
        }
        return {};
    }

    Status insert(CellSection& s, const MechanismBlock& block, double max_dist, double soma_mid_z) {
        SectionMechanism mech;
        mech.name = block.name;
        mech.kind = block.kind;
        std::vector<double> z_dist;
        const bool apical = s.label == k_label_apical;
        if (block.kind == SpatialKind::exponential_by_z_dist && apical)
            for (const auto& p : s.points) z_dist.push_back(p.z - soma_mid_z);
        for (int i = 0; i < s.nseg; ++i) {
            const double x = s.segment_x(i);
            SegmentPosition pos;
            pos.section_id = s.id;
            pos.apical = apical;
            pos.d2 = m_cell.distance_to_soma(s.id, x);
            if (block.kind != SpatialKind::uniform) {
                auto d1 = m_cell.label_distance(s.label, s.id, x);
                if (!d1) return std::unexpected(d1.error());
                pos.d1 = *d1;
            }
            if (!z_dist.empty()) pos.z_dist = interp(x, s.rel_pts, z_dist);
            auto values = evaluate_mechanism(block, pos, max_dist);
            if (i == 0) {
                for (const auto& [name, v] : values) mech.parameters.push_back(name);
                mech.values.assign(values.size(), {});
            }
            for (std::size_t k = 0; k < values.size(); ++k) mech.values[k].push_back(values[k].second);
        }
        // A mechanism inserted twice in a section keeps one instance; later values win, as in NEURON.
        auto existing = std::ranges::find(s.mechanisms, mech.name, &SectionMechanism::name);
        if (existing != s.mechanisms.end()) {
            for (std::size_t k = 0; k < mech.parameters.size(); ++k) {
                auto p = std::ranges::find(existing->parameters, mech.parameters[k]);
                if (p == existing->parameters.end()) {
                    existing->parameters.push_back(mech.parameters[k]);
                    existing->values.push_back(mech.values[k]);
                } else {
                    existing->values[static_cast<std::size_t>(p - existing->parameters.begin())] =
                        mech.values[k];
                }
            }
            return {};
        }
        s.mechanisms.push_back(std::move(mech));
        return {};
    }

    Status apply_modify_functions() {
        for (const auto& call : m_cell.m_parameters.modify_functions) {
            auto function = detail::find_cell_modify_function(call.name);
            if (!function) {
                std::string known;
                for (const auto& n : cell_modify_function_names()) known += (known.empty() ? "" : ", ") + n;
                return error("neuron.cell_modify_functions." + call.name +
                             ": unknown cell modify function "
                             "(known: " +
                             known + ")");
            }
            if (auto s = (*function)(m_cell, call.kwargs); !s)
                return std::unexpected(s.error().within("neuron.cell_modify_functions." + call.name));
            m_cell.m_applied.push_back(call.name);
        }
        return {};
    }

    const Morphology& m_morphology;
    BuildOptions m_options;
    CellModel m_cell;
};

Result<CellModel> build_cell_model(const Morphology& morphology, const CellParameters& parameters,
                                   const BuildOptions& options) {
    return CellModelBuilder(morphology, parameters, options).build();
}

Result<CellModel> build_cell_model(const CellParameters& parameters, const BuildOptions& options) {
    auto morphology = read_morphology(parameters.morphology);
    if (!morphology)
        return std::unexpected(morphology.error().within(parameters.source + ": neuron.filename"));
    return build_cell_model(*morphology, parameters, options);
}

int CellModel::total_segments() const {
    int n = 0;
    for (const auto& s : m_sections) n += s.nseg;
    return n;
}

double CellModel::total_length() const {
    double l = 0;
    for (const auto& s : m_sections) l += s.length;
    return l;
}

std::vector<LabelSummary> CellModel::label_summaries() const {
    std::vector<LabelSummary> out;
    for (const auto& s : m_sections) {
        auto it = std::ranges::find(out, s.label, &LabelSummary::label);
        if (it == out.end()) {
            out.push_back({s.label});
            it = out.end() - 1;
        }
        it->sections += 1;
        it->segments += s.nseg;
        it->length += s.length;
    }
    return out;
}

double CellModel::distance_to_soma(int id, double x) const {
    return m_d2_start[static_cast<std::size_t>(id)] + section(id).node_position(x);
}

Result<double> CellModel::label_distance(std::string_view label, int id, double x) const {
    if (label == k_label_soma) return distance_to_soma(id, x);
    const CellSection& soma = section(m_soma);
    const CellSection* origin = nullptr;
    for (const auto& s : m_sections)
        if (s.label == label && s.parent_id == m_soma) {
            origin = &s;
            break;
        }
    if (!origin)
        return fail(Errc::not_found, "no section labelled " + std::string(label) + " hangs off the soma");
    // The origin is origin's connection node on the soma; everything else is reached through the soma.
    const double p0 = soma.node_position(origin->parent_x);
    if (id == m_soma) return std::fabs(soma.node_position(x) - p0);
    const double q = m_d2_start[static_cast<std::size_t>(section(id).branch_root)];
    return std::fabs(q - p0) + (distance_to_soma(id, x) - q);
}

Result<double> CellModel::max_distance(std::string_view label) const {
    if (label == k_label_soma) return section(m_soma).length;
    bool any = false;
    double max = 0.0;
    for (const auto& s : m_sections) {
        if (s.id == m_soma || section(s.branch_root).label != label) continue;
        any = true;
        if (!s.children.empty()) continue;
        auto d = label_distance(label, s.id, 1.0);
        if (!d) return d;
        max = std::max(max, *d);
    }
    if (!any)
        return fail(Errc::not_found, "no branch labelled " + std::string(label) + " starts at the soma");
    return max;
}

double CellModel::length_to_soma(int id, double x) const {
    if (id == m_soma) return 0.0;  // ISF: points on the soma are at distance 0
    double d = x * section(id).length;
    int current = id;
    while (section(current).parent_id != m_soma) {
        const CellSection& c = section(current);
        d += section(c.parent_id).length * c.parent_x;
        current = c.parent_id;
    }
    return d;
}

std::optional<int> CellModel::find_section(std::string_view name) const {
    for (const auto& s : m_sections)
        if (s.name == name) return s.id;
    return std::nullopt;
}

SegmentLocation CellModel::segment_at(int id, double x) const {
    const CellSection& s = section(id);
    int i = static_cast<int>(x * s.nseg);
    i = std::clamp(i, 0, s.nseg - 1);
    return {id, i, x};
}

Result<SegmentLocation> CellModel::inner_section_at_distance(double distance, double beyond,
                                                             const std::vector<std::string>& labels) const {
    auto labelled = [&](const CellSection& s) { return std::ranges::find(labels, s.label) != labels.end(); };
    // connected(s): labelled and (D2(s, 1) > beyond, or a child is connected). Children have no fixed ID
    // order relative to parents, so resolve with an explicit post-order walk.
    std::vector<char> connected(m_sections.size(), 0);
    std::vector<std::pair<int, bool>> stack{{m_soma, false}};
    while (!stack.empty()) {
        auto [id, expanded] = stack.back();
        stack.pop_back();
        const CellSection& s = section(id);
        if (!expanded) {
            stack.push_back({id, true});
            for (int c : s.children) stack.push_back({c, false});
            continue;
        }
        bool value = labelled(s) && distance_to_soma(id, 1.0) > beyond;
        if (!value && labelled(s))
            value = std::ranges::any_of(s.children,
                                        [&](int c) { return connected[static_cast<std::size_t>(c)] != 0; });
        connected[static_cast<std::size_t>(id)] = value;
    }
    // ISF keys a dict by D2(1): a later section with the same distance replaces an earlier one.
    std::map<double, int> by_distance;
    for (const auto& s : m_sections)
        if (connected[static_cast<std::size_t>(s.id)]) by_distance[distance_to_soma(s.id, 1.0)] = s.id;
    auto it = by_distance.upper_bound(distance);
    if (it == by_distance.end())
        return fail(Errc::not_found, fmt::format("no trunk section reaches {} µm from the soma", distance));
    const CellSection& s = section(it->second);
    const double x = (distance - distance_to_soma(s.id, 0.0)) / s.length;
    if (x < 0 || x > 1)
        return fail(Errc::not_found,
                    fmt::format("{} µm from the soma falls before section {} (which starts at {} µm)",
                                distance, s.id, distance_to_soma(s.id, 0.0)));
    return segment_at(s.id, x);
}

RecordingSite CellModel::recording_site(const Point3d& point) const {
    double best = 1e9;
    int best_section = m_soma, best_point = 0;
    for (const auto& s : m_sections)
        for (std::size_t j = 0; j < s.points.size(); ++j) {
            const double dx = s.points[j].x - point.x, dy = s.points[j].y - point.y,
                         dz = s.points[j].z - point.z;
            const double d = std::sqrt(dx * dx + dy * dy + dz * dz);
            if (d < best) {
                best = d;
                best_section = s.id;
                best_point = static_cast<int>(j);
            }
        }
    const CellSection& s = section(best_section);
    const double x = s.rel_pts[static_cast<std::size_t>(best_point)];
    double best_dx = 1e9;
    int segment = 0;
    for (int i = 0; i < s.nseg; ++i) {
        const double dx = std::fabs(s.segment_x(i) - x);
        if (dx < best_dx) {
            best_dx = dx;
            segment = i;
        }
    }
    RecordingSite site;
    site.location = {best_section, segment, s.segment_x(segment)};
    site.point_index = best_point;
    site.soma_distance = distance_to_soma(best_section, site.location.x);
    return site;
}

void CellModel::set_diameters(int id, std::vector<double> diameters) {
    m_sections.at(static_cast<std::size_t>(id)).diameters = std::move(diameters);
}

}  // namespace silico::experiments
