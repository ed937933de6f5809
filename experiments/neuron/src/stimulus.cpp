#include "silico/neuron/stimulus.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <utility>

#include "checkpoint_file.hpp"

namespace silico::experiments {
namespace {

// hoc object names of protocol `id`. Separate scalar objrefs (not arrays) because read_vector takes names.
std::string clamp_name(int id, std::size_t i) {
    return fmt::format("silico_p{}_clamp_{}", id, i);
}
std::string epsp_name(int id, std::size_t i) {
    return fmt::format("silico_p{}_epsp_{}", id, i);
}
std::string record_name(int id, std::size_t i) {
    return fmt::format("silico_p{}_rec_{}", id, i);
}
std::string segment_array(int id) {
    return fmt::format("silico_p{}_seg", id);
}
std::string segment_name(int id, std::size_t i) {
    return fmt::format("silico_p{}_seg[{}]", id, i);
}
std::string time_name(int id) {
    return fmt::format("silico_p{}_time", id);
}

bool finite(double value) {
    return std::isfinite(value);
}

Status check_location(const Location& at, std::string_view what) {
    Probe probe{std::string(what), at, "v"};
    if (auto ok = hoc_reference(probe); !ok) return std::unexpected(ok.error());
    return {};
}

Status validate(const StimulusSpec& spec) {
    const Integration& run = spec.integration;
    if (!(finite(run.tstop) && run.tstop > 0))
        return fail(Errc::invalid_argument, fmt::format("tstop must be positive, not {}", run.tstop));
    if (run.solver == Solver::fixed_step && !(finite(run.dt) && run.dt > 0))
        return fail(Errc::invalid_argument, fmt::format("dt must be positive, not {}", run.dt));
    if (!finite(run.v_init) || !finite(run.celsius))
        return fail(Errc::invalid_argument, "v_init and celsius must be finite numbers");
    if (run.secondorder < 0 || run.secondorder > 2)
        return fail(Errc::invalid_argument,
                    fmt::format("secondorder must be 0, 1 or 2, not {}", run.secondorder));
    // The tabled branch of the channels' and synapses' states advances them by one fixed step (docs/neuron.md).
    if (run.solver == Solver::cvode && run.rate_tables)
        return fail(Errc::invalid_argument,
                    "the rate tables are for the fixed step; CVODE integrates exactly");
    if (run.solver == Solver::cvode && !(finite(run.atol) && run.atol > 0))
        return fail(Errc::invalid_argument, fmt::format("atol must be positive, not {}", run.atol));
    for (std::size_t i = 0; i < spec.clamps.size(); ++i) {
        const CurrentClamp& c = spec.clamps[i];
        const std::string what = fmt::format("current clamp {}", i);
        if (auto ok = check_location(c.at, what); !ok) return ok;
        if (!finite(c.delay) || !finite(c.amplitude) || !(finite(c.duration) && c.duration >= 0))
            return fail(Errc::invalid_argument, "delay, duration (>= 0) and amplitude must be finite", what);
    }
    for (std::size_t i = 0; i < spec.epsps.size(); ++i) {
        const EpspCurrent& e = spec.epsps[i];
        const std::string what = fmt::format("epsp {}", i);
        if (auto ok = check_location(e.at, what); !ok) return ok;
        if (!finite(e.onset) || !finite(e.imax) || !(e.tau0 > 0) || !(e.tau1 > 0) || e.tau0 == e.tau1 ||
            !finite(e.tau0) || !finite(e.tau1))
            return fail(Errc::invalid_argument, "onset and imax must be finite, tau0 != tau1 both positive",
                        what);
    }
    std::set<std::string_view> names;
    for (const Probe& probe : spec.probes) {
        if (probe.name.empty()) return fail(Errc::invalid_argument, "a probe has no name");
        if (!names.insert(probe.name).second)
            return fail(Errc::invalid_argument, fmt::format("two probes are named '{}'", probe.name));
        if (auto ok = hoc_reference(probe); !ok) return std::unexpected(ok.error());
    }
    for (const Probe& probe : spec.segment_probes)
        if (auto ok = hoc_reference(probe); !ok) return std::unexpected(ok.error());
    return {};
}

int next_id() {
    static int id = 0;
    return id++;
}

}  // namespace

const Trace* RunResult::find(std::string_view name) const {
    for (const Trace& trace : traces)
        if (trace.name == name) return &trace;
    return nullptr;
}

Stimulus::Stimulus(Simulator& simulator, StimulusSpec spec, int id)
    : m_simulator(&simulator), m_spec(std::move(spec)), m_id(id) {}

Stimulus::Stimulus(Stimulus&& other) noexcept
    : m_simulator(other.m_simulator), m_spec(std::move(other.m_spec)), m_id(std::exchange(other.m_id, -1)) {}

Stimulus& Stimulus::operator=(Stimulus&& other) noexcept {
    if (this != &other) {
        release();
        m_simulator = other.m_simulator;
        m_spec = std::move(other.m_spec);
        m_id = std::exchange(other.m_id, -1);
    }
    return *this;
}

Stimulus::~Stimulus() {
    release();
}

Result<Stimulus> Stimulus::install(Simulator& simulator, StimulusSpec spec) {
    if (auto ok = validate(spec); !ok) return std::unexpected(ok.error());
    Stimulus protocol(simulator, std::move(spec), next_id());
    if (auto ok = protocol.create_objects(); !ok) return std::unexpected(ok.error());
    return protocol;
}

Status Stimulus::create_objects() {
    Simulator& sim = *m_simulator;
    std::string declare = "objref silico_null_, " + time_name(m_id);
    for (std::size_t i = 0; i < m_spec.clamps.size(); ++i) declare += ", " + clamp_name(m_id, i);
    for (std::size_t i = 0; i < m_spec.epsps.size(); ++i) declare += ", " + epsp_name(m_id, i);
    for (std::size_t i = 0; i < m_spec.probes.size(); ++i) declare += ", " + record_name(m_id, i);
    if (!m_spec.segment_probes.empty())
        declare += fmt::format(", {}[{}]", segment_array(m_id), m_spec.segment_probes.size());
    if (auto ok = sim.hoc(declare); !ok) return ok;

    for (std::size_t i = 0; i < m_spec.clamps.size(); ++i) {
        const CurrentClamp& c = m_spec.clamps[i];
        const std::string name = clamp_name(m_id, i);
        if (auto ok = sim.hoc(
                fmt::format("{{{} {} = new IClamp({})}}\n{{{}.del = {} {}.dur = {} {}.amp = {}}}",
                            c.at.section, name, c.at.x, name, c.delay, name, c.duration, name, c.amplitude));
            !ok)
            return std::unexpected(ok.error().within(fmt::format("current clamp {} on {}", i, c.at.section)));
    }
    for (std::size_t i = 0; i < m_spec.epsps.size(); ++i) {
        const EpspCurrent& e = m_spec.epsps[i];
        const std::string name = epsp_name(m_id, i);
        if (auto ok = sim.hoc(fmt::format("{{{} {} = new epsp({})}}\n"
                                          "{{{}.onset = {} {}.imax = {} {}.tau0 = {} {}.tau1 = {}}}",
                                          e.at.section, name, e.at.x, name, e.onset, name, e.imax, name,
                                          e.tau0, name, e.tau1));
            !ok)
            return std::unexpected(ok.error().within(fmt::format("epsp {} on {}", i, e.at.section)));
    }
    if (auto ok =
            sim.hoc(fmt::format("{{{} = new Vector()  {}.record(&t)}}", time_name(m_id), time_name(m_id)));
        !ok)
        return ok;
    for (std::size_t i = 0; i < m_spec.probes.size(); ++i) {
        const Probe& probe = m_spec.probes[i];
        auto reference = hoc_reference(probe);
        if (!reference) return std::unexpected(reference.error());
        const std::string name = record_name(m_id, i);
        if (auto ok = sim.hoc(fmt::format("{{{} = new Vector()  {}.record({})}}", name, name, *reference));
            !ok)
            return std::unexpected(ok.error().within(fmt::format("probe '{}'", probe.name)));
    }
    return record_segments();
}

// One hoc call per batch of recordings: thousands of segments would otherwise mean thousands of calls.
Status Stimulus::record_segments() {
    constexpr std::size_t k_batch = 256;
    const auto& probes = m_spec.segment_probes;
    for (std::size_t first = 0; first < probes.size(); first += k_batch) {
        std::string code;
        for (std::size_t i = first; i < std::min(probes.size(), first + k_batch); ++i) {
            auto reference = hoc_reference(probes[i]);
            if (!reference) return std::unexpected(reference.error());
            const std::string name = segment_name(m_id, i);
            code += fmt::format("{{{} = new Vector()  {}.record({})}}\n", name, name, *reference);
        }
        if (auto ok = m_simulator->hoc(code); !ok)
            return std::unexpected(ok.error().within(fmt::format(
                "recording segments {} to {}", first, std::min(probes.size(), first + k_batch) - 1)));
    }
    return {};
}

void Stimulus::release() {
    if (m_id < 0 || !m_simulator) return;
    std::string code = "{" + time_name(m_id) + " = silico_null_";
    for (std::size_t i = 0; i < m_spec.clamps.size(); ++i)
        code += " " + clamp_name(m_id, i) + " = silico_null_";
    for (std::size_t i = 0; i < m_spec.epsps.size(); ++i)
        code += " " + epsp_name(m_id, i) + " = silico_null_";
    for (std::size_t i = 0; i < m_spec.probes.size(); ++i)
        code += " " + record_name(m_id, i) + " = silico_null_";
    // One loop, not one assignment per segment: thousands of them would make one very long hoc line.
    if (!m_spec.segment_probes.empty())
        code += fmt::format(" for silico_i_ = 0, {} {}[silico_i_] = silico_null_",
                            m_spec.segment_probes.size() - 1, segment_array(m_id));
    code += "}";
    // Nothing useful can be done if this fails in a destructor; the objects then live until the process ends.
    (void)m_simulator->hoc(code);
    m_id = -1;
}

Status Stimulus::set_clamp_amplitude(std::size_t index, double amplitude) {
    if (index >= m_spec.clamps.size() || !finite(amplitude))
        return fail(Errc::invalid_argument,
                    fmt::format("no current clamp {} or amplitude {} not finite", index, amplitude));
    m_spec.clamps[index].amplitude = amplitude;
    return m_simulator->hoc(fmt::format("{{{}.amp = {}}}", clamp_name(m_id, index), amplitude));
}

Status Stimulus::set_epsp_imax(std::size_t index, double imax) {
    if (index >= m_spec.epsps.size() || !finite(imax))
        return fail(Errc::invalid_argument, fmt::format("no epsp {} or imax {} not finite", index, imax));
    m_spec.epsps[index].imax = imax;
    return m_simulator->hoc(fmt::format("{{{}.imax = {}}}", epsp_name(m_id, index), imax));
}

namespace {

// Everything about a protocol that changes its outputs, as text: a checkpoint of another protocol must not
// be resumed. fmt prints doubles in their shortest round-trip form, so equal text means equal values.
std::string fingerprint(const StimulusSpec& spec) {
    const Integration& i = spec.integration;
    std::string out =
        fmt::format("solver {} dt {} tstop {} v_init {} celsius {}",
                    i.solver == Solver::fixed_step ? "fixed" : "cvode", i.dt, i.tstop, i.v_init, i.celsius);
    for (const auto& c : spec.clamps)
        out += fmt::format("; clamp {}({}) {} {} {}", c.at.section, c.at.x, c.delay, c.duration, c.amplitude);
    for (const auto& e : spec.epsps)
        out +=
            fmt::format("; epsp {}({}) {} {} {} {}", e.at.section, e.at.x, e.onset, e.imax, e.tau0, e.tau1);
    for (const auto& p : spec.probes)
        out += fmt::format("; probe {} {}({}).{}", p.name, p.at.section, p.at.x, p.variable);
    for (const auto& p : spec.segment_probes)
        out += fmt::format("; segment {}({}).{}", p.at.section, p.at.x, p.variable);
    return out;
}

// hoc string literals cannot escape quotes or backslashes portably.
Status check_hoc_path(const std::filesystem::path& path) {
    if (path.string().find_first_of("\"\\\n") != std::string::npos)
        return fail(Errc::invalid_argument, "checkpoint path contains a quote, backslash or newline",
                    path.string());
    return {};
}

Result<std::string> read_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Errc::io, "cannot read NEURON's saved state", path.string());
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// NEURON's SaveState of the current moment, as bytes (through a temporary file: SaveState writes Files).
Result<std::string> save_neuron_state(Simulator& sim, const std::filesystem::path& checkpoint) {
    const std::filesystem::path tmp = checkpoint.string() + ".nrn." + std::to_string(::getpid());
    if (auto ok = check_hoc_path(tmp); !ok) return std::unexpected(ok.error());
    std::error_code ec;
    std::filesystem::create_directories(tmp.parent_path(), ec);
    if (ec)
        return fail(Errc::io, "cannot create the checkpoint folder: " + ec.message(),
                    tmp.parent_path().string());
    if (auto ok = sim.hoc(fmt::format(
            "objref silico_ckpt_ss_, silico_ckpt_f_\n"
            "{{silico_ckpt_ss_ = new SaveState()  silico_ckpt_ss_.save()  "
            "silico_ckpt_f_ = new File()  if (!silico_ckpt_f_.wopen(\"{}\")) execerror(\"cannot write\")  "
            "silico_ckpt_ss_.fwrite(silico_ckpt_f_)  silico_ckpt_f_.close()}}",
            tmp.string()));
        !ok) {
        std::filesystem::remove(tmp, ec);
        return std::unexpected(ok.error().within("saving NEURON's state"));
    }
    auto bytes = read_bytes(tmp);
    std::filesystem::remove(tmp, ec);
    return bytes;
}

Status restore_neuron_state(Simulator& sim, const std::filesystem::path& checkpoint, std::string_view state) {
    const std::filesystem::path tmp = checkpoint.string() + ".nrn." + std::to_string(::getpid());
    if (auto ok = check_hoc_path(tmp); !ok) return ok;
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(state.data(), static_cast<std::streamsize>(state.size()));
        if (!out) return fail(Errc::io, "cannot write NEURON's saved state", tmp.string());
    }
    // restore(0): states, t and the event queue (cleared, then the saved events put back).
    auto ok =
        sim.hoc(fmt::format("objref silico_ckpt_ss_, silico_ckpt_f_\n"
                            "{{silico_ckpt_ss_ = new SaveState()  silico_ckpt_f_ = new File()  "
                            "if (!silico_ckpt_f_.ropen(\"{}\")) execerror(\"cannot read\")  "
                            "silico_ckpt_ss_.fread(silico_ckpt_f_)  "
                            "silico_ckpt_f_.close()  silico_ckpt_ss_.restore(0)}}",
                            tmp.string()));
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    if (!ok) return std::unexpected(ok.error().within("restoring NEURON's state"));
    return {};
}

// Switches the rate tables on or off for every mechanism that has them: each declares the global
// rate_tables_<name> (0 by default; its states then call rates(), the exact arithmetic, and with 1 the tabled
// procedure). The mechanisms are found by that name, so one that gains tables needs no list here, and only
// once: NEURON registers them at start-up, so the two hoc statements that set them all are built for the
// process and each run executes one of them.
Status use_rate_tables(Simulator& sim, bool on) {
    static const Status built = sim.hoc(
        "strdef silico_rt_on_, silico_rt_off_, silico_rt_name_, silico_rt_global_\n"
        "objref silico_rt_types_\n"
        "{silico_rt_on_ = \"{\"  silico_rt_off_ = \"{\"\n"
        " for silico_i_ = 0, 1 { silico_rt_types_ = new MechanismType(silico_i_)\n"
        "  for silico_j_ = 0, silico_rt_types_.count() - 1 {\n"
        "   silico_rt_types_.select(silico_j_)  silico_rt_types_.selected(silico_rt_name_)\n"
        "   sprint(silico_rt_global_, \"rate_tables_%s\", silico_rt_name_)\n"
        "   if (name_declared(silico_rt_global_)) {\n"
        "    sprint(silico_rt_on_, \"%s %s = 1\", silico_rt_on_, silico_rt_global_)\n"
        "    sprint(silico_rt_off_, \"%s %s = 0\", silico_rt_off_, silico_rt_global_) } } }\n"
        " sprint(silico_rt_on_, \"%s}\", silico_rt_on_)  sprint(silico_rt_off_, \"%s}\", silico_rt_off_)}");
    if (!built) return std::unexpected(built.error().within("finding the mechanisms with rate tables"));
    return sim.hoc(on ? "{execute(silico_rt_on_)}" : "{execute(silico_rt_off_)}");
}

}  // namespace

Result<RunResult> Stimulus::run(const CheckpointOptions* checkpoint) {
    if (m_id < 0) return fail(Errc::internal, "run() on a released protocol");
    Simulator& sim = *m_simulator;
    const Integration& run = m_spec.integration;
    // cache_efficient in both modes: the node order then never depends on which protocol ran before, so a
    // trial's result depends on its own settings only.
    // secondorder and the rate tables are written in both modes: a fast-mode trial must not leave them set for
    // the next exact one.
    const std::string solver =
        run.solver == Solver::fixed_step
            ? fmt::format("{{cvode.active(0)  cvode.cache_efficient(1)  secondorder = {}  dt = {}}}",
                          run.secondorder, run.dt)
            : fmt::format(
                  "{{cvode.active(1)  cvode.cache_efficient(1)  secondorder = 0  cvode.atol({})  "
                  "cvode.rtol(0)}}",
                  run.atol);
    if (auto ok = sim.hoc(solver); !ok) return std::unexpected(ok.error());
    if (auto ok = use_rate_tables(sim, run.rate_tables); !ok) return std::unexpected(ok.error());
    if (auto ok = sim.hoc(
            fmt::format("{{celsius = {}  v_init = {}  tstop = {}}}", run.celsius, run.v_init, run.tstop));
        !ok)
        return std::unexpected(ok.error());

    RunResult result;
    if (checkpoint && run.solver != Solver::fixed_step) {
        result.checkpoint.warnings.push_back(
            "checkpoints need the fixed-step solver (a CVODE restore re-initialises the integrator, so the "
            "continuation would differ): this run is not checkpointed");
        checkpoint = nullptr;
    }
    const auto start = std::chrono::steady_clock::now();
    // ISF's run(tstop): stdrun init() then NEURON's Python run loop, `while (t < tstop) fadvance()`.
    if (!checkpoint) {
        if (auto ok = sim.hoc(
                "{init()}\n{silico_steps_ = 0  while (t < tstop) { fadvance()  silico_steps_ += 1 }}");
            !ok)
            return std::unexpected(ok.error().within("running the simulation"));
    } else {
        if (auto ok = run_checkpointed(*checkpoint, result.checkpoint); !ok)
            return std::unexpected(ok.error());
    }
    result.neuron_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    auto steps = sim.eval("silico_steps_");
    if (!steps) return std::unexpected(steps.error());
    result.steps = static_cast<std::size_t>(*steps);

    auto time = sim.read_vector(time_name(m_id));
    if (!time) return std::unexpected(time.error());
    result.time = std::move(*time);
    result.traces.reserve(m_spec.probes.size());
    for (std::size_t i = 0; i < m_spec.probes.size(); ++i) {
        auto values = sim.read_vector(record_name(m_id, i));
        if (!values) return std::unexpected(values.error());
        result.traces.push_back({m_spec.probes[i].name, std::move(*values)});
    }
    result.segment_traces.reserve(m_spec.segment_probes.size());
    for (std::size_t i = 0; i < m_spec.segment_probes.size(); ++i) {
        auto values = sim.read_vector(segment_name(m_id, i));
        if (!values) return std::unexpected(values.error());
        result.segment_traces.push_back(std::move(*values));
    }
    return result;
}

namespace {

// One checkpointed run's fixed facts: what a checkpoint of it must match, and the Vectors it saves.
struct CheckpointedRun {
    Simulator& sim;
    const CheckpointOptions& options;
    std::string fingerprint;
    std::string neuron_version;
    std::vector<std::string> vectors;  // time, then the probes
    double tstop = 0;

    // Why `saved` is not a checkpoint of this run; empty when it is.
    std::string mismatch(const detail::CheckpointFile& saved) const {
        const auto& info = saved.info;
        if (info.identity != options.identity)
            return "it belongs to '" + info.identity + "', not '" + options.identity + "'";
        if (info.fingerprint != fingerprint) return "its protocol differs (" + info.fingerprint + ")";
        if (info.neuron_version != neuron_version)
            return "it was written by NEURON " + info.neuron_version + ", this is " + neuron_version;
        if (saved.vectors.size() != vectors.size()) return "it holds another number of recordings";
        if (!(info.t < tstop)) return fmt::format("its t = {} is not before tstop", info.t);
        return {};
    }

    // Puts NEURON, the recordings and the step count at the moment `saved` was taken.
    Status restore(const detail::CheckpointFile& saved) {
        // A checkpoint that crashes NEURON while it is restored would crash every later attempt of the
        // trial too: it is set aside (FILE.restoring) during the restore and put back once NEURON has
        // taken it (or refused it with an error), so a crash leaves the next attempt starting at t = 0.
        const std::filesystem::path aside = options.file.string() + ".restoring";
        std::error_code aside_error;
        std::filesystem::rename(options.file, aside, aside_error);
        Status restored = restore_neuron_state(sim, options.file, saved.neuron_state);
        if (!aside_error) std::filesystem::rename(aside, options.file, aside_error);
        for (std::size_t i = 0; restored && i < vectors.size(); ++i)
            restored = sim.write_vector(vectors[i], saved.vectors[i]);
        if (restored) restored = sim.hoc(fmt::format("{{silico_steps_ = {}}}", saved.info.steps));
        if (restored) {
            auto t = sim.eval("t");
            if (!t)
                restored = std::unexpected(t.error());
            else if (*t != saved.info.t)
                restored =
                    fail(Errc::neuron, fmt::format("t after the restore is {}, saved {}", *t, saved.info.t));
        }
        return restored;
    }

    // After init(): resumes when the file holds a checkpoint of exactly this run, otherwise (with a warning
    // when there was a file) leaves the run at t = 0. Only a failing re-initialisation is an error.
    Status resume(CheckpointReport& report) {
        auto saved = detail::read_checkpoint_file(options.file);
        if (!saved) {
            if (saved.error().code != Errc::not_found)
                report.warnings.push_back("checkpoint ignored: " + saved.error().what());
            return {};
        }
        if (const std::string why = mismatch(*saved); !why.empty()) {
            report.warnings.push_back("checkpoint " + options.file.string() + " ignored: " + why);
            return {};
        }
        Status restored = restore(*saved);
        if (restored) {
            report.resumed_from_ms = saved->info.t;
            return {};
        }
        report.warnings.push_back("checkpoint " + options.file.string() +
                                  " could not be restored, starting at t = 0: " + restored.error().what());
        if (auto ok = sim.hoc("{init()  silico_steps_ = 0}"); !ok)
            return std::unexpected(ok.error().within("running the simulation"));
        return {};
    }

    // Writes the checkpoint of the current moment (t, steps) to the file.
    Status save(double t, std::uint64_t steps) {
        detail::CheckpointFile file;
        file.info.format = k_checkpoint_format;
        file.info.identity = options.identity;
        file.info.fingerprint = fingerprint;
        file.info.neuron_version = neuron_version;
        file.info.t = t;
        file.info.steps = steps;
        auto state = save_neuron_state(sim, options.file);
        if (!state) return std::unexpected(state.error());
        file.neuron_state = std::move(*state);
        for (const auto& name : vectors) {
            auto v = sim.read_vector(name);
            if (!v) return std::unexpected(v.error());
            file.vectors.push_back(std::move(*v));
        }
        return detail::write_checkpoint_file(options.file, file);
    }
};

// Runs `while (t < tstop && t < end) fadvance()`, counting steps.
Status advance_until(Simulator& sim, double end) {
    if (auto ok = sim.hoc(fmt::format("{{silico_ckpt_end_ = {}}}\n"
                                      "{{while (t < tstop && t < silico_ckpt_end_) {{ fadvance()  "
                                      "silico_steps_ += 1 }}}}",
                                      end));
        !ok)
        return std::unexpected(ok.error().within("running the simulation"));
    return {};
}

}  // namespace

Status Stimulus::run_checkpointed(const CheckpointOptions& options, CheckpointReport& report) {
    Simulator& sim = *m_simulator;
    const Integration& run = m_spec.integration;
    if (!(std::isfinite(options.every_ms) && options.every_ms >= 0))
        return fail(Errc::invalid_argument, fmt::format("checkpoint interval {} ms", options.every_ms));
    if (auto ok = check_hoc_path(options.file); !ok) return ok;
    CheckpointedRun ckpt{sim,      options, fingerprint(m_spec), Simulator::version(), {time_name(m_id)},
                         run.tstop};
    for (std::size_t i = 0; i < m_spec.probes.size(); ++i) ckpt.vectors.push_back(record_name(m_id, i));
    for (std::size_t i = 0; i < m_spec.segment_probes.size(); ++i)
        ckpt.vectors.push_back(segment_name(m_id, i));

    if (auto ok = sim.hoc("{init()  silico_steps_ = 0}"); !ok)
        return std::unexpected(ok.error().within("running the simulation"));
    if (auto ok = ckpt.resume(report); !ok) return ok;

    // Segments end at multiples of every_ms; the loop condition `t < tstop` is the uninterrupted run's, so
    // the fadvance() sequence is the same whatever the segmentation.
    auto t = sim.eval("t");
    if (!t) return std::unexpected(t.error());
    bool saving = options.every_ms > 0;
    for (;;) {
        double end = run.tstop;
        if (saving) {
            // hoc compares with a tolerance (float_epsilon, 1e-9): a t that accumulated to 9.99999999999997
            // is not "< 10" there. The next end is the first multiple clearly past t.
            end = (std::floor((*t + 1e-6) / options.every_ms) + 1.0) * options.every_ms;
        }
        if (auto ok = advance_until(sim, end); !ok) return ok;
        t = sim.eval("t");
        if (!t) return std::unexpected(t.error());
        if (!(*t < run.tstop) || !saving) break;

        const auto s0 = std::chrono::steady_clock::now();
        auto steps = sim.eval("silico_steps_");
        if (!steps) return std::unexpected(steps.error());
        // A save that fails (full disk, unwritable folder) costs the ability to resume, not the trial: the
        // run goes on without further saves and says why. Saving only reads NEURON's state.
        if (auto written = ckpt.save(*t, static_cast<std::uint64_t>(*steps)); !written) {
            report.warnings.push_back(
                fmt::format("checkpoint at t = {} ms not saved, no further saves in this run: {}", *t,
                            written.error().what()));
            saving = false;
            continue;
        }
        ++report.saved;
        report.save_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
        if (options.after_save) options.after_save(*t);
    }
    return {};
}

}  // namespace silico::experiments
