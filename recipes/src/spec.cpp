#include "spec.hpp"

#include <cmath>
#include <map>

#include "key_path.hpp"

namespace silico::recipes::detail {

namespace fs = std::filesystem;

namespace {

template <class E>
E enum_of(const std::string& s, std::initializer_list<std::pair<const char*, E>> values) {
    for (const auto& [name, value] : values) {
        if (s == name) return value;
    }
    return values.begin()->second;  // unreachable: the validator accepted only these names
}

ParameterSource parameters_of(const Json& v, const Recipe& recipe) {
    ParameterSource source;
    if (v.is_string()) {
        source.file = v.get<std::string>();
        source.kind = source.file.extension() == ".toml" ? ParameterSource::Kind::toml_file
                                                         : ParameterSource::Kind::isf_param;
        source.tree = recipe.trees.at(v.get<std::string>());
    } else if (v.is_object()) {
        source.kind = ParameterSource::Kind::inline_table;
        source.tree = std::make_shared<const Json>(v);
    }
    return source;
}

std::vector<ModifyFunction> modify_of(const Json& list) {
    std::vector<ModifyFunction> out;
    for (const auto& m : list) out.push_back({m["function"].get<std::string>(), m["args"]});
    return out;
}

Location location_of(const Json& t) {
    Location at;
    at.label = t["label"].get<std::string>();
    at.x = t["x"].get<double>();
    if (t.contains("soma_distance")) {
        at.kind = Location::Kind::soma_distance;
        at.soma_distance = t["soma_distance"].get<double>();
    } else if (t.contains("section")) {
        at.kind = Location::Kind::section;
        at.section = t["section"].get<std::int64_t>();
    }
    return at;
}

}  // namespace

Spec to_spec(const Json& doc, const Recipe& recipe) {
    Spec s;
    const Json& e = doc["experiment"];
    s.experiment.name = e["name"].get<std::string>();
    s.experiment.description = e["description"].get<std::string>();
    s.experiment.protocol =
        enum_of<Protocol>(e["protocol"].get<std::string>(), {{"current_step", Protocol::current_step},
                                                             {"pulse", Protocol::pulse},
                                                             {"bac", Protocol::bac},
                                                             {"evoked", Protocol::evoked},
                                                             {"replay", Protocol::replay}});
    const Json& c = doc["cell"];
    if (c.contains("morphology")) s.cell.morphology = fs::path(c["morphology"].get<std::string>());
    s.cell.biophysics = parameters_of(c["biophysics"], recipe);
    // An absent [[cell.modify]] keeps the biophysics file's own cell_modify_functions.
    if (c.contains("modify")) s.cell.modify = modify_of(c["modify"]);
    if (c.contains("lengths_of_run")) {
        const Json& r = c["lengths_of_run"];
        s.cell.lengths_of_run = RunLengths{r["activation"].get<std::string>(), r["syn"].get<std::string>()};
    }

    const Json& in = doc["input"];
    if (in.contains("network")) s.input.network = parameters_of(in["network"], recipe);
    if (in.contains("builder")) {
        const Json& b = in["builder"];
        NetworkBuilder builder;
        builder.ongoing_template = b["template"].get<std::string>();
        for (const auto& p : b["evoked"]) builder.evoked.emplace_back(p.get<std::string>());
        builder.cell_numbers = b["cell_numbers"].get<std::string>();
        builder.syn = b["syn"].get<std::string>();
        builder.con = b["con"].get<std::string>();
        builder.whisker = b["whisker"].get<std::string>();
        builder.deflection_offset = b["deflection_offset"].get<double>();
        s.input.builder = std::move(builder);
    }
    if (in.contains("replay")) s.input.replay = fs::path(in["replay"].get<std::string>());
    if (in.contains("release_probability"))
        s.input.release_probability = in["release_probability"].get<double>();
    s.input.modify = modify_of(in["modify"]);

    const Json& st = doc["stimulus"];
    for (const auto& t : st["step"]) {
        s.stimulus.steps.push_back({t["amplitude"].get<double>(), t["delay"].get<double>(),
                                    t["duration"].get<double>(), location_of(t)});
    }
    for (const auto& t : st["pulse"]) {
        s.stimulus.pulses.push_back({t["amplitude"].get<double>(), t["delay"].get<double>(),
                                     t["duration"].get<double>(), t["count"].get<std::int64_t>(),
                                     t["interval"].get<double>(), location_of(t)});
    }
    for (const auto& t : st["epsp"]) {
        s.stimulus.epsps.push_back({t["imax"].get<double>(), t["onset"].get<double>(),
                                    t["tau0"].get<double>(), t["tau1"].get<double>(), location_of(t)});
    }

    const Json& sim = doc["simulation"];
    s.simulation.tstop = sim["tstop"].get<double>();
    s.simulation.dt = sim["dt"].get<double>();
    s.simulation.solver = sim["solver"] == "cvode" ? Solver::cvode : Solver::fixed;
    s.simulation.temperature = sim["temperature"].get<double>();
    s.simulation.v_init = sim["v_init"].get<double>();
    s.simulation.trials = sim["trials"].get<std::int64_t>();
    s.simulation.atol = sim["atol"].get<double>();
    s.simulation.units = sim["units"] == "legacy" ? Units::legacy : Units::modern;
    if (sim.contains("fast"))
        s.simulation.fast =
            FastSpec{sim["fast"]["secondorder"].get<std::int64_t>(), sim["fast"]["rate_tables"].get<bool>()};

    const Json& r = doc["record"];
    s.record.soma = r["soma"].get<bool>();
    s.record.soma_variables = r["variables"].get<std::vector<std::string>>();
    for (const auto& t : r["site"]) {
        RecordSite site;
        site.name = t["name"].get<std::string>();
        if (t.contains("landmarks")) site.landmarks = fs::path(t["landmarks"].get<std::string>());
        if (t.contains("soma_distance")) site.soma_distance = t["soma_distance"].get<double>();
        site.label = t["label"].get<std::string>();
        site.variables = t["variables"].get<std::vector<std::string>>();
        s.record.sites.push_back(std::move(site));
    }
    if (r.contains("dendrites")) {
        const Json& d = r["dendrites"];
        s.record.dendrites =
            DendriteRecording{d["variables"].get<std::vector<std::string>>(), d["dt"].get<double>()};
    }
    s.record.synapse_activation = r["synapse_activation"].get<bool>();
    s.record.presynaptic_spikes = r["presynaptic_spikes"].get<bool>();
    s.record.dt = r.contains("dt") ? r["dt"].get<double>() : s.simulation.dt;
    s.record.precision = r["precision"] == "float32" ? Precision::float32 : Precision::float64;

    const Json& seeds = doc["seeds"];
    if (seeds.contains("root")) s.seeds.root = seeds["root"].get<std::uint64_t>();
    s.seeds.mode = seeds["mode"] == "isf" ? SeedMode::isf : SeedMode::independent;
    return s;
}

void fill_record_dt(Json& canonical) {
    Json& record = canonical["record"];
    if (record.contains("dt")) return;
    std::map<std::string, Json> sorted;
    for (auto& [k, v] : record.items()) sorted[k] = v;
    sorted["dt"] = canonical["simulation"]["dt"];
    Json out = Json::object();
    for (auto& [k, v] : sorted) out[k] = std::move(v);
    record = std::move(out);
}

void check_spec(const Spec& s, const Recipe& recipe, const std::string& where, Diagnostics& out) {
    auto error = [&](const std::string& key, const std::string& message) {
        std::string probe = key;
        SourcePosition pos;
        while (true) {
            if (auto it = recipe.positions.find(probe); it != recipe.positions.end()) {
                pos = it->second;
                break;
            }
            if (probe.empty()) break;
            probe = parent_key_path(probe);
        }
        Diagnostic d{recipe.file.string(), pos.line, pos.column, key, message + where};
        for (const auto& existing : out) {
            if (existing.key == d.key && existing.message.starts_with(message)) return;  // once per problem
        }
        out.push_back(std::move(d));
    };
    const auto& sim = s.simulation;
    if (sim.tstop < sim.dt) {
        error("simulation.tstop", "tstop (" + Json(sim.tstop).dump() + " ms) is shorter than dt (" +
                                      Json(sim.dt).dump() + " ms)");
    }
    if (sim.solver == Solver::fixed && s.record.dt < sim.dt) {
        error("record.dt", "sampling interval " + Json(s.record.dt).dump() +
                               " ms is shorter than the fixed step dt " + Json(sim.dt).dump() + " ms");
    }
    if (sim.solver == Solver::fixed && s.record.dendrites && s.record.dendrites->dt < sim.dt) {
        error("record.dendrites.dt", "sampling interval " + Json(s.record.dendrites->dt).dump() +
                                         " ms is shorter than the fixed step dt " + Json(sim.dt).dump() +
                                         " ms");
    }
    const bool has_network = s.input.network.present() || s.input.builder.has_value();
    if (s.input.network.present() && s.input.builder) {
        error("input.builder", "give either input.network or input.builder, not both");
    }
    const auto& st = s.stimulus;
    switch (s.experiment.protocol) {
        case Protocol::current_step:
            if (st.steps.empty())
                error("experiment.protocol", "protocol current_step needs a [[stimulus.step]]");
            break;
        case Protocol::pulse:
            if (st.pulses.empty()) error("experiment.protocol", "protocol pulse needs a [[stimulus.pulse]]");
            break;
        case Protocol::bac:
            if (st.pulses.empty() && st.steps.empty()) {
                error("experiment.protocol",
                      "protocol bac needs a somatic [[stimulus.pulse]] or [[stimulus.step]]");
            }
            if (st.epsps.empty())
                error("experiment.protocol", "protocol bac needs a dendritic [[stimulus.epsp]]");
            break;
        case Protocol::evoked:
            if (!has_network)
                error("experiment.protocol", "protocol evoked needs input.network or input.builder");
            break;
        case Protocol::replay:
            if (!s.input.replay) error("experiment.protocol", "protocol replay needs input.replay");
            if (!has_network) {
                error("experiment.protocol", "protocol replay needs input.network (synapse parameters)");
            }
            break;
    }
    if (sim.solver == Solver::cvode && sim.fast) {
        error("simulation.fast",
              "[simulation.fast] sets the fixed step's secondorder and needs solver = \"fixed\"; "
              "with solver = \"cvode\" a looser simulation.atol is the faster setting");
    }
    const bool network_protocol =
        s.experiment.protocol == Protocol::evoked || s.experiment.protocol == Protocol::replay;
    if (has_network && !network_protocol) {
        if (s.record.synapse_activation)
            error("record.synapse_activation", "record.synapse_activation needs protocol evoked or replay");
        if (s.record.presynaptic_spikes)
            error("record.presynaptic_spikes", "record.presynaptic_spikes needs protocol evoked or replay");
    }
    if (s.experiment.protocol == Protocol::replay && !s.input.modify.empty()) {
        error("input.modify",
              "input.modify (network modify functions) does not apply to a replay: it replays "
              "the stored activations as they are, as ISF does");
    }
    if (s.input.replay && s.experiment.protocol != Protocol::replay) {
        error("input.replay", "input.replay is only used by protocol replay");
    }
    if (!has_network) {
        if (s.record.synapse_activation)
            error("record.synapse_activation", "there is no synaptic input to record");
        if (s.record.presynaptic_spikes)
            error("record.presynaptic_spikes", "there is no synaptic input to record");
        if (s.input.release_probability) error("input.release_probability", "there is no synaptic input");
    }
    for (std::size_t i = 0; i < st.pulses.size(); ++i) {
        const auto& p = st.pulses[i];
        if (p.count > 1 && p.interval < p.duration) {
            error("stimulus.pulse[" + std::to_string(i) + "].interval",
                  "pulses overlap: interval " + Json(p.interval).dump() + " ms is shorter than duration " +
                      Json(p.duration).dump() + " ms");
        }
    }
    for (std::size_t i = 0; i < st.epsps.size(); ++i) {
        if (st.epsps[i].tau0 >= st.epsps[i].tau1) {
            error("stimulus.epsp[" + std::to_string(i) + "].tau0",
                  "rise tau0 must be shorter than decay tau1");
        }
    }
    if (s.seeds.mode == SeedMode::isf && s.seeds.root && *s.seeds.root > 0xffffffffULL) {
        error("seeds.root", "isf mode needs a root seed below 2^32 (numpy's seed range)");
    }
}

}  // namespace silico::recipes::detail
