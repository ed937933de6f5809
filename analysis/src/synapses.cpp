#include "silico/analysis/synapses.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>

#include "activations.hpp"

namespace silico::analysis {

namespace {

constexpr std::array<std::string_view, 6> k_dim_names = {"celltype",  "ei",       "column",
                                                         "proximity", "distance", "time"};

// ISF's barrel-cortex EXCITATORY cell types (config/cell_types.py).
constexpr std::array<std::string_view, 12> k_excitatory = {"L1",   "L2",   "L34",  "L4py",    "L4sp", "L4ss",
                                                           "L5st", "L5tt", "L6cc", "L6ccinv", "L6ct", "VPM"};

using detail::Activations;
using detail::cell_type_of;
using detail::column_of;
using detail::read_activations;

// Calls visit(group, activations) for every row that the selection keeps, reading one trial at a time.
template <class Visit>
Status for_each_selected(const store::Store& store, const Dataset& dataset, const Groups& groups,
                         Visit&& visit) {
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const std::int32_t g = groups.row_group[i];
        if (g < 0) continue;
        auto a = read_activations(store, dataset, i);
        if (!a) return std::unexpected(a.error());
        visit(g, *a);
    }
    return {};
}

}  // namespace

Result<SynapseDim> parse_synapse_dim(std::string_view name) {
    for (std::size_t i = 0; i < k_dim_names.size(); ++i)
        if (k_dim_names[i] == name) return static_cast<SynapseDim>(i);
    return fail(Errc::invalid_argument,
                "unknown synapse dimension '" + std::string(name) +
                    "' (celltype, ei, column, proximity, distance, time)",
                "--by");
}

std::string_view to_string(SynapseDim dim) {
    return k_dim_names[static_cast<std::size_t>(dim)];
}

bool is_excitatory(std::string_view cell_type) {
    return std::ranges::find(k_excitatory, cell_type) != k_excitatory.end();
}

Result<SynapseResult> query_synapses(const store::Store& store, const Dataset& dataset,
                                     const SynapseOptions& options, const SelectOptions& select_options) {
    if (auto st = detail::require_records(dataset, "synapses"); !st) return std::unexpected(st.error());
    if (!(options.distance_bin > 0) || !(options.time_bin > 0))
        return fail(Errc::invalid_argument, "bins must be positive", "synapses");
    if (options.by.size() > 6) return fail(Errc::invalid_argument, "at most six dimensions", "--by");
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    const std::size_t dims = options.by.size();
    bool by_time = false;
    for (auto d : options.by) by_time |= d == SynapseDim::time;

    // Categorical values are interned per population string; numeric bins are integers. A bin's key is the
    // group and one integer per dimension.
    std::vector<std::string> names;  // interned labels
    std::unordered_map<std::string, std::int64_t> name_ids;
    auto intern = [&](std::string_view s) {
        auto [it, inserted] = name_ids.try_emplace(std::string(s), static_cast<std::int64_t>(names.size()));
        if (inserted) names.emplace_back(s);
        return it->second;
    };
    using Key = std::array<std::int64_t, 7>;
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept {
            std::size_t h = 1469598103934665603ull;
            for (auto v : k) h = (h ^ static_cast<std::size_t>(v)) * 1099511628211ull;
            return h;
        }
    };
    std::unordered_map<Key, std::uint64_t, KeyHash> counts;
    SynapseResult r;
    r.options = options;
    r.columns = groups->columns;
    r.group_labels = groups->labels;
    r.group_trials = groups->sizes;
    std::unordered_map<std::string, std::array<std::int64_t, 3>> population_ids;  // celltype, ei, column
    auto bin_trial = [&](std::int32_t g, const Activations& a) {
        for (std::size_t s = 0; s < a.population.size(); ++s) {
            auto pit = population_ids.find(a.population[s]);
            if (pit == population_ids.end()) {
                const auto ct = cell_type_of(a.population[s]);
                pit = population_ids
                          .emplace(a.population[s],
                                   std::array<std::int64_t, 3>{intern(ct),
                                                               intern(is_excitatory(ct) ? "EXC" : "INH"),
                                                               intern(column_of(a.population[s]))})
                          .first;
            }
            const double d = a.distance[s];
            Key key{};
            key[0] = g;
            for (std::size_t k = 0; k < dims; ++k) {
                switch (options.by[k]) {
                    case SynapseDim::celltype:
                        key[k + 1] = pit->second[0];
                        break;
                    case SynapseDim::ei:
                        key[k + 1] = pit->second[1];
                        break;
                    case SynapseDim::column:
                        key[k + 1] = pit->second[2];
                        break;
                    case SynapseDim::proximity:
                        key[k + 1] = d < options.proximal_um ? 0 : 1;
                        break;
                    case SynapseDim::distance:
                        key[k + 1] = static_cast<std::int64_t>(std::floor(d / options.distance_bin));
                        break;
                    case SynapseDim::time:
                        break;
                }
            }
            for (double t : a.times[s]) {
                if (options.from && t < *options.from) continue;
                if (options.to && t >= *options.to) continue;
                if (by_time) {
                    const auto bin = static_cast<std::int64_t>(std::floor(t / options.time_bin));
                    for (std::size_t k = 0; k < dims; ++k)
                        if (options.by[k] == SynapseDim::time) key[k + 1] = bin;
                }
                ++counts[key];
                ++r.activations;
            }
        }
    };
    if (auto st = for_each_selected(store, dataset, *groups, bin_trial); !st)
        return std::unexpected(st.error());
    std::vector<std::pair<Key, std::uint64_t>> sorted(counts.begin(), counts.end());
    std::ranges::sort(sorted, [&](const auto& x, const auto& y) {
        if (x.first[0] != y.first[0]) return x.first[0] < y.first[0];
        for (std::size_t k = 0; k < dims; ++k) {
            const auto dim = options.by[k];
            const bool numeric =
                dim == SynapseDim::distance || dim == SynapseDim::time || dim == SynapseDim::proximity;
            const auto a = x.first[k + 1], b = y.first[k + 1];
            if (a == b) continue;
            return numeric ? a < b : names[a] < names[b];
        }
        return false;
    });
    for (const auto& [key, count] : sorted) {
        SynapseBin bin;
        bin.group = static_cast<std::int32_t>(key[0]);
        for (std::size_t k = 0; k < dims; ++k) {
            const auto v = key[k + 1];
            switch (options.by[k]) {
                case SynapseDim::proximity:
                    bin.values.emplace_back(v == 0 ? "prox" : "dist");
                    break;
                case SynapseDim::distance:
                    bin.values.push_back(format_number(static_cast<double>(v) * options.distance_bin) + "to" +
                                         format_number(static_cast<double>(v + 1) * options.distance_bin));
                    break;
                case SynapseDim::time:
                    bin.values.push_back(format_number(static_cast<double>(v) * options.time_bin));
                    break;
                default:
                    bin.values.push_back(names[v]);
                    break;
            }
        }
        bin.count = count;
        bin.per_trial = static_cast<double>(count) / static_cast<double>(groups->sizes[bin.group]);
        r.bins.push_back(std::move(bin));
    }
    return r;
}

Table to_table(const SynapseResult& result) {
    Table t;
    t.columns = result.columns;
    for (auto d : result.options.by) t.columns.emplace_back(to_string(d));
    t.columns.emplace_back("count");
    t.columns.emplace_back("per_trial");
    for (const auto& b : result.bins) {
        std::vector<Cell> row(result.group_labels[b.group].begin(), result.group_labels[b.group].end());
        for (std::size_t k = 0; k < b.values.size(); ++k) {
            const auto dim = result.options.by[k];
            if (dim == SynapseDim::time) {
                row.emplace_back(static_cast<double>(std::stod(b.values[k])));
            } else {
                row.emplace_back(b.values[k]);
            }
        }
        row.emplace_back(static_cast<std::int64_t>(b.count));
        row.emplace_back(b.per_trial);
        t.rows.push_back(std::move(row));
    }
    return t;
}

Result<SynapseDistanceResult> query_synapse_distances(const store::Store& store, const Dataset& dataset,
                                                      const SelectOptions& select_options) {
    if (auto st = detail::require_records(dataset, "synapses"); !st) return std::unexpected(st.error());
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    struct Sum {
        std::uint64_t synapses = 0, activations = 0;
        double distance = 0.0;
    };
    std::map<std::pair<std::int32_t, std::string>, Sum> sums;
    auto add_trial = [&](std::int32_t g, const Activations& a) {
        for (std::size_t s = 0; s < a.population.size(); ++s) {
            auto& sum = sums[{g, std::string(cell_type_of(a.population[s]))}];
            ++sum.synapses;
            sum.activations += a.times[s].size();
            sum.distance += a.distance[s];
        }
    };
    if (auto st = for_each_selected(store, dataset, *groups, add_trial); !st)
        return std::unexpected(st.error());
    SynapseDistanceResult r;
    r.columns = groups->columns;
    r.group_labels = groups->labels;
    for (const auto& [key, sum] : sums)
        r.rows.push_back({key.first, key.second, sum.synapses, sum.activations,
                          sum.distance / static_cast<double>(sum.synapses)});
    return r;
}

Table to_table(const SynapseDistanceResult& result) {
    Table t;
    t.columns = result.columns;
    for (const char* c : {"celltype", "synapses", "activations", "mean_distance"}) t.columns.emplace_back(c);
    for (const auto& d : result.rows) {
        std::vector<Cell> row(result.group_labels[d.group].begin(), result.group_labels[d.group].end());
        row.emplace_back(d.cell_type);
        row.emplace_back(static_cast<std::int64_t>(d.synapses));
        row.emplace_back(static_cast<std::int64_t>(d.activations));
        row.emplace_back(d.mean_distance);
        t.rows.push_back(std::move(row));
    }
    return t;
}

}  // namespace silico::analysis
