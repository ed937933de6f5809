#include "silico/analysis/selection.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
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
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);  // falls back to the interpreter when JIT is unavailable
        r.m_match.reset(pcre2_match_data_create_from_pattern(re, nullptr));
        std::uint32_t captures = 0;
        pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &captures);
        r.m_group = captures > 0 ? 1 : 0;
        return r;
    }
    std::optional<std::string_view> apply(std::string_view text) {
        const int rc = pcre2_match(m_code.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0,
                                   m_match.get(), nullptr);
        if (rc <= m_group) return std::nullopt;
        const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(m_match.get());
        if (ov[2 * m_group] == PCRE2_UNSET) return std::string_view{};
        return text.substr(ov[2 * m_group], ov[2 * m_group + 1] - ov[2 * m_group]);
    }

  private:
    std::unique_ptr<pcre2_code, CodeDeleter> m_code;
    std::unique_ptr<pcre2_match_data, MatchDeleter> m_match;
    int m_group = 0;
};

}  // namespace

std::vector<std::size_t> Groups::rows(std::size_t g) const {
    std::vector<std::size_t> out;
    out.reserve(sizes[g]);
    for (std::size_t i = 0; i < row_group.size(); ++i)
        if (row_group[i] == static_cast<std::int32_t>(g)) out.push_back(i);
    return out;
}

Result<Groups> select(const Dataset& d, const SelectOptions& options) {
    const std::size_t n = d.size();
    std::vector<char> keep(n, 1);
    for (const auto& f : options.where) {
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

    Groups g;
    g.row_group.assign(n, -1);
    if (options.group_by.empty()) {
        g.columns = {"all"};
        g.labels = {{"all"}};
        g.sizes = {0};
        for (std::size_t i = 0; i < n; ++i)
            if (keep[i]) {
                g.row_group[i] = 0;
                ++g.sizes[0];
            }
        if (g.sizes[0] == 0)
            return fail(Errc::invalid_argument, "no trial of the dataset passes the filters");
        return g;
    }

    // Per grouping entry, a label per row; numeric columns sort numerically.
    const std::size_t m = options.group_by.size();
    std::vector<std::vector<std::string>> labels(m, std::vector<std::string>(n));
    std::vector<bool> numeric(m, false);
    for (std::size_t k = 0; k < m; ++k) {
        const auto& entry = options.group_by[k];
        if (entry.starts_with("index~")) {
            auto re = IndexRegex::compile(entry.substr(6));
            if (!re) return std::unexpected(re.error().within("--group-by"));
            for (std::size_t i = 0; i < n; ++i) {
                if (!keep[i]) continue;
                auto hit = re->apply(d.index()[i]);
                if (!hit) {
                    keep[i] = 0;
                    ++g.unmatched;
                    continue;
                }
                labels[k][i] = std::string(*hit);
            }
            continue;
        }
        auto column = find_column(d, entry, "group");
        if (!column) return std::unexpected(column.error().within("--group-by " + entry));
        numeric[k] = column->numeric();
        for (std::size_t i = 0; i < n; ++i)
            if (keep[i]) labels[k][i] = column->text(i);
    }
    g.columns = options.group_by;

    // Distinct label tuples, then sorted (numeric entries by value).
    std::unordered_map<std::string, std::int32_t> ids;
    std::vector<std::vector<std::string>> tuples;
    std::vector<std::int32_t> provisional(n, -1);
    std::string joined;
    for (std::size_t i = 0; i < n; ++i) {
        if (!keep[i]) continue;
        joined.clear();
        for (std::size_t k = 0; k < m; ++k) {
            joined += labels[k][i];
            joined.push_back('\x1f');
        }
        auto [it, inserted] = ids.try_emplace(joined, static_cast<std::int32_t>(tuples.size()));
        if (inserted) {
            std::vector<std::string> t(m);
            for (std::size_t k = 0; k < m; ++k) t[k] = labels[k][i];
            tuples.push_back(std::move(t));
        }
        provisional[i] = it->second;
    }
    if (tuples.empty())
        return fail(Errc::invalid_argument, "no trial of the dataset passes the filters and groups");
    std::vector<std::int32_t> order(tuples.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int32_t>(i);
    std::ranges::sort(order, [&](std::int32_t a, std::int32_t b) {
        for (std::size_t k = 0; k < m; ++k) {
            const auto& x = tuples[a][k];
            const auto& y = tuples[b][k];
            if (x == y) continue;
            if (numeric[k]) {
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
    for (std::size_t r = 0; r < order.size(); ++r) g.labels[r] = tuples[order[r]];
    g.sizes.assign(tuples.size(), 0);
    for (std::size_t i = 0; i < n; ++i)
        if (provisional[i] >= 0) {
            g.row_group[i] = rank[provisional[i]];
            ++g.sizes[g.row_group[i]];
        }
    return g;
}

}  // namespace silico::analysis
