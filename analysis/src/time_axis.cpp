#include "silico/analysis/time_axis.hpp"

#include <algorithm>

namespace silico::analysis {

const std::vector<double>& TimeAxis::values() const {
    static const std::vector<double> none;
    return m_axis.f64.empty() ? none : m_axis.f64[0];
}

Result<bool> TimeAxis::adopt(const store::Store& store, const store::TrialRecord& record) {
    auto ref = record.outputs.find("time");
    if (ref == record.outputs.end()) return fail(Errc::not_found, "has no output time");
    const Digest& digest = ref->second.digest;
    if (std::ranges::find(m_blobs, digest) != m_blobs.end()) return true;
    auto bytes = store.get_blob(digest);
    if (!bytes) return std::unexpected(bytes.error().within("time"));
    auto time = store::decode_array(*bytes);
    if (!time) return std::unexpected(time.error().within("time"));
    if (time->kind != store::ArrayKind::f64_table || time->f64.size() != 1)
        return fail(Errc::corruption, "time is not one column");
    if (m_blobs.empty()) {
        m_axis = std::move(*time);
    } else if (!store::same_values(*time, m_axis)) {
        return false;
    }
    m_blobs.push_back(digest);
    return true;
}

}  // namespace silico::analysis
