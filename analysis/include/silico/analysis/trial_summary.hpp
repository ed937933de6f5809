// What a dataset's trial records say about how its trials were made: seeds, the silico and NEURON versions
// that ran them, the hosts they ran on and the time they took. For a report's summary.
//
// A dataset without records (an imported spike table) gives the row counts only (records == 0).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

struct TrialSummary {
    std::size_t trials = 0;  // selected rows
    std::size_t groups = 0;
    std::size_t records = 0;  // selected rows with a trial record
    std::optional<std::uint64_t> seed_min, seed_max;
    // value -> trials, over the selected records ("" is counted as "unknown").
    std::map<std::string, std::size_t> hosts, neuron_versions, silico_versions;
    std::size_t dirty = 0;      // trials run by a silico with uncommitted changes
    double wall_seconds = 0.0;  // summed over the trials
    std::int64_t first_start_unix_ms = 0, last_end_unix_ms = 0;  // 0 when unknown
};

// Reads every selected row's record (one RocksDB read each); the selection's errors otherwise.
Result<TrialSummary> summarize_trials(const store::Store& store, const Dataset& dataset,
                                      const SelectOptions& select = {});

}  // namespace silico::analysis
