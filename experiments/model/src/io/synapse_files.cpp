#include "silico/model/synapse_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "io/text.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {

using detail::for_each_line;
using detail::parse_double;
using detail::parse_int;
using detail::split_any;
using detail::trim;
using detail::where;

namespace {

template <class Types>
std::ptrdiff_t find_type(const Types& types, std::string_view name) {
    for (std::size_t i = 0; i < types.size(); ++i)
        if (types[i].name == name) return static_cast<std::ptrdiff_t>(i);
    return -1;
}

// Data lines are tab-separated; ISF splits on whitespace, so tolerate spaces too but require 3 fields.
std::vector<std::string_view> fields_of(std::string_view line) {
    std::vector<std::string_view> out;
    for (auto f : split_any(line, "\t "))
        if (!f.empty()) out.push_back(f);
    return out;
}

}  // namespace

std::ptrdiff_t SynapseDistribution::find(std::string_view name) const {
    return find_type(types, name);
}

std::size_t SynapseDistribution::synapse_count() const {
    std::size_t n = 0;
    for (const auto& t : types) n += t.synapses.size();
    return n;
}

std::ptrdiff_t ConnectionMap::find(std::string_view name) const {
    return find_type(types, name);
}

Result<SynapseDistribution> parse_syn(std::string_view text, std::string_view source) {
    SynapseDistribution out;
    std::unordered_map<std::string, std::size_t> index;
    Status s = for_each_line(text, [&](std::size_t n, std::string_view line) -> Status {
        line = trim(line);
        if (line.empty() || line.front() == '#') return {};
        auto f = fields_of(line);
        if (f.size() != 3)
            return fail(Errc::parse,
                        "expected 3 fields <type> <section ID> <x>, found " + std::to_string(f.size()),
                        where(source, n));
        auto section = parse_int(f[1]);
        auto x = parse_double(f[2]);
        if (!section || *section < 0)
            return fail(Errc::parse, "section ID '" + std::string(f[1]) + "' is not a non-negative integer",
                        where(source, n));
        if (!x || !(*x >= 0.0 && *x <= 1.0))
            return fail(Errc::parse, "x '" + std::string(f[2]) + "' is not a number in [0, 1]",
                        where(source, n));
        std::string name(f[0]);
        auto [it, inserted] = index.try_emplace(name, out.types.size());
        if (inserted) out.types.push_back(SynapseType{name, {}});
        out.types[it->second].synapses.push_back({static_cast<int>(*section), *x});
        return {};
    });
    if (!s) return std::unexpected(s.error());
    return out;
}

Result<SynapseDistribution> read_syn_file(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_syn(*text, file.string());
}

Result<ConnectionMap> parse_con(std::string_view text, std::string_view source) {
    ConnectionMap out;
    std::unordered_map<std::string, std::size_t> index;
    std::size_t header_lines = 0;
    Status s = for_each_line(text, [&](std::size_t n, std::string_view line) -> Status {
        line = trim(line);
        if (!line.empty() && line.front() == '#') {
            if (++header_lines == 2) out.anatomical_id = std::string(trim(line.substr(1)));
            return {};
        }
        if (line.empty()) return {};
        auto f = fields_of(line);
        if (f.size() != 3)
            return fail(Errc::parse,
                        "expected 3 fields <type> <cell ID> <synapse ID>, found " + std::to_string(f.size()),
                        where(source, n));
        auto cell = parse_int(f[1]);
        auto syn = parse_int(f[2]);
        if (!cell || *cell < 0 || *cell > 0xffffffffll)
            return fail(Errc::parse, "cell ID '" + std::string(f[1]) + "' is not a non-negative integer",
                        where(source, n));
        if (!syn || *syn < 0 || *syn > 0xffffffffll)
            return fail(Errc::parse, "synapse ID '" + std::string(f[2]) + "' is not a non-negative integer",
                        where(source, n));
        std::string name(f[0]);
        auto [it, inserted] = index.try_emplace(name, out.types.size());
        if (inserted) out.types.push_back(ConnectionType{name, {}});
        out.types[it->second].connections.push_back(
            {static_cast<std::uint32_t>(*cell), static_cast<std::uint32_t>(*syn)});
        return {};
    });
    if (!s) return std::unexpected(s.error());
    return out;
}

Result<ConnectionMap> read_con_file(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_con(*text, file.string());
}

Result<std::vector<ConnectedCellCount>> parse_connected_cells(std::string_view text,
                                                              std::string_view source) {
    std::vector<ConnectedCellCount> out;
    bool header = false;
    Status s = for_each_line(text, [&](std::size_t n, std::string_view line) -> Status {
        if (trim(line).empty()) return {};
        auto f = split_any(line, "\t");
        if (!header) {
            header = true;
            if (f.size() < 3 || trim(f[0]) != "Presynaptic column")
                return fail(Errc::parse,
                            "expected header 'Presynaptic column<TAB>Presynaptic cell type<TAB>Connected "
                            "presynaptic cells'",
                            where(source, n));
            return {};
        }
        if (f.size() != 3)
            return fail(Errc::parse, "expected 3 tab-separated fields, found " + std::to_string(f.size()),
                        where(source, n));
        auto cells = parse_int(f[2]);
        if (!cells || *cells < 0)
            return fail(Errc::parse, "cell count '" + std::string(f[2]) + "' is not a non-negative integer",
                        where(source, n));
        out.push_back({std::string(trim(f[0])), std::string(trim(f[1])), *cells});
        return {};
    });
    if (!s) return std::unexpected(s.error());
    if (!header) return fail(Errc::parse, "empty file, expected a header line", std::string(source));
    return out;
}

Result<std::vector<ConnectedCellCount>> read_connected_cells_file(const std::filesystem::path& file) {
    auto text = read_text_file(file);
    if (!text) return std::unexpected(text.error());
    return parse_connected_cells(*text, file.string());
}

std::vector<double> isf_relative_points(std::span<const std::array<double, 3>> points, double neuron_length) {
    auto segment = [&](std::size_t i) {
        double dx = points[i][0] - points[i + 1][0];
        double dy = points[i][1] - points[i + 1][1];
        double dz = points[i][2] - points[i + 1][2];
        return std::sqrt(dx * dx + dy * dy + dz * dz);
    };
    double length = 0.0;
    for (std::size_t i = 0; i + 1 < points.size(); ++i) length += segment(i);
    if (neuron_length >= 0.0) length = neuron_length;
    std::vector<double> rel{0.0};
    double cumulative = 0.0;
    for (std::size_t i = 0; i + 1 < points.size(); ++i) {
        cumulative += segment(i);
        rel.push_back(length == 0.0 ? 1.0 : cumulative / length);
    }
    if (rel.size() > 1) {
        double norm = 1.0 / rel.back();
        for (std::size_t i = 0; i + 1 < rel.size(); ++i) rel[i] *= norm;
        rel.back() = 1.0;
    }
    return rel;
}

std::size_t nearest_point_index(std::span<const double> rel_pts, double x) {
    std::size_t best = 0;
    double best_d = std::abs(rel_pts[0] - x);
    for (std::size_t k = 1; k < rel_pts.size(); ++k) {
        double d = std::abs(rel_pts[k] - x);
        if (d < best_d) {
            best_d = d;
            best = k;
        }
    }
    return best;
}

double synapse_position(std::span<const double> rel_pts, std::size_t point_id, int nseg) {
    double lo = 0.5 / nseg;
    double hi = (nseg - 0.5) / nseg;
    return std::clamp(rel_pts[point_id], lo, hi);
}

double soma_distance_d3(const SectionTree& tree, int section, double x) {
    auto s = static_cast<std::size_t>(section);
    if (tree.is_soma[s]) return 0.0;
    double d = x * tree.length[s];
    int child = section;
    int parent = tree.parent[s];
    while (parent >= 0 && !tree.is_soma[static_cast<std::size_t>(parent)]) {
        d += tree.length[static_cast<std::size_t>(parent)] * tree.parent_x[static_cast<std::size_t>(child)];
        child = parent;
        parent = tree.parent[static_cast<std::size_t>(parent)];
    }
    return d;
}

Result<std::vector<std::optional<double>>> run_section_lengths(std::span<const SynapseActivationRow> rows,
                                                               const SynapseDistribution& syn,
                                                               std::size_t section_count) {
    // Per section: x -> D3, each x once (the same synapse appears in every trial of a run).
    std::vector<std::map<double, double>> points(section_count);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const auto type = syn.find(row.synapse_type);
        if (type < 0)
            return fail(Errc::validation,
                        fmt::format("activation row {}: synapse type {} is not in the .syn file", r + 1,
                                    row.synapse_type));
        const auto& sites = syn.types[static_cast<std::size_t>(type)].synapses;
        if (row.synapse_id < 0 || static_cast<std::size_t>(row.synapse_id) >= sites.size())
            return fail(Errc::validation,
                        fmt::format("activation row {}: {} has no synapse {} in the .syn file", r + 1,
                                    row.synapse_type, row.synapse_id));
        const auto& site = sites[static_cast<std::size_t>(row.synapse_id)];
        if (site.section_id != row.section_id)
            return fail(
                Errc::validation,
                fmt::format(
                    "activation row {}: {} synapse {} is on section {} here but on {} in the .syn file",
                    r + 1, row.synapse_type, row.synapse_id, row.section_id, site.section_id));
        if (site.section_id < 0 || static_cast<std::size_t>(site.section_id) >= section_count)
            return fail(Errc::validation,
                        fmt::format("activation row {}: section {} is not in the cell ({} sections)", r + 1,
                                    site.section_id, section_count));
        const auto [it, added] =
            points[static_cast<std::size_t>(site.section_id)].emplace(site.x, row.soma_distance);
        if (!added && std::abs(it->second - row.soma_distance) > 1e-10 * std::max(1.0, std::abs(it->second)))
            return fail(
                Errc::validation,
                fmt::format("activation row {}: {} synapse {} at x = {} has soma distance {}, another row "
                            "at that place {}",
                            r + 1, row.synapse_type, row.synapse_id, site.x, row.soma_distance, it->second));
    }
    std::vector<std::optional<double>> lengths(section_count);
    for (std::size_t s = 0; s < section_count; ++s) {
        const auto& p = points[s];
        if (p.size() < 2 || p.rbegin()->first - p.begin()->first < 0.05) continue;
        if (p.rbegin()->second == 0.0 && p.begin()->second == 0.0) continue;  // the soma: D3 is 0
        double mean_x = 0, mean_d = 0;
        for (const auto& [x, d] : p) mean_x += x, mean_d += d;
        mean_x /= static_cast<double>(p.size());
        mean_d /= static_cast<double>(p.size());
        double sxx = 0, sxd = 0;
        for (const auto& [x, d] : p) sxx += (x - mean_x) * (x - mean_x), sxd += (x - mean_x) * (d - mean_d);
        const double length = sxd / sxx;
        // 12 printed digits leave |residual| <= 5e-12 relative; 1e-10 separates that from any other geometry.
        for (const auto& [x, d] : p) {
            const double residual = d - (mean_d + (x - mean_x) * length);
            if (std::abs(residual) > 1e-10 * std::max(1.0, std::abs(d)))
                return fail(
                    Errc::validation,
                    fmt::format(
                        "section {}: the soma distances are not linear in the .syn x (residual {:.3g} um "
                        "at x = {}): the file was not written by a run from this .syn",
                        s, residual, x));
        }
        lengths[s] = length;
    }
    return lengths;
}

Result<std::vector<std::optional<double>>> read_run_section_lengths(const std::filesystem::path& activation,
                                                                    const std::filesystem::path& syn,
                                                                    std::size_t section_count) {
    auto rows = read_synapse_activation_file(activation);
    if (!rows) return std::unexpected(rows.error());
    auto distribution = read_syn_file(syn);
    if (!distribution) return std::unexpected(distribution.error());
    auto lengths = run_section_lengths(*rows, *distribution, section_count);
    if (!lengths) return std::unexpected(lengths.error().within(activation.string()));
    return lengths;
}

}  // namespace silico::experiments
