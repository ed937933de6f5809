// build_report: runs the analysis queries and keeps their answers as the page's JSON.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "animation.hpp"
#include "encode.hpp"
#include "silico/analysis/spikes.hpp"
#include "silico/analysis/synapses.hpp"
#include "silico/analysis/trace_density.hpp"
#include "silico/analysis/traces.hpp"
#include "silico/analysis/trial_summary.hpp"
#include "silico/report/report.hpp"

namespace silico::report {

namespace {

using nlohmann::json;
using namespace silico::analysis;

bool wants(const ReportOptions& o, FigureKind kind) {
    return std::ranges::find(o.figures, kind) != o.figures.end();
}

std::string join_labels(const std::vector<std::string>& labels) {
    std::string out;
    for (const auto& l : labels) out += (out.empty() ? "" : " / ") + l;
    return out;
}

std::string utc_time(std::int64_t unix_ms) {
    const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return text;
}

std::string counted(const std::map<std::string, std::size_t>& counts) {
    std::string out;
    for (const auto& [value, n] : counts)
        out += (out.empty() ? "" : ", ") + value + " (" + std::to_string(n) + ")";
    return out;
}

json summary_rows(const Dataset& dataset, const TrialSummary& s, const ReportOptions& o) {
    json rows = json::array();
    auto add = [&](std::string key, std::string value) {
        rows.push_back({std::move(key), std::move(value)});
    };
    for (const auto& [k, v] : o.facts) add(k, v);
    add("origin", dataset.provenance().kind + " " + dataset.provenance().source);
    add("trials",
        std::to_string(s.trials) +
            (s.trials != dataset.size() ? " selected of " + std::to_string(dataset.size()) : std::string()));
    add("groups", std::to_string(s.groups));
    if (s.seed_min) add("seeds", std::to_string(*s.seed_min) + " … " + std::to_string(*s.seed_max));
    if (s.records == 0) {
        add("trial records", "none (spike times only)");
        return rows;
    }
    add("silico (commit)", counted(s.silico_versions) +
                               (s.dirty ? ", " + std::to_string(s.dirty) + " with uncommitted changes" : ""));
    add("NEURON", counted(s.neuron_versions));
    add("ran on", counted(s.hosts));
    add("wall time",
        std::to_string(static_cast<long long>(std::lround(s.wall_seconds))) + " s over all trials");
    if (s.first_start_unix_ms > 0)
        add("ran", utc_time(s.first_start_unix_ms) + " to " + utc_time(s.last_end_unix_ms));
    return rows;
}

// PSTH, raster and window table of every group, from the spike times alone.
Status add_spike_figures(const Dataset& dataset, const ReportOptions& o, double from, double to,
                         json& groups) {
    auto psth = query_psth(dataset, {.bin = o.psth_bin, .from = from, .to = to, .rate = false}, o.select);
    if (!psth) return std::unexpected(psth.error());
    auto window = query_window(dataset, {.from = o.window_from, .to = o.window_to}, o.select);
    if (!window) return std::unexpected(window.error());
    auto spikes = query_spikes(dataset, o.select);
    if (!spikes) return std::unexpected(spikes.error());
    std::vector<std::vector<double>> t(groups.size()), y(groups.size());
    std::vector<std::size_t> rank(groups.size(), 0);
    for (const auto& trial : spikes->trials) {
        for (double s : trial.times) {
            t[trial.group].push_back(s);
            y[trial.group].push_back(static_cast<double>(rank[trial.group]));
        }
        ++rank[trial.group];
    }
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto& p = psth->groups[g];
        groups[g]["psth"] = {
            {"from", psth->edges.front()}, {"bin", o.psth_bin}, {"values", f32_base64(p.values)}};
        groups[g]["raster"] = {{"t", f32_base64(t[g])}, {"y", f32_base64(y[g])}, {"spikes", t[g].size()}};
        const auto& w = window->groups[g];
        groups[g]["window"] = {{"trials", w.trials}, {"spiking", w.spiking}, {"fraction", w.fraction()}};
    }
    return {};
}

Status add_mean_sd(const store::Store& store, const Dataset& dataset, const ReportOptions& o, json& groups) {
    auto traces = query_traces(store, dataset, {}, o.select);
    if (!traces) return std::unexpected(traces.error());
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto& r = traces->groups[g];
        std::vector<double> sd = r.sd;
        for (auto& x : sd) x = std::isnan(x) ? 0.0 : x;  // one trial: no band
        groups[g]["mean_sd"] = {{"t", f32_base64(thin(r.time, o.max_points))},
                                {"mean", f32_base64(thin(r.mean, o.max_points))},
                                {"sd", f32_base64(thin(sd, o.max_points))}};
    }
    return {};
}

Status add_traces(const store::Store& store, const Dataset& dataset, const ReportOptions& o, json& groups) {
    TraceDensityOptions d{.time_bins = o.density_time_bins,
                          .value_bins = o.density_value_bins,
                          .value_min = o.density_min,
                          .value_max = o.density_max,
                          .keep_traces = o.line_limit};
    auto density = query_trace_density(store, dataset, d, o.select);
    if (!density) return std::unexpected(density.error());
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const auto& r = density->groups[g];
        json traces = {{"mode", r.trials <= o.line_limit ? "lines" : "density"}, {"trials", r.trials}};
        if (r.trials <= o.line_limit) {
            traces["t"] = f32_base64(thin(r.time, o.max_points));
            traces["lines"] = json::array();
            for (const auto& line : r.traces) traces["lines"].push_back(f32_base64(thin(line, o.max_points)));
        } else {
            std::vector<double> counts(r.counts.begin(), r.counts.end());
            traces["density"] = {{"t0", r.time.empty() ? 0.0 : r.time.front()},
                                 {"t1", r.time.empty() ? 0.0 : r.time.back()},
                                 {"nt", d.time_bins},
                                 {"nv", d.value_bins},
                                 {"vmin", d.value_min},
                                 {"vmax", d.value_max},
                                 {"counts", f32_base64(counts)}};
        }
        groups[g]["traces"] = std::move(traces);
    }
    return {};
}

// One group's activations as dense distance × time matrices (per trial): EXC, INH, then each cell type.
json heatmap_of(const std::vector<const SynapseBin*>& bins, double trials, const ReportOptions& o) {
    struct Cell {
        std::string type;
        long d, t;
        double value;
    };
    std::vector<Cell> cells;
    long d_lo = 0, d_hi = -1, t_lo = 0, t_hi = -1;
    for (const auto* b : bins) {
        const long d =
            std::lround(std::stod(b->values[1].substr(0, b->values[1].find("to"))) / o.distance_bin);
        const long t = std::lround(std::stod(b->values[2]) / o.time_bin);
        if (cells.empty() || d < d_lo) d_lo = d;
        if (cells.empty() || t < t_lo) t_lo = t;
        d_hi = std::max(d_hi, d);
        t_hi = std::max(t_hi, t);
        cells.push_back({b->values[0], d, t, static_cast<double>(b->count) / trials});
    }
    const auto nd = static_cast<std::size_t>(std::max(0L, d_hi - d_lo + 1));
    const auto nt = static_cast<std::size_t>(std::max(0L, t_hi - t_lo + 1));
    std::map<std::string, std::vector<double>> panels;
    std::vector<double> exc(nd * nt, 0.0), inh(nd * nt, 0.0);
    for (const auto& c : cells) {
        auto& m = panels.try_emplace(c.type, nd * nt, 0.0).first->second;
        const auto at = static_cast<std::size_t>(c.d - d_lo) * nt + static_cast<std::size_t>(c.t - t_lo);
        m[at] += c.value;
        (is_excitatory(c.type) ? exc : inh)[at] += c.value;
    }
    json out = {{"d0", static_cast<double>(d_lo) * o.distance_bin},
                {"dbin", o.distance_bin},
                {"nd", nd},
                {"t0", static_cast<double>(t_lo) * o.time_bin},
                {"tbin", o.time_bin},
                {"nt", nt},
                {"panels", json::array()}};
    out["panels"].push_back({{"name", "EXC (all excitatory types)"}, {"values", f32_base64(exc)}});
    out["panels"].push_back({{"name", "INH (all inhibitory types)"}, {"values", f32_base64(inh)}});
    for (const auto& [type, m] : panels)
        out["panels"].push_back(
            {{"name", type + (is_excitatory(type) ? " (EXC)" : " (INH)")}, {"values", f32_base64(m)}});
    return out;
}

Status add_heatmaps(const store::Store& store, const Dataset& dataset, const ReportOptions& o, json& groups) {
    SynapseOptions s;
    s.by = {SynapseDim::celltype, SynapseDim::distance, SynapseDim::time};
    s.distance_bin = o.distance_bin;
    s.time_bin = o.time_bin;
    auto r = query_synapses(store, dataset, s, o.select);
    if (!r) return std::unexpected(r.error());
    std::vector<std::vector<const SynapseBin*>> by_group(groups.size());
    for (const auto& b : r->bins) by_group[b.group].push_back(&b);
    for (std::size_t g = 0; g < groups.size(); ++g)
        groups[g]["heatmap"] = heatmap_of(by_group[g], static_cast<double>(r->group_trials[g]), o);
    return {};
}

// The PSTH's and raster's range: the options', else 0 to the last spike (simulations start at 0).
std::pair<double, double> spike_range(const Dataset& dataset, const ReportOptions& o) {
    double last = 0.0;
    for (double t : dataset.spike_times()) last = std::max(last, t);
    const double from = o.from.value_or(std::min(0.0, last));
    double to = o.to.value_or(std::ceil(last / o.psth_bin) * o.psth_bin);
    if (!(to > from)) to = from + o.psth_bin;
    return {from, to};
}

}  // namespace

Result<Report> build_report(const store::Store& store, const Dataset& dataset, const ReportOptions& o) {
    auto selected = select(dataset, o.select);
    if (!selected) return std::unexpected(selected.error());
    auto summary = summarize_trials(store, dataset, o.select);
    if (!summary) return std::unexpected(summary.error());
    Report report;
    report.title = o.title.empty() ? dataset.provenance().source : o.title;
    json groups = json::array();
    for (std::size_t g = 0; g < selected->count(); ++g) {
        report.group_labels.push_back(join_labels(selected->labels[g]));
        groups.push_back({{"label", report.group_labels.back()}, {"trials", selected->sizes[g]}});
    }
    const auto [from, to] = spike_range(dataset, o);
    if (auto st = add_spike_figures(dataset, o, from, to, groups); !st) return std::unexpected(st.error());
    json notes = json::array();
    if (!dataset.has_records()) {
        notes.push_back("This dataset holds spike times only (" + dataset.provenance().kind +
                        "): no soma traces or synapse activations to draw.");
    } else {
        if (wants(o, FigureKind::mean_sd))
            if (auto st = add_mean_sd(store, dataset, o, groups); !st) return std::unexpected(st.error());
        if (wants(o, FigureKind::traces))
            if (auto st = add_traces(store, dataset, o, groups); !st) return std::unexpected(st.error());
        if (wants(o, FigureKind::heatmap)) {
            // Trials run without [record] synapse_activation have no heat map; the rest of the page stands.
            auto st = add_heatmaps(store, dataset, o, groups);
            if (!st && st.error().code != Errc::not_found) return std::unexpected(st.error());
            if (!st) notes.push_back("No synapse-activation heat map: " + std::string(st.error().what()));
        }
    }
    std::optional<json> animation;
    if (dataset.has_records() && wants(o, FigureKind::animation)) {
        // Most datasets record no dendrites: then there is no animation, and no note unless one was asked.
        auto a = detail::animation_json(store, dataset, o);
        if (a)
            animation = std::move(*a);
        else if (a.error().code != Errc::not_found || !o.animation_trial.empty())
            return std::unexpected(a.error());
    }
    json data = {{"title", report.title},
                 {"summary", summary_rows(dataset, *summary, o)},
                 {"group_columns", selected->columns},
                 {"range", {{"from", from}, {"to", to}}},
                 {"window", {{"from", o.window_from}, {"to", o.window_to}}},
                 {"notes", notes},
                 {"groups", std::move(groups)}};
    if (animation) data["animation"] = std::move(*animation);
    report.data_json = data.dump();
    return report;
}

}  // namespace silico::report
