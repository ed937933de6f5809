#include "silico/analysis/time_axis.hpp"

#include <algorithm>
#include <cstring>

#include "silico/store/array.hpp"

namespace silico::analysis {

namespace {

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

}  // namespace

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
        m_values = std::move(time->f64[0]);
    } else if (!same_bits(time->f64[0], m_values)) {
        return false;
    }
    m_blobs.push_back(digest);
    return true;
}

}  // namespace silico::analysis
