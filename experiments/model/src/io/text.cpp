#include "io/text.hpp"

#include <charconv>
#include <cmath>

namespace silico::experiments::detail {

namespace {

constexpr std::string_view k_blanks = " \t\r\n\f\v";

// Strips an optional leading '+' after trimming; nullopt when nothing is left.
std::optional<std::string_view> number_text(std::string_view s) {
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    return s;
}

template <class T>
std::optional<T> parse_whole(std::string_view s) {
    T value{};
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    return value;
}

}  // namespace

std::string_view trim(std::string_view s) {
    auto b = s.find_first_not_of(k_blanks);
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(k_blanks);
    return s.substr(b, e - b + 1);
}

std::vector<std::string_view> split_any(std::string_view line, std::string_view delims) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
        if (i == line.size() || delims.find(line[i]) != std::string_view::npos) {
            fields.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    }
    return fields;
}

std::vector<std::string_view> split_whitespace(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        i = s.find_first_not_of(k_blanks, i);
        if (i == std::string_view::npos) break;
        std::size_t j = s.find_first_of(k_blanks, i);
        if (j == std::string_view::npos) j = s.size();
        out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

std::optional<double> parse_finite_double(std::string_view s) {
    auto text = number_text(s);
    if (!text) return std::nullopt;
    auto value = parse_whole<double>(*text);
    if (!value || !std::isfinite(*value)) return std::nullopt;
    return value;
}

std::optional<double> parse_double(std::string_view s) {
    auto text = number_text(s);
    if (!text) return std::nullopt;
    if (*text == "nan" || *text == "NaN") return std::nan("");
    return parse_whole<double>(*text);
}

std::optional<std::int64_t> parse_int(std::string_view s) {
    auto text = number_text(s);
    if (!text) return std::nullopt;
    return parse_whole<std::int64_t>(*text);
}

std::string where(std::string_view source, std::size_t line) {
    return std::string(source) + ":" + std::to_string(line);
}

std::string excerpt(std::string_view line) {
    line = trim(line);
    std::string out;
    for (char c : line.substr(0, 80)) out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? '?' : c;
    if (line.size() > 80) out += "...";
    return out;
}

void append_python_float(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "nan";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "inf" : "-inf";
        return;
    }
    // Shortest round-trip digits in scientific form, then re-laid out the way Python's repr does.
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    bool negative = sci.front() == '-';
    if (negative) sci.remove_prefix(1);
    std::size_t epos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, epos))
        if (c != '.') digits += c;
    int exponent = std::stoi(std::string(sci.substr(epos + 1)));
    if (negative) out += '-';
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out += "0.";
            out.append(static_cast<std::size_t>(-exponent - 1), '0');
            out += digits;
        } else {
            auto int_len = static_cast<std::size_t>(exponent + 1);
            if (digits.size() <= int_len) {
                out += digits;
                out.append(int_len - digits.size(), '0');
                out += ".0";
            } else {
                out += digits.substr(0, int_len);
                out += '.';
                out += digits.substr(int_len);
            }
        }
        return;
    }
    out += digits.substr(0, 1);
    if (digits.size() > 1) {
        out += '.';
        out += digits.substr(1);
    }
    out += 'e';
    out += exponent < 0 ? '-' : '+';
    int a = std::abs(exponent);
    if (a < 10) out += '0';
    out += std::to_string(a);
}

std::string python_float(double v) {
    std::string s;
    append_python_float(s, v);
    return s;
}

}  // namespace silico::experiments::detail
