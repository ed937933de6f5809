// ISF network parameter files (ISF_SPEC.md §5.1) as typed structs.
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
// Distributions read but not generated (PSTH_poissontrain, PSTH_poissontrain_v2, poissontrain_modulated):
// their ISF implementations draw from helpers outside the documented stream, so generation refuses them.
struct UnsupportedDistribution {
    std::string name;
    nlohmann::ordered_json parameters;
};
using PointCellSource = std::variant<PsthDistribution, PsthAbsoluteNumber, NormalDistribution,
                                     UniformDistribution, LognormalDistribution, UnsupportedDistribution>;

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
    nlohmann::ordered_json network_modify_functions;  // kept, not applied here

    // Index of a population by name, or -1.
    std::ptrdiff_t find(std::string_view name) const;
};

// Converts a parsed .param tree (top-level `network` key). `source` names the file in errors.
Result<NetworkParameters> network_from_tree(const nlohmann::ordered_json& tree,
                                            std::string_view source = "<network>");
Result<NetworkParameters> read_network_param(const std::filesystem::path& file,
                                             const recipes::PathMap& paths = {});

// Back to an ISF tree (same key layout as the files), e.g. for writing or for TOML conversion.
nlohmann::ordered_json network_to_tree(const NetworkParameters& network);

// An ISF .param text (Python-literal dict, 2-space indent, trailing commas, tuples for intervals) that ISF's
// reader and silico's read back to the same tree.
std::string format_isf_param(const nlohmann::ordered_json& tree);

}  // namespace silico::experiments
