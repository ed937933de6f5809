// The dataset of a recipe: its plan's trials that the store holds, one row each, computed from the plan and
// the store's records (one record and one spike-list blob per trial).
//
// Columns: "condition" (the condition's index), then one per swept key or zip member, named by its key path
// (numbers as numbers; strings, booleans and file digests as text). Index: "<condition>/<trial, 6 digits>".
// Trials not complete in the store are left out (RecipeDatasetReport::missing); none complete is
// Errc::not_found naming the recipe.
#pragma once

#include <cstddef>

#include "silico/analysis/dataset.hpp"
#include "silico/core/error.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/recipes/recipe.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

struct RecipeDatasetReport {
    std::size_t planned = 0;
    std::size_t missing = 0;
};

Result<Dataset> recipe_dataset(const store::Store& store, const recipes::Recipe& recipe,
                               const recipes::Plan& plan, RecipeDatasetReport* report = nullptr);

}  // namespace silico::analysis
