// Native TOML for ISF parameter trees (`silico import param`).
//
// param_to_toml() writes a tree as TOML that reads back to the identical tree, key order and integer/float
// distinction included: key order is recovered from source positions, because TOML tables are unordered
// but ISF's random draws follow the order of network populations (ISF_SPEC.md §6).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "silico/core/error.hpp"
#include "silico/recipes/isf_param.hpp"

namespace silico::recipes {

// TOML text for `tree` (an object). A None (null) value has no TOML form and is an Errc::invalid_argument
// error naming its key path; so is an unsigned integer above 2^63 - 1.
Result<std::string> param_to_toml(const nlohmann::ordered_json& tree, std::string_view header_comment = {});

// Reads native TOML into a tree with keys in file order; placeholders of `paths` are substituted in strings.
Result<nlohmann::ordered_json> parse_param_toml(std::string_view text,
                                                std::string_view source_name = "<text>",
                                                const PathMap& paths = {});
Result<nlohmann::ordered_json> read_param_toml(const std::filesystem::path& file, const PathMap& paths = {});

// A .toml file as native TOML, anything else as an ISF .param file.
Result<nlohmann::ordered_json> read_parameter_tree(const std::filesystem::path& file,
                                                   const PathMap& paths = {});

// Converts FILE.param to FILE.toml (`silico import param`); the result is re-read and compared before it is
// written, and written atomically (temp file + rename).
Status import_param_file(const std::filesystem::path& param_file, const std::filesystem::path& toml_file,
                         const PathMap& paths = {});

}  // namespace silico::recipes
