// Planning shared by `silico run`, `silico plan`, `silico status` and the benchmarks (run_plan.hpp).
#include "commands/run_plan.hpp"

#include <map>

#include "commands/model_adoption.hpp"
#include "silico/trial/trial_runner.hpp"

namespace silico::runner {

namespace fs = std::filesystem;

Result<std::vector<bool>> trials_complete(const recipes::Plan& plan, const store::Store& store) {
    auto stored = find_stored_trials(plan, store);
    if (!stored) return std::unexpected(stored.error());
    std::vector<bool> complete(plan.trials.size(), false);
    for (std::size_t i = 0; i < plan.trials.size(); ++i) complete[i] = (*stored)[i].has_value();
    return complete;
}

Result<std::vector<bool>> trials_complete(const recipes::Plan& plan, const fs::path& store_dir) {
    std::error_code ec;
    if (!fs::exists(store_dir / "db", ec)) return std::vector<bool>(plan.trials.size(), false);
    store::Options options;
    options.read_only = true;
    auto store = store::Store::open(store_dir, options);
    if (!store) return std::unexpected(store.error());
    return trials_complete(plan, *store);
}

std::vector<Job> make_jobs(const recipes::Plan& plan, const std::vector<std::size_t>& trials) {
    std::vector<Job> jobs;
    std::map<std::string, std::size_t> by_model;
    std::vector<std::string> model_of(plan.conditions.size());
    for (std::size_t c = 0; c < plan.conditions.size(); ++c)
        model_of[c] = recipes::encode_cell_request({plan.conditions[c].spec.cell});
    for (std::size_t i : trials) {
        const auto& t = plan.trials[i];
        const auto& model = model_of[t.condition];
        auto [it, added] = by_model.try_emplace(model, jobs.size());
        if (added) jobs.push_back(Job{std::string(k_simulate_kind), model, {}});
        recipes::TrialRequest input{plan.conditions[t.condition].spec, t.trial, t.seed};
        jobs[it->second].trials.push_back({t.key.hex(), recipes::encode_trial_request(input)});
    }
    return jobs;
}

void set_seed_fields(const recipes::Plan& plan, const recipes::TrialSpec& trial, store::TrialRecord& record) {
    const auto& condition = plan.conditions[trial.condition];
    record.seed = trial.seed;
    record.seed_mode = condition.spec.seeds.mode == recipes::SeedMode::isf ? store::SeedMode::isf
                                                                           : store::SeedMode::independent;
    record.sweep = trial.trial;
    record.condition = condition.key;
    record.model = plan.model;
}

std::string run_record_name(const recipes::Recipe& recipe) {
    return "recipe/" + recipe.digest.hex();
}

}  // namespace silico::runner
