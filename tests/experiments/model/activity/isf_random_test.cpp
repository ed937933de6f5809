#include "silico/model/isf_random.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

namespace silico::experiments {
namespace {

// Public reference outputs: MT19937 init_genrand(5489) and numpy's legacy RandomState sequences
// (np.random.seed(s); np.random.rand(...), randint, randn), as printed in numpy's docs and countless
// tutorials.

TEST(IsfRandomState, RawOutputsMatchTheMt19937Reference) {
    IsfRandomState rng(5489u);
    EXPECT_EQ(rng.next_u32(), 3499211612u);
    EXPECT_EQ(rng.next_u32(), 581869302u);
    EXPECT_EQ(rng.next_u32(), 3890346734u);
    IsfRandomState again(5489u);
    std::uint32_t v = 0;
    for (int i = 0; i < 10000; ++i) v = again.next_u32();
    EXPECT_EQ(v, 4123659995u);  // the C++ standard's check value for mt19937
}

TEST(IsfRandomState, RandomSampleMatchesNumpyForSeedZero) {
    const std::vector<double> expected = {
        0.5488135039273248,  0.7151893663724195,  0.6027633760716439, 0.5448831829968969, 0.4236547993389047,
        0.6458941130666561,  0.4375872112626925,  0.8917730007820798, 0.9636627605010293, 0.3834415188257777,
        0.7917250380826646,  0.5288949197529045,  0.5680445610939323, 0.925596638292661,  0.07103605819788694,
        0.08712929970154071, 0.02021839744032572, 0.832619845547938,  0.7781567509498505, 0.8700121482468192};
    IsfRandomState rng(0);
    for (double e : expected) EXPECT_EQ(rng.random_sample(), e);
}

TEST(IsfRandomState, RandomSampleMatchesNumpyForSeeds42And1) {
    const std::vector<double> s42 = {
        0.3745401188473625,  0.9507143064099162,  0.7319939418114051, 0.5986584841970366, 0.15601864044243652,
        0.15599452033620265, 0.05808361216819946, 0.8661761457749352, 0.6011150117432088, 0.7080725777960455};
    IsfRandomState a(42);
    for (double e : s42) EXPECT_EQ(a.random_sample(), e);
    const std::vector<double> s1 = {0.417022004702574,   0.7203244934421581,  0.00011437481734488664,
                                    0.30233257263183977, 0.14675589081711304, 0.0923385947687978,
                                    0.1862602113776709,  0.34556072704304774, 0.39676747423066994,
                                    0.538816734003357};
    IsfRandomState b(1);
    for (double e : s1) EXPECT_EQ(b.random_sample(), e);
}

TEST(IsfRandomState, FillIsTheSameSequenceAsSingleDraws) {
    IsfRandomState a(7), b(7);
    std::vector<double> v(50);
    a.fill_random_sample(v);
    for (double x : v) EXPECT_EQ(x, b.random_sample());
}

TEST(IsfRandomState, RandintMatchesNumpyMaskedRejection) {
    IsfRandomState a(0);
    const std::vector<std::int64_t> s0 = {5, 0, 3, 3, 7, 9, 3, 5, 2, 4};
    for (auto e : s0) EXPECT_EQ(a.randint(0, 10), e);
    IsfRandomState b(42);
    const std::vector<std::int64_t> s42 = {6, 3, 7, 4, 6, 9, 2, 6, 7, 4};
    for (auto e : s42) EXPECT_EQ(b.randint(0, 10), e);
}

TEST(IsfRandomState, RandintUsesOneMaskedWordPerTry) {
    // MT(0) outputs 2357136044, 2546248239, 3071714933: masked by 15 they are 12, 15 (both > 9, rejected), 5.
    IsfRandomState a(0);
    EXPECT_EQ(a.randint(0, 10), 5);
    IsfRandomState raw(0);
    EXPECT_EQ(raw.next_u32(), 2357136044u);
    EXPECT_EQ(raw.next_u32(), 2546248239u);
    EXPECT_EQ(raw.next_u32(), 3071714933u);
    // The spike-train seed range of ISF: randint(123456, 1234567) stays inside it.
    IsfRandomState c(3);
    for (int i = 0; i < 1000; ++i) {
        auto s = c.randint(123456, 1234567);
        EXPECT_GE(s, 123456);
        EXPECT_LT(s, 1234567);
    }
}

TEST(IsfRandomState, ExponentialIsMinusLogOfOneMinusUniform) {
    IsfRandomState a(0);
    EXPECT_EQ(a.exponential(), -std::log(1.0 - 0.5488135039273248));
    EXPECT_EQ(a.exponential(2.5), 2.5 * -std::log(1.0 - 0.7151893663724195));
}

TEST(IsfRandomState, StandardNormalMatchesNumpyPolarMethodWithCaching) {
    const std::vector<double> s0 = {1.764052345967664,  0.4001572083672233,  0.9787379841057392,
                                    2.240893199201458,  1.8675579901499675,  -0.977277879876411,
                                    0.9500884175255894, -0.1513572082976979, -0.10321885179355784,
                                    0.41059850193837233};
    IsfRandomState a(0);
    for (double e : s0) EXPECT_NEAR(a.standard_normal(), e, 1e-15);
    const std::vector<double> s42 = {0.4967141530112327, -0.13826430117118466, 0.6476885381006925,
                                     1.5230298564080254, -0.23415337472333597, -0.23413695694918055,
                                     1.5792128155073915, 0.7674347291529088,   -0.4694743859349521,
                                     0.5425600435859647};
    IsfRandomState b(42);
    for (double e : s42) EXPECT_NEAR(b.standard_normal(), e, 1e-15);
}

TEST(IsfRandomState, ReseedingDropsTheCachedGaussian) {
    IsfRandomState a(0);
    a.standard_normal();  // caches the second value
    a.seed_with(0);
    EXPECT_NEAR(a.standard_normal(), 1.764052345967664, 1e-15);
}

TEST(IsfRandomState, RandomIntervalStaysInRangeAndCoversIt) {
    IsfRandomState a(11);
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 2000; ++i) {
        auto v = a.random_interval(6);
        EXPECT_LE(v, 6u);
        seen.insert(v);
    }
    EXPECT_EQ(seen.size(), 7u);
}

TEST(ShortIsfRandomState, IsBitIdenticalToTheFullGeneratorAcrossTheLazyBoundary) {
    for (std::uint32_t seed : {0u, 1u, 42u, 123456u, 1234566u, 4294967295u}) {
        IsfRandomState full(seed);
        ShortIsfRandomState lazy(seed);
        for (int i = 0; i < 700; ++i) ASSERT_EQ(lazy.next_u32(), full.next_u32()) << seed << " output " << i;
        EXPECT_EQ(lazy.exponential(3.0), full.exponential(3.0));
    }
    ShortIsfRandomState zero(0);
    EXPECT_EQ(zero.random_sample(), 0.5488135039273248);
}

TEST(StreamKey, DependsOnEveryFieldAndNotOnCallOrder) {
    StreamKey a(1, "release", "L5tt_C2"), b(1, "release", "L5tt_C2");
    EXPECT_EQ(a.seed_for(3), b.seed_for(3));
    EXPECT_NE(a.seed_for(3), a.seed_for(4));
    EXPECT_NE(a.seed_for(3), StreamKey(2, "release", "L5tt_C2").seed_for(3));
    EXPECT_NE(a.seed_for(3), StreamKey(1, "weight", "L5tt_C2").seed_for(3));
    EXPECT_NE(a.seed_for(3), StreamKey(1, "release", "L5tt_C3").seed_for(3));
    EXPECT_NE(StreamKey(1, "ab", "c").seed_for(0), StreamKey(1, "a", "bc").seed_for(0));
}

TEST(SplitMixStream, UniformMeanAndExponentialMeanAreRight) {
    SplitMixStream s(12345);
    double su = 0, se = 0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
        double u = s.random_sample();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        su += u;
        se += s.exponential();
    }
    EXPECT_NEAR(su / n, 0.5, 0.005);
    EXPECT_NEAR(se / n, 1.0, 0.01);
}

TEST(IsfRandomState, DiscardSamplesSkipsExactlyThatManyRandomSamples) {
    for (std::uint64_t n : {0ull, 1ull, 311ull, 312ull, 5000ull}) {
        IsfRandomState skipped(99), drawn(99);
        skipped.discard_samples(n);
        for (std::uint64_t i = 0; i < n; ++i) drawn.random_sample();
        for (int i = 0; i < 5; ++i) EXPECT_EQ(skipped.random_sample(), drawn.random_sample()) << n;
    }
}

}  // namespace
}  // namespace silico::experiments
