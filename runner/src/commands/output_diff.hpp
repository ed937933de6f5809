// `silico check`'s comparison of a trial's stored outputs with a re-run's (docs/check.md).
//
// Each output is a numeric array (silico/store/array.hpp). Two outputs are identical when they hold the same
// values bit for bit: equal bytes, or bytes that decode to the same kind, shape and bits (the same values are
// other bytes when another zstd version or level compressed them, so bytes alone would refuse a faithful
// re-run on another machine). Otherwise both are compared value by value against the output's tolerance: a value agrees when
// |stored - rerun| <= tolerance, and with tolerance 0 (the default) only when both have the same bits, so a
// NaN agrees with the same NaN and -0 differs from +0. Spike lists also report how the spike times changed.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::runner {

// --tolerance SPEC, SPEC := entry ("," entry)*, entry := X | OUTPUT=X, X an absolute tolerance >= 0 in the
// output's unit. A bare X applies to every output without its own entry; the default is 0 (bit-identical).
struct Tolerance {
    double all = 0.0;
    std::map<std::string, double> per_output;
    double of(const std::string& output) const;
    bool exact() const;
};
Result<Tolerance> parse_tolerance(std::string_view spec);

// How one output of a re-run compares with the stored one.
struct OutputDiff {
    std::string name;
    bool identical = false;     // the same values bit for bit
    bool within = false;        // every value within tolerance (true when identical)
    std::string problem;        // a difference of shape or kind, or a missing output; "" otherwise
    double max_abs = 0.0;       // largest |stored - rerun| over the values compared (NaN vs number: inf)
    std::size_t differing = 0;  // values beyond tolerance
    std::optional<std::size_t> first_index;  // row (or spike) index of the first value beyond tolerance
    std::optional<double> first_time;        // that row's time, from the trial's "time" output
    // Spike lists: the number of spikes in each, and the first spike that moved or appeared/vanished.
    std::optional<std::size_t> stored_spikes, rerun_spikes;
    std::optional<double> first_spike_stored, first_spike_rerun;  // the first changed spike (absent: none)
};

// Compares one output. `time` is the trial's time column (for first_time), empty when unknown.
OutputDiff compare_output(const std::string& name, std::string_view stored, std::string_view rerun,
                          double tolerance, const std::vector<double>& time);

// One line per output, e.g. "soma.v: max |Δ| 0.0123 at 37 of 1201 values, first at t = 12.5".
std::string describe(const OutputDiff& diff);

}  // namespace silico::runner
