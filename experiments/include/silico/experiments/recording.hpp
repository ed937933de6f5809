// What a simulation records, and how spikes are read from a recorded trace.
//
// Places on a cell are named by the hoc name of a section (the cell builder exposes one per section ID, e.g.
// "soma", "dend[3]") and a position x along it, as in NEURON: sec(x).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::experiments {

// A point on the cell: section `section` (its hoc name) at relative position x in [0, 1].
struct Location {
    std::string section;
    double x = 0.5;
};

// One recorded variable, sampled at every integration step (so CVODE traces have variable steps).
struct Probe {
    std::string name;  // the trace's name in results, e.g. "soma.v" (unique within a protocol)
    Location at;
    // "v", an ion variable ("cai", "eca"), a range variable in hoc form ("ica_Ca_LVAst") or in
    // mechanism.variable form ("Ca_LVAst.ica", translated to the hoc form).
    std::string variable = "v";
};

// A recorded trace; values[i] belongs to the i-th time sample.
struct Trace {
    std::string name;
    std::vector<double> values;
};

// The hoc range-variable name for a probe variable: "Ca_LVAst.ica" -> "ica_Ca_LVAst", "v" -> "v".
// Rejects anything that is not a plain identifier, so it can be pasted into hoc safely.
Result<std::string> hoc_variable_name(std::string_view variable);

// The hoc pointer expression recording a probe, e.g. "&dend[3].ica_Ca_LVAst(0.25)".
Result<std::string> hoc_reference(const Probe& probe);

// Spike times as ISF's simple_spike_detection reports them: time[i] for every i >= 1 with
// v[i-1] < threshold <= v[i] (upward crossings; the time of the first sample at or above threshold).
// The default threshold of 0 mV is ISF's somatic one; ISF uses -30 mV for dendritic spikes.
std::vector<double> detect_spikes(std::span<const double> time, std::span<const double> v,
                                  double threshold = 0.0);

}  // namespace silico::experiments
