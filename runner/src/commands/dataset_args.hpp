// DATASET on the command line, shared by `silico query`, `export`, `reduce`, `report` and `plot`: a recipe file (its trials in the
// store, computed from the plan and the records) or the name of a stored dataset (an import), and the
// selection options. The store opens read-only, so both run while `silico run` writes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.hpp"
#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

struct DatasetArgs {
    std::string dataset;
    std::vector<std::string> where, group_by;
    analysis::SelectOptions select() const { return {where, group_by}; }
};

// The positional DATASET and --where; with `grouping`, also --group-by.
void add_dataset_options(CLI::App* cmd, DatasetArgs& args, bool grouping = true);

// The store of --store, read-only; Errc::not_found when there is none.
Result<store::Store> open_reader(const CliContext& ctx);

struct OpenedDataset {
    store::Store store;
    analysis::Dataset dataset;
    std::optional<LoadedPlan> plan;  // when DATASET is a recipe
};
// The dataset named by `spec`: a recipe file (ends in .toml and exists) or a stored dataset's name. The store
// opens read-only unless `writer` (`silico reduce fit` stores its model). Reports the failure (and a note on
// trials not in the store yet) and returns null.
std::unique_ptr<OpenedDataset> open_dataset(const std::string& spec, CliContext& ctx, bool writer = false);

}  // namespace silico::runner
