// ISF's reduced LDA model (simrun/reduced_model/get_kernel.py::ReducedLdaModel, ISF_SPEC §10): P(spike in an
// output window) from a trial's synapse activations.
//
// Features. Per trial and per group of synapses (the values of one synapse dimension: EXC/INH by default, or
// the cell type, column or proximity as synapses.hpp defines them), the activation counts in 1-ms bins
// [window_min, window_max) (default the 80 bins ending at output_max). A trial's feature row is the
// concatenation of its groups' bins, groups in sorted order. The label is "a somatic spike in
// [output_min, output_max)". Trials with a spike in [output_min - refractory, output_min) are left out of
// the fit and the lookup table (with refractory 0, none is).
//
// Fit. Linear discriminant analysis of spike / no spike, as scikit-learn's LinearDiscriminantAnalysis
// (solver "eigen") computes it for two classes: w = Sw⁻¹ (μ_spike − μ_none), Sw the prior-weighted sum of the
// biased class covariances, intercept −½(μ₁ᵀSw⁻¹μ₁ − μ₀ᵀSw⁻¹μ₀) + log(n₁/n₀). When Sw is singular (fewer
// trials than features, bins nobody is active in) its pseudo-inverse is used, where scikit-learn's eigen
// solver would fail. `iterations` fits, each on a class-balanced random subsample (when `balance`) split into
// train and test (test_size), seeded by the iteration number; each w is rescaled to ISF's historical norm
// 7.260991424242837 and split into one kernel per group. The random subsamples are silico's own (a
// deterministic Mersenne Twister), not numpy's: the kernels equal ISF's only up to the choice of subsample.
// With iterations 1, test_size 0 and balance off the fit uses every trial and equals scikit-learn's.
//
// Lookup table. The LDA value of a trial (ISF's "weighted net input") is Σ_groups X_group · kernel_group. Trials
// are grouped by round(value / lookup_step) · lookup_step, P(spike) per group; the table lives on the integer
// grid [trunc(lo − 0.3·(hi − lo)), trunc(hi + 0.3·(hi − lo))) around the groups' range [lo, hi], its first entry
// 0, linear interpolation between known points and the last known value after them (pandas' interpolate).
// Rounding is half to even, as numpy's.
//
// Apply. P(spike) of a trial = table[round(value)], the value clipped to the grid (ISF's apply_static; ISF
// warns there, silico counts the clipped trials).
//
// Storage. A model is the store item "reduced-model/<NAME>" (encoding "silico-reduced-model", JSON bytes:
// options, groups, fits with kernels and tables, the training summary). Writing is idempotent like datasets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/analysis/dataset.hpp"
#include "silico/analysis/selection.hpp"
#include "silico/analysis/synapses.hpp"
#include "silico/analysis/table.hpp"
#include "silico/core/error.hpp"

namespace silico::store {
class Store;
}

namespace silico::analysis {

inline constexpr std::uint32_t k_reduced_model_format_version = 1;
inline constexpr std::string_view k_reduced_model_item_prefix = "reduced-model/";
inline constexpr std::string_view k_reduced_model_encoding = "silico-reduced-model";
inline constexpr double k_isf_kernel_norm = 7.260991424242837;

struct ReducedModelOptions {
    SynapseDim by = SynapseDim::ei;  // celltype, ei, column or proximity
    double output_min = 255.0;       // ms
    double output_max = 265.0;       // ms
    std::int64_t window_width = 80;  // 1-ms bins
    // Bins; default: max = output_max, min = max - width.
    std::optional<std::int64_t> window_min{};
    std::optional<std::int64_t> window_max{};
    double refractory = 0.0;  // ms
    std::int64_t iterations = 5;
    double test_size = 0.4;
    bool balance = true;
    std::int64_t lookup_step = 5;
    double proximal_um = 500.0;

    bool operator==(const ReducedModelOptions&) const = default;
};

// The feature matrix of the selected trials.
struct ReducedFeatures {
    std::vector<std::string> groups;  // kernel keys, sorted
    std::int64_t window_min = 0, window_max = 0;
    std::size_t cols() const { return groups.size() * static_cast<std::size_t>(window_max - window_min); }
    std::vector<std::size_t> rows;  // dataset rows
    std::vector<double> x;          // rows.size() × cols(), row-major
    std::vector<bool> spike;        // spike in the output window
    std::vector<bool> excluded;     // spike in the refractory period before it
};

// Errc::invalid_argument: a spike-table dataset, options out of range (by distance/time, empty window,
// lookup_step < 1, iterations < 1, test_size outside [0, 1)); Errc::not_found: a trial without synapse
// activations. `groups` empty: the groups found in the data (fit); else exactly these (apply; absent ones
// are zeros, others are ignored).
Result<ReducedFeatures> reduced_features(const store::Store& store, const Dataset& dataset,
                                         const ReducedModelOptions& options,
                                         const std::vector<std::string>& groups = {},
                                         const SelectOptions& select = {});

// The two-class LDA of rows x (n × cols) with labels y. Errc::invalid_argument with only one class.
struct LdaFit {
    std::vector<double> coef;  // Sw⁺ (μ₁ − μ₀)
    double intercept = 0.0;
    std::size_t rank = 0;  // rank of Sw as used
};
Result<LdaFit> fit_lda(const std::vector<double>& x, std::size_t cols, const std::vector<bool>& y);

struct LookupTable {
    std::int64_t first = 0;  // LDA value of p[0]
    std::vector<double> p;
    // P(spike) at round(value), clipped to the grid; *clipped set when it was.
    double at(double value, bool* clipped = nullptr) const;
    bool operator==(const LookupTable&) const = default;
};
// From LDA values and labels (excluded trials left out); Errc::invalid_argument without any value.
Result<LookupTable> lookup_table(const std::vector<double>& values, const std::vector<bool>& spike,
                                 const std::vector<bool>& excluded, std::int64_t step);

struct ReducedFit {
    std::vector<double> kernel;  // groups × window bins, concatenated in group order
    LookupTable lookup;
    std::size_t train = 0, test = 0;
    double train_accuracy = 0.0;
    std::optional<double> test_accuracy;  // none without test trials
    bool operator==(const ReducedFit&) const = default;
};

struct ReducedModel {
    ReducedModelOptions options;  // window_min/max resolved
    std::vector<std::string> groups;
    std::vector<ReducedFit> fits;
    std::string dataset;  // what it was fit on (a name or a recipe's experiment)
    std::size_t trials = 0, spiking = 0, excluded = 0;

    std::string encode() const;
    // Errc::corruption for malformed bytes, Errc::version for a newer format.
    static Result<ReducedModel> decode(std::string_view bytes);
    bool operator==(const ReducedModel&) const = default;
};

// Errc::invalid_argument when the selection has only one class (after leaving out excluded trials) or a
// balanced subsample leaves fewer than two trials to train on.
Result<ReducedModel> fit_reduced_model(const store::Store& store, const Dataset& dataset,
                                       const ReducedModelOptions& options = {},
                                       const SelectOptions& select = {}, std::string dataset_name = {});

struct ReducedPrediction {
    std::size_t row = 0;
    double lda_value = 0.0;
    double p_spike = 0.0;
    bool clipped = false;  // value outside the table's grid
    bool spike = false;    // observed spike in the output window
};
struct ReducedApplyResult {
    std::vector<ReducedPrediction> trials;
    std::size_t clipped = 0;
};
// Errc::invalid_argument for a fit number the model does not have.
Result<ReducedApplyResult> apply_reduced_model(const store::Store& store, const ReducedModel& model,
                                               const Dataset& dataset, std::size_t fit = 0,
                                               const SelectOptions& select = {});
// Columns: index, trial, lda_value, p_spike, spike (0/1), clipped (0/1).
Table to_table(const ReducedApplyResult& result, const Dataset& dataset);
// Columns: fit, train, test, train_accuracy, test_accuracy (null without test trials).
Table fits_table(const ReducedModel& model);
// Columns: fit, group, bin (ms, bin start), weight.
Table kernels_table(const ReducedModel& model);

// "reduced-model/" + name, names as dataset names.
Result<std::string> reduced_model_item_name(std::string_view name);
// Same bytes under the name: nothing written; other bytes: Errc::validation. Needs a writer.
Status write_reduced_model(store::Store& store, std::string_view name, const ReducedModel& model);
// Errc::not_found "no reduced model NAME" when absent.
Result<ReducedModel> read_reduced_model(const store::Store& store, std::string_view name);

}  // namespace silico::analysis
