// A synthetic barrel-cortex data set in exactly ISF's layout (barrel_cortex.hpp), for tests and the demo:
// the real density lattices are published separately and are not shipped with silico.
//
// What it models (docs/anatomy.md, "Synthetic data set"): 24 columns (rows A-E, arcs 1-4, the Greek
// straddlers Alpha-Delta at arc 0 between rows) on a square grid `column_spacing` apart with C2's axis at
// `c2_centre`; cortical depth along -z from the pia at `pia_z`, eight layers (L1, L2, L3, L4, L5A, L5B, L6A,
// L6B; borders at 150, 350, 600, 900, 1100, 1450, 1800, 2000 µm). Per presynaptic type: cells per column,
// and per axon a bouton lattice = boutons × (layer profile) × (lateral Gaussian around the soma), with
// per-axon jitter of soma position, spread, layer weights and bouton count. Normalisation PSTs are layer-wise
// uniform densities (PST per µm³) over the field, zero on the outermost voxel shell. Everything is a
// deterministic function of the options (SplitMix64 streams keyed by the seed and the file's name).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments {

struct SyntheticBarrelCortexOptions {
    std::uint64_t seed = 20251202;
    int lattices_per_folder = 3;                // traced axons per (column, type)
    double voxel = 50.0;                        // µm
    std::array<double, 2> c2_centre{-90, 400};  // x, y of C2's axis (cell 86 is registered at C2's centre)
    double pia_z = 750.0;                       // z of the pia; depth = pia_z - z
    double column_spacing = 400.0;              // µm between neighbouring column axes
    std::vector<std::string> columns;           // subset of the 24 columns (empty: all), in canonical order
    std::vector<std::string> cell_types;        // subset of the 22 presynaptic types (empty: all)
    double cell_scale = 1.0;                    // multiplies every cell count (rounded, at least 1)
    int digits = 4;                             // significant digits of lattice values
};

// The 24 column names in nrCells.csv order and the 22 presynaptic types in ISF's order.
std::vector<std::string> synthetic_columns();
std::vector<std::string> synthetic_cell_types();

// Writes nrCells.csv, ConnectionsV8.csv, PST/*.am and singleaxon_boutons_ascii/<column>/<type>/axon_<k>.am
// into `dir` (created). Errc::invalid_argument for an unknown column or type in the options.
Status write_synthetic_barrel_cortex(const std::filesystem::path& dir,
                                     const SyntheticBarrelCortexOptions& options);

}  // namespace silico::experiments
