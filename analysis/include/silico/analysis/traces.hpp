// Mean and standard deviation of stored traces per group, streamed: one trial's trace is decoded at a time,
// so memory holds one trace and the running sums per group, whatever the number of trials.
//
// The trace is the trial output "<site>.<variable>" ("soma.v" by default: the soma Vm; an imported ISF run's
// dendritic sites are named by their label). Every trial of a group must be sampled at the same times (its
// "time" output holds the same values: analysis/time_axis.hpp): anything else is Errc::invalid_argument naming
// the trial. The SD is the sample SD
// (n - 1 in the denominator, pandas' default); with one trial it is NaN.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/analysis/table.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

struct TraceOptions {
    std::string site = "soma";
    std::string variable = "v";
    bool mean = true;
    bool sd = true;
    // Print every k-th sample only (the statistics are computed on all of them).
    std::size_t every = 1;
};

struct TraceGroup {
    std::vector<std::string> labels;
    std::size_t trials = 0;
    std::vector<double> time, mean, sd;
};

struct TraceResult {
    TraceOptions options;
    std::vector<std::string> columns;
    std::vector<TraceGroup> groups;
    std::uint64_t samples = 0;  // trace values read, over all trials (8 bytes each as float64)
};

Result<TraceResult> query_traces(const store::Store& store, const Dataset& dataset,
                                 const TraceOptions& options = {}, const SelectOptions& select = {});
// Columns: the group columns, trials, t, then mean and/or sd.
Table to_table(const TraceResult& result);

}  // namespace silico::analysis
