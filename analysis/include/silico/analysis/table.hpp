// The result of a query as a table: named columns, one cell per column and row. Every query returns its own
// typed result and a to_table() of it; the CLI prints tables aligned, as CSV or as JSON.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace silico::analysis {

using Cell = std::variant<std::string, double, std::int64_t>;

struct Table {
    std::vector<std::string> columns;
    std::vector<std::vector<Cell>> rows;  // rows[r].size() == columns.size()
};

enum class TableFormat { aligned, csv, json };

// Numbers in the shortest form that reads back to the same double ("0.1", "245.5", "1e-07").
std::string format_number(double value);
// aligned: header, then rows, columns padded (numbers right-aligned); csv: RFC 4180 quoting; json: an array
// of objects, one per row, numbers as numbers (a non-finite double is null). Each ends with a newline.
std::string format_table(const Table& table, TableFormat format);

}  // namespace silico::analysis
