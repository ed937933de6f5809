// Reading one stored output of a dataset row (private to silico_analysis).
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/store/array.hpp"
#include "silico/store/store.hpp"
#include "silico/store/trial_outputs.hpp"

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

// The stored bytes of output `name` of a trial record; Errc::not_found listing the outputs the trial has.
inline Result<std::string> read_output_bytes(const store::Store& store, const store::TrialRecord& record,
                                             const std::string& name, const std::string& index) {
    auto it = record.outputs.find(name);
    if (it == record.outputs.end()) {
        std::string have;
        for (const auto& [n, b] : record.outputs) have += (have.empty() ? "" : ", ") + n;
        return fail(Errc::not_found, "has no output " + name + " (outputs: " + have + ")", "trial " + index);
    }
    auto bytes = store.get_blob(it->second.digest);
    if (!bytes) return std::unexpected(bytes.error().within("trial " + index + ": " + name));
    return bytes;
}

// The output `name` of a trial record, decoded.
inline Result<store::NumericArray> read_output(const store::Store& store, const store::TrialRecord& record,
                                               const std::string& name, const std::string& index) {
    auto bytes = read_output_bytes(store, record, name, index);
    if (!bytes) return std::unexpected(bytes.error());
    auto array = store::decode_array(*bytes);
    if (!array) return std::unexpected(array.error().within("trial " + index + ": " + name));
    return array;
}

// A trial's synapse activation (or presynaptic spikes: PresynapticSpikeColumns), decoded by the one decoder of
// store/trial_outputs.hpp from the outputs it names.
template <class Columns>
Result<Columns> read_activation_columns(const store::Store& store, const store::TrialRecord& record,
                                        const std::string& index) {
    constexpr bool synapses = std::is_same_v<Columns, store::SynapseActivationColumns>;
    std::vector<store::NamedArray> arrays;
    const auto names = [] {
        if constexpr (synapses)
            return std::vector<std::string_view>(store::k_synapse_activation_outputs.begin(),
                                                 store::k_synapse_activation_outputs.end());
        else
            return std::vector<std::string_view>(store::k_presynaptic_spike_outputs.begin(),
                                                 store::k_presynaptic_spike_outputs.end());
    }();
    for (const auto name : names) {
        auto bytes = read_output_bytes(store, record, std::string(name), index);
        if (!bytes) return std::unexpected(bytes.error());
        arrays.push_back({std::string(name), std::move(*bytes)});
    }
    auto columns = [&] {
        if constexpr (synapses)
            return store::decode_synapse_activation_columns(arrays);
        else
            return store::decode_presynaptic_spike_columns(arrays);
    }();
    if (!columns) return std::unexpected(columns.error().within("trial " + index));
    return columns;
}

}  // namespace silico::analysis::detail
