// `silico run`, `silico plan`, `silico status` and `silico runs` end to end: the real executable, real
// workers running NEURON on a one-compartment cell, a real store. Includes the issue-6 kill test (LONG:
// about a minute; it SIGKILLs the runner at random moments and checks the resumed result bit by bit).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "executors/child_process.hpp"
#include "processes.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"
#include "silico_process.hpp"

extern char** environ;

namespace silico::runner {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string k_cell = SILICO_SOURCE_DIR "/tests/data/one_compartment.param";

// A small recipe on the one-compartment cell: `amplitudes` conditions x `trials`, tstop ms each.
std::string recipe_text(const std::string& name, const std::string& amplitudes, int trials, double tstop,
                        const std::string& extra = "") {
    return "[experiment]\nname = \"" + name + "\"\nprotocol = \"current_step\"\n\n[cell]\nbiophysics = \"" +
           k_cell + "\"\n" + extra + "\n[[stimulus.step]]\namplitude = " + amplitudes +
           "\ndelay = 2.0\nduration = " + std::to_string(tstop - 4.0) +
           "\n\n[simulation]\ntstop = " + std::to_string(tstop) + "\ntrials = " + std::to_string(trials) +
           "\n";
}

class RunCommand : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("silico_run_test_" + std::to_string(::getpid()) + "_" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }

    fs::path write_recipe(const std::string& file, const std::string& text) {
        std::ofstream(dir / file) << text;
        return dir / file;
    }

    CommandOutput silico(std::vector<std::string> args) {
        return silico::testing::run_silico(std::move(args));
    }

    static int exit_code(const CommandOutput& out) { return silico::testing::exit_code(out); }

    // later_trial: wait for the checkpoint of a second trial (the worker has run another trial before).
    void kill_worker_after_a_checkpoint_and_resume(const fs::path& recipe, const std::string& every_ms,
                                                   double tstop, bool later_trial = false);

    fs::path dir;
};

// Every complete trial of a store: key -> (output name -> blob digest).
std::map<std::string, std::map<std::string, std::string>> stored_outputs(const fs::path& store_dir) {
    std::map<std::string, std::map<std::string, std::string>> out;
    store::Options options;
    options.read_only = true;
    auto store = store::Store::open(store_dir, options);
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().what());
    if (!store) return out;
    auto st = store->for_each_trial([&](const Digest& key, const store::TrialRecord& record) {
        auto& outputs = out[key.hex()];
        for (const auto& [name, blob] : record.outputs) outputs[name] = blob.digest.hex();
        return true;
    });
    EXPECT_TRUE(st.has_value());
    return out;
}

TEST_F(RunCommand, RunsEveryTrialCommitsTheResultsAndASecondRunIsAllCacheHitsWithoutAWorker) {
    const auto recipe = write_recipe("small.toml", recipe_text("small", "[0.005, 0.05]", 3, 30.0));
    const std::string store = (dir / "store").string();

    auto plan0 = silico({"plan", recipe.string(), "--store", store, "--json"});
    ASSERT_EQ(exit_code(plan0), 0) << plan0.err;
    const Json before = Json::parse(plan0.out);
    EXPECT_EQ(before["total"], 6);
    EXPECT_EQ(before["missing"], 6);  // no store yet: everything missing, and plan creates none
    EXPECT_FALSE(fs::exists(store));

    auto first = silico({"run", recipe.string(), "--store", store, "--executor", "local:2", "--json"});
    ASSERT_EQ(exit_code(first), 0) << first.out << first.err;
    const Json r1 = Json::parse(first.out);
    EXPECT_EQ(r1["succeeded"], 6);
    EXPECT_EQ(r1["cached"], 0);
    EXPECT_EQ(r1["failed"], 0);
    EXPECT_EQ(r1["workers_started"], true);

    // The committed results: time, the somatic trace and spikes.
    const auto outputs = stored_outputs(store);
    ASSERT_EQ(outputs.size(), 6u);
    store::Options ro;
    ro.read_only = true;
    auto st = store::Store::open(store, ro);
    ASSERT_TRUE(st.has_value());
    const Json plan1 = Json::parse(silico({"plan", recipe.string(), "--store", store, "--json"}).out);
    EXPECT_EQ(plan1["complete"], 6);
    std::map<std::size_t, std::size_t> spikes_per_condition;
    for (const auto& t : plan1["trials"]) {
        auto key = Digest::from_hex(t["key"].get<std::string>());
        ASSERT_TRUE(key.has_value());
        auto record = st->find_trial(*key);
        ASSERT_TRUE(record.has_value());
        EXPECT_EQ(record->seed, t["seed"].get<std::uint64_t>());
        EXPECT_FALSE(record->neuron_version.empty());
        ASSERT_TRUE(record->outputs.contains("time"));
        ASSERT_TRUE(record->outputs.contains("soma.v"));
        ASSERT_TRUE(record->outputs.contains("spikes"));
        auto v = store::decode_array(*st->get_blob(record->outputs.at("soma.v").digest));
        ASSERT_TRUE(v.has_value());
        EXPECT_EQ(v->f64.at(0).size(), 1201u);  // 30 ms at dt 0.025 plus t = 0
        EXPECT_DOUBLE_EQ(v->f64.at(0).front(), -75.0);
        auto spikes = store::decode_array(*st->get_blob(record->outputs.at("spikes").digest));
        ASSERT_TRUE(spikes.has_value());
        spikes_per_condition[t["condition"].get<std::size_t>()] = spikes->f64.at(0).size();
    }
    // Conditions are sorted by amplitude: 5 pA stays below threshold, 50 pA fires.
    EXPECT_EQ(spikes_per_condition[0], 0u);
    EXPECT_GT(spikes_per_condition[1], 0u);

    // A second run must start no worker: an executor that cannot start one would fail the run if it tried.
    auto second = silico({"run", recipe.string(), "--store", store, "--executor",
                          "ssh:silico-no-such-host.invalid", "--json"});
    ASSERT_EQ(exit_code(second), 0) << second.out << second.err;
    const Json r2 = Json::parse(second.out);
    EXPECT_EQ(r2["cached"], 6);
    EXPECT_EQ(r2["succeeded"], 0);
    EXPECT_EQ(r2["workers_started"], false);
    auto text = silico({"run", recipe.string(), "--store", store});
    EXPECT_NE(text.out.find("6/6 trials complete (6 cached, 100% cache hits)"), std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("no worker started"), std::string::npos) << text.out;
    EXPECT_EQ(stored_outputs(store), outputs);

    // status and runs read the run record.
    auto status = silico({"status", recipe.string(), "--store", store});
    EXPECT_EQ(exit_code(status), 0) << status.err;
    EXPECT_NE(status.out.find("6/6 trials complete, 0 missing"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find("last run: complete"), std::string::npos) << status.out;
    auto runs = silico({"runs", "--store", store});
    EXPECT_NE(runs.out.find("complete  small  6/6 complete"), std::string::npos) << runs.out;
}

TEST_F(RunCommand, TrialsThatCrashTheirWorkerAreRecordedAsFailedAfterKAttemptsAndNamedInTheSummary) {
    // The test-only knob silico_test_abort_trials aborts trial index 1 of every condition.
    const auto recipe = write_recipe(
        "abort.toml",
        recipe_text("abort", "[0.1, 0.4]", 3, 10.0,
                    "[[cell.modify]]\nfunction = \"silico_test_abort_trials\"\nargs = {trials = [1]}\n"));
    const std::string store = (dir / "store").string();
    auto run =
        silico({"run", recipe.string(), "--store", store, "--executor", "local:2", "--max-attempts", "2"});
    EXPECT_EQ(exit_code(run), 1) << run.out << run.err;
    EXPECT_NE(run.out.find("4/6 trials complete"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("2 failed"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("(condition 0, trial 1,"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("(condition 1, trial 1,"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("after 2 attempts"), std::string::npos) << run.out;

    const Json plan = Json::parse(silico({"plan", recipe.string(), "--store", store, "--json"}).out);
    store::Options ro;
    ro.read_only = true;
    auto st = store::Store::open(store, ro);
    ASSERT_TRUE(st.has_value());
    for (const auto& t : plan["trials"]) {
        const bool aborting = t["trial"] == 1;
        EXPECT_EQ(t["complete"].get<bool>(), !aborting);
        auto failures = st->failures(*Digest::from_hex(t["key"].get<std::string>()));
        ASSERT_TRUE(failures.has_value());
        if (aborting) {
            ASSERT_EQ(failures->size(), 1u);
            EXPECT_EQ(failures->front().status, store::TrialStatus::failed);
            EXPECT_EQ(failures->front().attempt, 2u);
            EXPECT_NE(failures->front().stderr_tail.find("aborting trial 1 on purpose"), std::string::npos)
                << failures->front().stderr_tail;
        } else {
            EXPECT_TRUE(failures->empty());
        }
    }
}

TEST_F(RunCommand, PlanShowsKeysSeedsAndWhatIsComplete) {
    const auto recipe = write_recipe("p.toml", recipe_text("p", "[0.1, 0.2, 0.3]", 2, 10.0));
    auto plan = silico({"plan", recipe.string(), "--store", (dir / "none").string()});
    ASSERT_EQ(exit_code(plan), 0) << plan.err;
    EXPECT_NE(plan.out.find("3 conditions:"), std::string::npos) << plan.out;
    EXPECT_NE(plan.out.find("6 trials:"), std::string::npos) << plan.out;
    EXPECT_NE(plan.out.find("0/6 complete, 6 missing"), std::string::npos) << plan.out;
    EXPECT_NE(plan.out.find("seed "), std::string::npos);
}

TEST_F(RunCommand, AnInvalidRecipeExitsWithStatus2) {
    const auto recipe = write_recipe("bad.toml", "[experiment]\nnam = \"x\"\n");
    auto run = silico({"run", recipe.string(), "--store", (dir / "store").string()});
    EXPECT_EQ(exit_code(run), 2) << run.err;
    EXPECT_FALSE(fs::exists(dir / "store"));
}

pid_t spawn_quiet(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0 ? pid : -1;
}

// Trials committed so far in a store another process is writing (0 before the store exists).
std::size_t committed(const fs::path& store_dir) {
    if (!fs::exists(store_dir / "db")) return 0;
    store::Options options;
    options.read_only = true;
    auto store = store::Store::open(store_dir, options);
    if (!store) return 0;
    std::size_t n = 0;
    (void)store->for_each_trial([&](const Digest&, const store::TrialRecord&) { return ++n, true; });
    return n;
}

// Waits until `store_dir` holds more than `count` trials or `pid` has exited; false when it exited.
bool wait_for_commit(const fs::path& store_dir, std::size_t count, pid_t pid) {
    while (committed(store_dir) <= count) {
        siginfo_t info{};
        // WNOWAIT: the caller still collects the exit status.
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid == pid)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

// Process ids whose parent is `parent`, zombies left out.
std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> out;
    for (const auto& p : silico::testing::process_table())
        if (p.parent == parent && p.state != 'Z') out.push_back(p.pid);
    return out;
}

TEST_F(RunCommand, CtrlCStopsCleanlyWithStatus130AndTheNextRunResumes) {
    const auto recipe = write_recipe("int.toml", recipe_text("int", "[0.1, 0.2]", 12, 1500.0));
    const std::string store = (dir / "store").string();
    const pid_t pid =
        spawn_quiet({SILICO_EXE, "run", recipe.string(), "--store", store, "--executor", "local:2"});
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(wait_for_commit(store, 0, pid));  // the executor is running: one trial is in
    ::kill(pid, SIGINT);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 130);
    const auto partial = stored_outputs(store).size();
    EXPECT_LT(partial, 24u);
    auto resumed = silico({"run", recipe.string(), "--store", store, "--json"});
    ASSERT_EQ(exit_code(resumed), 0) << resumed.err;
    const Json r = Json::parse(resumed.out);
    EXPECT_EQ(r["cached"].get<std::size_t>(), partial);
    EXPECT_EQ(stored_outputs(store).size(), 24u);
}

// LONG (about a minute). Issue 6's kill test: a 60-trial run SIGKILLed at >= 10 random moments, restarted
// each time; in the end every trial is complete exactly once and bit-identical to an uninterrupted run.
// Then a run whose workers are SIGKILLed at >= 10 random moments completes by itself, also bit-identical.
TEST_F(RunCommand, LongKillTestRunnerKilledAtRandomMomentsResumesToBitIdenticalResults) {
    const auto recipe =
        write_recipe("kill.toml", recipe_text("kill", "[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]", 10, 1500.0));
    const std::string reference = (dir / "reference").string();
    const std::string resumed = (dir / "resumed").string();

    auto uninterrupted = silico({"run", recipe.string(), "--store", reference, "--executor", "local:2"});
    ASSERT_EQ(exit_code(uninterrupted), 0) << uninterrupted.out << uninterrupted.err;
    const auto expected = stored_outputs(reference);
    ASSERT_EQ(expected.size(), 60u);

    // Kill moments: right after a random number (0-2) of new commits, plus a random 0-40 ms, so kills land
    // during start-up, between trials and inside commits, however fast the machine is.
    std::mt19937 random(static_cast<unsigned>(::getpid()));
    std::uniform_int_distribution<int> new_commits(0, 2), jitter_ms(0, 40);
    int kills = 0, runs = 0;
    while (kills < 10 && runs < 60) {
        ++runs;
        const std::size_t before = committed(resumed);
        const pid_t pid =
            spawn_quiet({SILICO_EXE, "run", recipe.string(), "--store", resumed, "--executor", "local:1"});
        ASSERT_GT(pid, 0);
        const int wanted = new_commits(random);
        if (wanted > 0) wait_for_commit(resumed, before + static_cast<std::size_t>(wanted) - 1, pid);
        std::this_thread::sleep_for(std::chrono::milliseconds(jitter_ms(random)));
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            ++kills;
        } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            break;  // finished before the kill
        }
    }
    EXPECT_GE(kills, 10) << "the run finished after " << kills << " kills; make the trials longer";
    // Killed workers' orphans may still hold the lock for a moment: the final run waits for nothing else.
    CommandOutput last;
    for (int attempt = 0; attempt < 20; ++attempt) {
        last = silico({"run", recipe.string(), "--store", resumed, "--executor", "local:2"});
        if (exit_code(last) != 3) break;  // 3: store busy
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ASSERT_EQ(exit_code(last), 0) << last.out << last.err;
    EXPECT_EQ(stored_outputs(resumed), expected);
    store::Options ro;
    ro.read_only = true;
    auto st = store::Store::open(resumed, ro);
    ASSERT_TRUE(st.has_value());
    auto info = st->info();
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->trials, 60u);
    EXPECT_EQ(info->seeds, 60u);
    EXPECT_EQ(info->failures, 0u);

    // Separately, the workers: SIGKILL one of the running runner's workers at >= 10 random moments. The
    // runner retries the lost trials and completes the run by itself.
    const std::string worker_kills = (dir / "worker_kills").string();
    const pid_t runner = spawn_quiet({SILICO_EXE, "run", recipe.string(), "--store", worker_kills,
                                      "--executor", "local:2", "--max-attempts", "50"});
    ASSERT_GT(runner, 0);
    int worker_kills_done = 0, status = 0;
    while (worker_kills_done < 10) {
        // After each new commit (and a random 0-40 ms), one of the workers it has now.
        if (!wait_for_commit(worker_kills, static_cast<std::size_t>(worker_kills_done) * 2, runner)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(jitter_ms(random)));
        const auto workers = children_of(runner);
        if (workers.empty()) continue;
        ::kill(workers[static_cast<std::size_t>(random()) % workers.size()], SIGKILL);
        ++worker_kills_done;
    }
    if (::waitpid(runner, &status, 0) != runner) status = -1;
    EXPECT_GE(worker_kills_done, 10);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
    EXPECT_EQ(stored_outputs(worker_kills), expected);
}

// Checkpoints inside a trial (issue 6): a recipe is run with --checkpoint-every MS; the worker is SIGKILLed
// after a trial has saved at least one checkpoint; the runner's retry continues from the checkpoint (the
// JSON and the log say from which t), and the stored results equal an uninterrupted run's bit for bit.
void RunCommand::kill_worker_after_a_checkpoint_and_resume(const fs::path& recipe,
                                                           const std::string& every_ms, double tstop,
                                                           bool later_trial) {
    const std::string reference = (dir / "reference").string();
    auto uninterrupted = silico({"run", recipe.string(), "--store", reference, "--executor", "local:1"});
    ASSERT_EQ(exit_code(uninterrupted), 0) << uninterrupted.out << uninterrupted.err;
    const auto expected = stored_outputs(reference);
    ASSERT_FALSE(expected.empty());

    const fs::path store = dir / "store";
    const fs::path checkpoints = store / "checkpoints";
    const fs::path out_file = dir / "run.json", err_file = dir / "run.err";
    std::vector<std::string> args = {SILICO_EXE,           "run",        recipe.string(), "--store",
                                     store.string(),       "--executor", "local:1",       "--json",
                                     "--checkpoint-every", every_ms};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t runner = -1;
    ASSERT_EQ(posix_spawn(&runner, argv[0], &actions, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&actions);

    // Wait for a trial's first checkpoint (with later_trial: one of another trial than the first seen), let
    // it run a little further, then SIGKILL the worker.
    std::string first_seen;
    auto has_checkpoint = [&] {
        std::error_code ec;
        for (auto it = fs::directory_iterator(checkpoints, ec); !ec && it != fs::directory_iterator();
             it.increment(ec)) {
            if (it->path().extension() != ".ckpt") continue;
            const std::string name = it->path().filename().string();
            if (first_seen.empty()) first_seen = name;
            if (!later_trial || name != first_seen) return true;
        }
        return false;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!has_checkpoint() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(has_checkpoint()) << "no checkpoint appeared in " << checkpoints;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::mt19937(::getpid())() % 50));
    const auto workers = children_of(runner);
    ASSERT_EQ(workers.size(), 1u);
    ASSERT_EQ(::kill(workers[0], SIGKILL), 0);

    int status = 0;
    ASSERT_EQ(::waitpid(runner, &status, 0), runner);
    std::ifstream out_stream(out_file), err_stream(err_file);
    const std::string out((std::istreambuf_iterator<char>(out_stream)), std::istreambuf_iterator<char>());
    const std::string err((std::istreambuf_iterator<char>(err_stream)), std::istreambuf_iterator<char>());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out << err;
    const Json r = Json::parse(out);
    EXPECT_EQ(r["succeeded"].get<std::size_t>(), expected.size());
    const auto& resumed = r["checkpoints"]["resumed"];
    ASSERT_EQ(resumed.size(), 1u) << out << err;
    const double from = resumed[0]["from_ms"].get<double>();
    EXPECT_GT(from, 0.0);
    EXPECT_LT(from, tstop);
    EXPECT_TRUE(expected.contains(resumed[0]["key"].get<std::string>()));
    EXPECT_NE(err.find("resumed from its checkpoint at t = "), std::string::npos) << err;
    std::cout << "[ ckpt    ] worker killed, trial resumed from t = " << from << " ms\n";
    // The results are the uninterrupted ones, and the committed trials' checkpoints (and folder) are gone.
    EXPECT_EQ(stored_outputs(store), expected);
    EXPECT_FALSE(fs::exists(checkpoints));
}

TEST_F(RunCommand, AWorkerKilledMidTrialIsResumedFromItsCheckpointToTheBitIdenticalResult) {
    // One 4000 ms trial on the one-compartment cell: 160 000 steps, 199 checkpoints.
    const auto recipe = write_recipe("ckpt.toml", recipe_text("ckpt", "0.3", 1, 4000.0));
    kill_worker_after_a_checkpoint_and_resume(recipe, "20", 4000.0);
}

// The same for whisker-evoked trials on the example cell and its synthetic network (VecStims, NetCons and
// their queued events are part of the checkpoint; the presynaptic activity is drawn again from the seed).
TEST_F(RunCommand, AnEvokedTrialKilledMidTrialIsResumedFromItsCheckpointToTheBitIdenticalResult) {
    const fs::path examples = SILICO_SOURCE_DIR "/recipes/examples";
    const auto recipe =
        write_recipe("evoked.toml",
                     "[experiment]\nname = \"ckpt-evoked\"\nprotocol = \"evoked\"\n[cell]\nbiophysics = \"" +
                         (examples / "cells/l5pt_example.param").string() + "\"\n[input]\nnetwork = \"" +
                         (examples / "cells/l5pt_example_network.param").string() +
                         "\"\n[simulation]\ntstop = 300.0\ntrials = 2\n[record]\nsynapse_activation = "
                         "true\n[seeds]\nmode = \"independent\"\n");
    // The second trial: the killed worker's network had served the first one; the resuming worker's has not.
    kill_worker_after_a_checkpoint_and_resume(recipe, "25", 300.0, true);
}

TEST_F(RunCommand, CheckpointsAreRefusedForCvodeConditionsWithTheReason) {
    const auto recipe =
        write_recipe("cvode.toml", recipe_text("cvode", "0.3", 1, 100.0) + "solver = \"cvode\"\n");
    auto run =
        silico({"run", recipe.string(), "--store", (dir / "store").string(), "--checkpoint-every", "20"});
    EXPECT_EQ(exit_code(run), 2) << run.out << run.err;
    EXPECT_NE(run.err.find("needs the fixed-step solver, but condition 0 uses cvode"), std::string::npos)
        << run.err;
    // Without checkpoints the same recipe runs.
    auto plain = silico({"run", recipe.string(), "--store", (dir / "store").string()});
    EXPECT_EQ(exit_code(plain), 0) << plain.out << plain.err;
}

}  // namespace
}  // namespace silico::runner
