// Opening the store and a dataset for the analysis commands (query_commands.cpp, reduce_command.cpp).
#pragma once

#include <memory>
#include <string>

#include "cli.hpp"
#include "silico/analysis/dataset.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

struct OpenedDataset {
    store::Store store;
    analysis::Dataset dataset;
};

// The store of `ctx`, read-only (queries run while a run writes); Errc::not_found when there is none.
Result<store::Store> open_reader(const CliContext& ctx);

// The dataset named by `spec`: a recipe file (ends in .toml and exists) or a stored dataset's name. The store
// opens read-only unless `writer`. Reports failures on ctx and returns nullptr.
std::unique_ptr<OpenedDataset> open_dataset(const std::string& spec, CliContext& ctx, bool writer = false);

}  // namespace silico::runner
