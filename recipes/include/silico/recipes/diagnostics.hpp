// Recipe diagnostics: every problem found in a recipe, each naming file:line:column and the key path.
//
// Recipe loading never stops at the first problem: it collects all of them in one pass so a scientist
// fixes a recipe in one round trip. The CLI prints one diagnostic per line and exits with status 2.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::recipes {

struct Diagnostic {
    std::string file;        // recipe (or included parameter file) path as given
    std::size_t line = 0;    // 1-based; 0 when the problem has no position (e.g. a missing key)
    std::size_t column = 0;  // 1-based
    std::string key;         // key path, e.g. "stimulus.step[0].amplitude"; "" for whole-file problems
    std::string message;     // what is wrong, and a "did you mean" suggestion where one exists

    // "file:line:column: key: message" (parts without a value are left out).
    std::string what() const;
};

using Diagnostics = std::vector<Diagnostic>;

// One Error carrying every diagnostic, one per line; code Errc::validation (CLI exit status 2).
Error to_error(const Diagnostics& diagnostics);

// Levenshtein distance; used for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is plausibly a misspelling of it, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace silico::recipes
