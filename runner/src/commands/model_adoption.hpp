// Model adoptions (docs/store.md, "Model adoptions"): the store's record that one model key reproduces
// another, written by `silico check --adopt` after a bit-identical re-run sample, so that a code change that
// alters no result keeps the cache.
//
// An adoption is the named item "model-adoption/<new model key hex>" (encoding "silico-model-adoption"),
// whose JSON blob names the model it reproduces and the proof: which trials were re-run, which outputs were
// compared (their digests), when, on which host, by which silico commit, under which model-code trees.
// A plan looks a trial up under its own key first, then under the key it would have had under each model
// its model adopted, transitively (new -> old -> older), so trials of every adopted version are reused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

inline constexpr std::string_view k_adoption_prefix = "model-adoption/";
inline constexpr std::string_view k_adoption_encoding = "silico-model-adoption";

// One re-run trial of the proof: the old trial, the key of the same trial under the new model, and the
// digest of every output that was compared (equal on both sides, so one digest each).
struct AdoptionProof {
    Digest old_key;
    Digest new_key;
    std::vector<std::pair<std::string, Digest>> outputs;
};

struct Adoption {
    Digest model;                                   // the new model key
    Digest reproduces;                              // the model key whose trials it reuses
    std::string experiments_tree, mechanisms_tree;  // the new model-code version
    std::string recipe, recipe_digest;              // what was checked
    std::string silico_version, silico_commit, host, user;
    bool silico_dirty = false;
    std::int64_t time_unix_ms = 0;
    std::uint64_t sample_seed = 0;
    std::size_t candidates = 0;  // old trials the sample was drawn from
    std::vector<AdoptionProof> trials;
};

std::string adoption_item_name(const Digest& model);
std::string encode_adoption(const Adoption& adoption);
Result<Adoption> decode_adoption(std::string_view bytes);

// The adoption recorded for `model`, if any.
Result<std::optional<Adoption>> find_adoption(const store::Store& store, const Digest& model);

// The models whose trials `model` reuses, nearest first (what it adopted, what that adopted, ...); a cycle
// ends the chain.
Result<std::vector<Digest>> adopted_models(const store::Store& store, const Digest& model);

// Where a plan trial's result is stored: under its own key, or under the key of the same trial of an
// adopted model.
struct StoredTrial {
    Digest key;
    std::optional<Digest> adopted_model;  // the older model key, when reused through an adoption
};

// For every trial of `plan`, where the store holds it (nullopt: missing).
Result<std::vector<std::optional<StoredTrial>>> find_stored_trials(const recipes::Plan& plan,
                                                                   const store::Store& store);

}  // namespace silico::runner
