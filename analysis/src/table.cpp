#include "silico/analysis/table.hpp"

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

namespace silico::analysis {

namespace {

std::string cell_text(const Cell& c) {
    if (const auto* s = std::get_if<std::string>(&c)) return *s;
    if (const auto* d = std::get_if<double>(&c)) return format_number(*d);
    return std::to_string(std::get<std::int64_t>(c));
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    return out + "\"";
}

}  // namespace

std::string format_number(double value) {
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[32];
    const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, r.ptr);
}

std::string format_table(const Table& table, TableFormat format) {
    std::string out;
    if (format == TableFormat::json) {
        nlohmann::ordered_json rows = nlohmann::ordered_json::array();
        for (const auto& r : table.rows) {
            nlohmann::ordered_json o = nlohmann::ordered_json::object();
            for (std::size_t c = 0; c < table.columns.size(); ++c) {
                const auto& cell = r[c];
                if (const auto* s = std::get_if<std::string>(&cell)) {
                    o[table.columns[c]] = *s;
                } else if (const auto* d = std::get_if<double>(&cell)) {
                    if (std::isfinite(*d)) {
                        o[table.columns[c]] = *d;
                    } else {
                        o[table.columns[c]] = nullptr;
                    }
                } else {
                    o[table.columns[c]] = std::get<std::int64_t>(cell);
                }
            }
            rows.push_back(std::move(o));
        }
        return rows.dump(2) + "\n";
    }
    if (format == TableFormat::csv) {
        for (std::size_t c = 0; c < table.columns.size(); ++c)
            out += (c ? "," : "") + csv_field(table.columns[c]);
        out += "\n";
        for (const auto& r : table.rows) {
            for (std::size_t c = 0; c < r.size(); ++c) out += (c ? "," : "") + csv_field(cell_text(r[c]));
            out += "\n";
        }
        return out;
    }
    std::vector<std::vector<std::string>> text(table.rows.size());
    std::vector<std::size_t> width(table.columns.size());
    std::vector<bool> right(table.columns.size(), false);
    for (std::size_t c = 0; c < table.columns.size(); ++c) width[c] = table.columns[c].size();
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        for (std::size_t c = 0; c < table.columns.size(); ++c) {
            text[r].push_back(cell_text(table.rows[r][c]));
            width[c] = std::max(width[c], text[r].back().size());
            if (!std::holds_alternative<std::string>(table.rows[r][c])) right[c] = true;
        }
    }
    auto line = [&](const std::vector<std::string>& cells) {
        std::string l;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            const std::string pad(width[c] - cells[c].size(), ' ');
            if (c) l += "  ";
            l += right[c] ? pad + cells[c] : cells[c] + (c + 1 < cells.size() ? pad : "");
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        return l + "\n";
    };
    out += line(table.columns);
    for (const auto& r : text) out += line(r);
    return out;
}

}  // namespace silico::analysis
