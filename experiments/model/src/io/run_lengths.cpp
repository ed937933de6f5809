#include "silico/model/run_lengths.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace silico::experiments {

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
