// The network-parameter builder (ISF's create_evoked_network_parameter,
// singlecell_input_mapper/evoked_network_param_from_template.py).
//
// ongoing-activity template (per cell type) + evoked PSTHs (per cell type and column, for a C2 deflection) +
// NumberOfConnectedCells.csv + .syn/.con + the deflected whisker -> a network parameter tree with one
// population per (cell type, column) that has cells. Columns in the 3x3 surround of the whisker get
// {spiketrain: ongoing, pointcell: PSTH of the C2-equivalent column, offset = deflection time}.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/synapse_files.hpp"

namespace silico::experiments {

struct NetworkBuildInputs {
    nlohmann::ordered_json
        ongoing_template;  // parsed template: network.<celltype> = {celltype, interval, synapses}
    std::vector<nlohmann::ordered_json>
        evoked;  // parsed PSTH files: {"<celltype>_<column>": {distribution, ...}}
    std::vector<ConnectedCellCount> cell_counts;  // NumberOfConnectedCells.csv rows
    std::string syn_file;                         // written as distributionFile
    std::string con_file;                         // written as connectionFile
    std::string whisker = "C2";                   // deflected whisker
    double deflection_offset = 245.0;             // ms, ISF's deflectionOffset
    // Replaces the template's NMODL_mechanisms when not null (ISF's shipped file has {"synapses": "/", ...}).
    nlohmann::ordered_json nmodl_mechanisms;
};

// Builds the tree {info, network, NMODL_mechanisms}. Populations in construction order (template cell types,
// then columns in file order); ISF's shipped network.param has a different (Python 2 dict) order, which only
// matters for the isf RNG mode. A surround column whose PSTH is missing is an error naming both.
Result<nlohmann::ordered_json> build_network_parameters(const NetworkBuildInputs& inputs);

// The deflectable whiskers ISF knows, and for one whisker its surround columns with position 1..9
// (row-1/arc-1 ... row+1/arc+1; straddlers Alpha..Delta sit at arc 0).
const std::vector<std::string>& known_whiskers();
Result<std::vector<std::pair<std::string, int>>> surround_columns(std::string_view whisker);

// The column whose PSTH (measured for a C2 deflection) drives surround position 1..9: 1->D3 ... 9->B1.
std::string_view c2_equivalent_column(int position);

}  // namespace silico::experiments
