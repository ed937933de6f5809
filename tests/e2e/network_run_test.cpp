// `silico run` of an evoked recipe end to end: the real executable, a real worker running cell 86 with ISF's
// example network in NEURON, a real store; then the same command again finds every trial cached.
// IsfSeedsRun: recipes with `seeds.mode = "isf"` on silico's example cell and network (issue 11): every trial
// of a condition carries the one process seed, and each registers its own (seed, sweep, condition).
//
// LONG SIMULATION TEST: the worker builds cell 86 and its network (~5 s) and runs two 40 ms trials; the isf
// tests run 60 ms trials of the example cell (~1 s each run).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "executors/child_process.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"
#include "silico_process.hpp"

namespace silico::runner {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string k_isf = SILICO_SHARED_DIR "/isf";

std::string evoked_recipe() {
    return "[paths]\nIN_SILICO_FRAMEWORK_DIR = \"" + k_isf + R"("

[experiment]
name = "evoked-two-trials"
protocol = "evoked"

[cell]
biophysics = "[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data/biophysical_constraints/86_C2_center.param.TEMPLATE"

[input]
network = "[IN_SILICO_FRAMEWORK_DIR]/getting_started/example_data/functional_constraints/network.param.TEMPLATE"

[simulation]
tstop = 40.0
trials = 2
units = "legacy"

[record]
synapse_activation = true
presynaptic_spikes = true

[seeds]
root = 11
)";
}

using silico::testing::exit_code;

CommandOutput silico(std::vector<std::string> args) {
    return silico::testing::run_silico(std::move(args));
}

TEST(NetworkRun, AnEvokedRecipeRunsThroughWorkersIntoTheStoreAndASecondRunIsAllCached) {
    const fs::path dir =
        fs::temp_directory_path() / ("silico_network_run_test_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path recipe = dir / "evoked.toml";
    std::ofstream(recipe) << evoked_recipe();
    const std::string store_dir = (dir / "store").string();

    auto first = silico({"run", recipe.string(), "--store", store_dir, "--executor", "local:1", "--json"});
    ASSERT_EQ(exit_code(first), 0) << first.out << first.err;
    const Json r1 = Json::parse(first.out);
    EXPECT_EQ(r1["succeeded"], 2);
    EXPECT_EQ(r1["cached"], 0);
    EXPECT_EQ(r1["failed"], 0);

    // Both trials stored with the network tables; different trials, different activity.
    store::Options ro;
    ro.read_only = true;
    std::vector<std::string> populations;
    {
        auto st = store::Store::open(store_dir, ro);
        ASSERT_TRUE(st.has_value()) << st.error().what();
        std::size_t trials = 0;
        auto walked = st->for_each_trial([&](const Digest&, const store::TrialRecord& record) {
            ++trials;
            for (const char* name :
                 {"time", "soma.v", "spikes", "synapse_activation.population", "synapse_activation.ids",
                  "synapse_activation.soma_distance", "synapse_activation.label", "synapse_activation.times",
                  "presynaptic_spikes.population", "presynaptic_spikes.cell_id", "presynaptic_spikes.times"})
                EXPECT_TRUE(record.outputs.contains(name)) << name;
            auto blob = st->get_blob(record.outputs.at("synapse_activation.population").digest);
            EXPECT_TRUE(blob.has_value());
            if (!blob) return true;
            auto names = store::decode_array(*blob);
            EXPECT_TRUE(names.has_value());
            if (!names) return true;
            EXPECT_FALSE(names->strings.empty());
            populations.push_back(Json(names->strings).dump());
            return true;
        });
        ASSERT_TRUE(walked.has_value());
        EXPECT_EQ(trials, 2u);
    }
    ASSERT_EQ(populations.size(), 2u);
    EXPECT_NE(populations[0], populations[1]);

    // The same recipe again: every trial cached, no worker started.
    auto second = silico({"run", recipe.string(), "--store", store_dir, "--executor",
                          "ssh:silico-no-such-host.invalid", "--json"});
    ASSERT_EQ(exit_code(second), 0) << second.out << second.err;
    const Json r2 = Json::parse(second.out);
    EXPECT_EQ(r2["cached"], 2);
    EXPECT_EQ(r2["succeeded"], 0);
    EXPECT_EQ(r2["workers_started"], false);
    fs::remove_all(dir);
}

// ----- isf seeds

const std::string k_examples = SILICO_SOURCE_DIR "/recipes/examples/cells";

// `trials` trials of ISF seed 1234 per condition on the example cell and network; `extra` adds tables.
std::string isf_recipe(const std::string& name, int trials, const std::string& extra = "") {
    return "[experiment]\nname = \"" + name + "\"\nprotocol = \"evoked\"\n\n[cell]\nbiophysics = \"" +
           k_examples + "/l5pt_example.param\"\n\n[input]\nnetwork = \"" + k_examples +
           "/l5pt_example_network.param\"\n\n[simulation]\ntstop = 60.0\ntrials = " + std::to_string(trials) +
           "\n\n[record]\nsynapse_activation = true\n\n[seeds]\nmode = \"isf\"\nroot = 1234\n" + extra;
}

class IsfSeedsRun : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("silico_isf_seeds_test_" + std::to_string(::getpid()) + "_" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        store_dir = (dir / "store").string();
    }
    void TearDown() override { fs::remove_all(dir); }

    fs::path write_recipe(const std::string& text) {
        const fs::path file = dir / "recipe.toml";
        std::ofstream(file) << text;
        return file;
    }

    Json plan(const fs::path& recipe) {
        auto out = silico({"plan", recipe.string(), "--store", store_dir, "--json"});
        EXPECT_EQ(exit_code(out), 0) << out.err;
        return Json::parse(out.out);
    }

    // A second run must find every trial cached: the ssh executor to a host that does not exist would fail
    // the run if it tried to start a worker.
    void expect_second_run_is_all_cache_hits(const fs::path& recipe, std::size_t trials) {
        auto again = silico({"run", recipe.string(), "--store", store_dir, "--executor",
                             "ssh:silico-no-such-host.invalid", "--json"});
        ASSERT_EQ(exit_code(again), 0) << again.out << again.err;
        const Json r = Json::parse(again.out);
        EXPECT_EQ(r["cached"], trials);
        EXPECT_EQ(r["succeeded"], 0);
        EXPECT_EQ(r["workers_started"], false);
        auto text = silico(
            {"run", recipe.string(), "--store", store_dir, "--executor", "ssh:silico-no-such-host.invalid"});
        EXPECT_EQ(exit_code(text), 0) << text.out << text.err;
        const std::string n = std::to_string(trials);
        EXPECT_NE(text.out.find(n + "/" + n + " trials complete (" + n + " cached, 100% cache hits)"),
                  std::string::npos)
            << text.out;
    }

    // The digest of each planned trial's synapse release times, checking its record's seed registration.
    std::vector<std::string> release_times_of_each_trial(const Json& planned) {
        std::vector<std::string> out;
        store::Options ro;
        ro.read_only = true;
        auto st = store::Store::open(store_dir, ro);
        EXPECT_TRUE(st.has_value()) << (st ? "" : st.error().what());
        if (!st) return out;
        for (const auto& t : planned["trials"]) {
            const auto key = *Digest::from_hex(t["key"].get<std::string>());
            const auto condition = *Digest::from_hex(
                planned["conditions"][t["condition"].get<std::size_t>()]["key"].get<std::string>());
            const auto sweep = t["trial"].get<std::uint64_t>();
            auto record = st->find_trial(key);
            EXPECT_TRUE(record.has_value()) << "trial " << t["index"];
            if (!record) return out;
            EXPECT_EQ(record->seed, 1234u);
            EXPECT_EQ(record->seed_mode, store::SeedMode::isf);
            EXPECT_EQ(record->sweep, sweep);
            EXPECT_EQ(record->condition, condition);
            auto owner = st->isf_seed_owner(1234, sweep, condition);
            EXPECT_TRUE(owner.has_value() && owner->has_value() && **owner == key) << "trial " << t["index"];
            out.push_back(record->outputs.at("synapse_activation.times").digest.hex());
        }
        return out;
    }

    fs::path dir;
    std::string store_dir;
};

TEST_F(IsfSeedsRun, ThreeTrialsOfOneProcessSeedAllCompleteAndASecondRunIsAllCacheHits) {
    const auto recipe = write_recipe(isf_recipe("isf-three-sweeps", 3));
    const Json planned = plan(recipe);
    ASSERT_EQ(planned["total"], 3);
    for (const auto& t : planned["trials"]) EXPECT_EQ(t["seed"], 1234);  // ISF's process seed, every trial

    auto first = silico({"run", recipe.string(), "--store", store_dir, "--executor", "local:1", "--json"});
    ASSERT_EQ(exit_code(first), 0) << first.out << first.err;
    const Json r = Json::parse(first.out);
    EXPECT_EQ(r["succeeded"], 3);
    EXPECT_EQ(r["failed"], 0);
    EXPECT_EQ(r["state"], "complete");

    // Three sweeps of the stream: three different draws of presynaptic activity.
    const auto times = release_times_of_each_trial(planned);
    ASSERT_EQ(times.size(), 3u);
    EXPECT_NE(times[0], times[1]);
    EXPECT_NE(times[1], times[2]);
    EXPECT_NE(times[0], times[2]);

    expect_second_run_is_all_cache_hits(recipe, 3);
}

TEST_F(IsfSeedsRun, TwoConditionsSweptWithOneRootAllCompleteAndShareEachSweepsActivity) {
    const auto recipe = write_recipe(isf_recipe("isf-two-conditions", 2,
                                                "\n[[stimulus.step]]\namplitude = [0.0, 0.5]\ndelay = 10.0\n"
                                                "duration = 40.0\n"));
    const Json planned = plan(recipe);
    ASSERT_EQ(planned["conditions"].size(), 2u);
    ASSERT_EQ(planned["total"], 4);

    auto first = silico({"run", recipe.string(), "--store", store_dir, "--executor", "local:1", "--json"});
    ASSERT_EQ(exit_code(first), 0) << first.out << first.err;
    const Json r = Json::parse(first.out);
    EXPECT_EQ(r["succeeded"], 4);
    EXPECT_EQ(r["failed"], 0);

    // Trial i of each condition is ISF's sweep i of process seed 1234: the same presynaptic activity under
    // another stimulus, as ISF gives when it runs both conditions with one seed.
    const auto times = release_times_of_each_trial(planned);
    ASSERT_EQ(times.size(), 4u);  // condition-major: c0 #0, c0 #1, c1 #0, c1 #1
    EXPECT_EQ(times[0], times[2]);
    EXPECT_EQ(times[1], times[3]);
    EXPECT_NE(times[0], times[1]);

    expect_second_run_is_all_cache_hits(recipe, 4);
}

TEST_F(IsfSeedsRun, ATrialWhoseSweepOfItsConditionAnotherKeyHoldsIsRefusedNamingTheModeAndBothTrials) {
    const auto recipe = write_recipe(isf_recipe("isf-collision", 3));
    const Json planned = plan(recipe);
    const auto condition = *Digest::from_hex(planned["conditions"][0]["key"].get<std::string>());
    const std::string refused = planned["trials"][1]["key"];
    // Another trial key (as a model-code change would make) already holds sweep 1 of seed 1234 here.
    const Digest squatter = sha256("another trial of this condition");
    {
        auto st = store::Store::open(store_dir);
        ASSERT_TRUE(st.has_value()) << st.error().what();
        store::TrialRecord record;
        record.seed = 1234;
        record.seed_mode = store::SeedMode::isf;
        record.sweep = 1;
        record.condition = condition;
        ASSERT_TRUE(st->commit_trial(squatter, record, {{"v", "x"}}));
    }

    auto run = silico({"run", recipe.string(), "--store", store_dir, "--executor", "local:1"});
    EXPECT_EQ(exit_code(run), 1) << run.out << run.err;
    EXPECT_NE(run.out.find("2/3 trials complete"), std::string::npos) << run.out;
    EXPECT_NE(run.out.find("ISF process seed 1234, sweep 1 of condition " + condition.hex() +
                           " (seed mode isf) is already used by trial " + squatter.hex() + "; trial " +
                           refused + " claims it too"),
              std::string::npos)
        << run.out;
    const Json after = plan(recipe);
    EXPECT_EQ(after["trials"][0]["complete"], true);
    EXPECT_EQ(after["trials"][1]["complete"], false);
    EXPECT_EQ(after["trials"][2]["complete"], true);
}

}  // namespace
}  // namespace silico::runner
