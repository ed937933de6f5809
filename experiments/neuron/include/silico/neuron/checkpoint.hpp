// Checkpoints inside one simulation run: a long trial saves its complete NEURON state every N ms of
// simulated time, so a process that is killed (preempted, out of time, crashed) can be replaced by another
// one that continues from the last checkpoint instead of from t = 0. The continued run's outputs are bit
// for bit those of an uninterrupted run (tests/experiments/neuron/checkpoint_test.cpp proves it on cell 86 with
// current injection and with synaptic events).
//
// What a checkpoint holds (format k_checkpoint_format, one file written atomically: tmp + fsync + rename):
//   - a JSON header: format, the caller's identity (trial key), the protocol's fingerprint (integration
//     settings, stimuli, probes), NEURON's version, t and the fadvance() count at the save;
//   - NEURON's SaveState (SaveState.save + fwrite): every membrane potential, every STATE of every
//     mechanism, the whole parameter block of mechanisms with a NET_RECEIVE (VecStim's index and next event
//     time, synapse states), t, and the event queue (pending NetCon deliveries and self events);
//   - the recorded Vectors so far (time and every probe);
//   - a SHA-256 of everything before it.
// Trial inputs silico computes before integration (spike trains, release times) are deterministic in the
// trial's seed, so the process that resumes regenerates them; silico's mechanisms draw no random numbers
// inside NEURON, so SaveState is the whole random and event state.
//
// A checkpoint is trusted only when it is intact and everything in its header matches the run about to
// start; otherwise it is ignored (a warning in CheckpointReport) and the run starts from t = 0.
// Fixed step only: CVODE's restore re-initialises the integrator, so its continuation is not bit-identical;
// with CVODE the options are ignored with a warning (nothing saved, nothing resumed).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments {

inline constexpr int k_checkpoint_format = 1;

struct CheckpointOptions {
    std::filesystem::path file;  // where the checkpoint lives (replaced atomically at each save)
    double every_ms = 0;         // simulated ms between saves; 0 saves nothing but still resumes from `file`
    std::string identity;        // what the run is (trial key, model digest); must match to resume
    // Called after each save with the simulated time saved. Tests use it to stop a process mid-run.
    std::function<void(double t)> after_save;
};

// What checkpointing did during one run.
struct CheckpointReport {
    std::optional<double> resumed_from_ms;  // t the run continued from, when it resumed
    std::size_t saved = 0;                  // checkpoints written
    double save_seconds = 0;                // wall time spent writing them
    std::vector<std::string> warnings;      // checkpoints ignored and why, solver without checkpoints
};

// The header of a checkpoint file (validated: magic, format, digest).
struct CheckpointInfo {
    int format = 0;
    std::string identity;
    std::string fingerprint;  // the protocol's settings, stimuli and probes
    std::string neuron_version;
    double t = 0;             // simulated time at the save (ms)
    std::uint64_t steps = 0;  // fadvance() calls up to t
    std::uint64_t bytes = 0;  // file size
};

Result<CheckpointInfo> read_checkpoint_info(const std::filesystem::path& file);

}  // namespace silico::experiments
