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

// Why `record` cannot be the result of the trial the plan expects; empty when it can.
std::string record_problem(const store::TrialRecord& record,
                           const std::optional<store::TrialRecord>& expected) {
    if (record.status != store::TrialStatus::complete) return "the record is not of a complete trial";
    if (record.outputs.empty()) return "the record names no output";
    if (!expected) return {};
    if (record.seed != expected->seed || record.seed_mode != expected->seed_mode ||
        record.sweep != expected->sweep || record.condition != expected->condition)
        return "the record says " + describe_seed_fields(record) + ", but the plan gives this key " +
               describe_seed_fields(*expected);
    return {};
}

// One trial fetched and checked; `refusal` says why it was refused, `transport` why the remote failed.
struct Fetched {
    std::optional<store::TrialRecord> record;  // absent: the remote holds none (or refused/failed)
    std::vector<store::NamedBlob> outputs;
    std::uint64_t bytes = 0;
    std::string refusal;
    std::optional<Error> transport;
};

Fetched fetch_trial(Remote& remote, const WantedTrial& wanted) {
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
    if (auto problem = record_problem(*record, wanted.expected); !problem.empty()) {
        f.refusal = problem;
        return f;
    }
    for (const auto& [name, ref] : record->outputs) {
        auto blob = remote.get(Area::cas, ref.digest);
        if (!blob && blob.error().code == Errc::failed) {  // the server answered, but not with the blob
            f.refusal = "output '" + name + "': " + blob.error().what();
            return f;
        }
        if (!blob) {
            f.transport = blob.error();
            return f;
        }
        if (!*blob) {
            f.refusal = "output '" + name + "' names blob " + ref.digest.hex() + ", which the remote lacks";
            return f;
        }
        if (sha256(**blob) != ref.digest) {
            f.refusal = "output '" + name + "': the bytes the remote sent for blob " + ref.digest.hex() +
                        " hash to " + sha256(**blob).hex();
            return f;
        }
        if ((*blob)->size() != ref.size) {
            f.refusal = "output '" + name + "': blob " + ref.digest.hex() + " has " +
                        std::to_string((*blob)->size()) + " bytes, the record says " +
                        std::to_string(ref.size);
            return f;
        }
        f.bytes += (*blob)->size();
        f.outputs.push_back({name, std::move(**blob)});
    }
    f.record = std::move(*record);
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

void pull_one(PullState& state, Remote& remote, const WantedTrial& wanted) {
    Fetched f = fetch_trial(remote, wanted);
    std::lock_guard guard(state.mutex);
    if (f.transport) {
        if (!state.report.remote_failure) state.report.remote_failure = f.transport->what();
        state.stop = true;
        return;
    }
    if (!f.refusal.empty()) {
        ++state.report.refused;
        state.report.warnings.push_back("trial " + wanted.key.hex() + " refused: " + f.refusal);
        return;
    }
    if (!f.record) {
        ++state.report.absent;
        return;
    }
    const auto outputs = f.record->outputs;
    auto committed = state.store.commit_trial(wanted.key, std::move(*f.record), f.outputs);
    if (!committed) {
        // A seed already claimed locally by another key: the remote's record contradicts this store.
        if (committed.error().code == Errc::validation) {
            ++state.report.refused;
            state.report.warnings.push_back("trial " + wanted.key.hex() +
                                            " refused: " + committed.error().what());
            return;
        }
        if (!state.error) state.error = committed.error();
        state.stop = true;
        return;
    }
    ++state.report.pulled;
    state.report.bytes += f.bytes;
    state.report.pulled_keys.push_back(wanted.key);
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
        const std::size_t i = state.next++;
        if (i >= state.wanted.size()) return;
        pull_one(state, **remote, state.wanted[i]);
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
