// The trial pipeline: one condition of a recipe (recipes::Spec) plus a trial's index and seed become a run
// in NEURON and a set of named output arrays.
//
// A Model is the part that is expensive and shared by many trials: the cell, built in NEURON once. Its
// description (ModelSpec, serialised with encode_model) is the recipe's [cell] with every file path absolute,
// so a worker rebuilds the same cell from it. Model::run takes one trial (the full condition spec, the trial
// index and seed), (re)installs the protocol objects only when the stimulus layout or recordings change
// (amplitudes alone are set on the installed objects), integrates with the recipe's solver and returns
// named float64 arrays and the somatic spike times.
//
// Protocols covered: current_step, pulse, bac. `evoked` and `replay` need the network part (branch
// `replay`): they fail with Errc::invalid_argument "protocol X not supported yet" until a runner for them is
// registered with register_protocol_runner().
//
// Outputs of one trial (TrialOutputs::arrays, names are stable: they are the store's output names):
//   "time"            f64 table, 1 column: sample times (ms)
//   "<probe>"         f64 table, 1 column per probe: "soma.v", "soma.cai", "<site>.v", "<site>.Ca_LVAst.ica"
//   "spikes"          spike list, 1 list: somatic spike times (ms, upward crossings of 0 mV, ISF's rule)
// Sampling: every integration step when record.dt equals simulation.dt on the fixed-step solver; otherwise
// the traces are linearly interpolated onto t = 0, record.dt, 2 record.dt, ... (CVODE steps are irregular).
// record.precision = float32 rounds values to float before encoding (stored losslessly as those values).
//
// Test-only knob (tests of the runner's failure handling): a [[cell.modify]] entry with
// function = "silico_test_abort_trials" and args = {trials = [i, ...]} makes Model::run call std::abort()
// for those trial indices. It is part of the recipe, so of the trial keys: it never touches real results.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/experiments/cell.hpp"
#include "silico/experiments/checkpoint.hpp"
#include "silico/recipes/recipe.hpp"

namespace silico::experiments {

inline constexpr std::string_view k_test_abort_function = "silico_test_abort_trials";
// Version of the model/trial/result serialisations below; a mismatch is Errc::version.
inline constexpr int k_trial_format_version = 1;

// What is built once: the cell.
struct ModelSpec {
    recipes::CellSpec cell;
};

// One trial: the condition's full spec, the trial index within the condition and its seed.
struct TrialInput {
    recipes::Spec spec;
    std::uint64_t trial = 0;
    std::uint64_t seed = 0;
};

// One named output: encoded with silico/store/array.hpp ("silico-array" bytes).
struct NamedArray {
    std::string name;
    std::string bytes;
};

struct TrialOutputs {
    std::vector<NamedArray> arrays;
    std::vector<double> spikes;  // somatic spike times (also in arrays as "spikes")
    std::string neuron_version;  // of the process that ran the trial
    double neuron_seconds = 0;   // inside NEURON's init and integration
    double cpu_seconds = 0;      // process CPU time of the run (whole trial, this thread)
    std::uint64_t steps = 0;
};

// Serialisation of models, trials and results (JSON text for the specs, a length-prefixed container for the
// results). The model text is also the worker's model identity: equal text, same built cell.
std::string encode_model(const ModelSpec& model);
Result<ModelSpec> decode_model(std::string_view text);
std::string encode_trial(const TrialInput& trial);
Result<TrialInput> decode_trial(std::string_view text);
std::string encode_outputs(const TrialOutputs& outputs);
Result<TrialOutputs> decode_outputs(std::string_view bytes);

// Extension point for protocols that need more than current injections (evoked, replay): called by
// Model::run with the built cell for every trial of that protocol. It owns whatever it builds (network,
// synapses) and may cache it between calls; it must leave NEURON's cell usable for the next trial.
using ProtocolRunner = std::function<Result<TrialOutputs>(NeuronCell& cell, const TrialInput& trial)>;
void register_protocol_runner(recipes::Protocol protocol, ProtocolRunner runner);

class Model {
  public:
    // Builds the cell in this process's NEURON (reading morphology and parameters). One Model at a time per
    // process: a second one would add a second cell to the same NEURON.
    static Result<Model> build(const ModelSpec& spec);

    // Runs one trial. Errors name the trial (condition protocol, trial index) and what failed.
    // With `checkpoint` (checkpoint.hpp) the trial resumes from checkpoint->file when it holds a checkpoint
    // of this very trial and saves there every checkpoint->every_ms; the identity checked is
    // checkpoint->identity plus the SHA-256 of this model's and the trial's serialisations. `report`, when
    // given, receives what checkpointing did. Protocols run by a registered ProtocolRunner (evoked, replay)
    // are not checkpointed yet: they run from t = 0 with a warning in `report`.
    Result<TrialOutputs> run(const TrialInput& trial, const CheckpointOptions* checkpoint = nullptr,
                             CheckpointReport* report = nullptr);

    const ModelSpec& spec() const;

    Model(Model&&) noexcept;
    Model& operator=(Model&&) noexcept;
    ~Model();

    struct Impl;

  private:
    explicit Model(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace silico::experiments
