// mechanisms/silico_exp.h, the exp() every silico mechanism calls, against NEURON's own hoc_Exp, which
// nocmodl's generated code would call instead: the same bits for every argument, so the speed-up cannot
// change a simulation.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

extern "C" {
#include "silico_exp.h"
}

namespace {

std::uint64_t bits(double x) {
    return std::bit_cast<std::uint64_t>(x);
}

TEST(SilicoExp, ReturnsHocExpsBitsAcrossTheWholeRangeTheChannelsUse) {
    // 4 million arguments spread over [-710, 710], beyond hoc_Exp's +-700 limits on both sides.
    const long n = 4'000'000;
    long differing = 0;
    for (long i = 0; i <= n; ++i) {
        const double x = -710.0 + 1420.0 * static_cast<double>(i) / static_cast<double>(n);
        if (x > 700.0) break;  // above 700 hoc_Exp warns on stderr: checked once below
        if (bits(silico_exp(x)) != bits(hoc_Exp(x))) ++differing;
    }
    EXPECT_EQ(differing, 0);
}

TEST(SilicoExp, AgreesWithHocExpAtItsLimitsAndOnSpecialValues) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> xs{-700.0,
                                 std::nextafter(-700.0, 0.0),
                                 std::nextafter(-700.0, -1000.0),
                                 700.0,
                                 std::nextafter(700.0, 0.0),
                                 -1e300,
                                 -std::numeric_limits<double>::infinity(),
                                 0.0,
                                 -0.0,
                                 1e-300,
                                 -745.2,
                                 709.7};
    for (double x : xs) EXPECT_EQ(bits(silico_exp(x)), bits(hoc_Exp(x))) << "exp(" << x << ")";
    EXPECT_TRUE(std::isnan(silico_exp(nan)));
    EXPECT_TRUE(std::isnan(hoc_Exp(nan)));
}

// One call site, as in a mod file: arguments that repeat (a time constant), change every call (a voltage) or are
// NaN; the memo must hand back silico_exp's bits each time and never a stale value.
double memo_exp(double x) {
    return SILICO_MEMO_EXP(x);
}

TEST(SilicoExp, MemoReturnsSilicoExpsBitsForRepeatedChangingAndNanArguments) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> xs{0.0, -0.0, -0.0125, -0.0125, -0.0125, -0.25,  -0.0125, 1.5,
                                 1.5, nan,  1.5,     nan,     -800.0,  -800.0, 3.0,     0.0};
    for (double x : xs) {
        if (std::isnan(x)) {
            EXPECT_TRUE(std::isnan(memo_exp(x)));
        } else {
            EXPECT_EQ(bits(memo_exp(x)), bits(silico_exp(x))) << "exp(" << x << ")";
        }
    }
}

TEST(SilicoExp, UsesGlibcsExpKernelWhereTheBuildFoundIt) {
#if defined(SILICO_HAVE_EXP_FINITE) && SILICO_HAVE_EXP_FINITE
    EXPECT_EQ(bits(__exp_finite(-12.5)), bits(std::exp(-12.5)));
#else
    GTEST_SKIP() << "glibc's __exp_finite@GLIBC_2.15 was not found at configure time: silico_exp calls exp";
#endif
}

}  // namespace
