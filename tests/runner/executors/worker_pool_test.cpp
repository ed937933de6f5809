// The local executor (a pool of real `silico_test_worker worker --stdio` processes): results, crashes, retries,
// interruption and refused workers.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "silico/runner/executor.hpp"
#include "silico/runner/worker.hpp"
#include "test_handlers.hpp"

namespace silico::runner {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> worker_command() {
    return {SILICO_TEST_WORKER, "worker", "--stdio"};
}

struct Collected {
    std::map<std::string, TrialOutcome> by_key;
    std::size_t deliveries = 0;
    std::vector<std::string> events;
};

ExecutorOptions quiet_options(Collected& c) {
    ExecutorOptions o;
    o.on_event = [&c](const std::string& e) { c.events.push_back(e); };
    return o;
}

Job checksum_job(std::size_t n, const std::string& rounds, const std::string& prefix = "data-") {
    Job job{"checksum", "rounds=" + rounds, {}};
    for (std::size_t i = 0; i < n; ++i)
        job.trials.push_back({"key" + std::to_string(i), prefix + std::to_string(i)});
    return job;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

TEST(LocalExecutor, TwoWorkersRunAHundredChecksumTrialsWithCorrectResults) {
    Collected c;
    auto exec = make_local_executor({2, worker_command()}, quiet_options(c));
    const std::vector<Job> jobs{checksum_job(100, "20000")};
    std::set<int> pids;
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) {
        ++c.deliveries;
        pids.insert(o.worker_pid);
        c.by_key.emplace(o.key, std::move(o));
    });
    ASSERT_TRUE(summary.has_value()) << summary.error().what();
    EXPECT_EQ(summary->succeeded, 100u);
    EXPECT_EQ(summary->failed, 0u);
    EXPECT_EQ(summary->not_run, 0u);
    EXPECT_FALSE(summary->interrupted);
    EXPECT_EQ(c.deliveries, 100u);
    ASSERT_EQ(c.by_key.size(), 100u);
    for (const auto& t : jobs[0].trials) {
        const auto& o = c.by_key.at(t.key);
        EXPECT_TRUE(o.ok) << o.key << ": " << o.error;
        EXPECT_EQ(o.result, checksum_of(t.request, 20000)) << o.key;
        EXPECT_EQ(o.attempts, 1u);
    }
    EXPECT_EQ(pids.size(), 2u) << "both workers took trials";
    EXPECT_TRUE(c.events.empty()) << joined(c.events);
}

TEST(LocalExecutor, TrialsOfSeveralModelsEachGetTheirModelsResult) {
    Collected c;
    auto exec = make_local_executor({2, worker_command()}, quiet_options(c));
    const std::vector<Job> jobs{checksum_job(10, "3", "a"), checksum_job(10, "7", "b")};
    std::vector<Job> renamed = jobs;
    for (auto& t : renamed[1].trials) t.key = "second-" + t.key;
    auto summary = exec->run(renamed, [&](TrialOutcome&& o) { c.by_key.emplace(o.key, std::move(o)); });
    ASSERT_TRUE(summary.has_value());
    ASSERT_EQ(c.by_key.size(), 20u);
    EXPECT_EQ(c.by_key.at("key4").result, checksum_of("a4", 3));
    EXPECT_EQ(c.by_key.at("second-key4").result, checksum_of("b4", 7));
}

TEST(LocalExecutor, ASigkilledWorkerLosesOnlyItsInFlightTrialWhichIsRetried) {
    Collected c;
    auto exec = make_local_executor({2, worker_command()}, quiet_options(c));
    const std::vector<Job> jobs{checksum_job(40, "1", "sleep:30:")};
    int killed = 0;
    std::set<int> pids;
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) {
        ++c.deliveries;
        pids.insert(o.worker_pid);
        // After a few results, kill the worker that just answered: it is already running its next trial.
        if (c.deliveries == 5) {
            killed = o.worker_pid;
            ::kill(killed, SIGKILL);
        }
        c.by_key.emplace(o.key, std::move(o));
    });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->succeeded, 40u);
    EXPECT_EQ(c.deliveries, 40u) << "every trial exactly once";
    std::size_t retried = 0;
    for (const auto& t : jobs[0].trials) {
        const auto& o = c.by_key.at(t.key);
        EXPECT_TRUE(o.ok);
        EXPECT_EQ(o.result, checksum_of(t.request.substr(t.request.rfind(':') + 1), 1));
        if (o.attempts == 2) {
            ++retried;
            EXPECT_NE(o.worker_pid, killed) << "the retry ran elsewhere";
        } else {
            EXPECT_EQ(o.attempts, 1u);
        }
    }
    EXPECT_EQ(retried, 1u) << "only the in-flight trial was charged";
    EXPECT_EQ(pids.size(), 3u) << "a replacement worker was started";
    EXPECT_NE(joined(c.events).find("SIGKILL"), std::string::npos) << joined(c.events);
}

TEST(LocalExecutor, AnAlwaysAbortingTrialFailsAfterMaxAttemptsWithItsStderrTailWhileOthersComplete) {
    Collected c;
    auto options = quiet_options(c);
    options.max_attempts = 3;
    auto exec = make_local_executor({2, worker_command()}, options);
    std::vector<Job> jobs{checksum_job(20, "100")};
    jobs[0].trials[7].request = "abort";
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) {
        ++c.deliveries;
        c.by_key.emplace(o.key, std::move(o));
    });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(c.deliveries, 20u);
    EXPECT_EQ(summary->succeeded, 19u);
    EXPECT_EQ(summary->failed, 1u);
    EXPECT_EQ(summary->failed_keys, std::vector<std::string>{"key7"});
    const auto& bad = c.by_key.at("key7");
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.attempts, 3u);
    EXPECT_NE(bad.error.find("SIGABRT"), std::string::npos) << bad.error;
    EXPECT_NE(bad.error.find("attempt 3 of 3"), std::string::npos) << bad.error;
    EXPECT_NE(bad.stderr_tail.find("aborting as the trial requested"), std::string::npos) << bad.stderr_tail;
    for (std::size_t i = 0; i < 20; ++i)
        if (i != 7) {
            EXPECT_EQ(c.by_key.at("key" + std::to_string(i)).attempts, 1u);
        }
}

TEST(LocalExecutor, WhatAHandlerPrintsOnStdoutStaysOutOfTheFrameStream) {
    Collected c;
    auto exec = make_local_executor({1, worker_command()}, quiet_options(c));
    const std::vector<Job> jobs{checksum_job(5, "2", "noise:")};
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) { c.by_key.emplace(o.key, std::move(o)); });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->succeeded, 5u) << joined(c.events);
    EXPECT_EQ(c.by_key.at("key3").result, checksum_of("3", 2));
    EXPECT_TRUE(c.events.empty()) << joined(c.events);
}

TEST(LocalExecutor, ASilentWorkerIsKilledAfterTheTimeoutAndItsTrialCharged) {
    Collected c;
    auto options = quiet_options(c);
    options.silence_timeout = std::chrono::seconds(1);
    options.max_attempts = 2;
    auto exec =
        make_local_executor({1, {SILICO_TEST_WORKER, "worker", "--stdio", "--heartbeat-ms", "0"}}, options);
    std::vector<Job> jobs{checksum_job(2, "1")};
    jobs[0].trials[0].request = "sleep:4000:hang";
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) { c.by_key.emplace(o.key, std::move(o)); });
    ASSERT_TRUE(summary.has_value());
    const auto& hung = c.by_key.at("key0");
    EXPECT_FALSE(hung.ok);
    EXPECT_EQ(hung.attempts, 2u);
    EXPECT_NE(hung.error.find("no frame for 1 s"), std::string::npos) << hung.error;
    EXPECT_TRUE(c.by_key.at("key1").ok);
}

TEST(LocalExecutor, HeartbeatsKeepASlowTrialAlivePastTheSilenceTimeout) {
    Collected c;
    auto options = quiet_options(c);
    options.silence_timeout = std::chrono::seconds(1);
    auto exec =
        make_local_executor({1, {SILICO_TEST_WORKER, "worker", "--stdio", "--heartbeat-ms", "100"}}, options);
    const std::vector<Job> jobs{Job{"checksum", "rounds=1", {{"slow", "sleep:2500:x"}}}};
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) { c.by_key.emplace(o.key, std::move(o)); });
    ASSERT_TRUE(summary.has_value());
    EXPECT_TRUE(c.by_key.at("slow").ok) << c.by_key.at("slow").error;
    EXPECT_EQ(c.by_key.at("slow").attempts, 1u);
}

TEST(LocalExecutor, AHandlerErrorFailsTheTrialOnceWithoutRetry) {
    Collected c;
    auto exec = make_local_executor({1, worker_command()}, quiet_options(c));
    std::vector<Job> jobs{checksum_job(3, "1")};
    jobs[0].trials[1].request = "fail";
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) { c.by_key.emplace(o.key, std::move(o)); });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->failed, 1u);
    EXPECT_EQ(c.by_key.at("key1").attempts, 1u);
    EXPECT_NE(c.by_key.at("key1").error.find("requested a failure"), std::string::npos);
}

TEST(LocalExecutor, RequestStopFinishesTrialsInFlightAndLeavesTheRestUnrun) {
    Collected c;
    auto exec = make_local_executor({2, worker_command()}, quiet_options(c));
    const std::vector<Job> jobs{checksum_job(50, "1", "sleep:40:")};
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) {
        if (++c.deliveries == 4) exec->request_stop();
        c.by_key.emplace(o.key, std::move(o));
    });
    ASSERT_TRUE(summary.has_value());
    EXPECT_TRUE(summary->interrupted);
    EXPECT_GE(summary->succeeded, 4u);
    EXPECT_LE(summary->succeeded, 4u + 2 * 2) << "at most the pipelined trials finish after the stop";
    EXPECT_EQ(summary->not_run, 50u - summary->succeeded);
    EXPECT_EQ(c.deliveries, c.by_key.size());
    for (const auto& [key, o] : c.by_key) EXPECT_TRUE(o.ok) << key;
}

TEST(LocalExecutor, SigintStopsTheRunCleanly) {
    Collected c;
    auto exec = make_local_executor({2, worker_command()}, quiet_options(c));
    const std::vector<Job> jobs{checksum_job(50, "1", "sleep:40:")};
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) {
        if (++c.deliveries == 3) ::kill(::getpid(), SIGINT);
        c.by_key.emplace(o.key, std::move(o));
    });
    ASSERT_TRUE(summary.has_value());
    EXPECT_TRUE(summary->interrupted);
    EXPECT_EQ(summary->stop_reason, "interrupted by SIGINT");
    EXPECT_LT(summary->succeeded, 50u);
    EXPECT_EQ(summary->failed, 0u);
}

TEST(LocalExecutor, AWorkerSpeakingAnotherProtocolVersionIsRefusedWithAClearError) {
    const fs::path hello_file =
        fs::temp_directory_path() / ("silico-old-hello-" + std::to_string(::getpid()));
    Hello old = make_hello(Hello::Role::worker);
    old.protocol = 99;
    old.silico_version = "0.0.1 oldcommit";
    std::ofstream(hello_file, std::ios::binary) << encode_frame(old);
    Collected c;
    auto exec = make_local_executor({1, {"sh", "-c", "cat '" + hello_file.string() + "'; exec sleep 30"}},
                                    quiet_options(c));
    const std::vector<Job> jobs{checksum_job(3, "1")};
    auto summary = exec->run(jobs, [&](TrialOutcome&&) { ++c.deliveries; });
    fs::remove(hello_file);
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(c.deliveries, 0u);
    EXPECT_EQ(summary->not_run, 3u);
    EXPECT_NE(summary->stop_reason.find("speaks worker protocol v99 (silico 0.0.1 oldcommit)"),
              std::string::npos)
        << summary->stop_reason;
}

TEST(LocalExecutor, AWorkerThatCannotStartEndsTheRunWithItsReason) {
    Collected c;
    auto exec =
        make_local_executor({2, {"sh", "-c", "echo 'cannot load libnrniv' >&2; exit 7"}}, quiet_options(c));
    const std::vector<Job> jobs{checksum_job(4, "1")};
    auto summary = exec->run(jobs, [&](TrialOutcome&&) { ++c.deliveries; });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->not_run, 4u);
    EXPECT_NE(summary->stop_reason.find("exited with status 7"), std::string::npos) << summary->stop_reason;
    EXPECT_NE(summary->stop_reason.find("cannot load libnrniv"), std::string::npos) << summary->stop_reason;
}

TEST(LocalExecutor, AMissingWorkerProgramEndsTheRunNamingIt) {
    Collected c;
    auto exec = make_local_executor({2, {"/nonexistent/silico", "worker", "--stdio"}}, quiet_options(c));
    const std::vector<Job> jobs{checksum_job(4, "1")};
    auto summary = exec->run(jobs, [&](TrialOutcome&&) { ++c.deliveries; });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->not_run, 4u);
    EXPECT_NE(summary->stop_reason.find("/nonexistent/silico"), std::string::npos) << summary->stop_reason;
}

TEST(LocalExecutor, ACallbackThatThrowsStopsTheRunWithTheReason) {
    Collected c;
    auto exec = make_local_executor({2, worker_command()}, quiet_options(c));
    const std::vector<Job> jobs{checksum_job(20, "1", "sleep:20:")};
    auto summary = exec->run(jobs, [&](TrialOutcome&&) {
        if (++c.deliveries == 2) throw std::runtime_error("store is full");
    });
    ASSERT_TRUE(summary.has_value());
    EXPECT_TRUE(summary->interrupted);
    EXPECT_EQ(summary->stop_reason, "the outcome callback failed: store is full");
    EXPECT_EQ(c.deliveries, 2u);
    EXPECT_EQ(summary->succeeded, 1u) << "the refused result does not count";
    EXPECT_EQ(summary->not_run, 19u);
}

TEST(LocalExecutor, AnEmptyRunStartsNoWorker) {
    Collected c;
    auto exec = make_local_executor({2, {"/nonexistent"}}, quiet_options(c));
    auto summary = exec->run({}, [&](TrialOutcome&&) { ++c.deliveries; });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->total, 0u);
    EXPECT_TRUE(c.events.empty());
}

}  // namespace
}  // namespace silico::runner
