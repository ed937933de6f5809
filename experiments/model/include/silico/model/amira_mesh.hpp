// ASCII AmiraMesh scalar lattices (`.am`), the format of ISF's density fields: the normalisation
// post-synaptic-target lattices (PST/EXNormalizationPSTs.am, PST/INHNormalizationPSTs.am) and the bouton
// density of every traced axon (singleaxon_boutons_ascii/<column>/<type>/*.am).
//
//   # AmiraMesh 3D ASCII 2.0
//   define Lattice 20 30 40
//   Parameters {
//       BoundingBox xmin xmax ymin ymax zmin zmax,   <- centres of the first and last voxels
//       Spacing dx dy dz,                            <- optional; else (max - min) / (n - 1)
//       CoordType "uniform"
//   }
//   Lattice { float Data } @1
//   @1
//   0.5                                              <- nx*ny*nz numbers, x fastest, then y, then z
//
// The reader is strict and NEURON-free (fuzzed: docs/anatomy.md): every error is Errc::parse naming
// file:line. Values are kept as doubles (ISF reads float64).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments {

// A regular scalar lattice. `origin` is the low corner of voxel (0,0,0) (ISF's ScalarField.origin: the
// file's first voxel centre minus half a spacing), so voxel (i,j,k) spans origin + [i, i+1)·spacing.
struct ScalarLattice {
    std::array<int, 3> dims{0, 0, 0};
    std::array<double, 3> origin{0, 0, 0};
    std::array<double, 3> spacing{1, 1, 1};
    std::vector<double> values;  // x fastest: index = i + nx·(j + ny·k)

    std::size_t voxel_count() const {
        return static_cast<std::size_t>(dims[0]) * static_cast<std::size_t>(dims[1]) *
               static_cast<std::size_t>(dims[2]);
    }
    std::size_t index(int i, int j, int k) const {
        return static_cast<std::size_t>(i) +
               static_cast<std::size_t>(dims[0]) *
                   (static_cast<std::size_t>(j) +
                    static_cast<std::size_t>(dims[1]) * static_cast<std::size_t>(k));
    }
    double at(int i, int j, int k) const { return values[index(i, j, k)]; }
    // (min, max) per axis of the lattice's voxel bounds: origin and origin + dims·spacing.
    std::array<double, 6> bounds() const;
    // Voxel containing a point: floor((p - origin) / spacing) per axis; nullopt outside the lattice.
    std::optional<std::array<int, 3>> voxel_of(const std::array<double, 3>& p) const;
    // Value of the voxel containing p, 0 outside (ISF's vectorised nearest-voxel lookup).
    double value_at(const std::array<double, 3>& p) const;
};

// ISF's ScalarField.resize_mesh: crops the lattice to the bounding box of its non-zero voxels (same spacing
// and alignment). A lattice without non-zero voxels is left as it is.
void crop_to_nonzero(ScalarLattice& lattice);

Result<ScalarLattice> parse_amira_lattice(std::string_view text, std::string_view source = "<am>");
Result<ScalarLattice> read_amira_lattice(const std::filesystem::path& file);

// The ASCII form the reader reads, with a Spacing line and values in shortest round-trip notation (or with
// `digits` significant digits when > 0, for the compact synthetic data set).
std::string format_amira_lattice(const ScalarLattice& lattice, int digits = 0);

}  // namespace silico::experiments
