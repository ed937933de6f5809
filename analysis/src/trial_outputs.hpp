// Reading one stored output of a dataset row (private to silico_analysis).
#pragma once

#include <string>
#include <string_view>

#include "silico/analysis/dataset.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"

namespace silico::analysis::detail {

// Errc::invalid_argument when the dataset's rows are not store trials (an imported spike table).
inline Status require_records(const Dataset& dataset, std::string_view query) {
    if (dataset.has_records()) return {};
    return fail(Errc::invalid_argument,
                "the dataset holds spike times only (" + dataset.provenance().kind +
                    "), no stored trials with traces or synapse activations",
                std::string(query));
}

inline Result<store::TrialRecord> row_record(const store::Store& store, const Dataset& dataset,
                                             std::size_t row) {
    auto record = store.find_trial(dataset.keys()[row]);
    if (!record) return std::unexpected(record.error().within("trial " + dataset.index()[row]));
    return record;
}

// The output `name` of a trial record, decoded; Errc::not_found listing the outputs the trial has.
inline Result<store::NumericArray> read_output(const store::Store& store, const store::TrialRecord& record,
                                               const std::string& name, const std::string& index) {
    auto it = record.outputs.find(name);
    if (it == record.outputs.end()) {
        std::string have;
        for (const auto& [n, b] : record.outputs) have += (have.empty() ? "" : ", ") + n;
        return fail(Errc::not_found, "has no output " + name + " (outputs: " + have + ")", "trial " + index);
    }
    auto bytes = store.get_blob(it->second.digest);
    if (!bytes) return std::unexpected(bytes.error().within("trial " + index + ": " + name));
    auto array = store::decode_array(*bytes);
    if (!array) return std::unexpected(array.error().within("trial " + index + ": " + name));
    return array;
}

}  // namespace silico::analysis::detail
