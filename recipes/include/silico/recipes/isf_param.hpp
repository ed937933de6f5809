// Reader for ISF's `.param` files: a Python-literal nested dictionary (ISF_SPEC.md §1).
//
// Accepted: `{}` dicts with string keys, `[]` lists, `()` tuples (read as lists), single- or double-quoted
// strings, integers, floats, None (null), True/False, trailing commas, `#` comments. Key order is preserved
// because ISF's random-number consumption follows it. Unlike ISF's textual rewrite to JSON, a string may hold
// an apostrophe or parentheses, and every error names file:line:column.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "silico/core/error.hpp"

namespace silico::recipes {

// Textual placeholders replaced in every string value, e.g. "IN_SILICO_FRAMEWORK_DIR" -> "../shared/isf"
// replaces "[IN_SILICO_FRAMEWORK_DIR]". Keys are given without brackets.
using PathMap = std::map<std::string, std::string>;

// Parses `text`; `source_name` (usually the file path) prefixes error positions.
Result<nlohmann::ordered_json> parse_isf_param(std::string_view text, std::string_view source_name = "<text>",
                                               const PathMap& paths = {});

// Reads and parses a file. A placeholder left unresolved by `paths` is kept verbatim.
Result<nlohmann::ordered_json> read_isf_param(const std::filesystem::path& file, const PathMap& paths = {});

// Replaces every "[NAME]" of `paths` in `text`.
std::string substitute_placeholders(std::string text, const PathMap& paths);

}  // namespace silico::recipes
