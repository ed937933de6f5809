// ISF results into the store as named datasets (docs/analysis.md "Importing ISF results").
//
//   import_isf_spike_times  ISF's spike-time table (data_base key `spike_times`, e.g. 18000_trials/
//                           spike_times.csv): first column the trial index, then columns 0..k-1 of spike
//                           times, empty where a trial has fewer spikes. One dataset row per line; no records.
//   import_isf_simrun       every simrun folder below DIR (a folder holding `*_vm_all_traces.csv`, paths with
//                           `_running` skipped, as ISF's load_simrun_general does): each trial becomes a
//                           store trial whose outputs are named as silico's own trials' (time, soma.v,
//                           <site>.v, spikes, synapse_activation.*, presynaptic_spikes.*), plus the run's
//                           parameter copies (parameters.neuron, parameters.network, the files' bytes).
//
// Both are content-addressed and idempotent: a trial's key is a digest of its files' content and its index,
// the dataset's bytes depend only on content (file and folder names, not paths), and importing again changes
// nothing. Nothing is half-imported: every file is read and checked, and the dataset name checked against the
// store, before the first write; bad input is one error naming the file (and line). The trials are then
// committed one by one and the dataset item last, so an interrupted import leaves no dataset (only complete,
// unreferenced trials that the next import reuses and `silico store gc` never deletes).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "silico/analysis/dataset.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

inline constexpr std::string_view k_isf_import_key_format = "silico.isf-import-key.v1";

struct ImportReport {
    std::string name;              // dataset name
    std::size_t folders = 0;       // simrun folders read (0 for a spike table)
    std::size_t trials = 0;        // dataset rows
    std::size_t new_trials = 0;    // trial records written by this import
    bool dataset_existed = false;  // the same dataset was already there: nothing was written
};

// The rows of a spike-time table. Index column: any header name (ISF writes "sim_trail_index"); its last
// '/'-separated part is the trial number when it is all digits (else the row number), and the part before it
// becomes the text column "path". Errc::parse "FILE:LINE: ..." for a ragged row, a field that is not a number,
// a repeated index or an empty table.
Result<Dataset> parse_isf_spike_times(std::string_view text, std::string_view source);
Result<Dataset> read_isf_spike_times(const std::filesystem::path& file);
Result<ImportReport> import_isf_spike_times(store::Store& store, const std::filesystem::path& file,
                                            std::string_view name);

struct SimrunImportOptions {
    double spike_threshold_mv = 0.0;  // somatic spikes: upward crossings of the soma trace (ISF_SPEC §10)
};
Result<ImportReport> import_isf_simrun(store::Store& store, const std::filesystem::path& dir,
                                       std::string_view name, const SimrunImportOptions& options = {});

}  // namespace silico::analysis
