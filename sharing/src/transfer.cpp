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

// One trial of a group fetched and checked; `refusal` says why it was refused.
struct Fetched {
    std::optional<store::VerifiedTrial> trial;  // absent: the remote holds none, or it was refused
    std::uint64_t bytes = 0;
    std::string refusal;
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

// Why the bytes the remote sent for blob `ref` of output `name`, which hash to `actual` (computed here, by
// the client) and have `size` bytes, cannot be that blob; empty when they can. `actual` is the digest the
// store is then given: commit_verified_trials does not hash again.
std::string blob_problem(const std::string& name, const store::BlobRef& ref, const Digest& actual,
                         std::size_t size) {
    if (actual != ref.digest)
        return "output '" + name + "': the bytes the remote sent for blob " + ref.digest.hex() + " hash to " +
               actual.hex();
    if (size != ref.size)
        return "output '" + name + "': blob " + ref.digest.hex() + " has " + std::to_string(size) +
               " bytes, the record says " + std::to_string(ref.size);
    return {};
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
// loses at most the group in flight; each trial is atomic (store.hpp commit_verified_trials). A thread also
// fetches a group at once: its records in one pipelined round trip, then all their blobs.
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

// When the local store or the remote failed, stops the pull (keeping the first reason) and returns true.
bool stop_pull(PullState& state, const std::optional<Error>& local, const std::optional<Error>& transport) {
    if (!local && !transport) return false;
    std::lock_guard guard(state.mutex);
    if (local && !state.error) state.error = local;
    if (transport && !state.report.remote_failure) state.report.remote_failure = transport->what();
    state.stop = true;
    return true;
}

// Counts why the trial `wanted` is not in its group: refused (`refusal` says why) or absent.
void count_missing(PullState& state, const WantedTrial& wanted, const std::string& refusal) {
    std::lock_guard guard(state.mutex);
    if (!refusal.empty()) {
        ++state.report.refused;
        state.report.warnings.push_back("trial " + wanted.key.hex() + " refused: " + refusal);
    } else {
        ++state.report.absent;
    }
}

// The records of a group: each decoded and checked against its expectation (`trial` set), absent or refused.
std::vector<Fetched> checked_records(const std::vector<std::optional<std::string>>& bodies,
                                     const WantedTrial* wanted) {
    std::vector<Fetched> out(bodies.size());
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        if (!bodies[i]) continue;
        auto record = store::decode_trial_record(*bodies[i]);
        if (!record) {
            out[i].refusal = "the record does not decode: " + record.error().what();
        } else if (auto problem = record_problem(*record, wanted[i]); !problem.empty()) {
            out[i].refusal = std::move(problem);
        } else {
            out[i].trial = store::VerifiedTrial{wanted[i].key, std::move(*record), {}, {}};
        }
    }
    return out;
}

// The blobs the group's checked records name that neither the local store nor the trials `held` (fetched
// for this commit already) hold, each once: the time column many trials share is fetched once per commit,
// and not at all once the store holds it.
Result<std::vector<Digest>> group_blobs_to_fetch(const store::Store& store, const std::vector<Fetched>& group,
                                                 const std::vector<store::VerifiedTrial>& held) {
    std::vector<Digest> out;
    for (const auto& f : group) {
        if (!f.trial) continue;
        auto lacking = blobs_to_fetch(store, f.trial->record, held);
        if (!lacking) return lacking;
        for (const auto& d : *lacking)
            if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
    }
    return out;
}

// A fetched blob: its body and the SHA-256 the client computed over its bytes (once, however many trials
// of the group name it).
struct ReceivedBlob {
    std::optional<BlobBody> body;
    Digest actual{};
};

// Why the trial's outputs cannot be the received blobs (the first problem); empty when they can. Blobs not in
// `digests` are held locally.
std::string trial_blobs_problem(const store::TrialRecord& record, const std::vector<Digest>& digests,
                                const std::vector<ReceivedBlob>& blobs) {
    for (const auto& [name, ref] : record.outputs) {
        const auto at = std::find(digests.begin(), digests.end(), ref.digest);
        if (at == digests.end()) continue;
        const auto& blob = blobs[static_cast<std::size_t>(at - digests.begin())];
        if (!blob.body)
            return "output '" + name + "' names blob " + ref.digest.hex() + ", which the remote lacks";
        if (auto problem = blob_problem(name, ref, blob.actual, blob.body->bytes.size()); !problem.empty())
            return problem;
    }
    return {};
}

// Hands each verified blob to the first accepted trial of the group naming it (the store takes a blob given
// by an earlier trial of the same commit), and counts the bytes each trial brought.
void attach_blobs(std::vector<Fetched>& group, const std::vector<Digest>& digests,
                  std::vector<ReceivedBlob>& blobs) {
    std::vector<bool> given(digests.size(), false);
    for (auto& f : group) {
        if (!f.trial) continue;
        for (const auto& [name, ref] : f.trial->record.outputs) {
            const auto at = std::find(digests.begin(), digests.end(), ref.digest);
            if (at == digests.end()) continue;
            const auto i = static_cast<std::size_t>(at - digests.begin());
            if (given[i]) continue;
            given[i] = true;
            f.bytes += blobs[i].body->bytes.size();
            if (!blobs[i].body->frame.empty())
                f.trial->frames.emplace(digests[i], std::move(blobs[i].body->frame));
            f.trial->blobs.emplace_back(digests[i], std::move(blobs[i].body->bytes));
        }
    }
}

// Fetches and verifies the trials wanted[0..n) at once into `out`: their records pipelined, then every blob
// they name that neither the store nor `out` holds, pipelined. When the server refuses one of the requests (a
// status other than 200 and 404, or a blob body that does not decode), a single trial is refused with the
// server's reason; a group returns false, and the caller fetches it trial by trial, so that the refusal
// falls on its trial only.
bool pull_group(PullState& state, Remote& remote, const WantedTrial* wanted, std::size_t n, Group& out) {
    const auto refused = [&](const Error& e) {
        if (n > 1) return false;
        count_missing(state, wanted[0], e.what());
        return true;
    };
    std::vector<Digest> keys;
    for (std::size_t i = 0; i < n; ++i) keys.push_back(wanted[i].key);
    auto bodies = remote.get_many(Area::ac, keys);
    if (!bodies && bodies.error().code == Errc::failed) return refused(bodies.error());
    // A transport or local failure stops the pull; nothing of this group is kept.
    if (!bodies) return stop_pull(state, std::nullopt, bodies.error());
    std::vector<Fetched> group = checked_records(*bodies, wanted);
    auto digests = group_blobs_to_fetch(state.store, group, out.trials);
    if (!digests) return stop_pull(state, digests.error(), std::nullopt);
    auto received = remote.get_blobs(*digests);
    if (!received && received.error().code == Errc::failed) return refused(received.error());
    if (!received) return stop_pull(state, std::nullopt, received.error());
    std::vector<ReceivedBlob> blobs(digests->size());
    for (std::size_t i = 0; i < blobs.size(); ++i) {
        blobs[i].body = std::move((*received)[i]);
        if (blobs[i].body) blobs[i].actual = sha256(blobs[i].body->bytes);
    }
    for (auto& f : group) {
        if (!f.trial) continue;
        f.refusal = trial_blobs_problem(f.trial->record, *digests, blobs);
        if (!f.refusal.empty()) f.trial.reset();
    }
    attach_blobs(group, *digests, blobs);
    for (std::size_t i = 0; i < n; ++i) {
        if (!group[i].trial) {
            count_missing(state, wanted[i], group[i].refusal);
            continue;
        }
        out.trials.push_back(std::move(*group[i].trial));
        out.bytes.push_back(group[i].bytes);
    }
    return true;
}

void pull_worker(PullState& state, const RemoteOptions& options) {
    auto remote = open_remote(options);
    if (!remote) {
        std::lock_guard guard(state.mutex);
        if (!state.error) state.error = remote.error();
        state.stop = true;
        return;
    }
    while (!state.stop) {
        const std::size_t from = state.next.fetch_add(k_commit_group);
        if (from >= state.wanted.size()) break;
        const std::size_t n = std::min(k_commit_group, state.wanted.size() - from);
        Group group;
        if (!pull_group(state, **remote, &state.wanted[from], n, group))
            for (std::size_t i = from; i < from + n && !state.stop; ++i)
                pull_group(state, **remote, &state.wanted[i], 1, group);
        commit_group(state, group);  // what was verified before a remote failure is kept
    }
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
