// A synthetic anatomical realisation and network for silico's generated example cell, so the README demo runs
// an evoked-activity experiment without external data. Shipped as recipes/examples/cells/l5pt_example.syn,
// .con and l5pt_example_network.param (ISF's formats: synapse_files.hpp and network_parameters.hpp read them back).
// How it is built and why: docs/example_cell.md.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "silico/core/error.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {

// Cortical layers of the example column, top (pia) first: L1, L2/3, L4, L5A, L5B, L6.
inline constexpr std::size_t k_example_layers = 6;
// Depth (µm below the pia) where each layer begins; the last one ends at k_example_cortex_bottom. Rounded
// values of rat vibrissal cortex (C2 column).
inline constexpr std::array<double, k_example_layers> k_example_layer_tops = {0, 160, 600, 900, 1100, 1450};
inline constexpr double k_example_cortex_bottom = 2000.0;
// Layer index of a depth (clamped to L1 above the pia and L6 below the white matter).
std::size_t example_layer(double depth);

// One presynaptic cell type of the example network. Names are ISF's cell types; populations are
// "<name>_C2" (one column: the principal whisker's).
struct ExampleCellType {
    std::string_view name;
    bool excitatory = true;
    int synapses = 0;                // synapses of this type on the cell
    double synapses_per_cell = 4.0;  // presynaptic cells = round(synapses / this), each drives ~this many
    // Relative synapse density per µm of dendrite in each layer (the type's axon density by depth).
    std::array<double, k_example_layers> layer_density{};
    // Density factor by soma distance d (D3, µm): perisomatic types exp(-d / perisomatic_scale), also on the
    // soma; 0 = no soma-distance preference (excitatory types avoid the first ~30 µm and the soma).
    double perisomatic_scale = 0.0;
    double ongoing_interval = 0.0;  // ms, mean inter-spike interval of ongoing (spontaneous) activity
    double evoked_spikes = 0.0;     // expected extra spikes per presynaptic cell after the deflection
    double evoked_onset = 0.0;      // ms after the deflection where the response starts
    double evoked_peak = 0.0;       // ms from onset to the response's peak (alpha-function shape)
    double weight = 0.0;            // nS: glutamate_syn [AMPA, NMDA] = [w, w]; gaba_syn w
};

// The 14 types of the example network (9 excitatory, 5 inhibitory), in the order they appear in the files.
std::span<const ExampleCellType> example_cell_types();

struct ExampleNetworkOptions {
    std::uint64_t seed = 20240602;      // the shipped files use this seed
    double soma_depth = 1200.0;         // µm below the pia of the soma centre (z = 0; the apical axis is +z)
    double deflection_offset = 245.0;   // ms, when the whisker is deflected (ISF's deflectionOffset)
    double psth_bin = 2.0;              // ms, width of the evoked PSTH bins
    double psth_window = 40.0;          // ms after the response onset covered by the PSTH
    std::string name = "l5pt_example";  // names the files: <name>.syn, <name>.con, <name>_network.param
};

// The three files' contents. The .param refers to the .syn/.con by bare file name: recipes resolve a network
// file's references against its own folder, so the three files live side by side.
struct ExampleNetworkFiles {
    std::string syn;
    std::string con;
    std::string network_param;
    std::string syn_name, con_name, network_name;  // file names
};

// Places every type's synapses on `cell` (3D point intervals drawn with probability ∝ length × layer
// density × soma-distance factor; x uniform inside the interval), connects them to presynaptic cells (a
// random partition, so every cell drives round(synapses_per_cell) ± 1 synapses) and writes the network
// parameters (ISF receptors, ongoing spiketrain, evoked PSTH pointcell). Deterministic: mt19937_64 with
// explicit double conversion, fixed-precision output. Fails if the cell has no soma or no dendrite where a
// type could go.
Result<ExampleNetworkFiles> generate_example_network(const Morphology& cell,
                                                     const ExampleNetworkOptions& options = {});

}  // namespace silico::experiments
