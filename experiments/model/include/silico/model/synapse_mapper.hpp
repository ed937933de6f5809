// Anatomical realisations of a single cell's synaptic input in ISF's barrel-cortex model
// (`singlecell_input_mapper`, ISF_SPEC.md §4; docs/anatomy.md): where a registered morphology receives
// synapses from every presynaptic cell type and column, written as ISF's `.syn`, `.con`,
// `NumberOfConnectedCells.csv` and summary csv.
//
// 1. Sections are labelled from the hoc names (Soma, Dendrite, ApicalDendrite); axon sections are skipped.
// 2. The grid: the voxels of the (cropped) excitatory normalisation lattice that overlap the cell's bounding
//    box. Per voxel and structure: dendritic length (segments clipped against the voxel, Liang-Barsky) and
//    membrane area (truncated cones, with ISF's radius = hoc diameter unless AreaConvention::geometric).
// 3. The cell's PST per voxel, excitatory and inhibitory: length density × length + area density × area.
// 4. λ per voxel for each bouton lattice: boutons × cell PST / normalisation PST, nearest voxel of each
//    lattice at the grid voxel's centre, 0 outside a lattice or where the normalisation is <= 0.
// 5. One realisation: each presynaptic cell draws one of its folder's lattices uniformly; every voxel with
//    λ > 0 that holds traced points gets n ~ Poisson(λ) synapses on random 3D points of that voxel.
// 6.-8. Connectivity, summaries, the representative realisation (synapse-count z-scores), files.
//
// Random numbers: one SplitMix64 stream per (seed, realisation, presynaptic type_column), so a realisation
// does not depend on the thread count, on the order populations are drawn in or on the other realisations.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"
#include "silico/model/amira_mesh.hpp"
#include "silico/model/barrel_cortex.hpp"

namespace silico::experiments {

struct Morphology;

// How membrane area enters the cell's PST. ISF (`likeAmira=1`, after Amira) uses the hoc diameter as the
// radius of the truncated cones, so its areas are twice the geometric value; the published normalisation
// lattices and area densities were computed that way, so `amira` is the default. `geometric` uses d/2.
enum class AreaConvention { amira, geometric };

struct MapperOptions {
    std::string cell_type = "L5tt";  // postsynaptic type: a ConnectionsV8.csv post type
    int realisations = 50;
    std::uint64_t seed = 0;
    int threads = 0;  // 0: every core
    AreaConvention area = AreaConvention::amira;
    // Reproduce ISF's behaviour where silico fixes it (docs/anatomy.md, "Deviations"): section IDs count only
    // non-axon sections; path length to soma adds whole parent sections instead of the attachment point;
    // the population summary's per-structure "SD path length" columns repeat the mean's statistics, and
    // path-length averages over realisations include the -1 of realisations without such synapses.
    bool isf_compat = false;
};

// Mapping grid (step 2): voxel v = (i·ny + j)·nz + k (numpy's C order, the order ISF visits voxels in).
struct CellGrid {
    std::array<int, 3> dims{0, 0, 0};
    std::array<double, 3> origin{0, 0, 0};  // low corner of voxel (0,0,0)
    std::array<double, 3> spacing{1, 1, 1};

    std::size_t voxel_count() const {
        return static_cast<std::size_t>(dims[0]) * static_cast<std::size_t>(dims[1]) *
               static_cast<std::size_t>(dims[2]);
    }
    std::size_t index(int i, int j, int k) const {
        return (static_cast<std::size_t>(i) * static_cast<std::size_t>(dims[1]) +
                static_cast<std::size_t>(j)) *
                   static_cast<std::size_t>(dims[2]) +
               static_cast<std::size_t>(k);
    }
    std::array<double, 3> centre(std::size_t voxel) const;
};

struct PointRef {
    int section = 0;  // morphology section index
    int point = 0;    // 3D point index in that section
};

// One structure (label) of the cell on the grid; voxel arrays have grid.voxel_count() entries.
struct MappedStructure {
    std::string label;  // Soma, Dendrite, ApicalDendrite (order of first appearance, as ISF)
    std::vector<double> length, area;
    std::vector<double> pst_excitatory, pst_inhibitory;
    std::vector<std::uint32_t> point_begin;  // points of voxel v: points[point_begin[v] .. point_begin[v+1])
    std::vector<PointRef> points;
};

struct MappedSection {
    int structure = -1;        // index in MappedCell::structures; -1 for skipped (axon) sections
    int output_id = -1;        // section ID written to the .syn file
    std::vector<double> x;     // relative arc position of every 3D point (ISF's relPts)
    std::vector<double> path;  // path length to the soma of every 3D point (µm), 0 on the soma
    std::vector<std::array<double, 3>> xyz;
};

// The postsynaptic cell prepared for mapping (steps 1-3), plus the normalisation PSTs at the voxel centres.
struct MappedCell {
    std::string name;  // the morphology's file stem, written into the .syn header
    CellGrid grid;
    std::vector<MappedStructure> structures;
    std::vector<MappedSection> sections;
    std::vector<double> norm_excitatory, norm_inhibitory;  // per voxel
    double total_length = 0;  // µm of clipped dendrite (checks: = traced length)
};

// Steps 1-3. Errors: no section that can receive synapses, a label other than Soma/Dendrite/ApicalDendrite/
// Axon, a cell outside the excitatory normalisation lattice (Errc::validation, naming the first point
// outside).
Result<MappedCell> prepare_cell(const Morphology& morphology, const ScalarLattice& excitatory_norm,
                                const ScalarLattice& inhibitory_norm, const PostTypeConstants& constants,
                                const MapperOptions& options);

// Step 4 for one bouton lattice: the (structure, voxel) pairs with λ > 0 and at least one traced point, in
// ISF's order (structures, then voxels in C order).
struct InnervationField {
    struct Entry {
        std::uint32_t structure = 0;
        std::uint32_t voxel = 0;
        double lambda = 0;
    };
    std::vector<Entry> entries;
    std::vector<double> cumulative;  // running sum of lambda
    double total = 0;                // Σλ: expected synapses of one presynaptic cell with this lattice
};
InnervationField compute_innervation(const MappedCell& cell, const ScalarLattice& boutons, SynapseClass cls);

// A presynaptic population (type, column) with its lattices' innervation fields.
struct PresynapticPopulation {
    std::string cell_type, column;
    SynapseClass cls = SynapseClass::excitatory;
    std::int64_t cells = 0;
    std::vector<std::filesystem::path> lattice_files;
    std::vector<InnervationField> fields;  // parallel to lattice_files

    std::string name() const { return cell_type + "_" + column; }
};

struct MappingInput {
    MappedCell cell;
    CellTypeCounts counts;
    std::vector<PresynapticPopulation> populations;  // columns in nrCells header order, types in row order
};

// Reads the layout (barrel_cortex.hpp) for a morphology: every error names the file (and line).
// Lattices are read and reduced to innervation fields on `options.threads` threads.
Result<MappingInput> load_mapping_input(const Morphology& morphology, const BarrelCortexLayout& layout,
                                        const MapperOptions& options);

// One synapse: `cell` is the connected-cell ID within its population (cells without synapses are not
// counted).
struct MappedSynapse {
    int section = 0;  // morphology section index (MappedCell::sections)
    int point = 0;
    std::uint32_t cell = 0;
};

struct PopulationRealisation {
    std::vector<MappedSynapse> synapses;  // synapse ID = position
    std::uint32_t connected_cells = 0;
};

struct Realisation {
    std::vector<PopulationRealisation> populations;  // parallel to MappingInput::populations
    std::size_t synapse_count() const;
};

// Step 5 for one realisation index.
Realisation sample_realisation(const MappingInput& input, std::uint64_t seed, int index);

// --- summaries (step 6) ---
struct StructureSummary {
    std::int64_t synapses = 0, connected = 0;
    double convergence = 0, mean_path = -1, sd_path = -1;  // -1: no synapse on the structure
};
struct ConnectivitySummary {
    std::int64_t synapses = 0, connected = 0, presynaptic = 0;
    double convergence = 0, mean_path = -1, sd_path = -1;
    StructureSummary apical, basal, soma;
};
struct RealisationSummary {
    std::vector<std::string> cell_types;              // nrCells row order
    std::vector<ConnectivitySummary> per_type;        // parallel to cell_types
    std::vector<ConnectivitySummary> per_population;  // parallel to MappingInput::populations
};
RealisationSummary summarise(const MappingInput& input, const Realisation& realisation);

// Step 7: rows are realisations, columns features (total synapses per presynaptic type, types sorted by
// name). z-scores use the population SD (numpy's np.std, ddof 0; z = 0 where the SD is 0). Among the rows
// with every |z| <= 2 the smallest Σz² wins, else the smallest overall; ties keep the first.
std::size_t select_representative(const std::vector<std::vector<double>>& features);

struct AnatomyResult {
    std::vector<Realisation> realisations;
    std::vector<RealisationSummary> summaries;
    std::size_t representative = 0;
};

// Steps 5-7 for options.realisations realisations on options.threads threads (the result does not depend
// on the thread count).
AnatomyResult map_synapses(const MappingInput& input, const MapperOptions& options);

// --- files in ISF's formats (step 8) ---
struct AnatomyFiles {
    std::filesystem::path syn, con, connected_cells, summary;
};
std::string format_syn_file(const MappingInput& input, const Realisation& realisation);
// `syn_name` is the .syn file name the .con header refers to.
std::string format_con_file(const MappingInput& input, const Realisation& realisation,
                            std::string_view syn_name);
// Connected cells per (column, cell type): columns sorted by name, types sorted by name, zeros included.
std::string format_connected_cells(const MappingInput& input, const Realisation& realisation);
// The population summary over all realisations, the representative realisation's summary per type, and per
// column and type (the blocks of ISF's 2015 `<cell>_summary.csv`).
std::string format_summary(const MappingInput& input, const AnatomyResult& result,
                           const MapperOptions& options);
// Writes `<cell>_synapses.syn`, `<cell>_synapses.con`, `NumberOfConnectedCells.csv`, `<cell>_summary.csv`
// into `dir` (created), atomically per file; with `landmarks`, also Amira landmark files of the synapse
// positions per population under landmarks/{total,apical,basal,soma}_synapses/.
Result<AnatomyFiles> write_anatomy(const std::filesystem::path& dir, const MappingInput& input,
                                   const AnatomyResult& result, const MapperOptions& options, bool landmarks);

// The identity of a mapping, for caching its files: SHA-256 over length-prefixed fields: the format tag
// `silico.anatomy-key.v1`, the morphology file's digest, every file of the layout the mapping reads (nrCells.csv,
// ConnectionsV8.csv, both PST lattices and the bouton lattices of every (column, type) with cells: relative path
// and content digest, in path order), and the options that change the result (cell type, realisations, seed,
// area convention, isf_compat; not the thread count). Errors as load_mapping_input's for missing files.
Result<Digest> anatomy_key(const std::filesystem::path& morphology, const BarrelCortexLayout& layout,
                           const MapperOptions& options);

}  // namespace silico::experiments
