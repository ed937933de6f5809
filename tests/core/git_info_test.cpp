#include "silico/core/git_info.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace silico {
namespace {

namespace fs = std::filesystem;

// A throwaway repository made with the git command line, so libgit2 is checked against real git.
class GitRepo : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("silico_git_test_" + std::to_string(::getpid()));
        fs::remove_all(m_dir);
        fs::create_directories(m_dir / "experiments");
        fs::create_directories(m_dir / "analysis");
        write("experiments/cell.cpp", "int cell;\n");
        write("analysis/psth.cpp", "int psth;\n");
        git("init -q && git config user.email t@t && git config user.name t && git add -A && "
            "git commit -qm init");
    }
    void TearDown() override { fs::remove_all(m_dir); }

    void write(const std::string& rel, const std::string& text) { std::ofstream(m_dir / rel) << text; }
    void git(const std::string& args) {
        const std::string cmd = "cd " + m_dir.string() + " && git " + args + " >/dev/null 2>&1";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    GitState state() {
        auto s = read_git_state(m_dir, {"experiments", "analysis", "missing"});
        EXPECT_TRUE(s.has_value()) << s.error().what();
        return *s;
    }

    fs::path m_dir;
};

TEST_F(GitRepo, ReadsHeadCommitAndTreeIdsOfAPath) {
    GitState s = state();
    EXPECT_EQ(s.commit.size(), 40u);
    EXPECT_FALSE(s.dirty);
    EXPECT_EQ(s.paths["experiments"].tree_id.size(), 40u);
    EXPECT_TRUE(s.paths["missing"].tree_id.empty());
    EXPECT_TRUE(s.paths["experiments"].uncommitted_digest.empty());
}

TEST_F(GitRepo, AnEditElsewhereLeavesThePathTreeIdUnchanged) {
    const std::string before = state().paths["experiments"].tree_id;
    write("analysis/psth.cpp", "int psth2;\n");
    git("commit -qam edit");
    EXPECT_EQ(state().paths["experiments"].tree_id, before);
}

TEST_F(GitRepo, ACommittedEditChangesThePathTreeId) {
    const std::string before = state().paths["experiments"].tree_id;
    write("experiments/cell.cpp", "int cell2;\n");
    git("commit -qam edit");
    EXPECT_NE(state().paths["experiments"].tree_id, before);
}

TEST_F(GitRepo, UncommittedEditsAreDirtyAndDigestedByContent) {
    write("experiments/cell.cpp", "int cell3;\n");
    GitState a = state();
    EXPECT_TRUE(a.dirty);
    ASSERT_EQ(a.paths["experiments"].dirty_files.size(), 1u);
    EXPECT_EQ(a.paths["experiments"].dirty_files[0], "experiments/cell.cpp");
    EXPECT_FALSE(a.paths["experiments"].uncommitted_digest.empty());
    EXPECT_TRUE(a.paths["analysis"].uncommitted_digest.empty());
    write("experiments/cell.cpp", "int cell4;\n");
    EXPECT_NE(state().paths["experiments"].uncommitted_digest, a.paths["experiments"].uncommitted_digest);
}

TEST_F(GitRepo, UntrackedFilesCountAsDirty) {
    write("experiments/new.mod", "NEURON {}\n");
    EXPECT_EQ(state().paths["experiments"].dirty_files.size(), 1u);
}

TEST(GitState, OutsideARepositoryIsNotFound) {
    auto s = read_git_state("/", {"experiments"});
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, Errc::not_found);
}

TEST(BuildInfo, RecordsVersionAndCommit) {
    EXPECT_FALSE(build_info().version.empty());
    EXPECT_FALSE(build_info().commit.empty());
}

}  // namespace
}  // namespace silico
