// `silico import isf-simrun DIR --as NAME` and `silico import isf-spike-times FILE --as NAME`: ISF results into
// the store as named datasets (analysis/isf_import.hpp, docs/analysis.md). `silico import recipe RECIPE --as
// NAME` keeps a recipe's dataset (its complete trials) as a named one, which opens without the plan or a record.
#include <iostream>

#include "cli.hpp"
#include "silico/analysis/isf_import.hpp"
#include "silico/analysis/recipe_dataset.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

namespace {

void print_report(const analysis::ImportReport& r, const std::string& what) {
    if (r.dataset_existed) {
        std::cout << "dataset " << r.name << " already holds this " << what << " (" << r.trials
                  << " trials); nothing written\n";
        return;
    }
    std::cout << "imported " << r.trials << " trials";
    if (r.folders) std::cout << " from " << r.folders << " simrun folder" << (r.folders == 1 ? "" : "s");
    if (r.new_trials) std::cout << " (" << r.new_trials << " new trial records)";
    std::cout << " as dataset " << r.name << "\n";
}

}  // namespace

void add_import_commands(CLI::App& app, CliContext& ctx) {
    {
        static std::string dir, name;
        auto* cmd = import_group(app)->add_subcommand(
            "isf-simrun",
            "Every ISF simrun folder below DIR (traces, synapse and presynaptic activation, parameters)");
        cmd->add_option("dir", dir, "Folder holding simrun results")->required();
        cmd->add_option("--as", name, "Dataset name")->required();
        cmd->callback([&ctx] {
            auto store = store::Store::open(ctx.store_dir());
            if (!store) return ctx.report(store.error());
            auto r = analysis::import_isf_simrun(*store, dir, name);
            if (!r) return ctx.report(r.error());
            print_report(*r, "simrun import");
        });
    }
    {
        static std::string recipe, name;
        auto* cmd = import_group(app)->add_subcommand(
            "recipe", "A recipe's complete trials as a named dataset (opens from one item, like an import)");
        cmd->add_option("recipe", recipe, "Recipe file")->required()->check(CLI::ExistingFile);
        cmd->add_option("--as", name, "Dataset name")->required();
        cmd->callback([&ctx] {
            auto loaded = load_plan(recipe, false, ctx);
            if (!loaded) return;
            auto store = store::Store::open(ctx.store_dir());
            if (!store) return ctx.report(store.error());
            analysis::RecipeDatasetReport report;
            auto dataset = analysis::recipe_dataset(*store, loaded->recipe, loaded->plan, &report);
            if (!dataset) return ctx.report(dataset.error());
            if (auto st = analysis::write_dataset(*store, name, *dataset); !st) return ctx.report(st.error());
            std::cout << "dataset " << name << ": " << dataset->size() << " of " << report.planned
                      << " trials of " << recipe << "\n";
        });
    }
    {
        static std::string file, name;
        auto* cmd = import_group(app)->add_subcommand(
            "isf-spike-times", "ISF's spike-time table (index, then columns 0, 1, ...)");
        cmd->add_option("file", file, "CSV file, e.g. 18000_trials/spike_times.csv")->required();
        cmd->add_option("--as", name, "Dataset name")->required();
        cmd->callback([&ctx] {
            auto store = store::Store::open(ctx.store_dir());
            if (!store) return ctx.report(store.error());
            auto r = analysis::import_isf_spike_times(*store, file, name);
            if (!r) return ctx.report(r.error());
            print_report(*r, "spike table");
        });
    }
}

}  // namespace silico::runner
