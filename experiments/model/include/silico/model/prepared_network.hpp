// A network's parameters with its .con files read once (ISF re-reads them every trial), NEURON-free.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/network_parameters.hpp"
#include "silico/model/synapse_files.hpp"

namespace silico::experiments {

// Network parameters with every population's .con lines resolved once (ISF re-reads them every trial).
struct PreparedNetwork {
    NetworkParameters parameters;
    // connections[p]: the .con lines of population p in file order; empty and in_con[p] = false when the
    // type is absent from its .con file (ISF skips such populations when connecting).
    std::vector<std::vector<Connection>> connections;
    std::vector<bool> in_con;
    // Weights per synapse of population p: sum of its receptors' weight-list lengths.
    std::vector<std::uint32_t> weights_per_synapse;
};

// Reads each distinct .con file once. Fails if a .con line names a presynaptic cell >= cellNr (ISF would
// raise IndexError mid-trial).
Result<PreparedNetwork> prepare_network(NetworkParameters parameters);
// Same with .con files given in memory (keyed by the connectionFile string).
Result<PreparedNetwork> prepare_network(NetworkParameters parameters,
                                        const std::map<std::string, ConnectionMap>& con_files);

}  // namespace silico::experiments
