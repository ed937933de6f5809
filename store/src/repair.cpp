// store repair (store.hpp): rebuilds a damaged database from everything readable, setting aside what is lost.
//
// Why a rebuild and not deletes: a corrupt block stays in its table file after its keys are deleted, and the
// next compaction that reads the file stops the database with a background error. Writing every readable
// entry into a fresh database leaves the damaged files behind for good; the old database is kept, renamed,
// so nothing that could still be read by other means is lost.
//
// Seam for a lab cache (`store repair --remote URL`, issue 15 part 1): RepairReport::recompute lists the trials
// that are no longer complete; a client can take them, verified, from a remote before the next run.
#include <rocksdb/write_batch.h>

#include <set>
#include <unordered_set>

#include "blob_codec.hpp"
#include "record.hpp"
#include "scan.hpp"
#include "silico/core/env.hpp"
#include "silico/core/git_info.hpp"
#include "store_impl.hpp"

namespace silico::store {

namespace {

// The fresh database under construction, written in synced batches of about 16 MiB.
class Rebuild {
  public:
    static Result<std::unique_ptr<Rebuild>> open(const Store::Impl& old, const std::filesystem::path& path) {
        auto r = std::unique_ptr<Rebuild>(new Rebuild());
        rocksdb::DBOptions options;
        options.create_if_missing = true;
        options.create_missing_column_families = true;
        rocksdb::DB* raw = nullptr;
        auto s =
            rocksdb::DB::Open(options, path.string(),
                              descriptors(block_cache(), old.options.write_buffer_bytes), &r->m_cfs, &raw);
        if (!s.ok()) return std::unexpected(rocks_error(s, old.dir, "creating the repaired database"));
        r->m_db.reset(raw);
        r->m_dir = old.dir;
        return r;
    }
    ~Rebuild() { close(); }

    Status put(Cf which, std::string_view key, std::string_view value) {
        m_batch.Put(m_cfs[which], rocksdb::Slice(key.data(), key.size()),
                    rocksdb::Slice(value.data(), value.size()));
        return m_batch.GetDataSize() > (16u << 20) ? write() : Status{};
    }

    Status finish() {
        if (auto ok = write(); !ok) return ok;
        auto s = m_db->Flush(rocksdb::FlushOptions(), m_cfs);
        if (!s.ok()) return std::unexpected(rocks_error(s, m_dir, "flushing the repaired database"));
        close();
        return {};
    }

  private:
    Rebuild() = default;

    Status write() {
        if (m_batch.Count() == 0) return {};
        rocksdb::WriteOptions w;
        w.sync = true;
        auto s = m_db->Write(w, &m_batch);
        if (!s.ok()) return std::unexpected(rocks_error(s, m_dir, "writing the repaired database"));
        m_batch.Clear();
        return {};
    }

    void close() {
        if (!m_db) return;
        for (auto* h : m_cfs) m_db->DestroyColumnFamilyHandle(h);
        m_cfs.clear();
        m_db->Close();
        m_db.reset();
    }

    std::unique_ptr<rocksdb::DB> m_db;
    std::vector<rocksdb::ColumnFamilyHandle*> m_cfs;
    rocksdb::WriteBatch m_batch;
    std::filesystem::path m_dir;
};

// Decides for every readable entry whether it goes into the new database as it is, or is set aside.
class Sorter {
  public:
    Sorter(const VerifyReport& found, Rebuild& out, std::int64_t stamp, int zstd_level, RepairReport& report)
        : m_out(out), m_stamp(stamp), m_level(zstd_level), m_report(report) {
        for (const auto& a : found.affected) m_affected.insert(a.kind + " " + a.name);
        for (const auto& c : found.corrupt) m_corrupt.insert(c.digest);
    }

    Status entry(Cf which, std::string_view key, std::string_view value) {
        switch (which) {
            case cf_blobs: {
                auto d = Digest::from_bytes(key);
                if (!d || m_corrupt.contains(*d)) return {};
                m_copied.insert(*d);
                break;
            }
            case cf_trials:
                if (m_affected.contains("trial " + hex(key))) return set_aside("trial", hex(key), value);
                need_outputs(value);
                break;
            case cf_failures:
                if (m_affected.contains("failed trial " + hex(key.substr(0, Digest::k_size))))
                    return set_aside("failed-trial",
                                     hex(key.substr(0, Digest::k_size)) + "." +
                                         std::to_string(m_report.quarantined.size()),
                                     value);
                need_outputs(value);
                break;
            case cf_names:
                if (m_affected.contains("item " + std::string(key)))
                    return set_aside("item", std::string(key), value);
                break;
            default:
                break;
        }
        return m_out.put(which, key, value);
    }

    // Blobs that kept records reference but the scan could not copy: a blob the damaged range hid that a newer
    // table file holds intact (verify found it by point lookup). Copied when it still decodes to its digest.
    Status copy_hidden_blobs(const Store::Impl& old) {
        for (const Digest& digest : m_needed) {
            if (m_copied.contains(digest) || m_corrupt.contains(digest)) continue;
            std::string frame;
            auto s = old.db->Get(rocksdb::ReadOptions(), old.cf(cf_blobs), digest.view(), &frame);
            if (!s.ok() || !decode_blob(digest, frame)) continue;
            if (auto ok = m_out.put(cf_blobs, digest.view(), frame); !ok) return ok;
            m_copied.insert(digest);
        }
        return {};
    }

  private:
    void need_outputs(std::string_view record_bytes) {
        if (auto record = decode_record(record_bytes))
            for (const auto& [name, ref] : record->outputs) m_needed.insert(ref.digest);
    }

    static std::string hex(std::string_view key) {
        auto d = Digest::from_bytes(key.substr(0, std::min<std::size_t>(key.size(), Digest::k_size)));
        return d ? d->hex() : std::string("unknown");
    }

    // The record's bytes become a named item "quarantine/<kind>/<name>@<unix ms>" of the new database.
    Status set_aside(const std::string& kind, const std::string& name, std::string_view bytes) {
        const Digest digest = sha256(bytes);
        const std::string frame = compress_blob(bytes, m_level);
        if (auto ok = m_out.put(cf_blobs, digest.view(), frame); !ok) return ok;
        ItemMeta meta;
        meta.name = "quarantine/" + kind + "/" + name + "@" + std::to_string(m_stamp);
        meta.blob = {digest, bytes.size(), frame.size()};
        meta.encoding = "silico-quarantined-" + kind;
        meta.time_unix_ms = m_stamp;
        const BuildInfo& info = build_info();
        meta.silico_version = info.version;
        meta.silico_commit = info.commit;
        meta.silico_dirty = info.dirty;
        m_report.quarantined.push_back(meta.name);
        return m_out.put(cf_names, meta.name, encode_item_meta(meta));
    }

    Rebuild& m_out;
    std::int64_t m_stamp;
    int m_level;
    RepairReport& m_report;
    std::set<std::string> m_affected;
    std::unordered_set<Digest> m_corrupt;
    std::unordered_set<Digest> m_copied, m_needed;
};

}  // namespace

Result<RepairReport> Store::repair() {
    if (auto ok = m_impl->require_writer("repair the store"); !ok) return std::unexpected(ok.error());
    std::lock_guard guard(m_impl->write_mutex);
    RepairReport report;
    auto found = verify();
    if (!found) return std::unexpected(found.error());
    report.found = std::move(*found);
    if (report.found.ok()) return report;
    for (const auto& a : report.found.affected)
        if (a.kind == "trial")
            if (auto key = Digest::from_hex(a.name)) report.recompute.push_back(*key);

    const std::int64_t stamp = env().now_unix_ms();
    const auto fresh = m_impl->dir / "db.repair";
    std::error_code ec;
    std::filesystem::remove_all(fresh, ec);
    auto out = Rebuild::open(*m_impl, fresh);
    if (!out) return std::unexpected(out.error());
    Sorter sorter(report.found, **out, stamp, m_impl->options.zstd_level, report);
    std::vector<VerifyReport::Damage> skipped;  // verify listed them already
    for (std::size_t i = 0; i < cf_count; ++i) {
        const Cf which = static_cast<Cf>(i);
        Status written;
        auto scanned = scan_column_family(
            *m_impl, which,
            [&](std::string_view k, std::string_view v) {
                if (written) written = sorter.entry(which, k, v);
            },
            skipped);
        if (!scanned) return std::unexpected(scanned.error());
        if (!written) return std::unexpected(written.error());
    }
    if (auto ok = sorter.copy_hidden_blobs(*m_impl); !ok) return std::unexpected(ok.error());
    if (auto ok = (*out)->finish(); !ok) return std::unexpected(ok.error());

    // Swap the folders: the damaged database is kept beside the repaired one.
    m_impl->close();
    report.damaged_db = m_impl->dir / ("db.damaged-" + std::to_string(stamp));
    std::filesystem::rename(db_path(m_impl->dir), report.damaged_db, ec);
    if (ec)
        return fail(Errc::io, "cannot set the damaged database aside: " + ec.message(), m_impl->dir.string());
    std::filesystem::rename(fresh, db_path(m_impl->dir), ec);
    if (ec)
        return fail(Errc::io, "cannot move the repaired database in place: " + ec.message(),
                    m_impl->dir.string());
    if (auto ok = open_db(*m_impl); !ok) return std::unexpected(ok.error());
    return report;
}

}  // namespace silico::store
