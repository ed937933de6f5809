// store info, verify and gc.
#include <rocksdb/write_batch.h>

#include <unordered_map>
#include <unordered_set>

#include "blob_codec.hpp"
#include "silico/store/array.hpp"
#include "record.hpp"
#include "store_impl.hpp"

namespace silico::store {

namespace {

Result<std::uint64_t> count_keys(const Store::Impl& impl, Cf which) {
    std::uint64_t n = 0;
    std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(rocksdb::ReadOptions(), impl.cf(which)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    if (!it->status().ok()) return std::unexpected(rocks_error(it->status(), impl.dir, "counting keys"));
    return n;
}

// Who references a blob, for messages: "trial KEY output NAME", "item NAME".
using References = std::unordered_map<Digest, std::string>;

Status collect_references(const Store::Impl& impl, References& refs, std::uint64_t& count) {
    for (Cf which : {cf_trials, cf_failures}) {
        std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(rocksdb::ReadOptions(), impl.cf(which)));
        for (it->SeekToFirst(); it->Valid(); it->Next()) {
            const std::string_view raw_key = it->key().ToStringView();
            auto key = Digest::from_bytes(raw_key.substr(0, Digest::k_size));
            const std::string owner = key ? key->hex() : std::string("<corrupt key>");
            auto record = decode_record(it->value().ToStringView());
            if (!record) return std::unexpected(record.error().within("trial " + owner));
            for (const auto& [name, ref] : record->outputs) {
                refs.try_emplace(ref.digest, (which == cf_trials ? "trial " : "failed trial ") + owner +
                                                 " output '" + name + "'");
                ++count;
            }
        }
        if (!it->status().ok())
            return std::unexpected(rocks_error(it->status(), impl.dir, "reading records"));
    }
    std::unique_ptr<rocksdb::Iterator> it(impl.db->NewIterator(rocksdb::ReadOptions(), impl.cf(cf_names)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto meta = decode_item_meta(it->value().ToStringView());
        if (!meta) return std::unexpected(meta.error().within("item '" + it->key().ToString() + "'"));
        refs.try_emplace(meta->blob.digest, "item '" + meta->name + "'");
        ++count;
    }
    if (!it->status().ok()) return std::unexpected(rocks_error(it->status(), impl.dir, "reading items"));
    return {};
}

}  // namespace

Result<StoreInfo> Store::info() const {
    StoreInfo info;
    info.dir = m_impl->dir;
    info.format_version = m_impl->format_version;
    const std::pair<Cf, std::uint64_t StoreInfo::*> counted[] = {{cf_trials, &StoreInfo::trials},
                                                                 {cf_failures, &StoreInfo::failures},
                                                                 {cf_seeds, &StoreInfo::seeds},
                                                                 {cf_names, &StoreInfo::items},
                                                                 {cf_runs, &StoreInfo::runs}};
    for (const auto& [which, field] : counted) {
        auto n = count_keys(*m_impl, which);
        if (!n) return std::unexpected(n.error());
        info.*field = *n;
    }
    std::unique_ptr<rocksdb::Iterator> it(
        m_impl->db->NewIterator(rocksdb::ReadOptions(), m_impl->cf(cf_blobs)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++info.blobs;
        info.blob_stored_bytes += it->value().size();
        const std::uint64_t size = blob_content_size(it->value().ToStringView());
        info.blob_bytes += size;
        bool needs_full = false;
        auto raw = array_raw_bytes(blob_prefix(it->value().ToStringView(), k_array_prefix_bytes), &needs_full);
        if (needs_full) {
            if (auto d = Digest::from_bytes(it->key().ToStringView())) {
                if (auto bytes = decode_blob(*d, it->value().ToStringView())) raw = array_raw_bytes(*bytes);
            }
        }
        info.raw_bytes += raw.value_or(size);
    }
    if (!it->status().ok()) return std::unexpected(rocks_error(it->status(), m_impl->dir, "reading blobs"));
    std::error_code ec;
    for (auto entry = std::filesystem::recursive_directory_iterator(m_impl->dir, ec);
         !ec && entry != std::filesystem::recursive_directory_iterator(); entry.increment(ec)) {
        if (entry->is_regular_file(ec)) info.disk_bytes += entry->file_size(ec);
    }
    return info;
}

Result<VerifyReport> Store::verify() const {
    VerifyReport report;
    std::unordered_set<Digest> present;
    std::unique_ptr<rocksdb::Iterator> it(
        m_impl->db->NewIterator(rocksdb::ReadOptions(), m_impl->cf(cf_blobs)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        ++report.blobs_checked;
        auto digest = Digest::from_bytes(it->key().ToStringView());
        if (!digest) {
            report.corrupt.push_back(
                {Digest{}, "blob key of " + std::to_string(it->key().size()) + " bytes is not a digest"});
            continue;
        }
        present.insert(*digest);
        if (auto bytes = decode_blob(*digest, it->value().ToStringView()); !bytes) {
            report.corrupt.push_back({*digest, bytes.error().what()});
        }
    }
    if (!it->status().ok()) return std::unexpected(rocks_error(it->status(), m_impl->dir, "reading blobs"));
    References refs;
    if (auto ok = collect_references(*m_impl, refs, report.references_checked); !ok)
        return std::unexpected(ok.error());
    for (const auto& [digest, owner] : refs) {
        if (!present.contains(digest)) {
            report.missing.push_back(
                {digest, "blob " + digest.hex() + " referenced by " + owner + " is missing"});
        }
    }
    return report;
}

Result<GcReport> Store::gc(bool dry_run) {
    if (!dry_run) {
        if (auto ok = m_impl->require_writer("delete blobs"); !ok) return std::unexpected(ok.error());
    }
    // The write mutex keeps a commit from referencing a blob between our scan and the delete.
    std::unique_lock guard(m_impl->write_mutex, std::defer_lock);
    if (!m_impl->options.read_only) guard.lock();
    References refs;
    std::uint64_t count = 0;
    if (auto ok = collect_references(*m_impl, refs, count); !ok) return std::unexpected(ok.error());
    GcReport report;
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it(
        m_impl->db->NewIterator(rocksdb::ReadOptions(), m_impl->cf(cf_blobs)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
        auto digest = Digest::from_bytes(it->key().ToStringView());
        if (!digest || refs.contains(*digest)) continue;
        report.unreferenced.push_back(*digest);
        report.stored_bytes += it->value().size();
        batch.Delete(m_impl->cf(cf_blobs), it->key());
    }
    if (!it->status().ok()) return std::unexpected(rocks_error(it->status(), m_impl->dir, "reading blobs"));
    if (!dry_run && batch.Count() > 0) {
        auto s = m_impl->db->Write(m_impl->write_options(), &batch);
        if (!s.ok()) return std::unexpected(rocks_error(s, m_impl->dir, "deleting unreferenced blobs"));
    }
    report.deleted = !dry_run;
    return report;
}

}  // namespace silico::store
