// The traces of many trials overlaid, as a density image: how many trials' lines pass through each cell of a
// time × value grid (ISF's `manylines` drawn for thousands of trials), plus the first few traces themselves.
//
// A trial's line covers, in each time bin, the value cells from the lowest to the highest of its samples in
// that bin and the last sample before it (so a spike upstroke covers every cell it crosses, as a drawn line
// does); a trial counts at most once per cell. Values outside [value_min, value_max] are clipped to the edge
// cells. The trace is the output "<site>.<variable>"; streamed like query_traces (one trace decoded at a
// time), and every trial of a group must share its "time" blob (else Errc::invalid_argument naming it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

struct TraceDensityOptions {
    std::string site = "soma";
    std::string variable = "v";
    std::size_t time_bins = 400;   // >= 1
    std::size_t value_bins = 160;  // >= 1
    double value_min = -90.0;      // mV; < value_max
    double value_max = 50.0;
    std::size_t keep_traces = 50;  // the first traces of each group, returned whole
};

struct TraceDensityGroup {
    std::vector<std::string> labels;
    std::size_t trials = 0;
    std::vector<double> time;  // the group's sample times
    // counts[t * value_bins + v]: trials whose line passes through time bin t (of [time.front(), time.back()])
    // and value bin v.
    std::vector<std::uint32_t> counts;
    std::vector<std::vector<double>> traces;  // up to keep_traces, dataset order
};

struct TraceDensityResult {
    TraceDensityOptions options;
    std::vector<std::string> columns;
    std::vector<TraceDensityGroup> groups;
};

// Errc::invalid_argument for zero bins or an empty value range; the errors of query_traces otherwise.
Result<TraceDensityResult> query_trace_density(const store::Store& store, const Dataset& dataset,
                                               const TraceDensityOptions& options = {},
                                               const SelectOptions& select = {});

}  // namespace silico::analysis
