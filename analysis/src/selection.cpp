#include "silico/analysis/selection.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace silico::analysis {

namespace {

// A column of the dataset as text per row, or a number per row.
struct ColumnView {
    const Dataset* data = nullptr;
    const Column* column = nullptr;  // a parameter column, or null for a built-in
    std::string name;                // "index", "trial", "seed" for built-ins
    bool numeric() const { return column ? !column->is_text : name != "index"; }
    double number(std::size_t row) const {
        if (column) return column->numbers[row];
        if (name == "trial") return static_cast<double>(data->trial()[row]);
        return static_cast<double>(data->seeds()[row]);
    }
    std::string text(std::size_t row) const {
        if (column) return column->text(row);
        if (name == "index") return data->index()[row];
        if (name == "trial") return std::to_string(data->trial()[row]);
        return std::to_string(data->seeds()[row]);
    }
};

std::string known_columns(const Dataset& d) {
    std::string out = "index, trial";
    if (!d.seeds().empty()) out += ", seed";
    for (const auto& c : d.columns()) out += ", " + c.name;
    return out;
}

Result<ColumnView> find_column(const Dataset& d, const std::string& name, std::string_view what) {
    ColumnView v{&d, d.column(name), name};
    if (v.column || name == "index" || name == "trial" || (name == "seed" && !d.seeds().empty())) return v;
    return fail(Errc::invalid_argument, "unknown " + std::string(what) + " column '" + name +
                                            "' (columns: " + known_columns(d) + ")");
}

std::optional<double> as_number(std::string_view text) {
    double v = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc{} || r.ptr != text.data() + text.size()) return std::nullopt;
    return v;
}

struct CodeDeleter {
    void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
struct MatchDeleter {
    void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};

// index~REGEX: first capture (or whole match) per row; nullopt when it does not match.
class IndexRegex {
  public:
    static Result<IndexRegex> compile(const std::string& pattern) {
        int code = 0;
        PCRE2_SIZE offset = 0;
        pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                       PCRE2_UTF, &code, &offset, nullptr);
        if (!re) {
            PCRE2_UCHAR message[256];
            pcre2_get_error_message(code, message, sizeof message);
            return fail(Errc::invalid_argument,
                        "bad regular expression at offset " + std::to_string(offset) + ": " +
                            reinterpret_cast<const char*>(message),
                        "index~" + pattern);
        }
        IndexRegex r;
        r.m_code.reset(re);
        // Without JIT (unavailable on some CPUs) pcre2_match interprets the pattern.
        r.m_jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
        r.m_match.reset(pcre2_match_data_create_from_pattern(re, nullptr));
        std::uint32_t captures = 0;
        pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &captures);
        r.m_group = captures > 0 ? 1 : 0;
        return r;
    }
    std::optional<std::string_view> apply(std::string_view text) {
        // ASCII text is valid UTF-8, so PCRE2's check of every subject (most of a short anchored match) is
        // skipped for it; pcre2_jit_match skips it always, so other text goes through pcre2_match.
        const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
        const int rc =
            is_ascii(text)
                ? m_jit ? pcre2_jit_match(m_code.get(), subject, text.size(), 0, 0, m_match.get(), nullptr)
                        : pcre2_match(m_code.get(), subject, text.size(), 0, PCRE2_NO_UTF_CHECK,
                                      m_match.get(), nullptr)
                : pcre2_match(m_code.get(), subject, text.size(), 0, 0, m_match.get(), nullptr);
        if (rc <= m_group) return std::nullopt;
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m_match.get());
        if (ov[2 * m_group] == PCRE2_UNSET) return std::string_view{};
        return text.substr(ov[2 * m_group], ov[2 * m_group + 1] - ov[2 * m_group]);
    }

  private:
    // Eight bytes at a time: ISF's index strings are ~70 bytes, and a byte loop was most of the match's cost.
    static bool is_ascii(std::string_view text) {
        std::uint64_t any = 0;
        std::size_t i = 0;
        for (; i + 8 <= text.size(); i += 8) {
            std::uint64_t word;
            std::memcpy(&word, text.data() + i, 8);
            any |= word;
        }
        for (; i < text.size(); ++i) any |= static_cast<unsigned char>(text[i]);
        return (any & 0x8080808080808080ull) == 0;
    }
    std::unique_ptr<pcre2_code, CodeDeleter> m_code;
    std::unique_ptr<pcre2_match_data, MatchDeleter> m_match;
    int m_group = 0;
    bool m_jit = false;
};

}  // namespace

std::vector<std::size_t> Groups::rows(std::size_t g) const {
    std::vector<std::size_t> out;
    out.reserve(sizes[g]);
    for (std::size_t i = 0; i < row_group.size(); ++i)
        if (row_group[i] == static_cast<std::int32_t>(g)) out.push_back(i);
    return out;
}

namespace {

// Rows passing every --where filter.
Result<std::vector<char>> filter_rows(const Dataset& d, const std::vector<std::string>& where) {
    const std::size_t n = d.size();
    std::vector<char> keep(n, 1);
    for (const auto& f : where) {
        const auto eq = f.find('=');
        if (eq == std::string::npos || eq == 0)
            return fail(Errc::invalid_argument, "a filter is COLUMN=VALUE", "--where " + f);
        auto column = find_column(d, f.substr(0, eq), "filter");
        if (!column) return std::unexpected(column.error().within("--where " + f));
        const std::string value = f.substr(eq + 1);
        if (column->numeric()) {
            const auto number = as_number(value);
            if (!number)
                return fail(Errc::invalid_argument, "column " + column->name + " holds numbers",
                            "--where " + f);
            for (std::size_t i = 0; i < n; ++i)
                if (keep[i] && column->number(i) != *number) keep[i] = 0;
        } else {
            for (std::size_t i = 0; i < n; ++i)
                if (keep[i] && column->text(i) != value) keep[i] = 0;
        }
    }
    return keep;
}

// One grouping entry's label per kept row. A label is a view: into the dataset's index for index~REGEX (no
// string is made per row: grouping 18,000 index strings is most of a first spike query), or into `texts`.
struct EntryLabels {
    std::vector<std::string> texts;
    std::vector<std::string_view> of_row;
    bool numeric = false;
};

Result<EntryLabels> label_rows(const Dataset& d, const std::string& entry, std::vector<char>& keep,
                               std::size_t& unmatched) {
    const std::size_t n = d.size();
    EntryLabels out;
    out.of_row.resize(n);
    if (entry.starts_with("index~")) {
        auto re = IndexRegex::compile(entry.substr(6));
        if (!re) return std::unexpected(re.error().within("--group-by"));
        for (std::size_t i = 0; i < n; ++i) {
            if (!keep[i]) continue;
            auto hit = re->apply(d.index()[i]);
            if (!hit) {
                keep[i] = 0;
                ++unmatched;
                continue;
            }
            out.of_row[i] = *hit;
        }
        return out;
    }
    auto column = find_column(d, entry, "group");
    if (!column) return std::unexpected(column.error().within("--group-by " + entry));
    out.numeric = column->numeric();
    out.texts.resize(n);  // sized once: the views below stay valid
    for (std::size_t i = 0; i < n; ++i)
        if (keep[i]) out.of_row[i] = out.texts[i] = column->text(i);
    return out;
}

// Distinct label tuples in order of first appearance, and each kept row's tuple (-1 for the others). One
// entry (the usual case) is hashed by its view; several are joined with a separator first.
struct Distinct {
    std::vector<std::vector<std::string>> tuples;
    std::vector<std::int32_t> of_row;
};

Distinct distinct_tuples(const std::vector<EntryLabels>& labels, const std::vector<char>& keep) {
    const std::size_t n = keep.size(), m = labels.size();
    Distinct out;
    out.of_row.assign(n, -1);
    auto add = [&](auto& ids, const auto& key, std::size_t i) {
        auto [it, inserted] = ids.try_emplace(key, static_cast<std::int32_t>(out.tuples.size()));
        if (inserted) {
            std::vector<std::string> t(m);
            for (std::size_t k = 0; k < m; ++k) t[k] = std::string(labels[k].of_row[i]);
            out.tuples.push_back(std::move(t));
        }
        out.of_row[i] = it->second;
    };
    if (m == 1) {
        // Rows of one group usually follow each other (ISF's index lists a run's trials together), so a row
        // with the previous kept row's label takes its group without hashing.
        std::unordered_map<std::string_view, std::int32_t> ids;
        std::size_t previous = n;
        for (std::size_t i = 0; i < n; ++i) {
            if (!keep[i]) continue;
            if (previous < n && labels[0].of_row[i] == labels[0].of_row[previous])
                out.of_row[i] = out.of_row[previous];
            else
                add(ids, labels[0].of_row[i], i);
            previous = i;
        }
        return out;
    }
    std::unordered_map<std::string, std::int32_t> ids;
    std::string joined;
    for (std::size_t i = 0; i < n; ++i) {
        if (!keep[i]) continue;
        joined.clear();
        for (std::size_t k = 0; k < m; ++k) {
            joined += labels[k].of_row[i];
            joined.push_back('\x1f');
        }
        add(ids, joined, i);
    }
    return out;
}

// The tuples sorted (numeric entries by value), as the groups' labels, sizes and each row's group.
void rank_groups(Groups& g, Distinct& distinct, const std::vector<EntryLabels>& labels) {
    const std::size_t m = labels.size();
    auto& tuples = distinct.tuples;
    std::vector<std::int32_t> order(tuples.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int32_t>(i);
    std::ranges::sort(order, [&](std::int32_t a, std::int32_t b) {
        for (std::size_t k = 0; k < m; ++k) {
            const auto& x = tuples[a][k];
            const auto& y = tuples[b][k];
            if (x == y) continue;
            if (labels[k].numeric) {
                const auto nx = as_number(x), ny = as_number(y);
                if (nx && ny) return *nx < *ny;
            }
            return x < y;
        }
        return false;
    });
    std::vector<std::int32_t> rank(order.size());
    for (std::size_t r = 0; r < order.size(); ++r) rank[order[r]] = static_cast<std::int32_t>(r);
    g.labels.resize(tuples.size());
    for (std::size_t r = 0; r < order.size(); ++r) g.labels[r] = std::move(tuples[order[r]]);
    g.sizes.assign(tuples.size(), 0);
    for (std::size_t i = 0; i < distinct.of_row.size(); ++i)
        if (distinct.of_row[i] >= 0) {
            g.row_group[i] = rank[distinct.of_row[i]];
            ++g.sizes[g.row_group[i]];
        }
}

}  // namespace

Result<Groups> select(const Dataset& d, const SelectOptions& options) {
    auto keep = filter_rows(d, options.where);
    if (!keep) return std::unexpected(keep.error());
    const std::size_t n = d.size();
    Groups g;
    g.row_group.assign(n, -1);
    if (options.group_by.empty()) {
        g.columns = {"all"};
        g.labels = {{"all"}};
        g.sizes = {0};
        for (std::size_t i = 0; i < n; ++i)
            if ((*keep)[i]) {
                g.row_group[i] = 0;
                ++g.sizes[0];
            }
        if (g.sizes[0] == 0)
            return fail(Errc::invalid_argument, "no trial of the dataset passes the filters");
        return g;
    }
    std::vector<EntryLabels> labels;
    for (const auto& entry : options.group_by) {
        auto l = label_rows(d, entry, *keep, g.unmatched);
        if (!l) return std::unexpected(l.error());
        labels.push_back(std::move(*l));
    }
    g.columns = options.group_by;
    auto distinct = distinct_tuples(labels, *keep);
    if (distinct.tuples.empty())
        return fail(Errc::invalid_argument, "no trial of the dataset passes the filters and groups");
    rank_groups(g, distinct, labels);
    return g;
}

}  // namespace silico::analysis
