// Synapse activations of stored trials, binned (ISF's synapse_activation_binning, ISF_SPEC §10).
//
// Every release time of every active synapse counts once, in the bin given by the chosen dimensions:
//   celltype   the synapse type's part before '_' ("L5tt" of "L5tt_C2")
//   ei         "EXC" when the cell type is in ISF's EXCITATORY list (L1 included, as in ISF), else "INH"
//   column     the presynaptic column: the part after '_' ("C2")
//   proximity  "prox" when the soma distance is below proximal_um (500), else "dist"
//   distance   soma distance in bins of distance_bin µm, labelled "<a>to<a+bin>" as ISF's binned_somadist
//   time       release time in bins of time_bin ms, labelled by the bin start
// Counts are per group of trials; per_trial divides by the group's trial count.
// query_synapse_distances gives, per group and cell type, the active synapses and their mean soma distance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/analysis/table.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

enum class SynapseDim : std::uint8_t { celltype, ei, column, proximity, distance, time };
// "celltype", "ei", "column", "proximity", "distance", "time"; Errc::invalid_argument for anything else.
Result<SynapseDim> parse_synapse_dim(std::string_view name);
std::string_view to_string(SynapseDim dim);

// ISF's config/cell_types.py EXCITATORY list.
bool is_excitatory(std::string_view cell_type);

struct SynapseOptions {
    std::vector<SynapseDim> by = {SynapseDim::celltype};
    double distance_bin = 50.0;  // µm
    double time_bin = 1.0;       // ms
    double proximal_um = 500.0;  // ISF's prox/dist border
    std::optional<double> from;  // only releases at t >= from
    std::optional<double> to;    // only releases at t < to
};

struct SynapseBin {
    std::int32_t group = 0;
    std::vector<std::string> values;  // one per dimension
    std::uint64_t count = 0;
    double per_trial = 0.0;
};

struct SynapseResult {
    SynapseOptions options;
    std::vector<std::string> columns;  // group columns
    std::vector<std::vector<std::string>> group_labels;
    std::vector<std::size_t> group_trials;
    std::vector<SynapseBin> bins;  // by group, then dimension values (numbers numerically)
    std::uint64_t activations = 0;
};

Result<SynapseResult> query_synapses(const store::Store& store, const Dataset& dataset,
                                     const SynapseOptions& options = {}, const SelectOptions& select = {});
// Columns: the group columns, the dimensions, count, per_trial.
Table to_table(const SynapseResult& result);

struct SynapseDistance {
    std::int32_t group = 0;
    std::string cell_type;
    std::uint64_t synapses = 0;  // active synapses (rows of ISF's activation files), over the group's trials
    std::uint64_t activations = 0;  // their release times
    double mean_distance = 0.0;     // mean soma distance of the active synapses (µm)
};
struct SynapseDistanceResult {
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> group_labels;
    std::vector<SynapseDistance> rows;
};
Result<SynapseDistanceResult> query_synapse_distances(const store::Store& store, const Dataset& dataset,
                                                      const SelectOptions& select = {});
// Columns: the group columns, celltype, synapses, activations, mean_distance.
Table to_table(const SynapseDistanceResult& result);

}  // namespace silico::analysis
