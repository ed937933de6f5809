#include "silico/analysis/dendrites.hpp"

#include <algorithm>

#include "row_outputs.hpp"

namespace silico::analysis {

namespace {

constexpr std::string_view k_prefix = "dendrites.";

bool is_geometry(std::string_view name) {
    return name == "dendrites.segments" || name == "dendrites.label" || name == "dendrites.time";
}

std::vector<std::string> recorded_variables(const store::TrialRecord& record) {
    std::vector<std::string> out;
    for (const auto& [name, blob] : record.outputs)
        if (name.starts_with(k_prefix) && !is_geometry(name)) out.push_back(name.substr(k_prefix.size()));
    return out;
}

// The row to read: the named trial among the selected ones, else the first selected one. (Every trial of a
// recipe records the same outputs, so looking further would only read records for nothing.)
Result<std::size_t> pick_row(const Dataset& dataset, const DendriteOptions& o, const Groups& selection) {
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        if (selection.row_group[i] < 0) continue;
        if (o.trial.empty() || dataset.index()[i] == o.trial || std::to_string(i) == o.trial) return i;
    }
    return fail(Errc::not_found, "no selected trial has the index " + o.trial, "--trial");
}

Status read_geometry(const store::Store& store, const store::TrialRecord& record, DendriteRecordingData& d) {
    auto segments = detail::read_output(store, record, "dendrites.segments", d.trial);
    if (!segments) return std::unexpected(segments.error());
    auto labels = detail::read_output(store, record, "dendrites.label", d.trial);
    if (!labels) return std::unexpected(labels.error());
    auto time = detail::read_output(store, record, "dendrites.time", d.trial);
    if (!time) return std::unexpected(time.error());
    if (segments->f64.size() != 3 || labels->strings.size() != segments->f64[0].size() ||
        time->f64.size() != 1)
        return fail(Errc::corruption, "dendrites.segments, .label and .time do not fit together",
                    "trial " + d.trial);
    for (double id : segments->f64[0]) d.section.push_back(static_cast<int>(id));
    d.x = std::move(segments->f64[1]);
    d.soma_distance = std::move(segments->f64[2]);
    d.labels = std::move(labels->strings);
    d.time = std::move(time->f64[0]);
    return {};
}

}  // namespace

Result<DendriteRecordingData> query_dendrites(const store::Store& store, const Dataset& dataset,
                                              const DendriteOptions& options,
                                              const SelectOptions& select_options) {
    if (auto st = detail::require_records(dataset, "dendrites"); !st) return std::unexpected(st.error());
    auto selection = select(dataset, select_options);
    if (!selection) return std::unexpected(selection.error());
    auto row = pick_row(dataset, options, *selection);
    if (!row) return std::unexpected(row.error());
    auto record = detail::row_record(store, dataset, *row);
    if (!record) return std::unexpected(record.error());
    DendriteRecordingData d;
    d.trial = dataset.index()[*row];
    d.variables = recorded_variables(*record);
    if (d.variables.empty())
        return fail(Errc::not_found, "recorded no dendrites (a recipe records them with [record.dendrites])",
                    "trial " + d.trial);
    const auto recorded = [&](const std::string& v) {
        return std::find(d.variables.begin(), d.variables.end(), v) != d.variables.end();
    };
    d.variable = !options.variable.empty() ? options.variable : recorded("v") ? "v" : d.variables.front();
    if (!recorded(d.variable)) {
        std::string have;
        for (const auto& v : d.variables) have += (have.empty() ? "" : ", ") + v;
        return fail(Errc::invalid_argument,
                    "trial " + d.trial + " recorded " + have + " in its segments, not " + options.variable,
                    "--variable");
    }
    if (auto st = read_geometry(store, *record, d); !st) return std::unexpected(st.error());
    auto values = detail::read_output(store, *record, std::string(k_prefix) + d.variable, d.trial);
    if (!values) return std::unexpected(values.error());
    if (values->f64.size() != d.section.size())
        return fail(Errc::corruption, "dendrites." + d.variable + " has another number of segments",
                    "trial " + d.trial);
    d.values = std::move(values->f64);
    return d;
}

}  // namespace silico::analysis
