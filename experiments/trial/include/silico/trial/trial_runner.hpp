// The trial pipeline: one condition of a recipe (recipes::Spec) plus a trial's index and seed become a run
// in NEURON and a set of named output arrays.
//
// A TrialRunner is the part that is expensive and shared by many trials: the cell, built in NEURON once. Its
// description (recipes::CellRequest, serialised with recipes::encode_cell_request) is the recipe's [cell] with every file path absolute,
// so a worker rebuilds the same cell from it. TrialRunner::run takes one trial (the full condition spec, the trial
// index and seed), (re)installs the protocol objects only when the stimulus layout or recordings change
// (amplitudes alone are set on the installed objects), integrates with the recipe's solver and returns
// named float64 arrays and the somatic spike times.
//
// Protocols: current_step, pulse, bac (current injections), and evoked and replay (synaptic input, with any
// current injections the recipe also gives). For evoked/replay the TrialRunner builds the network on its cell on
// the first such trial (input.network or input.builder read and prepared, synapses placed: by the .syn files
// for evoked, at the replay file's rows for replay; SynapsePools slot pools) and keeps it for every later
// trial with the same network (protocol, network source, builder inputs, replay file); a different network
// rebuilds it, a current-injection trial drops it. Per trial:
//   evoked, seeds.mode = isf          ISF's draw order on numpy's RandomState seeded with the trial's seed
//                                     (the ISF process seed); trial i continues the stream after sweeps
//                                     0..i-1 (consecutive trials continue, others replay the earlier sweeps)
//   evoked, seeds.mode = independent  streams derived from the trial seed alone (any order, any batch)
//   replay                            the stored activation file's synapses and times, every trial alike
// input.release_probability overrides every population's releaseProb (evoked; a replay releases at every
// stored time, as ISF does); spike trains run to simulation.tstop.
// [[input.modify]] (network modify functions) is refused with Errc::invalid_argument for now.
// simulation.units sets NEURON's physical constants for the trial (nrnunit_use_legacy: process-wide, so set
// before every trial of every protocol; mod-file constants and Nernst potentials follow at run time).
//
// Outputs of one trial (store::TrialOutputs::arrays, names are stable: they are the store's output names):
//   "time"            f64 table, 1 column: sample times (ms)
//   "<probe>"         f64 table, 1 column per probe: "soma.v", "soma.cai", "<site>.v", "<site>.Ca_LVAst.ica"
//   "spikes"          spike list, 1 list: somatic spike times (ms, upward crossings of 0 mV, ISF's rule)
// With record.synapse_activation (evoked/replay), ISF's synapse activation file as columns, one row per
// active synapse, types sorted by name, synapse IDs ascending (replay: ISF's per-type replay numbering):
//   "synapse_activation.population"     strings: presynaptic type, e.g. "L5tt_C2"
//   "synapse_activation.ids"            i64 table, 3 columns: synapse ID, section ID, section point ID
//   "synapse_activation.soma_distance"  f64 table, 1 column: D3 soma distance (µm)
//   "synapse_activation.label"          strings: section label ("ApicalDendrite", "Dendrite", "Soma")
//   "synapse_activation.times"          spike lists, one per row: release times (ms, sorted)
// With record.presynaptic_spikes (evoked), ISF's presynaptic cells file, one row per cell with >= 1 spike,
// types sorted, cells in index order:
//   "presynaptic_spikes.population"     strings: cell type
//   "presynaptic_spikes.cell_id"        i64 table, 1 column: cell index within its type
//   "presynaptic_spikes.times"          spike lists, one per row: spike times (ms, sorted)
// Release and spike times are stored losslessly whatever record.precision says.
// With [record.dendrites], every segment of the cell (sections by ID, segments by x; the soma's is soma(0.5)):
//   "dendrites.segments"      f64 table, 3 columns: section ID, x (segment centre), D2 soma distance (µm)
//   "dendrites.label"         strings: each segment's section label
//   "dendrites.time"          f64 table, 1 column: t = 0, dt, 2 dt, ... (record.dendrites.dt)
//   "dendrites.<variable>"    f64 table, one column per segment (segments × samples), linearly
//                             interpolated from every integration step; NaN where a segment lacks it
// The geometry is the same blob for every trial of a cell, so the store holds it once.
// Sampling: every integration step when record.dt equals simulation.dt on the fixed-step solver; otherwise
// the traces are linearly interpolated onto t = 0, record.dt, 2 record.dt, ... (CVODE steps are irregular).
// record.precision = float32 rounds values to float before encoding (stored losslessly as those values).
//
// Test-only knob (tests of the runner's failure handling): a [[cell.modify]] entry with
// function = "silico_test_abort_trials" and args = {trials = [i, ...]} makes TrialRunner::run call std::abort()
// for those trial indices. It is part of the recipe, so of the trial keys: it never touches real results.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/neuron/checkpoint.hpp"
#include "silico/neuron/neuron_cell.hpp"
#include "silico/recipes/recipe.hpp"
#include "silico/recipes/trial_request.hpp"
#include "silico/store/trial_outputs.hpp"

namespace silico::experiments {

inline constexpr std::string_view k_test_abort_function = "silico_test_abort_trials";
class TrialRunner {
  public:
    // Builds the cell in this process's NEURON (reading morphology and parameters). One TrialRunner at a time per
    // process: a second one would add a second cell to the same NEURON.
    static Result<TrialRunner> build(const recipes::CellRequest& spec);

    // Runs one trial. Errors name the trial (condition protocol, trial index) and what failed.
    // With `checkpoint` (checkpoint.hpp) the trial resumes from checkpoint->file when it holds a checkpoint
    // of this very trial and saves there every checkpoint->every_ms; the identity checked is
    // checkpoint->identity plus the SHA-256 of this model's and the trial's serialisations. `report`, when
    // given, receives what checkpointing did.
    Result<store::TrialOutputs> run(const recipes::TrialRequest& trial,
                                    const CheckpointOptions* checkpoint = nullptr,
                                    CheckpointReport* report = nullptr);

    const recipes::CellRequest& spec() const;

    TrialRunner(TrialRunner&&) noexcept;
    TrialRunner& operator=(TrialRunner&&) noexcept;
    ~TrialRunner();

    struct Impl;

  private:
    explicit TrialRunner(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace silico::experiments
