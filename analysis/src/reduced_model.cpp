#include "silico/analysis/reduced_model.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>

#include "activations.hpp"

namespace silico::analysis {

namespace {

Status check_options(const ReducedModelOptions& o) {
    const auto bad = [](std::string what) { return fail(Errc::invalid_argument, std::move(what), "reduce"); };
    if (o.by == SynapseDim::distance || o.by == SynapseDim::time)
        return bad("kernels are per celltype, ei, column or proximity group, not per " +
                   std::string(to_string(o.by)));
    if (!(o.output_min < o.output_max)) return bad("the output window needs from < to");
    if (o.window_width < 1 && !(o.window_min && o.window_max))
        return bad("the window needs at least one bin");
    if (o.refractory < 0) return bad("the refractory period cannot be negative");
    if (o.iterations < 1) return bad("at least one iteration");
    if (!(o.test_size >= 0 && o.test_size < 1)) return bad("test size must be in [0, 1)");
    if (o.lookup_step < 1) return bad("the lookup step must be at least 1");
    return {};
}

// ISF's default: the window ends where the output window ends.
std::pair<std::int64_t, std::int64_t> window_of(const ReducedModelOptions& o) {
    const std::int64_t max = o.window_max   ? *o.window_max
                             : o.window_min ? *o.window_min + o.window_width
                                            : static_cast<std::int64_t>(std::floor(o.output_max));
    const std::int64_t min = o.window_min ? *o.window_min : max - o.window_width;
    return {min, max};
}

std::string group_of(const ReducedModelOptions& o, std::string_view population, double distance) {
    const auto cell_type = detail::cell_type_of(population);
    switch (o.by) {
        case SynapseDim::celltype:
            return std::string(cell_type);
        case SynapseDim::ei:
            return is_excitatory(cell_type) ? "EXC" : "INH";
        case SynapseDim::column:
            return std::string(detail::column_of(population));
        default:
            return distance < o.proximal_um ? "prox" : "dist";
    }
}

bool any_spike_in(std::span<const double> spikes, double from, double to) {
    return std::ranges::any_of(spikes, [&](double t) { return t >= from && t < to; });
}

// Per selected row: per group, the counts of its window bins.
using RowCounts = std::map<std::string, std::vector<double>>;

Result<RowCounts> count_row(const store::Store& store, const Dataset& dataset, std::size_t row,
                            const ReducedModelOptions& o, std::int64_t wmin, std::int64_t wmax) {
    store::SynapseActivationTable a;
    if (auto st = detail::read_activations(store, dataset, row, a); !st) return std::unexpected(st.error());
    RowCounts counts;
    const auto width = static_cast<std::size_t>(wmax - wmin);
    for (std::size_t s = 0; s < a.size(); ++s) {
        auto& bins = counts[group_of(o, a.population[s], a.distance(s))];
        if (bins.empty()) bins.assign(width, 0.0);
        for (double t : a.times_of(s)) {
            const auto bin = static_cast<std::int64_t>(std::floor(t));
            if (bin >= wmin && bin < wmax) bins[static_cast<std::size_t>(bin - wmin)] += 1.0;
        }
    }
    return counts;
}

// A uniform integer in [0, n) from the generator's raw output (no implementation-defined distribution).
std::size_t below(std::mt19937_64& rng, std::size_t n) {
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t v = 0;
    do {
        v = rng();
    } while (v >= limit);
    return static_cast<std::size_t>(v % n);
}

void shuffle(std::vector<std::size_t>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(rng, i)]);
}

// Rows of the fit (indices into the feature rows) for iteration `seed`: class-balanced when asked, then split.
struct Split {
    std::vector<std::size_t> train, test;
};
Split split_rows(const std::vector<bool>& spike, const std::vector<std::size_t>& usable,
                 const ReducedModelOptions& o, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<std::size_t> rows;
    if (o.balance) {
        std::vector<std::size_t> yes, no;
        for (auto i : usable) (spike[i] ? yes : no).push_back(i);
        shuffle(yes, rng);
        shuffle(no, rng);
        const auto n = std::min(yes.size(), no.size());
        rows.assign(yes.begin(), yes.begin() + static_cast<std::ptrdiff_t>(n));
        rows.insert(rows.end(), no.begin(), no.begin() + static_cast<std::ptrdiff_t>(n));
        std::ranges::sort(rows);
    } else {
        rows = usable;
    }
    if (o.test_size <= 0) return {rows, {}};
    shuffle(rows, rng);
    // As scikit-learn's train_test_split: ceil(test_size · n) test rows.
    const auto n_test = static_cast<std::size_t>(std::ceil(o.test_size * static_cast<double>(rows.size())));
    Split s;
    s.test.assign(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n_test));
    s.train.assign(rows.begin() + static_cast<std::ptrdiff_t>(n_test), rows.end());
    return s;
}

std::vector<double> take_rows(const ReducedFeatures& f, const std::vector<std::size_t>& rows) {
    const auto cols = f.cols();
    std::vector<double> x;
    x.reserve(rows.size() * cols);
    for (auto r : rows)
        x.insert(x.end(), f.x.begin() + static_cast<std::ptrdiff_t>(r * cols),
                 f.x.begin() + static_cast<std::ptrdiff_t>((r + 1) * cols));
    return x;
}

double dot_row(const ReducedFeatures& f, std::size_t row, const std::vector<double>& w) {
    const double* x = f.x.data() + row * f.cols();
    return std::inner_product(w.begin(), w.end(), x, 0.0);
}

double accuracy(const ReducedFeatures& f, const std::vector<std::size_t>& rows, const LdaFit& lda) {
    std::size_t right = 0;
    for (auto r : rows) right += ((dot_row(f, r, lda.coef) + lda.intercept > 0) == f.spike[r]) ? 1 : 0;
    return static_cast<double>(right) / static_cast<double>(rows.size());
}

Result<ReducedFit> fit_once(const ReducedFeatures& f, const std::vector<std::size_t>& usable,
                            const ReducedModelOptions& o, std::uint64_t seed) {
    const Split split = split_rows(f.spike, usable, o, seed);
    std::vector<bool> y;
    for (auto r : split.train) y.push_back(f.spike[r]);
    auto lda = fit_lda(take_rows(f, split.train), f.cols(), y);
    if (!lda) return std::unexpected(lda.error().within("fit " + std::to_string(seed)));
    ReducedFit fit;
    fit.train = split.train.size();
    fit.test = split.test.size();
    fit.train_accuracy = accuracy(f, split.train, *lda);
    if (!split.test.empty()) fit.test_accuracy = accuracy(f, split.test, *lda);
    double norm = 0;
    for (double c : lda->coef) norm += c * c;
    norm = std::sqrt(norm);
    if (!(norm > 0)) return fail(Errc::invalid_argument, "the classes have the same mean input", "reduce");
    for (double c : lda->coef) fit.kernel.push_back(c * k_isf_kernel_norm / norm);
    std::vector<double> values(f.rows.size());
    for (std::size_t r = 0; r < f.rows.size(); ++r) values[r] = dot_row(f, r, fit.kernel);
    auto table = lookup_table(values, f.spike, f.excluded, o.lookup_step);
    if (!table) return std::unexpected(table.error());
    fit.lookup = std::move(*table);
    return fit;
}

}  // namespace

Result<ReducedFeatures> reduced_features(const store::Store& store, const Dataset& dataset,
                                         const ReducedModelOptions& options,
                                         const std::vector<std::string>& groups,
                                         const SelectOptions& select_options) {
    if (auto st = detail::require_records(dataset, "reduce"); !st) return std::unexpected(st.error());
    if (auto st = check_options(options); !st) return std::unexpected(st.error());
    auto selected = select(dataset, select_options);
    if (!selected) return std::unexpected(selected.error());
    ReducedFeatures f;
    std::tie(f.window_min, f.window_max) = window_of(options);
    if (f.window_max <= f.window_min)
        return fail(Errc::invalid_argument, "the synapse window is empty", "reduce");
    std::vector<RowCounts> counts;
    for (std::size_t row = 0; row < dataset.size(); ++row) {
        if (selected->row_group[row] < 0) continue;
        auto c = count_row(store, dataset, row, options, f.window_min, f.window_max);
        if (!c) return std::unexpected(c.error());
        counts.push_back(std::move(*c));
        f.rows.push_back(row);
        const auto spikes = dataset.spikes(row);
        f.spike.push_back(any_spike_in(spikes, options.output_min, options.output_max));
        f.excluded.push_back(
            any_spike_in(spikes, options.output_min - options.refractory, options.output_min));
    }
    f.groups = groups;
    if (f.groups.empty()) {
        for (const auto& c : counts)
            for (const auto& [g, bins] : c) f.groups.push_back(g);
        std::ranges::sort(f.groups);
        f.groups.erase(std::unique(f.groups.begin(), f.groups.end()), f.groups.end());
    }
    const auto width = static_cast<std::size_t>(f.window_max - f.window_min);
    f.x.assign(f.rows.size() * f.cols(), 0.0);
    for (std::size_t r = 0; r < counts.size(); ++r)
        for (std::size_t g = 0; g < f.groups.size(); ++g)
            if (auto it = counts[r].find(f.groups[g]); it != counts[r].end())
                std::ranges::copy(it->second,
                                  f.x.begin() + static_cast<std::ptrdiff_t>(r * f.cols() + g * width));
    return f;
}

Result<LdaFit> fit_lda(const std::vector<double>& x, std::size_t cols, const std::vector<bool>& y) {
    const std::size_t n = y.size();
    if (cols == 0 || x.size() != n * cols)
        return fail(Errc::invalid_argument, "the feature matrix does not match the labels", "lda");
    const auto n1 = static_cast<std::size_t>(std::ranges::count(y, true));
    if (n1 == 0 || n1 == n)
        return fail(Errc::invalid_argument,
                    "needs trials of both classes (" + std::to_string(n1) + " of " + std::to_string(n) +
                        " spike in the output window)",
                    "lda");
    using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::Map<const Matrix> X(x.data(), static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(cols));
    Eigen::VectorXd mean[2] = {Eigen::VectorXd::Zero(static_cast<Eigen::Index>(cols)),
                               Eigen::VectorXd::Zero(static_cast<Eigen::Index>(cols))};
    const double count[2] = {static_cast<double>(n - n1), static_cast<double>(n1)};
    for (std::size_t i = 0; i < n; ++i) mean[y[i] ? 1 : 0] += X.row(static_cast<Eigen::Index>(i)).transpose();
    mean[0] /= count[0];
    mean[1] /= count[1];
    // Sw = Σ_k prior_k · cov_k (biased) = (1/n) Σ_i (x_i − μ_{y_i})(x_i − μ_{y_i})ᵀ.
    Matrix centred = X;
    for (std::size_t i = 0; i < n; ++i)
        centred.row(static_cast<Eigen::Index>(i)) -= mean[y[i] ? 1 : 0].transpose();
    const Eigen::MatrixXd sw = (centred.transpose() * centred) / static_cast<double>(n);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(sw);
    const Eigen::VectorXd& ev = eig.eigenvalues();
    const double tol = std::max(ev.maxCoeff(), 0.0) * static_cast<double>(cols) * 1e-12;
    Eigen::VectorXd inv = Eigen::VectorXd::Zero(ev.size());
    LdaFit fit;
    for (Eigen::Index i = 0; i < ev.size(); ++i)
        if (ev[i] > tol) {
            inv[i] = 1.0 / ev[i];
            ++fit.rank;
        }
    const Eigen::MatrixXd& V = eig.eigenvectors();
    auto solve = [&](const Eigen::VectorXd& b) -> Eigen::VectorXd {
        return V * inv.cwiseProduct(V.transpose() * b);
    };
    const Eigen::VectorXd w0 = solve(mean[0]), w1 = solve(mean[1]);
    const Eigen::VectorXd w = w1 - w0;
    fit.coef.assign(w.data(), w.data() + w.size());
    fit.intercept = -0.5 * (mean[1].dot(w1) - mean[0].dot(w0)) + std::log(count[1] / count[0]);
    return fit;
}

double LookupTable::at(double value, bool* clipped) const {
    const double r = std::nearbyint(value);  // half to even in the default rounding mode, as numpy
    const double last = static_cast<double>(first) + static_cast<double>(p.size()) - 1.0;
    const double c = std::clamp(r, static_cast<double>(first), last);
    if (clipped) *clipped = c != r;
    return p[static_cast<std::size_t>(c - static_cast<double>(first))];
}

Result<LookupTable> lookup_table(const std::vector<double>& values, const std::vector<bool>& spike,
                                 const std::vector<bool>& excluded, std::int64_t step) {
    std::map<std::int64_t, std::pair<std::size_t, std::size_t>> bins;  // key → spiking, trials
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (excluded[i]) continue;
        const auto key =
            static_cast<std::int64_t>(std::nearbyint(values[i] / static_cast<double>(step))) * step;
        auto& b = bins[key];
        b.first += spike[i] ? 1 : 0;
        ++b.second;
    }
    if (bins.empty()) return fail(Errc::invalid_argument, "no trials for the lookup table", "reduce");
    const auto lo = static_cast<double>(bins.begin()->first), hi = static_cast<double>(bins.rbegin()->first);
    const double diff = hi - lo;
    // ISF: np.arange(int(lo - 0.3 diff), int(hi + 0.3 diff)); at least the known range here.
    const auto first = std::min(static_cast<std::int64_t>(std::trunc(lo - 0.3 * diff)), bins.begin()->first);
    const auto end =
        std::max(static_cast<std::int64_t>(std::trunc(hi + 0.3 * diff)), bins.rbegin()->first + 1);
    LookupTable t;
    t.first = first;
    std::vector<double> p(static_cast<std::size_t>(end - first), std::nan(""));
    p[0] = 0.0;
    for (const auto& [key, b] : bins)
        p[static_cast<std::size_t>(key - first)] =
            static_cast<double>(b.first) / static_cast<double>(b.second);
    // Linear between known points; after the last one, its value.
    std::size_t known = 0;
    for (std::size_t i = 1; i < p.size(); ++i) {
        if (std::isnan(p[i])) continue;
        for (std::size_t j = known + 1; j < i; ++j)
            p[j] = p[known] +
                   (p[i] - p[known]) * static_cast<double>(j - known) / static_cast<double>(i - known);
        known = i;
    }
    for (std::size_t j = known + 1; j < p.size(); ++j) p[j] = p[known];
    t.p = std::move(p);
    return t;
}

Result<ReducedModel> fit_reduced_model(const store::Store& store, const Dataset& dataset,
                                       const ReducedModelOptions& options,
                                       const SelectOptions& select_options, std::string dataset_name) {
    auto f = reduced_features(store, dataset, options, {}, select_options);
    if (!f) return std::unexpected(f.error());
    if (f->groups.empty())
        return fail(Errc::invalid_argument, "no synapse was active in any selected trial", "reduce");
    ReducedModel m;
    m.options = options;
    m.options.window_min = f->window_min;
    m.options.window_max = f->window_max;
    m.options.window_width = f->window_max - f->window_min;
    m.groups = f->groups;
    m.dataset = std::move(dataset_name);
    std::vector<std::size_t> usable;
    for (std::size_t r = 0; r < f->rows.size(); ++r) {
        if (f->excluded[r]) {
            ++m.excluded;
            continue;
        }
        usable.push_back(r);
        m.spiking += f->spike[r] ? 1 : 0;
    }
    m.trials = f->rows.size();
    // Checked here, before any subsample can hide which class is missing.
    if (m.spiking == 0 || m.spiking == usable.size())
        return fail(
            Errc::invalid_argument,
            "needs trials of both classes (" + std::to_string(m.spiking) + " of " +
                std::to_string(usable.size()) + " trials spike in [" + format_number(options.output_min) +
                ", " + format_number(options.output_max) + ")" +
                (m.excluded ? ", " + std::to_string(m.excluded) + " left out by the refractory period" : "") +
                ")",
            "reduce");
    for (std::int64_t i = 0; i < options.iterations; ++i) {
        auto fit = fit_once(*f, usable, options, static_cast<std::uint64_t>(i));
        if (!fit) return std::unexpected(fit.error());
        m.fits.push_back(std::move(*fit));
    }
    return m;
}

Result<ReducedApplyResult> apply_reduced_model(const store::Store& store, const ReducedModel& model,
                                               const Dataset& dataset, std::size_t fit,
                                               const SelectOptions& select_options) {
    if (fit >= model.fits.size())
        return fail(
            Errc::invalid_argument,
            "the model has fits 0.." + std::to_string(model.fits.size() - 1) + ", not " + std::to_string(fit),
            "--fit");
    auto f = reduced_features(store, dataset, model.options, model.groups, select_options);
    if (!f) return std::unexpected(f.error());
    ReducedApplyResult r;
    const auto& kernel = model.fits[fit].kernel;
    for (std::size_t i = 0; i < f->rows.size(); ++i) {
        ReducedPrediction p;
        p.row = f->rows[i];
        p.lda_value = dot_row(*f, i, kernel);
        p.p_spike = model.fits[fit].lookup.at(p.lda_value, &p.clipped);
        p.spike = f->spike[i];
        r.clipped += p.clipped ? 1 : 0;
        r.trials.push_back(p);
    }
    return r;
}

Table to_table(const ReducedApplyResult& result, const Dataset& dataset) {
    Table t;
    t.columns = {"index", "trial", "lda_value", "p_spike", "spike", "clipped"};
    for (const auto& p : result.trials)
        t.rows.push_back({std::string(dataset.index()[p.row]), dataset.trial()[p.row], p.lda_value, p.p_spike,
                          std::int64_t{p.spike ? 1 : 0}, std::int64_t{p.clipped ? 1 : 0}});
    return t;
}

Table fits_table(const ReducedModel& model) {
    Table t;
    t.columns = {"fit", "train", "test", "train_accuracy", "test_accuracy"};
    for (std::size_t i = 0; i < model.fits.size(); ++i) {
        const auto& f = model.fits[i];
        t.rows.push_back({static_cast<std::int64_t>(i), static_cast<std::int64_t>(f.train),
                          static_cast<std::int64_t>(f.test), f.train_accuracy,
                          f.test_accuracy ? *f.test_accuracy : std::nan("")});
    }
    return t;
}

Table kernels_table(const ReducedModel& model) {
    Table t;
    t.columns = {"fit", "group", "bin", "weight"};
    const auto min = model.options.window_min.value_or(0);
    const auto width = static_cast<std::size_t>(model.options.window_width);
    for (std::size_t i = 0; i < model.fits.size(); ++i)
        for (std::size_t g = 0; g < model.groups.size(); ++g)
            for (std::size_t b = 0; b < width; ++b)
                t.rows.push_back({static_cast<std::int64_t>(i), model.groups[g],
                                  static_cast<std::int64_t>(min) + static_cast<std::int64_t>(b),
                                  model.fits[i].kernel[g * width + b]});
    return t;
}

}  // namespace silico::analysis
