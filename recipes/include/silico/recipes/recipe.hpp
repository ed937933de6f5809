// Recipes: the TOML file a scientist writes (schema in docs/recipes.md).
//
// load_recipe() parses, validates and canonicalises a recipe in one pass and reports every problem at once.
// A loaded Recipe keeps its validated document (defaults filled in, file paths absolute), the sweep axes
// (every scalar given as a list), the canonical text (file paths replaced by content digests, keys sorted,
// numbers in one spelling) and its digest. expand() in plan.hpp turns it into conditions and trials.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/recipes/diagnostics.hpp"
#include "silico/recipes/isf_param.hpp"

namespace silico::recipes {

using Json = nlohmann::ordered_json;

enum class Protocol { current_step, pulse, bac, evoked, replay };
enum class Solver { fixed, cvode };
enum class SeedMode { independent, isf };
enum class Precision { float32, float64 };
// Physical constants of NEURON's mod files and Nernst potentials: NEURON 8.2's CODATA 2018 values (modern) or
// NEURON 7's (legacy, nrnunit_use_legacy(1)); ISF's 2015 results need legacy to be reproduced.
enum class Units { modern, legacy };

std::string_view to_string(Protocol p);
std::string_view to_string(Solver s);
std::string_view to_string(SeedMode m);
std::string_view to_string(Precision p);
std::string_view to_string(Units u);

// A parameter tree (cell biophysics or network) from an ISF .param file, a native TOML file, or inline.
// File references inside the tree (neuron.filename, sim.recordingSites, synapse distribution and connection
// files) are rewritten to absolute paths; placeholders from [paths] are substituted.
struct ParameterSource {
    enum class Kind { none, isf_param, toml_file, inline_table };
    Kind kind = Kind::none;
    std::filesystem::path file;        // the parameter file, for isf_param and toml_file
    std::shared_ptr<const Json> tree;  // key order as in the source (it drives ISF's random draws)
    bool present() const { return kind != Kind::none; }
};

// A cell or network modify function (ISF cell_modify_functions / network_modify_functions), applied in order.
struct ModifyFunction {
    std::string name;
    Json args = Json::object();
};

// Where a stimulus or recording sits: the soma (default), a distance from soma(0) along the dendrite with the
// given section label (ISF's D2 measure, spec §2.6), or a section ID and position x.
struct Location {
    enum class Kind { soma, soma_distance, section };
    Kind kind = Kind::soma;
    double soma_distance = 0;              // µm, for soma_distance
    std::string label = "ApicalDendrite";  // section label searched, for soma_distance
    std::int64_t section = 0;              // section ID (hoc create order), for section
    double x = 0.5;                        // position in [0, 1] along the section, for section
};

struct ExperimentSpec {
    std::string name;
    Protocol protocol = Protocol::current_step;
    std::string description;
};

// A stored ISF run whose section lengths the cell takes: its synapse activation file (a new run's, whose soma
// distances are D3 at the .syn x) and the .syn file it placed its synapses from.
struct RunLengths {
    std::filesystem::path activation;
    std::filesystem::path syn;
};

struct CellSpec {
    std::optional<std::filesystem::path> morphology;  // overrides neuron.filename of the biophysics tree
    ParameterSource biophysics;
    // Given: replaces the biophysics file's cell_modify_functions. Absent: the file's own apply.
    std::optional<std::vector<ModifyFunction>> modify;
    // Given: the sections take the lengths NEURON had in that run (experiments::run_section_lengths).
    std::optional<RunLengths> lengths_of_run;
};

// ISF's create_network_parameter inputs (spec §5.3), built into a network by the input library.
struct NetworkBuilder {
    std::filesystem::path ongoing_template;
    std::vector<std::filesystem::path> evoked;
    std::filesystem::path cell_numbers;
    std::filesystem::path syn;
    std::filesystem::path con;
    std::string whisker = "C2";
    double deflection_offset = 245.0;  // ms
};

struct InputSpec {
    ParameterSource network;                      // an ISF network .param or native TOML
    std::optional<NetworkBuilder> builder;        // instead of `network`
    std::optional<std::filesystem::path> replay;  // an ISF synapse activation file to replay
    std::optional<double> release_probability;    // overrides every population's releaseProb
    std::vector<ModifyFunction> modify;           // network modify functions, in order
};

struct CurrentStep {
    double amplitude = 0;  // nA
    double delay = 0;      // ms
    double duration = 0;   // ms
    Location at;
};

struct Pulse {
    double amplitude = 0;  // nA
    double delay = 0;      // ms, onset of the first pulse
    double duration = 0;   // ms, of each pulse
    std::int64_t count = 1;
    double interval = 0;  // ms between pulse onsets (count > 1)
    Location at;
};

struct Epsp {
    double imax = 0;   // nA, peak of the epsp.mod current
    double onset = 0;  // ms
    double tau0 = 1;   // ms, rise
    double tau1 = 5;   // ms, decay
    Location at;
};

struct StimulusSpec {
    std::vector<CurrentStep> steps;
    std::vector<Pulse> pulses;
    std::vector<Epsp> epsps;
};

// The opt-in fast mode (`[simulation.fast]`, docs/recipes.md): settings that trade a measured error for speed.
// Absent in an exact recipe, so it changes neither an exact recipe's canonical form nor its keys.
struct FastSpec {
    // NEURON's `secondorder` for the fixed step: 1 Crank-Nicolson for v, 2 also ionic currents and
    // concentrations at the half step; second-order accurate, so a coarser simulation.dt stays close to exact.
    std::int64_t secondorder = 2;
    // NEURON's rate tables for the voltage-gated channels (the TABLE of each one's tabled_rates()): gating
    // rates interpolated linearly between points 0.5 mV apart instead of computed, with their exp calls.
    bool rate_tables = false;
};

struct SimulationSpec {
    double tstop = 0;   // ms
    double dt = 0.025;  // ms (fixed step; initial step for cvode)
    Solver solver = Solver::fixed;
    double temperature = 34;       // °C, NEURON celsius
    double v_init = -75;           // mV
    std::int64_t trials = 1;       // trials per condition
    double atol = 1e-3;            // cvode absolute tolerance
    Units units = Units::modern;   // physical constants, set per trial (process-wide NEURON state)
    std::optional<FastSpec> fast;  // absent: the exact mode (implicit Euler, secondorder 0)
};

struct RecordSite {
    std::string name;
    std::optional<std::filesystem::path> landmarks;  // Amira landmark file (ISF recordingSites)
    std::optional<double> soma_distance;             // µm (D2), with `label`
    std::string label = "ApicalDendrite";
    std::vector<std::string> variables;  // e.g. "v", "Ca_LVAst.ica", "cai"
};

// [record.dendrites]: every segment of the cell (its centre), each variable sampled every `dt` ms. A segment
// whose mechanisms lack a variable reads NaN there (docs/recipes.md).
struct DendriteRecording {
    std::vector<std::string> variables{"v"};
    double dt = 0.2;  // ms
};

struct RecordSpec {
    bool soma = true;
    std::vector<std::string> soma_variables{"v"};
    std::vector<RecordSite> sites;
    std::optional<DendriteRecording> dendrites;  // absent: not recorded (and not in the trial key)
    bool synapse_activation = false;
    bool presynaptic_spikes = false;
    double dt = 0.025;  // ms between stored samples
    Precision precision = Precision::float64;
};

struct SeedSpec {
    std::optional<std::uint64_t> root;  // given root seed; otherwise derived from the recipe
    SeedMode mode = SeedMode::independent;
};

// Everything one condition runs with: every swept value resolved to one scalar.
struct Spec {
    ExperimentSpec experiment;
    CellSpec cell;
    InputSpec input;
    StimulusSpec stimulus;
    SimulationSpec simulation;
    RecordSpec record;
    SeedSpec seeds;
};

// One sweep dimension: a scalar given as a list, or a named zip of several lists that advance together.
struct SweepAxis {
    std::string name;               // the key path, or the zip name
    std::vector<std::string> keys;  // key paths swept by this axis (one unless a zip)
    // values[k][i]: value i of keys[k], in document form (absolute paths) and canonical form (digests).
    std::vector<std::vector<Json>> values;
    std::vector<std::vector<Json>> canonical_values;
    std::size_t size() const { return values.empty() ? 0 : values.front().size(); }
};

struct SourcePosition {
    std::size_t line = 0;
    std::size_t column = 0;
};

struct Recipe {
    std::filesystem::path file;
    PathMap paths;                // [paths], values absolute
    Json document;                // validated; defaults filled; paths absolute; swept keys hold lists
    Json canonical_document;      // the same with file paths as "sha256:<hex>" and without [paths]
    std::vector<SweepAxis> axes;  // sorted by name: the condition order is independent of key order
    std::string canonical;        // canonical text: identical for semantically identical recipes
    Digest digest;                // SHA-256 of `canonical`
    std::uint64_t root_seed = 0;  // seeds.root, or derived (see plan.hpp)
    bool root_seed_derived = false;
    std::map<std::string, SourcePosition> positions;  // key path -> where it was written
    std::map<std::string, Digest> file_digests;       // absolute path -> content digest (hashed once)
    std::map<std::string, std::shared_ptr<const Json>> trees;    // absolute path -> loaded parameter tree
    std::map<std::string, std::vector<std::string>> references;  // parameter file -> files it references

    std::size_t condition_count() const;
};

struct LoadOptions {
    // Extra placeholder values, overriding the recipe's [paths] (e.g. from the command line).
    PathMap path_overrides;
};

// Reads, validates and canonicalises a recipe file. All problems come back at once.
std::expected<Recipe, Diagnostics> load_recipe(const std::filesystem::path& file,
                                               const LoadOptions& options = {});

// The same for recipe text; relative paths resolve against `base_dir`, positions name `source_name`.
std::expected<Recipe, Diagnostics> parse_recipe(std::string_view text, std::string_view source_name,
                                                const std::filesystem::path& base_dir,
                                                const LoadOptions& options = {});

}  // namespace silico::recipes
