#include "silico/recipes/isf_param.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace silico::recipes {

namespace {

using Json = nlohmann::ordered_json;

// Recursive-descent parser over the whole text, tracking line and column for error messages.
class Parser {
public:
    Parser(std::string_view text, std::string_view source, const PathMap& paths)
        : m_text(text), m_source(source), m_paths(paths) {}

    Result<Json> parse_document() {
        skip_space();
        auto value = parse_value(0);
        if (!value) return value;
        skip_space();
        if (m_pos != m_text.size()) return error("unexpected text after the top-level value");
        return value;
    }

private:
    static constexpr int k_max_depth = 200;

    std::unexpected<Error> error(const std::string& message) const {
        std::size_t line = 1, col = 1;
        for (std::size_t i = 0; i < m_pos && i < m_text.size(); ++i) {
            if (m_text[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        return fail(Errc::parse, message,
                    std::string(m_source) + ":" + std::to_string(line) + ":" + std::to_string(col));
    }

    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return at_end() ? '\0' : m_text[m_pos]; }

    void skip_space() {
        while (!at_end()) {
            char c = m_text[m_pos];
            if (c == '#') {
                while (!at_end() && m_text[m_pos] != '\n') ++m_pos;
            } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                ++m_pos;
            } else {
                return;
            }
        }
    }

    Result<Json> parse_value(int depth) {
        if (depth > k_max_depth) return error("nesting deeper than " + std::to_string(k_max_depth));
        skip_space();
        if (at_end()) return error("unexpected end of file, expected a value");
        char c = peek();
        if (c == '{') return parse_dict(depth);
        if (c == '[') return parse_sequence(depth, ']');
        if (c == '(') return parse_sequence(depth, ')');
        if (c == '"' || c == '\'') {
            auto s = parse_string();
            if (!s) return std::unexpected(s.error());
            return Json(substitute_placeholders(std::move(*s), m_paths));
        }
        if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) return parse_number();
        for (auto [word, value] : {std::pair<std::string_view, Json>{"None", nullptr}, {"True", true},
                                   {"False", false}, {"null", nullptr}, {"true", true}, {"false", false}}) {
            if (m_text.substr(m_pos, word.size()) == word) {
                m_pos += word.size();
                return value;
            }
        }
        return error(std::string("unexpected character '") + c + "', expected a value");
    }

    Result<Json> parse_dict(int depth) {
        ++m_pos;  // '{'
        Json object = Json::object();
        while (true) {
            skip_space();
            if (at_end()) return error("unterminated dictionary, expected '}'");
            if (peek() == '}') {
                ++m_pos;
                return object;
            }
            if (peek() != '"' && peek() != '\'') return error("expected a quoted key or '}'");
            const std::size_t key_pos = m_pos;
            auto key = parse_string();
            if (!key) return std::unexpected(key.error());
            skip_space();
            if (peek() != ':') return error("expected ':' after key '" + *key + "'");
            ++m_pos;
            auto value = parse_value(depth + 1);
            if (!value) return value;
            if (object.contains(*key)) {
                m_pos = key_pos;
                return error("duplicate key '" + *key + "'");
            }
            object[*key] = std::move(*value);
            skip_space();
            if (at_end()) return error("unterminated dictionary, expected '}'");
            if (peek() == ',') {
                ++m_pos;
            } else if (peek() != '}') {
                return error("expected ',' or '}' after the value of '" + *key + "'");
            }
        }
    }

    Result<Json> parse_sequence(int depth, char close) {
        ++m_pos;  // '[' or '('
        Json array = Json::array();
        while (true) {
            skip_space();
            if (at_end()) return error(std::string("unterminated list, expected '") + close + "'");
            if (peek() == close) {
                ++m_pos;
                return array;
            }
            auto value = parse_value(depth + 1);
            if (!value) return value;
            array.push_back(std::move(*value));
            skip_space();
            if (at_end()) return error(std::string("unterminated list, expected '") + close + "'");
            if (peek() == ',') {
                ++m_pos;
            } else if (peek() != close) {
                return error(std::string("expected ',' or '") + close + "'");
            }
        }
    }

    Result<std::string> parse_string() {
        const char quote = m_text[m_pos++];
        std::string out;
        while (true) {
            if (at_end() || peek() == '\n') return error("unterminated string");
            char c = m_text[m_pos++];
            if (c == quote) return out;
            if (c == '\\') {
                if (at_end()) return error("unterminated string");
                char e = m_text[m_pos++];
                switch (e) {
                    case 'n': out += '\n'; break;
                    case 't': out += '\t'; break;
                    case '\\': out += '\\'; break;
                    case '\'': out += '\''; break;
                    case '"': out += '"'; break;
                    default: out += '\\'; out += e;  // Python keeps unknown escapes verbatim
                }
            } else {
                out += c;
            }
        }
    }

    Result<Json> parse_number() {
        const std::size_t start = m_pos;
        if (peek() == '+' || peek() == '-') ++m_pos;
        bool is_float = false;
        while (!at_end()) {
            char c = peek();
            if (c >= '0' && c <= '9') {
                ++m_pos;
            } else if (c == '.' || c == 'e' || c == 'E') {
                is_float = true;
                ++m_pos;
                if ((c == 'e' || c == 'E') && (peek() == '+' || peek() == '-')) ++m_pos;
            } else {
                break;
            }
        }
        std::string_view token = m_text.substr(start, m_pos - start);
        if (!token.empty() && token.front() == '+') token.remove_prefix(1);
        if (!is_float) {
            std::int64_t v = 0;
            auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), v);
            if (ec == std::errc() && end == token.data() + token.size()) return Json(v);
        }
        double d = 0;
        auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), d);
        if (ec != std::errc() || end != token.data() + token.size()) {
            m_pos = start;
            return error("malformed number '" + std::string(token) + "'");
        }
        return Json(d);
    }

    std::string_view m_text;
    std::string_view m_source;
    const PathMap& m_paths;
    std::size_t m_pos = 0;
};

}  // namespace

std::string substitute_placeholders(std::string text, const PathMap& paths) {
    for (const auto& [name, value] : paths) {
        const std::string token = "[" + name + "]";
        for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size())) {
            text.replace(at, token.size(), value);
        }
    }
    return text;
}

Result<nlohmann::ordered_json> parse_isf_param(std::string_view text, std::string_view source_name,
                                               const PathMap& paths) {
    return Parser(text, source_name, paths).parse_document();
}

Result<nlohmann::ordered_json> read_isf_param(const std::filesystem::path& file, const PathMap& paths) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Errc::not_found, "cannot open parameter file", file.string());
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parse_isf_param(buffer.str(), file.string(), paths);
}

}  // namespace silico::recipes
