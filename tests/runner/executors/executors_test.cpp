// --executor parsing, and the ssh executor against real OpenSSH servers on 127.0.0.1 started here.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "executors/child_process.hpp"
#include "free_port.hpp"
#include "processes.hpp"
#include "silico/runner/executor.hpp"
#include "silico/runner/worker.hpp"
#include "test_handlers.hpp"

namespace silico::runner {
namespace {

namespace fs = std::filesystem;

TEST(MakeExecutor, ParsesEveryEngineSpelling) {
    EXPECT_EQ(make_executor("local:3").value()->name(), "local:3");
    EXPECT_TRUE(make_executor("local").value()->name().starts_with("local:"));
    EXPECT_EQ(make_executor("ssh:a,b:4").value()->name(), "ssh:a,b");
    EXPECT_EQ(make_executor("slurm:/shared/runs,8").value()->name(), "slurm:/shared/runs");
    EXPECT_EQ(make_executor("slurm:/shared/runs,8,worker=apptainer exec /shared/silico.sif silico worker")
                  .value()
                  ->name(),
              "slurm:/shared/runs");
    EXPECT_EQ(make_executor("slurm:/shared/runs,worker=silico worker").value()->name(), "slurm:/shared/runs");
}

TEST(WorkerCommand, WithoutAModeItExitsWithUsageStatusAndSaysWhy) {
    auto out = run_command({SILICO_EXE, "worker"});
    ASSERT_TRUE(out.has_value());
    EXPECT_TRUE(WIFEXITED(out->status));
    EXPECT_EQ(WEXITSTATUS(out->status), 2);
    EXPECT_NE(out->err.find("use --stdio, or --file IN --out OUT"), std::string::npos) << out->err;
    EXPECT_TRUE(out->out.empty());
}

TEST(MakeExecutor, RejectsBadSpecsWithTheReason) {
    auto bad = [](std::string_view spec) {
        auto e = make_executor(spec);
        EXPECT_FALSE(e.has_value()) << spec;
        return e ? std::string() : e.error().what();
    };
    EXPECT_NE(bad("local:zero").find("local worker count"), std::string::npos);
    EXPECT_NE(bad("ssh:").find("needs hosts"), std::string::npos);
    EXPECT_NE(bad("ssh:host:0").find("workers for host host"), std::string::npos);
    EXPECT_NE(bad("slurm").find("shared folder"), std::string::npos);
    EXPECT_NE(bad("slurm:worker=silico worker").find("shared folder"), std::string::npos);
    EXPECT_NE(bad("slurm:/d,8,worker=").find("worker= needs a command"), std::string::npos);
    EXPECT_NE(bad("slurm:/d,worker=   ").find("worker= needs a command"), std::string::npos);
    EXPECT_NE(bad("slurm:/d,worker=sh -c 'silico worker'").find("without quotes"), std::string::npos);
    EXPECT_NE(bad("slurm:/d,8,9").find("unexpected \"9\""), std::string::npos);
    EXPECT_NE(bad("kubernetes").find("unknown executor"), std::string::npos);
}

int free_port() {
    return testing_support::free_loopback_port();
}

bool port_accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
}

// Every process below `pid`, deepest first (read from /proc).
std::vector<pid_t> descendants(pid_t pid) {
    std::multimap<pid_t, pid_t> children;
    for (const auto& p : silico::testing::process_table()) children.emplace(p.parent, p.pid);
    std::vector<pid_t> out;
    std::function<void(pid_t)> walk = [&](pid_t p) {
        auto [lo, hi] = children.equal_range(p);
        for (auto it = lo; it != hi; ++it) {
            walk(it->second);
            out.push_back(it->second);
        }
    };
    walk(pid);
    return out;
}

// A real sshd on 127.0.0.1 with its own host key, authorized_keys and port.
class Sshd {
  public:
    Sshd(const fs::path& dir, const fs::path& host_key, const fs::path& authorized, std::string& why) {
        port = free_port();
        const fs::path config = dir / ("sshd_config." + std::to_string(port));
        std::ofstream(config)
            << "Port " << port << "\nListenAddress 127.0.0.1\nHostKey " << host_key.string()
            << "\nAuthorizedKeysFile " << authorized.string()
            << "\nStrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
               "PubkeyAuthentication yes\nPermitRootLogin yes\nUsePAM no\nPidFile none\n"
               "LogLevel ERROR\n";
        auto child = spawn_child({"/usr/sbin/sshd", "-D", "-e", "-f", config.string()});
        if (!child) {
            why = child.error().what();
            return;
        }
        ::close(child->stdin_fd);
        ::close(child->stdout_fd);
        m_stderr = child->stderr_fd;
        pid = child->pid;
        for (int i = 0; i < 100 && !port_accepts(port); ++i) {
            if (::waitpid(pid, nullptr, WNOHANG) == pid) {
                pid = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (pid < 0 || !port_accepts(port)) {
            char buf[2048] = {};
            const ssize_t n = ::read(m_stderr, buf, sizeof(buf) - 1);
            why = "sshd did not start: " + std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
            stop();
        }
    }
    ~Sshd() { stop(); }
    // Drops the server and every connection it serves, as a host that vanishes from the network.
    void stop() {
        if (pid > 0) {
            // Collect the connections first: once the listener dies they are reparented away.
            const auto connections = descendants(pid);
            ::kill(pid, SIGKILL);
            for (pid_t p : connections) ::kill(p, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            pid = -1;
        }
        if (m_stderr >= 0) ::close(m_stderr);
        m_stderr = -1;
    }
    pid_t pid = -1;
    int port = 0;

  private:
    int m_stderr = -1;
};

class SshExecutor : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("silico-ssh-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
        if (!fs::exists("/usr/sbin/sshd")) GTEST_SKIP() << "/usr/sbin/sshd is not installed (openssh-server)";
        // sshd refuses to start without its privilege separation folder.
        std::error_code ec;
        fs::create_directories("/run/sshd", ec);
        for (const char* key : {"host_key", "client_key"}) {
            auto out =
                run_command({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", (dir / key).string()});
            ASSERT_TRUE(out && out->succeeded()) << (out ? out->err : out.error().what());
        }
        fs::copy_file(dir / "client_key.pub", dir / "authorized_keys");
        const passwd* pw = ::getpwuid(::getuid());
        user = pw ? pw->pw_name : "root";
    }
    void TearDown() override { fs::remove_all(dir); }

    std::unique_ptr<Sshd> start_sshd() {
        std::string why;
        auto sshd = std::make_unique<Sshd>(dir, dir / "host_key", dir / "authorized_keys", why);
        if (!why.empty()) return nullptr;
        return sshd;
    }
    // An ~/.ssh/config-style file: the executor reaches hosts by alias, as users do.
    fs::path client_config(const std::vector<std::pair<std::string, int>>& hosts) {
        const fs::path path = dir / "ssh_config";
        std::ofstream out(path);
        for (const auto& [alias, port] : hosts)
            out << "Host " << alias << "\n  HostName 127.0.0.1\n  Port " << port << "\n  User " << user
                << "\n  IdentityFile " << (dir / "client_key").string()
                << "\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n  UserKnownHostsFile /dev/null\n"
                   "  LogLevel ERROR\n  ConnectTimeout 5\n";
        return path;
    }
    SshOptions options(const fs::path& config, std::vector<SshHost> hosts) {
        SshOptions o;
        o.hosts = std::move(hosts);
        o.ssh_args = {"-F", config.string()};
        o.remote_command = {SILICO_TEST_WORKER, "worker", "--stdio"};
        return o;
    }

    fs::path dir;
    std::string user;
};

Job sleepy_job(std::size_t n, int ms) {
    Job job{"checksum", "rounds=3", {}};
    for (std::size_t i = 0; i < n; ++i)
        job.trials.push_back(
            {"key" + std::to_string(i), "sleep:" + std::to_string(ms) + ":" + std::to_string(i)});
    return job;
}

TEST_F(SshExecutor, RunsTrialsOnARealSshdWithCorrectResults) {
    auto sshd = start_sshd();
    if (!sshd) GTEST_SKIP() << "sshd cannot start here";
    const auto config = client_config({{"silico-a", sshd->port}});
    std::vector<std::string> events;
    ExecutorOptions eo;
    eo.on_event = [&](const std::string& e) { events.push_back(e); };
    auto exec = make_ssh_executor(options(config, {{"silico-a", 2}}), eo);
    const std::vector<Job> jobs{sleepy_job(30, 0)};
    std::map<std::string, TrialOutcome> got;
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) { got.emplace(o.key, std::move(o)); });
    ASSERT_TRUE(summary.has_value());
    std::string all_events;
    for (const auto& e : events) all_events += e + "\n";
    EXPECT_EQ(summary->succeeded, 30u) << summary->stop_reason << "\n" << all_events;
    ASSERT_EQ(got.size(), 30u);
    for (std::size_t i = 0; i < 30; ++i) {
        const auto& o = got.at("key" + std::to_string(i));
        EXPECT_EQ(o.result, checksum_of(std::to_string(i), 3));
        EXPECT_TRUE(o.worker.starts_with("ssh silico-a#")) << o.worker;
    }
}

TEST_F(SshExecutor, AHostThatDisconnectsHasItsTrialsRescheduledOnTheOthers) {
    auto good = start_sshd();
    auto flaky = start_sshd();
    if (!good || !flaky) GTEST_SKIP() << "sshd cannot start here";
    const auto config = client_config({{"good", good->port}, {"flaky", flaky->port}});
    std::vector<std::string> events;
    ExecutorOptions eo;
    eo.on_event = [&](const std::string& e) { events.push_back(e); };
    auto exec = make_ssh_executor(options(config, {{"good", 1}, {"flaky", 1}}), eo);
    const std::vector<Job> jobs{sleepy_job(40, 40)};
    std::map<std::string, TrialOutcome> got;
    std::size_t deliveries = 0, on_flaky = 0, on_flaky_after = 0;
    bool dropped = false;
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) {
        ++deliveries;
        if (o.worker.starts_with("ssh flaky")) {
            (dropped ? on_flaky_after : on_flaky) += 1;
            if (on_flaky == 4 && !dropped) {
                flaky->stop();  // the host and its connections vanish mid-run
                dropped = true;
            }
        }
        got.emplace(o.key, std::move(o));
    });
    ASSERT_TRUE(summary.has_value());
    std::string all_events;
    for (const auto& e : events) all_events += e + "\n";
    EXPECT_TRUE(dropped);
    EXPECT_EQ(summary->succeeded, 40u) << summary->stop_reason << "\n" << all_events;
    EXPECT_EQ(deliveries, 40u);
    EXPECT_LE(on_flaky_after, 1u) << "at most a result already on the wire arrives after the drop";
    std::size_t retried = 0;
    for (const auto& [key, o] : got) {
        EXPECT_TRUE(o.ok);
        retried += o.attempts > 1;
    }
    EXPECT_EQ(retried, 1u) << "the trial running on flaky was charged and retried on good";
    EXPECT_NE(all_events.find("ssh flaky#0"), std::string::npos) << all_events;
    EXPECT_NE(all_events.find("retrying its trial"), std::string::npos) << all_events;
    EXPECT_NE(all_events.find("Connection refused"), std::string::npos) << all_events;
}

TEST_F(SshExecutor, AHostRunningAnotherSilicoVersionIsRetiredAtOnceWithBothVersions) {
    auto sshd = start_sshd();
    if (!sshd) GTEST_SKIP() << "sshd cannot start here";
    const auto config = client_config({{"oldhost", sshd->port}});
    // The remote "silico" answers with the hello of an older protocol, as an old install would.
    Hello old = make_hello(Hello::Role::worker);
    old.protocol = k_protocol_version + 1;
    old.silico_version = "0.0.9 0ldc0mm1t";
    const fs::path hello_file = dir / "old_hello";
    std::ofstream(hello_file, std::ios::binary) << encode_frame(old);
    auto o = options(config, {{"oldhost", 1}});
    o.remote_command = {"sh", "-c", "cat " + hello_file.string() + "; exec sleep 30"};
    std::vector<std::string> events;
    ExecutorOptions eo;
    eo.on_event = [&](const std::string& e) { events.push_back(e); };
    auto exec = make_ssh_executor(o, eo);
    const std::vector<Job> jobs{sleepy_job(3, 0)};
    std::size_t delivered = 0;
    auto summary = exec->run(jobs, [&](TrialOutcome&&) { ++delivered; });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(delivered, 0u);
    EXPECT_EQ(summary->not_run, 3u);
    EXPECT_NE(summary->stop_reason.find("0.0.9 0ldc0mm1t"), std::string::npos) << summary->stop_reason;
    EXPECT_NE(summary->stop_reason.find("ssh oldhost#0"), std::string::npos) << summary->stop_reason;
    EXPECT_NE(summary->stop_reason.find("install the same silico version"), std::string::npos);
}

TEST_F(SshExecutor, AnUnreachableHostIsRetiredAndTheOthersDoTheWork) {
    auto good = start_sshd();
    if (!good) GTEST_SKIP() << "sshd cannot start here";
    const auto config = client_config({{"good", good->port}, {"nowhere", free_port()}});
    std::vector<std::string> events;
    ExecutorOptions eo;
    eo.on_event = [&](const std::string& e) { events.push_back(e); };
    auto exec = make_ssh_executor(options(config, {{"nowhere", 1}, {"good", 1}}), eo);
    const std::vector<Job> jobs{sleepy_job(25, 100)};
    std::size_t ok = 0;
    auto summary = exec->run(jobs, [&](TrialOutcome&& o) {
        ok += o.ok;
        EXPECT_TRUE(o.worker.starts_with("ssh good#")) << o.worker;
    });
    ASSERT_TRUE(summary.has_value());
    EXPECT_EQ(ok, 25u);
    std::string all_events;
    for (const auto& e : events) all_events += e + "\n";
    EXPECT_NE(all_events.find("giving up on host nowhere"), std::string::npos) << all_events;
    EXPECT_NE(all_events.find("Connection refused"), std::string::npos) << all_events;
}

}  // namespace
}  // namespace silico::runner
