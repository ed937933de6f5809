// ISF's output rows of one trial (the simrun files' content, simrun_files.hpp writes them), NEURON-free.
#pragma once

#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/activity.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/model/synapse_placement.hpp"

namespace silico::experiments {

// ISF's presynaptic-cells file rows: types sorted, cells in index order, only cells with spikes.
std::vector<PresynapticCellRow> presynaptic_cell_rows(const PreparedNetwork& network,
                                                      const TrialActivity& activity);
// ISF's synapse-activation rows: types sorted, synapses by ID. A synapse missing from `placement` is an
// error.
Result<std::vector<SynapseActivationRow>> synapse_activation_rows(const PreparedNetwork& network,
                                                                  const TrialActivity& activity,
                                                                  const SynapsePlacement& placement);

}  // namespace silico::experiments
