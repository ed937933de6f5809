#include "key_path.hpp"

namespace silico::recipes::detail {

std::optional<std::vector<KeyPart>> split_key_path(std::string_view path) {
    std::vector<KeyPart> parts;
    std::size_t i = 0;
    bool expect_key = true;
    while (i < path.size()) {
        if (path[i] == '[') {
            const std::size_t close = path.find(']', i);
            if (close == std::string_view::npos || close == i + 1) return std::nullopt;
            std::size_t index = 0;
            for (std::size_t j = i + 1; j < close; ++j) {
                if (path[j] < '0' || path[j] > '9') return std::nullopt;
                index = index * 10 + static_cast<std::size_t>(path[j] - '0');
            }
            parts.emplace_back(index);
            i = close + 1;
            expect_key = false;
            continue;
        }
        if (!expect_key) {
            if (path[i] != '.') return std::nullopt;
            ++i;
        }
        expect_key = false;
        if (i < path.size() && path[i] == '"') {
            std::string key;
            ++i;
            while (i < path.size() && path[i] != '"') {
                if (path[i] == '\\' && i + 1 < path.size()) ++i;
                key += path[i++];
            }
            if (i >= path.size()) return std::nullopt;
            ++i;
            parts.emplace_back(std::move(key));
        } else {
            const std::size_t end = path.find_first_of(".[", i);
            const std::string key(path.substr(i, end == std::string_view::npos ? path.size() - i : end - i));
            if (key.empty()) return std::nullopt;
            parts.emplace_back(key);
            i = end == std::string_view::npos ? path.size() : end;
        }
    }
    if (parts.empty()) return std::nullopt;
    return parts;
}

const Json* find_at(const Json& root, std::string_view path) {
    auto parts = split_key_path(path);
    if (!parts) return nullptr;
    const Json* node = &root;
    for (const auto& part : *parts) {
        if (const auto* key = std::get_if<std::string>(&part)) {
            if (!node->is_object()) return nullptr;
            auto it = node->find(*key);
            if (it == node->end()) return nullptr;
            node = &*it;
        } else {
            const std::size_t index = std::get<std::size_t>(part);
            if (!node->is_array() || index >= node->size()) return nullptr;
            node = &(*node)[index];
        }
    }
    return node;
}

Json* find_at(Json& root, std::string_view path) {
    return const_cast<Json*>(find_at(static_cast<const Json&>(root), path));
}

std::string parent_key_path(std::string_view path) {
    if (!path.empty() && path.back() == ']') {
        const std::size_t open = path.rfind('[');
        return open == std::string_view::npos ? "" : std::string(path.substr(0, open));
    }
    if (!path.empty() && path.back() == '"') {
        // quoted last key: find its opening quote
        std::size_t open = path.size() - 1;
        while (open > 0) {
            --open;
            if (path[open] == '"' && (open == 0 || path[open - 1] != '\\')) break;
        }
        return open == 0 ? "" : std::string(path.substr(0, open - 1));
    }
    const std::size_t cut = path.find_last_of(".]");
    if (cut == std::string_view::npos) return "";
    return std::string(path.substr(0, path[cut] == ']' ? cut + 1 : cut));
}

}  // namespace silico::recipes::detail
