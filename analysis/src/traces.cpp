#include "silico/analysis/traces.hpp"

#include <cmath>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "trace_walk.hpp"

namespace silico::analysis {

namespace {

// Running sums about a shift (the group's first trace), so the variance keeps its digits: sum of d and d^2
// with d = v - shift.
struct Accumulator {
    std::vector<double> time, shift, sum, sum2;
    std::size_t n = 0;
};

// sum += x - shift, sum2 += (x - shift)^2, two samples at a time in SSE2 registers (-O2 does not vectorise
// this loop by itself). The same operations in the same order per sample: the same bits.
void accumulate(double* sum, double* sum2, const double* shift, const double* x, std::size_t m) {
    std::size_t j = 0;
#if defined(__SSE2__)
    for (; j + 2 <= m; j += 2) {
        const __m128d d = _mm_sub_pd(_mm_loadu_pd(x + j), _mm_loadu_pd(shift + j));
        _mm_storeu_pd(sum + j, _mm_add_pd(_mm_loadu_pd(sum + j), d));
        _mm_storeu_pd(sum2 + j, _mm_add_pd(_mm_loadu_pd(sum2 + j), _mm_mul_pd(d, d)));
    }
#endif
    for (; j < m; ++j) {
        const double d = x[j] - shift[j];
        sum[j] += d;
        sum2[j] += d * d;
    }
}

}  // namespace

Result<TraceResult> query_traces(const store::Store& store, const Dataset& dataset,
                                 const TraceOptions& options, const SelectOptions& select_options) {
    if (auto st = detail::require_records(dataset, "traces"); !st) return std::unexpected(st.error());
    if (!options.mean && !options.sd)
        return fail(Errc::invalid_argument, "ask for mean, sd or both", "--stat");
    if (options.every == 0) return fail(Errc::invalid_argument, "must be >= 1", "--every");
    auto groups = select(dataset, select_options);
    if (!groups) return std::unexpected(groups.error());
    const std::string output = options.site + "." + options.variable;
    std::vector<Accumulator> acc(groups->count());
    TraceResult r;
    r.options = options;
    r.columns = groups->columns;
    auto add = [&](std::size_t g, const std::vector<double>& time, bool first,
                   std::span<const double> v) -> Status {
        auto& a = acc[g];
        if (first) {
            a.time = time;
            a.shift.assign(v.begin(), v.end());
            a.sum.assign(v.size(), 0.0);
            a.sum2.assign(v.size(), 0.0);
        } else {
            accumulate(a.sum.data(), a.sum2.data(), a.shift.data(), v.data(), v.size());
        }
        ++a.n;
        r.samples += v.size();
        return {};
    };
    if (auto st = detail::walk_traces(store, dataset, *groups, output, add); !st)
        return std::unexpected(st.error());
    r.groups.resize(groups->count());
    for (std::size_t g = 0; g < acc.size(); ++g) {
        auto& out = r.groups[g];
        const auto& a = acc[g];
        out.labels = groups->labels[g];
        out.trials = a.n;
        out.time = a.time;
        const double n = static_cast<double>(a.n);
        out.mean.resize(a.time.size());
        out.sd.resize(a.time.size());
        for (std::size_t j = 0; j < a.time.size(); ++j) {
            out.mean[j] = a.shift[j] + a.sum[j] / n;
            const double var = a.n > 1 ? (a.sum2[j] - a.sum[j] * a.sum[j] / n) / (n - 1) : NAN;
            out.sd[j] = a.n > 1 ? std::sqrt(std::max(var, 0.0)) : NAN;
        }
    }
    return r;
}

Table to_table(const TraceResult& result) {
    Table t;
    t.columns = result.columns;
    t.columns.emplace_back("trials");
    t.columns.emplace_back("t");
    if (result.options.mean) t.columns.emplace_back("mean");
    if (result.options.sd) t.columns.emplace_back("sd");
    for (const auto& g : result.groups) {
        for (std::size_t j = 0; j < g.time.size(); j += result.options.every) {
            std::vector<Cell> row(g.labels.begin(), g.labels.end());
            row.emplace_back(static_cast<std::int64_t>(g.trials));
            row.emplace_back(g.time[j]);
            if (result.options.mean) row.emplace_back(g.mean[j]);
            if (result.options.sd) row.emplace_back(g.sd[j]);
            t.rows.push_back(std::move(row));
        }
    }
    return t;
}

}  // namespace silico::analysis
