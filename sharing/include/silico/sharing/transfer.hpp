// Moving complete trials between a store and a lab cache (remote.hpp), verified on the way in.
//
// push: for each trial, every blob its record names that the remote lacks (HEAD), then the record, so a
// server that accepts a record only when it holds the blobs (silico serve) never sees it too early.
// pull: 16 wanted trials at a time, their records (GET ac/KEY, pipelined), then every blob they name that the
// local store lacks (GET cas/DIGEST, pipelined, each blob once). A trial is committed to the local store only
// when
//   - the record decodes, is complete and names at least one output,
//   - it agrees with what the caller expects of that key (seed, seed mode, sweep, condition: the fields the
//     plan derives from the trial key's inputs; and the outputs, when WantedTrial::same_outputs), when the
//     caller states an expectation, and
//   - every blob hashes to the digest the record names and has the size it states.
// A trial failing a check is refused (counted, with a warning naming the key and the reason) and left for
// local work; a transport failure (unreachable, timeout, a closed connection) stops the pull with a warning
// and keeps what was committed. Only local store errors are errors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"
#include "silico/sharing/remote.hpp"
#include "silico/store/store.hpp"

namespace silico::sharing {

struct WantedTrial {
    Digest key;
    // The seed fields the plan gives this key (store::TrialRecord's seed, seed_mode, sweep, condition);
    // std::nullopt when nothing is known about the key (pull --all).
    std::optional<store::TrialRecord> expected;
    // Also require the record to name exactly expected->outputs (names, digests and sizes): for a trial whose
    // own record is known (store repair --remote restores a trial set aside), so it comes back bit-identical.
    bool same_outputs = false;
};

struct TransferOptions {
    unsigned connections = 4;  // parallel connections, one thread each
};

struct PullReport {
    std::uint64_t wanted = 0;
    std::uint64_t pulled = 0;   // committed to the local store
    std::uint64_t already = 0;  // complete locally before the pull
    std::uint64_t absent = 0;   // the remote holds no record
    std::uint64_t refused = 0;  // failed a check (see warnings)
    std::uint64_t bytes = 0;    // blob bytes received
    std::vector<std::string> warnings;
    std::optional<std::string> remote_failure;  // why the pull stopped early, if it did
    std::vector<Digest> pulled_keys;
};

struct PushReport {
    std::uint64_t trials = 0;  // records sent
    std::uint64_t blobs_sent = 0;
    std::uint64_t blobs_present = 0;  // the remote held them already
    std::uint64_t bytes = 0;          // blob bytes sent
};

// Pulls `wanted` into `store` (a writer). See the contract above.
Result<PullReport> pull_trials(store::Store& store, const RemoteOptions& remote,
                               const std::vector<WantedTrial>& wanted, const TransferOptions& options = {});

// Pushes the given complete trials of `store`; a trial the store lacks is Errc::not_found, and any refusal
// or transport failure is an error naming the trial (push is explicit, so it does not degrade).
Result<PushReport> push_trials(const store::Store& store, const RemoteOptions& remote,
                               const std::vector<Digest>& keys, const TransferOptions& options = {});

// Which of `keys` the remote holds a record for (HEAD ac/KEY); std::nullopt per key after a transport
// failure, which is reported in `failure`.
std::vector<std::optional<bool>> remote_has_records(const RemoteOptions& remote,
                                                    const std::vector<Digest>& keys,
                                                    std::optional<std::string>& failure);

}  // namespace silico::sharing
