// The request forms of trial_request.hpp: JSON text of the typed spec, read back field by field.
#include "silico/recipes/trial_request.hpp"

#include <stdexcept>

namespace silico::recipes {

namespace {

template <class E>
E enum_of(const Json& j, std::initializer_list<E> values) {
    const auto text = j.get<std::string>();
    for (E v : values)
        if (to_string(v) == text) return v;
    throw std::runtime_error("unknown value '" + text + "'");
}

Json location_json(const Location& l) {
    switch (l.kind) {
        case Location::Kind::soma:
            return {{"kind", "soma"}};
        case Location::Kind::soma_distance:
            return {{"kind", "soma_distance"}, {"soma_distance", l.soma_distance}, {"label", l.label}};
        case Location::Kind::section:
            return {{"kind", "section"}, {"section", l.section}, {"x", l.x}};
    }
    return {};
}

Location location_of(const Json& j) {
    Location l;
    const std::string kind = j.at("kind").get<std::string>();
    if (kind == "soma_distance") {
        l.kind = Location::Kind::soma_distance;
        l.soma_distance = j.at("soma_distance").get<double>();
        l.label = j.at("label").get<std::string>();
    } else if (kind == "section") {
        l.kind = Location::Kind::section;
        l.section = j.at("section").get<std::int64_t>();
        l.x = j.at("x").get<double>();
    }
    return l;
}

Json source_json(const ParameterSource& p) {
    if (!p.present()) return nullptr;
    return {{"kind", static_cast<int>(p.kind)},
            {"file", p.file.string()},
            {"tree", p.tree ? *p.tree : Json(nullptr)}};
}

ParameterSource source_of(const Json& j) {
    ParameterSource p;
    if (j.is_null()) return p;
    p.kind = static_cast<ParameterSource::Kind>(j.at("kind").get<int>());
    p.file = j.at("file").get<std::string>();
    if (!j.at("tree").is_null()) p.tree = std::make_shared<const Json>(j.at("tree"));
    return p;
}

Json modify_json(const std::vector<ModifyFunction>& list) {
    Json out = Json::array();
    for (const auto& m : list) out.push_back({{"function", m.name}, {"args", m.args}});
    return out;
}

std::vector<ModifyFunction> modify_of(const Json& j) {
    std::vector<ModifyFunction> out;
    for (const auto& m : j) out.push_back({m.at("function").get<std::string>(), m.at("args")});
    return out;
}

Json cell_json(const CellSpec& c) {
    Json j;
    j["morphology"] = c.morphology ? Json(c.morphology->string()) : Json(nullptr);
    j["biophysics"] = source_json(c.biophysics);
    j["modify"] = c.modify ? modify_json(*c.modify) : Json(nullptr);
    j["lengths_of_run"] = c.lengths_of_run ? Json{{"activation", c.lengths_of_run->activation.string()},
                                                  {"syn", c.lengths_of_run->syn.string()}}
                                           : Json(nullptr);
    return j;
}

CellSpec cell_of(const Json& j) {
    CellSpec c;
    if (!j.at("morphology").is_null()) c.morphology = j.at("morphology").get<std::string>();
    c.biophysics = source_of(j.at("biophysics"));
    if (!j.at("modify").is_null()) c.modify = modify_of(j.at("modify"));
    // Optional: model frames from before this field have none.
    if (auto r = j.find("lengths_of_run"); r != j.end() && !r->is_null())
        c.lengths_of_run =
            RunLengths{r->at("activation").get<std::string>(), r->at("syn").get<std::string>()};
    return c;
}

Json spec_json(const Spec& s) {
    Json j;
    j["experiment"] = {{"name", s.experiment.name},
                       {"protocol", std::string(to_string(s.experiment.protocol))},
                       {"description", s.experiment.description}};
    j["cell"] = cell_json(s.cell);
    Json in;
    in["network"] = source_json(s.input.network);
    if (s.input.builder) {
        const auto& b = *s.input.builder;
        Json evoked = Json::array();
        for (const auto& e : b.evoked) evoked.push_back(e.string());
        in["builder"] = {{"ongoing_template", b.ongoing_template.string()},
                         {"evoked", evoked},
                         {"cell_numbers", b.cell_numbers.string()},
                         {"syn", b.syn.string()},
                         {"con", b.con.string()},
                         {"whisker", b.whisker},
                         {"deflection_offset", b.deflection_offset}};
    } else {
        in["builder"] = nullptr;
    }
    in["replay"] = s.input.replay ? Json(s.input.replay->string()) : Json(nullptr);
    in["release_probability"] =
        s.input.release_probability ? Json(*s.input.release_probability) : Json(nullptr);
    in["modify"] = modify_json(s.input.modify);
    j["input"] = in;
    Json steps = Json::array(), pulses = Json::array(), epsps = Json::array();
    for (const auto& x : s.stimulus.steps)
        steps.push_back({{"amplitude", x.amplitude},
                         {"delay", x.delay},
                         {"duration", x.duration},
                         {"at", location_json(x.at)}});
    for (const auto& x : s.stimulus.pulses)
        pulses.push_back({{"amplitude", x.amplitude},
                          {"delay", x.delay},
                          {"duration", x.duration},
                          {"count", x.count},
                          {"interval", x.interval},
                          {"at", location_json(x.at)}});
    for (const auto& x : s.stimulus.epsps)
        epsps.push_back({{"imax", x.imax},
                         {"onset", x.onset},
                         {"tau0", x.tau0},
                         {"tau1", x.tau1},
                         {"at", location_json(x.at)}});
    j["stimulus"] = {{"steps", steps}, {"pulses", pulses}, {"epsps", epsps}};
    const auto& m = s.simulation;
    j["simulation"] = {
        {"tstop", m.tstop},
        {"dt", m.dt},
        {"solver", std::string(to_string(m.solver))},
        {"temperature", m.temperature},
        {"v_init", m.v_init},
        {"trials", m.trials},
        {"atol", m.atol},
        {"units", std::string(to_string(m.units))},
        {"fast", m.fast ? Json{{"secondorder", m.fast->secondorder}, {"rate_tables", m.fast->rate_tables}}
                        : Json(nullptr)}};
    Json sites = Json::array();
    for (const auto& site : s.record.sites)
        sites.push_back({{"name", site.name},
                         {"landmarks", site.landmarks ? Json(site.landmarks->string()) : Json(nullptr)},
                         {"soma_distance", site.soma_distance ? Json(*site.soma_distance) : Json(nullptr)},
                         {"label", site.label},
                         {"variables", site.variables}});
    j["record"] = {{"soma", s.record.soma},
                   {"soma_variables", s.record.soma_variables},
                   {"sites", sites},
                   {"synapse_activation", s.record.synapse_activation},
                   {"presynaptic_spikes", s.record.presynaptic_spikes},
                   {"dt", s.record.dt},
                   {"precision", std::string(to_string(s.record.precision))}};
    if (s.record.dendrites)  // only when given, so the request form of older recipes stays as it was
        j["record"]["dendrites"] = {{"variables", s.record.dendrites->variables},
                                    {"dt", s.record.dendrites->dt}};
    j["seeds"] = {{"root", s.seeds.root ? Json(*s.seeds.root) : Json(nullptr)},
                  {"mode", std::string(to_string(s.seeds.mode))}};
    return j;
}

Spec spec_of(const Json& j) {
    Spec s;
    const auto& e = j.at("experiment");
    s.experiment.name = e.at("name").get<std::string>();
    s.experiment.protocol = enum_of(e.at("protocol"), {Protocol::current_step, Protocol::pulse, Protocol::bac,
                                                       Protocol::evoked, Protocol::replay});
    s.experiment.description = e.at("description").get<std::string>();
    s.cell = cell_of(j.at("cell"));
    const auto& in = j.at("input");
    s.input.network = source_of(in.at("network"));
    if (!in.at("builder").is_null()) {
        const auto& b = in.at("builder");
        NetworkBuilder nb;
        nb.ongoing_template = b.at("ongoing_template").get<std::string>();
        for (const auto& x : b.at("evoked")) nb.evoked.emplace_back(x.get<std::string>());
        nb.cell_numbers = b.at("cell_numbers").get<std::string>();
        nb.syn = b.at("syn").get<std::string>();
        nb.con = b.at("con").get<std::string>();
        nb.whisker = b.at("whisker").get<std::string>();
        nb.deflection_offset = b.at("deflection_offset").get<double>();
        s.input.builder = nb;
    }
    if (!in.at("replay").is_null()) s.input.replay = in.at("replay").get<std::string>();
    if (!in.at("release_probability").is_null())
        s.input.release_probability = in.at("release_probability").get<double>();
    s.input.modify = modify_of(in.at("modify"));
    const auto& st = j.at("stimulus");
    for (const auto& x : st.at("steps"))
        s.stimulus.steps.push_back({x.at("amplitude").get<double>(), x.at("delay").get<double>(),
                                    x.at("duration").get<double>(), location_of(x.at("at"))});
    for (const auto& x : st.at("pulses"))
        s.stimulus.pulses.push_back({x.at("amplitude").get<double>(), x.at("delay").get<double>(),
                                     x.at("duration").get<double>(), x.at("count").get<std::int64_t>(),
                                     x.at("interval").get<double>(), location_of(x.at("at"))});
    for (const auto& x : st.at("epsps"))
        s.stimulus.epsps.push_back({x.at("imax").get<double>(), x.at("onset").get<double>(),
                                    x.at("tau0").get<double>(), x.at("tau1").get<double>(),
                                    location_of(x.at("at"))});
    const auto& m = j.at("simulation");
    s.simulation.tstop = m.at("tstop").get<double>();
    s.simulation.dt = m.at("dt").get<double>();
    s.simulation.solver = enum_of(m.at("solver"), {Solver::fixed, Solver::cvode});
    s.simulation.temperature = m.at("temperature").get<double>();
    s.simulation.v_init = m.at("v_init").get<double>();
    s.simulation.trials = m.at("trials").get<std::int64_t>();
    s.simulation.atol = m.at("atol").get<double>();
    s.simulation.units = enum_of(m.at("units"), {Units::modern, Units::legacy});
    if (auto f = m.find("fast"); f != m.end() && !f->is_null())
        s.simulation.fast =
            FastSpec{f->at("secondorder").get<std::int64_t>(), f->at("rate_tables").get<bool>()};
    const auto& r = j.at("record");
    s.record.soma = r.at("soma").get<bool>();
    s.record.soma_variables = r.at("soma_variables").get<std::vector<std::string>>();
    for (const auto& x : r.at("sites")) {
        RecordSite site;
        site.name = x.at("name").get<std::string>();
        if (!x.at("landmarks").is_null()) site.landmarks = x.at("landmarks").get<std::string>();
        if (!x.at("soma_distance").is_null()) site.soma_distance = x.at("soma_distance").get<double>();
        site.label = x.at("label").get<std::string>();
        site.variables = x.at("variables").get<std::vector<std::string>>();
        s.record.sites.push_back(std::move(site));
    }
    if (r.contains("dendrites")) {
        const auto& d = r.at("dendrites");
        s.record.dendrites =
            DendriteRecording{d.at("variables").get<std::vector<std::string>>(), d.at("dt").get<double>()};
    }
    s.record.synapse_activation = r.at("synapse_activation").get<bool>();
    s.record.presynaptic_spikes = r.at("presynaptic_spikes").get<bool>();
    s.record.dt = r.at("dt").get<double>();
    s.record.precision = enum_of(r.at("precision"), {Precision::float32, Precision::float64});
    const auto& sd = j.at("seeds");
    if (!sd.at("root").is_null()) s.seeds.root = sd.at("root").get<std::uint64_t>();
    s.seeds.mode = enum_of(sd.at("mode"), {SeedMode::independent, SeedMode::isf});
    return s;
}

template <class T, class F>
Result<T> parse_request(std::string_view text, std::string_view what, F&& convert) {
    try {
        const Json j = Json::parse(text);
        const int format = j.at("format").get<int>();
        if (format != k_request_format_version)
            return fail(Errc::version,
                        "format " + std::to_string(format) + ", this build reads " +
                            std::to_string(k_request_format_version),
                        std::string(what));
        return convert(j);
    } catch (const std::exception& e) {
        return fail(Errc::parse, e.what(), std::string(what));
    }
}

}  // namespace

Json spec_to_json(const Spec& spec) {
    return spec_json(spec);
}

Result<Spec> spec_from_json(const Json& json) {
    try {
        return spec_of(json);
    } catch (const std::exception& e) {
        return fail(Errc::parse, e.what(), "spec");
    }
}

std::string encode_cell_request(const CellRequest& request) {
    Json j;
    j["format"] = k_request_format_version;
    j["cell"] = cell_json(request.cell);
    return j.dump();
}

Result<CellRequest> decode_cell_request(std::string_view text) {
    return parse_request<CellRequest>(text, "cell request",
                                      [](const Json& j) { return CellRequest{cell_of(j.at("cell"))}; });
}

std::string encode_trial_request(const TrialRequest& request) {
    Json j;
    j["format"] = k_request_format_version;
    j["trial"] = request.trial;
    j["seed"] = request.seed;
    j["spec"] = spec_json(request.spec);
    return j.dump();
}

Result<TrialRequest> decode_trial_request(std::string_view text) {
    return parse_request<TrialRequest>(text, "trial request", [](const Json& j) {
        TrialRequest t;
        t.trial = j.at("trial").get<std::uint64_t>();
        t.seed = j.at("seed").get<std::uint64_t>();
        t.spec = spec_of(j.at("spec"));
        return t;
    });
}

}  // namespace silico::recipes
