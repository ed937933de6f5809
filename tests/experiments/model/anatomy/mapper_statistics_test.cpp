// Statistical tests of the synapse mapper: over many realisations, synapse counts per presynaptic type (and
// per structure) agree with Σλ, have Poisson (or Poisson-mixture) variance, and connected-cell counts agree
// with their expectation; the representative-selection rule on constructed examples.
#include <gtest/gtest.h>

#include <cmath>

#include "anatomy_test_support.hpp"

namespace silico::experiments {
namespace {

using namespace anatomy_test;

struct Expectation {
    double synapses = 0, synapse_var = 0;  // Σ over cells of E[N] and Var[N] (Poisson mixture over lattices)
    double connected = 0, connected_var = 0;  // Σ over cells of P(N > 0) and its Bernoulli variance
    double per_structure[3] = {0, 0, 0};      // E[synapses] per structure index
    double per_structure_var[3] = {0, 0, 0};
};

// The expectation the mapper should reach, from the innervation fields alone.
std::vector<Expectation> expectations(const MappingInput& input) {
    std::vector<Expectation> out(input.counts.cell_types.size());
    for (const auto& pop : input.populations) {
        if (pop.cells == 0) continue;
        const auto t = static_cast<std::size_t>(
            std::find(input.counts.cell_types.begin(), input.counts.cell_types.end(), pop.cell_type) -
            input.counts.cell_types.begin());
        const double k = static_cast<double>(pop.fields.size()), n = static_cast<double>(pop.cells);
        double m1 = 0, m2 = 0, p = 0, s1[3] = {0, 0, 0}, s2[3] = {0, 0, 0};
        for (const auto& f : pop.fields) {
            m1 += f.total / k;
            m2 += f.total * f.total / k;
            p += (1.0 - std::exp(-f.total)) / k;
            double by[3] = {0, 0, 0};
            for (const auto& e : f.entries) by[e.structure] += e.lambda;
            for (int s = 0; s < 3; ++s) {
                s1[s] += by[s] / k;
                s2[s] += by[s] * by[s] / k;
            }
        }
        auto& e = out[t];
        e.synapses += n * m1;
        e.synapse_var += n * (m1 + (m2 - m1 * m1));  // E[Var | lattice] + Var(E | lattice)
        e.connected += n * p;
        e.connected_var += n * p * (1 - p);
        for (int s = 0; s < 3; ++s) {
            e.per_structure[s] += n * s1[s];
            e.per_structure_var[s] += n * (s1[s] + (s2[s] - s1[s] * s1[s]));
        }
    }
    return out;
}

struct Observed {
    double mean = 0, var = 0;
};
template <class Get>
Observed observe(const AnatomyResult& r, Get get) {
    Observed o;
    const double n = static_cast<double>(r.summaries.size());
    for (const auto& s : r.summaries) o.mean += get(s) / n;
    for (const auto& s : r.summaries) o.var += (get(s) - o.mean) * (get(s) - o.mean) / (n - 1);
    return o;
}

class MapperStatistics : public ::testing::TestWithParam<int> {};

TEST_P(MapperStatistics, CountsAgreeWithLambdaAndHavePoissonVariance) {
    const int lattices = GetParam();
    TempDir dir("stats");
    ASSERT_TRUE(write_synthetic_barrel_cortex(dir.path(), small_options(lattices)));
    MapperOptions o;
    o.realisations = 400;
    o.seed = 2024;
    o.threads = 2;
    auto input = load_mapping_input(cell86(), {dir.path()}, o);
    ASSERT_TRUE(input) << input.error().what();
    const auto expected = expectations(*input);
    auto result = map_synapses(*input, o);
    const double r = static_cast<double>(o.realisations);
    int checked = 0;
    for (std::size_t t = 0; t < expected.size(); ++t) {
        const auto& e = expected[t];
        const auto& name = input->counts.cell_types[t];
        if (e.synapses < 1.0) continue;
        ++checked;
        const auto syn =
            observe(result, [&](const RealisationSummary& s) { return double(s.per_type[t].synapses); });
        // The mean of 400 realisations is within 3 standard errors of Σλ.
        EXPECT_NEAR(syn.mean, e.synapses, 3 * std::sqrt(e.synapse_var / r)) << name;
        // Variance: Poisson (= mean) with one lattice per folder, the Poisson mixture otherwise. The sample
        // variance of 400 draws has SE ≈ sqrt((μ + 2μ²)/(R-1)) for a Poisson, ≈ σ² sqrt(2/(R-1)) in general.
        const double se_var = std::sqrt((e.synapse_var + 2 * e.synapse_var * e.synapse_var) / (r - 1));
        EXPECT_NEAR(syn.var, e.synapse_var, 3 * se_var) << name;
        if (lattices == 1) {
            EXPECT_NEAR(e.synapse_var, e.synapses, 1e-9 * e.synapses) << name;
        }
        const auto conn =
            observe(result, [&](const RealisationSummary& s) { return double(s.per_type[t].connected); });
        EXPECT_NEAR(conn.mean, e.connected, 3 * std::sqrt(e.connected_var / r)) << name;
        // Per structure (Soma, Dendrite, ApicalDendrite of cell 86's structure order).
        for (std::size_t s = 0; s < input->cell.structures.size(); ++s) {
            const auto& label = input->cell.structures[s].label;
            const auto got = observe(result, [&](const RealisationSummary& rs) {
                const auto& ts = rs.per_type[t];
                return double(label == "Soma"       ? ts.soma.synapses
                              : label == "Dendrite" ? ts.basal.synapses
                                                    : ts.apical.synapses);
            });
            if (e.per_structure[s] > 0) {
                EXPECT_NEAR(got.mean, e.per_structure[s], 3 * std::sqrt(e.per_structure_var[s] / r) + 1e-9)
                    << name << " " << label;
            } else {
                EXPECT_EQ(got.mean, 0.0) << name << " " << label;
            }
        }
    }
    EXPECT_GE(checked, 5);
}

INSTANTIATE_TEST_SUITE_P(LatticesPerFolder, MapperStatistics, ::testing::Values(1, 3));

TEST(Representative, PicksTheClosestRealisationWithinTwoSd) {
    // Row 3 has the smallest Σz² (4.176) but one feature beyond 2 SD; row 0 (4.179) is the closest inside.
    const std::vector<std::vector<double>> f = {{6, 1, 1, 2, 6}, {0, 1, 0, 4, 6}, {0, 0, 3, 0, 4},
                                                {2, 3, 2, 6, 4}, {5, 2, 0, 1, 1}, {0, 6, 5, 3, 6},
                                                {0, 2, 4, 2, 1}, {5, 5, 3, 1, 6}};
    EXPECT_EQ(select_representative(f), 0u);
    // Nothing within 2 SD (every row is extreme in one feature): the global minimum, row 3 (closest in the
    // last feature).
    std::vector<std::vector<double>> g;
    const double last[] = {0, 1, 2, 2.5, 4, 5};
    for (int i = 0; i < 6; ++i) {
        std::vector<double> row(6, 0.0);
        row[static_cast<std::size_t>(i)] = 10;
        row.push_back(last[i]);
        g.push_back(row);
    }
    EXPECT_EQ(select_representative(g), 3u);
    // A feature with SD 0 contributes z = 0; ties keep the first row.
    EXPECT_EQ(select_representative({{1, 7}, {3, 7}, {2, 7}, {2, 7}}), 2u);
}

}  // namespace
}  // namespace silico::experiments
