// Cell parameter files (ISF `.param` cell model files, read by ISF's single_cell_parser/cell_parser.py;
// docs/cells.md) as typed values, and the spatial distributions that turn a mechanism block into per-segment
// parameter values (CellParser.insert_range_mechanisms).
//
// A parameter file's `neuron` block names the morphology, optional cell modify functions and
// discretization, and one block per section label (Soma, Dendrite, ApicalDendrite, AIS, Myelin, ...) with
// membrane properties and range mechanisms. Everything here is NEURON-free; the cell model (cell_model.hpp)
// evaluates the distributions with its distance measures and hands the values to NEURON.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/recipes/isf_param.hpp"

namespace silico::experiments {

// The eight kinds ISF implements; any other `spatial` value is an error (as in ISF).
enum class SpatialKind {
    uniform,        // p
    linear,         // max(p*(slope*x + 1), p*offset), x = D2 (or D2/maxDist)
    linear_capped,  // only `param_name`: prox + (dist - prox)*x/dist_value_distance, capped at dist_value
    exponential,    // p*(offset + linScale*exp(_lambda*(x - xOffset))), x = D1 (or D1/maxDist)
    exponential_by_z_dist,  // as exponential; apical x = z - z(soma middle point), in mm unless relative
    capped_exponential,     // min(exponential, max_g)
    sigmoid,                // p*(offset + linScale/(1 + exp((x - xOffset)/width))), x = D1 (or relative)
    uniform_range,          // p inside begin <= D1 <= end (and section not listed), else p*outsidescale
};

std::string_view to_string(SpatialKind kind);
std::optional<SpatialKind> spatial_kind_from_string(std::string_view name);

// A named number in file order (range parameters, properties, ions, globals).
using NamedValue = std::pair<std::string, double>;

// One `mechanisms.range` entry: insert `name`, set each of `parameters` (as `<key>_<name>`) per segment.
struct MechanismBlock {
    std::string name;
    SpatialKind kind = SpatialKind::uniform;
    std::vector<NamedValue> parameters;  // every key that is not a control key of `kind`, file order
    bool relative = false;               // `distance: "relative"`: x is divided by the label's maxDist
    // Control values of the kinds that use them (ISF key names in comments).
    double slope = 0;                         // linear: slope
    double offset = 0;                        // linear, exponential*, sigmoid: offset
    double lin_scale = 0;                     // linScale
    double lambda = 0;                        // _lambda
    double x_offset = 0;                      // xOffset
    double width = 1;                         // sigmoid: width
    double max_g = 0;                         // capped_exponential: max_g
    double begin = 0, end = 0;                // uniform_range: begin, end (µm of D1)
    double outside_scale = 1;                 // uniform_range: outsidescale
    std::vector<int> outside_scale_sections;  // uniform_range: outsidescale_sections (section IDs)
    std::string param_name;                   // linear_capped: param_name
    double prox_value = 0, dist_value = 0, dist_value_distance = 1;  // linear_capped
};

// Where a segment sits, in the distance measures the kinds use (see cell_model.hpp for their definitions).
struct SegmentPosition {
    int section_id = 0;
    double d1 = 0;      // path distance from the label's origin (segment centre, NEURON node rules)
    double d2 = 0;      // path distance from soma(0)
    double z_dist = 0;  // apical only: z at the segment centre minus z of the soma's middle point
    bool apical = false;
};

// The value of each parameter of `block` at `position`, in the order of block.parameters (for
// linear_capped: one value, for block.param_name). `max_dist` is the label's maxDist (used when relative).
std::vector<NamedValue> evaluate_mechanism(const MechanismBlock& block, const SegmentPosition& position,
                                           double max_dist);

// `properties.spines`: cm and g_pas are multiplied by F = 1 + area*density*L / A_section.
struct Spines {
    double density = 0;  // per µm
    double area = 0;     // µm² per spine
};

struct LabelBiophysics {
    std::string label;
    std::vector<NamedValue> properties;  // Ra, cm and any other section property, file order
    std::vector<NamedValue> ions;        // ek, ena, ... set after insertion
    std::optional<Spines> spines;
    std::vector<MechanismBlock> mechanisms;  // file order

    // The property's value, if this label sets it.
    std::optional<double> property(std::string_view name) const;
};

struct CellModifyCall {
    std::string name;               // registered name, e.g. scale_apical_morph_86
    nlohmann::ordered_json kwargs;  // keyword arguments (an object)
};

struct Discretization {
    double f = 100.0;                      // Hz, for the d-lambda rule
    std::optional<double> max_seg_length;  // µm
};

struct MechanismGlobal {
    std::string mechanism, parameter;  // set as hoc global `<parameter>_<mechanism>`
    double value = 0;
};

// The `sim` block; absent keys stay empty.
struct SimSettings {
    std::optional<double> v_init, t_start, t_stop, dt, temperature;  // Vinit (mV), ms, ms, ms, T (°C)
    std::vector<std::filesystem::path> recording_sites;              // .landmarkAscii files
};

struct CellParameters {
    std::string source;                   // file the parameters came from, for messages
    std::filesystem::path morphology;     // neuron.filename (placeholders substituted)
    std::vector<LabelBiophysics> labels;  // neuron.<label> blocks, file order
    std::vector<CellModifyCall> modify_functions;
    Discretization discretization;
    std::vector<MechanismGlobal> mech_globals;
    SimSettings sim;

    // True when the neuron block has an AIS block: the builder then adds ISF's Hay-2013 axon.
    bool has_ais() const;
    const LabelBiophysics* find_label(std::string_view label) const;
};

// Interprets a parsed ISF cell `.param` document (the whole file: info, NMODL_mechanisms, mech_globals,
// neuron, sim). Errors are Errc::validation naming the key path, e.g. "neuron.ApicalDendrite.mechanisms.
// range.Ih: unknown spatial kind 'step'".
Result<CellParameters> parse_cell_parameters(const nlohmann::ordered_json& document, std::string_view source);

// Reads and interprets a `.param` file; `paths` resolves placeholders such as [IN_SILICO_FRAMEWORK_DIR].
// A relative neuron.filename is taken relative to the parameter file's folder.
Result<CellParameters> read_cell_parameters(const std::filesystem::path& file,
                                            const recipes::PathMap& paths = {});

}  // namespace silico::experiments
