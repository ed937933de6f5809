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
#include "silico/recipes/trial_request.hpp"
#include "silico/store/array.hpp"

namespace silico::experiments {

namespace {

using Json = nlohmann::ordered_json;
namespace rc = recipes;

}  // namespace

namespace detail {

std::string network_key(const rc::Spec& spec) {
    const Json in = rc::spec_to_json(spec).at("input");
    return Json{{"protocol", std::string(rc::to_string(spec.experiment.protocol))},
                {"network", in.at("network")},
                {"builder", in.at("builder")},
                {"replay", in.at("replay")}}
        .dump();
}

}  // namespace detail

namespace {

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

// ----- TrialRunner -----------------------------------------------------------------------------------------

struct TrialRunner::Impl {
    recipes::CellRequest spec;
    Simulator* simulator = nullptr;
    CellModel cell_model;
    std::optional<NeuronCell> cell;
    std::set<std::uint64_t> abort_trials;  // test-only knob (trial_runner.hpp)
    // The installed protocol and the layout it was installed for (everything but amplitudes).
    std::optional<Stimulus> protocol;
    std::string layout;
    std::vector<std::string> outputs;  // probe names stored (the spike probe may be extra)
    // [record.dendrites]: every segment (section order, then x), and per variable the index of each
    // segment's recording in StimulusSpec::segment_probes, or -1 where the segment lacks the variable.
    std::vector<std::pair<int, double>> segments;
    std::vector<std::vector<std::ptrdiff_t>> segment_recording;
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
        p.integration.secondorder = s.simulation.fast ? static_cast<int>(s.simulation.fast->secondorder) : 0;
        p.integration.rate_tables = s.simulation.fast && s.simulation.fast->rate_tables;
        p.integration.atol = s.simulation.atol;
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
        if (auto st = plan_segments(s, p); !st) return std::unexpected(st.error());
        outputs.clear();
        for (const auto& probe : p.probes) outputs.push_back(probe.name);
        if (!soma_v) p.probes.push_back({std::string(k_spike_probe), soma, "v"});
        return p;
    }

    // Every segment centre of the cell, each variable recorded where the section has it. A variable no
    // section has is an error (a misspelt name); one some sections lack reads NaN there.
    Status plan_segments(const rc::Spec& s, StimulusSpec& p) {
        segments.clear();
        segment_recording.clear();
        if (!s.record.dendrites) return {};
        for (const auto& section : cell_model.sections())
            for (int i = 0; i < section.nseg; ++i) segments.emplace_back(section.id, section.segment_x(i));
        for (const auto& var : s.record.dendrites->variables) {
            std::vector<std::ptrdiff_t> recording_of(segments.size(), -1);
            std::map<int, bool> has;  // per section
            bool anywhere = false;
            for (std::size_t k = 0; k < segments.size(); ++k) {
                const auto [id, x] = segments[k];
                auto it = has.find(id);
                if (it == has.end()) {
                    auto h = section_has_variable(*simulator, cell->hoc_name(id), var);
                    if (!h) return std::unexpected(h.error().within("record.dendrites.variables"));
                    it = has.emplace(id, *h).first;
                }
                if (!it->second) continue;
                anywhere = true;
                recording_of[k] = static_cast<std::ptrdiff_t>(p.segment_probes.size());
                p.segment_probes.push_back({"", Location{cell->hoc_name(id), x}, var});
            }
            if (!anywhere)
                return fail(Errc::invalid_argument,
                            "no segment of the cell has '" + var +
                                "' (not v, an ion variable of an ion in use, or Mechanism.variable of an "
                                "inserted mechanism)",
                            "record.dendrites.variables");
            segment_recording.push_back(std::move(recording_of));
        }
        return {};
    }

    // One trial: stimuli set, synaptic input loaded, NEURON run, outputs encoded. Every step may fail
    // with an error that names what failed; the caller adds which trial it was.
    Result<store::TrialOutputs> run(const recipes::TrialRequest& trial, const CheckpointOptions* checkpoint,
                                    CheckpointReport* report) {
        const auto& s = trial.spec;
        if (abort_trials.contains(trial.trial)) {
            std::cerr << "silico: " << k_test_abort_function << ": aborting trial " << trial.trial
                      << " on purpose (test-only recipe knob)" << std::endl;
            std::abort();
        }
        // Physical constants are process-wide NEURON state: set them for every trial (a worker may run
        // trials of recipes with different units one after another).
        if (auto st = simulator->hoc(s.simulation.units == rc::Units::legacy ? "{nrnunit_use_legacy(1)}"
                                                                             : "{nrnunit_use_legacy(0)}");
            !st)
            return std::unexpected(st.error().within("simulation.units"));

        const double cpu_start = thread_cpu_seconds();
        if (auto st = set_stimuli(s); !st) return std::unexpected(st.error());
        if (auto st = load_synaptic_input(trial, checkpoint != nullptr); !st)
            return std::unexpected(st.error());

        std::optional<CheckpointOptions> with_identity;
        if (checkpoint) with_identity = checkpoint_of(trial, *checkpoint);
        auto result = protocol->run(with_identity ? &*with_identity : nullptr);
        if (!result) return std::unexpected(result.error());
        if (report) *report = result->checkpoint;

        auto out = encode_outputs(s, *result);
        if (out) out->cpu_seconds = thread_cpu_seconds() - cpu_start;
        return out;
    }

    static bool is_network_protocol(const rc::Spec& s) {
        return s.experiment.protocol == rc::Protocol::evoked || s.experiment.protocol == rc::Protocol::replay;
    }

    // Installs the stimulus objects only when their layout changes (amplitudes are set per trial on the
    // installed objects, so a sweep over amplitudes builds them once).
    Status set_stimuli(const rc::Spec& s) {
        rc::Spec shape = s;
        for (auto& x : shape.stimulus.steps) x.amplitude = 0;
        for (auto& x : shape.stimulus.pulses) x.amplitude = 0;
        for (auto& x : shape.stimulus.epsps) x.imax = 0;
        shape.experiment = {};
        shape.cell = {};
        shape.simulation.trials = 0;
        shape.seeds = {};
        std::string new_layout = rc::spec_to_json(shape).dump();
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
            if (auto st = protocol->set_clamp_amplitude(clamp++, x.amplitude); !st) return st;
        for (const auto& x : s.stimulus.pulses)
            for (std::int64_t k = 0; k < x.count; ++k)
                if (auto st = protocol->set_clamp_amplitude(clamp++, x.amplitude); !st) return st;
        for (std::size_t i = 0; i < s.stimulus.epsps.size(); ++i)
            if (auto st = protocol->set_epsp_imax(i, s.stimulus.epsps[i].imax); !st) return st;
        return {};
    }

    // Builds the trial's network when it differs from the one kept (or for a checkpointed trial) and loads
    // the trial's activity into it; a trial without synaptic input drops the kept network.
    Status load_synaptic_input(const recipes::TrialRequest& trial, bool checkpointed) {
        const auto& s = trial.spec;
        if (!is_network_protocol(s)) {
            network.reset();  // its synapses would otherwise act on this trial
            network_key.clear();
            return {};
        }
        const std::string key = detail::network_key(s);
        // A checkpoint can only be restored into NEURON objects of the structure it was saved from
        // (NEURON aborts otherwise). A network that served earlier trials has pools shaped by them, so a
        // checkpointed trial gets a fresh one: its structure is then a function of the trial alone,
        // whichever worker saves or resumes it.
        if (!network || key != network_key || checkpointed) {
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
        return network->load(s, trial.trial, trial.seed);
    }

    // A checkpoint belongs to this cell, this trial and (for network trials) this network's structure.
    CheckpointOptions checkpoint_of(const recipes::TrialRequest& trial,
                                    const CheckpointOptions& given) const {
        CheckpointOptions options = given;
        options.identity += " model " + sha256(recipes::encode_cell_request(spec)).hex() + " trial " +
                            sha256(recipes::encode_trial_request(trial)).hex();
        if (is_network_protocol(trial.spec)) options.identity += " network " + network->structure();
        return options;
    }

    // "dendrites.*" of trial_runner.hpp: the segments' geometry, their sample times and one table per
    // variable, a column per segment, on t = 0, dt, 2 dt, ...
    Status encode_segments(const rc::Spec& s, const RunResult& result, store::TrialOutputs& out) const {
        const auto& d = *s.record.dendrites;
        std::vector<double> section, x, distance;
        std::vector<std::string> labels;
        for (const auto& [id, at] : segments) {
            section.push_back(id);
            x.push_back(at);
            distance.push_back(cell_model.distance_to_soma(id, at));
            labels.push_back(cell_model.sections()[static_cast<std::size_t>(id)].label);
        }
        std::vector<double> time = resample(result.time, result.time, d.dt);
        for (std::size_t k = 0; k < time.size(); ++k) time[k] = static_cast<double>(k) * d.dt;
        const bool f32 = s.record.precision == rc::Precision::float32;
        auto add = [&](std::string name, Result<std::string> bytes) -> Status {
            if (!bytes) return std::unexpected(bytes.error().within(name));
            out.arrays.push_back({std::move(name), std::move(*bytes)});
            return {};
        };
        if (auto st = add("dendrites.segments", store::encode_f64_table({section, x, distance})); !st)
            return st;
        if (auto st = add("dendrites.label", store::encode_strings(labels)); !st) return st;
        if (auto st = add("dendrites.time", store::encode_f64_table({time})); !st) return st;
        for (std::size_t v = 0; v < d.variables.size(); ++v) {
            std::vector<std::vector<double>> columns;
            columns.reserve(segments.size());
            for (const std::ptrdiff_t i : segment_recording[v]) {
                if (i < 0) {
                    columns.emplace_back(time.size(), std::nan(""));
                    continue;
                }
                auto values = resample(result.time, result.segment_traces[static_cast<std::size_t>(i)], d.dt);
                values.resize(time.size(), values.empty() ? std::nan("") : values.back());
                if (f32)
                    for (auto& value : values) value = static_cast<double>(static_cast<float>(value));
                columns.push_back(std::move(values));
            }
            if (auto st = add("dendrites." + d.variables[v], store::encode_f64_table(columns)); !st)
                return st;
        }
        return {};
    }

    // The named arrays of trial_runner.hpp from a finished run: sampled onto record.dt unless every step
    // was recorded, rounded to float when record.precision asks, spikes detected on the soma trace.
    Result<store::TrialOutputs> encode_outputs(const rc::Spec& s, const RunResult& result) const {
        store::TrialOutputs out;
        out.neuron_version = Simulator::version();
        out.neuron_seconds = result.neuron_seconds;
        out.steps = result.steps;
        const Trace* spike_trace = result.find("soma.v");
        if (!spike_trace) spike_trace = result.find(k_spike_probe);
        if (spike_trace) out.spikes = detect_spikes(result.time, spike_trace->values);

        const bool raw = s.simulation.solver == rc::Solver::fixed && s.record.dt == s.simulation.dt;
        const bool f32 = s.record.precision == rc::Precision::float32;
        auto finish = [&](std::vector<double> values) {
            if (!raw) values = resample(result.time, values, s.record.dt);
            if (f32)
                for (auto& v : values) v = static_cast<double>(static_cast<float>(v));
            return values;
        };
        std::vector<double> time = raw ? result.time : resample(result.time, result.time, s.record.dt);
        if (!raw)  // exact grid times, not interpolated rounding noise
            for (std::size_t k = 0; k < time.size(); ++k) time[k] = static_cast<double>(k) * s.record.dt;
        auto encoded_time = store::encode_f64_table({time});
        if (!encoded_time) return std::unexpected(encoded_time.error());
        out.arrays.push_back({"time", std::move(*encoded_time)});
        for (const auto& name : outputs) {
            const Trace* trace = result.find(name);
            if (!trace) return fail(Errc::internal, "recording " + name + " missing after the run");
            auto bytes = store::encode_f64_table({finish(trace->values)});
            if (!bytes) return std::unexpected(bytes.error());
            out.arrays.push_back({name, std::move(*bytes)});
        }
        if (s.record.dendrites)
            if (auto st = encode_segments(s, result, out); !st) return std::unexpected(st.error());
        auto spikes = store::encode_spike_lists({out.spikes});
        if (!spikes) return std::unexpected(spikes.error());
        out.arrays.push_back({"spikes", std::move(*spikes)});
        if (is_network_protocol(s))
            if (auto st = network->append_outputs(s, out.arrays); !st) return std::unexpected(st.error());
        return out;
    }
};

TrialRunner::TrialRunner(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
TrialRunner::TrialRunner(TrialRunner&&) noexcept = default;
TrialRunner& TrialRunner::operator=(TrialRunner&&) noexcept = default;
TrialRunner::~TrialRunner() = default;  // Impl releases stimuli and synapses before the cell

const recipes::CellRequest& TrialRunner::spec() const {
    return m_impl->spec;
}

Result<TrialRunner> TrialRunner::build(const recipes::CellRequest& spec) {
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

Result<store::TrialOutputs> TrialRunner::run(const recipes::TrialRequest& trial,
                                             const CheckpointOptions* checkpoint, CheckpointReport* report) {
    auto out = m_impl->run(trial, checkpoint, report);
    if (!out)
        return std::unexpected(out.error().within(std::string(rc::to_string(trial.spec.experiment.protocol)) +
                                                  " trial " + std::to_string(trial.trial)));
    return out;
}

}  // namespace silico::experiments
