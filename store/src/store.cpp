#include "silico/store/store.hpp"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <thread>

#include "blob_codec.hpp"
#include "record.hpp"
#include "silico/core/env.hpp"
#include "silico/core/git_info.hpp"
#include "store_impl.hpp"

namespace silico::store {

namespace {

// An empty string_view may carry a null pointer, which RocksDB would hand to memcmp.
rocksdb::Slice slice(std::string_view s) {
    return s.data() ? rocksdb::Slice(s.data(), s.size()) : rocksdb::Slice();
}

// Per column family tuning: trials and seeds are point-looked-up (bloom filter); blobs are zstd frames
// already, so RocksDB must not compress them again.
rocksdb::ColumnFamilyOptions cf_options(Cf which, const std::shared_ptr<rocksdb::Cache>& cache) {
    rocksdb::ColumnFamilyOptions o;
    rocksdb::BlockBasedTableOptions t;
    t.block_cache = cache;
    t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    t.whole_key_filtering = true;
    o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
    o.compression = which == cf_blobs ? rocksdb::kNoCompression : rocksdb::kLZ4Compression;
    // The last level gets no filter otherwise; absent keys (the common case in planning) need it.
    o.optimize_filters_for_hits = false;
    return o;
}

}  // namespace

std::vector<rocksdb::ColumnFamilyDescriptor> descriptors(const std::shared_ptr<rocksdb::Cache>& cache,
                                                         std::size_t write_buffer_bytes) {
    std::vector<rocksdb::ColumnFamilyDescriptor> out;
    for (std::size_t i = 0; i < cf_count; ++i) {
        out.emplace_back(k_column_families[i], cf_options(static_cast<Cf>(i), cache));
        out.back().options.write_buffer_size = write_buffer_bytes;
    }
    return out;
}

const std::shared_ptr<rocksdb::Cache>& block_cache() {
    static const std::shared_ptr<rocksdb::Cache> cache = rocksdb::NewLRUCache(64 << 20);
    return cache;
}

namespace {

constexpr std::string_view k_version_key = "format_version";

// What the writers refuse: an isf-mode record they could not register (commit) or read back (failures).
Status check_seed_fields(const TrialRecord& record, const Digest& key) {
    if (auto missing = missing_isf_field(record); !missing.empty())
        return fail(Errc::invalid_argument,
                    "an isf-mode trial record needs its " + std::string(missing) +
                        " (ISF's trial is a sweep of a process seed within a condition)",
                    "trial " + key.hex());
    return {};
}

Status check_format_version(Store::Impl& impl) {
    auto stored = impl.get(cf_meta, k_version_key);
    if (!stored) return std::unexpected(stored.error());
    // A reader that opens while a writer is recovering its log (flushing the WAL into a table file and
    // deleting the WAL) can read the MANIFEST from before the flush and find the WAL already gone: it sees
    // an empty database for a moment. Catch up with the writer a few times before calling it corrupt.
    for (int attempt = 0; impl.options.read_only && !*stored && attempt < 6; ++attempt) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10 << attempt));
        if (!impl.db->TryCatchUpWithPrimary().ok()) continue;
        stored = impl.get(cf_meta, k_version_key);
        if (!stored) return std::unexpected(stored.error());
    }
    if (!*stored) {
        if (impl.options.read_only)
            return fail(Errc::corruption, "store has no format version", impl.dir.string());
        const std::string text = std::to_string(k_store_format_version);
        auto s = impl.db->Put(impl.write_options(), impl.cf(cf_meta), slice(k_version_key), slice(text));
        if (!s.ok()) return std::unexpected(rocks_error(s, impl.dir, "writing the format version"));
        impl.format_version = k_store_format_version;
        return {};
    }
    std::uint32_t v = 0;
    try {
        v = static_cast<std::uint32_t>(std::stoul(**stored));
    } catch (const std::exception&) {
        return fail(Errc::corruption, "unreadable format version '" + **stored + "'", impl.dir.string());
    }
    if (v > k_store_format_version) {
        return fail(Errc::version,
                    "store has format version " + std::to_string(v) + ", newer than this silico reads (" +
                        std::to_string(k_store_format_version) + "); use a newer silico",
                    impl.dir.string());
    }
    impl.format_version = v;
    return {};
}

// A reader's scratch folder (the RocksDB secondary's own files) lives in the temp dir and is removed when the
// reader closes. A reader that was killed cannot remove it, so each folder names its owner's PID in a file
// "owner", and every new reader removes the folders whose owner no longer runs. A folder without that file,
// or whose PID is alive (or was reused), is left alone: never delete what might be in use.
constexpr std::string_view k_reader_prefix = "silico-reader-";

void remove_orphaned_reader_folders(const std::filesystem::path& temp) {
    std::error_code ec;
    for (std::filesystem::directory_iterator it(temp, ec), end; !ec && it != end; it.increment(ec)) {
        if (!it->path().filename().string().starts_with(k_reader_prefix)) continue;
        std::ifstream owner(it->path() / "owner");
        long pid = 0;
        if (!(owner >> pid) || pid <= 0) continue;
        if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
        std::error_code ignored;
        std::filesystem::remove_all(it->path(), ignored);
    }
}

}  // namespace

Status open_db(Store::Impl& impl) {
    const std::shared_ptr<rocksdb::Cache>& cache = block_cache();
    rocksdb::DBOptions db_options;
    db_options.create_if_missing = impl.options.create_if_missing;
    db_options.create_missing_column_families = true;
    db_options.max_open_files = -1;  // secondaries need it; files stay open while a writer compacts
    db_options.keep_log_file_num = 5;
    // A log file is deleted only when every column family with data in it has flushed (Options::max_log_bytes).
    db_options.max_total_wal_size = impl.options.max_log_bytes;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    const std::string path = db_path(impl.dir).string();
    rocksdb::Status s;
    if (impl.options.read_only) {
        const auto temp = std::filesystem::temp_directory_path();
        remove_orphaned_reader_folders(temp);
        std::string tmpl = (temp / (std::string(k_reader_prefix) + "XXXXXX")).string();
        if (!mkdtemp(tmpl.data())) return fail(Errc::io, "cannot create a reader folder in the temp dir");
        impl.secondary_dir = tmpl;
        // The real pid, not env()'s: other readers test it with kill(pid, 0) to find orphaned folders.
        std::ofstream(std::filesystem::path(tmpl) / "owner") << ::getpid() << "\n";
        // The writer may delete a file (compaction) between our reading the MANIFEST and opening the
        // file; that race is transient, so try again a few times before reporting it.
        for (int attempt = 0; attempt < 5; ++attempt) {
            s = rocksdb::DB::OpenAsSecondary(
                db_options, path, tmpl, descriptors(cache, impl.options.write_buffer_bytes), &handles, &raw);
            if (s.ok() || !(s.IsIOError() || s.IsPathNotFound() || s.IsCorruption())) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
        }
    } else {
        s = rocksdb::DB::Open(db_options, path, descriptors(cache, impl.options.write_buffer_bytes), &handles,
                              &raw);
    }
    if (!s.ok()) return std::unexpected(rocks_error(s, impl.dir, "opening the database"));
    impl.db.reset(raw);
    impl.cfs = std::move(handles);
    return check_format_version(impl);
}

std::string seed_key(std::uint64_t seed) {
    std::string k(8, '\0');
    for (int i = 7; i >= 0; --i, seed >>= 8) k[static_cast<std::size_t>(i)] = static_cast<char>(seed & 0xFF);
    return k;
}

std::string isf_seed_key(std::uint64_t seed, std::uint64_t sweep, const Digest& condition) {
    std::string k = seed_key(seed) + seed_key(sweep);
    k.append(condition.view());
    return k;
}

std::string failure_key(const Digest& key, std::uint32_t attempt) {
    std::string k(key.view());
    for (int shift = 24; shift >= 0; shift -= 8) k.push_back(static_cast<char>((attempt >> shift) & 0xFF));
    return k;
}

Error rocks_error(const rocksdb::Status& status, const std::filesystem::path& dir, std::string_view what) {
    Errc code = Errc::io;
    if (status.IsCorruption()) code = Errc::corruption;
    if (status.IsNotFound() || status.IsPathNotFound()) code = Errc::not_found;
    if (status.IsNotSupported() || status.IsInvalidArgument()) code = Errc::internal;
    return Error{code, std::string(what) + " failed: " + status.ToString(), "store " + dir.string()};
}

void fill_provenance(TrialRecord& record) {
    const BuildInfo& info = build_info();
    record.silico_version = info.version;
    record.silico_commit = info.commit;
    record.silico_dirty = info.dirty;
    record.host = env().host_name();
    record.user = env().user_name();
}

// ---------------------------------------------------------------- Impl

Store::Impl::~Impl() {
    close();
}

void Store::Impl::close() {
    if (db) {
        // A writer flushes what its memtables hold, so readers that open later find it in table files
        // instead of replaying the log. Nothing depends on it succeeding: the synced log keeps every commit.
        if (!options.read_only) {
            rocksdb::FlushOptions flush;
            flush.allow_write_stall = true;
            db->Flush(flush, cfs).PermitUncheckedError();
        }
        for (auto* h : cfs) db->DestroyColumnFamilyHandle(h);
        cfs.clear();
        db->Close();
        db.reset();
    }
    if (!secondary_dir.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(secondary_dir, ec);
        secondary_dir.clear();
    }
}

Status Store::Impl::require_writer(std::string_view what) const {
    if (options.read_only) {
        return fail(Errc::invalid_argument, "cannot " + std::string(what) + ": store opened read-only",
                    dir.string());
    }
    return {};
}

rocksdb::WriteOptions Store::Impl::write_options() const {
    rocksdb::WriteOptions w;
    w.sync = options.sync;
    return w;
}

Result<std::optional<std::string>> Store::Impl::get(Cf which, std::string_view key) const {
    std::string value;
    auto s = db->Get(rocksdb::ReadOptions(), cf(which), slice(key), &value);
    if (s.IsNotFound()) return std::optional<std::string>{};
    if (!s.ok())
        return std::unexpected(rocks_error(s, dir, std::string("reading ") + k_column_families[which]));
    return std::optional<std::string>{std::move(value)};
}

Result<BlobRef> Store::Impl::stage_frame(rocksdb::WriteBatch& batch, const Digest& digest,
                                         std::string_view frame) const {
    BlobRef ref{digest, blob_content_size(frame), frame.size()};
    auto s = batch.Put(cf(cf_blobs), slice(digest.view()), slice(frame));
    if (!s.ok()) return std::unexpected(rocks_error(s, dir, "staging a blob"));
    return ref;
}

Result<BlobRef> Store::Impl::stage_blob(rocksdb::WriteBatch& batch, std::string_view bytes) const {
    const Digest digest = sha256(bytes);
    rocksdb::PinnableSlice existing;
    auto s = db->Get(rocksdb::ReadOptions(), cf(cf_blobs), slice(digest.view()), &existing);
    if (s.ok()) return BlobRef{digest, bytes.size(), existing.size()};
    if (!s.IsNotFound()) return std::unexpected(rocks_error(s, dir, "looking up blob " + digest.hex()));
    const std::string frame = compress_blob(bytes, options.zstd_level);
    auto ref = stage_frame(batch, digest, frame);
    if (ref) ref->size = bytes.size();
    return ref;
}

Result<TrialRecord> Store::Impl::stage_record_locked(rocksdb::WriteBatch& batch, const Digest& key,
                                                     TrialRecord record, StagedSeeds* staged) {
    if (auto ok = check_seed_fields(record, key); !ok) return std::unexpected(ok.error());
    if (record.seed) {
        const bool isf = record.seed_mode == SeedMode::isf;
        const std::string registration =
            isf ? isf_seed_key(*record.seed, *record.sweep, *record.condition) : seed_key(*record.seed);
        std::optional<std::string> holder;
        const auto in_batch = staged ? staged->find(registration) : StagedSeeds::iterator{};
        if (staged && in_batch != staged->end()) {
            holder = std::string(in_batch->second.view());
        } else {
            auto owner = get(cf_seeds, registration);
            if (!owner) return std::unexpected(owner.error());
            holder = std::move(*owner);
        }
        if (holder && *holder != key.view()) {
            auto other = Digest::from_bytes(*holder);
            const std::string what = isf ? "ISF process seed " + std::to_string(*record.seed) + ", sweep " +
                                               std::to_string(*record.sweep) + " of condition " +
                                               record.condition->hex()
                                         : "seed " + std::to_string(*record.seed);
            return fail(Errc::validation,
                        what + " (seed mode " + std::string(to_string(record.seed_mode)) +
                            ") is already used by trial " +
                            (other ? other->hex() : std::string("<corrupt key>")) + "; trial " + key.hex() +
                            " claims it too",
                        "store " + dir.string());
        }
        batch.Put(cf(cf_seeds), registration, slice(key.view()));
        if (staged) staged->emplace(registration, key);
    }
    record.status = TrialStatus::complete;
    record.format_version = k_record_format_version;
    batch.Put(cf(cf_trials), slice(key.view()), encode_record(record));
    return record;
}

Result<TrialRecord> Store::Impl::commit_locked(rocksdb::WriteBatch& batch, const Digest& key,
                                               TrialRecord record) {
    auto existing = get(cf_trials, key.view());
    if (!existing) return std::unexpected(existing.error());
    if (*existing) return decode_record(**existing);  // already complete: the first record stays
    auto staged = stage_record_locked(batch, key, std::move(record), nullptr);
    if (!staged) return staged;
    auto s = db->Write(write_options(), &batch);
    if (!s.ok()) return std::unexpected(rocks_error(s, dir, "committing trial " + key.hex()));
    return staged;
}

// ---------------------------------------------------------------- Store

Store::Store(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Result<Store> Store::open(const std::filesystem::path& dir, const Options& options) {
    auto impl = std::make_unique<Impl>();
    impl->dir = dir;
    impl->options = options;
    std::error_code ec;
    if (options.read_only) {
        if (!std::filesystem::exists(db_path(dir) / "CURRENT", ec)) {
            return fail(Errc::not_found, "no silico store here", dir.string());
        }
    } else {
        if (!options.create_if_missing && !std::filesystem::exists(db_path(dir) / "CURRENT", ec)) {
            return fail(Errc::not_found, "no silico store here", dir.string());
        }
        if (!std::filesystem::exists(dir, ec)) {
            std::filesystem::create_directories(dir, ec);
            if (ec) return fail(Errc::io, "cannot create the store folder: " + ec.message(), dir.string());
        }
        // Our lock first: a second writer must see who holds it, never RocksDB's own LOCK error.
        auto lock = WriterLock::acquire(dir);
        if (!lock) return std::unexpected(lock.error());
        impl->lock.emplace(std::move(*lock));
    }
    if (auto ok = open_db(*impl); !ok) return std::unexpected(ok.error());
    return Store(std::move(impl));
}

const std::filesystem::path& Store::dir() const {
    return m_impl->dir;
}
bool Store::read_only() const {
    return m_impl->options.read_only;
}

Status Store::refresh() {
    if (!m_impl->options.read_only) return {};
    rocksdb::Status s;
    for (int attempt = 0; attempt < 5; ++attempt) {  // same transient race as in open_db
        s = m_impl->db->TryCatchUpWithPrimary();
        if (s.ok() || !(s.IsIOError() || s.IsPathNotFound())) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20 << attempt));
    }
    if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "catching up with the writer"));
    return {};
}

Result<BlobRef> Store::put_blob(std::string_view bytes) {
    if (auto ok = m_impl->require_writer("put a blob"); !ok) return std::unexpected(ok.error());
    std::lock_guard guard(m_impl->write_mutex);
    rocksdb::WriteBatch batch;
    auto ref = m_impl->stage_blob(batch, bytes);
    if (!ref) return ref;
    if (batch.Count() > 0) {
        auto s = m_impl->db->Write(m_impl->write_options(), &batch);
        if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "writing blob " + ref->digest.hex()));
    }
    return ref;
}

Result<std::string> Store::get_blob(const Digest& digest) const {
    std::string bytes;
    if (auto st = read_blob(digest, bytes); !st) return std::unexpected(st.error());
    return bytes;
}

Status Store::read_blob(const Digest& digest, std::string& out, BlobCheck check) const {
    rocksdb::PinnableSlice frame;
    // With the digest checked, RocksDB's checksum of the same data blocks is redundant; without it, it is the
    // check.
    rocksdb::ReadOptions read;
    read.verify_checksums = check == BlobCheck::block_checksums;
    // A blob is read once per query and is one block of its own: caching it only evicts the index and filter
    // blocks (and the small records) that lookups need.
    read.fill_cache = false;
    auto s = m_impl->db->Get(read, m_impl->cf(cf_blobs), slice(digest.view()), &frame);
    if (s.IsNotFound()) return fail(Errc::not_found, "no such blob", "blob " + digest.hex());
    if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "reading blob " + digest.hex()));
    return decode_blob_into(digest, std::string_view(frame.data(), frame.size()), out,
                            check == BlobCheck::digest);
}

Result<std::optional<std::string>> Store::get_blob_frame(const Digest& digest) const {
    rocksdb::ReadOptions read;  // as get_blob: the reader verifies the bytes, and a blob is read once
    read.verify_checksums = false;
    read.fill_cache = false;
    std::string frame;
    auto s = m_impl->db->Get(read, m_impl->cf(cf_blobs), slice(digest.view()), &frame);
    if (s.IsNotFound()) return std::optional<std::string>{};
    if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "reading blob " + digest.hex()));
    return std::optional<std::string>(std::move(frame));
}

Result<bool> Store::has_blob(const Digest& digest) const {
    rocksdb::PinnableSlice frame;
    auto s = m_impl->db->Get(rocksdb::ReadOptions(), m_impl->cf(cf_blobs), slice(digest.view()), &frame);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "reading blob " + digest.hex()));
    return true;
}

Result<TrialRecord> Store::commit_trial(const Digest& key, TrialRecord record,
                                        const std::vector<NamedBlob>& outputs) {
    if (auto ok = m_impl->require_writer("commit a trial"); !ok) return std::unexpected(ok.error());
    std::lock_guard guard(m_impl->write_mutex);
    // A trial already complete keeps its first record; skip hashing and compressing its outputs again.
    auto existing = m_impl->get(cf_trials, key.view());
    if (!existing) return std::unexpected(existing.error());
    if (*existing) return decode_record(**existing);
    rocksdb::WriteBatch batch;
    record.outputs.clear();
    for (const auto& out : outputs) {
        if (out.name.empty())
            return fail(Errc::invalid_argument, "an output has no name", "trial " + key.hex());
        auto ref = m_impl->stage_blob(batch, out.bytes);
        if (!ref) return std::unexpected(ref.error());
        if (!record.outputs.emplace(out.name, *ref).second) {
            return fail(Errc::invalid_argument, "output '" + out.name + "' given twice",
                        "trial " + key.hex());
        }
    }
    return m_impl->commit_locked(batch, key, std::move(record));
}

Result<TrialRecord> Store::commit_record(const Digest& key, TrialRecord record) {
    if (auto ok = m_impl->require_writer("commit a trial"); !ok) return std::unexpected(ok.error());
    std::lock_guard guard(m_impl->write_mutex);
    for (auto& [name, ref] : record.outputs) {
        rocksdb::PinnableSlice frame;
        auto s =
            m_impl->db->Get(rocksdb::ReadOptions(), m_impl->cf(cf_blobs), slice(ref.digest.view()), &frame);
        if (s.IsNotFound())
            return fail(
                Errc::not_found,
                "output '" + name + "' names blob " + ref.digest.hex() + ", which the store does not hold",
                "trial " + key.hex());
        if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "reading blob " + ref.digest.hex()));
        const std::uint64_t size = blob_content_size(std::string_view(frame.data(), frame.size()));
        if (size != ref.size)
            return fail(Errc::invalid_argument,
                        "output '" + name + "' says blob " + ref.digest.hex() + " has " +
                            std::to_string(ref.size) + " bytes, but it has " + std::to_string(size),
                        "trial " + key.hex());
        ref.stored_size = frame.size();
    }
    rocksdb::WriteBatch batch;
    return m_impl->commit_locked(batch, key, std::move(record));
}

// A verified trial's blobs, compressed before the store's write lock is taken (compression is the costly
// part, and pulling threads should not wait for each other's).
struct PreparedTrial {
    VerifiedTrial trial;
    std::map<Digest, std::string> frames;  // digest -> zstd frame of the blobs the store lacked
};

namespace {

PreparedTrial prepare_verified(const Store& store, VerifiedTrial trial, int zstd_level) {
    PreparedTrial p{std::move(trial), {}};
    for (const auto& [digest, bytes] : p.trial.blobs) {
        auto held = store.has_blob(digest);
        if (held && *held) continue;  // a read error shows again when the trial is staged
        if (p.frames.contains(digest)) continue;
        // A frame the caller received and decoded into exactly these bytes is kept as it came.
        if (auto given = p.trial.frames.find(digest); given != p.trial.frames.end()) {
            p.frames.emplace(digest, std::move(given->second));
            continue;
        }
        p.frames.emplace(digest, compress_blob(bytes, zstd_level));
    }
    return p;
}

}  // namespace

// Stages one prepared trial into `batch`; `blobs` holds the stored sizes of blobs staged by earlier trials.
Result<TrialRecord> Store::Impl::stage_verified_locked(rocksdb::WriteBatch& batch, PreparedTrial& p,
                                                       std::map<Digest, std::uint64_t>& blobs,
                                                       StagedSeeds& seeds) {
    const Digest& key = p.trial.key;
    for (auto& [name, ref] : p.trial.record.outputs) {
        const auto given = std::find_if(p.trial.blobs.begin(), p.trial.blobs.end(),
                                        [&](const auto& b) { return b.first == ref.digest; });
        if (given != p.trial.blobs.end() && given->second.size() != ref.size)
            return fail(Errc::invalid_argument,
                        "output '" + name + "' says blob " + ref.digest.hex() + " has " +
                            std::to_string(ref.size) + " bytes, but was given " +
                            std::to_string(given->second.size()),
                        "trial " + key.hex());
        if (auto staged = blobs.find(ref.digest); staged != blobs.end()) {
            ref.stored_size = staged->second;
            continue;
        }
        rocksdb::PinnableSlice frame;
        auto s = db->Get(rocksdb::ReadOptions(), cf(cf_blobs), slice(ref.digest.view()), &frame);
        if (!s.ok() && !s.IsNotFound())
            return std::unexpected(rocks_error(s, dir, "reading blob " + ref.digest.hex()));
        if (s.ok()) {
            const std::uint64_t size = blob_content_size(std::string_view(frame.data(), frame.size()));
            if (size != ref.size)
                return fail(Errc::invalid_argument,
                            "output '" + name + "' says blob " + ref.digest.hex() + " has " +
                                std::to_string(ref.size) + " bytes, but the store's has " +
                                std::to_string(size),
                            "trial " + key.hex());
            ref.stored_size = frame.size();
            continue;
        }
        auto prepared = p.frames.find(ref.digest);
        if (given == p.trial.blobs.end() || prepared == p.frames.end())
            return fail(Errc::not_found,
                        "output '" + name + "' names blob " + ref.digest.hex() +
                            ", which was neither given nor is in the store",
                        "trial " + key.hex());
        auto staged = stage_frame(batch, ref.digest, prepared->second);
        if (!staged) return std::unexpected(staged.error());
        ref.stored_size = staged->stored_size;
        blobs.emplace(ref.digest, staged->stored_size);
    }
    return stage_record_locked(batch, key, std::move(p.trial.record), &seeds);
}

Result<std::vector<Result<TrialRecord>>> Store::commit_verified_trials(std::vector<VerifiedTrial> trials) {
    if (auto ok = m_impl->require_writer("commit trials"); !ok) return std::unexpected(ok.error());
    std::vector<PreparedTrial> prepared;
    prepared.reserve(trials.size());
    for (auto& t : trials)
        prepared.push_back(prepare_verified(*this, std::move(t), m_impl->options.zstd_level));
    std::lock_guard guard(m_impl->write_mutex);
    rocksdb::WriteBatch batch;
    std::map<Digest, std::uint64_t> blobs;  // staged in `batch`: digest -> stored size
    Impl::StagedSeeds seeds;
    std::map<Digest, TrialRecord> records;  // staged in `batch`
    std::vector<Result<TrialRecord>> out;
    for (auto& p : prepared) {
        if (auto it = records.find(p.trial.key); it != records.end()) {
            out.emplace_back(it->second);  // the same key twice in one group: the first record stays
            continue;
        }
        auto existing = m_impl->get(cf_trials, p.trial.key.view());
        if (!existing) return std::unexpected(existing.error());
        if (*existing) {
            out.push_back(decode_record(**existing));
            continue;
        }
        // A trial that fails a check leaves nothing of itself in the batch or in the staged maps.
        batch.SetSavePoint();
        const auto blobs_before = blobs;
        const auto seeds_before = seeds;
        auto staged = m_impl->stage_verified_locked(batch, p, blobs, seeds);
        if (staged) {
            records.emplace(p.trial.key, *staged);
        } else {
            (void)batch.RollbackToSavePoint();
            blobs = blobs_before;
            seeds = seeds_before;
        }
        out.push_back(std::move(staged));
    }
    if (batch.Count() > 0) {
        auto s = m_impl->db->Write(m_impl->write_options(), &batch);
        if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "committing a group of trials"));
    }
    return out;
}

Status Store::record_failure(const Digest& key, TrialRecord record) {
    if (auto ok = m_impl->require_writer("record a failure"); !ok) return std::unexpected(ok.error());
    if (auto ok = check_seed_fields(record, key); !ok) return ok;
    std::lock_guard guard(m_impl->write_mutex);
    record.status = TrialStatus::failed;
    record.format_version = k_record_format_version;
    auto s = m_impl->db->Put(m_impl->write_options(), m_impl->cf(cf_failures),
                             failure_key(key, record.attempt), encode_record(record));
    if (!s.ok())
        return std::unexpected(rocks_error(s, m_impl->dir, "recording a failure of trial " + key.hex()));
    return {};
}

Result<TrialRecord> Store::find_trial(const Digest& key) const {
    auto value = m_impl->get(cf_trials, key.view());
    if (!value) return std::unexpected(value.error());
    if (!*value) return fail(Errc::not_found, "no complete trial with this key", "trial " + key.hex());
    auto record = decode_record(**value);
    if (!record) return std::unexpected(record.error().within("trial " + key.hex()));
    return record;
}

Result<bool> Store::contains(const Digest& key) const {
    rocksdb::PinnableSlice value;
    auto s = m_impl->db->Get(rocksdb::ReadOptions(), m_impl->cf(cf_trials), slice(key.view()), &value);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "looking up trial " + key.hex()));
    return true;
}

Status Store::for_each_trial(const std::function<bool(const Digest&, const TrialRecord&)>& fn) const {
    std::unique_ptr<rocksdb::Iterator> it(
        m_impl->db->NewIterator(rocksdb::ReadOptions(), m_impl->cf(cf_trials)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto key = Digest::from_bytes(it->key().ToStringView());
        if (!key) return std::unexpected(key.error().within("trials column family"));
        auto record = decode_record(it->value().ToStringView());
        if (!record) return std::unexpected(record.error().within("trial " + key->hex()));
        if (!fn(*key, *record)) break;
    }
    if (!it->status().ok())
        return std::unexpected(rocks_error(it->status(), m_impl->dir, "iterating trials"));
    return {};
}

Result<std::vector<TrialRecord>> Store::failures(const Digest& key) const {
    std::vector<TrialRecord> out;
    std::unique_ptr<rocksdb::Iterator> it(
        m_impl->db->NewIterator(rocksdb::ReadOptions(), m_impl->cf(cf_failures)));
    for (it->Seek(slice(key.view())); it->Valid() && it->key().starts_with(slice(key.view())); it->Next()) {
        auto record = decode_record(it->value().ToStringView());
        if (!record) return std::unexpected(record.error().within("failure of trial " + key.hex()));
        out.push_back(std::move(*record));
    }
    if (!it->status().ok())
        return std::unexpected(rocks_error(it->status(), m_impl->dir, "iterating failures"));
    return out;
}

Result<std::optional<Digest>> Store::seed_owner(std::uint64_t seed) const {
    auto value = m_impl->get(cf_seeds, seed_key(seed));
    if (!value) return std::unexpected(value.error());
    if (!*value) return std::optional<Digest>{};
    auto key = Digest::from_bytes(**value);
    if (!key) return std::unexpected(key.error().within("seed " + std::to_string(seed)));
    return std::optional<Digest>{*key};
}

Result<std::optional<Digest>> Store::isf_seed_owner(std::uint64_t seed, std::uint64_t sweep,
                                                    const Digest& condition) const {
    auto value = m_impl->get(cf_seeds, isf_seed_key(seed, sweep, condition));
    if (!value) return std::unexpected(value.error());
    if (!*value) return std::optional<Digest>{};
    auto key = Digest::from_bytes(**value);
    if (!key)
        return std::unexpected(key.error().within("isf seed " + std::to_string(seed) + ", sweep " +
                                                  std::to_string(sweep) + " of condition " +
                                                  condition.hex()));
    return std::optional<Digest>{*key};
}

// ---------------------------------------------------------------- named items

Result<ItemMeta> Store::put_item(const std::string& name, std::string_view bytes,
                                 const std::string& encoding) {
    if (auto ok = m_impl->require_writer("put an item"); !ok) return std::unexpected(ok.error());
    if (name.empty()) return fail(Errc::invalid_argument, "an item needs a name");
    std::lock_guard guard(m_impl->write_mutex);
    rocksdb::WriteBatch batch;
    auto ref = m_impl->stage_blob(batch, bytes);
    if (!ref) return std::unexpected(ref.error());
    ItemMeta meta;
    meta.name = name;
    meta.blob = *ref;
    meta.encoding = encoding;
    meta.time_unix_ms = env().now_unix_ms();
    const BuildInfo& info = build_info();
    meta.silico_version = info.version;
    meta.silico_commit = info.commit;
    meta.silico_dirty = info.dirty;
    batch.Put(m_impl->cf(cf_names), name, encode_item_meta(meta));
    auto s = m_impl->db->Write(m_impl->write_options(), &batch);
    if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "writing item '" + name + "'"));
    return meta;
}

Result<ItemMeta> Store::item_meta(const std::string& name) const {
    auto value = m_impl->get(cf_names, name);
    if (!value) return std::unexpected(value.error());
    if (!*value)
        return fail(Errc::not_found, "no item named '" + name + "'", "store " + m_impl->dir.string());
    auto meta = decode_item_meta(**value);
    if (!meta) return std::unexpected(meta.error().within("item '" + name + "'"));
    return meta;
}

Result<std::string> Store::get_item(const std::string& name) const {
    auto meta = item_meta(name);
    if (!meta) return std::unexpected(meta.error());
    auto bytes = get_blob(meta->blob.digest);
    if (!bytes) return std::unexpected(bytes.error().within("item '" + name + "'"));
    return bytes;
}

Result<std::vector<std::string>> Store::item_names(std::string_view prefix) const {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(
        m_impl->db->NewIterator(rocksdb::ReadOptions(), m_impl->cf(cf_names)));
    for (it->Seek(slice(prefix)); it->Valid() && it->key().starts_with(slice(prefix)); it->Next()) {
        out.push_back(it->key().ToString());
    }
    if (!it->status().ok()) return std::unexpected(rocks_error(it->status(), m_impl->dir, "listing items"));
    return out;
}

Status Store::delete_item(const std::string& name) {
    if (auto ok = m_impl->require_writer("delete an item"); !ok) return std::unexpected(ok.error());
    std::lock_guard guard(m_impl->write_mutex);
    auto value = m_impl->get(cf_names, name);
    if (!value) return std::unexpected(value.error());
    if (!*value)
        return fail(Errc::not_found, "no item named '" + name + "'", "store " + m_impl->dir.string());
    auto s = m_impl->db->Delete(m_impl->write_options(), m_impl->cf(cf_names), name);
    if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "deleting item '" + name + "'"));
    return {};
}

// ---------------------------------------------------------------- runs

Status Store::put_run(const std::string& name, std::string_view bytes) {
    if (auto ok = m_impl->require_writer("write a run record"); !ok) return std::unexpected(ok.error());
    auto s = m_impl->db->Put(m_impl->write_options(), m_impl->cf(cf_runs), name, slice(bytes));
    if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "writing run '" + name + "'"));
    return {};
}

Result<std::optional<std::string>> Store::get_run(const std::string& name) const {
    return m_impl->get(cf_runs, name);
}

Result<std::vector<std::string>> Store::run_names() const {
    std::vector<std::string> out;
    std::unique_ptr<rocksdb::Iterator> it(
        m_impl->db->NewIterator(rocksdb::ReadOptions(), m_impl->cf(cf_runs)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->key().ToString());
    if (!it->status().ok()) return std::unexpected(rocks_error(it->status(), m_impl->dir, "listing runs"));
    return out;
}

Status Store::delete_run(const std::string& name) {
    if (auto ok = m_impl->require_writer("delete a run record"); !ok) return std::unexpected(ok.error());
    auto s = m_impl->db->Delete(m_impl->write_options(), m_impl->cf(cf_runs), name);
    if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "deleting run '" + name + "'"));
    return {};
}

}  // namespace silico::store
