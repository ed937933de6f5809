// `silico reduce fit DATASET --as NAME` and `silico reduce apply NAME DATASET`: ISF's reduced LDA model
// (silico/analysis/reduced_model.hpp, docs/analysis.md "Reduced model").
#include "reduce_command.hpp"

#include <iostream>

#include "dataset_args.hpp"
#include "silico/analysis/reduced_model.hpp"
#include "silico/analysis/table.hpp"

namespace silico::runner {

using namespace silico::analysis;

namespace {

struct Output {
    bool json = false, csv = false;
    TableFormat format() const {
        return json ? TableFormat::json : csv ? TableFormat::csv : TableFormat::aligned;
    }
};

void add_output(CLI::App* cmd, Output& out) {
    auto* json = cmd->add_flag("--json", out.json, "Print JSON");
    cmd->add_flag("--csv", out.csv, "Print CSV")->excludes(json);
}

struct FitArgs {
    std::string dataset, name, by = "ei";
    std::vector<std::string> where;
    std::int64_t window_min = 0, window_max = 0;
    bool no_balance = false, kernels = false;
    Output out;
};

void add_fit(CLI::App* reduce, CliContext& ctx) {
    static FitArgs args;
    static ReducedModelOptions options;
    auto* cmd = reduce->add_subcommand("fit", "Fit the LDA reduced model of spike / no spike and store it");
    cmd->add_option("dataset", args.dataset, "A recipe file, or the name of a stored dataset")->required();
    cmd->add_option("--as", args.name, "Store the model as reduced-model/NAME")->required();
    cmd->add_option("--by", args.by, "Kernel groups: ei (default), celltype, column or proximity");
    cmd->add_option("--from", options.output_min, "Output window start (ms, default 255)");
    cmd->add_option("--to", options.output_max, "Output window end (ms, exclusive, default 265)");
    cmd->add_option("--width", options.window_width, "Synapse window: bins of 1 ms (default 80)");
    auto* wmin = cmd->add_option("--window-min", args.window_min, "Synapse window's first bin (ms)");
    auto* wmax = cmd->add_option("--window-max", args.window_max, "Synapse window's end (default: --to)");
    cmd->add_option("--refractory", options.refractory,
                    "Leave out trials that spiked this long before the output window (ms, default 0)");
    cmd->add_option("--iterations", options.iterations, "Fits on random subsamples (default 5)");
    cmd->add_option("--test-size", options.test_size,
                    "Fraction held out for the test accuracy (default 0.4)");
    cmd->add_flag("--no-balance", args.no_balance, "Do not subsample the classes to equal size");
    cmd->add_option("--lookup-step", options.lookup_step, "LDA-value bin of the lookup table (default 5)");
    cmd->add_option("--where", args.where, "Fit on trials with COLUMN=VALUE (repeatable)");
    cmd->add_flag("--kernels", args.kernels, "Print the kernels instead of the fits' accuracies");
    add_output(cmd, args.out);
    cmd->callback([&ctx, wmin, wmax] {
        auto by = parse_synapse_dim(args.by);
        if (!by) return ctx.report(by.error());
        options.by = *by;
        if (wmin->count()) options.window_min = args.window_min;
        if (wmax->count()) options.window_max = args.window_max;
        options.balance = !args.no_balance;
        auto o = open_dataset(args.dataset, ctx, true);
        if (!o) return;
        auto model = fit_reduced_model(o->store, o->dataset, options, {args.where, {}}, args.dataset);
        if (!model) return ctx.report(model.error());
        if (auto st = write_reduced_model(o->store, args.name, *model); !st) return ctx.report(st.error());
        std::cerr << "silico: reduced model " << args.name << ": " << model->trials << " trials ("
                  << model->spiking << " spiking in [" << format_number(options.output_min) << ", "
                  << format_number(options.output_max) << "), " << model->excluded << " left out), groups";
        for (const auto& g : model->groups) std::cerr << " " << g;
        std::cerr << "\n";
        std::cout << format_table(args.kernels ? kernels_table(*model) : fits_table(*model),
                                  args.out.format());
    });
}

void add_apply(CLI::App* reduce, CliContext& ctx) {
    static std::string name, dataset;
    static std::vector<std::string> where;
    static std::size_t fit = 0;
    static Output out;
    auto* cmd = reduce->add_subcommand("apply", "P(spike) per trial from a stored reduced model");
    cmd->add_option("name", name, "The model (silico reduce fit --as NAME)")->required();
    cmd->add_option("dataset", dataset, "A recipe file, or the name of a stored dataset")->required();
    cmd->add_option("--fit", fit, "Which of the model's fits (default 0, as ISF's apply_static)");
    cmd->add_option("--where", where, "Keep trials with COLUMN=VALUE (repeatable)");
    add_output(cmd, out);
    cmd->callback([&ctx] {
        auto o = open_dataset(dataset, ctx);
        if (!o) return;
        auto model = read_reduced_model(o->store, name);
        if (!model) return ctx.report(model.error());
        auto r = apply_reduced_model(o->store, *model, o->dataset, fit, {where, {}});
        if (!r) return ctx.report(r.error());
        if (r->clipped)
            std::cerr << "silico: note: " << r->clipped
                      << " trials have LDA values beyond the lookup table (more than 30 % outside the "
                         "training range); their P(spike) is the table's edge\n";
        std::cout << format_table(to_table(*r, o->dataset), out.format());
    });
}

}  // namespace

void add_reduce_commands(CLI::App& app, CliContext& ctx) {
    auto* reduce = app.add_subcommand("reduce", "ISF's reduced LDA model: P(spike) from synapse activations");
    reduce->require_subcommand(1);
    add_fit(reduce, ctx);
    add_apply(reduce, ctx);
}

}  // namespace silico::runner
