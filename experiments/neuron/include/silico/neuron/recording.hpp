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
#include "silico/model/spike_detection.hpp"
#include "silico/neuron/simulator.hpp"

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

// Whether section `section` (hoc name) has `variable` in the probe forms above: "v" everywhere, an ion
// variable ("cai", "ica", "eca") where its ion is in use, "Mech.var" or "var_Mech" where Mech is inserted.
// Decided per section from ismembrane(), without touching the variable, so absent ones raise no hoc error.
Result<bool> section_has_variable(Simulator& simulator, std::string_view section, std::string_view variable);

}  // namespace silico::experiments
