// The synapse activations of one dataset row, decoded (private to silico_analysis: synapses, reduced model).
#pragma once

#include <string>
#include <string_view>

#include "row_outputs.hpp"

namespace silico::analysis::detail {

// What the queries read of a synapse activation: population, soma distance and release times (not the ids
// or dendrite labels), so a trial stored with only these three outputs is complete for them.
inline constexpr store::ActivationFields k_query_fields =
    store::synapse_field::population | store::synapse_field::soma_distance | store::synapse_field::times;

// Row `row`'s synapse activation, decoded by store's decoder into `out` (reused across rows).
inline Status read_activations(const store::Store& store, const Dataset& dataset, std::size_t row,
                               store::SynapseActivationTable& out) {
    auto record = row_record(store, dataset, row);
    if (!record) return std::unexpected(record.error());
    return read_synapse_activation(store, *record, dataset.index()[row], out, k_query_fields);
}

inline std::string_view cell_type_of(std::string_view population) {
    return population.substr(0, population.find('_'));
}
inline std::string_view column_of(std::string_view population) {
    const auto u = population.find('_');
    return u == std::string_view::npos ? std::string_view{} : population.substr(u + 1);
}

}  // namespace silico::analysis::detail
