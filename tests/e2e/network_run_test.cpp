// `silico run` of an evoked recipe end to end: the real executable, a real worker running cell 86 with ISF's
// example network in NEURON, a real store; then the same command again finds every trial cached.
//
// LONG SIMULATION TEST: the worker builds cell 86 and its network (~5 s) and runs two 40 ms trials.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "executors/child_process.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"

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

CommandOutput silico(std::vector<std::string> args) {
    args.insert(args.begin(), SILICO_EXE);
    auto out = run_command(args);
    EXPECT_TRUE(out.has_value());
    return out ? *out : CommandOutput{};
}

int exit_code(const CommandOutput& out) {
    return WIFEXITED(out.status) ? WEXITSTATUS(out.status) : -1;
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

}  // namespace
}  // namespace silico::runner
