// Network modify functions (ISF single_cell_parser/network_modify_functions/, docs/synaptic_input.md) and
// their registry.
#include "silico/model/network_modify.hpp"

#include <fmt/format.h>

#include <map>
#include <optional>
#include <utility>

#include "named_registry.hpp"

namespace silico::experiments {

namespace {

using Json = nlohmann::ordered_json;

// Keeps, of every active synapse, the releases `keep(synapse, release index)` accepts; a synapse left without
// releases is dropped, and the weights follow their synapses.
template <class Keep>
void keep_releases(const PreparedNetwork& network, TrialActivity& a, Keep&& keep) {
    bool with_origins = a.release_origins.size() == a.release_times.size();
    TrialActivity kept;
    for (const auto& s : a.synapses) {
        auto begin = static_cast<std::uint32_t>(kept.release_times.size());
        for (auto i = s.release_begin; i < s.release_end; ++i) {
            if (!keep(s, i)) continue;
            kept.release_times.push_back(a.release_times[i]);
            if (with_origins) kept.release_origins.push_back(a.release_origins[i]);
        }
        auto end = static_cast<std::uint32_t>(kept.release_times.size());
        if (end == begin) continue;
        ActiveSynapse n = s;
        n.release_begin = begin;
        n.release_end = end;
        n.weight_begin = static_cast<std::uint32_t>(kept.weights.size());
        auto first = a.weights.begin() + s.weight_begin;
        kept.weights.insert(kept.weights.end(), first, first + network.weights_per_synapse[s.population]);
        kept.synapses.push_back(n);
    }
    a.synapses = std::move(kept.synapses);
    a.release_times = std::move(kept.release_times);
    a.release_origins = std::move(kept.release_origins);
    a.weights = std::move(kept.weights);
}

Status only_keys(const Json& kwargs, std::initializer_list<std::string_view> known) {
    if (!kwargs.is_object())
        return fail(Errc::validation, "arguments must be a dictionary, got " + kwargs.dump());
    for (const auto& [key, value] : kwargs.items()) {
        bool ok = false;
        for (auto k : known) ok = ok || key == k;
        if (!ok)
            return fail(Errc::validation,
                        fmt::format("unknown argument '{}' ({})", key, fmt::join(known, ", ")));
    }
    return {};
}

// soma_dist_ranges {type: [min, max]} as [min, max) per population index.
using Ranges = std::map<std::uint32_t, std::pair<double, double>>;

Result<Ranges> soma_dist_ranges(const PreparedNetwork& network, const Json& kwargs) {
    auto it = kwargs.find("soma_dist_ranges");
    if (it == kwargs.end() || it->is_null())
        return fail(Errc::validation, "missing argument 'soma_dist_ranges'");
    if (!it->is_object())
        return fail(Errc::validation, "soma_dist_ranges must be a dictionary {type: [min, max]}");
    Ranges out;
    for (const auto& [type, range] : it->items()) {
        auto p = network.parameters.find(type);
        if (p < 0)
            return fail(Errc::not_found,
                        "soma_dist_ranges names synapse type '" + type + "', which is not in the network");
        if (!range.is_array() || range.size() != 2 || !range[0].is_number() || !range[1].is_number())
            return fail(Errc::validation,
                        "soma_dist_ranges." + type + " must be [min, max], got " + range.dump());
        out[static_cast<std::uint32_t>(p)] = {range[0].get<double>(), range[1].get<double>()};
    }
    return out;
}

// Whether an active synapse sits in its type's range; a synapse without a placement is an error.
class InRange {
  public:
    InRange(const PreparedNetwork& network, const SynapsePlacement& placement, Ranges ranges)
        : m_network(network), m_placement(placement), m_ranges(std::move(ranges)) {}

    Result<bool> operator()(const ActiveSynapse& s) const {
        auto r = m_ranges.find(s.population);
        if (r == m_ranges.end()) return false;
        const auto& name = m_network.parameters.populations[s.population].name;
        auto it = m_placement.find(name);
        if (it == m_placement.end() || s.synapse_id >= it->second.size())
            return fail(Errc::not_found,
                        "no placement for synapse " + std::to_string(s.synapse_id) + " of " + name);
        double d = it->second[s.synapse_id].soma_distance;
        return r->second.first <= d && d < r->second.second;
    }

  private:
    const PreparedNetwork& m_network;
    const SynapsePlacement& m_placement;
    Ranges m_ranges;
};

// Marks the active synapses in range (so errors surface before anything changes).
Result<std::vector<bool>> synapses_in_range(const PreparedNetwork& network, const SynapsePlacement& placement,
                                            const Json& kwargs, const TrialActivity& activity) {
    auto ranges = soma_dist_ranges(network, kwargs);
    if (!ranges) return std::unexpected(ranges.error());
    InRange in_range(network, placement, std::move(*ranges));
    std::vector<bool> out;
    out.reserve(activity.synapses.size());
    for (const auto& s : activity.synapses) {
        auto r = in_range(s);
        if (!r) return std::unexpected(r.error());
        out.push_back(*r);
    }
    return out;
}

Status silence_synapses_by_somadist(const PreparedNetwork& network, const SynapsePlacement& placement,
                                    const Json& kwargs, TrialActivity& activity) {
    if (auto s = only_keys(kwargs, {"soma_dist_ranges"}); !s) return s;
    auto silenced = synapses_in_range(network, placement, kwargs, activity);
    if (!silenced) return std::unexpected(silenced.error());
    const ActiveSynapse* first = activity.synapses.data();
    keep_releases(network, activity, [&](const ActiveSynapse& s, std::uint32_t) {
        return !(*silenced)[static_cast<std::size_t>(&s - first)];
    });
    return {};
}

Status silence_synapses_by_somadist_and_spike_source(const PreparedNetwork& network,
                                                     const SynapsePlacement& placement, const Json& kwargs,
                                                     TrialActivity& activity) {
    if (auto s = only_keys(kwargs, {"soma_dist_ranges", "spike_sources"}); !s) return s;
    auto it = kwargs.find("spike_sources");
    if (it == kwargs.end() || !it->is_array())
        return fail(Errc::validation, "missing argument 'spike_sources' (a list of ISF spike source names)");
    std::vector<bool> allowed(static_cast<std::size_t>(SpikeOrigin::replay) + 1, false);
    for (const auto& v : *it) {
        auto origin = v.is_string() ? spike_origin_from_name(v.get<std::string>()) : std::nullopt;
        if (!origin) {
            std::vector<std::string_view> known;
            for (std::size_t i = 0; i < allowed.size(); ++i)
                known.push_back(spike_origin_name(static_cast<SpikeOrigin>(i)));
            return fail(Errc::validation,
                        fmt::format("unknown spike source {} (known: {})", v.dump(), fmt::join(known, ", ")));
        }
        allowed[static_cast<std::size_t>(*origin)] = true;
    }
    if (activity.release_origins.size() != activity.release_times.size())
        return fail(Errc::validation, "the trial's releases carry no spike sources");
    auto in_range = synapses_in_range(network, placement, kwargs, activity);
    if (!in_range) return std::unexpected(in_range.error());
    const ActiveSynapse* first = activity.synapses.data();
    const auto& origins = activity.release_origins;
    keep_releases(network, activity, [&](const ActiveSynapse& s, std::uint32_t i) {
        return !(*in_range)[static_cast<std::size_t>(&s - first)] ||
               allowed[static_cast<std::size_t>(origins[i])];
    });
    return {};
}

detail::NamedRegistry<NetworkModifyFunction>& registry() {
    static detail::NamedRegistry<NetworkModifyFunction> r{
        {"silence_synapses_by_somadist", silence_synapses_by_somadist},
        {"silence_synapses_by_somadist_and_spike_source", silence_synapses_by_somadist_and_spike_source},
    };
    return r;
}

}  // namespace

void register_network_modify_function(std::string name, NetworkModifyFunction function) {
    registry().add(std::move(name), std::move(function));
}

std::vector<std::string> network_modify_function_names() {
    return registry().names();
}

Result<std::vector<recipes::ModifyFunction>> network_modify_list(const nlohmann::ordered_json& functions) {
    std::vector<recipes::ModifyFunction> out;
    if (functions.is_null()) return out;
    if (!functions.is_object())
        return fail(Errc::validation, "network_modify_functions must be a dictionary {name: arguments}");
    for (const auto& [name, kwargs] : functions.items()) {
        if (!kwargs.is_object())
            return fail(Errc::validation,
                        "network_modify_functions." + name + " must be a dictionary of arguments");
        out.push_back({name, kwargs});
    }
    return out;
}

Status apply_network_modify_functions(const PreparedNetwork& network, const SynapsePlacement& placement,
                                      std::span<const recipes::ModifyFunction> functions,
                                      TrialActivity& activity) {
    for (const auto& f : functions) {
        auto function = registry().find(f.name);
        if (!function)
            return fail(Errc::not_found,
                        fmt::format("unknown network modify function '{}' (known: {})", f.name,
                                    fmt::join(network_modify_function_names(), ", ")));
        if (Status s = (*function)(network, placement, f.args, activity); !s)
            return std::unexpected(s.error().within("network modify function " + f.name));
    }
    return {};
}

}  // namespace silico::experiments
