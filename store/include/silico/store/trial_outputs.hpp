// The outputs of one trial as a worker returns them: named arrays (array.hpp bytes, the store's output
// names) plus what the run cost. The container is what travels back in a worker's result frame; the runner
// commits each array as one blob of the trial's record.
//
//   bytes  := "SLTO" header_length:u32 header:JSON array_bytes*
//   header := {"format", "neuron_version", "neuron_seconds", "cpu_seconds", "steps", "spikes",
//              "arrays": [{"name", "size"}...]}          arrays follow in header order, sizes in bytes
// Truncated or trailing bytes are Errc::corruption, another format Errc::version.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

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

}  // namespace silico::store
