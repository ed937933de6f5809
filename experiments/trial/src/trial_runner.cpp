// The trial runner (trial_runner.hpp): recipe condition -> cell in NEURON -> protocol run -> named arrays.
#include "silico/trial/trial_runner.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "network_trial.hpp"
#include "silico/core/digest.hpp"
#include "silico/core/little_endian.hpp"
#include "silico/model/morphology.hpp"
#include "silico/model/run_lengths.hpp"
#include "silico/model/synapse_files.hpp"
#include "silico/neuron/simulator.hpp"
#include "silico/neuron/stimulus.hpp"
#include "silico/store/array.hpp"

namespace silico::experiments {

namespace {

using Json = nlohmann::ordered_json;
namespace rc = recipes;

// ----- JSON forms of the recipe's typed spec ---------------------------------------------------------------
// Paths stay absolute (as the loaded recipe has them) so a worker on the same file system reads the same
// files; the condition key already holds their content digests.

Json location_json(const rc::Location& l) {
    switch (l.kind) {
        case rc::Location::Kind::soma:
            return {{"kind", "soma"}};
        case rc::Location::Kind::soma_distance:
            return {{"kind", "soma_distance"}, {"soma_distance", l.soma_distance}, {"label", l.label}};
        case rc::Location::Kind::section:
            return {{"kind", "section"}, {"section", l.section}, {"x", l.x}};
    }
    return {};
}

rc::Location location_of(const Json& j) {
    rc::Location l;
    const std::string kind = j.at("kind").get<std::string>();
    if (kind == "soma_distance") {
        l.kind = rc::Location::Kind::soma_distance;
        l.soma_distance = j.at("soma_distance").get<double>();
        l.label = j.at("label").get<std::string>();
    } else if (kind == "section") {
        l.kind = rc::Location::Kind::section;
        l.section = j.at("section").get<std::int64_t>();
        l.x = j.at("x").get<double>();
    }
    return l;
}

Json source_json(const rc::ParameterSource& p) {
    if (!p.present()) return nullptr;
    return {{"kind", static_cast<int>(p.kind)},
            {"file", p.file.string()},
            {"tree", p.tree ? *p.tree : Json(nullptr)}};
}

rc::ParameterSource source_of(const Json& j) {
    rc::ParameterSource p;
    if (j.is_null()) return p;
    p.kind = static_cast<rc::ParameterSource::Kind>(j.at("kind").get<int>());
    p.file = j.at("file").get<std::string>();
    if (!j.at("tree").is_null()) p.tree = std::make_shared<const Json>(j.at("tree"));
    return p;
}

Json modify_json(const std::vector<rc::ModifyFunction>& list) {
    Json out = Json::array();
    for (const auto& m : list) out.push_back({{"function", m.name}, {"args", m.args}});
    return out;
}

std::vector<rc::ModifyFunction> modify_of(const Json& j) {
    std::vector<rc::ModifyFunction> out;
    for (const auto& m : j) out.push_back({m.at("function").get<std::string>(), m.at("args")});
    return out;
}

Json cell_json(const rc::CellSpec& c) {
    Json j;
    j["morphology"] = c.morphology ? Json(c.morphology->string()) : Json(nullptr);
    j["biophysics"] = source_json(c.biophysics);
    j["modify"] = c.modify ? modify_json(*c.modify) : Json(nullptr);
    j["lengths_of_run"] = c.lengths_of_run ? Json{{"activation", c.lengths_of_run->activation.string()},
                                                  {"syn", c.lengths_of_run->syn.string()}}
                                           : Json(nullptr);
    return j;
}

rc::CellSpec cell_of(const Json& j) {
    rc::CellSpec c;
    if (!j.at("morphology").is_null()) c.morphology = j.at("morphology").get<std::string>();
    c.biophysics = source_of(j.at("biophysics"));
    if (!j.at("modify").is_null()) c.modify = modify_of(j.at("modify"));
    // Optional: model frames from before this field have none.
    if (auto r = j.find("lengths_of_run"); r != j.end() && !r->is_null())
        c.lengths_of_run =
            rc::RunLengths{r->at("activation").get<std::string>(), r->at("syn").get<std::string>()};
    return c;
}

Json spec_json(const rc::Spec& s) {
    Json j;
    j["experiment"] = {{"name", s.experiment.name},
                       {"protocol", std::string(rc::to_string(s.experiment.protocol))},
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
    j["simulation"] = {{"tstop", m.tstop},
                       {"dt", m.dt},
                       {"solver", std::string(rc::to_string(m.solver))},
                       {"temperature", m.temperature},
                       {"v_init", m.v_init},
                       {"trials", m.trials},
                       {"atol", m.atol},
                       {"units", std::string(rc::to_string(m.units))}};
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
                   {"precision", std::string(rc::to_string(s.record.precision))}};
    j["seeds"] = {{"root", s.seeds.root ? Json(*s.seeds.root) : Json(nullptr)},
                  {"mode", std::string(rc::to_string(s.seeds.mode))}};
    return j;
}

template <class E>
E enum_of(const Json& j, std::initializer_list<E> values) {
    const auto text = j.get<std::string>();
    for (E v : values)
        if (rc::to_string(v) == text) return v;
    throw std::runtime_error("unknown value '" + text + "'");
}

}  // namespace

namespace detail {

std::string network_key(const rc::Spec& spec) {
    const Json in = spec_json(spec).at("input");
    return Json{{"protocol", std::string(rc::to_string(spec.experiment.protocol))},
                {"network", in.at("network")},
                {"builder", in.at("builder")},
                {"replay", in.at("replay")}}
        .dump();
}

}  // namespace detail

namespace {

rc::Spec spec_of(const Json& j) {
    rc::Spec s;
    const auto& e = j.at("experiment");
    s.experiment.name = e.at("name").get<std::string>();
    s.experiment.protocol =
        enum_of(e.at("protocol"), {rc::Protocol::current_step, rc::Protocol::pulse, rc::Protocol::bac,
                                   rc::Protocol::evoked, rc::Protocol::replay});
    s.experiment.description = e.at("description").get<std::string>();
    s.cell = cell_of(j.at("cell"));
    const auto& in = j.at("input");
    s.input.network = source_of(in.at("network"));
    if (!in.at("builder").is_null()) {
        const auto& b = in.at("builder");
        rc::NetworkBuilder nb;
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
    s.simulation.solver = enum_of(m.at("solver"), {rc::Solver::fixed, rc::Solver::cvode});
    s.simulation.temperature = m.at("temperature").get<double>();
    s.simulation.v_init = m.at("v_init").get<double>();
    s.simulation.trials = m.at("trials").get<std::int64_t>();
    s.simulation.atol = m.at("atol").get<double>();
    s.simulation.units = enum_of(m.at("units"), {rc::Units::modern, rc::Units::legacy});
    const auto& r = j.at("record");
    s.record.soma = r.at("soma").get<bool>();
    s.record.soma_variables = r.at("soma_variables").get<std::vector<std::string>>();
    for (const auto& x : r.at("sites")) {
        rc::RecordSite site;
        site.name = x.at("name").get<std::string>();
        if (!x.at("landmarks").is_null()) site.landmarks = x.at("landmarks").get<std::string>();
        if (!x.at("soma_distance").is_null()) site.soma_distance = x.at("soma_distance").get<double>();
        site.label = x.at("label").get<std::string>();
        site.variables = x.at("variables").get<std::vector<std::string>>();
        s.record.sites.push_back(std::move(site));
    }
    s.record.synapse_activation = r.at("synapse_activation").get<bool>();
    s.record.presynaptic_spikes = r.at("presynaptic_spikes").get<bool>();
    s.record.dt = r.at("dt").get<double>();
    s.record.precision = enum_of(r.at("precision"), {rc::Precision::float32, rc::Precision::float64});
    const auto& sd = j.at("seeds");
    if (!sd.at("root").is_null()) s.seeds.root = sd.at("root").get<std::uint64_t>();
    s.seeds.mode = enum_of(sd.at("mode"), {rc::SeedMode::independent, rc::SeedMode::isf});
    return s;
}

template <class T, class F>
Result<T> parse_json(std::string_view text, std::string_view what, F&& convert) {
    try {
        const Json j = Json::parse(text);
        if (j.at("format").get<int>() != k_trial_format_version)
            return fail(Errc::version,
                        "format " + std::to_string(j.at("format").get<int>()) + ", this build reads " +
                            std::to_string(k_trial_format_version),
                        std::string(what));
        return convert(j);
    } catch (const std::exception& e) {
        return fail(Errc::parse, e.what(), std::string(what));
    }
}

// ----- result container ------------------------------------------------------------------------------------
// header_length:u32le header:JSON array_bytes*  (header lists each array's name and size)

constexpr std::string_view k_outputs_magic = "SLTO";

double thread_cpu_seconds() {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Linear interpolation of (time, values) at t = 0, step, 2 step, ... up to the last sample.
std::vector<double> resample(const std::vector<double>& time, const std::vector<double>& values,
                             double step) {
    std::vector<double> out;
    if (time.empty()) return out;
    const double last = time.back();
    std::size_t j = 0;
    for (std::size_t k = 0;; ++k) {
        const double t = static_cast<double>(k) * step;
        if (t > last + 1e-6) break;  // a last CVODE step may land a rounding error short of tstop
        while (j + 1 < time.size() && time[j + 1] < t) ++j;
        if (j + 1 >= time.size() || time[j + 1] == time[j]) {
            out.push_back(values[std::min(j, values.size() - 1)]);
        } else {
            const double w = std::clamp((t - time[j]) / (time[j + 1] - time[j]), 0.0, 1.0);
            out.push_back(values[j] + w * (values[j + 1] - values[j]));
        }
    }
    return out;
}

constexpr std::string_view k_spike_probe = "silico.spike_v";

}  // namespace

// ----- serialisation ---------------------------------------------------------------------------------------

std::string encode_model(const ModelSpec& model) {
    Json j;
    j["format"] = k_trial_format_version;
    j["cell"] = cell_json(model.cell);
    return j.dump();
}

Result<ModelSpec> decode_model(std::string_view text) {
    return parse_json<ModelSpec>(text, "trial model",
                                 [](const Json& j) { return ModelSpec{cell_of(j.at("cell"))}; });
}

std::string encode_trial(const TrialInput& trial) {
    Json j;
    j["format"] = k_trial_format_version;
    j["trial"] = trial.trial;
    j["seed"] = trial.seed;
    j["spec"] = spec_json(trial.spec);
    return j.dump();
}

Result<TrialInput> decode_trial(std::string_view text) {
    return parse_json<TrialInput>(text, "trial request", [](const Json& j) {
        TrialInput t;
        t.trial = j.at("trial").get<std::uint64_t>();
        t.seed = j.at("seed").get<std::uint64_t>();
        t.spec = spec_of(j.at("spec"));
        return t;
    });
}

std::string encode_outputs(const TrialOutputs& outputs) {
    Json header;
    header["format"] = k_trial_format_version;
    header["neuron_version"] = outputs.neuron_version;
    header["neuron_seconds"] = outputs.neuron_seconds;
    header["cpu_seconds"] = outputs.cpu_seconds;
    header["steps"] = outputs.steps;
    header["spikes"] = outputs.spikes;
    Json arrays = Json::array();
    for (const auto& a : outputs.arrays) arrays.push_back({{"name", a.name}, {"size", a.bytes.size()}});
    header["arrays"] = arrays;
    const std::string text = header.dump();
    std::string out(k_outputs_magic);
    put_u32(out, static_cast<std::uint32_t>(text.size()));
    out += text;
    for (const auto& a : outputs.arrays) out += a.bytes;
    return out;
}

Result<TrialOutputs> decode_outputs(std::string_view bytes) {
    if (bytes.size() < 8 || bytes.substr(0, 4) != k_outputs_magic)
        return fail(Errc::corruption, "not a trial result (bad magic)", "trial result");
    const std::uint32_t length = get_u32(bytes.data() + 4);
    if (bytes.size() < 8 + static_cast<std::size_t>(length))
        return fail(Errc::corruption, "truncated header", "trial result");
    try {
        const Json h = Json::parse(bytes.substr(8, length));
        if (h.at("format").get<int>() != k_trial_format_version)
            return fail(Errc::version, "trial result format " + std::to_string(h.at("format").get<int>()),
                        "trial result");
        TrialOutputs out;
        out.neuron_version = h.at("neuron_version").get<std::string>();
        out.neuron_seconds = h.at("neuron_seconds").get<double>();
        out.cpu_seconds = h.at("cpu_seconds").get<double>();
        out.steps = h.at("steps").get<std::uint64_t>();
        out.spikes = h.at("spikes").get<std::vector<double>>();
        std::size_t pos = 8 + length;
        for (const auto& a : h.at("arrays")) {
            const auto size = a.at("size").get<std::size_t>();
            if (pos + size > bytes.size())
                return fail(Errc::corruption, "truncated array data", "trial result");
            out.arrays.push_back({a.at("name").get<std::string>(), std::string(bytes.substr(pos, size))});
            pos += size;
        }
        if (pos != bytes.size()) return fail(Errc::corruption, "trailing bytes", "trial result");
        return out;
    } catch (const std::exception& e) {
        return fail(Errc::corruption, e.what(), "trial result");
    }
}

// ----- TrialRunner -----------------------------------------------------------------------------------------

struct TrialRunner::Impl {
    ModelSpec spec;
    Simulator* simulator = nullptr;
    CellModel cell_model;
    std::optional<NeuronCell> cell;
    std::set<std::uint64_t> abort_trials;  // test-only knob (trial_runner.hpp)
    // The installed protocol and the layout it was installed for (everything but amplitudes).
    std::optional<Stimulus> protocol;
    std::string layout;
    std::vector<std::string> outputs;  // probe names stored (the spike probe may be extra)
    // evoked/replay: the network of the last network trial and what it was built from (network_key).
    std::unique_ptr<detail::NetworkInput> network;
    std::string network_key;

    ~Impl() {
        // Stimuli and synapses sit on the cell's sections: release them before the cell.
        protocol.reset();
        network.reset();
    }

    Result<Location> resolve(const rc::Location& at) const {
        switch (at.kind) {
            case rc::Location::Kind::soma:
                return Location{cell->hoc_name(cell_model.soma_id()), 0.5};
            case rc::Location::Kind::soma_distance: {
                auto site = cell_model.inner_section_at_distance(at.soma_distance, 1000.0, {at.label});
                if (!site)
                    return std::unexpected(site.error().within(
                        "location at " + std::to_string(at.soma_distance) + " um (" + at.label + ")"));
                return Location{cell->hoc_name(site->section_id), site->x};
            }
            case rc::Location::Kind::section: {
                if (at.section < 0 || static_cast<std::size_t>(at.section) >= cell_model.sections().size())
                    return fail(Errc::invalid_argument,
                                "section " + std::to_string(at.section) + " does not exist (the cell has " +
                                    std::to_string(cell_model.sections().size()) + ")");
                return Location{cell->hoc_name(static_cast<int>(at.section)), at.x};
            }
        }
        return fail(Errc::internal, "unknown location kind");
    }

    // The protocol objects for this condition, amplitudes left at zero (set per trial).
    Result<StimulusSpec> protocol_spec(const rc::Spec& s) {
        StimulusSpec p;
        p.integration.solver = s.simulation.solver == rc::Solver::cvode ? Solver::cvode : Solver::fixed_step;
        p.integration.dt = s.simulation.dt;
        p.integration.tstop = s.simulation.tstop;
        p.integration.v_init = s.simulation.v_init;
        p.integration.celsius = s.simulation.temperature;
        for (const auto& step : s.stimulus.steps) {
            auto at = resolve(step.at);
            if (!at) return std::unexpected(at.error().within("stimulus.step"));
            p.clamps.push_back({*at, step.delay, step.duration, 0.0});
        }
        for (const auto& pulse : s.stimulus.pulses) {
            auto at = resolve(pulse.at);
            if (!at) return std::unexpected(at.error().within("stimulus.pulse"));
            for (std::int64_t k = 0; k < pulse.count; ++k)
                p.clamps.push_back(
                    {*at, pulse.delay + static_cast<double>(k) * pulse.interval, pulse.duration, 0.0});
        }
        for (const auto& e : s.stimulus.epsps) {
            auto at = resolve(e.at);
            if (!at) return std::unexpected(at.error().within("stimulus.epsp"));
            p.epsps.push_back({*at, e.onset, 0.0, e.tau0, e.tau1});
        }
        const auto soma = Location{cell->hoc_name(cell_model.soma_id()), 0.5};
        bool soma_v = false;
        if (s.record.soma) {
            for (const auto& var : s.record.soma_variables) {
                p.probes.push_back({"soma." + var, soma, var});
                soma_v = soma_v || var == "v";
            }
        }
        for (const auto& site : s.record.sites) {
            std::vector<std::pair<std::string, Location>> places;
            if (site.landmarks) {
                auto points = read_landmarks(*site.landmarks);
                if (!points) return std::unexpected(points.error().within("record.site " + site.name));
                for (std::size_t i = 0; i < points->size(); ++i) {
                    const auto rs = cell_model.recording_site((*points)[i]);
                    places.emplace_back(site.name + "[" + std::to_string(i) + "]",
                                        Location{cell->hoc_name(rs.location.section_id), rs.location.x});
                }
            } else {
                rc::Location l;
                if (site.soma_distance) {
                    l.kind = rc::Location::Kind::soma_distance;
                    l.soma_distance = *site.soma_distance;
                    l.label = site.label;
                }
                auto at = resolve(l);
                if (!at) return std::unexpected(at.error().within("record.site " + site.name));
                places.emplace_back(site.name, *at);
            }
            for (const auto& [name, at] : places)
                for (const auto& var : site.variables) p.probes.push_back({name + "." + var, at, var});
        }
        outputs.clear();
        for (const auto& probe : p.probes) outputs.push_back(probe.name);
        if (!soma_v) p.probes.push_back({std::string(k_spike_probe), soma, "v"});
        return p;
    }

    Result<TrialOutputs> run(const TrialInput& trial, const CheckpointOptions* checkpoint,
                             CheckpointReport* report) {
        const auto& s = trial.spec;
        if (abort_trials.contains(trial.trial)) {
            std::cerr << "silico: " << k_test_abort_function << ": aborting trial " << trial.trial
                      << " on purpose (test-only recipe knob)" << std::endl;
            std::abort();
        }
        const bool network_protocol =
            s.experiment.protocol == rc::Protocol::evoked || s.experiment.protocol == rc::Protocol::replay;
        if (network_protocol) {
            if (s.experiment.protocol == rc::Protocol::replay && !s.input.modify.empty())
                return fail(Errc::invalid_argument,
                            "input.modify (network modify functions) does not apply to a replay: it replays "
                            "the stored activations as they are (as ISF does); first: " +
                                s.input.modify.front().name);
        }
        if (s.simulation.solver == rc::Solver::cvode && s.simulation.atol != 1e-3)
            return fail(Errc::invalid_argument, "simulation.atol other than 1e-3 is not supported yet");
        if (!network_protocol && (s.record.synapse_activation || s.record.presynaptic_spikes))
            return fail(Errc::invalid_argument,
                        "record.synapse_activation / presynaptic_spikes need a network protocol");
        // Physical constants are process-wide NEURON state: set them for every trial (a worker may run
        // trials of recipes with different units one after another).
        if (auto st = simulator->hoc(s.simulation.units == rc::Units::legacy ? "{nrnunit_use_legacy(1)}"
                                                                             : "{nrnunit_use_legacy(0)}");
            !st)
            return std::unexpected(st.error().within("simulation.units"));

        const double cpu_start = thread_cpu_seconds();
        // Install the protocol objects only when the layout changes; amplitudes are per trial.
        rc::Spec shape = s;
        for (auto& x : shape.stimulus.steps) x.amplitude = 0;
        for (auto& x : shape.stimulus.pulses) x.amplitude = 0;
        for (auto& x : shape.stimulus.epsps) x.imax = 0;
        shape.experiment = {};
        shape.cell = {};
        shape.simulation.trials = 0;
        shape.seeds = {};
        std::string new_layout = spec_json(shape).dump();
        if (!protocol || new_layout != layout) {
            protocol.reset();
            layout.clear();
            auto pspec = protocol_spec(s);
            if (!pspec) return std::unexpected(pspec.error());
            auto installed = Stimulus::install(*simulator, std::move(*pspec));
            if (!installed) return std::unexpected(installed.error());
            protocol.emplace(std::move(*installed));
            layout = std::move(new_layout);
        }
        std::size_t clamp = 0;
        for (const auto& x : s.stimulus.steps)
            if (auto st = protocol->set_clamp_amplitude(clamp++, x.amplitude); !st)
                return std::unexpected(st.error());
        for (const auto& x : s.stimulus.pulses)
            for (std::int64_t k = 0; k < x.count; ++k)
                if (auto st = protocol->set_clamp_amplitude(clamp++, x.amplitude); !st)
                    return std::unexpected(st.error());
        for (std::size_t i = 0; i < s.stimulus.epsps.size(); ++i)
            if (auto st = protocol->set_epsp_imax(i, s.stimulus.epsps[i].imax); !st)
                return std::unexpected(st.error());

        if (network_protocol) {
            const std::string key = detail::network_key(s);
            // A checkpoint can only be restored into NEURON objects of the structure it was saved from
            // (NEURON aborts otherwise). A network that served earlier trials has pools shaped by them, so a
            // checkpointed trial gets a fresh one: its structure is then a function of the trial alone,
            // whichever worker saves or resumes it.
            if (!network || key != network_key || checkpoint) {
                // The same network rebuilt for a checkpoint continues the previous one's isf stream.
                auto stream = network && key == network_key ? network->take_isf_stream()
                                                            : detail::NetworkInput::IsfStream{};
                network.reset();
                network_key.clear();
                auto built = detail::NetworkInput::build(*simulator, *cell, s);
                if (!built) return std::unexpected(built.error());
                network = std::move(*built);
                network->continue_isf_stream(std::move(stream));
                network_key = key;
            }
            if (auto st = network->load(s, trial.trial, trial.seed); !st) return std::unexpected(st.error());
        } else if (network) {
            network.reset();  // its synapses would otherwise act on this trial
            network_key.clear();
        }

        std::optional<CheckpointOptions> with_identity;
        if (checkpoint) {
            with_identity = *checkpoint;
            with_identity->identity +=
                " model " + sha256(encode_model(spec)).hex() + " trial " + sha256(encode_trial(trial)).hex();
            if (network_protocol) with_identity->identity += " network " + network->structure();
        }
        auto result = protocol->run(with_identity ? &*with_identity : nullptr);
        if (!result) return std::unexpected(result.error());
        if (report) *report = result->checkpoint;

        TrialOutputs out;
        out.neuron_version = Simulator::version();
        out.neuron_seconds = result->neuron_seconds;
        out.steps = result->steps;
        const Trace* spike_trace = result->find("soma.v");
        if (!spike_trace) spike_trace = result->find(k_spike_probe);
        if (spike_trace) out.spikes = detect_spikes(result->time, spike_trace->values);

        const bool raw = s.simulation.solver == rc::Solver::fixed && s.record.dt == s.simulation.dt;
        const bool f32 = s.record.precision == rc::Precision::float32;
        auto finish = [&](std::vector<double> values) {
            if (!raw) values = resample(result->time, values, s.record.dt);
            if (f32)
                for (auto& v : values) v = static_cast<double>(static_cast<float>(v));
            return values;
        };
        std::vector<double> time = raw ? result->time : resample(result->time, result->time, s.record.dt);
        if (!raw)  // exact grid times, not interpolated rounding noise
            for (std::size_t k = 0; k < time.size(); ++k) time[k] = static_cast<double>(k) * s.record.dt;
        auto encoded_time = store::encode_f64_table({time});
        if (!encoded_time) return std::unexpected(encoded_time.error());
        out.arrays.push_back({"time", std::move(*encoded_time)});
        for (const auto& name : outputs) {
            const Trace* trace = result->find(name);
            if (!trace) return fail(Errc::internal, "recording " + name + " missing after the run");
            auto bytes = store::encode_f64_table({finish(trace->values)});
            if (!bytes) return std::unexpected(bytes.error());
            out.arrays.push_back({name, std::move(*bytes)});
        }
        auto spikes = store::encode_spike_lists({out.spikes});
        if (!spikes) return std::unexpected(spikes.error());
        out.arrays.push_back({"spikes", std::move(*spikes)});
        if (network_protocol)
            if (auto st = network->append_outputs(s, out.arrays); !st) return std::unexpected(st.error());
        out.cpu_seconds = thread_cpu_seconds() - cpu_start;
        return out;
    }
};

TrialRunner::TrialRunner(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TrialRunner::TrialRunner(TrialRunner&&) noexcept = default;
TrialRunner& TrialRunner::operator=(TrialRunner&&) noexcept = default;
TrialRunner::~TrialRunner() = default;  // Impl releases stimuli and synapses before the cell

const ModelSpec& TrialRunner::spec() const {
    return m_impl->spec;
}

Result<TrialRunner> TrialRunner::build(const ModelSpec& spec) {
    auto impl = std::make_unique<Impl>();
    impl->spec = spec;
    CellParameters parameters;
    const auto& c = spec.cell;
    if (c.biophysics.present()) {
        if (!c.biophysics.tree) return fail(Errc::invalid_argument, "cell.biophysics has no parameter tree");
        const std::string source = c.biophysics.file.empty() ? "cell.biophysics" : c.biophysics.file.string();
        auto p = parse_cell_parameters(*c.biophysics.tree, source);
        if (!p) return std::unexpected(p.error());
        parameters = std::move(*p);
        if (parameters.morphology.is_relative() && !c.biophysics.file.empty())
            parameters.morphology = c.biophysics.file.parent_path() / parameters.morphology;
    }
    if (c.morphology) parameters.morphology = *c.morphology;
    if (parameters.morphology.empty())
        return fail(Errc::invalid_argument,
                    "the cell has no morphology (cell.morphology or neuron.filename)");
    if (c.modify) {
        parameters.modify_functions.clear();
        for (const auto& m : *c.modify) {
            if (m.name == k_test_abort_function) {
                try {
                    for (const auto& t : m.args.at("trials"))
                        impl->abort_trials.insert(t.get<std::uint64_t>());
                } catch (const std::exception& e) {
                    return fail(Errc::invalid_argument,
                                std::string("args.trials must be a list of trial indices: ") + e.what(),
                                std::string(k_test_abort_function));
                }
                continue;
            }
            parameters.modify_functions.push_back({m.name, m.args});
        }
    }
    auto morphology = read_morphology(parameters.morphology);
    if (!morphology)
        return std::unexpected(
            morphology.error().within(parameters.source + ": neuron.filename").within("cell"));
    BuildOptions options;
    if (c.lengths_of_run) {
        auto lengths = read_run_section_lengths(c.lengths_of_run->activation, c.lengths_of_run->syn,
                                                morphology->sections.size());
        if (!lengths) return std::unexpected(lengths.error().within("cell.lengths_of_run"));
        options.section_lengths = std::move(*lengths);
    }
    auto model = build_cell_model(*morphology, parameters, options);
    if (!model) return std::unexpected(model.error().within("cell"));
    impl->cell_model = std::move(*model);
    auto simulator = Simulator::instance();
    if (!simulator) return std::unexpected(simulator.error());
    impl->simulator = *simulator;
    auto cell = NeuronCell::instantiate(**simulator, impl->cell_model);
    if (!cell) return std::unexpected(cell.error().within("cell"));
    impl->cell.emplace(std::move(*cell));
    return TrialRunner(std::move(impl));
}

Result<TrialOutputs> TrialRunner::run(const TrialInput& trial, const CheckpointOptions* checkpoint,
                                      CheckpointReport* report) {
    auto out = m_impl->run(trial, checkpoint, report);
    if (!out)
        return std::unexpected(out.error().within(std::string(rc::to_string(trial.spec.experiment.protocol)) +
                                                  " trial " + std::to_string(trial.trial)));
    return out;
}

}  // namespace silico::experiments
