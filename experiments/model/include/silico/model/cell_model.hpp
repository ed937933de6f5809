// The cell model: a Morphology plus CellParameters become a CellModel following ISF's create_cell
// (ISF single_cell_parser/__init__.py::create_cell), NEURON-free. silico/neuron/neuron_cell.hpp builds it
// in NEURON.
//
// Everything that can be computed without NEURON is computed here, in C++: sections (hoc sections, then ISF's
// Hay-2013 AIS and myelin when the parameters have an AIS block), connections (soma children always at
// soma(0.5)), NEURON's arc length L, relPts, nseg (d-lambda rule on the unscaled middle-point diameter),
// every per-segment parameter value of every mechanism, ion reversal potentials, and the diameters the cell
// modify functions set. NeuronCell::instantiate() then only creates sections and sets values, in batched hoc
// statements.
// Spine corrections need NEURON's membrane area and are applied in NEURON, as ISF does.
//
// Three distance measures (µm): D1 from a label's origin (spatial kinds, maxDist), D2 from soma(0)
// (linear kinds, recording-site labels, scale_apical_morph_86), D3 the sum of section lengths (synapse soma
// distances). Their exact definitions: docs/cells.md, "Distance measures".
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/biophysics.hpp"
#include "silico/model/morphology.hpp"

namespace silico::experiments {

// NEURON's defaults for sections whose label has no parameter block.
inline constexpr double k_neuron_default_ra = 35.4;  // Ω·cm
inline constexpr double k_neuron_default_cm = 1.0;   // µF/cm²

// One mechanism inserted into one section, with a value per segment for each parameter.
struct SectionMechanism {
    std::string name;  // e.g. "Ih"
    SpatialKind kind = SpatialKind::uniform;
    std::vector<std::string> parameters;      // e.g. {"gIhbar"}; set in NEURON as gIhbar_Ih
    std::vector<std::vector<double>> values;  // values[parameter][segment]
};

struct CellSection {
    int id = 0;
    std::string name;   // source name (hoc `create` name, axon_0, ...)
    std::string label;  // Soma, Dendrite, ApicalDendrite, AIS, Myelin, Axon, ...
    int parent_id = -1;
    double parent_x = 1.0;          // effective connection point (soma children: 0.5)
    double file_parent_x = 1.0;     // as written in the morphology file
    std::vector<Point3d> points;    // as read; never rescaled (ISF's pts/diamList)
    std::vector<double> diameters;  // 3D diameters NEURON gets after the cell modify functions
    std::vector<double> rel_pts;    // ISF's relPts: relative arc position of every point, last = 1
    double length = 0;              // NEURON's L from the 3D points (32-bit float points, as NEURON)
    bool imposed_length = false;    // `length` came from BuildOptions::section_lengths; hoc sets L
    int nseg = 1;
    std::vector<NamedValue> properties;  // Ra, cm and others, in the order they are set
    double ra = k_neuron_default_ra, cm = k_neuron_default_cm;
    std::vector<SectionMechanism> mechanisms;
    std::vector<NamedValue> ions;  // set after insertion (ek, ena, ...)
    std::optional<Spines> spines;  // applied in NEURON: cm and g_pas times F
    std::vector<int> children;     // section IDs, ascending
    int branch_root = -1;          // the soma child this section descends from (-1 for the soma)

    // Centre of segment i, (i + 0.5) / nseg.
    double segment_x(int i) const { return (i + 0.5) / nseg; }
    // Position in µm NEURON's distance() uses for x (segment centre for 0 < x < 1).
    double node_position(double x) const;
};

// A site on the cell: section, segment and position.
struct SegmentLocation {
    int section_id = -1;
    int segment = 0;  // index of the segment containing x
    double x = 0.5;
};

// ISF's recording site for a landmark (spec §8): nearest 3D point, then nearest segment centre.
struct RecordingSite {
    SegmentLocation location;  // x = that segment's centre
    int point_index = 0;       // nearest 3D point of the section
    double soma_distance = 0;  // D2 at the segment centre
    // "<stem>_ID_%03d_sec_%03d_seg_%03d_x_%.3f_somaDist_%.1f"
    std::string label(std::string_view landmark_stem, int landmark_index) const;
};

// Counts and lengths for one label.
struct LabelSummary {
    std::string label;
    int sections = 0;
    int segments = 0;
    double length = 0;  // µm, sum of L
};

class CellModel {
  public:
    const std::vector<CellSection>& sections() const { return m_sections; }
    const CellSection& section(int id) const { return m_sections.at(static_cast<std::size_t>(id)); }
    int soma_id() const { return m_soma; }
    const CellParameters& parameters() const { return m_parameters; }
    // Names of the cell modify functions applied, in order.
    const std::vector<std::string>& applied_modify_functions() const { return m_applied; }

    int total_segments() const;
    double total_length() const;
    // Per label, in order of first appearance by section ID.
    std::vector<LabelSummary> label_summaries() const;

    // D1: path distance from the origin of `label` (see the top of this file). Errc::not_found when no
    // section of that label hangs off the soma (ISF has no origin then).
    Result<double> label_distance(std::string_view label, int section_id, double x) const;
    // maxDist: max D1 at x = 1 over the terminal sections of the subtrees rooted at soma children of that
    // label (Soma: soma L).
    Result<double> max_distance(std::string_view label) const;
    // D2: NEURON path distance from soma(0).
    double distance_to_soma(int section_id, double x) const;
    // D3: sum of section lengths (no soma, no segment snapping; 0 on the soma).
    double length_to_soma(int section_id, double x) const;

    // ISF's get_inner_section_at_distance (spec §7.5): among sections with a label in `labels` whose
    // D2(1) > beyond or that lead through such sections to one, the one with the smallest D2(1) above
    // `distance`; x = (distance - D2(sec, 0)) / L. Errc::not_found if none. ISF's notebook variant (the
    // section of any label with the smallest D2(1) above `distance`) is beyond = -1 with every label listed.
    Result<SegmentLocation> inner_section_at_distance(double distance, double beyond = 1000.0,
                                                      const std::vector<std::string>& labels = {
                                                          "ApicalDendrite"}) const;
    // Section ID by its source name (hoc `create` name, axon_0, ...).
    std::optional<int> find_section(std::string_view name) const;
    // The segment containing x of a section.
    SegmentLocation segment_at(int section_id, double x) const;
    // ISF's recording site for a 3D point.
    RecordingSite recording_site(const Point3d& point) const;

    // Used by cell modify functions: set the 3D diameters NEURON gets (ISF's pt3dchange).
    void set_diameters(int section_id, std::vector<double> diameters);

  private:
    friend class CellModelBuilder;
    std::vector<CellSection> m_sections;
    int m_soma = -1;
    CellParameters m_parameters;
    std::vector<double> m_d2_start;  // D2 of each section's 0-end (its connection node)
    std::vector<std::string> m_applied;
};

struct BuildOptions {
    bool all_points = false;  // ISF's allPoints/full: nseg = number of 3D points
    // Section lengths to impose, indexed by section ID (nullopt or missing: from the 3D points), e.g. those a
    // stored run had (run_section_lengths). NEURON scales the section's arcs to the length (hoc `L =`). Only
    // float32-sized corrections are accepted: each must be within 1e-5 of the length of the 3D points.
    std::vector<std::optional<double>> section_lengths;
};

// Builds the NEURON-free cell model from a morphology and parameters (parameters.morphology is ignored).
Result<CellModel> build_cell_model(const Morphology& morphology, const CellParameters& parameters,
                                   const BuildOptions& options = {});
// Reads parameters.morphology and builds.
Result<CellModel> build_cell_model(const CellParameters& parameters, const BuildOptions& options = {});

// Cell modify functions, applied in parameter-file order after biophysics (ISF §2.8). A function changes the
// model (today: 3D diameters); instantiate() carries the changes into NEURON.
using CellModifyFunction = std::function<Status(CellModel& cell, const nlohmann::ordered_json& kwargs)>;
// Registers a function under a name (replacing one of the same name). Built in: scale_apical_morph_86,
// scale_apical (compartment "ApicalDendrite").
void register_cell_modify_function(std::string name, CellModifyFunction function);
std::vector<std::string> cell_modify_function_names();

}  // namespace silico::experiments
