// Private helpers shared by the input-area readers: whole-file reads, line splitting with line numbers,
// strict number parsing, and Python-style float formatting for ISF's text outputs.
#pragma once

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments::detail {

Result<std::string> read_text_file(const std::filesystem::path& file);

// Calls fn(line_number, line) for every line (1-based, without "\r\n"); stops at the first error.
template <class Fn>
Status for_each_line(std::string_view text, Fn&& fn) {
    std::size_t pos = 0;
    std::size_t number = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        ++number;
        Status s = fn(number, line);
        if (!s) return s;
        pos = end + 1;
    }
    return {};
}

// Splits on any of `delims`; keeps empty fields.
std::vector<std::string_view> split_any(std::string_view line, std::string_view delims);
std::string_view trim(std::string_view s);

bool parse_double(std::string_view s, double& out);
bool parse_int(std::string_view s, std::int64_t& out);

// "file:line" context for errors.
std::string where(std::string_view source, std::size_t line);

// Python 3 repr(float): shortest round-trip digits, fixed notation for 1e-4 <= |v| < 1e16 with a ".0" on
// integral values, otherwise d.ddde±XX. This is what ISF's writers produce with str().
std::string python_float(double v);
void append_python_float(std::string& out, double v);

}  // namespace silico::experiments::detail
