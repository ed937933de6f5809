// `silico validate`, `silico explain` and `silico import param`: the recipe library's commands.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "commands/anatomy_cache.hpp"
#include "commands/cli.hpp"
#include "commands/model_adoption.hpp"
#include "silico/core/git_info.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/recipes/param_toml.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/recipes/recipe.hpp"

namespace silico::runner {

namespace {

namespace fs = std::filesystem;
using namespace silico::recipes;

// NAME=DIR pairs from --path options.
Result<PathMap> path_overrides(const std::vector<std::string>& items) {
    PathMap map;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) {
            return fail(Errc::invalid_argument, "expected NAME=DIR", "--path " + item);
        }
        map[item.substr(0, eq)] = fs::absolute(item.substr(eq + 1)).lexically_normal().string();
    }
    return map;
}

}  // namespace

CLI::App* import_group(CLI::App& app) {
    // Other libraries add `import` subcommands too (ISF results); share one group.
    try {
        return app.get_subcommand("import");
    } catch (const CLI::OptionNotFound&) {
        auto* group = app.add_subcommand("import", "Convert ISF files into silico's formats");
        group->require_subcommand(1);
        return group;
    }
}

std::optional<Recipe> load_or_report(const std::string& file, const std::vector<std::string>& paths,
                                     CliContext& ctx) {
    auto overrides = path_overrides(paths);
    if (!overrides) {
        ctx.report(overrides.error());
        return std::nullopt;
    }
    // [input.anatomy]: map the anatomy (or take it from the store) first; its folder is the [anatomy] placeholder.
    auto step = read_anatomy_step(file, *overrides);
    if (!step) {
        for (const auto& d : step.error()) std::cerr << "silico: error: " << d.what() << "\n";
        ctx.exit_code = exit_status(Errc::validation);
        return std::nullopt;
    }
    if (*step) {
        if (overrides->contains("anatomy")) {
            ctx.report(Error{
                Errc::invalid_argument,
                "[anatomy] is the folder [input.anatomy] maps into; do not pass --path anatomy=", file});
            return std::nullopt;
        }
        auto dir = resolve_anatomy_step(**step, ctx.store_dir());
        if (!dir) {
            ctx.report(dir.error().within(file));
            return std::nullopt;
        }
        (*overrides)["anatomy"] = dir->string();
    }
    auto recipe = load_recipe(file, LoadOptions{*overrides});
    if (!recipe) {
        for (const auto& d : recipe.error()) std::cerr << "silico: error: " << d.what() << "\n";
        std::cerr << "silico: " << recipe.error().size() << " error"
                  << (recipe.error().size() == 1 ? "" : "s") << " in " << file << "\n";
        ctx.exit_code = exit_status(Errc::validation);
        return std::nullopt;
    }
    return std::move(*recipe);
}

std::optional<KeyContext> key_context_or_report(bool require_clean, CliContext& ctx) {
    std::vector<std::string> warnings;
    // $SILICO_MODEL_SOURCE_DIR: read the model-code version from another checkout of the same model code
    // (docs/check.md: tests and CI that check a build against a checkout with a refactor). The binary still
    // runs the model it was built with, so this is for code that is known to be the same.
    std::string source = build_info().source_dir;
    if (const char* dir = std::getenv("SILICO_MODEL_SOURCE_DIR"); dir && *dir) source = dir;
    auto context = make_key_context(source, experiments::Simulator::version(), require_clean, &warnings);
    for (const auto& w : warnings) std::cerr << "silico: warning: " << w << "\n";
    if (!context) {
        ctx.report(context.error());
        return std::nullopt;
    }
    return std::move(*context);
}

namespace {

void add_validate_command(CLI::App& app, CliContext& ctx) {
    auto* cmd = app.add_subcommand("validate", "Check recipes; print every problem with file:line:column");
    static std::vector<std::string> files, paths;
    cmd->add_option("recipes", files, "Recipe files")->required()->check(CLI::ExistingFile);
    cmd->add_option("--path", paths, "Placeholder folder NAME=DIR, overriding the recipe's [paths]");
    cmd->callback([&ctx] {
        for (const auto& file : files) {
            auto recipe = load_or_report(file, paths, ctx);
            if (!recipe) continue;
            const std::size_t conditions = recipe->condition_count();
            const auto trials = recipe->document["simulation"]["trials"].get<std::int64_t>();
            std::cout << file << ": ok, " << conditions << " condition" << (conditions == 1 ? "" : "s")
                      << " x " << trials << " trial" << (trials == 1 ? "" : "s") << ", recipe "
                      << recipe->digest.short_hex() << "\n";
        }
    });
}

// The trial `--key` names, else `--trial`; reports and returns nothing when it is not a trial of the plan.
std::optional<std::size_t> trial_to_explain(const Plan& plan, const std::string& key, std::size_t trial,
                                            const std::string& file, CliContext& ctx) {
    std::size_t index = trial;
    if (!key.empty()) {
        auto wanted = Digest::from_hex(key);
        if (!wanted) {
            ctx.report(wanted.error());
            return std::nullopt;
        }
        auto it = std::find_if(plan.trials.begin(), plan.trials.end(),
                               [&](const TrialSpec& t) { return t.key == *wanted; });
        if (it == plan.trials.end()) {
            ctx.report(Error{Errc::not_found, "no trial of this recipe has key " + key, file});
            return std::nullopt;
        }
        index = static_cast<std::size_t>(it - plan.trials.begin());
    }
    if (index >= plan.trials.size()) {
        ctx.report(Error{Errc::invalid_argument,
                         "trial " + std::to_string(index) + " out of range: the recipe has " +
                             std::to_string(plan.trials.size()) + " trials",
                         file});
        return std::nullopt;
    }
    return index;
}

// Where the store holds the explained trial: "store.trial = complete|missing", and for a trial reused through a
// model adoption the stored key and the adopted model (docs/check.md). Nothing when there is no store.
void explain_stored(const recipes::Plan& plan, std::size_t index, CliContext& ctx) {
    std::error_code ec;
    if (!std::filesystem::exists(ctx.store_dir() / "db", ec)) return;
    auto store = store::Store::open(ctx.store_dir(), {.read_only = true});
    if (!store) return ctx.report(store.error());
    auto stored = find_stored_trials(plan, *store);
    if (!stored) return ctx.report(stored.error());
    const auto& s = (*stored)[index];
    std::cout << "store.trial = " << (s ? "complete" : "missing") << "\n";
    if (s && s->adopted_model)
        std::cout << "store.stored-key = " << s->key.hex()
                  << "\nstore.adopted-from-model = " << s->adopted_model->hex() << "\n";
}

void add_explain_command(CLI::App& app, CliContext& ctx) {
    auto* cmd = app.add_subcommand("explain", "Print every hashed field of a trial's key as diffable text");
    static std::string file, key;
    static std::size_t trial = 0;
    static bool require_clean = false;
    static std::vector<std::string> paths;
    cmd->add_option("recipe", file, "Recipe file")->required()->check(CLI::ExistingFile);
    auto* by_index = cmd->add_option("--trial", trial, "Trial index (condition-major, from 0)");
    cmd->add_option("--key", key, "A trial key (hex) of this recipe")->excludes(by_index);
    cmd->add_flag("--require-clean", require_clean, "Refuse model code with uncommitted changes");
    cmd->add_option("--path", paths, "Placeholder folder NAME=DIR, overriding the recipe's [paths]");
    cmd->callback([&ctx] {
        auto recipe = load_or_report(file, paths, ctx);
        if (!recipe) return;
        auto context = key_context_or_report(require_clean, ctx);
        if (!context) return;
        auto plan = expand(*recipe, *context);
        if (!plan) {
            for (const auto& d : plan.error()) std::cerr << "silico: error: " << d.what() << "\n";
            ctx.exit_code = 2;
            return;
        }
        if (auto index = trial_to_explain(*plan, key, trial, file, ctx)) {
            std::cout << explain_trial(*plan, *context, *index);
            explain_stored(*plan, *index, ctx);
        }
    });
}

void add_import_param_command(CLI::App& app, CliContext& ctx) {
    auto* cmd = import_group(app)->add_subcommand("param", "Convert an ISF .param file to native TOML");
    static std::string input, output;
    static std::vector<std::string> paths;
    cmd->add_option("file", input, "ISF .param file")->required()->check(CLI::ExistingFile);
    cmd->add_option("-o,--output", output, "TOML file to write")->required();
    cmd->add_option("--path", paths, "Substitute placeholder [NAME] with DIR (NAME=DIR)");
    cmd->callback([&ctx] {
        auto overrides = path_overrides(paths);
        if (!overrides) {
            ctx.report(overrides.error());
            return;
        }
        if (auto s = import_param_file(input, output, *overrides); !s) {
            ctx.report(s.error());
            return;
        }
        std::cout << "wrote " << output << "\n";
    });
}

}  // namespace

void add_recipe_commands(CLI::App& app, CliContext& ctx) {
    add_validate_command(app, ctx);
    add_explain_command(app, ctx);
    add_import_param_command(app, ctx);
}

}  // namespace silico::runner
