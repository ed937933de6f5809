#include "silico/core/git_info.hpp"

#include <git2.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "silico/core/digest.hpp"

namespace silico {

namespace {

// libgit2 must be initialised once per process; shutdown is left to process exit.
void ensure_libgit2() {
    static const int k_init = git_libgit2_init();
    (void)k_init;
}

std::string last_git_error() {
    const git_error* e = git_error_last();
    return e && e->message ? e->message : "unknown libgit2 error";
}

std::string oid_hex(const git_oid* oid) {
    char buf[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(buf, sizeof(buf), oid);
    return buf;
}

template <class T, void (*Free)(T*)>
struct GitDeleter {
    void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)>
using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;

bool is_below(const std::string& file, const std::string& dir) {
    return file.size() > dir.size() && file.compare(0, dir.size(), dir) == 0 && file[dir.size()] == '/';
}

}  // namespace

Result<GitState> read_git_state(const std::filesystem::path& dir, const std::vector<std::string>& paths) {
    ensure_libgit2();
    git_repository* raw_repo = nullptr;
    if (git_repository_open_ext(&raw_repo, dir.c_str(), 0, nullptr) != 0) {
        return fail(Errc::not_found, "not a git work tree: " + last_git_error(), dir.string());
    }
    GitPtr<git_repository, git_repository_free> repo(raw_repo);
    const char* workdir = git_repository_workdir(repo.get());
    if (!workdir) return fail(Errc::not_found, "bare repository has no work tree", dir.string());

    GitState state;
    git_object* raw_head = nullptr;
    GitPtr<git_object, git_object_free> head_tree;
    if (git_revparse_single(&raw_head, repo.get(), "HEAD^{tree}") == 0) {
        head_tree.reset(raw_head);
        git_oid head_oid;
        if (git_reference_name_to_id(&head_oid, repo.get(), "HEAD") == 0) state.commit = oid_hex(&head_oid);
    }

    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    git_status_list* raw_status = nullptr;
    if (git_status_list_new(&raw_status, repo.get(), &opts) != 0) {
        return fail(Errc::io, "cannot read git status: " + last_git_error(), dir.string());
    }
    GitPtr<git_status_list, git_status_list_free> status(raw_status);
    std::vector<std::string> changed;
    for (std::size_t i = 0, n = git_status_list_entrycount(status.get()); i < n; ++i) {
        const git_status_entry* e = git_status_byindex(status.get(), i);
        if (e->status == GIT_STATUS_CURRENT || (e->status & GIT_STATUS_IGNORED)) continue;
        const git_diff_delta* delta = e->index_to_workdir ? e->index_to_workdir : e->head_to_index;
        if (!delta) continue;
        const char* path = delta->new_file.path ? delta->new_file.path : delta->old_file.path;
        if (path) changed.emplace_back(path);
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    state.dirty = !changed.empty();

    for (const std::string& p : paths) {
        GitPathState ps;
        if (head_tree) {
            git_tree_entry* raw_entry = nullptr;
            if (git_tree_entry_bypath(&raw_entry, reinterpret_cast<git_tree*>(head_tree.get()), p.c_str()) ==
                0) {
                GitPtr<git_tree_entry, git_tree_entry_free> entry(raw_entry);
                ps.tree_id = oid_hex(git_tree_entry_id(entry.get()));
            }
        }
        Sha256 hasher;
        for (const std::string& file : changed) {
            if (!is_below(file, p)) continue;
            ps.dirty_files.push_back(file);
            // Hash name and content (or its absence, for a deleted file), length-delimited.
            std::ifstream in(std::filesystem::path(workdir) / file, std::ios::binary);
            std::ostringstream content;
            if (in) content << in.rdbuf();
            const std::string bytes = in ? content.str() : std::string("\0deleted", 8);
            hasher.update(std::to_string(file.size()) + ":" + file);
            hasher.update(std::to_string(bytes.size()) + ":");
            hasher.update(bytes);
        }
        if (!ps.dirty_files.empty()) ps.uncommitted_digest = hasher.finish().hex();
        state.paths.emplace(p, std::move(ps));
    }
    return state;
}

}  // namespace silico
