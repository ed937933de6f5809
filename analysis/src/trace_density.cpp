#include "silico/analysis/trace_density.hpp"

#include <algorithm>
#include <cmath>

#include "trace_walk.hpp"

namespace silico::analysis {

namespace {

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
void add_line(const TraceDensityOptions& o, const std::vector<std::size_t>& bin_of, std::span<const double> v,
              std::vector<std::uint32_t>& counts) {
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
    std::vector<std::vector<std::size_t>> time_bin(groups->count());  // per group: each sample's time bin
    auto add = [&](std::size_t g, const std::vector<double>& time, bool first,
                   std::span<const double> v) -> Status {
        auto& out = r.groups[g];
        if (first) {
            out.time = time;
            out.counts.assign(options.time_bins * options.value_bins, 0);
            time_bin[g] = time_bins_of(time, options.time_bins);
        }
        add_line(options, time_bin[g], v, out.counts);
        if (out.traces.size() < options.keep_traces) out.traces.emplace_back(v.begin(), v.end());
        ++out.trials;
        return {};
    };
    if (auto st = detail::walk_traces(store, dataset, *groups, output, add); !st)
        return std::unexpected(st.error());
    for (std::size_t g = 0; g < r.groups.size(); ++g) r.groups[g].labels = groups->labels[g];
    return r;
}

}  // namespace silico::analysis
