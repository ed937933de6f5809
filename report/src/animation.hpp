// Private to silico_report: the dendritic animation's part of the page's JSON (docs/report.md).
#pragma once

#include <nlohmann/json.hpp>

#include "silico/report/report.hpp"

namespace silico::report::detail {

// {trial, segments, frames, t0, dt, distance, labels, label_of, variables: [{name, min, max, frames}]}: the
// frames of every variable the trial recorded in its segments (o.animation_variable first), at most
// o.animation_frames of them (every k-th sample). Errors of analysis::query_dendrites pass through.
Result<nlohmann::json> animation_json(const store::Store& store, const analysis::Dataset& dataset,
                                      const ReportOptions& o);

}  // namespace silico::report::detail
