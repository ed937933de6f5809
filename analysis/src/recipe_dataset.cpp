#include "silico/analysis/recipe_dataset.hpp"

#include <cmath>
#include <cstdio>
#include <map>

#include "row_outputs.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"

namespace silico::analysis {

Result<Dataset> recipe_dataset(const store::Store& store, const recipes::Recipe& recipe,
                               const recipes::Plan& plan, RecipeDatasetReport* report) {
    // Column names and types from the first condition: every condition has the same swept keys.
    std::vector<std::string> text_columns, number_columns{"condition"};
    std::vector<bool> is_number;
    if (!plan.conditions.empty())
        for (const auto& [key, value] : plan.conditions.front().point) {
            is_number.push_back(value.is_number());
            (value.is_number() ? number_columns : text_columns).push_back(key);
        }
    const std::string source = recipe.file.filename().string();
    Dataset::Builder builder({"recipe", source, recipe.digest.hex()}, text_columns, number_columns);
    RecipeDatasetReport r;
    r.planned = plan.trials.size();
    for (const auto& trial : plan.trials) {
        auto record = store.find_trial(trial.key);
        if (!record) {
            if (record.error().code == Errc::not_found) {
                ++r.missing;
                continue;
            }
            return std::unexpected(record.error());
        }
        char padded[48];
        std::snprintf(padded, sizeof padded, "%zu/%06zu", trial.condition, trial.trial);
        Dataset::Builder::Row row;
        row.index = padded;
        row.trial = static_cast<std::int64_t>(trial.trial);
        row.seed = trial.seed;
        row.key = trial.key;
        row.numbers.push_back(static_cast<double>(trial.condition));
        const auto& condition = plan.conditions[trial.condition];
        for (std::size_t k = 0; k < condition.point.size() && k < is_number.size(); ++k) {
            const auto& value = condition.point[k].second;
            if (is_number[k]) {
                row.numbers.push_back(value.is_number() ? value.get<double>() : NAN);
            } else {
                row.texts.push_back(value.is_string() ? value.get<std::string>() : value.dump());
            }
        }
        if (record->outputs.contains("spikes")) {
            auto spikes = detail::read_output(store, *record, "spikes", row.index);
            if (!spikes) return std::unexpected(spikes.error());
            if (spikes->kind != store::ArrayKind::spike_lists || spikes->f64.size() != 1)
                return fail(Errc::corruption, "spikes is not one spike list", "trial " + row.index);
            row.spikes = std::move(spikes->f64[0]);
        }
        if (auto st = builder.add(std::move(row)); !st) return std::unexpected(st.error());
    }
    if (report) *report = r;
    if (builder.size() == 0)
        return fail(Errc::not_found,
                    "none of its " + std::to_string(r.planned) + " trials is in " + store.dir().string() +
                        " (run `silico run " + recipe.file.string() + "` first)",
                    recipe.file.string());
    return std::move(builder).finish();
}

}  // namespace silico::analysis
