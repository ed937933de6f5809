// TOML text -> ordered JSON tree, keys in file order, with the source position of every key path.
// Private to silico_recipes: TOML++ stays out of the public headers.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "silico/recipes/diagnostics.hpp"
#include "silico/recipes/recipe.hpp"

namespace silico::recipes::detail {

struct TomlTree {
    nlohmann::ordered_json root;
    std::map<std::string, SourcePosition> positions;  // key path ("a.b[0].c") -> position of the key
};

// A parse error comes back as one diagnostic with TOML++'s description and position.
std::expected<TomlTree, Diagnostic> parse_toml_tree(std::string_view text, std::string_view source_name);

// Appends a key to a key path: `a` + `b` -> "a.b"; keys that are not bare TOML keys are quoted.
std::string join_key(std::string_view prefix, std::string_view key);
std::string join_index(std::string_view prefix, std::size_t index);

}  // namespace silico::recipes::detail
