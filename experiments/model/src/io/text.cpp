#include "io/text.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

namespace silico::experiments::detail {

Result<std::string> read_text_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Errc::not_found, "cannot open file", file.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) return fail(Errc::io, "read failed", file.string());
    return std::move(buffer).str();
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

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

bool parse_double(std::string_view s, double& out) {
    s = trim(s);
    if (s.empty()) return false;
    if (s.front() == '+') s.remove_prefix(1);
    if (s == "nan" || s == "NaN") {
        out = std::nan("");
        return true;
    }
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size();
}

bool parse_int(std::string_view s, std::int64_t& out) {
    s = trim(s);
    if (s.empty()) return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && ptr == s.data() + s.size();
}

std::string where(std::string_view source, std::size_t line) {
    return std::string(source) + ":" + std::to_string(line);
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
