// The synapse activations of one dataset row, decoded (private to silico_analysis: synapses, reduced model).
#pragma once

#include <string>
#include <vector>

#include "trial_outputs.hpp"

namespace silico::analysis::detail {

// One entry per active synapse: its population ("L5tt_C2"), soma distance (µm) and release times (ms).
struct Activations {
    std::vector<std::string> population;
    std::vector<double> distance;
    std::vector<std::vector<double>> times;
};

inline Result<Activations> read_activations(const store::Store& store, const Dataset& dataset,
                                            std::size_t row) {
    auto record = row_record(store, dataset, row);
    if (!record) return std::unexpected(record.error());
    const auto& index = dataset.index()[row];
    auto population = read_output(store, *record, "synapse_activation.population", index);
    if (!population) return std::unexpected(population.error());
    auto distance = read_output(store, *record, "synapse_activation.soma_distance", index);
    if (!distance) return std::unexpected(distance.error());
    auto times = read_output(store, *record, "synapse_activation.times", index);
    if (!times) return std::unexpected(times.error());
    Activations a{std::move(population->strings),
                  distance->f64.empty() ? std::vector<double>{} : std::move(distance->f64[0]),
                  std::move(times->f64)};
    if (a.distance.size() != a.population.size() || a.times.size() != a.population.size())
        return fail(Errc::corruption, "synapse_activation outputs have different row counts",
                    "trial " + index);
    return a;
}

inline std::string_view cell_type_of(std::string_view population) {
    return population.substr(0, population.find('_'));
}
inline std::string_view column_of(std::string_view population) {
    const auto u = population.find('_');
    return u == std::string_view::npos ? std::string_view{} : population.substr(u + 1);
}

}  // namespace silico::analysis::detail
