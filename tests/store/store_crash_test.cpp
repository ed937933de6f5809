// A writer SIGKILLed at random moments while committing 1,000 trials always leaves a store that opens and
// holds only complete trials: every record's blobs are present and hash to their digests.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <random>

#include "silico/store/store.hpp"
#include "temp_dir.hpp"

namespace silico::store {
namespace {

using testing::TempDir;

constexpr int k_trials = 1000;

Digest key_of(int i) {
    return sha256("crash trial " + std::to_string(i));
}

// Outputs that differ per trial and are large enough (~20 KB) that a commit takes a while.
std::vector<NamedBlob> outputs_of(int i) {
    std::string trace;
    std::mt19937_64 rng(static_cast<std::uint64_t>(i));
    for (int k = 0; k < 2500; ++k) {
        const std::uint64_t v = rng();
        trace.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    return {{"soma.v", std::move(trace)}, {"spikes", "spikes of " + std::to_string(i)}};
}

// The child: commits every trial not yet in the store, then exits 0.
[[noreturn]] void writer(const std::filesystem::path& dir) {
    auto store = Store::open(dir);
    if (!store) _exit(2);
    for (int i = 0; i < k_trials; ++i) {
        if (*store->contains(key_of(i))) continue;
        TrialRecord r;
        r.seed = static_cast<std::uint64_t>(i);
        if (!store->commit_trial(key_of(i), r, outputs_of(i))) _exit(3);
    }
    _exit(0);
}

// Every trial in the store is complete and correct; returns how many there are.
int check_store(const std::filesystem::path& dir) {
    auto store = Store::open(dir);
    EXPECT_TRUE(store) << store.error().what();
    if (!store) return -1;
    auto report = store->verify();
    EXPECT_TRUE(report && report->ok()) << (report ? std::to_string(report->corrupt.size()) + " corrupt, " +
                                                         std::to_string(report->missing.size()) + " missing"
                                                   : report.error().what());
    int count = 0;
    for (int i = 0; i < k_trials; ++i) {
        auto record = store->find_trial(key_of(i));
        if (!record) continue;
        ++count;
        for (const auto& out : outputs_of(i)) {
            auto bytes = store->get_blob(record->outputs.at(out.name).digest);
            EXPECT_TRUE(bytes && *bytes == out.bytes) << "trial " << i << " output " << out.name;
        }
        EXPECT_EQ(**store->seed_owner(static_cast<std::uint64_t>(i)), key_of(i));
    }
    return count;
}

TEST(StoreCrash, WriterKilledAtRandomMomentsLeavesOnlyCompleteTrials) {
    TempDir tmp;
    const auto dir = tmp / "store";
    const unsigned seed = std::random_device{}();
    SCOPED_TRACE("random seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    // From "during open" to "well into the commits".
    std::uniform_int_distribution<int> delay_us(0, 300000);
    int previous = 0;
    int kills = 0;
    for (; kills < 25; ++kills) {
        const pid_t child = fork();
        ASSERT_GE(child, 0);
        if (child == 0) writer(dir);
        const int delay = delay_us(rng);
        usleep(static_cast<useconds_t>(delay));
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        if (WIFEXITED(status)) {
            ASSERT_EQ(WEXITSTATUS(status), 0) << "writer failed rather than being killed";
        }
        const int count = check_store(dir);
        ASSERT_GE(count, previous) << "a committed trial disappeared";
        std::printf("kill %d after %d us: %d complete trials\n", kills, delay, count);
        previous = count;
        if (HasFailure()) return;
    }
    // Finish the 1,000 trials and check the final store.
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) writer(dir);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(check_store(dir), k_trials);
    EXPECT_GE(kills, 20);
}

}  // namespace
}  // namespace silico::store
