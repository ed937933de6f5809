#include "toml_tree.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>
#include <vector>

namespace silico::recipes::detail {

namespace {

using Json = nlohmann::ordered_json;

bool is_bare_key(std::string_view key) {
    return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '-';
    });
}

SourcePosition position_of(const toml::source_region& region) {
    return {static_cast<std::size_t>(region.begin.line), static_cast<std::size_t>(region.begin.column)};
}

class Converter {
  public:
    explicit Converter(TomlTree& out) : m_out(out) {}

    Json convert(const toml::node& node, const std::string& path) {
        if (const auto* table = node.as_table()) return convert_table(*table, path);
        if (const auto* array = node.as_array()) {
            Json out = Json::array();
            std::size_t i = 0;
            for (const auto& element : *array) {
                const std::string element_path = join_index(path, i++);
                m_out.positions.emplace(element_path, position_of(element.source()));
                out.push_back(convert(element, element_path));
            }
            return out;
        }
        if (const auto* v = node.as_integer()) return Json(v->get());
        if (const auto* v = node.as_floating_point()) return Json(v->get());
        if (const auto* v = node.as_boolean()) return Json(v->get());
        if (const auto* v = node.as_string()) return Json(v->get());
        // Dates and times have no meaning in recipes or parameter trees; keep their text so that the
        // schema reports them as a wrong type rather than dropping them.
        std::ostringstream text;
        node.visit([&](const auto& n) { text << n; });
        return Json(text.str());
    }

  private:
    Json convert_table(const toml::table& table, const std::string& path) {
        // TOML++ tables iterate in key order; the file order comes back from the keys' source positions.
        std::vector<std::pair<const toml::key*, const toml::node*>> entries;
        for (const auto& [key, value] : table) entries.emplace_back(&key, &value);
        std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
            const auto pa = position_of(a.first->source()), pb = position_of(b.first->source());
            return std::tie(pa.line, pa.column) < std::tie(pb.line, pb.column);
        });
        Json out = Json::object();
        for (const auto& [key, value] : entries) {
            const std::string key_path = join_key(path, key->str());
            m_out.positions.emplace(key_path, position_of(key->source()));
            out[std::string(key->str())] = convert(*value, key_path);
        }
        return out;
    }

    TomlTree& m_out;
};

}  // namespace

std::string join_key(std::string_view prefix, std::string_view key) {
    std::string quoted;
    if (is_bare_key(key)) {
        quoted = key;
    } else {
        quoted = Json(std::string(key)).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
    if (prefix.empty()) return quoted;
    return std::string(prefix) + "." + quoted;
}

std::string join_index(std::string_view prefix, std::size_t index) {
    return std::string(prefix) + "[" + std::to_string(index) + "]";
}

std::expected<TomlTree, Diagnostic> parse_toml_tree(std::string_view text, std::string_view source_name) {
    TomlTree tree;
    try {
        toml::table table = toml::parse(text, std::string(source_name));
        tree.root = Converter(tree).convert(table, "");
    } catch (const toml::parse_error& e) {
        const auto pos = position_of(e.source());
        return std::unexpected(Diagnostic{std::string(source_name), pos.line, pos.column, "",
                                          "TOML syntax: " + std::string(e.description())});
    }
    return tree;
}

}  // namespace silico::recipes::detail
