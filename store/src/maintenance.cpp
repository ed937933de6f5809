// store info, verify and gc.
#include <rocksdb/write_batch.h>

#include <map>
#include <unordered_map>
#include <unordered_set>

#include "blob_codec.hpp"
#include "record.hpp"
#include "scan.hpp"
#include "silico/store/array.hpp"
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
        auto raw =
            array_raw_bytes(blob_prefix(it->value().ToStringView(), k_array_prefix_bytes), &needs_full);
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

namespace {

std::string hex_of(std::string_view bytes) {
    auto d = Digest::from_bytes(bytes);
    return d ? d->hex() : "<key of " + std::to_string(bytes.size()) + " bytes>";
}

// Everything verify learns while it reads the store, and the report it fills.
class Verifier {
  public:
    Verifier(const Store::Impl& impl, VerifyReport& report) : m_impl(impl), m_report(report) {}

    Status run() {
        if (auto ok = scan(cf_blobs, [this](auto k, auto v) { blob(k, v); }); !ok) return ok;
        for (Cf which : {cf_trials, cf_failures})
            if (auto ok = scan(which, [this, which](auto k, auto v) { record(which, k, v); }); !ok) return ok;
        if (auto ok = scan(cf_names, [this](auto k, auto v) { item(k, v); }); !ok) return ok;
        if (auto ok = scan(cf_seeds, [this](auto k, auto v) { registration(k, v); }); !ok) return ok;
        for (Cf which : {cf_default, cf_runs, cf_meta})
            if (auto ok = scan(which, [](auto, auto) {}); !ok) return ok;
        for (auto& [name, affected] : m_affected) m_report.affected.push_back(std::move(affected));
        return {};
    }

  private:
    Status scan(Cf which, const EntryVisitor& visit) {
        return scan_column_family(m_impl, which, visit, m_report.damaged);
    }

    void blob(std::string_view key, std::string_view frame) {
        ++m_report.blobs_checked;
        auto digest = Digest::from_bytes(key);
        if (!digest) {
            m_report.corrupt.push_back(
                {Digest{}, "blob key of " + std::to_string(key.size()) + " bytes is not a digest"});
            return;
        }
        if (auto bytes = decode_blob(*digest, frame); !bytes) {
            m_corrupt.emplace(*digest, bytes.error().what());
            m_report.corrupt.push_back({*digest, bytes.error().what()});
        } else {
            m_present.insert(*digest);
        }
    }

    // What is wrong with a referenced blob, or "" when it is fine.
    std::string blob_problem(const Digest& digest, const std::string& owner) {
        ++m_report.references_checked;
        if (m_present.contains(digest)) return {};
        if (auto it = m_corrupt.find(digest); it != m_corrupt.end()) return "corrupt: " + it->second;
        // Not seen by the scan: absent, or inside a block the scan skipped.
        std::string frame;
        auto s = m_impl.db->Get(rocksdb::ReadOptions(), m_impl.cf(cf_blobs), digest.view(), &frame);
        if (s.IsNotFound()) {
            m_report.missing.push_back(
                {digest, "blob " + digest.hex() + " referenced by " + owner + " is missing"});
            return "missing";
        }
        if (!s.ok()) return "unreadable: " + s.ToString();
        // Readable by itself (a newer table file holds it) but not by the scan, which the damage stopped.
        ++m_report.blobs_checked;
        if (auto bytes = decode_blob(digest, frame); !bytes) {
            m_corrupt.emplace(digest, bytes.error().what());
            m_report.corrupt.push_back({digest, bytes.error().what()});
            return "corrupt: " + bytes.error().what();
        }
        m_present.insert(digest);
        return {};
    }

    VerifyReport::Affected& affected(const std::string& kind, const std::string& name) {
        auto [it, added] = m_affected.try_emplace(kind + " " + name);
        if (added) {
            it->second.kind = kind;
            it->second.name = name;
        }
        return it->second;
    }

    void record(Cf which, std::string_view key, std::string_view value) {
        const std::string kind = which == cf_trials ? "trial" : "failed trial";
        const std::string owner = hex_of(key.substr(0, std::min<std::size_t>(key.size(), Digest::k_size)));
        auto record = decode_record(value);
        if (!record) {
            affected(kind, owner).items.push_back("record unreadable: " + record.error().what());
            return;
        }
        for (const auto& [name, ref] : record->outputs) {
            const std::string problem =
                blob_problem(ref.digest, kind + " " + owner + " output '" + name + "'");
            if (problem.empty()) continue;
            auto& a = affected(kind, owner);
            a.condition = record->condition;
            a.sweep = record->sweep;
            a.recipe = record->recipe;
            a.items.push_back("output '" + name + "' blob " + ref.digest.hex() + " " + problem);
        }
    }

    void item(std::string_view key, std::string_view value) {
        const std::string name(key);
        auto meta = decode_item_meta(value);
        if (!meta) {
            affected("item", name).items.push_back("metadata unreadable: " + meta.error().what());
            return;
        }
        const std::string problem = blob_problem(meta->blob.digest, "item '" + name + "'");
        if (!problem.empty())
            affected("item", name).items.push_back("blob " + meta->blob.digest.hex() + " " + problem);
    }

    // A registered trial whose record lies in an unreadable block is found through its seed.
    void registration(std::string_view, std::string_view value) {
        auto key = Digest::from_bytes(value);
        if (!key) return;
        std::string record;
        auto s = m_impl.db->Get(rocksdb::ReadOptions(), m_impl.cf(cf_trials), key->view(), &record);
        if (s.ok() || s.IsNotFound()) return;
        affected("trial", key->hex()).items.push_back("record unreadable: " + s.ToString());
    }

    const Store::Impl& m_impl;
    VerifyReport& m_report;
    std::unordered_set<Digest> m_present;
    std::unordered_map<Digest, std::string> m_corrupt;
    std::map<std::string, VerifyReport::Affected> m_affected;  // by "kind name", so the report is sorted
};

}  // namespace

Result<VerifyReport> Store::verify() const {
    VerifyReport report;
    Verifier verifier(*m_impl, report);
    if (auto ok = verifier.run(); !ok) return std::unexpected(ok.error());
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
