// Validated condition document -> typed Spec, and the value checks that involve several keys.
#pragma once

#include "silico/recipes/recipe.hpp"

namespace silico::recipes::detail {

// `doc` is a condition document (every swept key resolved) that passed validation.
Spec to_spec(const Json& doc, const Recipe& recipe);

// Checks that need several keys (tstop >= dt, protocol needs, overlapping pulses...). `where` is appended
// to messages, e.g. " (condition 3)".
void check_spec(const Spec& spec, const Recipe& recipe, const std::string& where, Diagnostics& out);

// Sampling every step is record.dt's default; writing it out (record.dt = simulation.dt) so that stating it
// explicitly gives the same canonical bytes. Keys stay sorted.
void fill_record_dt(Json& canonical);

}  // namespace silico::recipes::detail
