#include "executors/child_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

namespace silico::runner {
namespace {

TEST(ChildProcess, RunCommandCollectsStdoutStderrAndStatus) {
    auto out = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->out, "out\n");
    EXPECT_EQ(out->err, "err\n");
    EXPECT_FALSE(out->succeeded());
    EXPECT_EQ(describe_wait_status(out->status), "exited with status 3");
}

TEST(ChildProcess, ASignalDeathIsDescribedByName) {
    auto out = run_command({"sh", "-c", "kill -KILL $$"});
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(describe_wait_status(out->status), "killed by signal 9 (SIGKILL)");
}

TEST(ChildProcess, AMissingProgramIsAnErrorNamingIt) {
    auto child = spawn_child({"/nonexistent/silico-worker"});
    ASSERT_FALSE(child.has_value());
    EXPECT_NE(child.error().what().find("/nonexistent/silico-worker"), std::string::npos);
}

}  // namespace
}  // namespace silico::runner
