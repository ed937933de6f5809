#include "silico/analysis/detect.hpp"

#include <cmath>

#include "row_outputs.hpp"
#include "silico/model/spike_detection.hpp"

namespace silico::analysis {

Result<SpikesResult> query_detect(const store::Store& store, const Dataset& dataset,
                                  const DetectOptions& options, const SelectOptions& select_options) {
    if (auto st = detail::require_records(dataset, "detect"); !st) return std::unexpected(st.error());
    if (!std::isfinite(options.threshold))
        return fail(Errc::invalid_argument, "must be a finite potential", "--threshold");
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    const std::string output = options.site + "." + options.variable;
    SpikesResult r;
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        if (groups->row_group[i] < 0) continue;
        const std::string_view index = dataset.index()[i];
        auto record = detail::row_record(store, dataset, i);
        if (!record) return std::unexpected(record.error());
        auto time = detail::read_output(store, *record, "time", index);
        if (!time) return std::unexpected(time.error());
        auto trace = detail::read_output(store, *record, output, index);
        if (!trace) return std::unexpected(trace.error());
        if (time->f64.size() != 1 || trace->f64.size() != 1 || time->f64[0].size() != trace->f64[0].size())
            return fail(Errc::invalid_argument, output + " is not one trace sampled at time",
                        detail::in_trial(index));
        r.trials.push_back({i, groups->row_group[i],
                            experiments::detect_spikes(time->f64[0], trace->f64[0], options.threshold)});
    }
    r.groups = std::move(*groups);
    return r;
}

}  // namespace silico::analysis
