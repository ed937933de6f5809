// The Slurm executor against a real single-node Slurm (munged, slurmctld, slurmd from Debian) started
// by this test on 127.0.0.1 with its own key, config, ports and state folders.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "executors/child_process.hpp"
#include "free_port.hpp"
#include "silico/runner/executor.hpp"
#include "silico/runner/worker.hpp"
#include "test_handlers.hpp"

namespace silico::runner {
namespace {

namespace fs = std::filesystem;

int free_port() {
    return testing_support::free_loopback_port();
}

// munged + slurmctld + slurmd in the foreground, owned by this object.
class SlurmCluster {
  public:
    SlurmCluster() {
        for (const char* daemon : {"/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd"})
            if (!fs::exists(daemon)) {
                why = std::string(daemon) + " is not installed (scripts/install-deps.sh --with-tests)";
                return;
            }
        if (::getuid() != 0) {
            why = "a private slurmd must run as root to start jobs";
            return;
        }
        dir = fs::temp_directory_path() / ("silico-slurm-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir / "state");
        fs::create_directories(dir / "spool");
        fs::create_directories(dir / "shared");
        // munged checks that every folder above its socket is reachable by all.
        fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                 fs::perms::others_read | fs::perms::others_exec);
        {
            std::ofstream key(dir / "munge.key", std::ios::binary);
            std::ifstream random("/dev/urandom", std::ios::binary);
            std::string bytes(128, '\0');
            random.read(bytes.data(), 128);
            key << bytes;
        }
        fs::permissions(dir / "munge.key", fs::perms::owner_read | fs::perms::owner_write);
        const std::string d = dir.string();
        start("munged", {"/usr/sbin/munged", "-F", "-f", "--socket=" + d + "/munge.sock",
                         "--key-file=" + d + "/munge.key", "--log-file=" + d + "/munged.log",
                         "--pid-file=" + d + "/munged.pid", "--seed-file=" + d + "/munged.seed"});
        for (int i = 0; i < 100 && !fs::exists(dir / "munge.sock"); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!fs::exists(dir / "munge.sock")) {
            why = "munged did not create its socket; see " + d + "/munged.out";
            return;
        }
        char host[256] = {};
        ::gethostname(host, sizeof(host) - 1);
        const std::string node = host;
        const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
        std::ofstream(dir / "slurm.conf")
            << "ClusterName=silicotest\nSlurmctldHost=" << node
            << "(127.0.0.1)\nSlurmctldPort=" << free_port() << "\nSlurmdPort=" << free_port()
            << "\nAuthType=auth/munge\nAuthInfo=socket=" << d
            << "/munge.sock,cred_expire=5\nCredType=cred/"
               "munge\nSlurmUser=root\nSlurmdUser=root\nStateSaveLocation="
            << d << "/state\nSlurmdSpoolDir=" << d << "/spool\nSlurmctldPidFile=" << d
            << "/slurmctld.pid\nSlurmdPidFile=" << d << "/slurmd.pid\nSlurmctldLogFile=" << d
            << "/slurmctld.log\nSlurmdLogFile=" << d
            << "/slurmd.log\nProctrackType=proctrack/linuxproc\nTaskPlugin=task/none\n"
               "JobAcctGatherType=jobacct_gather/none\nAccountingStorageType=accounting_storage/none\n"
               "SelectType=select/cons_tres\nSelectTypeParameters=CR_CPU\nMpiDefault=none\nSwitchType=switch/"
               "none\n"
               "ReturnToService=2\nSchedulerType=sched/"
               "backfill\nSchedulerParameters=bf_interval=1,sched_interval=2\n"
               "MinJobAge=300\n"
            << "NodeName=" << node << " NodeAddr=127.0.0.1 CPUs=" << cpus << " State=UNKNOWN\n"
            << "PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n";
        // Clients (sbatch, squeue, scontrol) started by the executor inherit this.
        ::setenv("SLURM_CONF", (dir / "slurm.conf").c_str(), 1);
        start("slurmctld", {"/usr/sbin/slurmctld", "-D", "-i", "-f", d + "/slurm.conf"});
        start("slurmd", {"/usr/sbin/slurmd", "-D", "-f", d + "/slurm.conf", "-N", node});
        for (int i = 0; i < 300; ++i) {
            auto out = run_command({"sinfo", "-h", "-o", "%t"});
            if (out && out->succeeded() && out->out.starts_with("idle")) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        why = "the Slurm node did not become idle; see " + d + "/slurmctld.log and slurmd.log";
    }
    ~SlurmCluster() {
        for (auto it = m_pids.rbegin(); it != m_pids.rend(); ++it) {
            ::kill(*it, SIGTERM);
            ::waitpid(*it, nullptr, 0);
        }
        ::unsetenv("SLURM_CONF");
        if (!dir.empty()) fs::remove_all(dir);
    }
    fs::path dir;
    std::string why;

  private:
    // Starts a daemon in the foreground with its stdout and stderr in DIR/NAME.out (a closed pipe would
    // kill it with SIGPIPE on its first message).
    void start(const std::string& name, std::vector<std::string> argv) {
        argv.insert(argv.begin(),
                    {"sh", "-c", "exec \"$0\" \"$@\" >>'" + (dir / (name + ".out")).string() + "' 2>&1"});
        auto child = spawn_child(argv);
        if (!child) {
            why = child.error().what();
            return;
        }
        ::close(child->stdin_fd);
        ::close(child->stdout_fd);
        ::close(child->stderr_fd);
        m_pids.push_back(child->pid);
    }
    std::vector<pid_t> m_pids;
};

class SlurmExecutor : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { s_cluster = new SlurmCluster(); }
    static void TearDownTestSuite() {
        delete s_cluster;
        s_cluster = nullptr;
    }
    void SetUp() override {
        if (!s_cluster->why.empty()) GTEST_SKIP() << "Slurm cannot start here: " << s_cluster->why;
        shared = s_cluster->dir / "shared" / ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::create_directories(shared);
    }
    SlurmOptions options() {
        SlurmOptions o;
        o.shared_dir = shared;
        o.worker_command = {SILICO_TEST_WORKER, "worker"};
        o.poll = std::chrono::milliseconds(200);
        return o;
    }
    // Every result frame written by any task of the run, by key.
    std::map<std::string, int> result_frames() {
        std::map<std::string, int> count;
        for (const auto& entry : fs::recursive_directory_iterator(shared)) {
            if (entry.path().extension() != ".out") continue;
            std::ifstream in(entry.path(), std::ios::binary);
            std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
            FrameReader reader;
            reader.feed(bytes);
            for (;;) {
                auto f = reader.next();
                if (!f || !*f) break;
                if (auto* r = std::get_if<TrialReply>(&**f)) ++count[r->key];
            }
        }
        return count;
    }
    static SlurmCluster* s_cluster;
    fs::path shared;
};
SlurmCluster* SlurmExecutor::s_cluster = nullptr;

Job job_of(std::size_t n, const std::string& prefix) {
    Job job{"checksum", "rounds=9", {}};
    for (std::size_t i = 0; i < n; ++i)
        job.trials.push_back({"key" + std::to_string(i), prefix + std::to_string(i)});
    return job;
}

std::string tail_of(const std::string& request) {
    return request.substr(request.rfind(':') + 1);
}

TEST_F(SlurmExecutor, AThrottledArrayRunsManyTrialsPerTaskWithCorrectResults) {
    auto o = options();
    o.trials_per_task = 8;
    o.max_parallel_tasks = 2;
    std::vector<std::string> events;
    ExecutorOptions eo;
    eo.on_event = [&](const std::string& e) { events.push_back(e); };
    auto exec = make_slurm_executor(o, eo);
    const std::vector<Job> jobs{job_of(30, "x")};
    std::map<std::string, TrialOutcome> got;
    auto summary = exec->run(jobs, [&](TrialOutcome&& out) { got.emplace(out.key, std::move(out)); });
    ASSERT_TRUE(summary.has_value()) << summary.error().what();
    EXPECT_EQ(summary->succeeded, 30u) << summary->stop_reason;
    ASSERT_EQ(got.size(), 30u);
    for (const auto& t : jobs[0].trials) {
        EXPECT_EQ(got.at(t.key).result, checksum_of(t.request, 9));
        EXPECT_TRUE(got.at(t.key).worker.starts_with("slurm ")) << got.at(t.key).worker;
    }
    EXPECT_TRUE(fs::is_empty(shared)) << "a fully successful run removes its run folder";
    ASSERT_FALSE(events.empty());
    EXPECT_NE(events[0].find("4 tasks, 30 trials"), std::string::npos) << events[0];
}

// The spec's worker= is what the task script runs (a container image's `apptainer exec ... silico worker`
// here is the test worker behind `env`, which the nodes have): without it the tasks would start this test
// binary, which is no worker, and every trial would fail.
TEST_F(SlurmExecutor, TheWorkerCommandOfTheSpecIsWhatTheTasksRun) {
    auto exec = make_executor(
        "slurm:" + shared.string() + ",2,worker=env SILICO_VIA=spec " SILICO_TEST_WORKER " worker", {});
    ASSERT_TRUE(exec.has_value()) << exec.error().what();
    const std::vector<Job> jobs{job_of(4, "w")};
    std::map<std::string, TrialOutcome> got;
    auto summary = (*exec)->run(jobs, [&](TrialOutcome&& out) { got.emplace(out.key, std::move(out)); });
    ASSERT_TRUE(summary.has_value()) << summary.error().what();
    EXPECT_EQ(summary->succeeded, 4u) << summary->stop_reason;
    for (const auto& t : jobs[0].trials) EXPECT_EQ(got.at(t.key).result, checksum_of(t.request, 9));
}

TEST_F(SlurmExecutor, ARequeuedTaskKeepsItsFinishedTrialsAndRunsTheRest) {
    auto o = options();
    o.trials_per_task = 6;
    o.keep_run_folder = true;
    auto exec = make_slurm_executor(o, {});
    const std::vector<Job> jobs{job_of(6, "sleep:400:")};
    std::map<std::string, TrialOutcome> got;
    bool requeued = false;
    auto summary = exec->run(jobs, [&](TrialOutcome&& out) {
        // Preempt the task after its second trial: Slurm kills it and queues it again.
        if (got.size() == 1 && !requeued) {
            const std::string job_id = out.worker.substr(6, out.worker.find('_') - 6);
            auto r = run_command({"scontrol", "requeue", job_id + "_0"});
            requeued = r && r->succeeded();
            EXPECT_TRUE(requeued) << (r ? r->err : r.error().what());
        }
        got.emplace(out.key, std::move(out));
    });
    ASSERT_TRUE(summary.has_value());
    EXPECT_TRUE(requeued);
    EXPECT_EQ(summary->succeeded, 6u) << summary->stop_reason;
    for (const auto& t : jobs[0].trials) EXPECT_EQ(got.at(t.key).result, checksum_of(tail_of(t.request), 9));
    const auto frames = result_frames();
    EXPECT_EQ(frames.size(), 6u) << "the kept run folder holds every result";
    for (const auto& [key, n] : frames) EXPECT_EQ(n, 1) << key << " ran twice after the requeue";
}

TEST_F(SlurmExecutor, ACrashingTrialIsRetriedThenFailsWithTheTaskLogWhileTheOthersComplete) {
    auto o = options();
    o.trials_per_task = 5;
    ExecutorOptions eo;
    eo.max_attempts = 2;
    eo.on_event = [](const std::string&) {};
    auto exec = make_slurm_executor(o, eo);
    std::vector<Job> jobs{job_of(10, "y")};
    jobs[0].trials[2].request = "abort";
    std::map<std::string, TrialOutcome> got;
    auto summary = exec->run(jobs, [&](TrialOutcome&& out) { got.emplace(out.key, std::move(out)); });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(summary->succeeded, 9u);
    EXPECT_EQ(summary->failed, 1u);
    const auto& bad = got.at("key2");
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.attempts, 2u);
    EXPECT_NE(bad.stderr_tail.find("aborting as the trial requested"), std::string::npos) << bad.stderr_tail;
    for (std::size_t i : {3u, 4u})
        EXPECT_EQ(got.at("key" + std::to_string(i)).attempts, 1u) << "queued behind the crash";
}

TEST_F(SlurmExecutor, StoppingCancelsTheArrayAndReportsTheRunInterrupted) {
    auto o = options();
    o.trials_per_task = 1;
    o.max_parallel_tasks = 1;
    ExecutorOptions eo;
    eo.on_event = [](const std::string&) {};
    auto exec = make_slurm_executor(o, eo);
    const std::vector<Job> jobs{job_of(6, "sleep:1000:")};
    std::size_t delivered = 0;
    auto summary = exec->run(jobs, [&](TrialOutcome&& out) {
        EXPECT_TRUE(out.ok);
        if (++delivered == 1) exec->request_stop();
    });
    ASSERT_TRUE(summary.has_value());
    EXPECT_TRUE(summary->interrupted);
    EXPECT_NE(summary->stop_reason.find("cancelled Slurm job"), std::string::npos) << summary->stop_reason;
    EXPECT_GE(summary->not_run, 3u);
    // scancel is asynchronous: tasks pass through COMPLETING before they leave the queue.
    std::string left;
    for (int i = 0; i < 100; ++i) {
        auto queue = run_command({"squeue", "-h", "-o", "%i %T"});
        ASSERT_TRUE(queue && queue->succeeded());
        left = queue->out;
        if (left.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(left, "") << "no task left in the queue";
}

}  // namespace
}  // namespace silico::runner
