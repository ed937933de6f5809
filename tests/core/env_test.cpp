#include "silico/core/env.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "fake_env.hpp"

namespace silico {
namespace {

TEST(Env, TheSystemEnvReadsTheOperatingSystem) {
    const Env& os = system_env();
    EXPECT_EQ(os.pid(), ::getpid());
    char host[256] = {};
    ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
    EXPECT_EQ(os.host_name(), host);
    EXPECT_FALSE(os.user_name().empty());
    const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const auto now = os.now_unix_ms();
    EXPECT_GE(now, before);
    EXPECT_LT(now - before, 1000);
}

TEST(Env, TheUserNameComesFromUserWhenItIsSet) {
    const char* saved = std::getenv("USER");
    const std::string previous = saved ? saved : "";
    ::setenv("USER", "env-test-user", 1);
    EXPECT_EQ(system_env().user_name(), "env-test-user");
    if (saved) {
        ::setenv("USER", previous.c_str(), 1);
    } else {
        ::unsetenv("USER");
    }
}

TEST(Env, TheCurrentEnvIsTheSystemOneUnlessOverridden) {
    EXPECT_EQ(&env(), &system_env());
}

TEST(Env, AScopedEnvIsCurrentForItsScopeAndScopesNest) {
    testing::FakeEnv outer;
    outer.host = "outer";
    testing::FakeEnv inner;
    inner.host = "inner";
    {
        ScopedEnv a(outer);
        EXPECT_EQ(env().host_name(), "outer");
        {
            ScopedEnv b(inner);
            EXPECT_EQ(env().host_name(), "inner");
            EXPECT_EQ(env().pid(), inner.process_id);
        }
        EXPECT_EQ(env().host_name(), "outer");
    }
    EXPECT_EQ(&env(), &system_env());
}

TEST(Env, AFakeClockMovesOnlyWhenTheTestMovesIt) {
    testing::FakeEnv fake;
    fake.time_ms = 1'700'000'000'000;
    ScopedEnv scope(fake);
    EXPECT_EQ(env().now_unix_ms(), 1'700'000'000'000);
    fake.time_ms += 250;
    EXPECT_EQ(env().now_unix_ms(), 1'700'000'000'250);
}

}  // namespace
}  // namespace silico
