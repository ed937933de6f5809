// The reduced LDA model against independent computations: a closed form on two Gaussians with a known shared
// covariance, and Debian's scikit-learn (LinearDiscriminantAnalysis, solver "eigen") plus pandas computing
// ISF's lookup table on the feature matrix silico exports here.
#include "silico/analysis/reduced_model.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "analysis_test_support.hpp"
#include "silico/store/array.hpp"

namespace silico::analysis {
namespace {

using testing::StoreFixture;

// A normal deviate by Box-Muller from the generator's raw bits (no implementation-defined distribution).
double normal(std::mt19937_64& rng) {
    const double u1 = (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0;
    const double u2 = (static_cast<double>(rng() >> 11) + 0.5) / 9007199254740992.0;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

// Trials whose spike in [255, 265) depends on excitatory minus inhibitory input in the 20 ms before 265 ms.
// Every 1-ms bin of [150, 300) holds 0-6 releases of each of L5tt_C2 and L4ss_D2 (excitatory) and L45Peak_C2
// (inhibitory); a spiking trial spikes at 258.3 ms. Every tenth trial also spiked at 250 ms (the refractory
// test leaves those out).
struct ReducedModelData : StoreFixture {
    static constexpr std::size_t k_trials = 600;
    Dataset dataset;
    void SetUp() override {
        auto store = open_writer();
        std::mt19937_64 rng(12);
        Dataset::Builder b({"api", "synthetic", ""});
        const std::vector<std::string> populations = {"L45Peak_C2", "L4ss_D2", "L5tt_C2"};
        for (std::size_t i = 0; i < k_trials; ++i) {
            std::vector<std::vector<double>> times(3);
            double drive = 0;
            for (std::size_t p = 0; p < 3; ++p)
                for (int bin = 150; bin < 300; ++bin) {
                    int n = 0;
                    for (int k = 0; k < 6; ++k) n += (rng() & 1) ? 1 : 0;
                    for (int k = 0; k < n; ++k) times[p].push_back(bin + 0.1 + 0.8 * k / 6.0);
                    if (bin >= 245 && bin < 265) drive += (p == 0 ? -1.5 : 1.0) * n;
                }
            std::vector<double> spikes;
            if (i % 10 == 3) spikes.push_back(250.0);
            if (drive + 6.0 * normal(rng) > 25.0) spikes.push_back(258.3);
            const Digest key = sha256("reduced " + std::to_string(i));
            ASSERT_TRUE(store.commit_trial(
                key, {},
                {{"synapse_activation.population", *store::encode_strings(populations)},
                 {"synapse_activation.soma_distance", *store::encode_f64_table({{100.0, 300.0, 700.0}})},
                 {"synapse_activation.times", *store::encode_spike_lists(times)}}));
            ASSERT_TRUE(b.add({"t" + std::to_string(i), std::int64_t(i), {}, key, {}, {}, spikes}));
        }
        dataset = *std::move(b).finish();
    }
    store::Store reader() { return *store::Store::open(tmp / "store", {.read_only = true}); }
};

std::string csv(const ReducedFeatures& f) {
    std::ostringstream out;
    out.precision(17);
    for (std::size_t r = 0; r < f.rows.size(); ++r) {
        out << (f.spike[r] ? 1 : 0);
        for (std::size_t c = 0; c < f.cols(); ++c) out << ',' << f.x[r * f.cols() + c];
        out << '\n';
    }
    return out.str();
}

TEST_F(ReducedModelData, FeaturesAreTheWindowBinsOfEachGroupEndingAtTheOutputWindow) {
    auto store = reader();
    auto f = reduced_features(store, dataset, {});
    ASSERT_TRUE(f) << f.error().what();
    EXPECT_EQ(f->groups, (std::vector<std::string>{"EXC", "INH"}));
    EXPECT_EQ(f->window_min, 185);
    EXPECT_EQ(f->window_max, 265);
    ASSERT_EQ(f->cols(), 160u);
    ASSERT_EQ(f->rows.size(), k_trials);
    // Bin 0 of EXC is [185, 186) of both excitatory populations; every count is 0-12 (EXC) or 0-6 (INH).
    double total = 0;
    for (double v : f->x) total += v;
    EXPECT_GT(total, 0.0);
    for (std::size_t c = 0; c < 160; ++c) EXPECT_LE(f->x[c], c < 80 ? 12.0 : 6.0);
    const auto by_type = reduced_features(store, dataset, {.by = SynapseDim::celltype});
    ASSERT_TRUE(by_type);
    EXPECT_EQ(by_type->groups, (std::vector<std::string>{"L45Peak", "L4ss", "L5tt"}));
    // The EXC bins are the sum of the two excitatory cell types'.
    for (std::size_t r = 0; r < 5; ++r)
        for (std::size_t b = 0; b < 80; ++b)
            EXPECT_EQ(f->x[r * 160 + b], by_type->x[r * 240 + 80 + b] + by_type->x[r * 240 + 160 + b]);
}

TEST_F(ReducedModelData, OneFitOnAllTrialsEqualsScikitLearnAndPandasLookupTable) {
    auto store = reader();
    ReducedModelOptions o{.iterations = 1, .test_size = 0.0, .balance = false};
    auto f = reduced_features(store, dataset, o);
    ASSERT_TRUE(f) << f.error().what();
    testing::write_text(tmp / "features.csv", csv(*f));
    auto m = fit_reduced_model(store, dataset, o);
    ASSERT_TRUE(m) << m.error().what();
    ASSERT_EQ(m->fits.size(), 1u);
    EXPECT_EQ(m->fits[0].train, k_trials);
    auto lda = fit_lda(f->x, f->cols(), f->spike);
    ASSERT_TRUE(lda);
    EXPECT_EQ(lda->rank, 160u);

    const auto out = testing::python(tmp.path(), R"(
import json, numpy as np, pandas as pd
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
d = np.loadtxt(")" + (tmp / "features.csv").string() +
                                                     R"(", delimiter=",")
y, X = d[:, 0].astype(bool), d[:, 1:]
lda = LinearDiscriminantAnalysis(n_components=1, solver="eigen").fit(X, y)
coef = lda.coef_[0] * (7.260991424242837 / np.linalg.norm(lda.coef_[0]))
v = X @ coef
# ISF's get_lookup_series_from_lda_values_spike_data and interpolate_lookup_series, step 5.
pdf = pd.DataFrame(dict(lda_values=v, spike=y))
key = (pdf.lda_values / 5).round().astype(int) * 5
ls = pdf.groupby(key).apply(lambda x: len(x[x.spike]) / float(len(x)))
diff = max(ls.index) - min(ls.index)
index = np.arange(int(min(ls.index) - 0.3 * diff), int(max(ls.index) + 0.3 * diff), 1)
s = pd.Series([np.nan] * len(index), index=index)
s.iloc[0] = 0
s[ls.index] = ls
s = s.interpolate(method="linear")
print(json.dumps(dict(coef=list(coef), intercept=float(lda.intercept_[0]), first=int(s.index[0]),
                      lookup=list(s.values), accuracy=float(lda.score(X, y)))))
)");
    const auto j = nlohmann::json::parse(out.substr(out.find('{')));
    const auto coef = j["coef"].get<std::vector<double>>();
    ASSERT_EQ(coef.size(), 160u);
    double worst = 0;
    for (std::size_t i = 0; i < coef.size(); ++i)
        worst = std::max(worst, std::abs(coef[i] - m->fits[0].kernel[i]));
    EXPECT_LT(worst, 1e-8) << "kernel differs from scikit-learn's by " << worst;
    // The intercept before rescaling, as scikit-learn's decision function has it.
    EXPECT_NEAR(lda->intercept, j["intercept"].get<double>(), 1e-8 * std::abs(j["intercept"].get<double>()));
    EXPECT_NEAR(m->fits[0].train_accuracy, j["accuracy"].get<double>(), 1e-12);
    EXPECT_EQ(m->fits[0].lookup.first, j["first"].get<std::int64_t>());
    const auto lookup = j["lookup"].get<std::vector<double>>();
    ASSERT_EQ(m->fits[0].lookup.p.size(), lookup.size());
    for (std::size_t i = 0; i < lookup.size(); ++i)
        EXPECT_NEAR(m->fits[0].lookup.p[i], lookup[i], 1e-12) << i;
    EXPECT_GT(m->fits[0].train_accuracy, 0.8);
}

TEST(ReducedModelLda, RecoversTheKnownDirectionOfTwoGaussiansWithASharedCovariance) {
    // Σ = L Lᵀ with L lower triangular; x = μ_k + L z. The Bayes direction is Σ⁻¹ (μ₁ − μ₀).
    const double L[3][3] = {{2.0, 0, 0}, {0.6, 1.0, 0}, {-0.4, 0.3, 0.5}};
    const double mu1[3] = {1.0, -0.5, 0.25};
    std::mt19937_64 rng(7);
    const std::size_t n = 40000;
    std::vector<double> x;
    std::vector<bool> y;
    for (std::size_t i = 0; i < n; ++i) {
        const bool one = i % 2 == 1;
        const double z[3] = {normal(rng), normal(rng), normal(rng)};
        for (int r = 0; r < 3; ++r) {
            double v = one ? mu1[r] : 0.0;
            for (int c = 0; c < 3; ++c) v += L[r][c] * z[c];
            x.push_back(v);
        }
        y.push_back(one);
    }
    auto fit = fit_lda(x, 3, y);
    ASSERT_TRUE(fit) << fit.error().what();
    EXPECT_EQ(fit->rank, 3u);
    // Σ⁻¹ μ₁ by forward and back substitution: L u = μ₁, Lᵀ w = u.
    double u[3], w[3];
    for (int r = 0; r < 3; ++r) {
        double s = mu1[r];
        for (int c = 0; c < r; ++c) s -= L[r][c] * u[c];
        u[r] = s / L[r][r];
    }
    for (int r = 2; r >= 0; --r) {
        double s = u[r];
        for (int c = r + 1; c < 3; ++c) s -= L[c][r] * w[c];
        w[r] = s / L[r][r];
    }
    double dot = 0, nw = 0, nf = 0;
    for (int i = 0; i < 3; ++i) {
        dot += w[i] * fit->coef[i];
        nw += w[i] * w[i];
        nf += fit->coef[i] * fit->coef[i];
    }
    EXPECT_GT(dot / std::sqrt(nw * nf), 0.9995);
    // Equal priors: the boundary lies halfway, intercept = −½ wᵀ(μ₀ + μ₁) = −½ wᵀμ₁.
    double half = 0;
    for (int i = 0; i < 3; ++i) half += 0.5 * w[i] * mu1[i];
    EXPECT_NEAR(fit->intercept, -half, 0.03 * half);
}

TEST_F(ReducedModelData, DefaultFitsAreFiveBalancedSubsamplesWithIsfsKernelNorm) {
    auto store = reader();
    // 30 bins [235, 265): 60 features, few enough for ~250 training trials not to overfit.
    auto m = fit_reduced_model(store, dataset, {.window_width = 30}, {}, "synthetic");
    ASSERT_TRUE(m) << m.error().what();
    ASSERT_EQ(m->fits.size(), 5u);
    const std::size_t per_class = std::min(m->spiking, m->trials - m->spiking);
    const auto test = static_cast<std::size_t>(std::ceil(0.4 * static_cast<double>(2 * per_class)));
    for (const auto& fit : m->fits) {
        EXPECT_EQ(fit.test, test);
        EXPECT_EQ(fit.train, 2 * per_class - test);
        double norm = 0;
        for (double k : fit.kernel) norm += k * k;
        EXPECT_NEAR(std::sqrt(norm), k_isf_kernel_norm, 1e-12);
        ASSERT_TRUE(fit.test_accuracy);
        EXPECT_GT(*fit.test_accuracy, 0.75);
        // The input that drives spikes (EXC and INH in [245, 265)) weighs more than the 10 bins before.
        double early = 0, late = 0, inh_early = 0, inh_late = 0;
        for (std::size_t b = 0; b < 10; ++b) {
            early += fit.kernel[b];
            late += fit.kernel[20 + b];
            inh_early += fit.kernel[30 + b];
            inh_late += fit.kernel[50 + b];
        }
        EXPECT_GT(late, early + 1.0);
        EXPECT_LT(inh_late, inh_early - 1.0);
    }
    EXPECT_NE(m->fits[0].kernel, m->fits[1].kernel);  // different subsamples

    auto p = apply_reduced_model(store, *m, dataset);
    ASSERT_TRUE(p) << p.error().what();
    ASSERT_EQ(p->trials.size(), k_trials);
    double spiking = 0, silent = 0;
    std::size_t n_spiking = 0;
    for (const auto& t : p->trials) {
        EXPECT_GE(t.p_spike, 0.0);
        EXPECT_LE(t.p_spike, 1.0);
        (t.spike ? spiking : silent) += t.p_spike;
        n_spiking += t.spike ? 1 : 0;
    }
    // The classes overlap (the spike threshold has noise), but P(spike) separates them.
    const double p_spiking = spiking / static_cast<double>(n_spiking);
    const double p_silent = silent / static_cast<double>(k_trials - n_spiking);
    EXPECT_GT(p_spiking, p_silent + 0.3) << p_spiking << " vs " << p_silent;
    const auto table = to_table(*p, dataset);
    EXPECT_EQ(table.columns,
              (std::vector<std::string>{"index", "trial", "lda_value", "p_spike", "spike", "clipped"}));
}

TEST_F(ReducedModelData, TheRefractoryPeriodLeavesOutTrialsThatSpikedJustBefore) {
    auto store = reader();
    auto m = fit_reduced_model(store, dataset, {.refractory = 10.0});
    ASSERT_TRUE(m) << m.error().what();
    EXPECT_EQ(m->excluded, k_trials / 10);
    auto none = fit_reduced_model(store, dataset, {.refractory = 0.0});
    ASSERT_TRUE(none);
    EXPECT_EQ(none->excluded, 0u);
}

TEST_F(ReducedModelData, AStoredModelReadsBackEqualAndANameIsNotOverwritten) {
    auto m = fit_reduced_model(reader(), dataset, {.iterations = 2});
    ASSERT_TRUE(m) << m.error().what();
    auto store = open_writer();
    ASSERT_TRUE(write_reduced_model(store, "rm1", *m));
    ASSERT_TRUE(write_reduced_model(store, "rm1", *m));  // same bytes: nothing to do
    auto back = read_reduced_model(store, "rm1");
    ASSERT_TRUE(back) << back.error().what();
    EXPECT_EQ(*back, *m);
    auto other = *m;
    other.fits.pop_back();
    auto refused = write_reduced_model(store, "rm1", other);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::validation);
    auto missing = read_reduced_model(store, "nope");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
    EXPECT_NE(std::string(missing.error().what()).find("reduced model nope"), std::string::npos);
    // A dataset is not a model.
    ASSERT_TRUE(write_dataset(store, "d", dataset));
    ASSERT_TRUE(store.put_item("reduced-model/d", "x", "file"));
    auto wrong = read_reduced_model(store, "d");
    ASSERT_FALSE(wrong);
    EXPECT_NE(std::string(wrong.error().what()).find("not a reduced model"), std::string::npos);
}

TEST_F(ReducedModelData, OnlyOneClassIsAClearError) {
    auto store = reader();
    auto m = fit_reduced_model(store, dataset, {.output_min = 100, .output_max = 110});
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, Errc::invalid_argument);
    EXPECT_NE(std::string(m.error().what())
                  .find("needs trials of both classes (0 of 600 trials spike in [100, 110))"),
              std::string::npos)
        << m.error().what();
}

TEST_F(StoreFixture, ADatasetWithoutSynapseActivationsIsAClearError) {
    auto store = open_writer();
    Dataset::Builder spikes_only({"isf-spike-times", "st.csv", ""});
    ASSERT_TRUE(spikes_only.add({"a", 0, {}, {}, {}, {}, {258.0}}));
    auto table = *std::move(spikes_only).finish();
    auto r = fit_reduced_model(store, table);
    ASSERT_FALSE(r);
    EXPECT_NE(std::string(r.error().what()).find("spike times only"), std::string::npos) << r.error().what();

    Dataset::Builder traces_only({"api", "", ""});
    const Digest key = sha256("traces only");
    ASSERT_TRUE(store.commit_trial(key, {}, {{"soma.v", *store::encode_f64_table({{-70.0, -69.0}})}}));
    ASSERT_TRUE(traces_only.add({"b", 0, {}, key, {}, {}, {}}));
    auto d = *std::move(traces_only).finish();
    auto no_synapses = fit_reduced_model(store, d);
    ASSERT_FALSE(no_synapses);
    EXPECT_EQ(no_synapses.error().code, Errc::not_found);
    EXPECT_NE(std::string(no_synapses.error().what()).find("trial b"), std::string::npos);
    EXPECT_NE(std::string(no_synapses.error().what()).find("no output synapse_activation.population"),
              std::string::npos)
        << no_synapses.error().what();
}

TEST(ReducedModelLookup, RoundsHalfToEvenInterpolatesAndClipsAtTheGridEdges) {
    // Values 0 and 1 round to key 0 (one of two spikes), 20 and 21 to key 20 (both spike).
    const std::vector<double> v = {0.0, 1.0, 20.0, 21.0};
    const std::vector<bool> spike = {false, true, true, true}, excluded(4, false);
    auto t = lookup_table(v, spike, excluded, 5);
    ASSERT_TRUE(t) << t.error().what();
    // Keys 0 (P 0.5) and 20 (P 1); grid [trunc(0 - 6), trunc(20 + 6)) = [-6, 26), first entry 0.
    EXPECT_EQ(t->first, -6);
    ASSERT_EQ(t->p.size(), 32u);
    EXPECT_DOUBLE_EQ(t->p[0], 0.0);
    EXPECT_DOUBLE_EQ(t->p[3], 0.25);   // -3: halfway between -6 (0) and 0 (0.5)
    EXPECT_DOUBLE_EQ(t->p[6], 0.5);    // 0
    EXPECT_DOUBLE_EQ(t->p[16], 0.75);  // 10
    EXPECT_DOUBLE_EQ(t->p[31], 1.0);   // after the last key: its value
    bool clipped = false;
    EXPECT_DOUBLE_EQ(t->at(10.5, &clipped), 0.75);  // 10.5 rounds to 10
    EXPECT_FALSE(clipped);
    EXPECT_DOUBLE_EQ(t->at(100.0, &clipped), 1.0);
    EXPECT_TRUE(clipped);
    EXPECT_DOUBLE_EQ(t->at(-100.0, &clipped), 0.0);
    EXPECT_TRUE(clipped);
}

}  // namespace
}  // namespace silico::analysis
