// Bundles move complete trials with their blobs between stores. Grammar (integers little-endian):
//
//   bundle  := magic version:u32 entry* trailer
//   magic   := "SLCBNDL\n"                                   8 bytes
//   entry   := 'B' digest:32 length:u64 zstd_frame[length]  a blob, exactly as stored (digest of its bytes)
//            | 'T' key:32 length:u64 record[length]          a complete trial record (record.cpp grammar)
//            | 'N' digest:32 length:u64 itemmeta[length]     a named item (version >= 2); digest = its blob's
//   trailer := 'E' blobs:u64 trials:u64 items:u64 sha256:32   SHA-256 of every byte before sha256
//                                                            (version 1: no items count, no 'N' entries)
//
// Every blob a record or item references comes before it, in the bundle or already in the target store.
// The trailer catches truncation and tampering beyond what the per-blob digests catch.
// A bundle with a version above k_bundle_format_version is refused.
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <set>

#include "blob_codec.hpp"
#include "record.hpp"
#include "silico/core/little_endian.hpp"
#include "store_impl.hpp"

namespace silico::store {

namespace {

constexpr std::string_view k_magic = "SLCBNDL\n";
constexpr std::uint64_t k_max_record = 64ull << 20;
constexpr std::uint64_t k_max_frame = 1ull << 34;

// Writes to FILE.tmp, hashing everything, and renames over FILE when complete.
class BundleWriter {
  public:
    explicit BundleWriter(const std::filesystem::path& file) : m_file(file), m_tmp(file.string() + ".tmp") {
        m_out.open(m_tmp, std::ios::binary | std::ios::trunc);
    }
    bool ok() const { return static_cast<bool>(m_out); }
    void write(std::string_view bytes) {
        m_hash.update(bytes);
        m_out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
    void entry(char tag, const Digest& digest, std::string_view payload) {
        std::string head(1, tag);
        head.append(digest.view());
        put_u64(head, payload.size());
        write(head);
        write(payload);
    }
    Status finish(std::uint64_t blobs, std::uint64_t trials, std::uint64_t items) {
        std::string tail(1, 'E');
        put_u64(tail, blobs);
        put_u64(tail, trials);
        put_u64(tail, items);
        write(tail);
        const Digest d = m_hash.finish();
        m_out.write(reinterpret_cast<const char*>(d.bytes.data()),
                    static_cast<std::streamsize>(d.bytes.size()));
        m_out.close();
        if (!m_out) return fail(Errc::io, "cannot write the bundle", m_tmp.string());
        std::error_code ec;
        std::filesystem::rename(m_tmp, m_file, ec);
        if (ec) return fail(Errc::io, "cannot move the bundle into place: " + ec.message(), m_file.string());
        return {};
    }
    ~BundleWriter() {
        std::error_code ec;
        std::filesystem::remove(m_tmp, ec);
    }

  private:
    std::filesystem::path m_file;
    std::filesystem::path m_tmp;
    std::ofstream m_out;
    Sha256 m_hash;
};

// Reads a bundle entry by entry, hashing what it consumes.
class BundleReader {
  public:
    explicit BundleReader(const std::filesystem::path& file) : m_file(file), m_in(file, std::ios::binary) {}

    struct Entry {
        char tag = 0;
        Digest digest;
        std::string payload;
        std::uint64_t blobs = 0, trials = 0, items = 0;  // trailer only
    };

    Status header() {
        if (!m_in) return fail(Errc::not_found, "cannot open the bundle", m_file.string());
        std::string magic;
        if (auto ok = read(k_magic.size(), magic); !ok) return ok;
        if (magic != k_magic) return fail(Errc::parse, "not a silico bundle (bad magic)", m_file.string());
        std::string v;
        if (auto ok = read(4, v); !ok) return ok;
        m_version = get_u32(v.data());
        if (m_version > k_bundle_format_version || m_version == 0) {
            return fail(Errc::version,
                        "bundle has format version " + std::to_string(m_version) +
                            "; this silico reads up to " + std::to_string(k_bundle_format_version),
                        m_file.string());
        }
        return {};
    }

    Result<Entry> next() {
        Entry e;
        std::string tag;
        if (auto ok = read(1, tag); !ok) return std::unexpected(ok.error());
        e.tag = tag[0];
        if (e.tag == 'E') {
            std::string counts;
            if (auto ok = read(m_version >= 2 ? 24 : 16, counts); !ok) return std::unexpected(ok.error());
            e.blobs = get_u64(counts.data());
            e.trials = get_u64(counts.data() + 8);
            if (m_version >= 2) e.items = get_u64(counts.data() + 16);
            const Digest expected = m_hash.finish();
            std::string stored;
            if (auto ok = read_raw(Digest::k_size, stored); !ok) return std::unexpected(ok.error());
            if (stored != expected.view()) {
                return fail(Errc::corruption, "bundle checksum does not match its content", m_file.string());
            }
            return e;
        }
        if (e.tag != 'B' && e.tag != 'T' && !(e.tag == 'N' && m_version >= 2)) {
            return fail(Errc::corruption, std::string("unknown bundle entry tag 0x") + hex_byte(e.tag),
                        where());
        }
        std::string head;
        if (auto ok = read(Digest::k_size + 8, head); !ok) return std::unexpected(ok.error());
        e.digest = *Digest::from_bytes(std::string_view(head).substr(0, Digest::k_size));
        const std::uint64_t length = get_u64(head.data() + Digest::k_size);
        if (length > (e.tag == 'B' ? k_max_frame : k_max_record)) {
            return fail(Errc::corruption, "bundle entry claims " + std::to_string(length) + " bytes",
                        where());
        }
        if (auto ok = read(length, e.payload); !ok) return std::unexpected(ok.error());
        return e;
    }

  private:
    static std::string hex_byte(char c) {
        char buf[3];
        std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
        return buf;
    }
    std::string where() const { return m_file.string() + " at byte " + std::to_string(m_offset); }
    Status read_raw(std::uint64_t n, std::string& out) {
        out.resize(n);
        m_in.read(out.data(), static_cast<std::streamsize>(n));
        if (static_cast<std::uint64_t>(m_in.gcount()) != n) {
            return fail(Errc::corruption, "bundle is truncated", where());
        }
        m_offset += n;
        return {};
    }
    Status read(std::uint64_t n, std::string& out) {
        if (auto ok = read_raw(n, out); !ok) return ok;
        m_hash.update(out);
        return {};
    }

    std::filesystem::path m_file;
    std::ifstream m_in;
    Sha256 m_hash;
    std::uint64_t m_offset = 0;
    std::uint32_t m_version = 0;
};

// Reads the whole bundle; `on_entry` sees each blob or trial entry. Fails on any bad digest or checksum.
Result<BundleReport> scan(const std::filesystem::path& file,
                          const std::function<Status(BundleReader::Entry&)>& on_entry) {
    BundleReader reader(file);
    if (auto ok = reader.header(); !ok) return std::unexpected(ok.error());
    BundleReport report;
    for (;;) {
        auto entry = reader.next();
        if (!entry) return std::unexpected(entry.error());
        if (entry->tag == 'E') {
            if (entry->blobs != report.blobs || entry->trials != report.trials ||
                entry->items != report.items) {
                return fail(Errc::corruption, "bundle trailer counts do not match its entries",
                            file.string());
            }
            return report;
        }
        if (entry->tag == 'B') {
            ++report.blobs;
        } else if (entry->tag == 'T') {
            ++report.trials;
        } else {
            ++report.items;
        }
        if (auto ok = on_entry(*entry); !ok) return std::unexpected(ok.error());
    }
}

}  // namespace

Result<BundleReport> Store::export_bundle(const std::filesystem::path& file,
                                          const std::vector<Digest>& keys) const {
    BundleSelection selection;
    selection.trials = keys;
    selection.all_trials = keys.empty();
    return export_bundle(file, selection);
}

Result<BundleReport> Store::export_bundle(const std::filesystem::path& file,
                                          const BundleSelection& selection) const {
    std::vector<std::pair<Digest, TrialRecord>> trials;
    if (selection.all_trials) {
        auto ok = for_each_trial([&](const Digest& key, const TrialRecord& record) {
            trials.emplace_back(key, record);
            return true;
        });
        if (!ok) return std::unexpected(ok.error());
    } else {
        for (const Digest& key : selection.trials) {
            auto record = find_trial(key);
            if (!record) return std::unexpected(record.error());
            trials.emplace_back(key, std::move(*record));
        }
    }
    std::vector<ItemMeta> items;
    std::vector<std::string> item_names_wanted = selection.items;
    if (selection.all_items) {
        auto names = item_names();
        if (!names) return std::unexpected(names.error());
        item_names_wanted = std::move(*names);
    }
    for (const std::string& name : item_names_wanted) {
        auto meta = item_meta(name);
        if (!meta) return std::unexpected(meta.error());
        items.push_back(std::move(*meta));
    }
    std::set<Digest> blobs;
    for (const auto& [key, record] : trials) {
        for (const auto& [name, ref] : record.outputs) blobs.insert(ref.digest);
    }
    for (const ItemMeta& item : items) blobs.insert(item.blob.digest);
    BundleWriter out(file);
    if (!out.ok()) return fail(Errc::io, "cannot create the bundle", file.string() + ".tmp");
    std::string header(k_magic);
    put_u32(header, k_bundle_format_version);
    out.write(header);
    for (const Digest& digest : blobs) {
        std::string frame;
        auto s = m_impl->db->Get(rocksdb::ReadOptions(), m_impl->cf(cf_blobs), digest.view(), &frame);
        if (!s.ok())
            return std::unexpected(
                rocks_error(s, m_impl->dir, "reading blob " + digest.hex() + " for export"));
        // Never export what we could not import: a corrupt blob stops the export.
        if (auto bytes = decode_blob(digest, frame); !bytes) return std::unexpected(bytes.error());
        out.entry('B', digest, frame);
    }
    for (const auto& [key, record] : trials) out.entry('T', key, encode_record(record));
    for (const ItemMeta& item : items) out.entry('N', item.blob.digest, encode_item_meta(item));
    if (auto ok = out.finish(blobs.size(), trials.size(), items.size()); !ok)
        return std::unexpected(ok.error());
    BundleReport report;
    report.trials = trials.size();
    report.blobs = blobs.size();
    report.items = items.size();
    return report;
}

Result<BundleReport> Store::import_bundle(const std::filesystem::path& file) {
    if (auto ok = m_impl->require_writer("import a bundle"); !ok) return std::unexpected(ok.error());
    // Pass 1: verify everything before writing anything.
    std::set<Digest> bundled;
    // An item must name the blob its entry carries, that blob must be here or in the store, and its name
    // must be free in the store or hold the same bytes already.
    auto check_item = [&](const BundleReader::Entry& e) -> Status {
        auto meta = decode_item_meta(e.payload);
        if (!meta) return std::unexpected(meta.error().within(file.string() + ": named item"));
        if (meta->blob.digest != e.digest)
            return fail(Errc::corruption,
                        "item '" + meta->name + "' entry names another blob than its metadata",
                        file.string());
        if (!bundled.contains(e.digest)) {
            auto have = has_blob(e.digest);
            if (!have) return std::unexpected(have.error());
            if (!*have)
                return fail(Errc::corruption,
                            "item '" + meta->name + "' needs blob " + e.digest.hex() +
                                ", which is neither in the bundle nor in the store",
                            file.string());
        }
        auto existing = m_impl->get(cf_names, meta->name);
        if (!existing) return std::unexpected(existing.error());
        if (*existing) {
            auto current = decode_item_meta(**existing);
            if (!current) return std::unexpected(current.error().within("item '" + meta->name + "'"));
            if (current->blob.digest != meta->blob.digest)
                return fail(Errc::validation,
                            "item '" + meta->name + "' is in the store with blob " +
                                current->blob.digest.hex() + " and in the bundle with blob " +
                                meta->blob.digest.hex() + "; delete or rename one of them first",
                            file.string());
        }
        return {};
    };
    auto checked = scan(file, [&](BundleReader::Entry& e) -> Status {
        if (e.tag == 'B') {
            if (auto bytes = decode_blob(e.digest, e.payload); !bytes)
                return std::unexpected(bytes.error().within(file.string()));
            bundled.insert(e.digest);
            return {};
        }
        if (e.tag == 'N') return check_item(e);
        auto record = decode_record(e.payload);
        if (!record)
            return std::unexpected(record.error().within(file.string() + ": trial " + e.digest.hex()));
        for (const auto& [name, ref] : record->outputs) {
            if (bundled.contains(ref.digest)) continue;
            auto have = has_blob(ref.digest);
            if (!have) return std::unexpected(have.error());
            if (!*have) {
                return fail(Errc::corruption,
                            "trial " + e.digest.hex() + " output '" + name + "' needs blob " +
                                ref.digest.hex() + ", which is neither in the bundle nor in the store",
                            file.string());
            }
        }
        return {};
    });
    if (!checked) return checked;
    // Pass 2: blobs (unreferenced until their records land), then each trial as commit_trial would.
    std::lock_guard guard(m_impl->write_mutex);
    std::uint64_t new_trials = 0;
    std::uint64_t new_items = 0;
    auto written = scan(file, [&](BundleReader::Entry& e) -> Status {
        rocksdb::WriteBatch batch;
        if (e.tag == 'N') {
            auto meta = decode_item_meta(e.payload);
            if (!meta) return std::unexpected(meta.error().within(file.string()));
            auto existing = m_impl->get(cf_names, meta->name);
            if (!existing) return std::unexpected(existing.error());
            if (*existing) return {};  // same bytes (pass 1 checked): keep the store's metadata
            batch.Put(m_impl->cf(cf_names), meta->name, e.payload);
            auto s = m_impl->db->Write(m_impl->write_options(), &batch);
            if (!s.ok())
                return std::unexpected(rocks_error(s, m_impl->dir, "importing item '" + meta->name + "'"));
            ++new_items;
            return {};
        }
        if (e.tag == 'B') {
            // Verified again: the file could have changed since pass 1, and wrong bytes must never land.
            if (auto bytes = decode_blob(e.digest, e.payload); !bytes)
                return std::unexpected(bytes.error().within(file.string()));
            auto ref = m_impl->stage_frame(batch, e.digest, e.payload);
            if (!ref) return std::unexpected(ref.error());
            auto s = m_impl->db->Write(m_impl->write_options(), &batch);
            if (!s.ok())
                return std::unexpected(rocks_error(s, m_impl->dir, "importing blob " + e.digest.hex()));
            return {};
        }
        auto record = decode_record(e.payload);
        if (!record) return std::unexpected(record.error());
        auto before = m_impl->get(cf_trials, e.digest.view());
        if (!before) return std::unexpected(before.error());
        auto committed = m_impl->commit_locked(batch, e.digest, std::move(*record));
        if (!committed) return std::unexpected(committed.error().within(file.string()));
        if (!*before) ++new_trials;
        return {};
    });
    if (!written) return written;
    written->new_trials = new_trials;
    written->new_items = new_items;
    return written;
}

}  // namespace silico::store
