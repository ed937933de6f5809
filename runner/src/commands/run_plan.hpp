// Planning shared by `silico run`, `silico plan`, `silico status` and the benchmarks: a recipe's trials,
// which of them the store already holds, and the worker jobs (one per model) for the missing ones.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/runner/worker.hpp"
#include "silico/runner/worker_protocol.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

// Job kind of NEURON trials (simulate_handler.cpp).
inline constexpr std::string_view k_simulate_kind = "simulate";
void register_simulate_handler(HandlerRegistry& registry);

// Which trials of `plan` are complete in `store`: under their own key, or as the same trial of a model that
// the plan's model adopted (model_adoption.hpp).
Result<std::vector<bool>> trials_complete(const recipes::Plan& plan, const store::Store& store);

// The same against the store folder opened read-only; a folder without a store means nothing is complete.
Result<std::vector<bool>> trials_complete(const recipes::Plan& plan, const std::filesystem::path& store_dir);

// Worker jobs for the given trials (indices into plan.trials), one job per distinct model (the cell), in
// first-appearance order, so a worker builds each cell once. Request i of a job is the trial's serialised
// recipes::TrialRequest; its key is the trial key in hex.
std::vector<Job> make_jobs(const recipes::Plan& plan, const std::vector<std::size_t>& trials);

// Sets the seed fields of `trial`'s store record: its seed, seed mode, sweep index (the trial's index in its
// condition) and condition key. The store registers (seed, sweep, condition) in isf mode, where every
// condition runs ISF's sweeps 0, 1, ... of the one process seed, and the seed alone in independent mode.
void set_seed_fields(const recipes::Plan& plan, const recipes::TrialSpec& trial, store::TrialRecord& record);

// Name of the store's run record of a recipe: "recipe/<recipe digest hex>".
std::string run_record_name(const recipes::Recipe& recipe);

}  // namespace silico::runner
