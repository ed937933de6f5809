// Presynaptic activity and synaptic release for one trial (ISF single_cell_parser/network.py,
// cell.py::PointCell), NEURON-free.
//
// The result is flat: all spike times and all release times in two contiguous arrays with offsets, so the
// NEURON side fills its VecStim vectors with one bulk copy per synapse and nothing is allocated per event.
//
// Two RNG modes:
//   isf          the draw order of ISF's NetworkMapper on numpy's global RandomState (pass the process-wide
//                IsfRandomState; ISF seeds it once per process and continues it across sweeps).
//   independent  every cell and synapse draws from its own stream derived from (trial seed, population name,
//                index): results do not depend on population order, batching or which trials ran before.
//
// The isf mode's draw order per sweep and per distribution is documented in docs/synaptic_input.md ("RNG
// modes"); tests/experiments/model/activity/activity_test.cpp checks it against numpy's known answers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/model/isf_random.hpp"
#include "silico/model/network_parameters.hpp"
#include "silico/model/prepared_network.hpp"
#include "silico/model/simrun_files.hpp"

namespace silico::experiments {

enum class RngMode { isf, independent };

struct ActivityOptions {
    double t_stop = 345.0;  // ms; ISF's sim.tStop, the end of spike trains
};

// One synapse with at least one release.
struct ActiveSynapse {
    std::uint32_t population = 0;                      // index into PreparedNetwork::parameters.populations
    std::uint32_t synapse_id = 0;                      // index within its type (.syn order)
    std::uint32_t cell_id = 0;                         // presynaptic cell
    std::uint32_t release_begin = 0, release_end = 0;  // slice of TrialActivity::release_times (sorted)
    std::uint32_t weight_begin = 0;  // slice of TrialActivity::weights, weights_per_synapse[population] long
    std::int64_t dynamic_seed = -1;  // releaseProb "dynamic": ISF's hoc Random seed int(1e6·rand()), else -1
};

// Which kind of source made a presynaptic spike: ISF's spike_source labels (spike_origin_name), which network
// modify functions select by. `replay` marks times read from an activation file (ISF has no label for them).
enum class SpikeOrigin : std::uint8_t {
    poissontrain,  // a `spiketrain` source
    pointcell_normal,
    pointcell_uniform,
    pointcell_lognormal,
    pointcell_psth,
    pointcell_psth_absolute_number,
    pointcell_psth_poissontrain,
    psth_poissontrain_v2,
    poissontrain_modulated,
    replay,
};
// ISF's label, e.g. "pointcell_PSTH", "poissontrain"; "replay" for replay.
std::string_view spike_origin_name(SpikeOrigin origin);
std::optional<SpikeOrigin> spike_origin_from_name(std::string_view name);

struct TrialActivity {
    // Presynaptic cells of population p are cells [cell_begin[p], cell_begin[p+1]); cell c's spikes are
    // spike_times[spike_begin[c] .. spike_begin[c+1]), sorted.
    std::vector<std::uint32_t> cell_begin;
    std::vector<std::uint32_t> spike_begin;
    std::vector<double> spike_times;
    std::vector<SpikeOrigin> spike_origins;  // parallel to spike_times
    // Active synapses in draw order (populations in file order, .con lines in file order).
    std::vector<ActiveSynapse> synapses;
    std::vector<double> release_times;
    std::vector<SpikeOrigin> release_origins;  // parallel to release_times: the released spike's origin
    std::vector<double> weights;               // nS, receptors in file order, each receptor's list flattened

    std::size_t release_count() const { return release_times.size(); }
};

// isf mode: draws from `rng` exactly as ISF does for one sweep.
Result<TrialActivity> generate_activity_isf(const PreparedNetwork& network, IsfRandomState& rng,
                                            const ActivityOptions& options = {});
// independent mode: everything derived from `trial_seed`.
Result<TrialActivity> generate_activity_independent(const PreparedNetwork& network, std::uint64_t trial_seed,
                                                    const ActivityOptions& options = {});

// Replay (ISF run_existing_synapse_activations): the synapses and release times of a stored activation file
// as a TrialActivity over `network`'s populations. ISF creates the replayed synapses anew, numbered per type
// in file order and placed at (section ID, section pt ID) of the row, so ActiveSynapse::synapse_id is that
// replay number (index into the rows of its type), cell_id is 0 and there are no presynaptic cells. Every
// stored time releases; weights are the receptors' nominal weights (a lognormal weightDistribution is an
// error: ISF would draw fresh weights the file does not record). A type missing from `network` is an error.
Result<TrialActivity> activity_from_replay(const PreparedNetwork& network,
                                           const std::vector<SynapseActivationRow>& rows);

}  // namespace silico::experiments
