// `silico export DATASET --what spikes|traces|synapses|presynaptic -o FILE`: a dataset's trials in files that
// numpy, pandas, h5py, SONATA readers and ISF's tools read (analysis/export.hpp, docs/analysis.md "Exports").
#include <unistd.h>

#include <iostream>

#include "cli.hpp"
#include "dataset_args.hpp"
#include "export_command.hpp"
#include "silico/analysis/export.hpp"

namespace silico::runner {

namespace {

// "\rexport: 1200/18000 trials" on a terminal, at most every 1% (nothing when stderr is a file or pipe).
std::function<void(std::size_t, std::size_t)> progress_printer() {
    if (!::isatty(STDERR_FILENO)) return {};
    return [last = std::size_t{0}](std::size_t done, std::size_t total) mutable {
        if (done != total && done - last < std::max<std::size_t>(1, total / 100)) return;
        last = done;
        std::cerr << "\rexport: " << done << "/" << total << " trials" << (done == total ? "\n" : "")
                  << std::flush;
    };
}

}  // namespace

void add_export_command(CLI::App& app, CliContext& ctx) {
    static DatasetArgs args;
    static std::string what = "spikes", format, output;
    static analysis::ExportOptions options;
    auto* cmd =
        app.add_subcommand("export",
                           "Write a dataset's spikes, traces, synapse or presynaptic activations to csv, "
                           "npy, h5, a SONATA spike file or ISF simrun folders");
    add_dataset_options(cmd, args, false);
    cmd->add_option("--what", what, "spikes (default), traces, synapses or presynaptic");
    cmd->add_option("-o,--output", output, "FILE.csv, FILE.npy, FILE.h5, or a folder for --format isf-simrun")
        ->required();
    cmd->add_option("--format", format,
                    "sonata (with --what spikes, FILE.h5) or isf-simrun; default: by extension");
    cmd->add_option("--site", options.site, "traces: recording site (default soma)");
    cmd->add_option("--variable", options.variable, "traces: recorded variable (default v)");
    cmd->add_option("--population", options.population, "sonata: population name (default silico)");
    cmd->add_flag("--force", options.overwrite, "Replace an existing output");
    cmd->callback([&ctx] {
        auto w = analysis::parse_export_what(what);
        if (!w) return ctx.report(w.error());
        auto f = analysis::export_format(output, format);
        if (!f) return ctx.report(f.error());
        options.what = *w;
        options.format = *f;
        options.select = args.select();
        options.progress = progress_printer();
        auto opened = open_dataset(args.dataset, ctx);
        if (!opened) return;
        auto report = analysis::export_dataset(&opened->store, opened->dataset, output, options);
        if (!report) return ctx.report(report.error());
        std::cout << "exported " << report->trials << " trials (" << report->values << " values) to";
        for (const auto& file : report->files) std::cout << " " << file.string();
        std::cout << "\n";
    });
}

}  // namespace silico::runner
