#include "silico/recipes/plan.hpp"

#include <gtest/gtest.h>

#include <set>

#include "recipe_fixture.hpp"

namespace silico::recipes::testing {
namespace {

KeyContext fixed_context() {
    KeyContext c;
    c.mechanisms = mechanism_set_digest({{"a.mod", "A"}});
    c.neuron_version = "8.2.2";
    c.model.experiments_tree = std::string(40, 'e');
    c.model.mechanisms_tree = std::string(40, 'f');
    return c;
}

class Planning : public RecipeFolder {
  protected:
    Plan plan_of(const std::string& text) {
        auto r = parse(text);
        EXPECT_TRUE(r.has_value()) << (r ? "" : all(r.error())) << "\n" << text;
        if (!r) return {};
        m_last = *r;
        auto p = expand(*r, fixed_context());
        EXPECT_TRUE(p.has_value());
        return p ? *p : Plan{};
    }
    std::vector<std::string> keys_of(const std::string& text) {
        std::vector<std::string> keys;
        for (const auto& t : plan_of(text).trials) keys.push_back(t.key.hex());
        return keys;
    }
    Recipe m_last;
};

constexpr const char* k_spelled = R"(# A comment, and keys in another order with other number spellings.
[simulation]
tstop = 2e2          # 200.0
dt = 0.025           # the default, written out

[[stimulus.step]]
duration = 1e2
delay = 10
amplitude = 5e-1

[cell]
biophysics = "./sub/../cell.param"

[experiment]
protocol = "current_step"
name = "t"
)";

TEST_F(Planning, SemanticallyIdenticalRecipesHaveIdenticalCanonicalBytes) {
    fs::create_directories(m_dir / "sub");
    auto a = parse(k_base_recipe);
    auto b = parse(k_spelled);
    auto c = parse(
        "experiment = { name = \"t\", protocol = \"current_step\" }\n"
        "cell = { biophysics = \"cell.param\" }\n"
        "simulation = { tstop = 200 }\n"
        "stimulus = { step = [ { amplitude = 0.5, delay = 10.0, duration = 100.0 } ] }\n"
        "record = {}\n");
    ASSERT_TRUE(a && b && c) << (a ? "" : all(a.error())) << (b ? "" : all(b.error()))
                             << (c ? "" : all(c.error()));
    EXPECT_EQ(a->canonical, b->canonical);
    EXPECT_EQ(a->canonical, c->canonical);
    EXPECT_EQ(a->digest, b->digest);
    EXPECT_EQ(a->root_seed, b->root_seed);
    // Defaults are in the canonical form; file paths are not, their digests are.
    EXPECT_NE(a->canonical.find("\"solver\":\"fixed\""), std::string::npos) << a->canonical;
    EXPECT_NE(a->canonical.find("\"temperature\":34.0"), std::string::npos);
    EXPECT_EQ(a->canonical.find("cell.param"), std::string::npos);
    EXPECT_NE(a->canonical.find("sha256:"), std::string::npos);
    EXPECT_EQ(keys_of(k_base_recipe), keys_of(k_spelled));
}

TEST_F(Planning, NamesDescriptionsAndExplicitDefaultsDoNotChangeKeys) {
    const auto base = keys_of(k_base_recipe);
    EXPECT_EQ(keys_of(replaced(k_base_recipe, "name = \"t\"", "name = \"renamed\"\ndescription = \"why\"")),
              base);
    EXPECT_EQ(keys_of(std::string(k_base_recipe) + "[record]\ndt = 0.025\nsoma = true\n"), base);
    EXPECT_EQ(keys_of(std::string(k_base_recipe) + "[seeds]\nmode = \"independent\"\n"), base);
}

TEST_F(Planning, EveryParameterChangesTheKey) {
    const auto base = keys_of(k_base_recipe);
    const std::vector<std::pair<std::string, std::string>> edits{
        {"amplitude = 0.5", "amplitude = 0.50000001"},
        {"delay = 10.0", "delay = 11.0"},
        {"duration = 100.0", "duration = 100.5"},
        {"tstop = 200.0", "tstop = 201.0"},
        {"tstop = 200.0", "tstop = 200.0\ndt = 0.0125"},
        {"tstop = 200.0", "tstop = 200.0\nsolver = \"cvode\""},
        {"tstop = 200.0", "tstop = 200.0\ntemperature = 37.0"},
        {"tstop = 200.0", "tstop = 200.0\nv_init = -70.0"},
        {"tstop = 200.0", "tstop = 200.0\n[record]\nvariables = [\"v\", \"cai\"]"},
        {"tstop = 200.0", "tstop = 200.0\n[record]\nprecision = \"float32\""},
        {"duration = 100.0", "duration = 100.0\nsoma_distance = 10.0"},
        {"biophysics = \"cell.param\"\n",
         "biophysics = \"cell.param\"\n[[cell.modify]]\nfunction = \"scale_apical\"\n"},
        {"[cell]\n", "[cell]\nmorphology = \"other.hoc\"\n"},
        {"tstop = 200.0", "tstop = 200.0\n[simulation.fast]"},
        {"tstop = 200.0", "tstop = 200.0\n[simulation.fast]\nsecondorder = 1"},
        {"tstop = 200.0", "tstop = 200.0\nsolver = \"cvode\"\natol = 1e-2"},
    };
    for (const auto& [from, to] : edits) {
        const auto keys = keys_of(replaced(k_base_recipe, from, to));
        ASSERT_EQ(keys.size(), 1u) << to;
        EXPECT_NE(keys[0], base[0]) << "unchanged by: " << to;
    }
}

TEST_F(Planning, AnExactRecipeHasNoFastModeInItsCanonicalFormSoItsKeysStayAsTheyWere) {
    auto exact = parse(k_base_recipe);
    ASSERT_TRUE(exact.has_value()) << all(exact.error());
    // The [simulation] keys an exact recipe hashes: exactly those it had before the fast mode existed.
    const Json canonical = Json::parse(exact->canonical);
    std::vector<std::string> names;
    for (const auto& item : canonical.at("simulation").items()) names.push_back(item.key());
    EXPECT_EQ(names, (std::vector<std::string>{"atol", "dt", "solver", "temperature", "trials", "tstop",
                                               "units", "v_init"}));
    // An empty [simulation.fast] is its defaults written out (secondorder 2), and a fast key is not exact's.
    const auto exact_keys = keys_of(k_base_recipe);
    const auto fast = keys_of(std::string(k_base_recipe) + "[simulation.fast]\n");
    const Recipe empty_fast_table = m_last;  // keys_of keeps the recipe it parsed last
    EXPECT_EQ(fast, keys_of(std::string(k_base_recipe) + "[simulation.fast]\nsecondorder = 2\n"));
    EXPECT_EQ(fast, keys_of(std::string(k_base_recipe) + "[simulation.fast]\nrate_tables = false\n"));
    EXPECT_NE(fast, keys_of(std::string(k_base_recipe) + "[simulation.fast]\nrate_tables = true\n"));
    EXPECT_NE(fast, exact_keys);
    auto conditions = expand_conditions(empty_fast_table);
    ASSERT_TRUE(conditions.has_value());
    ASSERT_TRUE(conditions->at(0).spec.simulation.fast.has_value());
    EXPECT_EQ(conditions->at(0).spec.simulation.fast->secondorder, 2);
    EXPECT_FALSE(conditions->at(0).spec.simulation.fast->rate_tables);
    EXPECT_FALSE(expand_conditions(*exact)->at(0).spec.simulation.fast.has_value());
}

// The condition key of k_base_recipe before [record.dendrites] existed (silico at commit cabf14c, `silico
// explain`: condition = 02e1c78b...): a recipe that does not use it keeps its keys, and so its stored trials.
TEST_F(Planning, RecordDendritesChangesTheKeyAndLeavingItOutKeepsTodaysKey) {
    const auto base = plan_of(k_base_recipe);
    ASSERT_EQ(base.conditions.size(), 1u);
    EXPECT_EQ(base.conditions[0].key.hex(),
              "02e1c78b9363d95a607957403418f64aefbea04585721e86643131be73c65540");
    EXPECT_EQ(base.conditions[0].canonical.find("dendrites"), std::string::npos);
    const std::string with =
        std::string(k_base_recipe) + "[record.dendrites]\nvariables = [\"v\"]\ndt = 0.2\n";
    std::set<std::string> keys{base.trials.at(0).key.hex()};
    for (const std::string& text :
         {with, replaced(with, "dt = 0.2", "dt = 0.5"), replaced(with, "[\"v\"]", "[\"v\", \"cai\"]")}) {
        const auto keys_now = keys_of(text);
        ASSERT_EQ(keys_now.size(), 1u) << text;
        EXPECT_TRUE(keys.insert(keys_now[0]).second) << "same key as another variant: " << text;
    }
    // The defaults (v every 0.2 ms) are written out in the canonical form: stating them changes nothing.
    EXPECT_EQ(keys_of(std::string(k_base_recipe) + "[record.dendrites]\n"), keys_of(with));
}

TEST_F(Planning, AnyInputFileByteChangesTheKey) {
    const auto base = keys_of(k_base_recipe);
    write("cell.hoc", "{create soma}\n{pt3dadd(0,0,0,10)}\n{pt3dadd(0,10,0,11)}\n");  // morphology
    const auto after_hoc = keys_of(k_base_recipe);
    EXPECT_NE(after_hoc, base);
    write("cell.param",
          "{'neuron': {'filename': 'cell.hoc', 'Soma': {'properties': {'Ra': 100.0, 'cm': 1.0}}},\n"
          " 'sim': {'T': 34, 'Vinit': -75.0},}\n# a trailing comment is a byte too\n");
    EXPECT_NE(keys_of(k_base_recipe), after_hoc);
}

TEST_F(Planning, NetworkReferencedFilesAreInputs) {
    const std::string text =
        replaced(k_base_recipe, "\"current_step\"", "\"evoked\"") + "[input]\nnetwork = \"net.param\"\n";
    const auto base = keys_of(text);
    ASSERT_EQ(m_last.references.at((m_dir / "net.param").string()).size(), 2u);  // .syn and .con
    write("cell.con", "# con\n# 1\nL2_C2\t0\t0\n\n");
    EXPECT_NE(keys_of(text), base);
}

TEST_F(Planning, TheSeedChangesTrialKeysButNotConditionKeys) {
    auto a = plan_of(std::string(k_base_recipe) + "trials = 2\n[seeds]\nroot = 1\n");
    auto b = plan_of(std::string(k_base_recipe) + "trials = 2\n[seeds]\nroot = 2\n");
    ASSERT_EQ(a.trials.size(), 2u);
    EXPECT_EQ(a.conditions[0].key, b.conditions[0].key);
    EXPECT_NE(a.trials[0].seed, b.trials[0].seed);
    EXPECT_NE(a.trials[0].key, b.trials[0].key);
    EXPECT_NE(a.trials[0].seed, a.trials[1].seed);
    EXPECT_NE(a.trials[0].key, a.trials[1].key);
}

TEST_F(Planning, MoreTrialsOrSweepValuesKeepExistingTrialsAndSeeds) {
    // Derived root seed: the swept values and trial counts are left out of it on purpose.
    const auto small = plan_of(
        replaced(std::string(k_base_recipe) + "trials = 2\n", "amplitude = 0.5", "amplitude = [0.5, 0.7]"));
    const auto large = plan_of(replaced(std::string(k_base_recipe) + "trials = 3\n", "amplitude = 0.5",
                                        "amplitude = [0.5, 0.6, 0.7]"));
    ASSERT_EQ(small.trials.size(), 4u);
    ASSERT_EQ(large.trials.size(), 9u);
    std::set<std::pair<std::string, std::uint64_t>> large_trials;
    for (const auto& t : large.trials) large_trials.emplace(t.key.hex(), t.seed);
    for (const auto& t : small.trials) EXPECT_TRUE(large_trials.contains({t.key.hex(), t.seed}));
}

TEST_F(Planning, IsfModeUsesTheProcessSeedAndSweepIndex) {
    const auto p =
        plan_of(std::string(k_base_recipe) + "trials = 3\n[seeds]\nroot = 20240\nmode = \"isf\"\n");
    ASSERT_EQ(p.trials.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(p.trials[i].seed, 20240u);
        EXPECT_EQ(p.trials[i].trial, i);
    }
    EXPECT_NE(p.trials[0].key, p.trials[1].key);
    const auto derived = plan_of(std::string(k_base_recipe) + "[seeds]\nmode = \"isf\"\n");
    EXPECT_LT(derived.trials[0].seed, 1ULL << 32);
}

TEST_F(Planning, ModelContextChangesEveryTrialKey) {
    auto r = parse(k_base_recipe);
    ASSERT_TRUE(r.has_value());
    KeyContext c = fixed_context();
    const auto a = expand(*r, c);
    c.mechanisms = mechanism_set_digest({{"a.mod", "A changed"}});
    const auto b = expand(*r, c);
    c = fixed_context();
    c.model.experiments_tree[0] = '0';
    const auto d = expand(*r, c);
    ASSERT_TRUE(a && b && d);
    EXPECT_NE(a->trials[0].key, b->trials[0].key);
    EXPECT_NE(a->trials[0].key, d->trials[0].key);
    EXPECT_EQ(a->conditions[0].key, b->conditions[0].key);
}

TEST_F(Planning, ExplainPrintsEveryHashedFieldOnItsOwnLine) {
    const auto p = plan_of(std::string(k_base_recipe) + "trials = 2\n");
    const std::string text = explain_trial(p, fixed_context(), 1);
    for (const char* line :
         {"trial.key = ", "trial.trial-index = 1\n",
          "trial.seed = ", "model.mechanisms = ", "model.neuron-version = \"8.2.2\"",
          "model.experiments-tree = ", "condition.input[0] = ", "condition.spec.simulation.tstop = 200.0\n",
          "condition.spec.stimulus.step[0].amplitude = 0.5\n"}) {
        EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
    }
    EXPECT_NE(text.find(p.trials[1].key.hex()), std::string::npos);
    EXPECT_EQ(explain_trial(p, fixed_context(), 2), "");
    // Two trials that differ in one field differ in exactly the lines that depend on it.
    const auto q =
        plan_of(replaced(std::string(k_base_recipe) + "trials = 2\n", "amplitude = 0.5", "amplitude = 0.6"));
    const std::string other = explain_trial(q, fixed_context(), 1);
    EXPECT_NE(other.find("condition.spec.stimulus.step[0].amplitude = 0.6\n"), std::string::npos);
}

}  // namespace
}  // namespace silico::recipes::testing
