#include "test_handlers.hpp"

#include <gtest/gtest.h>

#include "silico/core/digest.hpp"
#include "silico/runner/worker.hpp"

namespace silico::runner {
namespace {

TEST(TestHandlers, ChecksumIteratesSha256OverItsOwnDigest) {
    EXPECT_EQ(checksum_of("abc", 1), sha256("abc").hex());
    EXPECT_EQ(checksum_of("abc", 2), sha256(sha256("abc").view()).hex());
    EXPECT_NE(checksum_of("abc", 3), checksum_of("abd", 3));
}

TEST(TestHandlers, TheChecksumKindIsRegisteredAndRunsSleepRequests) {
    HandlerRegistry registry;
    register_test_handlers(registry);
    auto factory = registry.find("checksum");
    ASSERT_TRUE(factory.has_value());
    auto handler = (**factory)("rounds=10");
    ASSERT_TRUE(handler.has_value());
    TrialContext context;
    EXPECT_EQ((*handler)("data", context).value(), checksum_of("data", 10));
    EXPECT_EQ((*handler)("sleep:1:data", context).value(), checksum_of("data", 10));
    EXPECT_FALSE((*handler)("fail", context).has_value());
}

TEST(TestHandlers, TheAbortRequestReallyAbortsTheProcess) {
    HandlerRegistry registry;
    register_test_handlers(registry);
    auto handler = (**registry.find("checksum"))("rounds=1");
    TrialContext context;
    EXPECT_DEATH((void)(*handler)("abort", context), "aborting as the trial requested");
}

}  // namespace
}  // namespace silico::runner
