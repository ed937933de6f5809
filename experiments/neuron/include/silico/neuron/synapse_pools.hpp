// The NEURON side of a synaptic-input network (ISF_SPEC.md §4, §6 step 4): receptor point processes,
// VecStims and NetCons on a cell built in NEURON, fed one TrialActivity per trial.
//
// Build once, run many. ISF creates a VecStim, receptors and NetCons for every active synapse in every trial;
// silico keeps a pool of "slots" per population (one VecStim playing a hoc Vector, one NetCon per receptor
// with its delay, threshold and weight, and the receptor point processes the slot owns). A trial assigns its
// active synapses to slots in order, points each slot at its synapse's site, sets weights only when they
// differ, and copies release times into the slots' Vectors (one bulk write per slot through
// Simulator::write_vector; slots left over from a previous trial get an empty Vector, i.e. no events). A pool
// grows only when a trial has more active synapses in a population than any trial before (reserve() does
// that up front), so after warm-up a trial creates no hoc objects.
//
// Shared receptors: a receptor with linear kinetics (no depression, no facilitation: decay 1 and facil 0,
// as in ISF's example networks) is exactly additive, so all such receptors with identical mechanism and
// parameters on one segment are one point process, fed by the NetCons of all its synapses (NetCon.setpost);
// such a slot owns no point process. Otherwise a slot owns its receptors and moves them with loc(). The
// result equals ISF's one-point-process-per-synapse up to the order of floating-point sums (ISF's stored
// trials replay with identical spikes, tests/experiments/neuron/synapse_pools_test.cpp), at ~1/3 of the point
// processes NEURON integrates every step. Idle point processes carry zero conductance (their current is
// exactly 0) but still cost integration time. Because moves and sharing change the order in which NEURON
// sums currents on a segment, a trial rerun after other trials agrees to ~1e-9 mV, not bit for bit.
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
