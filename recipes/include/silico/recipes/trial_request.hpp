// What the runner hands a worker, as bytes: the cell to build once (CellRequest) and one trial of a condition
// (TrialRequest). Both are JSON text of the typed spec (recipe.hpp) with every file path absolute, so a worker
// on the same file system reads the same files; the trial key already holds their content digests. Every
// field of Spec round-trips exactly (doubles are written with enough digits to be read back bit for bit).
// A request of another format version is Errc::version, a malformed one Errc::parse naming the field.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "silico/core/error.hpp"
#include "silico/recipes/recipe.hpp"

namespace silico::recipes {

// Bumped on any change of the request forms below. 2: simulation.units.
inline constexpr int k_request_format_version = 2;

// What a worker builds once: the cell. The encoded text is also the worker's cell identity: equal text,
// same built cell.
struct CellRequest {
    CellSpec cell;
};

// One trial: the condition's full spec, the trial index within the condition and its seed.
struct TrialRequest {
    Spec spec;
    std::uint64_t trial = 0;
    std::uint64_t seed = 0;
};

std::string encode_cell_request(const CellRequest& request);
Result<CellRequest> decode_cell_request(std::string_view text);
std::string encode_trial_request(const TrialRequest& request);
Result<TrialRequest> decode_trial_request(std::string_view text);

// The JSON form of a spec inside a trial request.
Json spec_to_json(const Spec& spec);
Result<Spec> spec_from_json(const Json& json);

}  // namespace silico::recipes
