// What version of the code is this? Read from the git checkout with libgit2.
//
// silico keys every trial by the model code that produced it: the git tree ids of experiments/ and
// mechanisms/. A change there invalidates cached results; a change to the README or analysis/ does not.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "silico/core/error.hpp"

namespace silico {

struct GitPathState {
    std::string tree_id;                    // tree id of the path at HEAD ("" if absent at HEAD)
    std::vector<std::string> dirty_files;   // repo-relative paths below it that differ from HEAD
    std::string uncommitted_digest;         // SHA-256 hex over (path, content) of those files; "" if clean
};

struct GitState {
    std::string commit;  // full HEAD commit id
    bool dirty = false;  // any tracked file modified, or untracked non-ignored file present
    std::map<std::string, GitPathState> paths;
};

// Reads HEAD, the dirty flag, and the state of each repo-relative path (e.g. "experiments").
// Fails with Errc::not_found when `dir` is not inside a git work tree.
Result<GitState> read_git_state(const std::filesystem::path& dir, const std::vector<std::string>& paths);

// Values captured when this binary was built (build/generated/build_info.cpp).
struct BuildInfo {
    std::string version;           // project version, e.g. "0.1.0"
    std::string commit;            // git commit the binary was built from, or "unknown"
    bool dirty = false;            // uncommitted changes at build time
    std::string experiments_tree;  // tree id of experiments/ at build time
    std::string mechanisms_tree;   // tree id of mechanisms/ at build time
    std::string model_dirty_digest;  // digest of uncommitted model code at build time ("" if clean)
    std::string source_dir;        // where the sources were, to re-read git state at run time
    std::string neuron_package;    // Debian package version of NEURON built against
};

const BuildInfo& build_info();

}  // namespace silico
