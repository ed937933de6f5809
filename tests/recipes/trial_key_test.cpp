#include "silico/recipes/trial_key.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "silico/recipes/plan.hpp"

namespace silico::recipes {
namespace {

namespace fs = std::filesystem;

// Expected values computed independently with Python's hashlib and struct over the documented encoding
// (tag_length:u32be tag value_length:u64be value, "key-format" field first).
TEST(KeyBuilder, MatchesTheDocumentedEncoding) {
    const Digest d = KeyBuilder("test.v1").add("a", "b").add("n", std::uint64_t{7}).finish();
    EXPECT_EQ(d.hex(), "d2fd548f755ccccb8b6451b44994a469262030fbb0545ae3a5c8a0991f5be572");
}

TEST(KeyBuilder, FieldBoundariesCannotBeShifted) {
    // Without length prefixes ("ab","c") and ("a","bc") would hash alike.
    EXPECT_NE(KeyBuilder("v").add("t", "ab").add("t", "c").finish(),
              KeyBuilder("v").add("t", "a").add("t", "bc").finish());
    EXPECT_NE(KeyBuilder("v").add("ta", "b").finish(), KeyBuilder("v").add("t", "ab").finish());
    EXPECT_NE(KeyBuilder("v1").add("t", "x").finish(), KeyBuilder("v2").add("t", "x").finish());
}

TEST(TrialKey, KnownAnswer) {
    const Digest key = trial_key(sha256("model"), sha256("condition"), SeedMode::independent, 3, 42);
    EXPECT_EQ(key.hex(), "463b30e5d826c055e865dba9b0c560c44c934520abbb46bc55e66a6da64babd1");
}

TEST(TrialSeed, KnownAnswerAndIsfMode) {
    EXPECT_EQ(trial_seed(SeedMode::independent, 12345, sha256("condition"), 3), 9628861215547119255ULL);
    EXPECT_EQ(derive_root_seed(sha256("recipe")), 7620630326916166734ULL);
    // ISF: every trial of the process uses the process seed; the trial index is the sweep index.
    EXPECT_EQ(trial_seed(SeedMode::isf, 12345, sha256("condition"), 3), 12345u);
}

TEST(TrialSeed, DependsOnRootConditionAndIndexOnly) {
    const Digest c = sha256("c");
    EXPECT_EQ(trial_seed(SeedMode::independent, 1, c, 0), trial_seed(SeedMode::independent, 1, c, 0));
    EXPECT_NE(trial_seed(SeedMode::independent, 1, c, 0), trial_seed(SeedMode::independent, 1, c, 1));
    EXPECT_NE(trial_seed(SeedMode::independent, 1, c, 0), trial_seed(SeedMode::independent, 2, c, 0));
    EXPECT_NE(trial_seed(SeedMode::independent, 1, c, 0),
              trial_seed(SeedMode::independent, 1, sha256("d"), 0));
}

TEST(MechanismSet, KnownAnswerIndependentOfListingOrder) {
    const Digest a = mechanism_set_digest({{"a.mod", "A"}, {"b.mod", "B"}});
    EXPECT_EQ(a.hex(), "16eb84c511909ab2843b51989153a3593ec0e3fde2d5fa088ef321ea54d5a892");
    EXPECT_EQ(mechanism_set_digest({{"b.mod", "B"}, {"a.mod", "A"}}), a);
    EXPECT_NE(mechanism_set_digest({{"a.mod", "A "}, {"b.mod", "B"}}), a);  // one byte of content
    EXPECT_NE(mechanism_set_digest({{"c.mod", "A"}, {"b.mod", "B"}}), a);   // a renamed file
    EXPECT_NE(mechanism_set_digest({{"a.mod", "A"}}), a);                   // a removed file
}

TEST(ModelKey, KnownAnswerAndEveryFieldCounts) {
    KeyContext c;
    c.mechanisms = mechanism_set_digest({{"a.mod", "A"}, {"b.mod", "B"}});
    c.neuron_version = "8.2.2";
    c.model.experiments_tree = std::string(40, 'e');
    c.model.mechanisms_tree = std::string(40, 'f');
    EXPECT_EQ(model_key(c).hex(), "e078467569e3edda1bc3635f5336d9184159efdbe22e0a9290aeae88fd57ce2f");
    const Digest base = model_key(c);
    auto changed = [&](auto edit) {
        KeyContext other = c;
        edit(other);
        return model_key(other) != base;
    };
    EXPECT_TRUE(changed([](KeyContext& k) { k.mechanisms = sha256("other"); }));
    EXPECT_TRUE(changed([](KeyContext& k) { k.neuron_version = "8.2.3"; }));
    EXPECT_TRUE(changed([](KeyContext& k) { k.model.experiments_tree[0] = 'd'; }));
    EXPECT_TRUE(changed([](KeyContext& k) { k.model.mechanisms_tree[0] = 'd'; }));
    EXPECT_TRUE(changed([](KeyContext& k) { k.model.uncommitted_digest = "abc"; }));
    EXPECT_FALSE(changed([](KeyContext& k) { k.model.source = "elsewhere"; }));  // provenance, not identity
}

// A real git repository in a temporary folder, driven with the git command line.
class ModelRepository : public ::testing::Test {
  protected:
    void SetUp() override {
        std::random_device rd;
        m_dir =
            fs::temp_directory_path() / ("silico-model-repo-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(m_dir);
        git("init -q");
        write("experiments/cell.cpp", "int cell;\n");
        write("mechanisms/hh.mod", "NEURON { SUFFIX hh }\n");
        write("README.md", "readme\n");
        write("analysis/psth.cpp", "int psth;\n");
        commit();
    }
    void TearDown() override { fs::remove_all(m_dir); }

    void write(const std::string& name, const std::string& text) {
        fs::create_directories((m_dir / name).parent_path());
        std::ofstream(m_dir / name, std::ios::binary) << text;
    }
    void git(const std::string& args) {
        const std::string cmd =
            "git -C '" + m_dir.string() + "' -c user.name=t -c user.email=t@t " + args + " >/dev/null 2>&1";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    void commit() {
        git("add -A");
        git("commit -q -m c");
    }
    Digest key() {
        auto context = make_key_context(m_dir, "8.2.2", false);
        EXPECT_TRUE(context.has_value()) << context.error().what();
        return model_key(*context);
    }

    fs::path m_dir;
};

TEST_F(ModelRepository, ReadmeAndAnalysisChangesKeepTheKey) {
    const Digest before = key();
    write("README.md", "new readme\n");
    write("analysis/psth.cpp", "int psth2;\n");
    commit();
    EXPECT_EQ(key(), before);
}

TEST_F(ModelRepository, CommittedExperimentsAndModChangesChangeTheKey) {
    const Digest before = key();
    write("experiments/cell.cpp", "int cell2;\n");
    commit();
    const Digest after_code = key();
    EXPECT_NE(after_code, before);
    write("mechanisms/hh.mod", "NEURON { SUFFIX hh2 }\n");
    commit();
    EXPECT_NE(key(), after_code);
}

TEST_F(ModelRepository, UncommittedModelCodeWarnsOrIsRefused) {
    const Digest clean = key();
    write("experiments/cell.cpp", "int dirty;\n");
    std::vector<std::string> warnings;
    auto context = make_key_context(m_dir, "8.2.2", false, &warnings);
    ASSERT_TRUE(context.has_value());
    EXPECT_TRUE(context->model.dirty());
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_NE(warnings[0].find("experiments/cell.cpp"), std::string::npos) << warnings[0];
    EXPECT_NE(model_key(*context), clean);
    // A different uncommitted edit is a different model.
    write("experiments/cell.cpp", "int dirtier;\n");
    EXPECT_NE(key(), model_key(*context));
    auto refused = make_key_context(m_dir, "8.2.2", true);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::validation);
    EXPECT_NE(refused.error().message.find("--require-clean"), std::string::npos);
}

TEST_F(ModelRepository, MechanismFilesAreReadSortedFromTheSourceTree) {
    write("mechanisms/sub/ab.mod", "x");
    write("mechanisms/CMakeLists.txt", "not a mechanism");
    write("mechanisms/mod_func.c.in", "not a mechanism either");
    auto files = read_mechanism_files(m_dir / "mechanisms");
    ASSERT_TRUE(files.has_value());
    ASSERT_EQ(files->size(), 2u);
    EXPECT_EQ((*files)[0].name, "hh.mod");
    EXPECT_EQ((*files)[1].name, "sub/ab.mod");
    EXPECT_FALSE(read_mechanism_files(m_dir / "nope").has_value());
}

TEST_F(ModelRepository, AHeaderTheMechanismsIncludeIsPartOfTheMechanismSet) {
    auto before = read_mechanism_files(m_dir / "mechanisms");
    ASSERT_TRUE(before.has_value());
    write("mechanisms/silico_exp.h", "static inline double silico_exp(double x);\n");
    auto after = read_mechanism_files(m_dir / "mechanisms");
    ASSERT_TRUE(after.has_value());
    ASSERT_EQ(after->size(), before->size() + 1);
    EXPECT_EQ(after->back().name, "silico_exp.h");
    EXPECT_NE(mechanism_set_digest(*after), mechanism_set_digest(*before));
}

TEST(ModelVersion, FallsBackToBuildValuesWithoutACheckout) {
    const ModelVersion v = read_model_version(fs::temp_directory_path());
    EXPECT_EQ(v.source, "build");
}

}  // namespace
}  // namespace silico::recipes
