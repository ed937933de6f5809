// push and pull of complete trials (transfer.hpp). Pulled bytes are untrusted until checked: a trial reaches
// the local store only after its record agrees with the plan and every blob hashes to its digest.
#include "silico/sharing/transfer.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace silico::sharing {

namespace {

std::string describe_seed_fields(const store::TrialRecord& r) {
    return "seed " + (r.seed ? std::to_string(*r.seed) : std::string("none")) + ", seed mode " +
           std::string(store::to_string(r.seed_mode)) + ", sweep " +
           (r.sweep ? std::to_string(*r.sweep) : std::string("none")) + ", condition " +
           (r.condition ? r.condition->short_hex() : std::string("none"));
}

// Why the outputs of `record` are not exactly `expected`'s (names, digests, sizes); empty when they are.
std::string outputs_problem(const store::TrialRecord& record, const store::TrialRecord& expected) {
    for (const auto& [name, ref] : expected.outputs) {
        const auto it = record.outputs.find(name);
        if (it == record.outputs.end()) return "the record lacks output '" + name + "'";
        if (it->second.digest != ref.digest || it->second.size != ref.size)
            return "output '" + name + "' is blob " + it->second.digest.hex() + " (" +
                   std::to_string(it->second.size) + " bytes), but the set-aside record names " +
                   ref.digest.hex() + " (" + std::to_string(ref.size) + " bytes)";
    }
    for (const auto& [name, ref] : record.outputs)
        if (!expected.outputs.contains(name)) return "the record has an extra output '" + name + "'";
    return {};
}

// Why `record` cannot be the result of the trial `wanted` expects; empty when it can.
std::string record_problem(const store::TrialRecord& record, const WantedTrial& wanted) {
    if (record.status != store::TrialStatus::complete) return "the record is not of a complete trial";
    if (record.outputs.empty()) return "the record names no output";
    const auto& expected = wanted.expected;
    if (!expected) return {};
    if (record.seed != expected->seed || record.seed_mode != expected->seed_mode ||
        record.sweep != expected->sweep || record.condition != expected->condition)
        return "the record says " + describe_seed_fields(record) + ", but the plan gives this key " +
               describe_seed_fields(*expected);
    return wanted.same_outputs ? outputs_problem(record, *expected) : std::string{};
}

// One trial fetched and checked; `refusal` says why it was refused, `transport` why the remote failed.
struct Fetched {
    std::optional<store::VerifiedTrial> trial;  // absent: the remote holds none (or refused/failed)
    std::uint64_t bytes = 0;
    std::string refusal;
    std::optional<Error> transport;
    std::optional<Error> local;  // the local store failed
};

// The record's blobs that neither the local store nor a trial of `group` (fetched, not yet committed) holds,
// each once: the time column is shared by many trials and fetched once.
Result<std::vector<Digest>> blobs_to_fetch(const store::Store& store, const store::TrialRecord& record,
                                           const std::vector<store::VerifiedTrial>& group) {
    std::vector<Digest> out;
    const auto in_group = [&](const Digest& d) {
        return std::any_of(group.begin(), group.end(), [&](const store::VerifiedTrial& t) {
            return std::any_of(t.blobs.begin(), t.blobs.end(), [&](const auto& b) { return b.first == d; });
        });
    };
    for (const auto& [name, ref] : record.outputs) {
        if (std::find(out.begin(), out.end(), ref.digest) != out.end() || in_group(ref.digest)) continue;
        auto held = store.has_blob(ref.digest);
        if (!held) return std::unexpected(held.error());
        if (!*held) out.push_back(ref.digest);
    }
    return out;
}

// Why the bytes the remote sent for `digest` cannot be the blob `ref` of output `name`; empty when they can.
// The SHA-256 computed here is the one the store is then given (commit_verified_trials does not hash again).
std::string blob_problem(const std::string& name, const store::BlobRef& ref, const std::string& bytes) {
    if (const Digest actual = sha256(bytes); actual != ref.digest)
        return "output '" + name + "': the bytes the remote sent for blob " + ref.digest.hex() + " hash to " +
               actual.hex();
    if (bytes.size() != ref.size)
        return "output '" + name + "': blob " + ref.digest.hex() + " has " + std::to_string(bytes.size()) +
               " bytes, the record says " + std::to_string(ref.size);
    return {};
}

// Fetches the blobs `digests` (pipelined, as zstd frames where the server offers them) and checks each
// against the record's outputs naming it. A frame the store can keep goes with its bytes, so the store does
// not compress them again; the digest is still computed here, over the decoded bytes.
void fetch_blobs(Remote& remote, const std::vector<Digest>& digests, const store::TrialRecord& record,
                 Fetched& f) {
    auto blobs = remote.get_blobs(digests);
    if (!blobs && blobs.error().code == Errc::failed) {  // the server answered, but not with the blob
        f.refusal = blobs.error().what();
        return;
    }
    if (!blobs) {
        f.transport = blobs.error();
        return;
    }
    for (std::size_t i = 0; i < digests.size(); ++i) {
        const auto named = std::find_if(record.outputs.begin(), record.outputs.end(),
                                        [&](const auto& o) { return o.second.digest == digests[i]; });
        auto& blob = (*blobs)[i];
        if (!blob) {
            f.refusal =
                "output '" + named->first + "' names blob " + digests[i].hex() + ", which the remote lacks";
            return;
        }
        if (auto problem = blob_problem(named->first, named->second, blob->bytes); !problem.empty()) {
            f.refusal = problem;
            return;
        }
        f.bytes += blob->bytes.size();
        if (!blob->frame.empty()) f.trial->frames.emplace(digests[i], std::move(blob->frame));
        f.trial->blobs.emplace_back(digests[i], std::move(blob->bytes));
    }
}

Fetched fetch_trial(const store::Store& store, Remote& remote, const WantedTrial& wanted,
                    const std::vector<store::VerifiedTrial>& group) {
    Fetched f;
    auto bytes = remote.get(Area::ac, wanted.key);
    if (!bytes && bytes.error().code == Errc::failed) {
        f.refusal = bytes.error().what();
        return f;
    }
    if (!bytes) {
        f.transport = bytes.error();
        return f;
    }
    if (!*bytes) return f;
    auto record = store::decode_trial_record(**bytes);
    if (!record) {
        f.refusal = "the record does not decode: " + record.error().what();
        return f;
    }
    if (auto problem = record_problem(*record, wanted); !problem.empty()) {
        f.refusal = problem;
        return f;
    }
    auto missing = blobs_to_fetch(store, *record, group);
    if (!missing) {
        f.local = missing.error();
        return f;
    }
    f.trial = store::VerifiedTrial{wanted.key, std::move(*record), {}, {}};
    fetch_blobs(remote, *missing, f.trial->record, f);
    if (!f.refusal.empty() || f.transport) f.trial.reset();
    return f;
}

// The state the pulling threads share; the store serialises its own writes.
struct PullState {
    PullState(store::Store& s, const std::vector<WantedTrial>& w) : store(s), wanted(w) {}
    store::Store& store;
    const std::vector<WantedTrial>& wanted;
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;  // guards report and error
    PullReport report;
    std::optional<Error> error;
};

// Trials fetched and verified by one thread, committed together: one synced write per group. A crash
// loses at most the group in flight; each trial is atomic (store.hpp commit_verified_trials).
constexpr std::size_t k_commit_group = 16;

struct Group {
    std::vector<store::VerifiedTrial> trials;
    std::vector<std::uint64_t> bytes;
};

void commit_group(PullState& state, Group& group) {
    if (group.trials.empty()) return;
    std::vector<Digest> keys;
    for (const auto& t : group.trials) keys.push_back(t.key);
    auto results = state.store.commit_verified_trials(std::move(group.trials));
    std::lock_guard guard(state.mutex);
    if (!results) {
        if (!state.error) state.error = results.error();
        state.stop = true;
    }
    for (std::size_t i = 0; results && i < keys.size(); ++i) {
        const auto& committed = (*results)[i];
        if (committed) {
            ++state.report.pulled;
            state.report.bytes += group.bytes[i];
            state.report.pulled_keys.push_back(keys[i]);
            continue;
        }
        // The record contradicts this store (a seed claimed by another key, a held blob of another size).
        ++state.report.refused;
        state.report.warnings.push_back("trial " + keys[i].hex() + " refused: " + committed.error().what());
    }
    group = {};
}

// Fetches one trial into `group`, or counts why it is not there.
void pull_one(PullState& state, Remote& remote, const WantedTrial& wanted, Group& group) {
    Fetched f = fetch_trial(state.store, remote, wanted, group.trials);
    if (f.trial) {
        group.trials.push_back(std::move(*f.trial));
        group.bytes.push_back(f.bytes);
        return;
    }
    std::lock_guard guard(state.mutex);
    if (f.local) {
        if (!state.error) state.error = f.local;
        state.stop = true;
    } else if (f.transport) {
        if (!state.report.remote_failure) state.report.remote_failure = f.transport->what();
        state.stop = true;
    } else if (!f.refusal.empty()) {
        ++state.report.refused;
        state.report.warnings.push_back("trial " + wanted.key.hex() + " refused: " + f.refusal);
    } else {
        ++state.report.absent;
    }
}

void pull_worker(PullState& state, const RemoteOptions& options) {
    auto remote = open_remote(options);
    if (!remote) {
        std::lock_guard guard(state.mutex);
        if (!state.error) state.error = remote.error();
        state.stop = true;
        return;
    }
    Group group;
    while (!state.stop) {
        const std::size_t i = state.next++;
        if (i >= state.wanted.size()) break;
        pull_one(state, **remote, state.wanted[i], group);
        if (group.trials.size() >= k_commit_group) commit_group(state, group);
    }
    commit_group(state, group);  // what was verified before a remote failure is kept
}

}  // namespace

Result<PullReport> pull_trials(store::Store& store, const RemoteOptions& remote,
                               const std::vector<WantedTrial>& wanted, const TransferOptions& options) {
    std::vector<WantedTrial> todo;
    std::uint64_t already = 0;
    for (const auto& w : wanted) {
        auto has = store.contains(w.key);
        if (!has) return std::unexpected(has.error());
        if (*has) {
            ++already;
        } else {
            todo.push_back(w);
        }
    }
    PullState state(store, todo);
    const unsigned threads = std::clamp<unsigned>(options.connections, 1, 64);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < std::min<std::size_t>(threads, std::max<std::size_t>(todo.size(), 1)); ++t)
        pool.emplace_back([&state, &remote] { pull_worker(state, remote); });
    for (auto& t : pool) t.join();
    if (state.error) return std::unexpected(*state.error);
    state.report.wanted = wanted.size();
    state.report.already = already;
    std::sort(state.report.pulled_keys.begin(), state.report.pulled_keys.end());
    return std::move(state.report);
}

namespace {

Status push_one(const store::Store& store, Remote& remote, const Digest& key, PushReport& report) {
    auto record = store.find_trial(key);
    if (!record) return std::unexpected(record.error().within("trial " + key.hex()));
    for (const auto& [name, ref] : record->outputs) {
        auto present = remote.contains(Area::cas, ref.digest);
        if (!present) return std::unexpected(present.error().within("trial " + key.hex()));
        if (*present) {
            ++report.blobs_present;
            continue;
        }
        auto bytes = store.get_blob(ref.digest);
        if (!bytes) return std::unexpected(bytes.error().within("trial " + key.hex()));
        if (auto ok = remote.put(Area::cas, ref.digest, *bytes); !ok)
            return std::unexpected(ok.error().within("trial " + key.hex() + ", output '" + name + "'"));
        ++report.blobs_sent;
        report.bytes += bytes->size();
    }
    if (auto ok = remote.put(Area::ac, key, store::encode_trial_record(*record)); !ok)
        return std::unexpected(ok.error().within("trial " + key.hex()));
    ++report.trials;
    return {};
}

}  // namespace

Result<PushReport> push_trials(const store::Store& store, const RemoteOptions& remote,
                               const std::vector<Digest>& keys, const TransferOptions& options) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    PushReport total;
    std::optional<Error> error;
    auto work = [&] {
        PushReport mine;
        auto r = open_remote(remote);
        std::optional<Error> failure;
        if (!r) failure = r.error();
        while (!failure && !stop) {
            const std::size_t i = next++;
            if (i >= keys.size()) break;
            if (auto ok = push_one(store, **r, keys[i], mine); !ok) failure = ok.error();
        }
        std::lock_guard guard(mutex);
        total.trials += mine.trials;
        total.blobs_sent += mine.blobs_sent;
        total.blobs_present += mine.blobs_present;
        total.bytes += mine.bytes;
        if (failure && !error) error = failure;
        if (failure) stop = true;
    };
    const unsigned threads = std::clamp<unsigned>(options.connections, 1, 64);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < std::min<std::size_t>(threads, std::max<std::size_t>(keys.size(), 1)); ++t)
        pool.emplace_back(work);
    for (auto& t : pool) t.join();
    if (error) return std::unexpected(*error);
    return total;
}

std::vector<std::optional<bool>> remote_has_records(const RemoteOptions& options,
                                                    const std::vector<Digest>& keys,
                                                    std::optional<std::string>& failure) {
    std::vector<std::optional<bool>> out(keys.size());
    auto remote = open_remote(options);
    if (!remote) {
        failure = remote.error().what();
        return out;
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto has = (*remote)->contains(Area::ac, keys[i]);
        if (!has) {
            failure = has.error().what();
            return out;
        }
        out[i] = *has;
    }
    return out;
}

}  // namespace silico::sharing
