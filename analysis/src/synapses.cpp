#include "silico/analysis/synapses.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>
#include <utility>

#include "activations.hpp"
#include "silico/store/trial_outputs.hpp"

namespace silico::analysis {

namespace {

constexpr std::array<std::string_view, 6> k_dim_names = {"celltype",  "ei",       "column",
                                                         "proximity", "distance", "time"};

// ISF's barrel-cortex EXCITATORY cell types (config/cell_types.py).
constexpr std::array<std::string_view, 12> k_excitatory = {"L1",   "L2",   "L34",  "L4py",    "L4sp", "L4ss",
                                                           "L5st", "L5tt", "L6cc", "L6ccinv", "L6ct", "VPM"};

using detail::cell_type_of;
using detail::column_of;

// Calls visit(group, activations) for every row that the selection keeps, decoding one trial at a time into
// the same table.
template <class Visit>
Status for_each_selected(const store::Store& store, const Dataset& dataset, const Groups& groups,
                         Visit&& visit) {
    store::SynapseActivationTable table;
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const std::int32_t g = groups.row_group[i];
        if (g < 0) continue;
        if (auto st = detail::read_activations(store, dataset, i, table); !st) return st;
        visit(g, std::as_const(table));
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

namespace {

// A bin's key: the group, then one integer per dimension of `by` (an interned name, 0/1 for proximity, the
// distance or time bin's number).
using Key = std::array<std::int64_t, 7>;
struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
        std::size_t h = 1469598103934665603ull;
        for (auto v : k) h = (h ^ static_cast<std::size_t>(v)) * 1099511628211ull;
        return h;
    }
};

// Beyond this many bins a dense range stops growing (a time far from the others, or a non-finite one).
constexpr std::uint64_t k_max_dense = std::uint64_t{1} << 20;

// Values by bin number, dense over the range of the bins seen so far, a new bin's value `fill`; a bin that
// would stretch the range past k_max_dense entries has no place (find gives nullptr).
template <class T>
class DenseBins {
  public:
    T* find(std::int64_t bin, T fill) {
        const std::uint64_t at = static_cast<std::uint64_t>(bin) - static_cast<std::uint64_t>(m_first);
        return at < m_values.size() ? &m_values[at] : stretch(bin, fill);
    }
    // Calls use(bin, value) for every bin of the range.
    template <class Use>
    void for_each(Use&& use) const {
        for (std::size_t i = 0; i < m_values.size(); ++i)
            use(m_first + static_cast<std::int64_t>(i), m_values[i]);
    }

  private:
    T* stretch(std::int64_t bin, T fill) {
        if (m_values.empty()) {
            m_first = bin;
            m_values.assign(1, fill);
            return &m_values.front();
        }
        const std::int64_t last = m_first + static_cast<std::int64_t>(m_values.size()) - 1;
        if (bin > last &&
            static_cast<std::uint64_t>(bin) - static_cast<std::uint64_t>(m_first) < k_max_dense) {
            m_values.resize(static_cast<std::size_t>(bin - m_first) + 1, fill);
            return &m_values.back();
        }
        if (bin < m_first &&
            static_cast<std::uint64_t>(last) - static_cast<std::uint64_t>(bin) < k_max_dense) {
            m_values.insert(m_values.begin(), static_cast<std::size_t>(m_first - bin), fill);
            m_first = bin;
            return &m_values.front();
        }
        return nullptr;
    }
    std::int64_t m_first = 0;
    std::vector<T> m_values;
};

// The counts per time bin of one slot (a group and its non-time dimensions): dense over the bins seen so
// far, so that a release time costs one increment; bins too far from that range go to `far`.
class TimeCounts {
  public:
    void add(std::int64_t bin) {
        if (auto* count = m_dense.find(bin, 0)) {
            ++*count;
        } else {
            ++m_far[bin];
        }
    }
    // Calls use(bin, count) for every non-empty bin.
    template <class Use>
    void for_each(Use&& use) const {
        m_dense.for_each([&](std::int64_t bin, std::uint64_t count) {
            if (count > 0) use(bin, count);
        });
        for (const auto& [bin, count] : m_far) use(bin, count);
    }

  private:
    DenseBins<std::uint64_t> m_dense;
    std::map<std::int64_t, std::uint64_t> m_far;
};

// A presynaptic population (ISF's "celltype_column") as the query knows it: its number among those seen so
// far, and the interned names of its cell type, EXC/INH and column.
struct Population {
    std::uint32_t index = 0;
    std::array<std::int64_t, 3> ids{};
};

// Activation counts binned as SynapseOptions asks: every release time lands in a slot's dense time counts. A
// synapse row finds its slot by its group, population and (distance bin, side) in dense tables kept for the
// whole query, so the hash map of slots is consulted once per distinct combination, not once per trial or row.
class Binner {
  public:
    Binner(const SynapseOptions& options) : m_options(options) {
        for (auto d : options.by) {
            m_by_time |= d == SynapseDim::time;
            m_by_distance |= d == SynapseDim::distance;
            m_by_proximity |= d == SynapseDim::proximity;
            m_by_population |= d == SynapseDim::celltype || d == SynapseDim::ei || d == SynapseDim::column;
        }
    }
    void add_trial(std::int32_t group, const store::SynapseActivationTable& a);
    std::uint64_t activations() const { return m_activations; }
    // Every non-empty bin, sorted by group, then by each dimension (names alphabetically, numbers in order).
    std::vector<std::pair<Key, std::uint64_t>> sorted_bins() const;
    const std::vector<std::string>& names() const { return m_names; }

  private:
    using SlotTable = std::vector<DenseBins<std::int32_t>>;  // by population: (distance bin, side) -> slot
    std::int64_t intern(std::string_view s) {
        auto [it, inserted] =
            m_name_ids.try_emplace(std::string(s), static_cast<std::int64_t>(m_names.size()));
        if (inserted) m_names.emplace_back(s);
        return it->second;
    }
    const Population& population(const std::string& name);
    // Saturates at ±2^52 (NaN at +2^52), so a bin number and twice it are defined.
    std::int64_t distance_bin(double d) const {
        const double b = std::floor(d / m_options.distance_bin);
        constexpr double limit = 0x1p52;
        return static_cast<std::int64_t>(b < limit ? (b > -limit ? b : -limit) : limit);
    }
    std::uint32_t slot_for(SlotTable& table, std::int32_t group, const Population& p, double distance);
    std::uint32_t slot_of(std::int32_t group, const std::array<std::int64_t, 3>& ids, double distance);
    void count_times(TimeCounts& counts, const double* t, const double* end);

    const SynapseOptions& m_options;
    bool m_by_time = false, m_by_distance = false, m_by_proximity = false, m_by_population = false;
    std::vector<std::string> m_names;  // interned labels of cell types, EXC/INH and columns
    std::unordered_map<std::string, std::int64_t> m_name_ids;
    std::unordered_map<std::string, Population> m_populations;
    std::vector<const Population*> m_trial_populations;  // the current trial's population codes, resolved
    std::unordered_map<Key, std::uint32_t, KeyHash> m_slot_ids;
    std::vector<Key> m_slot_keys;  // the time dimensions' entries are 0
    std::vector<TimeCounts> m_slots;
    std::vector<SlotTable> m_slot_tables;  // by group
    std::uint64_t m_activations = 0;
};

const Population& Binner::population(const std::string& name) {
    auto it = m_populations.find(name);
    if (it == m_populations.end()) {
        const auto ct = cell_type_of(name);
        Population p{static_cast<std::uint32_t>(m_populations.size()),
                     {intern(ct), intern(is_excitatory(ct) ? "EXC" : "INH"), intern(column_of(name))}};
        it = m_populations.emplace(name, p).first;
    }
    return it->second;
}

std::uint32_t Binner::slot_for(SlotTable& table, std::int32_t group, const Population& p, double d) {
    const std::size_t column = m_by_population ? p.index : 0;
    if (column >= table.size()) table.resize(column + 1);
    const std::int64_t side = m_by_proximity && !(d < m_options.proximal_um) ? 1 : 0;
    const std::int64_t bin = (m_by_distance ? distance_bin(d) : 0) * 2 + side;
    std::int32_t* slot = table[column].find(bin, -1);
    if (!slot) return slot_of(group, p.ids, d);
    if (*slot < 0) *slot = static_cast<std::int32_t>(slot_of(group, p.ids, d));
    return static_cast<std::uint32_t>(*slot);
}

std::uint32_t Binner::slot_of(std::int32_t group, const std::array<std::int64_t, 3>& ids, double d) {
    Key key{};
    key[0] = group;
    for (std::size_t k = 0; k < m_options.by.size(); ++k) {
        switch (m_options.by[k]) {
            case SynapseDim::celltype:
                key[k + 1] = ids[0];
                break;
            case SynapseDim::ei:
                key[k + 1] = ids[1];
                break;
            case SynapseDim::column:
                key[k + 1] = ids[2];
                break;
            case SynapseDim::proximity:
                key[k + 1] = d < m_options.proximal_um ? 0 : 1;
                break;
            case SynapseDim::distance:
                key[k + 1] = distance_bin(d);
                break;
            case SynapseDim::time:
                break;
        }
    }
    auto [it, inserted] = m_slot_ids.try_emplace(key, static_cast<std::uint32_t>(m_slots.size()));
    if (inserted) {
        m_slot_keys.push_back(key);
        m_slots.emplace_back();
    }
    return it->second;
}

void Binner::count_times(TimeCounts& counts, const double* t, const double* end) {
    const bool has_from = m_options.from.has_value(), has_to = m_options.to.has_value();
    const double from = m_options.from.value_or(0), to = m_options.to.value_or(0);
    for (; t != end; ++t) {
        if (has_from && *t < from) continue;
        if (has_to && *t >= to) continue;
        counts.add(m_by_time ? static_cast<std::int64_t>(std::floor(*t / m_options.time_bin)) : 0);
        ++m_activations;
    }
}

void Binner::add_trial(std::int32_t group, const store::SynapseActivationTable& a) {
    m_trial_populations.clear();
    for (const auto& name : a.population.names) m_trial_populations.push_back(&population(name));
    if (static_cast<std::size_t>(group) >= m_slot_tables.size()) m_slot_tables.resize(group + 1);
    SlotTable& table = m_slot_tables[group];
    const double* distance = a.soma_distance.f64.data();
    const double* t = a.times.f64.data();
    for (std::size_t s = 0; s < a.size(); ++s) {
        const std::uint32_t slot =
            slot_for(table, group, *m_trial_populations[a.population.codes[s]], distance[s]);
        count_times(m_slots[slot], t + a.times.offsets[s], t + a.times.offsets[s + 1]);
    }
}

std::vector<std::pair<Key, std::uint64_t>> Binner::sorted_bins() const {
    std::vector<std::pair<Key, std::uint64_t>> bins;
    for (std::size_t i = 0; i < m_slots.size(); ++i) {
        m_slots[i].for_each([&](std::int64_t bin, std::uint64_t count) {
            Key key = m_slot_keys[i];
            for (std::size_t k = 0; k < m_options.by.size(); ++k)
                if (m_options.by[k] == SynapseDim::time) key[k + 1] = bin;
            bins.emplace_back(key, count);
        });
    }
    std::ranges::sort(bins, [&](const auto& x, const auto& y) {
        if (x.first[0] != y.first[0]) return x.first[0] < y.first[0];
        for (std::size_t k = 0; k < m_options.by.size(); ++k) {
            const auto dim = m_options.by[k];
            const bool numeric =
                dim == SynapseDim::distance || dim == SynapseDim::time || dim == SynapseDim::proximity;
            const auto a = x.first[k + 1], b = y.first[k + 1];
            if (a == b) continue;
            return numeric ? a < b : m_names[a] < m_names[b];
        }
        return false;
    });
    return bins;
}

// A bin's label in each dimension, as the table prints it.
SynapseBin labelled_bin(const Key& key, std::uint64_t count, const SynapseOptions& options,
                        const std::vector<std::string>& names, const Groups& groups) {
    SynapseBin bin;
    bin.group = static_cast<std::int32_t>(key[0]);
    for (std::size_t k = 0; k < options.by.size(); ++k) {
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
    bin.per_trial = static_cast<double>(count) / static_cast<double>(groups.sizes[bin.group]);
    return bin;
}

}  // namespace

Result<SynapseResult> query_synapses(const store::Store& store, const Dataset& dataset,
                                     const SynapseOptions& options, const SelectOptions& select_options) {
    if (auto st = detail::require_records(dataset, "synapses"); !st) return std::unexpected(st.error());
    if (!(options.distance_bin > 0) || !(options.time_bin > 0))
        return fail(Errc::invalid_argument, "bins must be positive", "synapses");
    if (options.by.size() > 6) return fail(Errc::invalid_argument, "at most six dimensions", "--by");
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    Binner binner(options);
    auto add = [&](std::int32_t g, const store::SynapseActivationTable& a) { binner.add_trial(g, a); };
    if (auto st = for_each_selected(store, dataset, *groups, add); !st) return std::unexpected(st.error());
    SynapseResult r;
    r.options = options;
    r.columns = groups->columns;
    r.group_labels = groups->labels;
    r.group_trials = groups->sizes;
    r.activations = binner.activations();
    for (const auto& [key, count] : binner.sorted_bins())
        r.bins.push_back(labelled_bin(key, count, options, binner.names(), *groups));
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
    std::vector<Sum*> of_population;  // per distinct population of a trial: its cell type's sums
    auto add_trial = [&](std::int32_t g, const store::SynapseActivationTable& a) {
        of_population.clear();
        for (const auto& p : a.population.names)
            of_population.push_back(&sums[{g, std::string(cell_type_of(p))}]);
        for (std::size_t s = 0; s < a.size(); ++s) {
            auto& sum = *of_population[a.population.codes[s]];
            ++sum.synapses;
            sum.activations += a.times_of(s).size();
            sum.distance += a.distance(s);
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
