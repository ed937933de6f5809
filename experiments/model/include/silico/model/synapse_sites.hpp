// Where the synapses of a network sit on a cell model (ISF single_cell_parser/synapse_mapper.py),
// NEURON-free: the .syn mapping for new trials, or the rows of an ISF activation file for replays (ISF
// renumbers replayed synapses per type).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/activity.hpp"
#include "silico/model/cell_model.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/model/synapse_placement.hpp"

namespace silico::experiments {

// One synapse on the cell.
struct SynapseSite {
    int section_id = 0;
    std::int64_t point_id = 0;  // ISF's ptID: 3D point of the section nearest the synapse
    double x = 0.5;            // where NEURON gets the point process: relPts[ptID] clamped to segment centres
    double soma_distance = 0;  // D3 (µm) at the synapse's stored x (.syn x, or relPts[ptID] for replays)
    std::string label;         // section label: "ApicalDendrite", "Dendrite", "Soma"
};

// sites[population][synapse_id], populations as in PreparedNetwork::parameters.populations.
struct SynapseSites {
    std::vector<std::vector<SynapseSite>> sites;

    // The form synapse_activation_rows() takes (keyed by population name).
    SynapsePlacement placement(const PreparedNetwork& network) const;
};

// ISF's SynapseMapper (§4): every .syn synapse of every population (type missing from `syn`: no synapses).
// ptID = nearest relPts to the file's x; soma distance D3 at the file's x. Errors name the type and synapse
// when a section ID does not exist on the cell.
Result<SynapseSites> place_synapses(const CellModel& cell, const PreparedNetwork& network,
                                    const SynapseDistribution& syn);

// Replay (ISF reconnect_saved_synapses): synapse k of a type is the k-th row of that type in file order,
// placed at (section ID, section pt ID) of the row; soma distance D3 at relPts[ptID]. Use with
// activity_from_replay() of the same rows.
Result<SynapseSites> place_replayed_synapses(const CellModel& cell, const PreparedNetwork& network,
                                             const std::vector<SynapseActivationRow>& rows);

}  // namespace silico::experiments
