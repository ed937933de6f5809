// Test and benchmark support: the columns of a numeric CSV/TSV file with one header line, as ISF writes
// its traces. Shared by tests/store and bench/store_bench so both measure the same data.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace silico::testing_support {

inline std::vector<std::vector<double>> read_numeric_columns(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::vector<std::vector<double>> columns;
    while (std::getline(in, line)) {
        for (char& c : line) {
            if (c == ',' || c == '\t') c = ' ';
        }
        std::istringstream row(line);
        double v = 0;
        for (std::size_t c = 0; row >> v; ++c) {
            if (columns.size() <= c) columns.emplace_back();
            columns[c].push_back(v);
        }
    }
    return columns;
}

}  // namespace silico::testing_support
