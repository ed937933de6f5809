#include "silico/analysis/trial_summary.hpp"

#include <algorithm>

#include "row_outputs.hpp"

namespace silico::analysis {

namespace {

void count(std::map<std::string, std::size_t>& counts, const std::string& value) {
    ++counts[value.empty() ? std::string("unknown") : value];
}

void add_record(const store::TrialRecord& record, TrialSummary& s) {
    ++s.records;
    count(s.hosts, record.host);
    count(s.neuron_versions, record.neuron_version);
    count(s.silico_versions, record.silico_version.empty() && record.silico_commit.empty()
                                 ? std::string()
                                 : record.silico_version + " " + record.silico_commit.substr(0, 12));
    if (record.silico_dirty) ++s.dirty;
    s.wall_seconds += record.wall_seconds;
    if (record.start_unix_ms > 0)
        s.first_start_unix_ms = s.first_start_unix_ms == 0
                                    ? record.start_unix_ms
                                    : std::min(s.first_start_unix_ms, record.start_unix_ms);
    s.last_end_unix_ms = std::max(s.last_end_unix_ms, record.end_unix_ms);
}

}  // namespace

Result<TrialSummary> summarize_trials(const store::Store& store, const Dataset& dataset,
                                      const SelectOptions& select_options) {
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    TrialSummary s;
    s.groups = groups->count();
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        if (groups->row_group[i] < 0) continue;
        ++s.trials;
        if (!dataset.seeds().empty()) {
            const auto seed = dataset.seeds()[i];
            s.seed_min = s.seed_min ? std::min(*s.seed_min, seed) : seed;
            s.seed_max = s.seed_max ? std::max(*s.seed_max, seed) : seed;
        }
        if (!dataset.has_records()) continue;
        auto record = detail::row_record(store, dataset, i);
        if (!record) return std::unexpected(record.error());
        add_record(*record, s);
    }
    return s;
}

}  // namespace silico::analysis
