#include "schema.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string_view>

namespace silico::recipes::detail {

namespace {

std::string positive(const Json& v) {
    return v.get<double>() > 0 ? "" : "must be greater than 0";
}
std::string non_negative(const Json& v) {
    return v.get<double>() >= 0 ? "" : "must not be negative";
}
std::string probability(const Json& v) {
    const double p = v.get<double>();
    return p >= 0 && p <= 1 ? "" : "is a probability and must lie in [0, 1]";
}
std::string fraction(const Json& v) {
    const double x = v.get<double>();
    return x >= 0 && x <= 1 ? "" : "is a position along a section and must lie in [0, 1]";
}
std::string at_least_one(const Json& v) {
    return v.get<std::int64_t>() >= 1 ? "" : "must be at least 1";
}
std::string second_order(const Json& v) {
    const auto n = v.get<std::int64_t>();
    return n == 1 || n == 2
               ? ""
               : "must be 1 or 2 (NEURON's secondorder; 0 is the exact mode: leave out [simulation.fast])";
}
std::string non_negative_integer(const Json& v) {
    return v.get<std::int64_t>() >= 0 ? "" : "must not be negative";
}
bool is_identifier(std::string_view s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}
// "v", "cai", or "<mechanism>.<variable>" such as "Ca_LVAst.ica". (std::regex is avoided: GCC 12 warns inside
// it under ASan, and warnings are errors.)
std::string variable_name(const Json& v) {
    const auto& s = v.get_ref<const std::string&>();
    const auto dot = s.find('.');
    const bool ok = dot == std::string::npos ? is_identifier(s)
                                             : is_identifier(std::string_view(s).substr(0, dot)) &&
                                                   is_identifier(std::string_view(s).substr(dot + 1));
    return ok ? "" : "is not a range variable name (e.g. \"v\", \"cai\", \"Ca_LVAst.ica\")";
}
std::string whisker(const Json& v) {
    const auto& s = v.get_ref<const std::string&>();
    const bool row_arc = s.size() == 2 && s[0] >= 'A' && s[0] <= 'E' && s[1] >= '1' && s[1] <= '9';
    const bool straddler = s == "Alpha" || s == "Beta" || s == "Gamma" || s == "Delta";
    return row_arc || straddler ? "" : "is not a whisker name (e.g. \"C2\")";
}
std::string not_empty(const Json& v) {
    return v.get<std::string>().empty() ? "must not be empty" : "";
}
// A site's outputs are "<name>.<variable>": a name that other outputs start with would collide with them.
std::string site_name(const Json& v) {
    const auto name = v.get<std::string>();
    if (name.empty()) return "must not be empty";
    for (const char* taken : {"soma", "dendrites", "synapse_activation", "presynaptic_spikes"})
        if (name == taken) return "is taken by other outputs (" + name + ".*); choose another site name";
    return "";
}

Field f(std::string name, Type type, const char* doc) {
    Field field;
    field.name = std::move(name);
    field.type = type;
    field.doc = doc;
    return field;
}
Field req(Field field) {
    field.required = true;
    return field;
}
Field def(Field field, Json value) {
    field.default_value = std::move(value);
    return field;
}
Field swept(Field field) {
    field.sweepable = true;
    return field;
}
Field checked(Field field, std::string (*check)(const Json&)) {
    field.check = check;
    return field;
}
Field choice(std::string name, std::vector<std::string> choices, const char* doc) {
    Field field = f(std::move(name), Type::choice, doc);
    field.choices = std::move(choices);
    return field;
}
Field table(std::string name, Type type, const Fields* sub, const char* doc) {
    Field field = f(std::move(name), type, doc);
    field.sub = sub;
    return field;
}
Field parameters(std::string name, TreeKind kind, const char* doc) {
    Field field = f(std::move(name), Type::parameters, doc);
    field.tree_kind = kind;
    return field;
}

Fields sorted(Fields fields) {
    std::sort(fields.begin(), fields.end(), [](const Field& a, const Field& b) { return a.name < b.name; });
    return fields;
}

// Location keys shared by stimuli.
Fields with_location(Fields fields) {
    fields.push_back(swept(
        checked(f("soma_distance", Type::number, "µm from soma(0) along `label` sections"), non_negative)));
    fields.push_back(
        def(f("label", Type::string, "section label searched for soma_distance"), "ApicalDendrite"));
    fields.push_back(
        swept(checked(f("section", Type::integer, "section ID (hoc create order)"), non_negative_integer)));
    fields.push_back(def(swept(checked(f("x", Type::number, "position along the section"), fraction)), 0.5));
    return sorted(std::move(fields));
}

const Fields& modify_fields() {
    static const Fields k = sorted({
        req(checked(f("function", Type::string, "name of the modify function"), not_empty)),
        def(f("args", Type::tree, "keyword arguments"), Json::object()),
    });
    return k;
}

}  // namespace

std::string_view type_name(Type type) {
    switch (type) {
        case Type::string:
            return "a string";
        case Type::integer:
            return "an integer";
        case Type::number:
            return "a number";
        case Type::boolean:
            return "a boolean";
        case Type::choice:
            return "a string";
        case Type::path:
            return "a file path";
        case Type::string_list:
            return "a list of strings";
        case Type::path_list:
            return "a list of file paths";
        case Type::table:
            return "a table";
        case Type::table_array:
            return "an array of tables";
        case Type::tree:
            return "a table";
        case Type::parameters:
            return "a parameter file path or a table";
    }
    return "a value";
}

const Fields& recipe_schema() {
    static const Fields k_experiment = sorted({
        req(checked(f("name", Type::string, "experiment name (not part of trial keys)"), not_empty)),
        req(choice("protocol", {"current_step", "pulse", "bac", "evoked", "replay"},
                   "what the experiment runs")),
        def(f("description", Type::string, "free text (not part of trial keys)"), ""),
    });
    static const Fields k_run_lengths = sorted({
        req(f("activation", Type::path, "synapse activation file of the run (simulation_run*_synapses.csv)")),
        req(f("syn", Type::path, "the .syn file the run placed its synapses from")),
    });
    static const Fields k_cell = sorted({
        swept(f("morphology", Type::path, "morphology (.hoc); overrides neuron.filename of the biophysics")),
        req(swept(
            parameters("biophysics", TreeKind::cell, "ISF cell .param, native .toml, or inline table"))),
        [] {
            // Absent: the biophysics file's cell_modify_functions apply; given (even empty): these replace
            // them.
            Field modify =
                table("modify", Type::table_array, &modify_fields(), "cell modify functions in order");
            modify.absent_is_meaningful = true;
            return modify;
        }(),
        table("lengths_of_run", Type::table, &k_run_lengths,
              "take the section lengths a stored ISF run had (float32-level corrections of the morphology)"),
    });
    static const Fields k_builder = sorted({
        req(f("template", Type::path, "ongoing-activity template .param")),
        def(f("evoked", Type::path_list, "evoked PSTH .param files"), Json::array()),
        req(f("cell_numbers", Type::path, "NumberOfConnectedCells.csv")),
        req(f("syn", Type::path, "synapse distribution (.syn)")),
        req(f("con", Type::path, "connectivity (.con)")),
        def(swept(checked(f("whisker", Type::string, "deflected whisker"), whisker)), "C2"),
        def(swept(f("deflection_offset", Type::number, "ms, stimulus time of evoked PSTHs")), 245.0),
    });
    // Read before loading by read_anatomy_step (anatomy_step.hpp); the runner provides the [anatomy] placeholder.
    static const Fields k_anatomy = sorted({
        req(f("barrel_cortex", Type::string, "folder in ISF's barrel-cortex layout (docs/anatomy.md)")),
        f("morphology", Type::path, "morphology the anatomy is mapped onto (default: cell.morphology)"),
        req(f("cell_type", Type::string, "postsynaptic cell type (a ConnectionsV8.csv post type)")),
        def(f("realisations", Type::integer, "realisations the representative one is chosen from"), 50),
        def(f("seed", Type::integer, "seed of the mapping"), 0),
        def(f("isf_compat", Type::boolean, "reproduce ISF's mapper where silico fixes it"), false),
        def(choice("area", {"amira", "geometric"}, "membrane area convention"), "amira"),
    });
    static const Fields k_input = sorted({
        table("anatomy", Type::table, &k_anatomy, "map the synaptic input from ISF's barrel cortex first"),
        swept(parameters("network", TreeKind::network, "ISF network .param, native .toml, or inline table")),
        table("builder", Type::table, &k_builder, "build the network from ISF's template inputs"),
        swept(f("replay", Type::path, "ISF synapse activation file to replay")),
        swept(checked(f("release_probability", Type::number, "overrides every releaseProb"), probability)),
        table("modify", Type::table_array, &modify_fields(), "network modify functions in order"),
    });
    static const Fields k_step = with_location({
        req(swept(f("amplitude", Type::number, "nA"))),
        req(swept(checked(f("delay", Type::number, "ms"), non_negative))),
        req(swept(checked(f("duration", Type::number, "ms"), positive))),
    });
    static const Fields k_pulse = with_location({
        req(swept(f("amplitude", Type::number, "nA"))),
        req(swept(checked(f("delay", Type::number, "ms, onset of the first pulse"), non_negative))),
        req(swept(checked(f("duration", Type::number, "ms, of each pulse"), positive))),
        def(swept(checked(f("count", Type::integer, "number of pulses"), at_least_one)), 1),
        def(swept(checked(f("interval", Type::number, "ms between pulse onsets"), non_negative)), 0.0),
    });
    static const Fields k_epsp = with_location({
        req(swept(f("imax", Type::number, "nA, peak current"))),
        req(swept(checked(f("onset", Type::number, "ms"), non_negative))),
        def(swept(checked(f("tau0", Type::number, "ms, rise"), positive)), 1.0),
        def(swept(checked(f("tau1", Type::number, "ms, decay"), positive)), 5.0),
    });
    static const Fields k_stimulus = sorted({
        table("step", Type::table_array, &k_step, "current steps"),
        table("pulse", Type::table_array, &k_pulse, "current pulses"),
        table("epsp", Type::table_array, &k_epsp, "epsp-shaped currents"),
    });
    static const Fields k_fast = sorted({
        def(swept(
                checked(f("secondorder", Type::integer,
                          "NEURON's secondorder for the fixed step: 1 Crank-Nicolson, 2 also ionic currents"),
                        second_order)),
            2),
        def(f("rate_tables", Type::boolean,
              "interpolate the channels' gating rates in NEURON's tables (0.5 mV apart)"),
            false),
    });
    static const Fields k_simulation = sorted({
        req(swept(checked(f("tstop", Type::number, "ms"), positive))),
        def(swept(checked(f("dt", Type::number, "ms"), positive)), 0.025),
        def(swept(choice("solver", {"fixed", "cvode"}, "integration method")), "fixed"),
        def(swept(f("temperature", Type::number, "°C")), 34.0),
        def(swept(f("v_init", Type::number, "mV")), -75.0),
        def(checked(f("trials", Type::integer, "trials per condition"), at_least_one), 1),
        def(swept(checked(f("atol", Type::number, "cvode absolute tolerance"), positive)), 1e-3),
        def(swept(choice("units", {"modern", "legacy"},
                         "physical constants: NEURON 8.2 (CODATA 2018) or NEURON 7 (legacy)")),
            "modern"),
        table("fast", Type::table, &k_fast, "opt-in fast mode (not exact; its error is in docs/recipes.md)"),
    });
    static const Fields k_site = sorted({
        req(checked(f("name", Type::string, "site name"), site_name)),
        f("landmarks", Type::path, "Amira landmark file"),
        swept(checked(f("soma_distance", Type::number, "µm from soma(0)"), non_negative)),
        def(f("label", Type::string, "section label for soma_distance"), "ApicalDendrite"),
        def(checked(f("variables", Type::string_list, "range variables"), variable_name), Json::array({"v"})),
    });
    static const Fields k_dendrites = sorted({
        def(checked(f("variables", Type::string_list, "range variables in every segment"), variable_name),
            Json::array({"v"})),
        def(swept(checked(f("dt", Type::number, "ms between stored samples"), positive)), 0.2),
    });
    static const Fields k_record = sorted({
        table("dendrites", Type::table, &k_dendrites, "every segment of the cell at a coarser dt"),
        def(f("soma", Type::boolean, "record at the soma"), true),
        def(checked(f("variables", Type::string_list, "range variables at the soma"), variable_name),
            Json::array({"v"})),
        table("site", Type::table_array, &k_site, "dendritic recording sites"),
        def(f("synapse_activation", Type::boolean, "store synapse activation times"), false),
        def(f("presynaptic_spikes", Type::boolean, "store presynaptic spike times"), false),
        swept(checked(f("dt", Type::number, "ms between stored samples; default: simulation.dt"), positive)),
        def(choice("precision", {"float32", "float64"}, "stored precision"), "float64"),
    });
    static const Fields k_seeds = sorted({
        checked(f("root", Type::integer, "root seed; derived from the recipe when absent"),
                non_negative_integer),
        def(choice("mode", {"independent", "isf"}, "seed derivation"), "independent"),
    });
    // `paths` and `sweep` are read by the validator itself; they appear here for names and suggestions.
    static const Fields k_schema = sorted({
        req(table("experiment", Type::table, &k_experiment, "")),
        req(table("cell", Type::table, &k_cell, "")),
        table("input", Type::table, &k_input, ""),
        table("stimulus", Type::table, &k_stimulus, ""),
        req(table("simulation", Type::table, &k_simulation, "")),
        table("record", Type::table, &k_record, ""),
        table("seeds", Type::table, &k_seeds, ""),
        f("paths", Type::tree, "placeholder -> folder, relative to the recipe"),
        f("sweep", Type::tree, "named zips"),
    });
    return k_schema;
}

}  // namespace silico::recipes::detail
