// Reading one stored output of a dataset row (private to silico_analysis).
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/store/array.hpp"
#include "silico/store/read_outputs.hpp"
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

// How messages name a trial: by its index.
inline std::string in_trial(std::string_view index) {
    return "trial " + std::string(index);
}

inline Result<store::TrialRecord> row_record(const store::Store& store, const Dataset& dataset,
                                             std::size_t row) {
    auto record = store.find_trial(dataset.keys()[row]);
    if (!record) return std::unexpected(record.error().within(in_trial(dataset.index()[row])));
    return record;
}

// Errc::not_found for a trial without output `name`, listing the outputs it has.
inline Error missing_output(const store::TrialRecord& record, const std::string& name,
                            std::string_view index) {
    return store::missing_output(record, name).within(in_trial(index));
}

// The bytes of the output `name` of a trial record (a verified blob); Errc::not_found listing the outputs the
// trial has.
inline Result<std::string> read_output_bytes(const store::Store& store, const store::TrialRecord& record,
                                             const std::string& name, std::string_view index) {
    auto it = record.outputs.find(name);
    if (it == record.outputs.end()) return std::unexpected(missing_output(record, name, index));
    auto bytes = store.get_blob(it->second.digest);
    if (!bytes) return std::unexpected(bytes.error().within(in_trial(index) + ": " + name));
    return bytes;
}

// The output `name` of a trial record, decoded; Errc::not_found listing the outputs the trial has.
inline Result<store::NumericArray> read_output(const store::Store& store, const store::TrialRecord& record,
                                               const std::string& name, std::string_view index) {
    auto bytes = read_output_bytes(store, record, name, index);
    if (!bytes) return std::unexpected(bytes.error());
    auto array = store::decode_array(*bytes);
    if (!array) return std::unexpected(array.error().within(in_trial(index) + ": " + name));
    return array;
}

// The output `name` of a trial record decoded into `out` through `bytes`, both reused across calls; the blob
// is checked by RocksDB's block checksums (store::BlobCheck), not re-hashed: for readers of many large outputs.
inline Status read_output_into(const store::Store& store, const store::TrialRecord& record,
                               const std::string& name, std::string_view index, std::string& bytes,
                               store::FlatArray& out) {
    auto it = record.outputs.find(name);
    if (it == record.outputs.end()) return std::unexpected(missing_output(record, name, index));
    if (auto st = store.read_blob(it->second.digest, bytes, store::BlobCheck::block_checksums); !st)
        return std::unexpected(st.error().within(in_trial(index) + ": " + name));
    if (auto st = store::decode_array_into(bytes, out); !st)
        return std::unexpected(st.error().within(in_trial(index) + ": " + name));
    return {};
}

// The activation outputs `fields` names (bit i: names[i]) of a trial record, as stored, for store's decoder;
// `out` keeps its buffers across trials. Read like the traces (read_output_into): checked by RocksDB's block
// checksums, since a query reads every trial's activations.
template <std::size_t N>
Status read_activation_outputs(const store::Store& store, const store::TrialRecord& record,
                               const std::array<std::string_view, N>& names, store::ActivationFields fields,
                               std::string_view index, std::vector<store::NamedArray>& out) {
    std::array<std::string_view, N> wanted;
    std::size_t n = 0;
    for (std::size_t i = 0; i < N; ++i)
        if (i == 0 || (fields & (1u << i))) wanted[n++] = names[i];  // the population (0) gives the rows
    if (auto st = store::read_outputs(store, record, std::span(wanted).first(n), out,
                                      store::BlobCheck::block_checksums);
        !st)
        return std::unexpected(st.error().within(in_trial(index)));
    return {};
}

// A trial's synapse activation (the outputs `fields` names), decoded by store/trial_outputs.hpp's decoder
// into `out`, reused across trials.
inline Status read_synapse_activation(const store::Store& store, const store::TrialRecord& record,
                                      std::string_view index, store::SynapseActivationTable& out,
                                      store::ActivationFields fields = store::synapse_field::all) {
    thread_local std::vector<store::NamedArray> arrays;
    if (auto st = read_activation_outputs(store, record, store::k_synapse_activation_outputs, fields, index,
                                          arrays);
        !st)
        return st;
    if (auto st = store::decode_synapse_activation(arrays, out, fields); !st)
        return std::unexpected(st.error().within(in_trial(index)));
    return {};
}

inline Status read_presynaptic_spikes(const store::Store& store, const store::TrialRecord& record,
                                      std::string_view index, store::PresynapticSpikeTable& out) {
    thread_local std::vector<store::NamedArray> arrays;
    if (auto st = read_activation_outputs(store, record, store::k_presynaptic_spike_outputs,
                                          store::presynaptic_field::all, index, arrays);
        !st)
        return st;
    if (auto st = store::decode_presynaptic_spikes(arrays, out); !st)
        return std::unexpected(st.error().within(in_trial(index)));
    return {};
}

}  // namespace silico::analysis::detail
