// Spikes in a stored trace at a threshold (ISF's simple_spike_detection, ISF_SPEC §10): the time of every
// sample at or above the threshold whose previous sample is below it. -30 mV on a dendritic site finds ISF's
// dendritic "spikes"; 0 mV on the soma gives back the stored somatic spikes.
#pragma once

#include <string>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/analysis/spikes.hpp"
#include "silico/analysis/table.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

struct DetectOptions {
    double threshold = -30.0;  // mV
    std::string site = "soma";
    std::string variable = "v";
};

// Trials in dataset order, with their crossing times; streamed one trace at a time.
Result<SpikesResult> query_detect(const store::Store& store, const Dataset& dataset,
                                  const DetectOptions& options = {}, const SelectOptions& select = {});

}  // namespace silico::analysis
