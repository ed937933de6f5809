// A named item written once (private to silico_analysis): datasets and reduced models are idempotent by name.
#pragma once

#include <string>
#include <string_view>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"
#include "silico/store/store.hpp"

namespace silico::analysis::detail {

// Puts `bytes` under `item` unless the store holds exactly those bytes there already (a no-op); other content
// under the name is Errc::validation, with the hint to remove it. `what` names the object in errors
// ("dataset NAME").
inline Status put_item_once(store::Store& store, const std::string& item, const std::string& bytes,
                            std::string_view encoding, const std::string& what) {
    auto existing = store.item_meta(item);
    if (existing) {
        if (existing->blob.digest == sha256(bytes)) return {};
        return fail(Errc::validation,
                    "is already in the store with other content (" + existing->blob.digest.short_hex() +
                        "); choose another name or remove it with `silico store rm " + item + "`",
                    what);
    }
    if (existing.error().code != Errc::not_found) return std::unexpected(existing.error());
    auto put = store.put_item(item, bytes, std::string(encoding));
    if (!put) return std::unexpected(put.error());
    return {};
}

}  // namespace silico::analysis::detail
