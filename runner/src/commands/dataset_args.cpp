#include "dataset_args.hpp"

#include <iostream>

#include "silico/analysis/recipe_dataset.hpp"

namespace silico::runner {

namespace fs = std::filesystem;

void add_dataset_options(CLI::App* cmd, DatasetArgs& args, bool grouping) {
    cmd->add_option("dataset", args.dataset,
                    "A recipe file, or the name of a stored dataset (silico datasets)")
        ->required();
    cmd->add_option("--where", args.where, "Keep trials with COLUMN=VALUE (repeatable)");
    if (grouping)
        cmd->add_option("--group-by", args.group_by,
                        "Group by a column, or by index~REGEX (first capture; repeatable)");
}

Result<store::Store> open_reader(const CliContext& ctx) {
    const fs::path dir = ctx.store_dir();
    std::error_code ec;
    if (!fs::exists(dir / "db", ec))
        return fail(Errc::not_found, "no store here (run a recipe or import first, or pass --store DIR)",
                    dir.string());
    return store::Store::open(dir, {.read_only = true, .create_if_missing = false});
}

std::unique_ptr<OpenedDataset> open_dataset(const std::string& spec, CliContext& ctx, bool writer) {
    auto st = open_reader(ctx);
    if (st && writer) st = store::Store::open(ctx.store_dir(), {.create_if_missing = false});
    if (!st) {
        ctx.report(st.error());
        return nullptr;
    }
    std::error_code ec;
    if (spec.ends_with(".toml") && fs::is_regular_file(spec, ec)) {
        auto loaded = load_plan(spec, false, ctx);
        if (!loaded) return nullptr;
        analysis::RecipeDatasetReport report;
        auto d = analysis::recipe_dataset(*st, loaded->recipe, loaded->plan, &report);
        if (!d) {
            ctx.report(d.error());
            return nullptr;
        }
        if (report.missing)
            std::cerr << "silico: note: " << report.missing << " of " << report.planned
                      << " trials of the recipe are not in the store yet; they are left out\n";
        return std::make_unique<OpenedDataset>(
            OpenedDataset{std::move(*st), std::move(*d), std::move(*loaded)});
    }
    auto d = analysis::read_dataset(*st, spec);
    if (!d) {
        ctx.report(d.error());
        return nullptr;
    }
    return std::make_unique<OpenedDataset>(OpenedDataset{std::move(*st), std::move(*d), std::nullopt});
}

}  // namespace silico::runner
