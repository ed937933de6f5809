// Request targets of the cache layout (remote.hpp), parsed strictly (private to silico_sharing).
#pragma once

#include <optional>
#include <string_view>

#include "silico/core/digest.hpp"
#include "silico/sharing/remote.hpp"

namespace silico::sharing {

struct Target {
    Area area = Area::cas;
    std::optional<Digest> key;  // std::nullopt: the listing "/ac/" or "/cas/"
};

enum class TargetError { bad_request, not_found };

// "/cas/<64 lowercase hex>", "/ac/<64 lowercase hex>", "/ac/" or "/cas/". Targets with "..", "%", "?", "\",
// "//" or a byte outside printable ASCII are bad_request (nothing is ever decoded or resolved as a path);
// anything else is not_found.
std::expected<Target, TargetError> parse_target(std::string_view target);

}  // namespace silico::sharing
