// Shared by the trial-pipeline tests: a recipe given as TOML text, parsed and expanded into its conditions.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "silico/recipes/plan.hpp"
#include "silico/recipes/recipe.hpp"

namespace silico::experiments::testing {

// Parses `text` (relative paths resolve against the source tree) and expands it; a diagnostic fails the
// calling test and gives no conditions.
inline std::vector<recipes::Condition> conditions_of_recipe(const std::string& text) {
    auto recipe = recipes::parse_recipe(text, "test.toml", SILICO_SOURCE_DIR);
    EXPECT_TRUE(recipe.has_value()) << (recipe ? "" : recipe.error().front().what());
    if (!recipe) return {};
    auto conditions = recipes::expand_conditions(*recipe);
    EXPECT_TRUE(conditions.has_value()) << (conditions ? "" : conditions.error().front().what());
    return conditions ? *conditions : std::vector<recipes::Condition>{};
}

}  // namespace silico::experiments::testing
