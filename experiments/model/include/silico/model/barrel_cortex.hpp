// ISF's barrel-cortex data layout, the input of the synapse mapper (synapse_mapper.hpp):
//
//   <dir>/nrCells.csv                                 presynaptic cells per cell type (rows) and column
//   <dir>/ConnectionsV8.csv                           PST length/area densities per pre class and post type
//   <dir>/PST/EXNormalizationPSTs.am                  normalisation PSTs for excitatory input
//   <dir>/PST/INHNormalizationPSTs.am                 normalisation PSTs for inhibitory input
//   <dir>/singleaxon_boutons_ascii/<column>/<type>/*.am   bouton density of each traced axon
//
// Readers are strict and NEURON-free; errors are Errc::parse naming file:line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments {

// nrCells.csv: tab-separated, header `CELL TYPE <column>...`, then one row per presynaptic cell type.
struct CellTypeCounts {
    std::vector<std::string> columns;     // header order ("Alpha", "A1", ...)
    std::vector<std::string> cell_types;  // row order ("L2", "L34", ...)
    std::vector<int> type_lines;          // source line of each row (for messages)
    std::vector<std::int64_t> counts;     // counts[type * columns.size() + column]
    std::string source;

    std::int64_t count(std::size_t type, std::size_t column) const {
        return counts[type * columns.size() + column];
    }
    std::int64_t total() const;
};

Result<CellTypeCounts> parse_cell_type_counts(std::string_view text,
                                              std::string_view source = "<nrCells.csv>");
Result<CellTypeCounts> read_cell_type_counts(const std::filesystem::path& file);
std::string format_cell_type_counts(const CellTypeCounts& counts);

// Post-synaptic-target densities of one post type: per µm of dendrite and per µm² of membrane, by structure.
struct PstDensities {
    double length_soma = 0, length_apical = 0, length_basal = 0;
    double area_soma = 0, area_apical = 0, area_basal = 0;
};

struct PostTypeConstants {
    std::string post_type;
    PstDensities excitatory;  // ALL_EXCITATORY row
    PstDensities inhibitory;  // ALL_INHIBITORY row
};

// ConnectionsV8.csv: tab-separated `PRESYNAPTIC_CELLTYPE POSTSYNAPTIC_CELLTYPE LENGTH_DENSITY_SOMA
// LENGTH_DENSITY_APICAL LENGTH_DENSITY_BASAL AREA_DENSITY_SOMA AREA_DENSITY_APICAL AREA_DENSITY_BASAL`; the
// pre class is ALL_EXCITATORY or ALL_INHIBITORY. Post types in order of first appearance; a post type needs
// both rows.
struct ConnectionConstants {
    std::vector<PostTypeConstants> post_types;
    std::string source;

    const PostTypeConstants* find(std::string_view post_type) const;
};

Result<ConnectionConstants> parse_connection_constants(std::string_view text,
                                                       std::string_view source = "<ConnectionsV8.csv>");
Result<ConnectionConstants> read_connection_constants(const std::filesystem::path& file);
std::string format_connection_constants(const ConnectionConstants& constants);

// Whether a presynaptic type is excitatory or inhibitory: ISF's lists in map_singlecell_inputs.py
// (exTypes: VPM, L2, L34, L4py, L4sp, L4ss, L5st, L5tt, L6cc, L6ccinv, L6ct; inhTypes: SymLocal1..6, L1,
// L23Trans, L45Sym, L45Peak, L56Trans). nullopt for any other name.
enum class SynapseClass { excitatory, inhibitory };
std::optional<SynapseClass> isf_cell_type_class(std::string_view cell_type);
std::span<const std::string_view> isf_excitatory_types();
std::span<const std::string_view> isf_inhibitory_types();

// The file names of the layout.
struct BarrelCortexLayout {
    std::filesystem::path dir;

    std::filesystem::path nr_cells() const { return dir / "nrCells.csv"; }
    std::filesystem::path connections() const { return dir / "ConnectionsV8.csv"; }
    std::filesystem::path excitatory_pst() const { return dir / "PST" / "EXNormalizationPSTs.am"; }
    std::filesystem::path inhibitory_pst() const { return dir / "PST" / "INHNormalizationPSTs.am"; }
    std::filesystem::path bouton_folder(std::string_view column, std::string_view cell_type) const {
        return dir / "singleaxon_boutons_ascii" / std::string(column) / std::string(cell_type);
    }
};

// The bouton lattices of one folder: its `.am` files sorted by name (ISF globs without sorting, so its choice
// of lattice per cell depended on the file system). Errc::not_found naming the folder when it is missing,
// Errc::validation when it holds no `.am` file or holds another file.
Result<std::vector<std::filesystem::path>> list_bouton_lattices(const std::filesystem::path& folder);

}  // namespace silico::experiments
