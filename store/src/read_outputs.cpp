#include "silico/store/read_outputs.hpp"

#include <string>

namespace silico::store {

Error missing_output(const TrialRecord& record, std::string_view name) {
    std::string have;
    for (const auto& [n, blob] : record.outputs) have += (have.empty() ? "" : ", ") + n;
    return Error{Errc::not_found, "has no output " + std::string(name) + " (outputs: " + have + ")", {}};
}

Status read_outputs(const Store& store, const TrialRecord& record, std::span<const std::string_view> names,
                    std::vector<NamedArray>& out, BlobCheck check) {
    out.resize(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto& array = out[i];
        array.name = names[i];
        auto it = record.outputs.find(array.name);
        if (it == record.outputs.end()) return std::unexpected(missing_output(record, names[i]));
        if (auto st = store.read_blob(it->second.digest, array.bytes, check); !st)
            return std::unexpected(st.error().within(array.name));
    }
    return {};
}

}  // namespace silico::store
