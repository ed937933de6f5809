#include "silico/model/simrun_rows.hpp"

#include <algorithm>
#include <numeric>

namespace silico::experiments {

std::vector<PresynapticCellRow> presynaptic_cell_rows(const PreparedNetwork& network,
                                                      const TrialActivity& activity) {
    const auto& pops = network.parameters.populations;
    std::vector<std::size_t> order(pops.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return pops[a].name < pops[b].name; });
    std::vector<PresynapticCellRow> rows;
    for (auto p : order) {
        for (std::uint32_t c = activity.cell_begin[p]; c < activity.cell_begin[p + 1]; ++c) {
            std::uint32_t b = activity.spike_begin[c], e = activity.spike_begin[c + 1];
            if (b == e) continue;
            rows.push_back(
                {pops[p].name, static_cast<std::int64_t>(c - activity.cell_begin[p]),
                 std::vector<double>(activity.spike_times.begin() + b, activity.spike_times.begin() + e)});
        }
    }
    return rows;
}

Result<std::vector<SynapseActivationRow>> synapse_activation_rows(const PreparedNetwork& network,
                                                                  const TrialActivity& activity,
                                                                  const SynapsePlacement& placement) {
    const auto& pops = network.parameters.populations;
    std::vector<std::size_t> order(activity.synapses.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) {
        const auto& x = activity.synapses[a];
        const auto& y = activity.synapses[b];
        const auto& nx = pops[x.population].name;
        const auto& ny = pops[y.population].name;
        if (nx != ny) return nx < ny;
        return x.synapse_id < y.synapse_id;
    });
    std::vector<SynapseActivationRow> rows;
    rows.reserve(order.size());
    for (auto i : order) {
        const auto& s = activity.synapses[i];
        const auto& name = pops[s.population].name;
        auto it = placement.find(name);
        if (it == placement.end() || s.synapse_id >= it->second.size())
            return fail(Errc::not_found,
                        "no placement for synapse " + std::to_string(s.synapse_id) + " of " + name);
        const auto& pl = it->second[s.synapse_id];
        rows.push_back({name, s.synapse_id, pl.soma_distance, pl.section_id, pl.point_id, pl.label,
                        std::vector<double>(activity.release_times.begin() + s.release_begin,
                                            activity.release_times.begin() + s.release_end)});
    }
    return rows;
}

}  // namespace silico::experiments
