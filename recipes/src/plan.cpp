#include "silico/recipes/plan.hpp"

#include <set>

#include "key_path.hpp"
#include "spec.hpp"

namespace silico::recipes {

namespace {

constexpr std::size_t k_max_conditions = 10'000'000;
constexpr std::size_t k_max_diagnostics = 100;

std::uint64_t first_u64(const Digest& d) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | d.bytes[static_cast<std::size_t>(i)];
    return v;
}

// Every "sha256:<hex>" string of a canonical spec: the input files it reads.
void collect_inputs(const Json& node, std::set<Digest>& out) {
    if (node.is_string()) {
        const auto& s = node.get_ref<const std::string&>();
        if (s.size() == 7 + 64 && s.starts_with("sha256:")) {
            if (auto d = Digest::from_hex(std::string_view(s).substr(7))) out.insert(*d);
        }
    } else if (node.is_structured()) {
        for (const auto& child : node) collect_inputs(child, out);
    }
}

// Flattens a JSON value into "prefix.key = value" lines.
void flatten(const Json& node, const std::string& prefix, std::string& out) {
    if (node.is_object() && !node.empty()) {
        for (const auto& item : node.items()) flatten(item.value(), prefix + "." + item.key(), out);
    } else if (node.is_array() && !node.empty()) {
        for (std::size_t i = 0; i < node.size(); ++i)
            flatten(node[i], prefix + "[" + std::to_string(i) + "]", out);
    } else {
        out += prefix + " = " + node.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
    }
}

}  // namespace

std::uint64_t derive_root_seed(const Digest& recipe_base_digest) {
    return first_u64(KeyBuilder("silico.root-seed.v1").add("recipe", recipe_base_digest).finish());
}

std::uint64_t trial_seed(SeedMode mode, std::uint64_t root, const Digest& condition_key, std::size_t trial) {
    if (mode == SeedMode::isf) return root;
    return first_u64(KeyBuilder("silico.trial-seed.v1")
                         .add("root", root)
                         .add("condition", condition_key)
                         .add("trial", static_cast<std::uint64_t>(trial))
                         .finish());
}

Digest trial_key(const Digest& model, const Digest& condition, SeedMode mode, std::size_t trial,
                 std::uint64_t seed) {
    return KeyBuilder(k_trial_key_format)
        .add("model", model)
        .add("condition", condition)
        .add("seed-mode", to_string(mode))
        .add("trial-index", static_cast<std::uint64_t>(trial))
        .add("seed", seed)
        .finish();
}

std::expected<std::vector<Condition>, Diagnostics> expand_conditions(const Recipe& recipe) {
    std::size_t total = 1;
    for (const auto& axis : recipe.axes) {
        if (axis.size() != 0 && total > k_max_conditions / axis.size()) {
            return std::unexpected(
                Diagnostics{Diagnostic{recipe.file.string(), 0, 0, "sweep",
                                       "more than " + std::to_string(k_max_conditions) + " conditions"}});
        }
        total *= axis.size();
    }
    std::vector<Condition> conditions;
    conditions.reserve(total);
    Diagnostics diagnostics;
    for (std::size_t index = 0; index < total; ++index) {
        Condition c;
        c.index = index;
        Json doc = recipe.document;
        Json canon = recipe.canonical_document;
        // Mixed radix: the last axis varies fastest.
        std::size_t rest = index;
        std::vector<std::size_t> digits(recipe.axes.size());
        for (std::size_t a = recipe.axes.size(); a-- > 0;) {
            digits[a] = rest % recipe.axes[a].size();
            rest /= recipe.axes[a].size();
        }
        for (std::size_t a = 0; a < recipe.axes.size(); ++a) {
            const auto& axis = recipe.axes[a];
            for (std::size_t k = 0; k < axis.keys.size(); ++k) {
                *detail::find_at(doc, axis.keys[k]) = axis.values[k][digits[a]];
                *detail::find_at(canon, axis.keys[k]) = axis.canonical_values[k][digits[a]];
                c.point.emplace_back(axis.keys[k], axis.canonical_values[k][digits[a]]);
            }
        }
        c.spec = detail::to_spec(doc, recipe);
        detail::check_spec(c.spec, recipe,
                           recipe.axes.empty() ? "" : " (condition " + std::to_string(index) + ")",
                           diagnostics);
        if (diagnostics.size() >= k_max_diagnostics) break;
        // The condition spec: everything that determines a result except the trial's own seed and index.
        canon["experiment"].erase("name");
        canon["experiment"].erase("description");
        canon["simulation"].erase("trials");
        canon.erase("seeds");
        canon.erase("sweep");
        detail::fill_record_dt(canon);
        c.canonical = canon.dump();
        std::set<Digest> inputs;
        collect_inputs(canon, inputs);
        c.inputs.assign(inputs.begin(), inputs.end());
        KeyBuilder key(k_condition_key_format);
        key.add("spec", c.canonical);
        key.add("input-count", static_cast<std::uint64_t>(c.inputs.size()));
        for (const auto& d : c.inputs) key.add("input", d);
        c.key = key.finish();
        c.spec_json = std::move(canon);
        conditions.push_back(std::move(c));
    }
    if (!diagnostics.empty()) return std::unexpected(std::move(diagnostics));
    return conditions;
}

std::expected<Plan, Diagnostics> expand(const Recipe& recipe, const KeyContext& context) {
    auto conditions = expand_conditions(recipe);
    if (!conditions) return std::unexpected(conditions.error());
    Plan plan;
    plan.model = model_key(context);
    plan.conditions = std::move(*conditions);
    std::size_t total = 0;
    for (const auto& c : plan.conditions) total += static_cast<std::size_t>(c.spec.simulation.trials);
    plan.trials.reserve(total);
    for (const auto& c : plan.conditions) {
        const SeedMode mode = c.spec.seeds.mode;
        for (std::size_t t = 0; t < static_cast<std::size_t>(c.spec.simulation.trials); ++t) {
            TrialSpec trial;
            trial.condition = c.index;
            trial.trial = t;
            trial.seed = trial_seed(mode, recipe.root_seed, c.key, t);
            trial.key = trial_key(plan.model, c.key, mode, t, trial.seed);
            plan.trials.push_back(trial);
        }
    }
    return plan;
}

std::string explain_trial(const Plan& plan, const KeyContext& context, std::size_t index) {
    if (index >= plan.trials.size()) return "";
    const TrialSpec& t = plan.trials[index];
    const Condition& c = plan.conditions[t.condition];
    std::string out;
    auto line = [&](const std::string& name, const std::string& value) {
        out += name + " = " + value + "\n";
    };
    line("trial.key", t.key.hex());
    line("trial.key-format", std::string(k_trial_key_format));
    line("trial.model", plan.model.hex());
    line("trial.condition", c.key.hex());
    line("trial.seed-mode", std::string(to_string(c.spec.seeds.mode)));
    line("trial.trial-index", std::to_string(t.trial));
    line("trial.seed", std::to_string(t.seed));
    line("model.key-format", std::string(k_model_key_format));
    line("model.mechanisms", context.mechanisms.hex());
    line("model.neuron-version", Json(context.neuron_version).dump());
    line("model.experiments-tree", Json(context.model.experiments_tree).dump());
    line("model.mechanisms-tree", Json(context.model.mechanisms_tree).dump());
    line("model.uncommitted", Json(context.model.uncommitted_digest).dump());
    line("model.source", Json(context.model.source).dump() + "  # not hashed");
    line("condition.key-format", std::string(k_condition_key_format));
    line("condition.index", std::to_string(c.index) + "  # not hashed");
    for (std::size_t i = 0; i < c.inputs.size(); ++i) {
        line("condition.input[" + std::to_string(i) + "]", c.inputs[i].hex());
    }
    flatten(c.spec_json, "condition.spec", out);
    return out;
}

}  // namespace silico::recipes
