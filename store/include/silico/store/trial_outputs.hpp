// The outputs of one trial as a worker returns them: named arrays (array.hpp bytes, the store's output
// names) plus what the run cost. The container is what travels back in a worker's result frame; the runner
// commits each array as one blob of the trial's record.
//
//   bytes  := "SLTO" header_length:u32 header:JSON array_bytes*
//   header := {"format", "neuron_version", "neuron_seconds", "cpu_seconds", "steps", "spikes",
//              "arrays": [{"name", "size"}...]}          arrays follow in header order, sizes in bytes
// Truncated or trailing bytes are Errc::corruption, another format Errc::version.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/store/array.hpp"

namespace silico::store {

// Bumped on any change of the container. 2: follows the request format's units field.
inline constexpr int k_trial_outputs_format_version = 2;

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

std::string encode_trial_outputs(const TrialOutputs& outputs);
Result<TrialOutputs> decode_trial_outputs(std::string_view bytes);

// ISF's two activation tables (simrun `*_synapses.csv` and `*_presynaptic_cells.csv`) as a trial's outputs, one
// column per array, the same whether a worker recorded them or an ISF run was imported (docs/recipes.md, "What a trial stores"):
//   synapse_activation.{population, ids (synapse, section, point), soma_distance, label, times}
//   presynaptic_spikes.{population, cell_id, times}
struct SynapseActivationColumns {
    std::vector<std::string> population;  // presynaptic cell type, "L5tt_C2"
    std::vector<std::int64_t> synapse_id, section_id, point_id;
    std::vector<double> soma_distance;  // µm
    std::vector<std::string> label;     // dendrite label
    std::vector<std::vector<double>> times;

    // From rows with the fields of ISF's activation file (experiments::SynapseActivationRow); takes their times.
    template <class Rows>
    static SynapseActivationColumns of(Rows&& rows) {
        SynapseActivationColumns c;
        for (auto& r : rows) {
            c.population.push_back(r.synapse_type);
            c.synapse_id.push_back(r.synapse_id);
            c.section_id.push_back(r.section_id);
            c.point_id.push_back(r.section_pt_id);
            c.soma_distance.push_back(r.soma_distance);
            c.label.push_back(r.dendrite_label);
            c.times.push_back(std::move(r.times));
        }
        return c;
    }
};

struct PresynapticSpikeColumns {
    std::vector<std::string> population;  // presynaptic cell type
    std::vector<std::int64_t> cell_id;
    std::vector<std::vector<double>> times;

    // From rows with the fields of ISF's presynaptic cells file (experiments::PresynapticCellRow).
    template <class Rows>
    static PresynapticSpikeColumns of(Rows&& rows) {
        PresynapticSpikeColumns c;
        for (auto& r : rows) {
            c.population.push_back(r.cell_type);
            c.cell_id.push_back(r.cell_id);
            c.times.push_back(std::move(r.times));
        }
        return c;
    }
};

// Each error names the output it was encoding.
Result<std::vector<NamedArray>> encode_synapse_activation(const SynapseActivationColumns& columns);
Result<std::vector<NamedArray>> encode_presynaptic_spikes(const PresynapticSpikeColumns& columns);

// The output names the encoders write, for a reader that fetches a trial's blobs by name.
inline constexpr std::array<std::string_view, 5> k_synapse_activation_outputs{
    "synapse_activation.population", "synapse_activation.ids", "synapse_activation.soma_distance",
    "synapse_activation.label", "synapse_activation.times"};
inline constexpr std::array<std::string_view, 3> k_presynaptic_spike_outputs{
    "presynaptic_spikes.population", "presynaptic_spikes.cell_id", "presynaptic_spikes.times"};

// Which activation outputs a reader decodes: bit i stands for k_synapse_activation_outputs[i] (or
// k_presynaptic_spike_outputs[i]). A query that bins release times needs three of the five, and a trial
// stored with only those three is complete for it. The population is always decoded: it gives the rows.
using ActivationFields = unsigned;
namespace synapse_field {
inline constexpr ActivationFields population = 1u << 0, ids = 1u << 1, soma_distance = 1u << 2,
                                  label = 1u << 3, times = 1u << 4, all = 0x1f;
}
namespace presynaptic_field {
inline constexpr ActivationFields population = 1u << 0, cell_id = 1u << 1, times = 1u << 2, all = 0x7;
}

// A text column with each distinct value kept once: row r is names[codes[r]], names in order of first
// appearance (pandas.Categorical's codes and categories).
struct InternedStrings {
    std::vector<std::string> names;
    std::vector<std::uint32_t> codes;

    std::size_t size() const { return codes.size(); }
    const std::string& operator[](std::size_t row) const { return names[codes[row]]; }
};

// One trial's synapse activation as the decoder leaves it: text interned, numbers flat (no vector per row),
// so a reader going through many trials decodes each into the same table and allocates only while they grow.
// Members of fields not decoded are empty.
struct SynapseActivationTable {
    ActivationFields fields = 0;  // what the last decode filled
    InternedStrings population;   // presynaptic cell type, "L5tt_C2"
    FlatArray ids;                // int64 table, 3 columns: synapse, section, point
    FlatArray soma_distance;      // float64 table, 1 column, µm
    InternedStrings label;        // dendrite label
    FlatArray times;              // spike lists: release times of row r at f64[offsets[r], offsets[r + 1])

    std::size_t size() const { return population.size(); }
    std::int64_t synapse_id(std::size_t r) const { return ids.i64[r]; }
    std::int64_t section_id(std::size_t r) const { return ids.i64[ids.rows + r]; }
    std::int64_t point_id(std::size_t r) const { return ids.i64[2 * ids.rows + r]; }
    double distance(std::size_t r) const { return soma_distance.f64[r]; }
    std::span<const double> times_of(std::size_t r) const {
        return {times.f64.data() + times.offsets[r], times.offsets[r + 1] - times.offsets[r]};
    }
};

struct PresynapticSpikeTable {
    ActivationFields fields = 0;
    InternedStrings population;  // presynaptic cell type
    FlatArray cell_id;           // int64 table, 1 column
    FlatArray times;             // spike lists

    std::size_t size() const { return population.size(); }
    std::int64_t id(std::size_t r) const { return cell_id.i64[r]; }
    std::span<const double> times_of(std::size_t r) const {
        return {times.f64.data() + times.offsets[r], times.offsets[r + 1] - times.offsets[r]};
    }
};

// The one decoder of the activation outputs (the inverse of the encoders), used by every reader: queries,
// exports and the Python module. From a trial's named arrays, in any order, other names ignored, it decodes
// the outputs `fields` names into `out`, reusing its capacity. Errc::not_found naming a missing output;
// Errc::corruption naming the output that does not decode, has the wrong kind or column count, or another
// row count than the population.
Status decode_synapse_activation(std::span<const NamedArray> arrays, SynapseActivationTable& out,
                                 ActivationFields fields = synapse_field::all);
Status decode_presynaptic_spikes(std::span<const NamedArray> arrays, PresynapticSpikeTable& out,
                                 ActivationFields fields = presynaptic_field::all);

}  // namespace silico::store
