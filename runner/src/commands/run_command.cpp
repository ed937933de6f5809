// `silico run`, `silico plan`, `silico status` and `silico runs`: a recipe becomes exactly the trials still
// missing from the store, run on an executor, each result committed as it arrives.
//
// The store is the checkpoint: a trial is complete when its record exists (commit_trial writes it atomically
// with its blobs), so a runner killed at any moment resumes by planning again. The run record
// (runs column family, "recipe/<digest>") keeps the progress of the latest run of each recipe for
// `silico status` and `silico runs`; it is informative, never used to decide what to run.
//
// Checkpoints inside long trials (--checkpoint-every MS): the workers save each running trial's NEURON state
// to <checkpoint dir>/<trial key>.ckpt every MS simulated ms; a trial whose worker died continues from its
// file on the next attempt (in this run or the next). The runner deletes a trial's file once its result is
// committed. Checkpointing never changes a result, so it is not part of any key (docs/runner.md).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "commands/cli.hpp"
#include "commands/model_adoption.hpp"
#include "commands/run_plan.hpp"
#include "commands/sharing_support.hpp"
#include "silico/core/env.hpp"
#include "silico/core/git_info.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/recipes/recipe.hpp"
#include "silico/runner/executor.hpp"
#include "silico/runner/progress.hpp"
#include "silico/store/store.hpp"
#include "silico/trial/trial_runner.hpp"

namespace silico::runner {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

std::optional<LoadedPlan> load_plan(const std::string& file, bool require_clean, CliContext& ctx,
                                    const std::vector<std::string>& paths) {
    auto recipe = load_or_report(file, paths, ctx);
    if (!recipe) return std::nullopt;
    auto context = key_context_or_report(require_clean, ctx);
    if (!context) return std::nullopt;
    auto plan = recipes::expand(*recipe, *context);
    if (!plan) {
        for (const auto& d : plan.error()) std::cerr << "silico: error: " << d.what() << "\n";
        ctx.exit_code = exit_status(Errc::validation);
        return std::nullopt;
    }
    return LoadedPlan{std::move(*recipe), std::move(*context), std::move(*plan)};
}

namespace {

using namespace silico::recipes;

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Json point_json(const Condition& c) {
    Json point = Json::object();
    for (const auto& [key, value] : c.point) point[key] = value;
    return point;
}

// ----- the run record --------------------------------------------------------------------------------------

struct RunState {
    std::string recipe_file, experiment, digest, executor, state = "running", host;
    std::int64_t started_ms = 0, updated_ms = 0;
    int pid = 0;
    std::size_t total = 0, cached = 0, succeeded = 0, failed = 0;
    std::size_t from_remote = 0;  // of `cached`: taken from the lab cache (--remote) by this run
    std::vector<std::string> failed_trials;

    Json to_json() const {
        return {{"recipe", recipe_file},
                {"experiment", experiment},
                {"recipe_digest", digest},
                {"state", state},
                {"executor", executor},
                {"host", host},
                {"pid", pid},
                {"started_unix_ms", started_ms},
                {"updated_unix_ms", updated_ms},
                {"total", total},
                {"cached", cached},
                {"from_remote", from_remote},
                {"succeeded", succeeded},
                {"failed", failed},
                {"complete", cached + succeeded},
                {"failed_trials", failed_trials}};
    }
};

void put_run_record(store::Store& store, const std::string& name, RunState& state) {
    state.updated_ms = env().now_unix_ms();
    if (auto st = store.put_run(name, state.to_json().dump()); !st)
        std::cerr << "silico: warning: cannot write the run record: " << st.error().what() << "\n";
}

// ----- silico run ------------------------------------------------------------------------------------------

struct RunArgs {
    std::string recipe;
    std::string executor = "local";
    std::uint32_t max_attempts = 3;
    bool json = false;
    bool require_clean = false;
    double checkpoint_every_ms = 0;  // 0: off
    std::string checkpoint_dir;      // default <store>/checkpoints
    std::vector<std::string> paths;  // --path NAME=DIR overrides of the recipe's [paths]
    RemoteArgs remote;               // --remote: take complete trials from a lab cache first
};

// Removes what a killed worker may leave next to a trial's checkpoint (its temporary files, and a checkpoint
// set aside by a worker that crashed while restoring it), and the checkpoint itself when `with_checkpoint`.
void remove_checkpoint_files(const fs::path& dir, const std::string& key, bool with_checkpoint) {
    std::error_code ec;
    const std::string file = key + ".ckpt";
    if (with_checkpoint) fs::remove(dir / file, ec);
    fs::remove(dir / (file + ".restoring"), ec);
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.starts_with(file + ".tmp.") || name.starts_with(file + ".nrn.")) {
            std::error_code ignored;
            fs::remove(it->path(), ignored);
        }
    }
}

// Checkpoints are bit-identical only with the fixed-step solver: refuse CVODE conditions up front rather
// than silently running them without checkpoints.
bool check_checkpointable(const Plan& plan, const std::vector<std::size_t>& missing, CliContext& ctx) {
    std::set<std::size_t> conditions;
    for (std::size_t i : missing) conditions.insert(plan.trials[i].condition);
    bool ok = true;
    for (std::size_t c : conditions) {
        const auto& spec = plan.conditions[c].spec;
        if (spec.simulation.solver == recipes::Solver::cvode) {
            std::cerr
                << "silico: error: --checkpoint-every needs the fixed-step solver, but condition " << c
                << " uses cvode (a CVODE restore re-initialises the integrator, so a resumed trial would "
                   "differ from an uninterrupted one); run it without --checkpoint-every\n";
            ok = false;
        }
    }
    if (!ok) ctx.exit_code = exit_status(Errc::invalid_argument);
    return ok;
}

struct Failure {
    std::size_t trial;
    std::string error;
    std::uint32_t attempts;
};

// What a run did: the summary line, --json and the exit status are all made from it.
struct RunReport {
    std::vector<Failure> failures;
    std::vector<std::pair<std::string, double>> resumed;  // trial key, t it continued from
    double plan_seconds = 0, handler_seconds = 0, commit_seconds = 0, run_seconds = 0, total_seconds = 0;
    bool workers_started = false;
    RunSummary summary;
};

std::vector<std::size_t> missing_trials(const std::vector<bool>& complete) {
    std::vector<std::size_t> missing;
    for (std::size_t i = 0; i < complete.size(); ++i)
        if (!complete[i]) missing.push_back(i);
    return missing;
}

// Absolute, because it is sent to workers that may run in another working directory (ssh, Slurm).
fs::path checkpoint_dir_of(const RunArgs& args, const CliContext& ctx) {
    if (args.checkpoint_every_ms <= 0) return {};
    return args.checkpoint_dir.empty() ? fs::absolute(ctx.store_dir() / "checkpoints")
                                       : fs::absolute(args.checkpoint_dir);
}

RunState initial_run_state(const RunArgs& args, const LoadedPlan& loaded, std::size_t missing) {
    RunState state;
    state.recipe_file = fs::absolute(args.recipe).lexically_normal().string();
    state.experiment = loaded.recipe.document["experiment"].value("name", "");
    state.digest = loaded.recipe.digest.hex();
    state.executor = args.executor;
    state.host = env().host_name();
    state.pid = static_cast<int>(env().pid());
    state.started_ms = env().now_unix_ms();
    state.total = loaded.plan.trials.size();
    state.cached = loaded.plan.trials.size() - missing;
    return state;
}

// Where a run's results go: the store and its run record, the progress display, and the report.
struct RunSinks {
    store::Store& store;
    const std::string& record_name;
    RunState& state;
    Progress& progress;
    std::ostream& progress_out;
    RunReport& report;
};

// Turns each outcome into a committed trial or a recorded failure. It runs on the thread that called the
// executor's run(), which keeps the store's single writer.
class OutcomeCommitter {
  public:
    OutcomeCommitter(const Plan& plan, const std::vector<std::size_t>& missing, fs::path checkpoint_dir,
                     const RunSinks& sinks)
        : m_plan(plan),
          m_store(sinks.store),
          m_record_name(sinks.record_name),
          m_state(sinks.state),
          m_report(sinks.report),
          m_progress(sinks.progress),
          m_progress_out(sinks.progress_out),
          m_checkpoint_dir(std::move(checkpoint_dir)) {
        for (std::size_t i : missing) m_index_of_key.emplace(plan.trials[i].key.hex(), i);
    }

    void operator()(TrialOutcome&& outcome) {
        const auto c0 = std::chrono::steady_clock::now();
        auto it = m_index_of_key.find(outcome.key);
        if (it == m_index_of_key.end()) return;  // not ours (cannot happen with our jobs)
        const std::size_t index = it->second;
        const auto& trial = m_plan.trials[index];
        store::TrialRecord record = record_of(outcome, trial);
        m_report.handler_seconds += outcome.seconds;
        std::optional<std::string> error;
        if (!outcome.ok) {
            error = outcome.error;
        } else {
            error = commit(outcome, trial, record);
        }
        if (error) {
            record_failure(outcome, trial, index, std::move(record), *error);
        } else {
            ++m_state.succeeded;
            if (!m_checkpoint_dir.empty()) remove_checkpoint_files(m_checkpoint_dir, outcome.key, true);
            if (outcome.resumed_from_ms) report_resumed(outcome, trial, index);
        }
        m_progress.trial_finished(!error);
        update_run_record_now_and_then();
        m_report.commit_seconds += seconds_since(c0);
    }

  private:
    store::TrialRecord record_of(const TrialOutcome& outcome, const TrialSpec& trial) const {
        store::TrialRecord record;
        store::fill_provenance(record);
        set_seed_fields(m_plan, trial, record);
        if (auto recipe = Digest::from_hex(m_state.digest)) record.recipe = *recipe;
        record.attempt = outcome.attempts;
        record.wall_seconds = outcome.seconds;
        record.end_unix_ms = env().now_unix_ms();
        record.start_unix_ms = record.end_unix_ms - static_cast<std::int64_t>(outcome.seconds * 1000.0);
        record.neuron_version = experiments::Simulator::version();
        return record;
    }

    // Why the trial could not be committed, or nothing when it was.
    std::optional<std::string> commit(const TrialOutcome& outcome, const TrialSpec& trial,
                                      store::TrialRecord& record) {
        auto outputs = store::decode_trial_outputs(outcome.result);
        if (!outputs) return "undecodable result from " + outcome.worker + ": " + outputs.error().what();
        record.neuron_version = outputs->neuron_version;
        record.cpu_seconds = outputs->cpu_seconds;
        auto committed = m_store.commit_trial(trial.key, record, outputs->arrays);
        if (!committed) return "commit failed: " + committed.error().what();
        return std::nullopt;
    }

    void record_failure(const TrialOutcome& outcome, const TrialSpec& trial, std::size_t index,
                        store::TrialRecord record, const std::string& error) {
        record.status = store::TrialStatus::failed;
        record.stderr_tail = outcome.stderr_tail.empty() ? error : error + "\n" + outcome.stderr_tail;
        if (auto st = m_store.record_failure(trial.key, record); !st)
            std::cerr << "silico: warning: cannot record the failure of " << trial.key.short_hex() << ": "
                      << st.error().what() << "\n";
        m_report.failures.push_back({index, error, outcome.attempts});
        m_state.failed_trials.push_back(trial.key.hex());
        ++m_state.failed;
    }

    void report_resumed(const TrialOutcome& outcome, const TrialSpec& trial, std::size_t index) {
        m_report.resumed.emplace_back(outcome.key, *outcome.resumed_from_ms);
        m_progress_out << "silico: trial " << index << " (key " << trial.key.short_hex()
                       << ") resumed from its checkpoint at t = " << *outcome.resumed_from_ms
                       << " ms (attempt " << outcome.attempts << ")\n";
    }

    // At most once a second: `silico status` sees a running run's progress without a synced write per trial.
    void update_run_record_now_and_then() {
        if (std::chrono::steady_clock::now() - m_last_record <= std::chrono::seconds(1)) return;
        put_run_record(m_store, m_record_name, m_state);
        m_last_record = std::chrono::steady_clock::now();
    }

    const Plan& m_plan;
    store::Store& m_store;
    const std::string& m_record_name;
    RunState& m_state;
    RunReport& m_report;
    Progress& m_progress;
    std::ostream& m_progress_out;
    fs::path m_checkpoint_dir;
    std::map<std::string, std::size_t> m_index_of_key;
    std::chrono::steady_clock::time_point m_last_record = std::chrono::steady_clock::now();
};

std::vector<Job> jobs_for(const Plan& plan, const std::vector<std::size_t>& missing, const RunArgs& args,
                          const fs::path& checkpoint_dir) {
    auto jobs = make_jobs(plan, missing);
    if (args.checkpoint_every_ms > 0)
        for (auto& job : jobs) {
            job.checkpoint_every_ms = args.checkpoint_every_ms;
            job.checkpoint_dir = checkpoint_dir.string();
        }
    return jobs;
}

// Runs the missing trials through the executor; false when the run could not happen (already reported).
bool run_missing(const RunArgs& args, const Plan& plan, const std::vector<std::size_t>& missing,
                 const fs::path& checkpoint_dir, const RunSinks& sinks, CliContext& ctx) {
    put_run_record(sinks.store, sinks.record_name, sinks.state);
    ExecutorOptions options;
    options.max_attempts = args.max_attempts;
    options.on_tick = [&progress = sinks.progress] { progress.tick(); };
    auto executor = make_executor(args.executor, options);
    if (!executor) {
        ctx.report(executor.error());
        return false;
    }
    const auto jobs = jobs_for(plan, missing, args, checkpoint_dir);
    OutcomeCommitter committer(plan, missing, checkpoint_dir, sinks);
    const auto r0 = std::chrono::steady_clock::now();
    sinks.report.workers_started = true;
    auto result =
        (*executor)->run(jobs, [&committer](TrialOutcome&& outcome) { committer(std::move(outcome)); });
    sinks.report.run_seconds = seconds_since(r0);
    if (!result) {
        sinks.state.state = "failed";
        put_run_record(sinks.store, sinks.record_name, sinks.state);
        sinks.progress.finish();
        ctx.report(result.error());
        return false;
    }
    sinks.report.summary = *result;
    return true;
}

// Temporary files of workers killed mid-save; checkpoints of unfinished trials stay for the next run.
void remove_leftover_checkpoint_files(const fs::path& checkpoint_dir, const Plan& plan,
                                      const std::vector<std::size_t>& missing) {
    if (checkpoint_dir.empty()) return;
    for (std::size_t i : missing) remove_checkpoint_files(checkpoint_dir, plan.trials[i].key.hex(), false);
    std::error_code ec;
    fs::remove(checkpoint_dir, ec);  // only when empty
}

void print_json_report(const RunArgs& args, const Plan& plan, const RunState& state, const RunReport& report,
                       const fs::path& checkpoint_dir, const CliContext& ctx) {
    Json failed = Json::array();
    for (const auto& f : report.failures) {
        const auto& t = plan.trials[f.trial];
        failed.push_back({{"trial", f.trial},
                          {"condition", t.condition},
                          {"index", t.trial},
                          {"key", t.key.hex()},
                          {"attempts", f.attempts},
                          {"error", f.error}});
    }
    Json out = state.to_json();
    out["store"] = ctx.store_dir().string();
    out["not_run"] = report.summary.not_run;
    out["interrupted"] = report.summary.interrupted;
    out["workers_started"] = report.workers_started;
    out["failures"] = failed;
    Json resumed_json = Json::array();
    for (const auto& [key, from] : report.resumed) resumed_json.push_back({{"key", key}, {"from_ms", from}});
    out["checkpoints"] = {
        {"every_ms", args.checkpoint_every_ms}, {"dir", checkpoint_dir.string()}, {"resumed", resumed_json}};
    out["timings"] = {{"plan_seconds", report.plan_seconds},
                      {"run_seconds", report.run_seconds},
                      {"handler_seconds", report.handler_seconds},
                      {"commit_seconds", report.commit_seconds},
                      {"total_seconds", report.total_seconds}};
    std::cout << out.dump(2) << "\n";
}

void print_text_report(const Plan& plan, const RunState& state, const RunReport& report) {
    const std::size_t complete_count = state.cached + state.succeeded;
    const double hit = state.total == 0 ? 100.0 : 100.0 * static_cast<double>(state.cached) / state.total;
    std::cout << state.experiment << ": " << complete_count << "/" << state.total << " trials complete ("
              << state.cached << " cached, " << std::fixed << std::setprecision(0) << hit << "% cache hits), "
              << state.succeeded << " run, " << state.failed << " failed";
    if (!report.workers_started) std::cout << "; nothing to run, no worker started";
    if (!report.resumed.empty()) std::cout << "; " << report.resumed.size() << " resumed from checkpoints";
    std::cout << "\n" << std::defaultfloat;
    if (!report.failures.empty()) {
        std::cout << "failed trials:\n";
        for (const auto& f : report.failures) {
            const auto& t = plan.trials[f.trial];
            std::cout << "  trial " << f.trial << " (condition " << t.condition << ", trial " << t.trial
                      << ", key " << t.key.short_hex() << ") after " << f.attempts << " attempt"
                      << (f.attempts == 1 ? "" : "s") << ": " << f.error << "\n";
        }
    }
    const RunSummary& summary = report.summary;
    if (summary.interrupted || summary.not_run > 0)
        std::cout << "stopped: " << summary.not_run << " trial" << (summary.not_run == 1 ? "" : "s")
                  << " not run" << (summary.stop_reason.empty() ? "" : " (" + summary.stop_reason + ")")
                  << "; run again to resume\n";
}

void run_recipe(const RunArgs& args, CliContext& ctx) {
    const auto t0 = std::chrono::steady_clock::now();
    auto loaded = load_plan(args.recipe, args.require_clean, ctx, args.paths);
    if (!loaded) return;
    const auto& plan = loaded->plan;
    auto store = store::Store::open(ctx.store_dir());
    if (!store) {
        ctx.report(store.error());
        return;
    }
    auto complete = trials_complete(plan, *store);
    if (!complete) {
        ctx.report(complete.error());
        return;
    }
    std::size_t from_remote = 0;
    if (!args.remote.url.empty()) {
        for (std::size_t i : take_from_remote(args.remote, plan, missing_trials(*complete), *store)) {
            (*complete)[i] = true;
            ++from_remote;
        }
    }
    const std::vector<std::size_t> missing = missing_trials(*complete);
    RunReport report;
    report.plan_seconds = seconds_since(t0);
    report.summary.total = missing.size();
    const fs::path checkpoint_dir = checkpoint_dir_of(args, ctx);
    if (args.checkpoint_every_ms > 0 && !check_checkpointable(plan, missing, ctx)) return;

    RunState state = initial_run_state(args, *loaded, missing.size());
    state.from_remote = from_remote;
    const std::string record_name = run_record_name(loaded->recipe);
    const bool tty = !args.json && stream_is_tty(STDOUT_FILENO);
    std::ostream& progress_out = args.json ? std::cerr : std::cout;
    Progress progress(progress_out, state.total, state.cached, ProgressOptions{.tty = tty});
    const RunSinks sinks{*store, record_name, state, progress, progress_out, report};
    if (!missing.empty() && !run_missing(args, plan, missing, checkpoint_dir, sinks, ctx)) return;
    progress.finish();
    remove_leftover_checkpoint_files(checkpoint_dir, plan, missing);

    const bool all = state.cached + state.succeeded == state.total;
    state.state = all ? "complete" : report.summary.interrupted ? "interrupted" : "incomplete";
    put_run_record(*store, record_name, state);
    report.total_seconds = seconds_since(t0);
    if (args.json) {
        print_json_report(args, plan, state, report, checkpoint_dir, ctx);
    } else {
        print_text_report(plan, state, report);
    }
    if (!all) ctx.exit_code = report.summary.interrupted ? 130 : 1;
}

// ----- silico plan / status / runs -------------------------------------------------------------------------

// Where each trial of the plan is stored and which models the plan's model adopted; a folder without a
// store holds nothing.
struct StoredState {
    std::vector<std::optional<StoredTrial>> trials;
    std::vector<Digest> adopted;
};

Result<StoredState> stored_state(const Plan& plan, const fs::path& dir) {
    StoredState state;
    state.trials.resize(plan.trials.size());
    std::error_code ec;
    if (!fs::exists(dir / "db", ec)) return state;
    auto store = store::Store::open(dir, {.read_only = true});
    if (!store) return std::unexpected(store.error());
    auto trials = find_stored_trials(plan, *store);
    if (!trials) return std::unexpected(trials.error());
    auto adopted = adopted_models(*store, plan.model);
    if (!adopted) return std::unexpected(adopted.error());
    return StoredState{std::move(*trials), std::move(*adopted)};
}

// A trial's state for `plan`: complete here, on the lab cache (--remote), or missing.
std::string trial_state(bool complete, const std::vector<std::optional<bool>>& on_remote, std::size_t i) {
    if (complete) return "complete";
    return i < on_remote.size() && on_remote[i].value_or(false) ? "on remote" : "missing";
}

void plan_recipe(const std::string& file, bool json, bool require_clean, CliContext& ctx,
                 const std::vector<std::string>& paths, const RemoteArgs& remote) {
    auto loaded = load_plan(file, require_clean, ctx, paths);
    if (!loaded) return;
    const auto& plan = loaded->plan;
    auto state = stored_state(plan, ctx.store_dir());
    if (!state) {
        ctx.report(state.error());
        return;
    }
    const auto& stored = state->trials;
    const auto done = static_cast<std::size_t>(
        std::count_if(stored.begin(), stored.end(), [](const auto& s) { return s.has_value(); }));
    std::vector<std::optional<bool>> on_remote;
    if (!remote.url.empty()) on_remote = remote_availability(remote, plan);
    std::size_t remote_only = 0;
    for (std::size_t i = 0; i < on_remote.size(); ++i)
        if (!stored[i] && on_remote[i].value_or(false)) ++remote_only;
    if (json) {
        Json out;
        out["recipe"] = file;
        out["recipe_digest"] = loaded->recipe.digest.hex();
        out["model_key"] = plan.model.hex();
        out["root_seed"] = loaded->recipe.root_seed;
        out["store"] = ctx.store_dir().string();
        out["total"] = plan.trials.size();
        out["complete"] = done;
        out["missing"] = plan.trials.size() - done;
        Json adopted = Json::array();
        for (const auto& m : state->adopted) adopted.push_back(m.hex());
        out["adopted_models"] = adopted;
        if (!remote.url.empty()) out["on_remote"] = remote_only;  // missing here, complete on the lab cache
        Json conditions = Json::array();
        for (const auto& c : plan.conditions)
            conditions.push_back({{"index", c.index}, {"key", c.key.hex()}, {"point", point_json(c)}});
        out["conditions"] = conditions;
        Json trials = Json::array();
        for (std::size_t i = 0; i < plan.trials.size(); ++i) {
            const auto& t = plan.trials[i];
            Json trial = {{"index", i},     {"condition", t.condition}, {"trial", t.trial},
                          {"seed", t.seed}, {"key", t.key.hex()},       {"complete", stored[i].has_value()}};
            if (stored[i] && stored[i]->adopted_model) {
                trial["stored_key"] = stored[i]->key.hex();
                trial["adopted_from_model"] = stored[i]->adopted_model->hex();
            }
            trials.push_back(trial);
            if (!remote.url.empty()) trials.back()["on_remote"] = on_remote[i] ? Json(*on_remote[i]) : Json();
        }
        out["trials"] = trials;
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "recipe " << file << " (" << loaded->recipe.digest.short_hex() << "), model "
              << plan.model.short_hex() << ", store " << ctx.store_dir().string() << "\n";
    for (const auto& m : state->adopted)
        std::cout << "model " << plan.model.short_hex() << " reuses the trials of adopted model " << m.hex()
                  << " (silico check --adopt)\n";
    std::cout << plan.conditions.size() << " condition" << (plan.conditions.size() == 1 ? "" : "s") << ":\n";
    for (const auto& c : plan.conditions)
        std::cout << "  condition " << c.index << "  key " << c.key.short_hex() << "  "
                  << point_json(c).dump() << "\n";
    std::cout << plan.trials.size() << " trials:\n";
    for (std::size_t i = 0; i < plan.trials.size(); ++i) {
        const auto& t = plan.trials[i];
        std::cout << "  trial " << i << "  condition " << t.condition << "  #" << t.trial << "  seed "
                  << t.seed << "  key " << t.key.hex() << "  "
                  << trial_state(stored[i].has_value(), on_remote, i);
        if (stored[i] && stored[i]->adopted_model)
            std::cout << " (adopted: trial " << stored[i]->key.short_hex() << " of model "
                      << stored[i]->adopted_model->short_hex() << ")";
        std::cout << "\n";
    }
    std::cout << done << "/" << plan.trials.size() << " complete, " << plan.trials.size() - done
              << " missing";
    if (!remote.url.empty()) std::cout << " (" << remote_only << " of them on " << remote.url << ")";
    std::cout << "\n";
}

Result<store::Store> open_reader(const fs::path& dir) {
    store::Options options;
    options.read_only = true;
    return store::Store::open(dir, options);
}

void status_recipe(const std::string& file, bool json, CliContext& ctx,
                   const std::vector<std::string>& paths) {
    auto loaded = load_plan(file, false, ctx, paths);
    if (!loaded) return;
    auto complete = trials_complete(loaded->plan, ctx.store_dir());
    if (!complete) {
        ctx.report(complete.error());
        return;
    }
    const auto done = static_cast<std::size_t>(std::count(complete->begin(), complete->end(), true));
    Json record = nullptr;
    std::error_code ec;
    if (fs::exists(ctx.store_dir() / "db", ec)) {
        auto store = open_reader(ctx.store_dir());
        if (!store) {
            ctx.report(store.error());
            return;
        }
        auto bytes = store->get_run(run_record_name(loaded->recipe));
        if (!bytes) {
            ctx.report(bytes.error());
            return;
        }
        if (*bytes) record = Json::parse(**bytes, nullptr, false);
    }
    if (json) {
        Json out = {{"recipe", file},
                    {"total", loaded->plan.trials.size()},
                    {"complete", done},
                    {"missing", loaded->plan.trials.size() - done},
                    {"last_run", record}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << file << ": " << done << "/" << loaded->plan.trials.size() << " trials complete, "
              << loaded->plan.trials.size() - done << " missing\n";
    if (record.is_object())
        std::cout << "last run: " << record.value("state", "?") << " on " << record.value("host", "?")
                  << " (pid " << record.value("pid", 0) << ", executor " << record.value("executor", "?")
                  << "): " << record.value("succeeded", 0) << " run, " << record.value("cached", 0)
                  << " cached, " << record.value("failed", 0) << " failed\n";
    else
        std::cout << "no run recorded in " << ctx.store_dir().string() << "\n";
}

void list_runs(bool json, CliContext& ctx) {
    std::error_code ec;
    if (!fs::exists(ctx.store_dir() / "db", ec)) {
        ctx.report(Error{Errc::not_found, "no store", ctx.store_dir().string()});
        return;
    }
    auto store = open_reader(ctx.store_dir());
    if (!store) {
        ctx.report(store.error());
        return;
    }
    auto names = store->run_names();
    if (!names) {
        ctx.report(names.error());
        return;
    }
    Json all = Json::array();
    for (const auto& name : *names) {
        auto bytes = store->get_run(name);
        if (!bytes || !*bytes) continue;
        Json r = Json::parse(**bytes, nullptr, false);
        if (!r.is_object()) continue;
        r["name"] = name;
        all.push_back(r);
    }
    if (json) {
        std::cout << all.dump(2) << "\n";
        return;
    }
    if (all.empty()) std::cout << "no runs recorded\n";
    for (const auto& r : all) {
        const auto updated = static_cast<std::time_t>(r.value("updated_unix_ms", std::int64_t{0}) / 1000);
        char when[32] = {};
        std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::gmtime(&updated));
        std::cout << when << " UTC  " << r.value("state", "?") << "  " << r.value("experiment", "?") << "  "
                  << r.value("complete", 0) << "/" << r.value("total", 0) << " complete, "
                  << r.value("failed", 0) << " failed  " << r.value("recipe", "") << "\n";
    }
}

}  // namespace

void add_run_commands(CLI::App& app, CliContext& ctx) {
    register_simulate_handler(default_registry());
    {
        auto* cmd =
            app.add_subcommand("run", "Run a recipe's missing trials and commit each result to the store");
        auto args = std::make_shared<RunArgs>();
        cmd->add_option("recipe", args->recipe, "Recipe file")->required()->check(CLI::ExistingFile);
        cmd->add_option(
            "--executor", args->executor,
            "local[:N] | ssh:HOST[:N][,HOST...] | slurm:DIR[,K][,worker=CMD] (default: local, one worker per "
            "core)");
        cmd->add_option("--max-attempts", args->max_attempts,
                        "Starts of a trial whose worker dies (default 3)")
            ->check(CLI::PositiveNumber);
        cmd->add_flag("--json", args->json, "Print the outcome as JSON (progress goes to stderr)");
        cmd->add_option("--checkpoint-every", args->checkpoint_every_ms,
                        "Save each running trial's state every MS simulated ms so a killed worker's trial "
                        "continues where it stopped (fixed-step solver only; default off)")
            ->check(CLI::NonNegativeNumber);
        cmd->add_option("--checkpoint-dir", args->checkpoint_dir,
                        "Folder of the checkpoints, shared by the runner and every worker (default "
                        "STORE/checkpoints)");
        cmd->add_flag("--require-clean", args->require_clean, "Refuse model code with uncommitted changes");
        cmd->add_option("--path", args->paths,
                        "Placeholder folder NAME=DIR, overriding the recipe's [paths]");
        add_remote_options(cmd, args->remote, false);
        cmd->callback([&ctx, args] { run_recipe(*args, ctx); });
    }
    {
        auto* cmd =
            app.add_subcommand("plan", "List a recipe's conditions and trials with keys, seeds and status");
        static std::string file;
        static bool json = false, require_clean = false;
        static std::vector<std::string> paths;
        cmd->add_option("recipe", file, "Recipe file")->required()->check(CLI::ExistingFile);
        cmd->add_flag("--json", json, "Print JSON");
        cmd->add_flag("--require-clean", require_clean, "Refuse model code with uncommitted changes");
        cmd->add_option("--path", paths, "Placeholder folder NAME=DIR, overriding the recipe's [paths]");
        static RemoteArgs remote;
        add_remote_options(cmd, remote, false);
        cmd->callback([&ctx] { plan_recipe(file, json, require_clean, ctx, paths, remote); });
    }
    {
        auto* cmd = app.add_subcommand("status", "How much of a recipe is complete, and its last run");
        static std::string file;
        static bool json = false;
        static std::vector<std::string> paths;
        cmd->add_option("recipe", file, "Recipe file")->required()->check(CLI::ExistingFile);
        cmd->add_flag("--json", json, "Print JSON");
        cmd->add_option("--path", paths, "Placeholder folder NAME=DIR, overriding the recipe's [paths]");
        cmd->callback([&ctx] { status_recipe(file, json, ctx, paths); });
    }
    {
        auto* cmd = app.add_subcommand("runs", "List the runs recorded in the store");
        static bool json = false;
        cmd->add_flag("--json", json, "Print JSON");
        cmd->callback([&ctx] { list_runs(json, ctx); });
    }
}

}  // namespace silico::runner
