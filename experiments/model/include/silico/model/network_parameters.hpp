// ISF network parameter files (network.param, read by ISF single_cell_parser/network.py;
// docs/synaptic_input.md) as typed structs.
//
// Populations, spike sources and receptors keep the file's key order: ISF draws random numbers in that order.
// Errors name the file and the key path (e.g. "network.L5tt_C2.celltype.pointcell.intervals"); syntax errors
// come from the .param reader with file:line:col.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/recipes/isf_param.hpp"

namespace silico::experiments {

// `spiketrain`: Poisson-like train, interval between spikes (1-noise)·interval + noise·interval·Exp(1).
struct SpikeTrainSource {
    double interval = 0.0;  // mean ISI, ms
    // ISF reads `noise` and `start` together: `start` is only honoured when `noise` is present.
    std::optional<double> noise;
    std::optional<double> start;
    std::optional<std::int64_t> nspikes;  // fixed number of spikes instead of running to tStop
};

// `pointcell` distributions (§6). Each keeps exactly the keys it uses.
struct PsthDistribution {
    std::vector<std::pair<double, double>> intervals;  // [t0, t1) ms after offset
    std::vector<double> probabilities;                 // spike probability per cell per bin
    double offset = 0.0;
};
struct PsthAbsoluteNumber {
    std::vector<std::pair<double, double>> intervals;
    std::vector<std::int64_t> number_active_synapses;
    double offset = 0.0;
};
struct NormalDistribution {  // offset + spikeT + spikeWidth·N(0,1), clipped at 0.1
    double active_frac = 0.0, spike_t = 0.0, spike_width = 0.0, offset = 10.0;
};
struct UniformDistribution {  // offset + window·U(0,1), clipped at 0.1
    double active_frac = 0.0, window = 0.0, offset = 0.0;
};
struct LognormalDistribution {  // offset + lognormal(mu, sigma), clipped at 0.1
    double active_frac = 0.0, mu = 0.0, sigma = 0.0, offset = 0.0;
};
// `PSTH_poissontrain` (deprecated in ISF): per bin i, every cell gets a Poisson train of rate rates[i] Hz on
// [t0, t1], made exactly like a `spiketrain` with interval 1000/rate, noise 1, start t0, tStop t1 (one
// private generator per cell and bin). A bin with rate 0 is skipped. `offset` is read but, as in ISF, not
// applied.
struct PsthPoissonTrain {
    std::vector<std::pair<double, double>> intervals;
    std::vector<double> rates;  // Hz, >= 0
    double offset = 0.0;
};
// `PSTH_poissontrain_v2`: an inhomogeneous Poisson train with rate rates[i] Hz on [bins[i], bins[i+1]) (ms),
// made by time-warping a unit-rate process (ISF's sample_times_from_rates: ISIs Exp(1000 ms), the cumulative
// rate integral mapped back to time by linear interpolation). bins has one more entry than rates. `offset` is
// read but, as in ISF, not applied: bins are absolute times.
struct PsthPoissonTrainV2 {
    std::vector<double> bins;
    std::vector<double> rates;  // Hz, >= 0
    double offset = 0.0;
};
// `poissontrain_modulated`: a PSTH_poissontrain_v2 per cell over bins of bin_size ms from `offset` to tStop
// (the first bin starts at 0 and has rate_before_t_offset), with rate mean_rate·(1 + max_modulation·
// sin(2π·modulation_frequency·(t - offset)/1000 + phase)), sampled as ISF does (linspace over the bins). Each
// cell has its own phase: phase_distribution "uniform" (U(0, 2π)), "normal" (mean_phase, std_phase) or any
// other value for phase 0.
struct PoissonTrainModulated {
    double rate_before_t_offset = 0.0, mean_rate = 0.0, max_modulation = 0.0;
    double modulation_frequency = 0.0;  // Hz
    double bin_size = 0.0;              // ms
    std::string phase_distribution;
    double mean_phase = 0.0, std_phase = 0.0;  // read only for "normal"
    double offset = 0.0;
};
using PointCellSource =
    std::variant<PsthDistribution, PsthAbsoluteNumber, NormalDistribution, UniformDistribution,
                 LognormalDistribution, PsthPoissonTrain, PsthPoissonTrainV2, PoissonTrainModulated>;

using SpikeSource = std::variant<SpikeTrainSource, PointCellSource>;

struct Receptor {
    std::string name;  // NMODL point process: "glutamate_syn", "gaba_syn"
    double threshold = 0.0;
    double delay = 0.0;           // NetCon delay, ms
    std::vector<double> weight;   // nS; one entry (gaba) or [AMPA, NMDA] (glutamate)
    bool weight_is_list = false;  // the file gave a list (kept for writing back)
    std::vector<std::pair<std::string, double>> parameters;  // range variables, file order
    std::optional<std::string> weight_distribution;          // "lognormal"
};

struct SynapseParameters {
    // Missing releaseProb: every spike releases. "dynamic": every spike releases + a stochastic-synapse RNG.
    std::optional<double> release_prob;
    bool release_dynamic = false;
    std::string distribution_file;  // .syn
    std::string connection_file;    // .con
    std::vector<Receptor> receptors;
};

struct Population {
    std::string name;  // "<celltype>_<column>", e.g. "L5tt_C2"
    std::int64_t cell_count = 0;
    std::vector<SpikeSource> sources;  // in file order
    SynapseParameters synapses;
};

struct NetworkParameters {
    std::vector<Population> populations;  // file order
    nlohmann::ordered_json info;
    nlohmann::ordered_json nmodl_mechanisms;
    nlohmann::ordered_json network_modify_functions;  // {name: kwargs}; applied by network_modify.hpp

    // Index of a population by name, or -1.
    std::ptrdiff_t find(std::string_view name) const;
};

// Converts a parsed .param tree (top-level `network` key). `source` names the file in errors.
Result<NetworkParameters> network_from_tree(const nlohmann::ordered_json& tree,
                                            std::string_view source = "<network>");
// Reads a .param file; relative .syn/.con names are resolved against the file's folder.
Result<NetworkParameters> read_network_param(const std::filesystem::path& file,
                                             const recipes::PathMap& paths = {});

// Back to an ISF tree (same key layout as the files), e.g. for writing or for TOML conversion.
nlohmann::ordered_json network_to_tree(const NetworkParameters& network);

// An ISF .param text (Python-literal dict, 2-space indent, trailing commas, tuples for intervals) that ISF's
// reader and silico's read back to the same tree.
std::string format_isf_param(const nlohmann::ordered_json& tree);

}  // namespace silico::experiments
