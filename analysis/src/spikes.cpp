#include "silico/analysis/spikes.hpp"

#include <cmath>

namespace silico::analysis {

namespace {

std::vector<Cell> label_cells(const std::vector<std::string>& labels) {
    return {labels.begin(), labels.end()};
}

Status check_range(std::optional<double> from, std::optional<double> to, std::string_view what) {
    if (from && !std::isfinite(*from))
        return fail(Errc::invalid_argument, "--from must be a finite time", std::string(what));
    if (to && !std::isfinite(*to))
        return fail(Errc::invalid_argument, "--to must be a finite time", std::string(what));
    if (from && to && !(*from < *to))
        return fail(Errc::invalid_argument, "--from must be below --to", std::string(what));
    return {};
}

// Groups made by select() on another dataset would index rows that are not there.
Status check_groups(const Dataset& dataset, const Groups& groups) {
    if (groups.row_group.size() != dataset.size())
        return fail(Errc::invalid_argument, "the groups were selected on a dataset of " +
                                                std::to_string(groups.row_group.size()) +
                                                " rows, not this one of " + std::to_string(dataset.size()));
    return {};
}

}  // namespace

Result<SpikesResult> query_spikes(const Dataset& dataset, const Groups& groups) {
    if (auto st = check_groups(dataset, groups); !st) return std::unexpected(st.error());
    SpikesResult r;
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        if (groups.row_group[i] < 0) continue;
        const auto s = dataset.spikes(i);
        r.trials.push_back({i, groups.row_group[i], {s.begin(), s.end()}});
    }
    r.groups = groups;
    return r;
}

Result<SpikesResult> query_spikes(const Dataset& dataset, const SelectOptions& select_options) {
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    return query_spikes(dataset, *groups);
}

Table to_table(const SpikesResult& result, const Dataset& dataset) {
    Table t;
    t.columns = {"index", "trial"};
    const bool grouped = result.groups.columns != std::vector<std::string>{"all"};
    if (grouped)
        t.columns.insert(t.columns.end(), result.groups.columns.begin(), result.groups.columns.end());
    t.columns.push_back("spikes");
    t.columns.push_back("times");
    for (const auto& tr : result.trials) {
        std::vector<Cell> row{std::string(dataset.index()[tr.row]), dataset.trial()[tr.row]};
        if (grouped)
            for (const auto& l : result.groups.labels[tr.group]) row.emplace_back(l);
        row.emplace_back(static_cast<std::int64_t>(tr.times.size()));
        std::string times;
        for (double v : tr.times) times += (times.empty() ? "" : " ") + format_number(v);
        row.emplace_back(std::move(times));
        t.rows.push_back(std::move(row));
    }
    return t;
}

Result<WindowResult> query_window(const Dataset& dataset, const WindowOptions& options,
                                  const Groups& groups) {
    if (auto st = check_range(options.from, options.to, "window"); !st) return std::unexpected(st.error());
    if (auto st = check_groups(dataset, groups); !st) return std::unexpected(st.error());
    WindowResult r;
    r.options = options;
    r.columns = groups.columns;
    r.groups.resize(groups.count());
    for (std::size_t g = 0; g < groups.count(); ++g) r.groups[g].labels = groups.labels[g];
    const auto& offsets = dataset.spike_offsets();
    const auto& times = dataset.spike_times();
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const std::int32_t g = groups.row_group[i];
        if (g < 0) continue;
        auto& wg = r.groups[g];
        ++wg.trials;
        for (std::uint64_t k = offsets[i]; k < offsets[i + 1]; ++k) {
            const double t = times[k];
            if (t >= options.from && t < options.to) {
                ++wg.spiking;
                break;
            }
        }
    }
    return r;
}

Result<WindowResult> query_window(const Dataset& dataset, const WindowOptions& options,
                                  const SelectOptions& select_options) {
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    return query_window(dataset, options, *groups);
}

Table to_table(const WindowResult& result) {
    Table t;
    t.columns = result.columns;
    for (const char* c : {"trials", "spiking", "fraction"}) t.columns.emplace_back(c);
    for (const auto& g : result.groups) {
        auto row = label_cells(g.labels);
        row.emplace_back(static_cast<std::int64_t>(g.trials));
        row.emplace_back(static_cast<std::int64_t>(g.spiking));
        row.emplace_back(g.fraction());
        t.rows.push_back(std::move(row));
    }
    return t;
}

Result<PsthResult> query_psth(const Dataset& dataset, const PsthOptions& options, const Groups& groups) {
    if (!(options.bin > 0) || !std::isfinite(options.bin))
        return fail(Errc::invalid_argument, "--bin must be a positive number of ms", "psth");
    if (auto st = check_range(options.from, options.to, "psth"); !st) return std::unexpected(st.error());
    if (auto st = check_groups(dataset, groups); !st) return std::unexpected(st.error());
    double lo = options.from.value_or(INFINITY), hi = options.to.value_or(-INFINITY);
    if (!options.from || !options.to) {
        for (std::size_t i = 0; i < dataset.size(); ++i) {
            if (groups.row_group[i] < 0) continue;
            for (double t : dataset.spikes(i)) {
                if (!options.from) lo = std::min(lo, t);
                if (!options.to) hi = std::max(hi, t);
            }
        }
        if (!std::isfinite(lo) || !std::isfinite(hi))
            return fail(Errc::invalid_argument, "the selected trials have no spike; give --from and --to",
                        "psth");
    }
    const double w = options.bin;
    const double first = std::floor(lo / w) * w;
    double bins_real = std::ceil(hi / w) - std::floor(lo / w);
    if (bins_real < 1) bins_real = 1;
    if (bins_real > 1e7)
        return fail(Errc::invalid_argument, "more than 10^7 bins; choose a wider --bin", "psth");
    const auto bins = static_cast<std::size_t>(bins_real);
    PsthResult r;
    r.options = options;
    r.columns = groups.columns;
    r.edges.resize(bins + 1);
    for (std::size_t k = 0; k <= bins; ++k) r.edges[k] = first + static_cast<double>(k) * w;
    r.groups.resize(groups.count());
    for (std::size_t g = 0; g < groups.count(); ++g) {
        r.groups[g].labels = groups.labels[g];
        r.groups[g].trials = groups.sizes[g];
        r.groups[g].counts.assign(bins, 0);
    }
    const double last = r.edges.back();
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const std::int32_t g = groups.row_group[i];
        if (g < 0) continue;
        auto& counts = r.groups[g].counts;
        for (double t : dataset.spikes(i)) {
            if (!(t >= first && t <= last)) continue;
            // numpy.histogram for uniform bins: computed index, then corrected against the edges themselves.
            auto k =
                static_cast<std::size_t>(std::min<double>(std::floor((t - first) / w), double(bins - 1)));
            if (k > 0 && t < r.edges[k]) --k;
            if (k + 1 < bins && t >= r.edges[k + 1]) ++k;
            ++counts[k];
        }
    }
    for (auto& g : r.groups) {
        g.values.resize(bins);
        const double scale = options.rate ? 1000.0 / w : 1.0;
        for (std::size_t k = 0; k < bins; ++k)
            g.values[k] = static_cast<double>(g.counts[k]) / static_cast<double>(g.trials) * scale;
    }
    return r;
}

Result<PsthResult> query_psth(const Dataset& dataset, const PsthOptions& options,
                              const SelectOptions& select_options) {
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    return query_psth(dataset, options, *groups);
}

Table to_table(const PsthResult& result) {
    Table t;
    t.columns = result.columns;
    for (const char* c : {"bin_start", "bin_end", "count"}) t.columns.emplace_back(c);
    t.columns.emplace_back(result.options.rate ? "rate_hz" : "per_trial");
    for (const auto& g : result.groups) {
        for (std::size_t k = 0; k < g.values.size(); ++k) {
            auto row = label_cells(g.labels);
            row.emplace_back(result.edges[k]);
            row.emplace_back(result.edges[k + 1]);
            row.emplace_back(static_cast<std::int64_t>(g.counts[k]));
            row.emplace_back(g.values[k]);
            t.rows.push_back(std::move(row));
        }
    }
    return t;
}

std::vector<BurstEvent> burst_events(std::span<const double> spikes, const BurstOptions& options) {
    std::vector<BurstEvent> events;
    std::size_t i = 0;
    while (i < spikes.size()) {
        int n = 1;
        if (i + 2 < spikes.size() && spikes[i + 2] - spikes[i] <= options.triplet_ms) {
            n = 3;
        } else if (i + 1 < spikes.size() && spikes[i + 1] - spikes[i] <= options.doublet_ms) {
            n = 2;
        }
        BurstEvent e;
        e.time = spikes[i];
        e.spikes = n;
        for (int k = 1; k < n; ++k) e.isis.push_back(spikes[i + k] - spikes[i + k - 1]);
        events.push_back(std::move(e));
        i += static_cast<std::size_t>(n);
    }
    return events;
}

Result<BurstResult> query_bursts(const Dataset& dataset, const BurstOptions& options, const Groups& groups) {
    if (!(options.doublet_ms >= 0) || !(options.triplet_ms >= 0))
        return fail(Errc::invalid_argument, "burst intervals must be >= 0 ms", "bursts");
    if (auto st = check_range(options.from, options.to, "bursts"); !st) return std::unexpected(st.error());
    if (auto st = check_groups(dataset, groups); !st) return std::unexpected(st.error());
    BurstResult r;
    r.columns = groups.columns;
    r.groups.resize(groups.count());
    for (std::size_t g = 0; g < groups.count(); ++g) {
        r.groups[g].labels = groups.labels[g];
        r.groups[g].trials = groups.sizes[g];
    }
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const std::int32_t g = groups.row_group[i];
        if (g < 0) continue;
        for (auto& e : burst_events(dataset.spikes(i), options)) {
            if (options.from && e.time < *options.from) continue;
            if (options.to && e.time >= *options.to) continue;
            auto& bg = r.groups[g];
            (e.spikes == 1 ? bg.singlets : e.spikes == 2 ? bg.doublets : bg.triplets) += 1;
            e.row = i;
            r.events.push_back(std::move(e));
        }
    }
    return r;
}

Result<BurstResult> query_bursts(const Dataset& dataset, const BurstOptions& options,
                                 const SelectOptions& select_options) {
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    return query_bursts(dataset, options, *groups);
}

Table to_table(const BurstResult& result) {
    Table t;
    t.columns = result.columns;
    for (const char* c : {"trials", "singlets", "doublets", "triplets"}) t.columns.emplace_back(c);
    for (const auto& g : result.groups) {
        auto row = label_cells(g.labels);
        for (std::size_t v : {g.trials, g.singlets, g.doublets, g.triplets})
            row.emplace_back(static_cast<std::int64_t>(v));
        t.rows.push_back(std::move(row));
    }
    return t;
}

Table events_table(const BurstResult& result, const Dataset& dataset) {
    Table t;
    t.columns = {"index", "event_time", "event_class", "isi_1", "isi_2"};
    static const char* names[] = {"", "singlet", "doublet", "triplet"};
    for (const auto& e : result.events) {
        std::vector<Cell> row{std::string(dataset.index()[e.row]), e.time, std::string(names[e.spikes])};
        for (std::size_t k = 0; k < 2; ++k) {
            if (k < e.isis.size()) {
                row.emplace_back(e.isis[k]);
            } else {
                row.emplace_back(std::string());
            }
        }
        t.rows.push_back(std::move(row));
    }
    return t;
}

}  // namespace silico::analysis
