// The NEURON side of a synaptic-input network (ISF single_cell_parser/network.py,
// activate_functional_synapse): receptor point processes, VecStims and NetCons on a cell built in NEURON, fed
// one TrialActivity per trial.
//
// Build once, run many: a pool of slots per population (VecStim, Vector, NetCons, owned receptors) grows only
// when a trial needs more; a trial moves slots, sets changed weights and copies release times. Linear
// receptors may share one point process per segment. Results equal ISF's up to the order of floating-point
// sums (~1e-9 mV after other trials, not bit for bit). Design and measurements: docs/neuron.md, "Synapse
// pools".
//
// Where synapses sit (SynapseSites) is computed NEURON-free from the cell model: the .syn mapping for new
// trials, or the rows of an ISF activation file for replays (ISF renumbers replayed synapses per type).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/activity.hpp"
#include "silico/model/synapse_sites.hpp"
#include "silico/neuron/neuron_cell.hpp"

namespace silico::experiments {

class Simulator;

class SynapsePools {
  public:
    // Declares the pools for `network`'s populations on `cell` (no point processes yet). The cell and the
    // network must outlive the model. share_linear_receptors = false gives every synapse its own receptor
    // point processes, as ISF does (slower; for comparisons).
    static Result<SynapsePools> create(Simulator& simulator, const NeuronCell& cell,
                                       const PreparedNetwork& network, bool share_linear_receptors = true);

    // Makes sure population p has at least slots[p] slots (creates the missing ones in NEURON).
    Status reserve(const std::vector<std::uint32_t>& slots);
    // Slots per population in a trial: the active synapses per population.
    static std::vector<std::uint32_t> slots_needed(const PreparedNetwork& network,
                                                   const TrialActivity& activity);

    // Prepares NEURON for one trial: active synapse i of `activity` goes to its site in `sites` with its
    // release times and weights; every other slot plays nothing. Then run the trial (Stimulus::run).
    Status load(const TrialActivity& activity, const SynapseSites& sites);

    // Slots created so far (all populations), and how many carry events in the loaded trial.
    std::size_t slot_count() const;
    // Receptor point processes created so far: owned by slots plus shared ones.
    std::size_t receptor_count() const;
    std::size_t active_count() const { return m_active; }
    // hoc objects created by the last load() (0 once the pools are warm).
    std::size_t created_by_last_load() const { return m_created_last; }

    SynapsePools(SynapsePools&&) noexcept;
    SynapsePools& operator=(SynapsePools&&) noexcept;
    SynapsePools(const SynapsePools&) = delete;
    SynapsePools& operator=(const SynapsePools&) = delete;
    // Frees the model's hoc objects (NetCons, VecStims, receptors, Vectors).
    ~SynapsePools();

  private:
    struct State;
    explicit SynapsePools(std::unique_ptr<State> state);
    std::unique_ptr<State> m_state;
    std::size_t m_active = 0;
    std::size_t m_created_last = 0;
};

}  // namespace silico::experiments
