#include "silico/recipes/param_toml.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <system_error>

#include "toml_tree.hpp"

namespace silico::recipes {

namespace {

using Json = nlohmann::ordered_json;

// TOML text must be UTF-8; a Python literal may hold any bytes.
bool is_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c >> 5) == 0x6) {
            n = 1;
            cp = c & 0x1fu;
        } else if ((c >> 4) == 0xe) {
            n = 2;
            cp = c & 0x0fu;
        } else if ((c >> 3) == 0x1e) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc >> 6) != 0x2) return false;
            cp = (cp << 6) | (cc & 0x3fu);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

// TOML basic string: escapes quotes, backslashes and control characters; other bytes pass through.
std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    return out + "\"";
}

std::string toml_key(std::string_view key) {
    const std::string joined = detail::join_key("", key);
    // join_key quotes with JSON escaping, which TOML basic strings share except for non-ASCII output;
    // use the TOML escaper for anything that is not bare.
    return joined.size() == key.size() && joined == key ? joined : toml_string(key);
}

std::string toml_float(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string text(buf, end);
    if (text.find_first_of(".e") == std::string::npos) text += ".0";  // keep it a TOML float
    return text;
}

class Writer {
  public:
    Result<std::string> write(const Json& tree, std::string_view header) {
        if (!tree.is_object()) return fail(Errc::invalid_argument, "a parameter tree must be a dictionary");
        if (!header.empty()) {
            std::istringstream lines{std::string(header)};
            for (std::string line; std::getline(lines, line);) m_out << "# " << line << "\n";
            m_out << "\n";
        }
        if (auto s = table_body(tree, ""); !s) return std::unexpected(s.error());
        return m_out.str();
    }

  private:
    static bool is_section(const Json& v) { return v.is_object() && !v.empty(); }

    // Writes `key = value` lines, then the trailing sub-dictionaries as [header] sections. A sub-dictionary
    // that a scalar follows is written as dotted keys in place, so reading back keeps the key order.
    Status table_body(const Json& table, const std::string& path) {
        std::vector<std::pair<std::string, const Json*>> sections;
        const auto items = table.items();
        std::vector<std::pair<std::string, const Json*>> entries;
        for (const auto& item : items) entries.emplace_back(item.key(), &item.value());
        std::size_t last_scalar = 0;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            if (!is_section(*entries[i].second)) last_scalar = i + 1;
        }
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& [key, value] = entries[i];
            if (!is_utf8(key))
                return fail(Errc::invalid_argument, "key is not UTF-8, which TOML requires", path);
            if (i >= last_scalar && is_section(*value)) {
                sections.emplace_back(key, value);
                continue;
            }
            if (auto st = dotted(*value, toml_key(key), detail::join_key(path, key)); !st) return st;
        }
        for (const auto& [key, value] : sections) {
            const std::string sub = path.empty() ? toml_key(key) : path + "." + toml_key(key);
            m_out << "\n[" << sub << "]\n";
            if (auto s = table_body(*value, sub); !s) return s;
        }
        return {};
    }

    // `a.b.c = value` lines: a sub-dictionary that a scalar follows stays readable and keeps its place, since
    // a dotted key is positioned where it first appears.
    Status dotted(const Json& value, const std::string& prefix, const std::string& key_path) {
        if (!is_section(value)) {
            auto text = inline_value(value, key_path);
            if (!text) return std::unexpected(text.error());
            m_out << prefix << " = " << *text << "\n";
            return {};
        }
        for (const auto& item : value.items()) {
            if (!is_utf8(item.key())) {
                return fail(Errc::invalid_argument, "key is not UTF-8, which TOML requires", key_path);
            }
            auto st = dotted(item.value(), prefix + "." + toml_key(item.key()),
                             detail::join_key(key_path, item.key()));
            if (!st) return st;
        }
        return {};
    }

    Result<std::string> inline_value(const Json& v, const std::string& key_path) {
        switch (v.type()) {
            case Json::value_t::null:
                return fail(Errc::invalid_argument, "None has no TOML equivalent", key_path);
            case Json::value_t::boolean:
                return std::string(v.get<bool>() ? "true" : "false");
            case Json::value_t::number_integer:
                return std::to_string(v.get<std::int64_t>());
            case Json::value_t::number_unsigned: {
                const auto u = v.get<std::uint64_t>();
                if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                    return fail(Errc::invalid_argument, "integer above 2^63-1 has no TOML equivalent",
                                key_path);
                }
                return std::to_string(u);
            }
            case Json::value_t::number_float:
                return toml_float(v.get<double>());
            case Json::value_t::string:
                if (!is_utf8(v.get_ref<const std::string&>())) {
                    return fail(Errc::invalid_argument, "string is not UTF-8, which TOML requires", key_path);
                }
                return toml_string(v.get_ref<const std::string&>());
            case Json::value_t::array: {
                std::string out = "[";
                std::size_t i = 0;
                for (const auto& e : v) {
                    auto text = inline_value(e, detail::join_index(key_path, i));
                    if (!text) return text;
                    out += (i++ ? ", " : "") + *text;
                }
                return out + "]";
            }
            case Json::value_t::object: {
                if (v.empty()) return std::string("{}");
                std::string out = "{ ";
                bool first = true;
                for (const auto& item : v.items()) {
                    if (!is_utf8(item.key())) {
                        return fail(Errc::invalid_argument, "key is not UTF-8, which TOML requires",
                                    key_path);
                    }
                    auto text = inline_value(item.value(), detail::join_key(key_path, item.key()));
                    if (!text) return text;
                    out += (first ? "" : ", ") + toml_key(item.key()) + " = " + *text;
                    first = false;
                }
                return out + " }";
            }
            default:
                return fail(Errc::invalid_argument, "value has no TOML equivalent", key_path);
        }
    }

    std::ostringstream m_out;
};

void substitute_all(Json& node, const PathMap& paths) {
    if (node.is_string()) {
        node = substitute_placeholders(node.get<std::string>(), paths);
    } else if (node.is_structured()) {
        for (auto& child : node) substitute_all(child, paths);
    }
}

Result<std::string> read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Errc::not_found, "cannot open parameter file", file.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace

Result<std::string> param_to_toml(const nlohmann::ordered_json& tree, std::string_view header_comment) {
    return Writer().write(tree, header_comment);
}

Result<nlohmann::ordered_json> parse_param_toml(std::string_view text, std::string_view source_name,
                                                const PathMap& paths) {
    auto tree = detail::parse_toml_tree(text, source_name);
    if (!tree) {
        const auto& d = tree.error();
        return fail(Errc::parse, d.message,
                    d.file + ":" + std::to_string(d.line) + ":" + std::to_string(d.column));
    }
    substitute_all(tree->root, paths);
    return std::move(tree->root);
}

Result<nlohmann::ordered_json> read_param_toml(const std::filesystem::path& file, const PathMap& paths) {
    auto text = read_text(file);
    if (!text) return std::unexpected(text.error());
    return parse_param_toml(*text, file.string(), paths);
}

Result<nlohmann::ordered_json> read_parameter_tree(const std::filesystem::path& file, const PathMap& paths) {
    if (file.extension() == ".toml") return read_param_toml(file, paths);
    return read_isf_param(file, paths);
}

Status import_param_file(const std::filesystem::path& param_file, const std::filesystem::path& toml_file,
                         const PathMap& paths) {
    auto tree = read_isf_param(param_file, paths);
    if (!tree) return std::unexpected(tree.error());
    auto text = param_to_toml(*tree, "Converted from " + param_file.filename().string() +
                                         " by `silico import param`.\nKey order is significant: it is the "
                                         "order of ISF's random draws.");
    if (!text) return std::unexpected(text.error().within(param_file.string()));
    // Never write a file that would not build the same model.
    auto back = parse_param_toml(*text, toml_file.string());
    if (!back || back->dump() != tree->dump()) {
        return fail(Errc::internal, "converted TOML does not read back to the same parameter tree",
                    param_file.string());
    }
    std::filesystem::path temp = toml_file;
    temp += ".tmp";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << *text;
        out.flush();
        if (!out) return fail(Errc::io, "cannot write", temp.string());
    }
    std::error_code ec;
    std::filesystem::rename(temp, toml_file, ec);
    if (ec)
        return fail(Errc::io, "cannot rename to " + toml_file.string() + ": " + ec.message(), temp.string());
    return {};
}

}  // namespace silico::recipes
