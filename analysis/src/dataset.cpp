// The dataset blob (docs/store.md "Datasets"):
//
//   dataset := magic:"SLCDATA\n" version:u32 rows:u64 nsections:u32 section{nsections}
//   section := name_length:u32 name type:u8 length:u64 payload[length]
//   type    := 1 text    offsets:u64{rows+1} bytes     row i = bytes[offsets[i], offsets[i+1])
//            | 2 f64     f64{rows}
//            | 3 i64     i64{rows}
//            | 4 u64     u64{rows}
//            | 5 digest  32 bytes{rows}
//            | 6 lists   offsets:u64{rows+1} f64{offsets[rows]}
//            | 7 json    one JSON object, not per row
//
// Sections: "provenance" (json), "index" (text), "trial" (i64), "seed" (u64, optional), "key" (digest,
// optional), "spikes" (lists), then "param:<name>" (text or f64) per parameter column in column order.
// Integers little-endian, floats IEEE-754 binary64 little-endian. The store compresses the whole blob.
#include "silico/analysis/dataset.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "named_item.hpp"
#include "silico/core/little_endian.hpp"
#include "silico/store/store.hpp"

namespace silico::analysis {

namespace {

constexpr std::string_view k_magic = "SLCDATA\n";

enum class SectionType : std::uint8_t {
    text = 1,
    f64 = 2,
    i64 = 3,
    u64 = 4,
    digest = 5,
    lists = 6,
    json = 7
};

template <class T>
void put_words(std::string& out, const std::vector<T>& values) {
    static_assert(sizeof(T) == 8);
    if constexpr (std::endian::native == std::endian::little) {
        const auto at = out.size();
        out.resize(at + 8 * values.size());
        if (!values.empty()) std::memcpy(out.data() + at, values.data(), 8 * values.size());
    } else {
        for (const T& v : values) put_u64(out, std::bit_cast<std::uint64_t>(v));
    }
}

template <class T>
void get_words(const char* p, std::size_t n, std::vector<T>& out) {
    out.resize(n);
    if constexpr (std::endian::native == std::endian::little) {
        if (n) std::memcpy(out.data(), p, 8 * n);
    } else {
        for (std::size_t i = 0; i < n; ++i) out[i] = std::bit_cast<T>(get_u64(p + 8 * i));
    }
}

void put_section(std::string& out, std::string_view name, SectionType type, const std::string& payload) {
    put_u32(out, static_cast<std::uint32_t>(name.size()));
    out.append(name);
    out.push_back(static_cast<char>(type));
    put_u64(out, payload.size());
    out.append(payload);
}

std::string text_payload(const Texts& texts) {
    std::string out;
    out.reserve(8 * texts.offsets().size() + texts.bytes().size());
    put_words(out, texts.offsets());
    out.append(texts.bytes());
    return out;
}

std::string text_payload(const std::vector<std::string>& texts) {
    Texts t;
    for (const auto& text : texts) t.push_back(text);
    return text_payload(t);
}

std::unexpected<Error> corrupt(std::string message) {
    return fail(Errc::corruption, std::move(message), "dataset");
}

// Offsets must start at 0, never decrease, and end within `limit`.
Status check_offsets(const std::vector<std::uint64_t>& offsets, std::uint64_t limit, std::string_view name) {
    if (offsets.front() != 0) return corrupt("section " + std::string(name) + ": offsets do not start at 0");
    for (std::size_t i = 1; i < offsets.size(); ++i)
        if (offsets[i] < offsets[i - 1])
            return corrupt("section " + std::string(name) + ": offsets decrease");
    if (offsets.back() > limit)
        return corrupt("section " + std::string(name) + ": offsets beyond the payload");
    return {};
}

struct Section {
    std::string name;
    SectionType type;
    std::string_view payload;
};

// A text section's checked offsets; its bytes follow them in the payload.
Result<std::vector<std::uint64_t>> text_offsets(const Section& s, std::uint64_t rows) {
    if (s.payload.size() < 8 * (rows + 1)) return corrupt("section " + s.name + " is too short");
    std::vector<std::uint64_t> offsets;
    get_words(s.payload.data(), rows + 1, offsets);
    const std::uint64_t bytes = s.payload.size() - 8 * (rows + 1);
    if (auto st = check_offsets(offsets, bytes, s.name); !st) return std::unexpected(st.error());
    if (offsets.back() != bytes) return corrupt("section " + s.name + " has trailing bytes");
    return offsets;
}

Result<Texts> decode_texts(const Section& s, std::uint64_t rows) {
    auto offsets = text_offsets(s, rows);
    if (!offsets) return std::unexpected(offsets.error());
    return Texts::adopt(std::string(s.payload.substr(8 * (rows + 1))), std::move(*offsets));
}

Result<std::vector<std::string>> decode_text_column(const Section& s, std::uint64_t rows) {
    auto offsets = text_offsets(s, rows);
    if (!offsets) return std::unexpected(offsets.error());
    const auto& o = *offsets;
    const std::string_view bytes = s.payload.substr(8 * (rows + 1));
    std::vector<std::string> out;
    out.reserve(rows);
    for (std::uint64_t i = 0; i < rows; ++i) out.emplace_back(bytes.substr(o[i], o[i + 1] - o[i]));
    return out;
}

template <class T>
Result<std::vector<T>> decode_fixed(const Section& s, std::uint64_t rows) {
    if (s.payload.size() != 8 * rows)
        return corrupt("section " + s.name + " does not hold one value per row");
    std::vector<T> out;
    get_words(s.payload.data(), rows, out);
    return out;
}

}  // namespace

std::string Column::text(std::size_t row) const {
    if (is_text) return texts[row];
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, numbers[row]);
    return std::string(buffer, r.ptr);
}

const Column* Dataset::column(std::string_view name) const {
    for (const auto& c : m_columns)
        if (c.name == name) return &c;
    return nullptr;
}

std::string Dataset::encode() const {
    std::string out(k_magic);
    put_u32(out, k_dataset_format_version);
    put_u64(out, size());
    const std::uint32_t sections = 4 + (m_seeds.empty() ? 0 : 1) + (m_keys.empty() ? 0 : 1) +
                                   static_cast<std::uint32_t>(m_columns.size());
    put_u32(out, sections);
    const nlohmann::ordered_json provenance = {
        {"kind", m_provenance.kind}, {"source", m_provenance.source}, {"digest", m_provenance.digest}};
    put_section(out, "provenance", SectionType::json, provenance.dump());
    put_section(out, "index", SectionType::text, text_payload(m_index));
    {
        std::string p;
        put_words(p, m_trial);
        put_section(out, "trial", SectionType::i64, p);
    }
    if (!m_seeds.empty()) {
        std::string p;
        put_words(p, m_seeds);
        put_section(out, "seed", SectionType::u64, p);
    }
    if (!m_keys.empty()) {
        std::string p;
        p.reserve(32 * m_keys.size());
        for (const auto& k : m_keys) p.append(k.view());
        put_section(out, "key", SectionType::digest, p);
    }
    {
        std::string p;
        put_words(p, m_spike_offsets);
        put_words(p, m_spike_times);
        put_section(out, "spikes", SectionType::lists, p);
    }
    for (const auto& c : m_columns) {
        std::string p;
        if (c.is_text) {
            p = text_payload(c.texts);
        } else {
            put_words(p, c.numbers);
        }
        put_section(out, "param:" + c.name, c.is_text ? SectionType::text : SectionType::f64, p);
    }
    return out;
}

Result<Dataset> Dataset::decode(std::string_view bytes) {
    if (bytes.size() < k_magic.size() + 16 || bytes.substr(0, k_magic.size()) != k_magic)
        return corrupt("not a dataset (bad magic)");
    const char* p = bytes.data() + k_magic.size();
    const std::uint32_t version = get_u32(p);
    if (version > k_dataset_format_version)
        return fail(Errc::version,
                    "dataset format " + std::to_string(version) + " is newer than this silico reads (" +
                        std::to_string(k_dataset_format_version) + ")",
                    "dataset");
    const std::uint64_t rows = get_u64(p + 4);
    const std::uint32_t count = get_u32(p + 12);
    std::size_t at = k_magic.size() + 16;
    if (rows > bytes.size()) return corrupt("row count beyond the blob");
    std::vector<Section> sections;
    for (std::uint32_t i = 0; i < count; ++i) {
        if (bytes.size() - at < 4) return corrupt("truncated section header");
        const std::uint32_t name_length = get_u32(bytes.data() + at);
        at += 4;
        if (bytes.size() - at < std::uint64_t{name_length} + 9) return corrupt("truncated section header");
        Section s;
        s.name = std::string(bytes.substr(at, name_length));
        at += name_length;
        s.type = static_cast<SectionType>(static_cast<std::uint8_t>(bytes[at]));
        const std::uint64_t length = get_u64(bytes.data() + at + 1);
        at += 9;
        if (bytes.size() - at < length) return corrupt("section " + s.name + " is truncated");
        s.payload = bytes.substr(at, length);
        at += length;
        sections.push_back(std::move(s));
    }
    if (at != bytes.size()) return corrupt("trailing bytes after the last section");

    Dataset d;
    bool have_index = false, have_trial = false, have_spikes = false, have_provenance = false;
    for (const auto& s : sections) {
        if (s.name == "provenance") {
            if (s.type != SectionType::json) return corrupt("section provenance is not json");
            auto j = nlohmann::json::parse(s.payload, nullptr, false);
            if (!j.is_object()) return corrupt("section provenance is not a JSON object");
            d.m_provenance.kind = j.value("kind", "");
            d.m_provenance.source = j.value("source", "");
            d.m_provenance.digest = j.value("digest", "");
            have_provenance = true;
        } else if (s.name == "index") {
            if (s.type != SectionType::text) return corrupt("section index is not text");
            auto t = decode_texts(s, rows);
            if (!t) return std::unexpected(t.error());
            d.m_index = std::move(*t);
            have_index = true;
        } else if (s.name == "trial") {
            if (s.type != SectionType::i64) return corrupt("section trial is not i64");
            auto t = decode_fixed<std::int64_t>(s, rows);
            if (!t) return std::unexpected(t.error());
            d.m_trial = std::move(*t);
            have_trial = true;
        } else if (s.name == "seed") {
            if (s.type != SectionType::u64) return corrupt("section seed is not u64");
            auto t = decode_fixed<std::uint64_t>(s, rows);
            if (!t) return std::unexpected(t.error());
            d.m_seeds = std::move(*t);
        } else if (s.name == "key") {
            if (s.type != SectionType::digest || s.payload.size() != 32 * rows)
                return corrupt("section key does not hold one digest per row");
            d.m_keys.reserve(rows);
            for (std::uint64_t i = 0; i < rows; ++i)
                d.m_keys.push_back(*Digest::from_bytes(s.payload.substr(32 * i, 32)));
        } else if (s.name == "spikes") {
            if (s.type != SectionType::lists || s.payload.size() < 8 * (rows + 1))
                return corrupt("section spikes is not a list per row");
            get_words(s.payload.data(), rows + 1, d.m_spike_offsets);
            const std::uint64_t values = (s.payload.size() - 8 * (rows + 1)) / 8;
            if (8 * (rows + 1 + values) != s.payload.size())
                return corrupt("section spikes has a ragged tail");
            if (auto st = check_offsets(d.m_spike_offsets, values, s.name); !st)
                return std::unexpected(st.error());
            if (d.m_spike_offsets.back() != values) return corrupt("section spikes has trailing values");
            get_words(s.payload.data() + 8 * (rows + 1), values, d.m_spike_times);
            have_spikes = true;
        } else if (s.name.starts_with("param:")) {
            Column c;
            c.name = s.name.substr(6);
            if (s.type == SectionType::text) {
                auto t = decode_text_column(s, rows);
                if (!t) return std::unexpected(t.error());
                c.is_text = true;
                c.texts = std::move(*t);
            } else if (s.type == SectionType::f64) {
                auto t = decode_fixed<double>(s, rows);
                if (!t) return std::unexpected(t.error());
                c.numbers = std::move(*t);
            } else {
                return corrupt("section " + s.name + " is neither text nor f64");
            }
            d.m_columns.push_back(std::move(c));
        }
        // Unknown sections are skipped: a later version may add some that older readers can ignore.
    }
    if (!have_provenance || !have_index || !have_trial || !have_spikes)
        return corrupt("a dataset needs sections provenance, index, trial and spikes");
    return d;
}

Dataset::Builder::Builder(Provenance provenance, std::vector<std::string> text_columns,
                          std::vector<std::string> number_columns) {
    m_data.m_provenance = std::move(provenance);
    m_texts = text_columns.size();
    for (auto& n : text_columns) m_data.m_columns.push_back(Column{std::move(n), true, {}, {}});
    for (auto& n : number_columns) m_data.m_columns.push_back(Column{std::move(n), false, {}, {}});
}

Status Dataset::Builder::add(Row row) {
    const std::size_t n = m_data.size();
    const auto where = "dataset row " + std::to_string(n) + " (" + row.index + ")";
    if (row.texts.size() != m_texts || row.numbers.size() != m_data.m_columns.size() - m_texts)
        return fail(Errc::invalid_argument,
                    "has " + std::to_string(row.texts.size()) + " text and " +
                        std::to_string(row.numbers.size()) + " number values for the dataset's columns",
                    where);
    if (row.seed.has_value() != (n == 0 ? row.seed.has_value() : !m_data.m_seeds.empty()))
        return fail(Errc::invalid_argument, "seeds must be given for every row or none", where);
    if (row.key.has_value() != (n == 0 ? row.key.has_value() : !m_data.m_keys.empty()))
        return fail(Errc::invalid_argument, "keys must be given for every row or none", where);
    m_data.m_index.push_back(row.index);
    m_data.m_trial.push_back(row.trial);
    if (row.seed) m_data.m_seeds.push_back(*row.seed);
    if (row.key) m_data.m_keys.push_back(*row.key);
    for (std::size_t i = 0; i < m_texts; ++i) m_data.m_columns[i].texts.push_back(std::move(row.texts[i]));
    for (std::size_t i = 0; i < row.numbers.size(); ++i)
        m_data.m_columns[m_texts + i].numbers.push_back(row.numbers[i]);
    m_data.m_spike_times.insert(m_data.m_spike_times.end(), row.spikes.begin(), row.spikes.end());
    m_data.m_spike_offsets.push_back(m_data.m_spike_times.size());
    return {};
}

Result<Dataset> Dataset::Builder::finish() && {
    if (m_data.size() == 0)
        return fail(Errc::invalid_argument, "a dataset needs at least one trial", "dataset");
    std::unordered_set<std::string_view> seen;
    seen.reserve(m_data.size());
    for (std::size_t i = 0; i < m_data.size(); ++i)
        if (!seen.insert(m_data.m_index[i]).second)
            return fail(Errc::invalid_argument, "index " + std::string(m_data.m_index[i]) + " appears twice",
                        "dataset");
    return std::move(m_data);
}

Result<std::string> dataset_item_name(std::string_view name) {
    const bool ok = !name.empty() && name.size() <= 200 && name.front() != '/' && name.back() != '/' &&
                    std::ranges::all_of(name, [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                               c == '.' || c == '_' || c == '-' || c == '/';
                    });
    if (!ok)
        return fail(
            Errc::invalid_argument,
            "a dataset name is 1-200 characters of A-Z a-z 0-9 . _ - / (not starting or ending with /)",
            "dataset " + std::string(name));
    return std::string(k_dataset_item_prefix) + std::string(name);
}

Status write_dataset(store::Store& store, std::string_view name, const Dataset& dataset) {
    auto item = dataset_item_name(name);
    if (!item) return std::unexpected(item.error());
    const std::string bytes = dataset.encode();
    return detail::put_item_once(store, *item, bytes, k_dataset_encoding, "dataset " + std::string(name));
}

Result<Dataset> read_dataset(const store::Store& store, std::string_view name) {
    auto item = dataset_item_name(name);
    if (!item) return std::unexpected(item.error());
    auto meta = store.item_meta(*item);
    if (!meta) {
        if (meta.error().code == Errc::not_found)
            return fail(Errc::not_found, "no such dataset in " + store.dir().string(),
                        "dataset " + std::string(name));
        return std::unexpected(meta.error());
    }
    if (meta->encoding != k_dataset_encoding)
        return fail(Errc::invalid_argument,
                    "item " + *item + " is not a dataset (encoding " + meta->encoding + ")",
                    "dataset " + std::string(name));
    auto bytes = store.get_blob(meta->blob.digest);
    if (!bytes) return std::unexpected(bytes.error());
    auto d = Dataset::decode(*bytes);
    if (!d) return std::unexpected(d.error().within("dataset " + std::string(name)));
    return d;
}

Result<std::vector<std::string>> dataset_names(const store::Store& store) {
    auto names = store.item_names(k_dataset_item_prefix);
    if (!names) return std::unexpected(names.error());
    std::vector<std::string> out;
    for (auto& n : *names) out.push_back(n.substr(k_dataset_item_prefix.size()));
    return out;
}

}  // namespace silico::analysis
