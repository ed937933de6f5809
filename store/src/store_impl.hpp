// Store::Impl (private): the RocksDB handles behind the public Store. Shared by store.cpp,
// maintenance.cpp and bundle.cpp.
#pragma once

#include <rocksdb/db.h>

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "silico/store/store.hpp"
#include "writer_lock.hpp"

namespace silico::store {

// Column families, in the order of k_column_families.
enum Cf : std::size_t {
    cf_default,
    cf_blobs,
    cf_trials,
    cf_failures,
    cf_seeds,
    cf_names,
    cf_runs,
    cf_meta,
    cf_count
};
inline constexpr std::array<const char*, cf_count> k_column_families = {
    "default", "blobs", "trials", "failures", "seeds", "names", "runs", "meta"};

// The database folder inside a store folder (the store folder itself holds our LOCK, RocksDB has its own).
inline std::filesystem::path db_path(const std::filesystem::path& dir) {
    return dir / "db";
}

// The seeds column family's keys, big-endian so it iterates in numeric order (docs/store.md).
// Independent mode: the 8-byte seed.
std::string seed_key(std::uint64_t seed);
// Isf mode: 8-byte process seed, 8-byte sweep index, 32-byte condition key (48 bytes).
std::string isf_seed_key(std::uint64_t seed, std::uint64_t sweep, const Digest& condition);
// 32-byte trial key + 4-byte big-endian attempt.
std::string failure_key(const Digest& key, std::uint32_t attempt);

// The column families' options (store.cpp), sharing one block cache, and opening the database of a store
// folder (impl.dir, impl.options) with the format-version check.
std::vector<rocksdb::ColumnFamilyDescriptor> descriptors(const std::shared_ptr<rocksdb::Cache>& cache,
                                                         std::size_t write_buffer_bytes);
const std::shared_ptr<rocksdb::Cache>& block_cache();

// Maps a RocksDB status to a silico error naming the store and the operation.
Error rocks_error(const rocksdb::Status& status, const std::filesystem::path& dir, std::string_view what);

struct PreparedTrial;  // store.cpp

struct Store::Impl {
    std::filesystem::path dir;
    Options options;
    std::optional<WriterLock> lock;       // writers only
    std::filesystem::path secondary_dir;  // readers only: RocksDB's secondary-instance folder
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> cfs;  // indexed by Cf
    std::uint32_t format_version = 0;
    mutable std::mutex write_mutex;  // seed check + write must not interleave

    ~Impl();
    void close();
    rocksdb::ColumnFamilyHandle* cf(Cf which) const { return cfs[which]; }
    Status require_writer(std::string_view what) const;
    rocksdb::WriteOptions write_options() const;
    // Gets a value; nullopt when absent.
    Result<std::optional<std::string>> get(Cf which, std::string_view key) const;
    // Adds the blob to `batch` unless the store has it; returns its reference either way.
    Result<BlobRef> stage_blob(rocksdb::WriteBatch& batch, std::string_view bytes) const;
    // Stages the frame of a blob whose digest was verified by the caller.
    Result<BlobRef> stage_frame(rocksdb::WriteBatch& batch, const Digest& digest,
                                std::string_view frame) const;
    // Seed registrations staged in a batch that is not written yet (commit_verified_trials' groups).
    using StagedSeeds = std::map<std::string, Digest>;
    // The checks and puts of a new complete record (seed fields, seed registration, the record) into
    // `batch`, without writing it; `staged` (optional) holds the registrations of earlier trials in `batch`.
    // Caller holds write_mutex and has checked the key is not complete yet.
    Result<TrialRecord> stage_record_locked(rocksdb::WriteBatch& batch, const Digest& key, TrialRecord record,
                                            StagedSeeds* staged);
    // One trial of commit_verified_trials into `batch` (store.cpp): its outputs checked against what was
    // given, held or staged, new blobs staged, then stage_record_locked. Caller holds write_mutex.
    Result<TrialRecord> stage_verified_locked(rocksdb::WriteBatch& batch, PreparedTrial& prepared,
                                              std::map<Digest, std::uint64_t>& blobs, StagedSeeds& seeds);
    // The commit of commit_trial and import: caller holds write_mutex; blobs referenced by `record`
    // must be in the store or in `batch`.
    Result<TrialRecord> commit_locked(rocksdb::WriteBatch& batch, const Digest& key, TrialRecord record);
};

// Opens the database of impl.dir with impl.options and checks its format version (store.cpp).
Status open_db(Store::Impl& impl);

}  // namespace silico::store
