// Strict request targets: the server maps a target to a store key, never to a file, and refuses anything that
// looks like an attempt to reach something else (target.hpp).
#include "target.hpp"

#include <algorithm>

namespace silico::sharing {

namespace {

bool suspicious(std::string_view t) {
    if (t.find("..") != std::string_view::npos || t.find("//") != std::string_view::npos) return true;
    return std::any_of(t.begin(), t.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u <= 0x20 || u >= 0x7f || c == '%' || c == '?' || c == '\\' || c == '#';
    });
}

bool lower_hex(std::string_view s) {
    return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

}  // namespace

std::expected<Target, TargetError> parse_target(std::string_view target) {
    if (target.empty() || target.front() != '/' || suspicious(target))
        return std::unexpected(TargetError::bad_request);
    for (Area area : {Area::cas, Area::ac}) {
        const std::string prefix = "/" + std::string(to_string(area)) + "/";
        if (!target.starts_with(prefix)) continue;
        const std::string_view rest = target.substr(prefix.size());
        if (rest.empty()) return Target{area, std::nullopt};
        if (!lower_hex(rest)) return std::unexpected(TargetError::not_found);
        auto key = Digest::from_hex(rest);
        if (!key) return std::unexpected(TargetError::not_found);
        return Target{area, *key};
    }
    return std::unexpected(TargetError::not_found);
}

}  // namespace silico::sharing
