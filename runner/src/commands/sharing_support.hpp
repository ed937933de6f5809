// The --remote options shared by `silico push`, `pull`, `run` and `plan`, and a run's use of a lab cache
// (sharing_commands.cpp; the protocol and its threat model are in docs/sharing.md).
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "commands/cli.hpp"
#include "silico/recipes/plan.hpp"
#include "silico/store/store.hpp"

namespace silico::runner {

struct RemoteArgs {
    std::string url;          // empty: no remote
    std::string token_file;   // bearer token for writes (and reads when the cache demands one)
    std::string ca_file;      // https: certificates to trust instead of the system's
    double timeout_s = 10.0;  // per request step
    unsigned connections = 4;
};

// Adds --remote URL, --token-file F, --remote-ca F, --remote-timeout S and --remote-connections N to `cmd`.
void add_remote_options(CLI::App* cmd, RemoteArgs& args, bool required);

// For `silico run --remote`: takes every trial of `missing` (indices into plan.trials) that the cache holds
// complete and verified (transfer.hpp) into `store`, prints what it took and every warning to stderr, and
// returns the indices it took. A cache that fails degrades to local work: a warning, never an error.
std::vector<std::size_t> take_from_remote(const RemoteArgs& args, const recipes::Plan& plan,
                                          const std::vector<std::size_t>& missing, store::Store& store);

// For `silico store repair --remote`: takes the trials `repair` set aside (report.recompute) from the cache into
// `store`, through pull_trials (every blob re-hashed). A trial whose set-aside record decodes is checked
// against it: the same seed fields and the same outputs (names, digests, sizes), so what comes back is
// bit-identical to what was lost; a trial whose record was lost is checked like `pull --all`. Prints every
// warning to stderr and returns the keys restored, sorted. A cache that fails degrades to the local repair:
// a warning, never an error (the trials not restored are left for the next run).
std::vector<Digest> restore_from_remote(const RemoteArgs& args, const store::RepairReport& report,
                                        store::Store& store);

// For `silico plan --remote`: per trial of `plan`, whether the cache holds its record (std::nullopt after
// the cache failed; a warning says why).
std::vector<std::optional<bool>> remote_availability(const RemoteArgs& args, const recipes::Plan& plan);

}  // namespace silico::runner
