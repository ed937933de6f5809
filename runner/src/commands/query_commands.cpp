// `silico query KIND DATASET ...` and `silico datasets`: analysis of stored trials (docs/analysis.md).
//
// DATASET is a recipe file (its trials in the store, computed from the plan and the records) or the name of a
// stored dataset (an import). The store opens read-only, so queries run while a run writes.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "dataset_args.hpp"
#include "silico/analysis/dataset.hpp"
#include "silico/analysis/detect.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/analysis/spikes.hpp"
#include "silico/analysis/synapses.hpp"
#include "silico/analysis/table.hpp"
#include "silico/analysis/traces.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

namespace fs = std::filesystem;
using namespace silico::analysis;

namespace {

struct CommonArgs : DatasetArgs {
    bool json = false, csv = false;
    TableFormat format() const {
        return json ? TableFormat::json : csv ? TableFormat::csv : TableFormat::aligned;
    }
};

void add_common(CLI::App* cmd, CommonArgs& args) {
    add_dataset_options(cmd, args);
    auto* json = cmd->add_flag("--json", args.json, "Print JSON");
    cmd->add_flag("--csv", args.csv, "Print CSV")->excludes(json);
}

void print(const Table& table, const CommonArgs& args) {
    std::cout << format_table(table, args.format());
}

std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at <= text.size()) {
        const auto comma = text.find(',', at);
        const auto part = text.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        if (!part.empty()) out.push_back(part);
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    return out;
}

template <class T>
bool report_or(Result<T>& r, CliContext& ctx) {
    if (r) return true;
    ctx.report(r.error());
    return false;
}

// `query spikes`: spike times per trial.
void add_spikes_command(CLI::App* query, CliContext& ctx) {
    static CommonArgs args;
    auto* cmd = query->add_subcommand("spikes", "Somatic spike times per trial");
    add_common(cmd, args);
    cmd->callback([&ctx] {
        auto o = open_dataset(args.dataset, ctx);
        if (!o) return;
        auto r = query_spikes(o->dataset, args.select());
        if (report_or(r, ctx)) print(to_table(*r, o->dataset), args);
    });
}

// `query window`: trials with a spike in [from, to) per group.
void add_window_command(CLI::App* query, CliContext& ctx) {
    static CommonArgs args;
    static WindowOptions options;
    auto* cmd = query->add_subcommand("window", "Trials with a spike in [--from, --to), per group");
    add_common(cmd, args);
    cmd->add_option("--from", options.from, "Window start (ms, inclusive)")->required();
    cmd->add_option("--to", options.to, "Window end (ms, exclusive)")->required();
    cmd->callback([&ctx] {
        auto o = open_dataset(args.dataset, ctx);
        if (!o) return;
        auto r = query_window(o->dataset, options, args.select());
        if (report_or(r, ctx)) print(to_table(*r), args);
    });
}

// `query psth`: the histogram per group, per trial or as a rate.
void add_psth_command(CLI::App* query, CliContext& ctx) {
    static CommonArgs args;
    static PsthOptions options;
    static double from = 0, to = 0;
    auto* cmd = query->add_subcommand("psth", "Peri-stimulus time histogram per group, per trial");
    add_common(cmd, args);
    cmd->add_option("--bin", options.bin, "Bin width (ms, default 1)");
    auto* f = cmd->add_option("--from", from, "First edge (ms; aligned down to a multiple of the bin)");
    auto* t = cmd->add_option("--to", to, "Last edge (ms; aligned up)");
    cmd->add_flag("--rate", options.rate, "Spikes per trial and second (Hz) instead of per trial and bin");
    cmd->callback([&ctx, f, t] {
        if (f->count()) options.from = from;
        if (t->count()) options.to = to;
        auto o = open_dataset(args.dataset, ctx);
        if (!o) return;
        auto r = query_psth(o->dataset, options, args.select());
        if (report_or(r, ctx)) print(to_table(*r), args);
    });
}

// `query bursts`: ISF's singlets, doublets and triplets, or every event.
void add_bursts_command(CLI::App* query, CliContext& ctx) {
    static CommonArgs args;
    static BurstOptions options;
    static double from = 0, to = 0;
    static bool events = false;
    auto* cmd =
        query->add_subcommand("bursts", "Singlets, doublets and triplets per group (ISF's definition)");
    add_common(cmd, args);
    auto* f = cmd->add_option("--from", from, "Count events starting at or after (ms)");
    auto* t = cmd->add_option("--to", to, "Count events starting before (ms)");
    cmd->add_option("--doublet-ms", options.doublet_ms, "Doublet: t1 - t0 <= this (default 10)");
    cmd->add_option("--triplet-ms", options.triplet_ms, "Triplet: t2 - t0 <= this (default 30)");
    cmd->add_flag("--events", events, "List every event instead of the counts");
    cmd->callback([&ctx, f, t] {
        if (f->count()) options.from = from;
        if (t->count()) options.to = to;
        auto o = open_dataset(args.dataset, ctx);
        if (!o) return;
        auto r = query_bursts(o->dataset, options, args.select());
        if (report_or(r, ctx)) print(events ? events_table(*r, o->dataset) : to_table(*r), args);
    });
}

// `query traces`: mean and SD of a recorded variable per group, streamed.
void add_traces_command(CLI::App* query, CliContext& ctx) {
    static CommonArgs args;
    static TraceOptions options;
    static std::string stat = "mean,sd";
    auto* cmd = query->add_subcommand("traces", "Mean and SD of soma or site traces per group (streamed)");
    add_common(cmd, args);
    cmd->add_option("--stat", stat, "mean, sd or mean,sd (default)");
    cmd->add_option("--site", options.site, "Recording site (default soma)");
    cmd->add_option("--variable", options.variable, "Recorded variable (default v)");
    cmd->add_option("--every", options.every, "Print every k-th sample (default 1)");
    cmd->callback([&ctx] {
        options.mean = options.sd = false;
        for (const auto& s : split_list(stat)) {
            if (s == "mean") {
                options.mean = true;
            } else if (s == "sd") {
                options.sd = true;
            } else {
                return ctx.report(
                    Error{Errc::invalid_argument, "unknown statistic '" + s + "' (mean, sd)", "--stat"});
            }
        }
        auto o = open_dataset(args.dataset, ctx);
        if (!o) return;
        auto r = query_traces(o->store, o->dataset, options, args.select());
        if (report_or(r, ctx)) print(to_table(*r), args);
    });
}

// `query synapses`: activations binned by the chosen dimensions, or the mean soma distance per cell type.
void add_synapses_command(CLI::App* query, CliContext& ctx) {
    static CommonArgs args;
    static SynapseOptions options;
    static std::string by = "celltype";
    static double from = 0, to = 0;
    static bool mean_distance = false;
    auto* cmd = query->add_subcommand("synapses",
                                      "Synapse activations binned by cell type, EXC/INH, column, "
                                      "proximity, soma distance and time");
    add_common(cmd, args);
    cmd->add_option("--by", by, "celltype,ei,column,proximity,distance,time (default celltype)");
    cmd->add_option("--distance-bin", options.distance_bin, "Soma distance bin (µm, default 50)");
    cmd->add_option("--time-bin", options.time_bin, "Time bin (ms, default 1)");
    auto* f = cmd->add_option("--from", from, "Only releases at or after (ms)");
    auto* t = cmd->add_option("--to", to, "Only releases before (ms)");
    cmd->add_flag("--mean-distance", mean_distance,
                  "Active synapses and their mean soma distance per cell type");
    cmd->callback([&ctx, f, t] {
        if (f->count()) options.from = from;
        if (t->count()) options.to = to;
        options.by.clear();
        for (const auto& s : split_list(by)) {
            auto d = parse_synapse_dim(s);
            if (!report_or(d, ctx)) return;
            options.by.push_back(*d);
        }
        auto o = open_dataset(args.dataset, ctx);
        if (!o) return;
        if (mean_distance) {
            auto r = query_synapse_distances(o->store, o->dataset, args.select());
            if (report_or(r, ctx)) print(to_table(*r), args);
            return;
        }
        auto r = query_synapses(o->store, o->dataset, options, args.select());
        if (report_or(r, ctx)) print(to_table(*r), args);
    });
}

// `query detect`: threshold crossings in a stored trace.
void add_detect_command(CLI::App* query, CliContext& ctx) {
    static CommonArgs args;
    static DetectOptions options;
    auto* cmd = query->add_subcommand("detect", "Upward threshold crossings in a stored trace");
    add_common(cmd, args);
    cmd->add_option("--threshold", options.threshold, "Threshold (mV), e.g. -30 for dendritic spikes")
        ->required();
    cmd->add_option("--site", options.site, "Recording site (default soma)");
    cmd->add_option("--variable", options.variable, "Recorded variable (default v)");
    cmd->callback([&ctx] {
        auto o = open_dataset(args.dataset, ctx);
        if (!o) return;
        auto r = query_detect(o->store, o->dataset, options, args.select());
        if (report_or(r, ctx)) print(to_table(*r, o->dataset), args);
    });
}

// `datasets`: the imported datasets, one line each.
void add_datasets_command(CLI::App& app, CliContext& ctx) {
    static bool json = false;
    auto* cmd =
        app.add_subcommand("datasets", "The datasets stored by `silico import` (name, trials, origin)");
    cmd->add_flag("--json", json, "Print JSON");
    cmd->callback([&ctx] {
        auto st = open_reader(ctx);
        if (!report_or(st, ctx)) return;
        auto names = dataset_names(*st);
        if (!report_or(names, ctx)) return;
        Table t;
        t.columns = {"name", "trials", "records", "kind", "source"};
        for (const auto& n : *names) {
            auto d = read_dataset(*st, n);
            if (!report_or(d, ctx)) return;
            t.rows.push_back({n, static_cast<std::int64_t>(d->size()),
                              std::string(d->has_records() ? "yes" : "no"), d->provenance().kind,
                              d->provenance().source});
        }
        std::cout << format_table(t, json ? TableFormat::json : TableFormat::aligned);
    });
}

}  // namespace

void add_query_commands(CLI::App& app, CliContext& ctx) {
    auto* query = app.add_subcommand("query", "Answer analysis questions from the store (docs/analysis.md)");
    query->require_subcommand(1);
    add_spikes_command(query, ctx);
    add_window_command(query, ctx);
    add_psth_command(query, ctx);
    add_bursts_command(query, ctx);
    add_traces_command(query, ctx);
    add_synapses_command(query, ctx);
    add_detect_command(query, ctx);
    add_datasets_command(app, ctx);
}

}  // namespace silico::runner
