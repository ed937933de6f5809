// The one loop of the trace queries (private to silico_analysis): `query traces` and `query trace density`
// both visit every selected trial's recording of one variable, one trace per trial, sampled at the times of
// the first trial of its group.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "row_outputs.hpp"
#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/analysis/time_axis.hpp"

namespace silico::analysis::detail {

// A group's time axis (TimeAxis: adopted from its first trial, and every later trial's "time" must hold the
// same values), which is what makes a per-sample mean or density meaningful.
struct GroupTime {
    TimeAxis axis;
    std::string first_index;
};

// Errc::invalid_argument when the trial is sampled at other times than its group.
inline Status adopt_time(const store::Store& store, const store::TrialRecord& record, std::string_view index,
                         GroupTime& group) {
    const bool first = group.axis.empty();
    auto same = group.axis.adopt(store, record);
    if (!same) return std::unexpected(same.error().within(in_trial(index)));
    if (first) group.first_index = index;
    if (*same) return {};
    return fail(Errc::invalid_argument,
                "is sampled at other times than trial " + group.first_index + " of the same group",
                in_trial(index));
}

// Calls visit(g, group_time, first, trace) for each selected row in dataset order: g its group, group_time
// that group's time axis, first whether it is the group's first trial, trace its samples (one per time, a
// span valid only during the call: the walk decodes every trace into the same buffers). The visitor returns a
// Status; the first error stops the walk. Errors name the trial.
//
// The walk reads gigabytes, so it has RocksDB check the blocks' checksums instead of re-hashing every blob
// (store::BlobCheck::block_checksums) and reuses one blob and one decode buffer for every trace.
template <class Visit>
Status walk_traces(const store::Store& store, const Dataset& dataset, const Groups& groups,
                   const std::string& output, Visit&& visit) {
    std::vector<GroupTime> times(groups.count());
    std::string bytes;
    store::FlatArray trace;
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const std::int32_t g = groups.row_group[i];
        if (g < 0) continue;
        const std::string_view index = dataset.index()[i];
        auto record = row_record(store, dataset, i);
        if (!record) return std::unexpected(record.error());
        GroupTime& time = times[g];
        const bool first = time.axis.empty();
        if (auto st = adopt_time(store, *record, index, time); !st) return st;
        if (auto st = read_output_into(store, *record, output, index, bytes, trace); !st) return st;
        if (trace.kind != store::ArrayKind::f64_table || trace.columns != 1)
            return fail(Errc::invalid_argument,
                        output + " is not one trace (use --site for a site's recording)", in_trial(index));
        const auto& axis = time.axis.values();
        if (trace.rows != axis.size())
            return fail(Errc::corruption,
                        output + " has " + std::to_string(trace.rows) + " samples, time has " +
                            std::to_string(axis.size()),
                        in_trial(index));
        const std::span<const double> v(trace.f64.data(), trace.rows);
        if (auto st = visit(static_cast<std::size_t>(g), axis, first, v); !st) return st;
    }
    return {};
}

}  // namespace silico::analysis::detail
