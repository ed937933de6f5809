// Stimulation protocols on a cell that already exists in NEURON: current clamps (steps and pulses), epsp
// current injections (the BAC protocol's dendritic stimulus), the integration settings, recordings, and the
// run itself.
//
// A Stimulus is installed once (it creates its IClamp/epsp point processes and recording Vectors in hoc) and
// may be run many times; stimulus amplitudes can change between runs without reinstalling. Running follows
// ISF (spec section 2.9): stdrun's init() (= finitialize(v_init)), then `while (t < tstop) fadvance()`, so
// the accumulated t can end one step past tstop exactly as in ISF's traces. With CheckpointOptions the loop
// runs in segments of every_ms simulated ms and saves the state after each (checkpoint.hpp).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/neuron/checkpoint.hpp"
#include "silico/neuron/recording.hpp"
#include "silico/neuron/simulator.hpp"

namespace silico::experiments {

enum class Solver {
    fixed_step,  // implicit Euler with step dt (cvode.active(0))
    cvode,       // NEURON's variable-step CVODE (rtol 0, absolute tolerance `atol`; NEURON's default 1e-3)
};

struct Integration {
    Solver solver = Solver::fixed_step;
    double dt = 0.025;      // ms; the step for fixed_step (ignored by CVODE, as in ISF)
    double tstop = 100.0;   // ms
    double v_init = -75.0;  // mV, finitialize's initial membrane potential
    double celsius = 34.0;  // degC; matters for Nernst potentials (eca), not for the Hay channels
    // NEURON's `secondorder` for fixed_step: 0 implicit Euler (ISF, the exact mode), 1 Crank-Nicolson, 2 also
    // ionic currents at the half step. Set on every run, since it is global hoc state.
    int secondorder = 0;
    // Whether the channels interpolate their gating rates in NEURON's tables (every mechanism that declares
    // rate_tables_<name>). false is the exact mode. Set on every run, like secondorder.
    bool rate_tables = false;
    double atol = 1e-3;  // CVODE's absolute tolerance (cvode only)
};

// NEURON's IClamp: amplitude (nA) from delay to delay + duration (ms). A step or a pulse.
struct CurrentClamp {
    Location at;
    double delay = 0.0;
    double duration = 0.0;
    double amplitude = 0.0;
};

// The `epsp` mechanism: a double-exponential current with peak imax (nA, positive depolarises) starting at
// onset (ms); tau0 rise, tau1 decay (ms). ISF's BAC protocol uses imax 0.5, tau0 1, tau1 5.
struct EpspCurrent {
    Location at;
    double onset = 0.0;
    double imax = 0.0;
    double tau0 = 1.0;
    double tau1 = 5.0;
};

struct StimulusSpec {
    Integration integration;
    std::vector<CurrentClamp> clamps;
    std::vector<EpspCurrent> epsps;
    std::vector<Probe> probes;
    // Many recordings at once (every segment of a cell, [record.dendrites]): kept in one hoc objref array,
    // read back into RunResult::segment_traces in this order. Their names are not used.
    std::vector<Probe> segment_probes;
};

struct RunResult {
    std::vector<double> time;   // ms, one sample per integration step, starting at t = 0
    std::vector<Trace> traces;  // in the order of StimulusSpec::probes
    std::vector<std::vector<double>> segment_traces;  // in the order of StimulusSpec::segment_probes
    std::size_t steps = 0;                            // fadvance() calls
    double neuron_seconds = 0;    // wall time inside NEURON's initialisation and integration loop
    CheckpointReport checkpoint;  // what checkpointing did (empty without CheckpointOptions)

    // The trace named `name`, or nullptr.
    const Trace* find(std::string_view name) const;
};

class Stimulus {
  public:
    // Creates the protocol's stimuli and recordings in NEURON. Fails with the NEURON message when a section
    // or variable does not exist, and with invalid_argument on impossible values (x outside [0, 1], tstop or
    // dt not positive, duplicate probe names).
    static Result<Stimulus> install(Simulator& simulator, StimulusSpec spec);

    // Initialises and integrates to tstop, then copies every recording out of NEURON.
    // With `checkpoint`: when checkpoint->file holds a valid checkpoint of this run (same identity, protocol
    // fingerprint and NEURON version) the run continues from it; every checkpoint->every_ms of simulated
    // time the state is saved to that file. The outputs equal those of a run without checkpoints, bit for
    // bit (fixed step; CVODE runs ignore the options with a warning in RunResult::checkpoint).
    Result<RunResult> run(const CheckpointOptions* checkpoint = nullptr);

    // Changes stimuli between runs (index into StimulusSpec::clamps / ::epsps).
    Status set_clamp_amplitude(std::size_t index, double amplitude);
    Status set_epsp_imax(std::size_t index, double imax);

    const StimulusSpec& spec() const { return m_spec; }

    // Releases the protocol's hoc objects (stimuli stop acting on the cell).
    ~Stimulus();
    Stimulus(Stimulus&& other) noexcept;
    Stimulus& operator=(Stimulus&& other) noexcept;
    Stimulus(const Stimulus&) = delete;
    Stimulus& operator=(const Stimulus&) = delete;

  private:
    Stimulus(Simulator& simulator, StimulusSpec spec, int id);
    Status create_objects();
    Status record_segments();
    // init(), resume from options.file when it is valid, integrate in segments saving after each.
    Status run_checkpointed(const CheckpointOptions& options, CheckpointReport& report);
    void release();

    Simulator* m_simulator = nullptr;
    StimulusSpec m_spec;
    int m_id = -1;  // hoc objects are named silico_p<id>_*
};

}  // namespace silico::experiments
