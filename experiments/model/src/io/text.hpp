// Private text helpers of the model's readers and writers: line iteration with line numbers, splitting,
// strict number parsing, error context and Python-style float formatting for ISF's text outputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments::detail {

// Calls fn(line_number, line) for every line of `text` (1-based, '\n'-separated, a trailing '\r' removed);
// stops at and returns the first error.
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

// Removes blanks (space, \t, \r, \n, \f, \v) at both ends.
std::string_view trim(std::string_view s);
// Splits on any of `delims`; keeps empty fields.
std::vector<std::string_view> split_any(std::string_view line, std::string_view delims);
// Splits on runs of blanks; no empty fields.
std::vector<std::string_view> split_whitespace(std::string_view s);

inline bool contains(std::string_view s, std::string_view what) {
    return s.find(what) != std::string_view::npos;
}

// Number parsers: the whole of `s` after trim(), an optional leading '+'.
// A finite double (the morphology readers).
std::optional<double> parse_finite_double(std::string_view s);
// Any double, including nan and inf as Python's str() writes them (ISF's .syn and simrun files).
std::optional<double> parse_double(std::string_view s);
std::optional<std::int64_t> parse_int(std::string_view s);

// "file:line" context for errors.
std::string where(std::string_view source, std::size_t line);
// Printable excerpt of a line for error messages (trimmed, at most 80 characters, control characters as '?').
std::string excerpt(std::string_view line);

// Python 3 repr(float): shortest round-trip digits, fixed notation for 1e-4 <= |v| < 1e16 with a ".0" on
// integral values, otherwise d.ddde±XX. This is what ISF's writers produce with str().
std::string python_float(double v);
void append_python_float(std::string& out, double v);

}  // namespace silico::experiments::detail
