// Synapse sites on a cell model: the .syn mapping and replayed rows (see the header).
#include "silico/model/synapse_sites.hpp"

#include <fmt/format.h>

#include <string_view>

#include "silico/core/error_format.hpp"

namespace silico::experiments {

SynapsePlacement SynapseSites::placement(const PreparedNetwork& network) const {
    SynapsePlacement out;
    for (std::size_t p = 0; p < sites.size() && p < network.parameters.populations.size(); ++p) {
        auto& list = out[network.parameters.populations[p].name];
        list.reserve(sites[p].size());
        for (const auto& s : sites[p]) list.push_back({s.section_id, s.point_id, s.soma_distance, s.label});
    }
    return out;
}

namespace {

Result<const CellSection*> section_of(const CellModel& cell, std::int64_t id, std::string_view type,
                                      std::size_t synapse) {
    if (id < 0 || static_cast<std::size_t>(id) >= cell.sections().size())
        return failf(Errc::invalid_argument,
                     "synapse {} of type {}: section ID {} does not exist on the cell "
                     "({} sections)",
                     synapse, type, id, cell.sections().size());
    const auto& s = cell.section(static_cast<int>(id));
    if (s.rel_pts.empty())
        return failf(Errc::invalid_argument, "synapse {} of type {}: section {} has no 3D points", synapse,
                     type, id);
    return &s;
}

}  // namespace

Result<SynapseSites> place_synapses(const CellModel& cell, const PreparedNetwork& network,
                                    const SynapseDistribution& syn) {
    SynapseSites out;
    const auto& pops = network.parameters.populations;
    out.sites.resize(pops.size());
    for (std::size_t p = 0; p < pops.size(); ++p) {
        const auto t = syn.find(pops[p].name);
        if (t < 0) continue;
        const auto& type = syn.types[static_cast<std::size_t>(t)];
        auto& list = out.sites[p];
        list.reserve(type.synapses.size());
        for (std::size_t k = 0; k < type.synapses.size(); ++k) {
            const auto& loc = type.synapses[k];
            auto sec = section_of(cell, loc.section_id, type.name, k);
            if (!sec) return std::unexpected(sec.error());
            const auto& s = **sec;
            const std::size_t pt = nearest_point_index(s.rel_pts, loc.x);
            list.push_back({s.id, static_cast<std::int64_t>(pt), synapse_position(s.rel_pts, pt, s.nseg),
                            cell.length_to_soma(s.id, loc.x), s.label});
        }
    }
    return out;
}

Result<SynapseSites> place_replayed_synapses(const CellModel& cell, const PreparedNetwork& network,
                                             const std::vector<SynapseActivationRow>& rows) {
    SynapseSites out;
    out.sites.resize(network.parameters.populations.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const auto p = network.parameters.find(row.synapse_type);
        if (p < 0)
            return failf(Errc::not_found, "activation row {}: type {} is not in the network parameters",
                         r + 1, row.synapse_type);
        auto& list = out.sites[static_cast<std::size_t>(p)];
        auto sec = section_of(cell, row.section_id, row.synapse_type, list.size());
        if (!sec) return std::unexpected(sec.error());
        const auto& s = **sec;
        if (row.section_pt_id < 0 || static_cast<std::size_t>(row.section_pt_id) >= s.rel_pts.size())
            return failf(Errc::invalid_argument,
                         "activation row {}: point {} does not exist on section {} ({} points)", r + 1,
                         row.section_pt_id, s.id, s.rel_pts.size());
        const auto pt = static_cast<std::size_t>(row.section_pt_id);
        list.push_back({s.id, row.section_pt_id, synapse_position(s.rel_pts, pt, s.nseg),
                        cell.length_to_soma(s.id, s.rel_pts[pt]), s.label});
    }
    return out;
}

}  // namespace silico::experiments
