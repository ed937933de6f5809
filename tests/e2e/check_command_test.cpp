// `silico check` end to end: the real executable re-runs cached trials of a one-compartment cell in real
// workers and compares them with a real store's outputs (docs/check.md).
//
// A changed model is simulated the most real way that needs no second build: the stored outputs of some
// trials are those NEURON computed for a cell whose sodium conductance (a mechanism parameter) differed.
// The test runs that variant recipe into a second store and commits its outputs under the original trials'
// keys, which is what a store holds after the mechanism's parameter changed in code and the code changed
// back (or a broken build wrote them). `check` must name exactly those trials.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "silico/store/store.hpp"
#include "silico_process.hpp"
#include "temp_dir.hpp"

namespace silico::runner {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string read_file(const fs::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

using ::silico::testing::exit_code;
using ::silico::testing::stored_digests;

CommandOutput silico(std::vector<std::string> args) {
    return ::silico::testing::run_silico(std::move(args));
}

class CheckCommand : public ::testing::Test {
  protected:
    // Two conditions (a subthreshold and a spiking step) x 2 trials of 30 ms on the cell in `param`.
    fs::path write_recipe(const std::string& name, const fs::path& param, int trials = 2) {
        const fs::path file = tmp / (name + ".toml");
        std::ofstream(file) << "[experiment]\nname = \"" << name
                            << "\"\nprotocol = \"current_step\"\n\n[cell]\nbiophysics = \"" << param.string()
                            << "\"\n\n[[stimulus.step]]\namplitude = [0.005, 0.05]\ndelay = 2.0\nduration = "
                               "26.0\n\n[simulation]\ntstop = 30.0\ntrials = "
                            << trials << "\n";
        return file;
    }
    // The one-compartment cell with its sodium conductance gNaTa_tbar changed from 2.04 to `gbar`.
    fs::path variant_cell(const std::string& gbar) {
        std::string text = read_file(k_cell);
        const std::string from = "\"gNaTa_tbar\": 2.04";
        const auto at = text.find(from);
        EXPECT_NE(at, std::string::npos);
        text.replace(at, from.size(), "\"gNaTa_tbar\": " + gbar);
        const fs::path file = tmp / ("cell_" + gbar + ".param");
        std::ofstream(file) << text;
        fs::copy_file(k_cell.parent_path() / "one_compartment.hoc", tmp / "one_compartment.hoc",
                      fs::copy_options::overwrite_existing);  // the morphology it names, beside it
        return file;
    }
    Json plan_json(const fs::path& recipe, const fs::path& store) {
        auto out = silico({"plan", recipe.string(), "--store", store.string(), "--json"});
        EXPECT_EQ(exit_code(out), 0) << out.err;
        return Json::parse(out.out);
    }
    void run(const fs::path& recipe, const fs::path& store) {
        auto out = silico({"run", recipe.string(), "--store", store.string(), "--executor", "local:2"});
        ASSERT_EQ(exit_code(out), 0) << out.out << out.err;
    }

    // A store holding `plan`'s trials as `original` has them, except that the trials of condition 1 have
    // the outputs of the same trials of `variant_plan` in `changed`. Returns the keys of the altered trials.
    std::set<std::string> plant(const Json& plan, const fs::path& original, const Json& variant_plan,
                                const fs::path& changed, const fs::path& planted) {
        std::set<std::string> altered;
        auto a = store::Store::open(original, {.read_only = true});
        auto b = store::Store::open(changed, {.read_only = true});
        auto c = store::Store::open(planted);
        EXPECT_TRUE(a && b && c);
        if (!a || !b || !c) return altered;
        for (std::size_t i = 0; i < plan["trials"].size(); ++i) {
            const auto key = *Digest::from_hex(plan["trials"][i]["key"].get<std::string>());
            const bool alter = plan["trials"][i]["condition"] == 1;
            const auto& from = alter ? *b : *a;
            const auto source_key =
                alter ? *Digest::from_hex(variant_plan["trials"][i]["key"].get<std::string>()) : key;
            auto record = *a->find_trial(key);
            auto source = *from.find_trial(source_key);
            std::vector<store::NamedBlob> outputs;
            for (const auto& [name, ref] : source.outputs)
                outputs.push_back({name, *from.get_blob(ref.digest)});
            EXPECT_TRUE(c->commit_trial(key, record, outputs).has_value());
            if (alter) altered.insert(key.hex());
        }
        return altered;
    }

    const fs::path k_cell = SILICO_SOURCE_DIR "/tests/data/one_compartment.param";
    store::testing::TempDir tmp;
};

TEST_F(CheckCommand, PassesOnAnUnchangedModelAndLeavesTheStoreAsItWas) {
    const auto recipe = write_recipe("steps", k_cell);
    const fs::path store = tmp / "store";
    run(recipe, store);
    const auto before = stored_digests(store);
    ASSERT_EQ(before.size(), 4u);

    auto all =
        silico({"check", recipe.string(), "--store", store.string(), "--executor", "local:2", "--json"});
    ASSERT_EQ(exit_code(all), 0) << all.out << all.err;
    const Json report = Json::parse(all.out);
    EXPECT_EQ(report["checked"], 4);
    EXPECT_EQ(report["identical"], 4);
    EXPECT_EQ(report["differ"], 0);
    for (const auto& t : report["trials"]) {
        EXPECT_TRUE(t["identical"].get<bool>()) << t.dump();
        EXPECT_EQ(t["outputs"].size(), 3u) << t.dump();  // time, soma.v, spikes
    }

    auto sample =
        silico({"check", recipe.string(), "--store", store.string(), "--sample", "2", "--seed", "7"});
    ASSERT_EQ(exit_code(sample), 0) << sample.out << sample.err;
    EXPECT_NE(sample.out.find("2 of 4 cached trials re-run"), std::string::npos) << sample.out;
    EXPECT_NE(sample.out.find("2 identical, 0 within tolerance, 0 differ"), std::string::npos) << sample.out;
    EXPECT_EQ(stored_digests(store), before);
}

TEST_F(CheckCommand, FailsNamingExactlyTheTrialsWhoseStoredOutputsAnotherSodiumConductanceMade) {
    const auto recipe = write_recipe("steps", k_cell);
    const auto variant = write_recipe("steps_variant", variant_cell("1.8"));
    const fs::path original = tmp / "original", changed = tmp / "changed", planted = tmp / "planted";
    run(recipe, original);
    run(variant, changed);
    const Json plan = plan_json(recipe, original), variant_plan = plan_json(variant, changed);
    ASSERT_EQ(plan["trials"].size(), 4u);

    // The planted store: the original trials, with the variant's outputs in the trials of condition 1.
    const std::set<std::string> altered = plant(plan, original, variant_plan, changed, planted);
    ASSERT_EQ(altered.size(), 2u);
    const auto before = stored_digests(planted);

    auto json =
        silico({"check", recipe.string(), "--store", planted.string(), "--executor", "local:2", "--json"});
    EXPECT_EQ(exit_code(json), 1) << json.out << json.err;
    const Json report = Json::parse(json.out);
    EXPECT_EQ(report["checked"], 4);
    EXPECT_EQ(report["identical"], 2);
    EXPECT_EQ(report["differ"], 2);
    for (const auto& t : report["trials"]) {
        const bool should_differ = altered.contains(t["key"].get<std::string>());
        EXPECT_EQ(t["identical"].get<bool>(), !should_differ) << t.dump();
        if (!should_differ) continue;
        for (const auto& o : t["outputs"]) {
            if (o["output"] == "time") {
                EXPECT_TRUE(o["identical"].get<bool>());
            }
            if (o["output"] == "soma.v") {
                EXPECT_FALSE(o["within_tolerance"].get<bool>());
                EXPECT_GT(o["max_abs_delta"].get<double>(), 0.0);
                EXPECT_GT(o["first_time_ms"].get<double>(), 0.0);  // t = 0 is Vinit in both
            }
        }
    }

    // The text report names each differing trial by its key, and the stored trials stay as they were.
    auto text = silico({"check", recipe.string(), "--store", planted.string(), "--executor", "local:2"});
    EXPECT_EQ(exit_code(text), 1);
    for (const auto& key : altered)
        EXPECT_NE(text.out.find("key " + key + "): DIFFERS"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("soma.v: max |delta|"), std::string::npos) << text.out;
    EXPECT_EQ(stored_digests(planted), before);
}

// A copy of this checkout's model code (experiments/ and mechanisms/) as a git repository of its own, which
// silico reads its model-code version from when $SILICO_MODEL_SOURCE_DIR names it. The binary runs the model
// it was built with, which is the same code: a commit that only edits a comment changes the version alone.
class ModelCheckout {
  public:
    explicit ModelCheckout(const fs::path& dir) : m_dir(dir) {
        fs::create_directories(dir);
        for (const char* part : {"experiments", "mechanisms"})
            fs::copy(fs::path(SILICO_SOURCE_DIR) / part, dir / part, fs::copy_options::recursive);
        git({"init", "-q"});
        commit("the model code of this build");
        ::setenv("SILICO_MODEL_SOURCE_DIR", dir.c_str(), 1);
    }
    ~ModelCheckout() { ::unsetenv("SILICO_MODEL_SOURCE_DIR"); }

    void commit_comment(const std::string& comment) {
        std::ofstream(m_dir / "experiments/trial/src/trial_runner.cpp", std::ios::app)
            << "// " << comment << "\n";
        commit(comment);
    }

  private:
    void git(std::vector<std::string> args) {
        args.insert(args.begin(), {"git", "-C", m_dir.string(), "-c", "user.name=silico test", "-c",
                                   "user.email=test@silico.invalid"});
        auto out = run_command(args);
        ASSERT_TRUE(out.has_value());
        ASSERT_TRUE(out->succeeded()) << out->err;
    }
    void commit(const std::string& message) {
        git({"add", "-A"});
        git({"commit", "-q", "-m", message});
    }
    fs::path m_dir;
};

TEST_F(CheckCommand, AdoptAfterACommentOnlyChangeRecordsTheProofAndTheNextRunIsAllCacheHits) {
    ModelCheckout checkout(tmp / "checkout");
    const auto recipe = write_recipe("steps", k_cell);
    const fs::path store = tmp / "store";
    run(recipe, store);
    const Json old_plan = plan_json(recipe, store);
    ASSERT_EQ(old_plan["complete"], 4);

    checkout.commit_comment("a comment, nothing else");
    const Json changed = plan_json(recipe, store);
    ASSERT_NE(changed["model_key"], old_plan["model_key"]);
    EXPECT_EQ(changed["missing"], 4);  // the model-code version is part of every key

    auto adopt =
        silico({"check", recipe.string(), "--store", store.string(), "--executor", "local:2", "--adopt"});
    ASSERT_EQ(exit_code(adopt), 0) << adopt.out << adopt.err;
    EXPECT_NE(adopt.out.find("adopted: model " + changed["model_key"].get<std::string>() +
                             " reproduces model " + old_plan["model_key"].get<std::string>()),
              std::string::npos)
        << adopt.out;

    // The proof: every trial re-run, each output's digest, the commit and time.
    auto item = silico({"store", "get", "model-adoption/" + changed["model_key"].get<std::string>(),
                        "--store", store.string()});
    ASSERT_EQ(exit_code(item), 0) << item.err;
    const Json proof = Json::parse(item.out);
    EXPECT_EQ(proof["reproduces"], old_plan["model_key"]);
    EXPECT_EQ(proof["trials"].size(), 4u);
    EXPECT_EQ(proof["trials"][0]["outputs"].size(), 3u);
    EXPECT_FALSE(proof["silico_commit"].get<std::string>().empty());
    EXPECT_GT(proof["time_unix_ms"].get<std::int64_t>(), 0);

    // Plans show where each trial comes from, and the run simulates nothing.
    const Json adopted = plan_json(recipe, store);
    EXPECT_EQ(adopted["complete"], 4);
    EXPECT_EQ(adopted["adopted_models"][0], old_plan["model_key"]);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(adopted["trials"][i]["adopted_from_model"], old_plan["model_key"]);
        EXPECT_EQ(adopted["trials"][i]["stored_key"], old_plan["trials"][i]["key"]);
    }
    auto explain = silico({"explain", recipe.string(), "--trial", "3", "--store", store.string()});
    EXPECT_NE(explain.out.find("store.trial = complete\nstore.stored-key = " +
                               old_plan["trials"][3]["key"].get<std::string>() +
                               "\nstore.adopted-from-model = " + old_plan["model_key"].get<std::string>()),
              std::string::npos)
        << explain.out;
    auto again = silico({"run", recipe.string(), "--store", store.string(), "--json"});
    ASSERT_EQ(exit_code(again), 0) << again.out << again.err;
    const Json r = Json::parse(again.out);
    EXPECT_EQ(r["cached"], 4);
    EXPECT_EQ(r["succeeded"], 0);
    EXPECT_EQ(r["workers_started"], false);
    // CI's regression check under the new version compares with the adopted trials.
    auto check = silico({"check", recipe.string(), "--store", store.string(), "--executor", "local:2"});
    EXPECT_EQ(exit_code(check), 0) << check.out << check.err;
    EXPECT_NE(check.out.find("4 identical"), std::string::npos) << check.out;
    // A third trial per condition, added under the new version, is computed; the adopted four stay cached.
    const auto more = write_recipe("steps_more", k_cell, 3);
    auto run_more =
        silico({"run", more.string(), "--store", store.string(), "--executor", "local:2", "--json"});
    ASSERT_EQ(exit_code(run_more), 0) << run_more.out << run_more.err;
    const Json m = Json::parse(run_more.out);
    EXPECT_EQ(m["cached"], 4);
    EXPECT_EQ(m["succeeded"], 2);
}

TEST_F(CheckCommand, AdoptRefusesNamingTheTrialsWhenTheOldVersionsResultsDiffer) {
    ModelCheckout checkout(tmp / "checkout");
    const auto recipe = write_recipe("steps", k_cell);
    const auto variant = write_recipe("steps_variant", variant_cell("1.8"));
    const fs::path original = tmp / "original", changed = tmp / "changed", store = tmp / "store";
    run(recipe, original);
    run(variant, changed);
    // The old version's trials as a model with another sodium conductance computed them.
    const std::set<std::string> altered =
        plant(plan_json(recipe, original), original, plan_json(variant, changed), changed, store);
    ASSERT_EQ(altered.size(), 2u);

    checkout.commit_comment("the code that computed them differed");
    auto adopt = silico(
        {"check", recipe.string(), "--store", store.string(), "--executor", "local:2", "--adopt", "--json"});
    EXPECT_EQ(exit_code(adopt), 1) << adopt.out << adopt.err;
    EXPECT_NE(adopt.err.find("adoption refused"), std::string::npos) << adopt.err;
    const Json report = Json::parse(adopt.out);
    EXPECT_EQ(report["differ"], 2);
    for (const auto& t : report["trials"])
        EXPECT_EQ(t["identical"].get<bool>(), !altered.contains(t["key"].get<std::string>())) << t.dump();
    const Json after = plan_json(recipe, store);
    EXPECT_EQ(after["missing"], 4);
    EXPECT_TRUE(after["adopted_models"].empty());
}

}  // namespace
}  // namespace silico::runner
