#include "silico/experiments/protocol.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <set>
#include <string>
#include <utility>

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

Status validate(const ProtocolSpec& spec) {
    const Integration& run = spec.integration;
    if (!(finite(run.tstop) && run.tstop > 0))
        return fail(Errc::invalid_argument, fmt::format("tstop must be positive, not {}", run.tstop));
    if (run.solver == Solver::fixed_step && !(finite(run.dt) && run.dt > 0))
        return fail(Errc::invalid_argument, fmt::format("dt must be positive, not {}", run.dt));
    if (!finite(run.v_init) || !finite(run.celsius))
        return fail(Errc::invalid_argument, "v_init and celsius must be finite numbers");
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

Protocol::Protocol(Simulator& simulator, ProtocolSpec spec, int id)
    : m_simulator(&simulator), m_spec(std::move(spec)), m_id(id) {}

Protocol::Protocol(Protocol&& other) noexcept
    : m_simulator(other.m_simulator), m_spec(std::move(other.m_spec)), m_id(std::exchange(other.m_id, -1)) {}

Protocol& Protocol::operator=(Protocol&& other) noexcept {
    if (this != &other) {
        release();
        m_simulator = other.m_simulator;
        m_spec = std::move(other.m_spec);
        m_id = std::exchange(other.m_id, -1);
    }
    return *this;
}

Protocol::~Protocol() {
    release();
}

Result<Protocol> Protocol::install(Simulator& simulator, ProtocolSpec spec) {
    if (auto ok = validate(spec); !ok) return std::unexpected(ok.error());
    Protocol protocol(simulator, std::move(spec), next_id());
    if (auto ok = protocol.create_objects(); !ok) return std::unexpected(ok.error());
    return protocol;
}

Status Protocol::create_objects() {
    Simulator& sim = *m_simulator;
    std::string declare = "objref silico_null_, " + time_name(m_id);
    for (std::size_t i = 0; i < m_spec.clamps.size(); ++i) declare += ", " + clamp_name(m_id, i);
    for (std::size_t i = 0; i < m_spec.epsps.size(); ++i) declare += ", " + epsp_name(m_id, i);
    for (std::size_t i = 0; i < m_spec.probes.size(); ++i) declare += ", " + record_name(m_id, i);
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
    return {};
}

void Protocol::release() {
    if (m_id < 0 || !m_simulator) return;
    std::string code = "{" + time_name(m_id) + " = silico_null_";
    for (std::size_t i = 0; i < m_spec.clamps.size(); ++i)
        code += " " + clamp_name(m_id, i) + " = silico_null_";
    for (std::size_t i = 0; i < m_spec.epsps.size(); ++i)
        code += " " + epsp_name(m_id, i) + " = silico_null_";
    for (std::size_t i = 0; i < m_spec.probes.size(); ++i)
        code += " " + record_name(m_id, i) + " = silico_null_";
    code += "}";
    // Nothing useful can be done if this fails in a destructor; the objects then live until the process ends.
    (void)m_simulator->hoc(code);
    m_id = -1;
}

Status Protocol::set_clamp_amplitude(std::size_t index, double amplitude) {
    if (index >= m_spec.clamps.size() || !finite(amplitude))
        return fail(Errc::invalid_argument,
                    fmt::format("no current clamp {} or amplitude {} not finite", index, amplitude));
    m_spec.clamps[index].amplitude = amplitude;
    return m_simulator->hoc(fmt::format("{{{}.amp = {}}}", clamp_name(m_id, index), amplitude));
}

Status Protocol::set_epsp_imax(std::size_t index, double imax) {
    if (index >= m_spec.epsps.size() || !finite(imax))
        return fail(Errc::invalid_argument, fmt::format("no epsp {} or imax {} not finite", index, imax));
    m_spec.epsps[index].imax = imax;
    return m_simulator->hoc(fmt::format("{{{}.imax = {}}}", epsp_name(m_id, index), imax));
}

Result<RunResult> Protocol::run() {
    if (m_id < 0) return fail(Errc::internal, "run() on a released protocol");
    Simulator& sim = *m_simulator;
    const Integration& run = m_spec.integration;
    // cache_efficient in both modes: the node order then never depends on which protocol ran before, so a
    // trial's result depends on its own settings only.
    const std::string solver =
        run.solver == Solver::fixed_step
            ? fmt::format("{{cvode.active(0)  cvode.cache_efficient(1)  dt = {}}}", run.dt)
            : std::string("{cvode.active(1)  cvode.cache_efficient(1)  cvode.atol(1e-3)  cvode.rtol(0)}");
    if (auto ok = sim.hoc(solver); !ok) return std::unexpected(ok.error());
    if (auto ok = sim.hoc(
            fmt::format("{{celsius = {}  v_init = {}  tstop = {}}}", run.celsius, run.v_init, run.tstop));
        !ok)
        return std::unexpected(ok.error());

    RunResult result;
    const auto start = std::chrono::steady_clock::now();
    // ISF's run(tstop): stdrun init() then NEURON's Python run loop, `while (t < tstop) fadvance()`.
    if (auto ok =
            sim.hoc("{init()}\n{silico_steps_ = 0  while (t < tstop) { fadvance()  silico_steps_ += 1 }}");
        !ok)
        return std::unexpected(ok.error().within("running the simulation"));
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
    return result;
}

}  // namespace silico::experiments
