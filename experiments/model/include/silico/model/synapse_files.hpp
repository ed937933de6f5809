// Anatomical realisation files (ISF single_cell_parser/reader.py; docs/synaptic_input.md).
//
// `.syn`: where each synapse sits (type, section ID, x). `.con`: which presynaptic cell drives each synapse.
// `NumberOfConnectedCells.csv`: cells per (column, cell type), read by the network-parameter builder.
// All readers are NEURON-free; every error is Errc::parse naming file:line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments {

// One `.syn` data line. Synapse ID within its type = position in that type's list.
struct SynapseLocation {
    int section_id = 0;
    double x = 0.0;  // relative position along the section, [0, 1]
};

// All synapses of one presynaptic type ("L5tt_C2"), in file order.
struct SynapseType {
    std::string name;
    std::vector<SynapseLocation> synapses;
};

// A `.syn` file: types in order of first appearance.
struct SynapseDistribution {
    std::vector<SynapseType> types;

    // Index of a type in `types`, or -1.
    std::ptrdiff_t find(std::string_view name) const;
    std::size_t synapse_count() const;
};

// One `.con` data line: presynaptic cell `cell_id` drives synapse `synapse_id` of the same type.
struct Connection {
    std::uint32_t cell_id = 0;
    std::uint32_t synapse_id = 0;
};

struct ConnectionType {
    std::string name;
    std::vector<Connection> connections;  // file order (= ISF's release-draw order)
};

// A `.con` file: `anatomical_id` is the second header line without "# "; types in order of first appearance.
struct ConnectionMap {
    std::string anatomical_id;
    std::vector<ConnectionType> types;

    std::ptrdiff_t find(std::string_view name) const;
};

// One row of NumberOfConnectedCells.csv.
struct ConnectedCellCount {
    std::string column;     // "C2", "Alpha", ...
    std::string cell_type;  // "L5tt", ...
    std::int64_t cells = 0;
};

Result<SynapseDistribution> read_syn_file(const std::filesystem::path& file);
Result<SynapseDistribution> parse_syn(std::string_view text, std::string_view source = "<syn>");

Result<ConnectionMap> read_con_file(const std::filesystem::path& file);
Result<ConnectionMap> parse_con(std::string_view text, std::string_view source = "<con>");

// Rows in file order (zeros included).
Result<std::vector<ConnectedCellCount>> read_connected_cells_file(const std::filesystem::path& file);
Result<std::vector<ConnectedCellCount>> parse_connected_cells(std::string_view text,
                                                              std::string_view source = "<csv>");

}  // namespace silico::experiments
