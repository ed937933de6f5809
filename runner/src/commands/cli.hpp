// The `silico` command line: shared options and the registration of each command group.
//
// Each library's commands live in their own file (store_commands.cpp, ...) and register themselves on
// the CLI11 app here; main.cpp only wires them together. Commands report failures through exit codes:
// 0 success, 1 failure, 2 bad input (usage, recipe, parameter file), 3 a busy resource.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/recipes/recipe.hpp"
#include "silico/recipes/trial_key.hpp"

namespace silico::runner {

struct CliContext {
    std::string store_option;  // --store DIR, if given
    int exit_code = 0;

    // The store folder: --store, else $SILICO_STORE, else ./silico-store.
    std::filesystem::path store_dir() const;
    // Prints "silico: error: ..." to stderr and records the error's exit status.
    void report(const Error& error);
};

// Loads a recipe (`paths`: NAME=DIR overrides of its [paths]); prints every diagnostic and sets exit status 2
// on failure (recipe_commands.cpp).
std::optional<recipes::Recipe> load_or_report(const std::string& file, const std::vector<std::string>& paths,
                                              CliContext& ctx);
// The key context of this build (model version, mechanisms, NEURON); prints its warnings (uncommitted model
// code) and reports a failure.
std::optional<recipes::KeyContext> key_context_or_report(bool require_clean, CliContext& ctx);

// A recipe with the key context of this build and its plan (run_command.cpp).
struct LoadedPlan {
    recipes::Recipe recipe;
    recipes::KeyContext context;
    recipes::Plan plan;
};
// Loads, validates and expands; prints diagnostics and sets the exit status on failure.
std::optional<LoadedPlan> load_plan(const std::string& file, bool require_clean, CliContext& ctx,
                                    const std::vector<std::string>& paths = {});

// The `import` command group, created by whichever command file registers first (recipe_commands.cpp).
CLI::App* import_group(CLI::App& app);

// Prints the silico version, its git commit and dirty flag, and the NEURON version it runs.
void print_version(std::ostream& out);
void add_version_command(CLI::App& app, CliContext& ctx);
void add_store_commands(CLI::App& app, CliContext& ctx);
// silico validate / explain / import param (recipe_commands.cpp).
void add_recipe_commands(CLI::App& app, CliContext& ctx);
// `silico worker --stdio | --file IN --out OUT` (worker_command.cpp).
void add_worker_command(CLI::App& app, CliContext& ctx);
// silico cell summary / generate-example (cell_commands.cpp).
void add_cell_commands(CLI::App& app, CliContext& ctx);
// silico run / plan / status / runs, and the worker's "simulate" trial kind (run_command.cpp).
void add_run_commands(CLI::App& app, CliContext& ctx);
// silico query / datasets / import isf-simrun / import isf-spike-times (query_commands.cpp, import_commands.cpp).
void add_query_commands(CLI::App& app, CliContext& ctx);
void add_import_commands(CLI::App& app, CliContext& ctx);
// silico check RECIPE [--sample K] [--seed S] [--tolerance SPEC] (check_command.cpp).
void add_check_command(CLI::App& app, CliContext& ctx);
// silico anatomy map / generate-synthetic (anatomy_command.cpp).
void add_anatomy_commands(CLI::App& app, CliContext& ctx);
// silico serve / push / pull (sharing_commands.cpp).
void add_sharing_commands(CLI::App& app, CliContext& ctx);
// silico report / plot: the HTML report and single figures (report_commands.cpp, docs/report.md).
void add_report_commands(CLI::App& app, CliContext& ctx);

}  // namespace silico::runner
