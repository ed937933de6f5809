// Anatomical realisation files and synapse placement (ISF_SPEC.md §4, §2.6 D3).
//
// `.syn`: where each synapse sits (type, section ID, x). `.con`: which presynaptic cell drives each synapse.
// `NumberOfConnectedCells.csv`: cells per (column, cell type), read by the network-parameter builder.
// All readers are NEURON-free; every error is Errc::parse naming file:line.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/simrun_files.hpp"

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

// --- placement (§4) ---

// ISF's relPts of a section from its 3D points as read (x, y, z per point), in ISF's floating-point order:
// relPts[k] = (cumulative_k / L) · (1 / (cumulative_last / L)), last = 1.0, cumulative = Σ sqrt(dx²+dy²+dz²).
// L is NEURON's section length (ISF's PySection.L; NEURON computes it from float32 points), so pass
// `neuron_length`; without it the double sum of the points is used. The rounding matters: at a duplicated end
// point relPts[n-2] is 1 ± 1 ulp with NEURON's L, and ISF's nearest-point search then picks the last point
// (cell 86, section 94); with L from the points it would be an exact tie. Zero length gives all ones.
std::vector<double> isf_relative_points(std::span<const std::array<double, 3>> points,
                                        double neuron_length = -1.0);

// Index of the 3D point whose relative arc position rel_pts[k] is closest to x; the first on ties.
// rel_pts must be non-empty.
std::size_t nearest_point_index(std::span<const double> rel_pts, double x);

// Where NEURON gets the point process: rel_pts[point_id] clamped to the first/last segment centre
// [0.5/nseg, (nseg-0.5)/nseg], so a synapse never sits on a section end.
double synapse_position(std::span<const double> rel_pts, std::size_t point_id, int nseg);

// A section tree for the D3 soma distance: per section its parent (-1 for the root), the x on the parent it
// attaches to, its length (µm), and whether it is soma (the cell builder exposes these).
struct SectionTree {
    std::vector<int> parent;
    std::vector<double> parent_x;
    std::vector<double> length;
    std::vector<bool> is_soma;
};

// D3 (ISF synanalysis.compute_distance_to_soma): x·L of the section plus, for every ancestor below the soma,
// parent.L × (the child's attachment x); soma lengths excluded; 0 on the soma itself.
double soma_distance_d3(const SectionTree& tree, int section, double x);

// The section lengths NEURON had in the run that wrote an ISF synapse activation file, read back from its
// soma-distance column. A new run writes D3 at the synapse's .syn x, so on one section D3 = offset + x·L, and
// ISF prints D3 with 12 significant digits: the slope over the section's rows gives L to ~1e-9 relative.
// Why a replay needs them: NEURON stores 3D points as float32, so the same cell registered at another
// position (as cell 86's morphology file was after its 2015 runs) has section lengths ~1e-7 different,
// which moves a replayed soma trace by ~5e-7 mV and a spike upstroke by up to ~5e-3 mV.
// One entry per section ID below `section_count`; nullopt where the rows do not determine L (the soma, whose
// D3 is 0; fewer than two distinct x; x spanning less than 0.05). Errc::validation when a row's synapse is
// not in `syn` or sits on another section there, or when a section's rows do not lie on one line (the file
// was not written from this .syn, e.g. a replay's file, whose soma distances use relPts instead of x).
Result<std::vector<std::optional<double>>> run_section_lengths(std::span<const SynapseActivationRow> rows,
                                                               const SynapseDistribution& syn,
                                                               std::size_t section_count);
// The same from the run's activation file and its .syn file; errors name the activation file.
Result<std::vector<std::optional<double>>> read_run_section_lengths(const std::filesystem::path& activation,
                                                                    const std::filesystem::path& syn,
                                                                    std::size_t section_count);

}  // namespace silico::experiments
