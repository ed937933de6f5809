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
#include <utility>

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
        if (name == "index") return std::string(data->index()[row]);
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

// index~REGEX: each row's label (its first capture, or the whole match without one), as an id.
//
// Rows usually share a long prefix with the row before (ISF's index lists a run's trials together), and a
// match rarely reads more than a few bytes of it. So after each match the regex learns how many leading bytes
// decided it: a prefix (to the match's end, or one character more) on which a PCRE2_PARTIAL_HARD match gives
// the same complete match. Hard partial matching treats the end of the prefix as "more may follow" (even $, \z
// and \b report a partial match there), so a complete match on the prefix is the match of every text that
// starts with it, and such a text takes the known match without running the regex. A match that needs the
// whole text teaches nothing; then learning is tried less and less often, so a regex like "_(\d+)$" costs
// about one match per row (bench/analysis_bench's WindowPerRunSeed18000, bench/RESULTS.md).
class IndexRegex {
  public:
    static Result<IndexRegex> compile(const std::string& pattern) {
        int code = 0;
        PCRE2_SIZE offset = 0;
        // PCRE2_MATCH_INVALID_UTF: bytes that are not UTF-8 match nothing (not even "."), and no text needs a
        // UTF-8 check of its own before it is matched.
        pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                       PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &offset, nullptr);
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
        r.m_jit = pcre2_jit_compile(re, PCRE2_JIT_COMPLETE | PCRE2_JIT_PARTIAL_HARD) == 0;
        r.m_match.reset(pcre2_match_data_create_from_pattern(re, nullptr));
        std::uint32_t captures = 0;
        pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &captures);
        r.m_group = captures > 0 ? 1 : 0;
        return r;
    }

    // The id of the text's label (ids count up from 0 in order of first appearance), or -1 when it does not
    // match. Labels are views into the texts, which must outlive the regex.
    std::int32_t label_of(std::string_view text) {
        if (m_known >= 0 && starts_with(text, m_prefix)) return m_known;
        auto span = match(text, 0);
        if (!span) return -1;
        const auto label = text.substr(span->first, span->second - span->first);
        auto [it, inserted] = m_ids.try_emplace(label, static_cast<std::int32_t>(m_labels.size()));
        if (inserted) m_labels.push_back(label);
        learn(text, *span, it->second);
        return it->second;
    }
    const std::vector<std::string_view>& labels() const { return m_labels; }

  private:
    using Span = std::pair<std::size_t, std::size_t>;  // the capture's [begin, end) in the text

    // A learned prefix is a few bytes: compared inline, not by a call of memcmp (string_view::starts_with),
    // which made WindowPerStimulus18000 ~11 % slower (bench/RESULTS.md).
    static bool starts_with(std::string_view text, std::string_view prefix) {
        if (text.size() < prefix.size()) return false;
        for (std::size_t i = 0; i < prefix.size(); ++i)
            if (text[i] != prefix[i]) return false;
        return true;
    }

    std::optional<Span> match(std::string_view text, std::uint32_t options) {
        const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
        const int rc =
            m_jit ? pcre2_jit_match(m_code.get(), subject, text.size(), 0, options, m_match.get(), nullptr)
                  : pcre2_match(m_code.get(), subject, text.size(), 0, options, m_match.get(), nullptr);
        if (rc <= m_group) return std::nullopt;  // no match, a partial one, or the group did not take part
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m_match.get());
        if (ov[2 * m_group] == PCRE2_UNSET) return Span{0, 0};
        return Span{ov[2 * m_group], ov[2 * m_group + 1]};
    }

    // The prefixes tried: up to the whole match's end, and one character more (which a greedy "[^_]+" must
    // see to stop). A prefix ends at a character boundary, so it never cuts a UTF-8 sequence in two.
    void learn(std::string_view text, Span span, std::int32_t label) {
        if (m_wait > 0) {
            --m_wait;
            return;
        }
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m_match.get());
        const std::size_t end = std::max<std::size_t>(ov[1], span.second);
        for (std::size_t length : {end, end + 1}) {
            while (length < text.size() && (static_cast<unsigned char>(text[length]) & 0xC0) == 0x80)
                ++length;
            if (length > text.size()) break;
            if (match(text.substr(0, length), PCRE2_PARTIAL_HARD) == span) {
                m_prefix.assign(text.substr(0, length));
                m_known = label;
                m_backoff = 0;
                return;
            }
        }
        m_backoff = std::min<std::size_t>(2 * m_backoff + 1, 4096);
        m_wait = m_backoff;
    }

    std::unique_ptr<pcre2_code, CodeDeleter> m_code;
    std::unique_ptr<pcre2_match_data, MatchDeleter> m_match;
    int m_group = 0;
    bool m_jit = false;
    std::unordered_map<std::string_view, std::int32_t> m_ids;
    std::vector<std::string_view> m_labels;
    // What the last learned match showed: every text starting with m_prefix has label m_known (-1: none yet).
    std::int32_t m_known = -1;
    std::string m_prefix;
    // Rows to match without trying to learn, after a match that needed its whole text.
    std::size_t m_wait = 0, m_backoff = 0;
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

// One grouping entry: its distinct labels in order of first appearance, and each row's label (-1: left out).
// Rows hold ids, not strings, so grouping 18,000 index strings makes no string per row.
struct EntryLabels {
    std::vector<std::string> labels;
    std::vector<std::int32_t> of_row;
    bool numeric = false;
};

Result<EntryLabels> label_rows(const Dataset& d, const std::string& entry, std::vector<char>& keep,
                               std::size_t& unmatched) {
    const std::size_t n = d.size();
    EntryLabels out;
    out.of_row.assign(n, -1);
    if (entry.starts_with("index~")) {
        auto re = IndexRegex::compile(entry.substr(6));
        if (!re) return std::unexpected(re.error().within("--group-by"));
        for (std::size_t i = 0; i < n; ++i) {
            if (!keep[i]) continue;
            out.of_row[i] = re->label_of(d.index()[i]);
            if (out.of_row[i] < 0) {
                keep[i] = 0;
                ++unmatched;
            }
        }
        out.labels.assign(re->labels().begin(), re->labels().end());
        return out;
    }
    auto column = find_column(d, entry, "group");
    if (!column) return std::unexpected(column.error().within("--group-by " + entry));
    out.numeric = column->numeric();
    std::unordered_map<std::string, std::int32_t> ids;
    for (std::size_t i = 0; i < n; ++i) {
        if (!keep[i]) continue;
        auto [it, inserted] = ids.try_emplace(column->text(i), static_cast<std::int32_t>(out.labels.size()));
        if (inserted) out.labels.push_back(it->first);
        out.of_row[i] = it->second;
    }
    return out;
}

// Distinct label tuples in order of first appearance, and each kept row's tuple (-1 for the others). With one
// entry (the usual case) the tuples are its labels.
struct Distinct {
    std::vector<std::vector<std::string>> tuples;
    std::vector<std::int32_t> of_row;
};

Distinct distinct_tuples(std::vector<EntryLabels>& labels, const std::vector<char>& keep) {
    const std::size_t n = keep.size(), m = labels.size();
    Distinct out;
    if (m == 1) {
        for (auto& l : labels[0].labels) out.tuples.push_back({l});
        out.of_row = std::move(labels[0].of_row);  // -1 exactly where keep is 0
        return out;
    }
    out.of_row.assign(n, -1);
    std::unordered_map<std::string, std::int32_t> ids;  // the entries' label ids, as bytes
    std::string key(m * sizeof(std::int32_t), '\0');
    for (std::size_t i = 0; i < n; ++i) {
        if (!keep[i]) continue;
        for (std::size_t k = 0; k < m; ++k)
            std::memcpy(key.data() + k * sizeof(std::int32_t), &labels[k].of_row[i], sizeof(std::int32_t));
        auto [it, inserted] = ids.try_emplace(key, static_cast<std::int32_t>(out.tuples.size()));
        if (inserted) {
            std::vector<std::string> t(m);
            for (std::size_t k = 0; k < m; ++k) t[k] = labels[k].labels[labels[k].of_row[i]];
            out.tuples.push_back(std::move(t));
        }
        out.of_row[i] = it->second;
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
