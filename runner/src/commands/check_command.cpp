// `silico check RECIPE`: CI's regression run (docs/check.md). It re-runs a random sample of a recipe's cached
// trials with this build and compares every output with the stored one, bit for bit unless --tolerance says
// otherwise. Nothing is committed: the stored trials stay exactly as they were, whatever the re-run gives.
//
// `--adopt` compares instead the trials stored under another model version (found through the seed registry:
// the same condition, trial index and seed, a key that differs only in its model key) and, when every output
// of the sample is bit-identical, records that this build's model reproduces that one (model_adoption.hpp).
#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "commands/cli.hpp"
#include "commands/model_adoption.hpp"
#include "commands/output_diff.hpp"
#include "commands/run_plan.hpp"
#include "silico/core/env.hpp"
#include "silico/core/git_info.hpp"
#include "silico/runner/executor.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"
#include "silico/store/trial_outputs.hpp"

namespace silico::runner {

namespace {

using Json = nlohmann::ordered_json;

struct CheckArgs {
    std::string recipe;
    std::size_t sample = 0;  // 0: every cached trial
    std::uint64_t seed = 1;
    std::string tolerance;
    std::string executor = "local";
    std::uint32_t max_attempts = 3;
    bool json = false;
    bool adopt = false;
    std::vector<std::string> paths;
};

// A plan trial with a stored result to compare against.
struct Candidate {
    std::size_t trial = 0;  // index into plan.trials
    Digest stored_key;      // the stored trial's key
    store::TrialRecord record;
};

// The outcome of one compared trial.
struct TrialCheck {
    Candidate candidate;
    std::string error;  // the re-run failed or its outputs could not be read
    std::vector<OutputDiff> outputs;
    bool identical() const {
        return error.empty() &&
               std::all_of(outputs.begin(), outputs.end(), [](auto& d) { return d.identical; });
    }
    bool within() const {
        return error.empty() && std::all_of(outputs.begin(), outputs.end(), [](auto& d) { return d.within; });
    }
};

// The trials of the plan that the store holds for this build's model: under their key, or through an
// adoption under the key of an adopted model.
Result<std::vector<Candidate>> cached_trials(const recipes::Plan& plan, const store::Store& store) {
    auto stored = find_stored_trials(plan, store);
    if (!stored) return std::unexpected(stored.error());
    std::vector<Candidate> out;
    for (std::size_t i = 0; i < plan.trials.size(); ++i) {
        if (!(*stored)[i]) continue;
        auto record = store.find_trial((*stored)[i]->key);
        if (!record) return std::unexpected(record.error());
        out.push_back({i, (*stored)[i]->key, std::move(*record)});
    }
    return out;
}

// The trials of the plan stored under another model version and not available to this one. The seed
// registry names the trial holding each trial's seed identity; it is the same trial under another model when
// its record names the same condition, index and seed, and its key is this trial's key computed with the
// record's model key (so the keys differ in the model alone).
Result<std::vector<Candidate>> other_model_trials(const recipes::Plan& plan, const store::Store& store) {
    auto stored = find_stored_trials(plan, store);
    if (!stored) return std::unexpected(stored.error());
    std::vector<Candidate> out;
    for (std::size_t i = 0; i < plan.trials.size(); ++i) {
        if ((*stored)[i]) continue;
        const auto& t = plan.trials[i];
        const auto& condition = plan.conditions[t.condition];
        const auto mode = condition.spec.seeds.mode;
        auto owner = mode == recipes::SeedMode::isf ? store.isf_seed_owner(t.seed, t.trial, condition.key)
                                                    : store.seed_owner(t.seed);
        if (!owner) return std::unexpected(owner.error());
        if (!*owner) continue;
        auto record = store.find_trial(**owner);
        if (!record && record.error().code == Errc::not_found) continue;
        if (!record) return std::unexpected(record.error());
        if (!record->model || *record->model == plan.model || record->condition != condition.key ||
            record->sweep != t.trial || record->seed != t.seed)
            continue;
        if (recipes::trial_key(*record->model, condition.key, mode, t.trial, t.seed) != **owner) continue;
        out.push_back({i, **owner, std::move(*record)});
    }
    return out;
}

// K of the candidates, chosen by a generator seeded with `seed` (a partial Fisher-Yates shuffle written
// out, so the choice is the same on every standard library), back in plan order.
std::vector<Candidate> choose_sample(std::vector<Candidate> all, std::size_t k, std::uint64_t seed) {
    if (k == 0 || k >= all.size()) return all;
    std::mt19937_64 rng(seed);
    for (std::size_t i = 0; i < k; ++i) {
        const std::size_t j = i + static_cast<std::size_t>(rng() % (all.size() - i));
        std::swap(all[i], all[j]);
    }
    all.resize(k);
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.trial < b.trial; });
    return all;
}

// Re-runs the sample on the executor; returns each trial's result bytes (or error) by its current key.
Result<std::map<std::string, TrialOutcome>> rerun(const CheckArgs& args, const recipes::Plan& plan,
                                                  const std::vector<Candidate>& sample) {
    std::vector<std::size_t> indices;
    for (const auto& c : sample) indices.push_back(c.trial);
    ExecutorOptions options;
    options.max_attempts = args.max_attempts;
    auto executor = make_executor(args.executor, options);
    if (!executor) return std::unexpected(executor.error());
    std::map<std::string, TrialOutcome> outcomes;
    auto summary = (*executor)->run(make_jobs(plan, indices),
                                    [&](TrialOutcome&& o) { outcomes.emplace(o.key, std::move(o)); });
    if (!summary) return std::unexpected(summary.error());
    return outcomes;
}

// The stored "time" column, for the first differing time of a trace.
std::vector<double> stored_time(const store::Store& store, const store::TrialRecord& record) {
    auto it = record.outputs.find("time");
    if (it == record.outputs.end()) return {};
    auto bytes = store.get_blob(it->second.digest);
    if (!bytes) return {};
    auto array = store::decode_array(*bytes);
    if (!array || array->kind != store::ArrayKind::f64_table || array->f64.empty()) return {};
    return array->f64[0];
}

OutputDiff problem_diff(const std::string& name, std::string problem) {
    OutputDiff diff;
    diff.name = name;
    diff.problem = std::move(problem);
    return diff;
}

// Compares every output of the stored trial with the re-run's; an output only one side has is a difference.
TrialCheck compare_trial(const store::Store& store, Candidate candidate, const TrialOutcome* outcome,
                         const Tolerance& tolerance) {
    TrialCheck check{std::move(candidate), {}, {}};
    auto failed = [&check](std::string why) {
        check.error = std::move(why);
        return check;
    };
    if (!outcome) return failed("the re-run produced no outcome");
    if (!outcome->ok) return failed("the re-run failed: " + outcome->error);
    auto outputs = store::decode_trial_outputs(outcome->result);
    if (!outputs) return failed("undecodable re-run result: " + outputs.error().what());
    const auto& record = check.candidate.record;
    const std::vector<double> time = stored_time(store, record);
    std::map<std::string, const std::string*> rerun_bytes;
    for (const auto& a : outputs->arrays) rerun_bytes.emplace(a.name, &a.bytes);
    for (const auto& [name, ref] : record.outputs) {
        auto it = rerun_bytes.find(name);
        if (it == rerun_bytes.end()) {
            check.outputs.push_back(problem_diff(name, "stored, but the re-run has no such output"));
            continue;
        }
        auto stored = store.get_blob(ref.digest);
        if (!stored) {
            check.outputs.push_back(problem_diff(name, "stored blob unreadable: " + stored.error().what()));
            continue;
        }
        check.outputs.push_back(compare_output(name, *stored, *it->second, tolerance.of(name), time));
    }
    for (const auto& [name, bytes] : rerun_bytes)
        if (!record.outputs.contains(name))
            check.outputs.push_back(problem_diff(name, "the re-run has it, the stored trial has not"));
    return check;
}

Json diff_json(const OutputDiff& d) {
    Json j = {{"output", d.name},
              {"identical", d.identical},
              {"within_tolerance", d.within},
              {"max_abs_delta", d.max_abs},
              {"differing_values", d.differing}};
    if (!d.problem.empty()) j["problem"] = d.problem;
    if (d.first_index) j["first_index"] = *d.first_index;
    if (d.first_time) j["first_time_ms"] = *d.first_time;
    if (d.stored_spikes) j["spikes"] = {{"stored", *d.stored_spikes}, {"rerun", *d.rerun_spikes}};
    if (d.first_spike_stored) j["first_changed_spike_stored_ms"] = *d.first_spike_stored;
    if (d.first_spike_rerun) j["first_changed_spike_rerun_ms"] = *d.first_spike_rerun;
    return j;
}

void print_report(const CheckArgs& args, const recipes::Plan& plan, std::size_t cached,
                  const std::vector<TrialCheck>& checks) {
    const auto identical = std::count_if(checks.begin(), checks.end(), [](auto& c) { return c.identical(); });
    const auto within = std::count_if(checks.begin(), checks.end(), [](auto& c) { return c.within(); });
    if (args.json) {
        Json trials = Json::array();
        for (const auto& c : checks) {
            const auto& t = plan.trials[c.candidate.trial];
            Json outputs = Json::array();
            for (const auto& d : c.outputs) outputs.push_back(diff_json(d));
            Json j = {{"trial", c.candidate.trial}, {"condition", t.condition},
                      {"index", t.trial},           {"key", c.candidate.stored_key.hex()},
                      {"identical", c.identical()}, {"within_tolerance", c.within()},
                      {"outputs", outputs}};
            if (!c.error.empty()) j["error"] = c.error;
            trials.push_back(j);
        }
        Json out = {{"recipe", args.recipe},
                    {"model_key", plan.model.hex()},
                    {"trials_in_plan", plan.trials.size()},
                    {"cached", cached},
                    {"checked", checks.size()},
                    {"identical", identical},
                    {"within_tolerance", within},
                    {"differ", checks.size() - static_cast<std::size_t>(within)},
                    {"sample_seed", args.seed},
                    {"trials", trials}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    for (const auto& c : checks) {
        if (c.identical()) continue;
        const auto& t = plan.trials[c.candidate.trial];
        std::cout << "trial " << c.candidate.trial << " (condition " << t.condition << ", trial " << t.trial
                  << ", key " << c.candidate.stored_key.hex()
                  << "): " << (c.within() ? "within tolerance" : "DIFFERS") << "\n";
        if (!c.error.empty()) std::cout << "  " << c.error << "\n";
        for (const auto& d : c.outputs)
            if (!d.identical) std::cout << "  " << describe(d) << "\n";
    }
    std::cout << "check " << args.recipe << ": " << checks.size() << " of " << cached
              << " cached trials re-run (of " << plan.trials.size() << " in the plan, sample seed "
              << args.seed << "): " << identical << " identical, " << within - identical
              << " within tolerance, " << checks.size() - static_cast<std::size_t>(within) << " differ\n";
}

// Re-runs the sample and compares each trial with its stored result.
std::optional<std::vector<TrialCheck>> check_sample(const CheckArgs& args, const recipes::Plan& plan,
                                                    const store::Store& store, std::vector<Candidate> sample,
                                                    const Tolerance& tolerance, CliContext& ctx) {
    auto outcomes = rerun(args, plan, sample);
    if (!outcomes) {
        ctx.report(outcomes.error());
        return std::nullopt;
    }
    std::vector<TrialCheck> checks;
    for (auto& c : sample) {
        auto it = outcomes->find(plan.trials[c.trial].key.hex());
        checks.push_back(
            compare_trial(store, std::move(c), it == outcomes->end() ? nullptr : &it->second, tolerance));
    }
    return checks;
}

void check_recipe(const CheckArgs& args, const Tolerance& tolerance, CliContext& ctx) {
    auto loaded = load_plan(args.recipe, false, ctx, args.paths);
    if (!loaded) return;
    const auto& plan = loaded->plan;
    auto store = store::Store::open(ctx.store_dir(), {.read_only = true});
    if (!store) return ctx.report(store.error());
    auto cached = cached_trials(plan, *store);
    if (!cached) return ctx.report(cached.error());
    if (cached->empty()) {
        ctx.report(Error{Errc::not_found,
                         "no trial of this recipe is cached under this build's model key " +
                             plan.model.short_hex() + ": nothing to check",
                         args.recipe});
        return;
    }
    const std::size_t cached_count = cached->size();
    auto sample = choose_sample(std::move(*cached), args.sample, args.seed);
    std::cerr << "silico: check: re-running " << sample.size() << " of " << cached_count
              << " cached trials\n";
    auto checks = check_sample(args, plan, *store, std::move(sample), tolerance, ctx);
    if (!checks) return;
    print_report(args, plan, cached_count, *checks);
    if (!std::all_of(checks->begin(), checks->end(), [](auto& c) { return c.within(); })) ctx.exit_code = 1;
}

// The one other model the candidates belong to; several are refused (which one to adopt is then ambiguous).
std::optional<Digest> single_model(const std::vector<Candidate>& candidates, CliContext& ctx) {
    std::map<Digest, std::size_t> count;
    for (const auto& c : candidates) ++count[*c.record.model];
    if (count.size() == 1) return count.begin()->first;
    std::string models;
    for (const auto& [model, n] : count) models += " " + model.hex() + " (" + std::to_string(n) + " trials)";
    ctx.report(Error{Errc::validation,
                     "the cached trials of this recipe belong to several model versions:" + models +
                         "; adopt from one store per version",
                     "check --adopt"});
    return std::nullopt;
}

Adoption adoption_of(const CheckArgs& args, const LoadedPlan& loaded, const Digest& older,
                     std::size_t candidates, const std::vector<TrialCheck>& checks) {
    Adoption a;
    a.model = loaded.plan.model;
    a.reproduces = older;
    a.experiments_tree = loaded.context.model.experiments_tree;
    a.mechanisms_tree = loaded.context.model.mechanisms_tree;
    a.recipe = std::filesystem::absolute(args.recipe).lexically_normal().string();
    a.recipe_digest = loaded.recipe.digest.hex();
    const BuildInfo& info = build_info();
    a.silico_version = info.version;
    a.silico_commit = info.commit;
    a.silico_dirty = info.dirty;
    a.host = env().host_name();
    a.user = env().user_name();
    a.time_unix_ms = env().now_unix_ms();
    a.sample_seed = args.seed;
    a.candidates = candidates;
    for (const auto& c : checks) {
        AdoptionProof proof{c.candidate.stored_key, loaded.plan.trials[c.candidate.trial].key, {}};
        for (const auto& [name, ref] : c.candidate.record.outputs)
            proof.outputs.emplace_back(name, ref.digest);
        a.trials.push_back(std::move(proof));
    }
    return a;
}

void adopt_recipe(const CheckArgs& args, CliContext& ctx) {
    // The proof names the commit of the model code: uncommitted code has none.
    auto loaded = load_plan(args.recipe, true, ctx, args.paths);
    if (!loaded) return;
    const auto& plan = loaded->plan;
    auto store = store::Store::open(ctx.store_dir(), {.create_if_missing = false});
    if (!store) return ctx.report(store.error());
    if (auto existing = find_adoption(*store, plan.model); !existing || *existing) {
        if (!existing) return ctx.report(existing.error());
        std::cout << "model " << plan.model.hex() << " already reproduces model "
                  << (*existing)->reproduces.hex() << " (adopted " << (*existing)->trials.size()
                  << " trials' proof); nothing to do\n";
        return;
    }
    auto candidates = other_model_trials(plan, *store);
    if (!candidates) return ctx.report(candidates.error());
    if (candidates->empty()) {
        ctx.report(Error{Errc::not_found,
                         "no trial of this recipe is stored under another model version: nothing "
                         "to adopt (this build's model key is " +
                             plan.model.short_hex() + ")",
                         args.recipe});
        return;
    }
    auto older = single_model(*candidates, ctx);
    if (!older) return;
    const std::size_t count = candidates->size();
    auto sample = choose_sample(std::move(*candidates), args.sample, args.seed);
    std::cerr << "silico: check --adopt: re-running " << sample.size() << " of " << count
              << " trials of model " << older->short_hex() << "\n";
    auto checks = check_sample(args, plan, *store, std::move(sample), Tolerance{}, ctx);
    if (!checks) return;
    print_report(args, plan, count, *checks);
    if (!std::all_of(checks->begin(), checks->end(), [](auto& c) { return c.identical(); })) {
        std::cerr << "silico: error: adoption refused: the trials above differ from model " << older->hex()
                  << "'s; this model's trials will be computed anew\n";
        ctx.exit_code = 1;
        return;
    }
    const Adoption adoption = adoption_of(args, *loaded, *older, count, *checks);
    auto put = store->put_item(adoption_item_name(plan.model), encode_adoption(adoption),
                               std::string(k_adoption_encoding));
    if (!put) return ctx.report(put.error());
    if (!args.json)
        std::cout << "adopted: model " << plan.model.hex() << " reproduces model " << older->hex() << " ("
                  << checks->size() << " of " << count
                  << " trials re-run bit-identical); plans of this model reuse its trials (item " << put->name
                  << ")\n";
}

void check_command(const CheckArgs& args, CliContext& ctx) {
    auto tolerance = parse_tolerance(args.tolerance);
    if (!tolerance) return ctx.report(tolerance.error());
    if (!args.adopt) return check_recipe(args, *tolerance, ctx);
    if (!tolerance->exact())
        return ctx.report(Error{Errc::invalid_argument,
                                "--adopt needs bit-identical results; drop --tolerance", "check --adopt"});
    adopt_recipe(args, ctx);
}

}  // namespace

void add_check_command(CLI::App& app, CliContext& ctx) {
    auto* cmd = app.add_subcommand(
        "check", "Re-run cached trials of a recipe and compare every output with the stored one (CI)");
    auto args = std::make_shared<CheckArgs>();
    cmd->add_option("recipe", args->recipe, "Recipe file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--sample", args->sample, "Re-run K randomly chosen cached trials (default: all)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--seed", args->seed, "Seed of the sample's random choice (default 1)");
    cmd->add_option("--tolerance", args->tolerance,
                    "X or OUTPUT=X[,...]: absolute tolerance per output (default: bit-identical)");
    cmd->add_option("--executor", args->executor,
                    "Where the re-runs run, as for `silico run` (default local)");
    cmd->add_option("--max-attempts", args->max_attempts, "Starts of a trial whose worker dies (default 3)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--json", args->json, "Print the comparison as JSON");
    cmd->add_flag(
        "--adopt", args->adopt,
        "Compare with the trials of another model version; if the sample is bit-identical, record that "
        "this model reproduces it, so plans reuse its trials");
    cmd->add_option("--path", args->paths, "Placeholder folder NAME=DIR, overriding the recipe's [paths]");
    cmd->callback([&ctx, args] { check_command(*args, ctx); });
}

}  // namespace silico::runner
