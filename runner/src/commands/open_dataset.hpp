// DATASET on the command line (query_commands.cpp): a recipe file or the name of a stored dataset, opened
// read-only. Shared by `silico query`, `silico report` and `silico plot`.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cli.hpp"
#include "silico/analysis/dataset.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

struct Opened {
    store::Store store;
    analysis::Dataset dataset;
    std::optional<LoadedPlan> plan;  // when DATASET is a recipe
};

// The store of ctx, read-only; Errc::not_found when there is none.
Result<store::Store> open_reader(const CliContext& ctx);
// The dataset named by `spec`: a recipe file (ends in .toml and exists) or a stored dataset's name. Reports
// failures through ctx and returns nullptr; a recipe's trials not in the store yet are a note on stderr.
std::unique_ptr<Opened> open_dataset(const std::string& spec, CliContext& ctx);

}  // namespace silico::runner
