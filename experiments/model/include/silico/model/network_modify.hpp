// Network modify functions (ISF single_cell_parser/network_modify_functions/, docs/synaptic_input.md):
// named changes applied, in order, to one trial's activity after connect & release and before the simulation.
//
// ISF gives them in network.param as `network_modify_functions: {name: kwargs}`; silico recipes give them as
// an ordered list of {name, args} (`[[input.modify]]`). Built in, as in ISF:
//   silence_synapses_by_somadist(soma_dist_ranges = {type: [min, max]})
//       every synapse of that presynaptic type (e.g. "L5tt_C2") at soma distance min <= d < max releases
//       nothing (ISF disconnects it; it is absent from the synapse activation output).
//   silence_synapses_by_somadist_and_spike_source(soma_dist_ranges = {type: [min, max]}, spike_sources =
//   [...])
//       such synapses keep only the releases of spikes whose ISF spike source (spike_origin_name, e.g.
//       "poissontrain", "pointcell_PSTH") is listed; a synapse left without releases is dropped.
// Soma distance is PlacedSynapse::soma_distance, the value ISF writes into its synapse activation files.
// A type that is not a population of the network, an unknown argument or an unknown spike source is an error
// (ISF's own handling of a missing type is a crash or a silently reused list).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/activity.hpp"
#include "silico/model/synapse_placement.hpp"
#include "silico/recipes/recipe.hpp"

namespace silico::experiments {

// A function changes `activity` (and only that); `network` and `placement` describe the trial's synapses.
using NetworkModifyFunction =
    std::function<Status(const PreparedNetwork& network, const SynapsePlacement& placement,
                         const nlohmann::ordered_json& kwargs, TrialActivity& activity)>;

// Registers a function under a name (replacing one of the same name).
void register_network_modify_function(std::string name, NetworkModifyFunction function);
// The registered names, sorted.
std::vector<std::string> network_modify_function_names();

// network.param's `network_modify_functions` dictionary ({name: kwargs}, null or empty for none) as an
// ordered list; kwargs must be dictionaries.
Result<std::vector<recipes::ModifyFunction>> network_modify_list(const nlohmann::ordered_json& functions);

// Applies `functions` in order. An unknown name fails naming it and the known ones; a failing function's
// error names the function. On failure `activity` may be partly modified.
Status apply_network_modify_functions(const PreparedNetwork& network, const SynapsePlacement& placement,
                                      std::span<const recipes::ModifyFunction> functions,
                                      TrialActivity& activity);

}  // namespace silico::experiments
