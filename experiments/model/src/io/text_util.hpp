// Small text helpers shared by the NEURON-free readers (private header).
#pragma once

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace silico::experiments::detail {

inline std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n\f\v";
    auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

// A finite double spanning all of `s` (after trimming); accepts a leading '+'.
inline std::optional<double> parse_double(std::string_view s) {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    double value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || ptr != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

inline std::optional<long long> parse_int(std::string_view s) {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    long long value = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    return value;
}

inline std::vector<std::string_view> split_whitespace(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() &&
               (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == '\f' || s[i] == '\v'))
            ++i;
        std::size_t j = i;
        while (j < s.size() &&
               !(s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n' || s[j] == '\f' || s[j] == '\v'))
            ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

// Calls f(line_number, line) for every line of `text` (1-based, '\n' separated, '\r' kept).
template <class F>
void for_each_line(std::string_view text, F&& f) {
    std::size_t pos = 0;
    int number = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        ++number;
        if (!f(number, text.substr(pos, end - pos))) return;
        pos = end + 1;
    }
}

inline bool contains(std::string_view s, std::string_view what) {
    return s.find(what) != std::string_view::npos;
}

// Printable excerpt of a line for error messages (bounded, control characters replaced).
inline std::string excerpt(std::string_view line) {
    line = trim(line);
    std::string out;
    for (char c : line.substr(0, 80)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (line.size() > 80) out += "...";
    return out;
}

}  // namespace silico::experiments::detail
