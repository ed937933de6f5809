// Expansion: recipe -> conditions (cartesian product of the sweep axes) -> trials (condition, index, seed).
//
// Seeds (DESIGN.md "Seeds"):
//   independent: seed = first 8 bytes (big-endian) of KeyBuilder("silico.trial-seed.v1")
//                  + ("root", root) + ("condition", condition key) + ("trial", index)
//                so a trial's seed depends on its own identity only, never on execution order or batching.
//   isf:         seed = the root seed, used as ISF's process seed (< 2^32); the trial index is ISF's sweep
//                index, so trial i continues the MT19937 stream after sweeps 0..i-1 (ISF_SPEC.md §6). Every
//                trial shares the seed; the store registers (seed, sweep = trial, condition key) for it.
// A recipe without seeds.root derives it: first 8 bytes of KeyBuilder("silico.root-seed.v1") + ("recipe",
// digest of the canonical recipe with swept values, trial counts and names left out), so adding sweep values
// or trials keeps the seeds of existing trials.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "silico/recipes/recipe.hpp"
#include "silico/recipes/trial_key.hpp"

namespace silico::recipes {

struct Condition {
    std::size_t index = 0;
    // The point in sweep space: (key path, canonical value) for every swept key, axes in order.
    std::vector<std::pair<std::string, Json>> point;
    Json spec_json;              // canonical condition spec (no names, seeds or trial counts)
    std::string canonical;       // spec_json.dump(): the bytes that go into the condition key
    std::vector<Digest> inputs;  // every input file this condition reads, sorted, unique
    Digest key;                  // condition key (trial_key.hpp)
    Spec spec;                   // typed, for the simulation
};

struct TrialSpec {
    std::size_t condition = 0;  // index into Plan::conditions
    std::size_t trial = 0;      // index within the condition (ISF sweep index in isf mode)
    std::uint64_t seed = 0;
    Digest key;
};

struct Plan {
    Digest model;  // model key shared by every trial
    std::vector<Condition> conditions;
    std::vector<TrialSpec> trials;  // condition-major
};

// Conditions in mixed-radix order over recipe.axes. Value checks that involve several keys (tstop >= dt,
// protocol needs, locations) run per condition; problems come back together, once each.
std::expected<std::vector<Condition>, Diagnostics> expand_conditions(const Recipe& recipe);

// Conditions, then every trial with its seed and key.
std::expected<Plan, Diagnostics> expand(const Recipe& recipe, const KeyContext& context);

std::uint64_t derive_root_seed(const Digest& recipe_base_digest);
std::uint64_t trial_seed(SeedMode mode, std::uint64_t root, const Digest& condition_key, std::size_t trial);
Digest trial_key(const Digest& model_key, const Digest& condition_key, SeedMode mode, std::size_t trial,
                 std::uint64_t seed);

// Every hashed field of trial `trial` (global index in plan.trials) as "name = value" lines, one per field,
// nested fields flattened, so two explanations diff line by line.
std::string explain_trial(const Plan& plan, const KeyContext& context, std::size_t trial);

}  // namespace silico::recipes
