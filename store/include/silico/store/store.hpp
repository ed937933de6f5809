// The content-addressed store: one RocksDB database per folder holding every trial result silico computed.
//
// Layout of a store folder DIR (see docs/store.md for every byte format):
//   DIR/LOCK  the writer lock (flock), its content "PID HOST" names the process that writes
//   DIR/db/   the RocksDB database with column families
//             blobs    SHA-256 of the uncompressed bytes -> zstd frame (verified on every read)
//             trials   32-byte trial key -> TrialRecord of a complete trial
//             failures 32-byte trial key + 4-byte attempt -> TrialRecord of a failed attempt
//             seeds    seed registration -> 32-byte trial key (the seed registry; see SeedMode)
//             names    item name -> ItemMeta (the dictionary-like API for tables, plots, files)
//             runs     run name -> bytes the runner owns (progress, checkpoints)
//             meta     "format_version" -> decimal store format version
//
// One process writes (it holds DIR/LOCK); any number read (Options::read_only). A trial is complete only
// when its record exists: commit_trial writes the blobs, the seed and the record in one synced WriteBatch,
// so a crash at any moment leaves either the whole trial or none of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"
#include "silico/store/trial_outputs.hpp"

namespace silico::store {

// Version of the store layout written into the meta column family. A store from a newer version is
// refused with Errc::version; older versions are read as they are.
inline constexpr std::uint32_t k_store_format_version = 1;
// Version of the TrialRecord / ItemMeta serialisation.
inline constexpr std::uint32_t k_record_format_version = 1;

struct Options {
    // Open without the writer lock, for reading only. A reader sees what was committed when it opened
    // (call Store::refresh() to see later commits) and never a partial trial.
    bool read_only = false;
    // Create DIR and the database when absent (writers only).
    bool create_if_missing = true;
    // zstd level for blobs: 3 is fast and compresses well; 19 is slow.
    int zstd_level = 3;
    // fsync every commit (WriteOptions::sync). Only tests and benchmarks of the raw engine turn this off.
    bool sync = true;
    // Bytes buffered in memory before RocksDB flushes them to a table file. Tests lower it so that flushes
    // and compactions happen while readers read.
    std::size_t write_buffer_bytes = 64u << 20;
    // Bytes of write-ahead log beyond which the column families pinning its oldest file are flushed. The log
    // is what a reader replays when it opens; the small families (records, seeds) would otherwise keep every
    // log file alive until RocksDB's own bound of 4 x all write buffers (gigabytes).
    std::size_t max_log_bytes = 128u << 20;
};

// An output blob of a trial or a named item: its digest and sizes.
struct BlobRef {
    Digest digest;
    std::uint64_t size = 0;         // uncompressed bytes
    std::uint64_t stored_size = 0;  // bytes of the zstd frame in the store
};

// How a blob read makes sure of what it returns; either way a failed check is Errc::corruption naming the
// digest, never wrong data.
//   digest           the bytes hash to their key (SHA-256): any corruption, whatever its cause. The default.
//   block_checksums  RocksDB checks every block it reads against its checksum (XXH3) instead: what the
//                    disk or the file system damaged, at a small part of the cost, for readers that go
//                    through gigabytes (the trace queries). Every blob's digest was checked when it was
//                    stored, and `store verify` re-hashes them all.
enum class BlobCheck : std::uint8_t { digest, block_checksums };

enum class TrialStatus : std::uint8_t { complete = 0, failed = 1 };
std::string_view to_string(TrialStatus status);

// How a trial used its seed, which decides what the seed registry registers for it (docs/store.md, "Seed
// registry"). A second trial key claiming a registration that another key holds is refused.
//   independent  the seed alone determines the trial's random streams: the registry holds the seed.
//   isf          the seed is ISF's process seed and the trial is ISF's sweep `sweep` of it. Every
//                condition of a recipe runs sweeps 0, 1, ... of one process seed (as ISF does when it runs
//                several conditions with one seed), so the registry holds (seed, sweep, condition).
enum class SeedMode : std::uint8_t { independent = 0, isf = 1 };
std::string_view to_string(SeedMode mode);

// Everything the store knows about one trial attempt. Provenance is recorded here, never in the key.
struct TrialRecord {
    std::uint32_t format_version = k_record_format_version;
    TrialStatus status = TrialStatus::complete;
    std::map<std::string, BlobRef> outputs;  // output name -> blob; filled by commit_trial
    std::optional<std::uint64_t> seed;       // registered in the seed registry when present
    SeedMode seed_mode = SeedMode::independent;
    // The trial's index within its condition (ISF's sweep index) and its condition key. Required in isf mode,
    // where they are part of the registration; provenance otherwise.
    std::optional<std::uint64_t> sweep;
    std::optional<Digest> condition;
    // The model key (recipes' model_key: model-code version, mechanisms, NEURON) the trial ran under, when
    // the writer knows it. `silico check --adopt` reads it to name the model version a trial belongs to.
    std::optional<Digest> model;
    // The digest of the recipe whose run computed the trial, when known; `store verify` names it.
    std::optional<Digest> recipe;
    // Provenance. fill_provenance() sets commit, dirty, version, host and user; the caller sets the rest.
    std::string silico_version;
    std::string silico_commit;
    bool silico_dirty = false;
    std::string neuron_version;  // the NEURON version string the worker ran
    std::string host;
    std::string user;
    std::int64_t start_unix_ms = 0;
    std::int64_t end_unix_ms = 0;
    double wall_seconds = 0.0;
    double cpu_seconds = 0.0;
    std::uint32_t attempt = 1;
    std::string stderr_tail;  // last lines of stderr of a failed attempt
};

// Sets silico version/commit/dirty (build_info()), host and user of this process.
void fill_provenance(TrialRecord& record);

// A record's bytes as the store keeps them (docs/store.md, "Records"), for moving records between stores
// (sharing/). decode_trial_record: Errc::corruption for malformed bytes, Errc::version for a newer format.
std::string encode_trial_record(const TrialRecord& record);
Result<TrialRecord> decode_trial_record(std::string_view bytes);

// One output of a trial, handed to commit_trial: a worker's NamedArray as it is (trial_outputs.hpp), or any
// other bytes under an output name (an imported run's parameter files).
using NamedBlob = NamedArray;

// A complete trial received from elsewhere (sharing/'s pull), for Store::commit_verified_trials. `record`
// names every output by digest and size. `blobs` holds the bytes of the outputs the store may lack, each
// under the SHA-256 the CALLER computed over exactly these bytes (never a digest taken from the sender): the
// store trusts that digest and does not hash the bytes again. An output not in `blobs` must already be in
// the store (or in `blobs` of an earlier trial of the same call) with the size the record states.
struct VerifiedTrial {
    Digest key;
    TrialRecord record;
    std::vector<std::pair<Digest, std::string>> blobs;  // (sha256(bytes) as computed by the caller, bytes)
    // Optional: for some of `blobs`, the zstd frame the caller decoded into exactly those bytes, one that
    // decode_received_frame found storable. The store keeps such a frame as it is instead of compressing the
    // bytes again (a pull then costs no compression).
    std::map<Digest, std::string> frames;
};

// A zstd frame received from elsewhere (a lab cache answering `Content-Encoding: zstd`, sharing/), decoded.
// The bytes are NOT checked against any digest: the caller hashes them. `storable`: the frame is exactly one
// zstd frame that states its content size, as the store writes its own, so VerifiedTrial::frames may carry it.
struct ReceivedFrame {
    std::string bytes;
    bool storable = false;
};
// Errc::corruption for bytes that are not zstd frames or that decode to more than `max_bytes`.
Result<ReceivedFrame> decode_received_frame(std::string_view frame, std::uint64_t max_bytes);

// Metadata of a named item (put_item): what ISF users know as a dumper's metadata.
struct ItemMeta {
    std::string name;
    BlobRef blob;
    std::string encoding;  // how the bytes are to be read: "file", "csv", "silico-array", "svg", ...
    std::int64_t time_unix_ms = 0;
    std::string silico_version;
    std::string silico_commit;
    bool silico_dirty = false;
};

// store info: counts and sizes.
struct StoreInfo {
    std::filesystem::path dir;
    std::uint32_t format_version = 0;
    std::uint64_t trials = 0;
    std::uint64_t failures = 0;
    std::uint64_t seeds = 0;
    std::uint64_t items = 0;
    std::uint64_t runs = 0;
    std::uint64_t blobs = 0;
    std::uint64_t blob_bytes = 0;         // uncompressed
    std::uint64_t blob_stored_bytes = 0;  // zstd frames
    // What the blobs hold before any encoding: for numeric arrays their values (array_raw_bytes in
    // array.hpp), for anything else its bytes. raw_bytes / blob_stored_bytes is the real compression ratio.
    std::uint64_t raw_bytes = 0;
    std::uint64_t disk_bytes = 0;  // every file under DIR
};

// store verify: every blob re-hashed, every reference checked, every column family read to its end. A block
// RocksDB cannot read (its checksum fails) does not stop the scan: it is listed in `damaged` and the scan
// continues after it, and every trial or item that lost its record or a blob is listed in `affected`.
struct VerifyReport {
    struct Problem {
        Digest digest;
        std::string message;  // what is wrong, and which trial or item references it when missing
    };
    // A key range of a column family that cannot be read: the keys between `after` and `resume` (both
    // readable, hex; "" for the start or the end) are lost to the block RocksDB reported in `message`.
    struct Damage {
        std::string column_family;
        std::string after, resume;
        std::string message;
    };
    // A trial or item that lost something: its record, or a blob it references.
    struct Affected {
        std::string kind;                 // "trial", "failed trial" or "item"
        std::string name;                 // the trial key (hex) or the item name
        std::optional<Digest> condition;  // from the record, when it could be read
        std::optional<std::uint64_t> sweep;
        std::optional<Digest> recipe;
        std::vector<std::string> items;  // "record unreadable: ...", "output 'soma.v' blob HEX corrupt: ..."
    };
    std::uint64_t blobs_checked = 0;
    std::uint64_t references_checked = 0;
    std::vector<Problem> corrupt;  // stored bytes that do not decode to their digest
    std::vector<Problem> missing;  // referenced by a record or item but absent
    std::vector<Damage> damaged;   // unreadable blocks, per column family
    std::vector<Affected> affected;
    bool ok() const { return corrupt.empty() && missing.empty() && damaged.empty() && affected.empty(); }
};

// store repair: what was set aside. The damaged database itself is kept, renamed, beside the new one.
struct RepairReport {
    VerifyReport found;                    // verify's findings before the repair
    std::vector<std::string> quarantined;  // item names under "quarantine/" holding the set-aside records
    std::vector<Digest> recompute;         // trials that are no longer complete: the next run recomputes them
    std::filesystem::path damaged_db;      // where the old database went ("" when nothing was wrong)
};

// store gc: blobs nothing references (no trial, failure or item).
struct GcReport {
    std::vector<Digest> unreferenced;
    std::uint64_t stored_bytes = 0;  // bytes of their zstd frames
    bool deleted = false;            // false on a dry run
};

// Bundles (export/import) move trials and named items with their blobs between stores; see docs/store.md.
// Version 2 added named items; version-1 bundles are still read.
inline constexpr std::uint32_t k_bundle_format_version = 2;
struct BundleReport {
    std::uint64_t trials = 0;      // records in the bundle
    std::uint64_t blobs = 0;       // blobs in the bundle
    std::uint64_t items = 0;       // named items in the bundle
    std::uint64_t new_trials = 0;  // import: trials that were not in the store before
    std::uint64_t new_items = 0;   // import: items that were not in the store before
};

// What export_bundle writes: the given trials (every complete trial when `all_trials`) and the given named
// items (every item when `all_items`).
struct BundleSelection {
    std::vector<Digest> trials;
    bool all_trials = false;
    std::vector<std::string> items;
    bool all_items = false;
};

class Store {
  public:
    // Opens (or creates) the store in `dir`. A second writer gets Errc::busy
    // "store DIR is in use by PID N on HOST"; a store of a newer format gets Errc::version.
    static Result<Store> open(const std::filesystem::path& dir, const Options& options = {});

    Store(Store&&) noexcept;
    Store& operator=(Store&&) noexcept;
    ~Store();

    const std::filesystem::path& dir() const;
    bool read_only() const;
    // Readers: reopen to see everything committed since open. A no-op for the writer.
    Status refresh();

    // Blobs. put_blob is idempotent and synced; get_blob verifies the SHA-256 of what it returns
    // (a mismatch or an undecodable frame is Errc::corruption naming the digest).
    Result<BlobRef> put_blob(std::string_view bytes);
    Result<std::string> get_blob(const Digest& digest) const;
    // As get_blob, into `out`, whose capacity is reused: a reader of many blobs allocates only while they
    // grow. With BlobCheck::block_checksums the SHA-256 is not recomputed (see BlobCheck).
    Status read_blob(const Digest& digest, std::string& out, BlobCheck check = BlobCheck::digest) const;
    Result<bool> has_blob(const Digest& digest) const;
    // The blob's zstd frame as stored (docs/store.md), neither decoded nor verified; std::nullopt when absent.
    // For the cache server answering a client that asks for zstd: the client decodes and re-hashes it
    // (sharing/), so the server need not decode it first.
    Result<std::optional<std::string>> get_blob_frame(const Digest& digest) const;

    // Trials. commit_trial stores `outputs` as blobs and fills record.outputs, registers record.seed (as
    // record.seed_mode says) and writes the record, all in one synced WriteBatch. Recommitting the same key
    // is idempotent (the first record stays); a registration already held by another key is
    // Errc::validation naming the seed mode and both keys; an isf-mode record without seed, sweep or
    // condition is Errc::invalid_argument.
    Result<TrialRecord> commit_trial(const Digest& key, TrialRecord record,
                                     const std::vector<NamedBlob>& outputs);
    // Keeps a failed attempt apart from complete trials, under (key, record.attempt). Registers no seed; an
    // isf-mode record without seed, sweep or condition is Errc::invalid_argument.
    Status record_failure(const Digest& key, TrialRecord record);
    // Commits a complete trial whose blobs the store already holds (a record received from another store):
    // every blob record.outputs names must be present with the size the record states (Errc::not_found or
    // Errc::invalid_argument naming the output and digest otherwise, nothing written); the stored sizes are
    // taken from this store. Seeds and idempotence as in commit_trial.
    Result<TrialRecord> commit_record(const Digest& key, TrialRecord record);
    // Commits several verified trials (see VerifiedTrial) in ONE synced WriteBatch: one fsync for the group
    // instead of one per trial. Each trial stays atomic (its blobs, seed and record are in the same batch),
    // and a crash loses the whole group or none of it, so a caller should pass only trials it has fully
    // received (a few dozen at most). Per trial, in order: the committed record (or the existing one when
    // the key is complete already, as commit_trial), or that trial's error (Errc::not_found /
    // Errc::invalid_argument for an output neither given nor held or with another size, Errc::validation for
    // a seed another key holds, also one claimed by an earlier trial of the same group), which leaves the
    // other trials unaffected. Only a failing write is an error of the whole call.
    Result<std::vector<Result<TrialRecord>>> commit_verified_trials(std::vector<VerifiedTrial> trials);
    // The record of a complete trial; Errc::not_found when the trial is not complete.
    Result<TrialRecord> find_trial(const Digest& key) const;
    // Whether the trial is complete: a bloom-filtered point lookup (see bench/RESULTS.md).
    Result<bool> contains(const Digest& key) const;
    // Calls fn for every complete trial in key order; stops early when fn returns false.
    Status for_each_trial(const std::function<bool(const Digest&, const TrialRecord&)>& fn) const;
    // Every failed attempt of `key`, oldest first.
    Result<std::vector<TrialRecord>> failures(const Digest& key) const;
    // The trial that registered `seed` in independent mode, if any.
    Result<std::optional<Digest>> seed_owner(std::uint64_t seed) const;
    // The trial that registered ISF's sweep `sweep` of process seed `seed` in `condition` (isf mode), if any.
    Result<std::optional<Digest>> isf_seed_owner(std::uint64_t seed, std::uint64_t sweep,
                                                 const Digest& condition) const;

    // Named items (the dictionary-like API): any bytes under a name, with metadata.
    Result<ItemMeta> put_item(const std::string& name, std::string_view bytes,
                              const std::string& encoding = "file");
    Result<std::string> get_item(const std::string& name) const;
    Result<ItemMeta> item_meta(const std::string& name) const;
    Result<std::vector<std::string>> item_names(std::string_view prefix = {}) const;
    // Errc::not_found when absent. The blob stays until gc.
    Status delete_item(const std::string& name);

    // Runs: opaque progress records the runner owns, written synced.
    Status put_run(const std::string& name, std::string_view bytes);
    Result<std::optional<std::string>> get_run(const std::string& name) const;
    Result<std::vector<std::string>> run_names() const;
    Status delete_run(const std::string& name);

    // Maintenance.
    Result<StoreInfo> info() const;
    Result<VerifyReport> verify() const;
    // Writer only. When verify finds problems, rebuilds the database from everything readable: affected
    // trials' records and affected items' metadata are set aside as named items under "quarantine/" (kept,
    // not deleted), so those trials are incomplete and the next run recomputes them; corrupt blobs are left
    // out; the damaged database is renamed to DIR/db.damaged-<unix ms> and kept. A clean store is untouched.
    Result<RepairReport> repair();
    Result<GcReport> gc(bool dry_run = true);

    // Writes the given complete trials (all when `keys` is empty) and their blobs to `file` (temp + rename).
    Result<BundleReport> export_bundle(const std::filesystem::path& file,
                                       const std::vector<Digest>& keys = {}) const;
    // Writes the selected trials and named items with their blobs to `file` (temp + rename).
    Result<BundleReport> export_bundle(const std::filesystem::path& file,
                                       const BundleSelection& selection) const;
    // Verifies every digest in the bundle before writing anything, refuses a newer bundle format, and
    // commits each trial as commit_trial would (so it is idempotent). A named item lands under its name with
    // its metadata as exported; an item whose name the store already holds with other bytes is a conflict
    // (Errc::validation naming the item and both digests), found before anything is written.
    Result<BundleReport> import_bundle(const std::filesystem::path& file);

    struct Impl;

  private:
    explicit Store(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace silico::store
