// The recipe schema as data: one Field per key, checked by the validator in recipe.cpp.
// docs/recipes.md documents the same table for people; keep them together.
#pragma once

#include <string>
#include <vector>

#include "silico/recipes/recipe.hpp"

namespace silico::recipes::detail {

enum class Type {
    string,
    integer,
    number,
    boolean,
    choice,  // a string from `choices`
    path,    // a file, relative to the recipe; replaced by its digest in the canonical form
    string_list,
    path_list,
    table,        // sub-table with fields `sub`
    table_array,  // [[array.of.tables]] with fields `sub`
    tree,         // any table, kept verbatim and in order (modify function arguments)
    parameters,   // a parameter file (.param / .toml) or an inline table (cell biophysics, network)
};

enum class TreeKind { none, cell, network };

struct Field {
    std::string name;
    Type type = Type::string;
    Json default_value;  // null: no default
    bool required = false;
    bool sweepable = false;             // a list given here is a sweep axis
    bool absent_is_meaningful = false;  // an absent table_array stays absent instead of becoming []
    std::vector<std::string> choices;
    const std::vector<Field>* sub = nullptr;
    std::string (*check)(const Json&) = nullptr;  // "" or what is wrong with a value
    TreeKind tree_kind = TreeKind::none;
    const char* doc = "";
};

using Fields = std::vector<Field>;

// Top-level sections, sorted by name (the canonical key order).
const Fields& recipe_schema();

std::string_view type_name(Type type);

}  // namespace silico::recipes::detail
