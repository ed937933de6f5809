// Key paths as written in diagnostics and [sweep] zips: `a.b[0].c`, non-bare keys quoted (`a."x.y"`).
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "silico/recipes/recipe.hpp"

namespace silico::recipes::detail {

using KeyPart = std::variant<std::string, std::size_t>;

// Splits a key path; nullopt when it is malformed.
std::optional<std::vector<KeyPart>> split_key_path(std::string_view path);

// The node at `path`, or nullptr.
Json* find_at(Json& root, std::string_view path);
const Json* find_at(const Json& root, std::string_view path);

// Key path without its last part ("a.b[0]" -> "a.b", "a" -> "").
std::string parent_key_path(std::string_view path);

}  // namespace silico::recipes::detail
