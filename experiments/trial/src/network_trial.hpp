// The synaptic-input side of evoked and replay trials (trial_runner.hpp), private to the trial pipeline.
//
// A NetworkInput is built once per network (input.network / input.builder, the replay file) on a cell in
// NEURON and reused by every trial that names the same network: parameters and .con files read once,
// synapses placed once, the SynapsePools's slot pools kept warm. Per trial it draws (or, for replays,
// reads) the activity, loads it into NEURON, and afterwards turns it into the stored tables.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/activity.hpp"
#include "silico/model/isf_random.hpp"
#include "silico/model/simrun_files.hpp"
#include "silico/model/synapse_sites.hpp"
#include "silico/neuron/neuron_cell.hpp"
#include "silico/neuron/synapse_pools.hpp"
#include "silico/recipes/recipe.hpp"
#include "silico/store/trial_outputs.hpp"

namespace silico::experiments {

class Simulator;

namespace detail {

// What makes two trials share a NetworkInput: the protocol, the network source (tree or builder inputs)
// and the replay file. release_probability, seeds and tstop are per trial.
std::string network_key(const recipes::Spec& spec);

class NetworkInput {
  public:
    // Reads and places the network of `spec` on `cell` (which must outlive this object).
    static Result<std::unique_ptr<NetworkInput>> build(Simulator& simulator, const NeuronCell& cell,
                                                       const recipes::Spec& spec);

    // Draws (evoked) or takes (replay) the activity of one trial and loads it into NEURON: afterwards a
    // Stimulus::run integrates with it. Seeds: isf mode = ISF's stream of process seed `seed`, continued
    // over sweeps 0..trial-1 (kept between consecutive trials, replayed from the seed otherwise);
    // independent mode = streams derived from `seed` alone.
    Status load(const recipes::Spec& spec, std::uint64_t trial, std::uint64_t seed);

    // The stored tables of the loaded trial (names and layouts in trial_runner.hpp), appended to `out`.
    Status append_outputs(const recipes::Spec& spec, std::vector<store::NamedArray>& out) const;

    // The loaded trial's activation rows (ISF's synapse activation file rows) and presynaptic cells.
    Result<std::vector<SynapseActivationRow>> activation_rows() const;
    std::vector<PresynapticCellRow> presynaptic_rows() const;

    // The NEURON objects this input owns (slots, receptors, active synapses), as text: a checkpoint can
    // only be restored into objects of the same structure.
    std::string structure() const;

    // isf mode's generator and where it stands. A checkpointed trial gets a freshly built input of the same
    // network; handing it the stream spares redrawing every earlier sweep from the seed.
    struct IsfStream {
        std::optional<IsfRandomState> rng;
        std::string position;  // (seed, release probability, tstop) it was drawn for
        std::uint64_t next = 0;
    };
    IsfStream take_isf_stream();
    void continue_isf_stream(IsfStream stream);

    NetworkInput(const NetworkInput&) = delete;
    NetworkInput& operator=(const NetworkInput&) = delete;
    ~NetworkInput();

  private:
    NetworkInput() = default;

    PreparedNetwork m_network;
    // Release probabilities as read, so a per-trial override can be undone.
    std::vector<std::optional<double>> m_release_prob;
    std::vector<bool> m_release_dynamic;
    SynapseSites m_sites;
    SynapsePlacement m_placement;
    std::unique_ptr<SynapsePools> m_model;
    bool m_replay = false;
    std::optional<TrialActivity> m_replayed;  // replay: the same activity every trial
    // evoked: network.param's network_modify_functions, applied before the recipe's input.modify
    std::vector<recipes::ModifyFunction> m_file_modify;
    // isf mode: the generator and the (seed, release probability, tstop, next trial) it is positioned at.
    IsfStream m_isf;
    TrialActivity m_activity;  // the loaded trial's
};

}  // namespace detail
}  // namespace silico::experiments
