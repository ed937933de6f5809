#include "writer_lock.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <optional>

#include "fake_env.hpp"
#include "silico/core/env.hpp"
#include "silico/store/store.hpp"
#include "temp_dir.hpp"

namespace silico::store {
namespace {

using testing::TempDir;

TEST(WriterLock, SecondLockInTheSameProcessIsBusyNamingPidAndHost) {
    TempDir tmp;
    auto first = WriterLock::acquire(tmp.path());
    ASSERT_TRUE(first) << first.error().what();
    auto second = WriterLock::acquire(tmp.path());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::busy);
    EXPECT_EQ(second.error().what(), "store " + tmp.path().string() + " is in use by PID " +
                                         std::to_string(getpid()) + " on " + env().host_name());
}

TEST(WriterLock, LockIsFreeAgainOnceReleased) {
    TempDir tmp;
    { ASSERT_TRUE(WriterLock::acquire(tmp.path())); }
    EXPECT_TRUE(WriterLock::acquire(tmp.path()));
}

TEST(WriterLock, LockFileRecordsPidAndHost) {
    TempDir tmp;
    auto lock = WriterLock::acquire(tmp.path());
    ASSERT_TRUE(lock);
    std::ifstream in(tmp.path() / "LOCK");
    std::string pid, host;
    in >> pid >> host;
    EXPECT_EQ(pid, std::to_string(getpid()));
    EXPECT_EQ(host, env().host_name());
}

TEST(WriterLock, TheOwnerIsTheCurrentEnvsPidAndHost) {
    silico::testing::FakeEnv fake;
    fake.host = "node-17";
    fake.process_id = 31337;
    ScopedEnv scope(fake);
    TempDir tmp;
    auto lock = WriterLock::acquire(tmp.path());
    ASSERT_TRUE(lock) << lock.error().what();
    std::ifstream in(tmp.path() / "LOCK");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "31337 node-17\n");
    auto second = WriterLock::acquire(tmp.path());
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().what(), "store " + tmp.path().string() + " is in use by PID 31337 on node-17");
}

TEST(WriterLock, SecondWriterProcessGetsTheClearBusyErrorNotAHang) {
    TempDir tmp;
    int ready[2], done[2];
    ASSERT_EQ(pipe(ready), 0);
    ASSERT_EQ(pipe(done), 0);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto store = Store::open(tmp.path());
        char c = store ? 'y' : 'n';
        (void)!write(ready[1], &c, 1);
        (void)!read(done[0], &c, 1);  // hold the store until the parent has tried
        _exit(store ? 0 : 1);
    }
    char c = 0;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    ASSERT_EQ(c, 'y');
    auto second = Store::open(tmp.path());
    (void)!write(done[1], "x", 1);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, Errc::busy);
    EXPECT_EQ(exit_status(second.error().code), 3);
    EXPECT_EQ(second.error().what(), "store " + tmp.path().string() + " is in use by PID " +
                                         std::to_string(child) + " on " + env().host_name());
    // Readers are not writers: they open while the writer runs (checked here after it exited too).
    EXPECT_TRUE(Store::open(tmp.path()));
}

TEST(WriterLock, LockOfAKilledWriterIsReleasedByTheKernel) {
    TempDir tmp;
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        std::optional<WriterLock> held;
        while (!held) {
            if (auto lock = WriterLock::acquire(tmp.path())) {
                held.emplace(std::move(*lock));
            } else {
                usleep(1000);
            }
        }
        pause();
        _exit(0);
    }
    // Wait until the child holds it, then kill it.
    bool busy = false;
    for (int i = 0; i < 5000 && !busy; ++i) {
        busy = !WriterLock::acquire(tmp.path());
        if (!busy) usleep(2000);
    }
    ASSERT_TRUE(busy);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    EXPECT_TRUE(WriterLock::acquire(tmp.path()));
}

}  // namespace
}  // namespace silico::store
