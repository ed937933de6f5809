// Spike-time queries on a dataset's somatic spikes (ISF_SPEC §10), without reading any trial record.
//
//   spikes   the spike times of every selected trial
//   window   per group: trials, trials with a spike in [from, to), their fraction (ISF's spike_in_interval)
//   psth     per group: spikes per bin and trial, edges aligned to multiples of the bin (ISF's
//            PSTH_from_spike_times); optionally as a rate in Hz
//   bursts   per group: singlets, doublets, triplets (ISF's STAPlugin_bursts.event_analysis_bursts)
//
// Each query takes SelectOptions (it calls select()) or the Groups a select() on the same dataset returned, so
// a caller asking many questions of one grouping (the Python module) groups the rows once. Groups of another
// dataset (a different row count) are Errc::invalid_argument.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/analysis/table.hpp"
#include "silico/core/error.hpp"

namespace silico::analysis {

// ----- spikes: one row per selected trial
struct TrialSpikes {
    std::size_t row = 0;  // dataset row
    std::int32_t group = 0;
    std::vector<double> times;
};
struct SpikesResult {
    Groups groups;
    std::vector<TrialSpikes> trials;  // dataset order
};
Result<SpikesResult> query_spikes(const Dataset& dataset, const SelectOptions& select = {});
Result<SpikesResult> query_spikes(const Dataset& dataset, const Groups& groups);
// Columns: index, trial, the group columns, spikes (count), times (space-separated).
Table to_table(const SpikesResult& result, const Dataset& dataset);

// ----- window
struct WindowOptions {
    double from = 245.0;  // ms, inclusive
    double to = 265.0;    // ms, exclusive; from < to
};
struct WindowGroup {
    std::vector<std::string> labels;
    std::size_t trials = 0;
    std::size_t spiking = 0;  // trials with at least one spike in [from, to)
    double fraction() const {
        return trials ? static_cast<double>(spiking) / static_cast<double>(trials) : 0.0;
    }
};
struct WindowResult {
    WindowOptions options;
    std::vector<std::string> columns;  // group columns
    std::vector<WindowGroup> groups;
};
Result<WindowResult> query_window(const Dataset& dataset, const WindowOptions& options = {},
                                  const SelectOptions& select = {});
Result<WindowResult> query_window(const Dataset& dataset, const WindowOptions& options, const Groups& groups);
// Columns: the group columns, trials, spiking, fraction.
Table to_table(const WindowResult& result);

// ----- psth
struct PsthOptions {
    double bin = 1.0;            // ms, > 0
    std::optional<double> from;  // ms; default: the earliest selected spike
    std::optional<double> to;    // ms; default: the latest selected spike
    bool rate = false;           // spikes per trial and second (Hz) instead of per trial and bin
};
struct PsthGroup {
    std::vector<std::string> labels;
    std::size_t trials = 0;
    std::vector<double> values;  // per bin: count / trials (or / trials / bin seconds with rate)
    std::vector<std::uint64_t> counts;
};
struct PsthResult {
    PsthOptions options;
    std::vector<std::string> columns;
    std::vector<double>
        edges;  // bins + 1 edges: floor(from / bin) * bin + k * bin up to ceil(to / bin) * bin
    std::vector<PsthGroup> groups;
};
// Counting follows numpy.histogram: bins half-open [e_k, e_k+1), the last one closed; spikes outside the
// edges are not counted. Errc::invalid_argument for bin <= 0, from >= to, or more than 10^7 bins.
Result<PsthResult> query_psth(const Dataset& dataset, const PsthOptions& options = {},
                              const SelectOptions& select = {});
Result<PsthResult> query_psth(const Dataset& dataset, const PsthOptions& options, const Groups& groups);
// Columns: the group columns, bin_start, bin_end, count, then "per_trial" or "rate_hz".
Table to_table(const PsthResult& result);

// ----- bursts
struct BurstOptions {
    double doublet_ms = 10.0;    // ISF's maxtime[1]: t1 - t0 <= this
    double triplet_ms = 30.0;    // ISF's maxtime[2]: t2 - t0 <= this
    std::optional<double> from;  // count events that start in [from, to) only
    std::optional<double> to;
};
struct BurstEvent {
    std::size_t row = 0;
    double time = 0.0;         // the first spike of the event
    int spikes = 1;            // 1 singlet, 2 doublet, 3 triplet
    std::vector<double> isis;  // t_k - t_{k-1} within the event
};
struct BurstGroup {
    std::vector<std::string> labels;
    std::size_t trials = 0;
    std::size_t singlets = 0, doublets = 0, triplets = 0;
};
struct BurstResult {
    std::vector<std::string> columns;
    std::vector<BurstGroup> groups;
    std::vector<BurstEvent> events;  // dataset order, then time
};
// ISF's live definition: from the first spike not yet in an event, the event is a triplet when t2 - t0 <=
// triplet_ms, else a doublet when t1 - t0 <= doublet_ms, else a singlet; its spikes are consumed.
std::vector<BurstEvent> burst_events(std::span<const double> spikes, const BurstOptions& options = {});
Result<BurstResult> query_bursts(const Dataset& dataset, const BurstOptions& options = {},
                                 const SelectOptions& select = {});
Result<BurstResult> query_bursts(const Dataset& dataset, const BurstOptions& options, const Groups& groups);
// Columns: the group columns, trials, singlets, doublets, triplets.
Table to_table(const BurstResult& result);
// Columns: index, event_time, event_class ("singlet", ...), isi_1, isi_2 (empty when absent).
Table events_table(const BurstResult& result, const Dataset& dataset);

}  // namespace silico::analysis
