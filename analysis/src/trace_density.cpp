#include "silico/analysis/trace_density.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "trial_outputs.hpp"

namespace silico::analysis {

namespace {

struct GroupState {
    std::optional<Digest> time_digest;
    std::string first_index;
    std::vector<std::size_t> time_bin;  // per sample
};

Status check_options(const TraceDensityOptions& o) {
    if (o.time_bins == 0 || o.value_bins == 0)
        return fail(Errc::invalid_argument, "needs at least one time and one value bin", "trace density");
    if (!(o.value_min < o.value_max))
        return fail(Errc::invalid_argument, "value range is empty", "trace density");
    if (o.time_bins * o.value_bins > (std::size_t{1} << 26))
        return fail(Errc::invalid_argument, "more than 2^26 cells", "trace density");
    return {};
}

// The time bin of every sample: [time.front(), time.back()] cut into `bins` equal parts, the last closed.
std::vector<std::size_t> time_bins_of(const std::vector<double>& time, std::size_t bins) {
    std::vector<std::size_t> out(time.size(), 0);
    if (time.size() < 2) return out;
    const double t0 = time.front(), span = time.back() - time.front();
    if (!(span > 0)) return out;
    for (std::size_t j = 0; j < time.size(); ++j) {
        const double x = (time[j] - t0) / span * static_cast<double>(bins);
        out[j] = std::min(bins - 1, static_cast<std::size_t>(std::max(0.0, x)));
    }
    return out;
}

// Adds one trial's line to the counts: per time bin, the cells from its lowest to its highest value there
// (including the sample before the bin, which the drawn line joins).
void add_line(const TraceDensityOptions& o, const std::vector<std::size_t>& bin_of,
              const std::vector<double>& v, std::vector<std::uint32_t>& counts) {
    const double scale = static_cast<double>(o.value_bins) / (o.value_max - o.value_min);
    auto cell = [&](double x) {
        const double c = std::floor((x - o.value_min) * scale);
        return static_cast<std::size_t>(std::clamp(c, 0.0, static_cast<double>(o.value_bins - 1)));
    };
    std::size_t j = 0;
    while (j < v.size()) {
        const std::size_t bin = bin_of[j];
        std::size_t lo = cell(v[j]), hi = lo;
        if (j > 0) lo = std::min(lo, cell(v[j - 1])), hi = std::max(hi, cell(v[j - 1]));
        for (; j < v.size() && bin_of[j] == bin; ++j) {
            const std::size_t c = cell(v[j]);
            lo = std::min(lo, c);
            hi = std::max(hi, c);
        }
        std::uint32_t* row = counts.data() + bin * o.value_bins;
        for (std::size_t c = lo; c <= hi; ++c) ++row[c];
    }
}

// The row's time samples, checked against (or adopted as) the group's.
Status adopt_time(const store::Store& store, const store::TrialRecord& record, const std::string& index,
                  const TraceDensityOptions& o, GroupState& state, TraceDensityGroup& out) {
    auto ref = record.outputs.find("time");
    if (ref == record.outputs.end()) return fail(Errc::not_found, "has no output time", "trial " + index);
    if (state.time_digest) {
        if (ref->second.digest == *state.time_digest) return {};
        return fail(Errc::invalid_argument,
                    "is sampled at other times than trial " + state.first_index + " of the same group",
                    "trial " + index);
    }
    auto t = detail::read_output(store, record, "time", index);
    if (!t) return std::unexpected(t.error());
    if (t->f64.size() != 1) return fail(Errc::corruption, "time is not one column", "trial " + index);
    out.time = std::move(t->f64[0]);
    state.time_digest = ref->second.digest;
    state.first_index = index;
    state.time_bin = time_bins_of(out.time, o.time_bins);
    out.counts.assign(o.time_bins * o.value_bins, 0);
    return {};
}

}  // namespace

Result<TraceDensityResult> query_trace_density(const store::Store& store, const Dataset& dataset,
                                               const TraceDensityOptions& options,
                                               const SelectOptions& select_options) {
    if (auto st = detail::require_records(dataset, "trace density"); !st) return std::unexpected(st.error());
    if (auto st = check_options(options); !st) return std::unexpected(st.error());
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    const std::string output = options.site + "." + options.variable;
    TraceDensityResult r{options, groups->columns, std::vector<TraceDensityGroup>(groups->count())};
    std::vector<GroupState> states(groups->count());
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const std::int32_t g = groups->row_group[i];
        if (g < 0) continue;
        const auto& index = dataset.index()[i];
        auto record = detail::row_record(store, dataset, i);
        if (!record) return std::unexpected(record.error());
        auto& out = r.groups[g];
        if (auto st = adopt_time(store, *record, index, options, states[g], out); !st)
            return std::unexpected(st.error());
        auto trace = detail::read_output(store, *record, output, index);
        if (!trace) return std::unexpected(trace.error());
        if (trace->kind != store::ArrayKind::f64_table || trace->f64.size() != 1)
            return fail(Errc::invalid_argument, output + " is not one trace", "trial " + index);
        auto& v = trace->f64[0];
        if (v.size() != out.time.size())
            return fail(Errc::corruption,
                        output + " has " + std::to_string(v.size()) + " samples, time has " +
                            std::to_string(out.time.size()),
                        "trial " + index);
        add_line(options, states[g].time_bin, v, out.counts);
        if (out.traces.size() < options.keep_traces) out.traces.push_back(std::move(v));
        ++out.trials;
    }
    for (std::size_t g = 0; g < r.groups.size(); ++g) r.groups[g].labels = groups->labels[g];
    return r;
}

}  // namespace silico::analysis
