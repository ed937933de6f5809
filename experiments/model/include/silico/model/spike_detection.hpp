// Spike detection on a sampled trace, as ISF does it
// (single_cell_parser/analyze/membrane_potential_analysis.py::simple_spike_detection).
#pragma once

#include <span>
#include <vector>

namespace silico::experiments {

// Spike times as ISF's simple_spike_detection reports them: time[i] for every i >= 1 with
// v[i-1] < threshold <= v[i] (upward crossings; the time of the first sample at or above threshold).
// The default threshold of 0 mV is ISF's somatic one; ISF uses -30 mV for dendritic spikes.
std::vector<double> detect_spikes(std::span<const double> time, std::span<const double> v,
                                  double threshold = 0.0);

}  // namespace silico::experiments
