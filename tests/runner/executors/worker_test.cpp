#include "silico/runner/worker.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "silico/runner/worker_protocol.hpp"
#include "test_handlers.hpp"

namespace silico::runner {
namespace {

namespace fs = std::filesystem;

// A worker served on a pair of pipes in a thread; the test plays the runner.
class PipeWorker {
  public:
    explicit PipeWorker(const HandlerRegistry& registry, WorkerOptions options = {}) {
        EXPECT_EQ(::pipe(m_to_worker), 0);
        EXPECT_EQ(::pipe(m_from_worker), 0);
        m_thread = std::thread([this, &registry, options] {
            m_status = run_worker(m_to_worker[0], m_from_worker[1], registry, options);
            ::close(m_from_worker[1]);
        });
    }
    ~PipeWorker() {
        close_input();
        m_thread.join();
        ::close(m_to_worker[0]);
        ::close(m_from_worker[0]);
    }
    void send(const Frame& f) {
        const std::string bytes = encode_frame(f);
        ASSERT_EQ(::write(m_to_worker[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }
    void close_input() {
        if (m_to_worker[1] >= 0) ::close(m_to_worker[1]);
        m_to_worker[1] = -1;
    }
    // The next frame from the worker, skipping heartbeats unless asked for them.
    std::optional<Frame> receive(bool keep_heartbeats = false) {
        for (;;) {
            auto f = m_reader.next();
            EXPECT_TRUE(f.has_value());
            if (!f) return std::nullopt;
            if (*f) {
                if (!keep_heartbeats && std::holds_alternative<Heartbeat>(**f)) continue;
                return std::move(**f);
            }
            char buf[4096];
            const ssize_t n = ::read(m_from_worker[0], buf, sizeof(buf));
            if (n <= 0) return std::nullopt;
            m_reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        }
    }
    Status finish() {
        close_input();
        m_thread.join();
        m_thread = std::thread([] {});
        return m_status;
    }

  private:
    int m_to_worker[2] = {-1, -1}, m_from_worker[2] = {-1, -1};
    std::thread m_thread;
    FrameReader m_reader;
    Status m_status;
};

HandlerRegistry test_registry() {
    HandlerRegistry r;
    register_test_handlers(r);
    return r;
}

TEST(Worker, GreetsFirstThenAnswersEveryTrialOfAJobInOrder) {
    auto registry = test_registry();
    PipeWorker w(registry);
    auto hello = w.receive();
    ASSERT_TRUE(hello);
    EXPECT_TRUE(check_hello(std::get<Hello>(*hello), Hello::Role::worker, "worker").has_value());
    w.send(make_hello(Hello::Role::runner));
    w.send(Job{"checksum", "rounds=5", {{"a", "alpha"}, {"b", "beta"}, {"c", "fail"}}});
    for (auto [key, data] : {std::pair{"a", "alpha"}, std::pair{"b", "beta"}}) {
        auto r = w.receive();
        ASSERT_TRUE(r);
        auto reply = std::get<TrialReply>(*r);
        EXPECT_EQ(reply.key, key);
        EXPECT_TRUE(reply.ok);
        EXPECT_EQ(reply.body, checksum_of(data, 5));
    }
    auto failed = std::get<TrialReply>(*w.receive());
    EXPECT_EQ(failed.key, "c");
    EXPECT_FALSE(failed.ok);
    EXPECT_NE(failed.body.find("requested a failure"), std::string::npos);
    w.send(Shutdown{});
    EXPECT_TRUE(w.finish().has_value());
}

TEST(Worker, BuildsItsModelOnceForManyJobsOfTheSameModel) {
    auto registry = test_registry();
    const auto before = test_handler_builds();
    PipeWorker w(registry);
    w.receive();
    w.send(make_hello(Hello::Role::runner));
    for (int i = 0; i < 5; ++i) w.send(Job{"checksum", "rounds=2", {{std::to_string(i), "x"}}});
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(std::get<TrialReply>(*w.receive()).ok);
    EXPECT_EQ(test_handler_builds() - before, 1u);
    w.send(Job{"checksum", "rounds=3", {{"other", "x"}}});
    EXPECT_EQ(std::get<TrialReply>(*w.receive()).body, checksum_of("x", 3));
    EXPECT_EQ(test_handler_builds() - before, 2u);
}

TEST(Worker, AnUnknownKindOrBadModelFailsTheTrialWithTheReason) {
    auto registry = test_registry();
    PipeWorker w(registry);
    w.receive();
    w.send(make_hello(Hello::Role::runner));
    w.send(Job{"neuron", "", {{"k", ""}}});
    auto r = std::get<TrialReply>(*w.receive());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.body.find("no trial handler for kind \"neuron\" (known: checksum)"), std::string::npos)
        << r.body;
    w.send(Job{"checksum", "rounds=zero", {{"k", ""}}});
    r = std::get<TrialReply>(*w.receive());
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.body.find("rounds=N"), std::string::npos) << r.body;
}

TEST(Worker, RefusesARunnerOfAnotherProtocolVersion) {
    auto registry = test_registry();
    PipeWorker w(registry);
    w.receive();
    Hello old = make_hello(Hello::Role::runner);
    old.protocol = k_protocol_version + 1;
    w.send(old);
    auto st = w.finish();
    ASSERT_FALSE(st.has_value());
    EXPECT_EQ(st.error().code, Errc::version);
}

TEST(Worker, SendsHeartbeatsWhileATrialRuns) {
    auto registry = test_registry();
    PipeWorker w(registry, WorkerOptions{20});
    w.receive();
    w.send(make_hello(Hello::Role::runner));
    w.send(Job{"checksum", "rounds=1", {{"slow", "sleep:200:x"}}});
    bool saw_busy_heartbeat = false;
    for (;;) {
        auto f = w.receive(/*keep_heartbeats=*/true);
        ASSERT_TRUE(f);
        if (auto* h = std::get_if<Heartbeat>(&*f)) saw_busy_heartbeat |= h->current_key == "slow";
        if (std::holds_alternative<TrialReply>(*f)) break;
    }
    EXPECT_TRUE(saw_busy_heartbeat);
}

class WorkerFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("silico-worker-files-" + std::to_string(::getpid()));
        fs::remove_all(dir);
        fs::create_directories(dir);
        std::string bytes = encode_frame(make_hello(Hello::Role::runner));
        encode_frame(Job{"checksum", "rounds=4", {{"t0", "a"}, {"t1", "b"}, {"t2", "c"}}}, bytes);
        std::ofstream(dir / "task.in", std::ios::binary) << bytes;
    }
    void TearDown() override { fs::remove_all(dir); }
    std::vector<TrialReply> results() {
        std::ifstream in(dir / "task.out", std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        FrameReader reader;
        reader.feed(bytes);
        std::vector<TrialReply> out;
        for (;;) {
            auto f = reader.next();
            EXPECT_TRUE(f.has_value());
            if (!f || !*f) break;
            if (auto* r = std::get_if<TrialReply>(&**f)) out.push_back(*r);
        }
        EXPECT_EQ(reader.buffered(), 0u);
        return out;
    }
    fs::path dir;
};

TEST_F(WorkerFiles, AnswersEveryTrialOfTheJobFile) {
    auto registry = test_registry();
    ASSERT_TRUE(run_worker_files(dir / "task.in", dir / "task.out", registry).has_value());
    auto r = results();
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[2].key, "t2");
    EXPECT_EQ(r[2].body, checksum_of("c", 4));
}

TEST_F(WorkerFiles, ARequeuedTaskKeepsFinishedTrialsAndCutsATornTail) {
    auto registry = test_registry();
    // A preempted first run: hello, t0's result, then half of t1's frame.
    std::string prior = encode_frame(make_hello(Hello::Role::worker));
    encode_frame(TrialReply{"t0", true, "from the first run", 0}, prior);
    const std::string torn = encode_frame(TrialReply{"t1", true, checksum_of("b", 4), 0});
    prior += torn.substr(0, torn.size() / 2);
    std::ofstream(dir / "task.out", std::ios::binary) << prior;

    ASSERT_TRUE(run_worker_files(dir / "task.in", dir / "task.out", registry).has_value());
    auto r = results();
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(r[0].body, "from the first run") << "t0 must not run again";
    EXPECT_EQ(r[1].key, "t1");
    EXPECT_EQ(r[1].body, checksum_of("b", 4));
    EXPECT_EQ(r[2].key, "t2");
}

TEST_F(WorkerFiles, AMissingJobFileIsAnErrorNamingIt) {
    auto registry = test_registry();
    auto st = run_worker_files(dir / "nope.in", dir / "task.out", registry);
    ASSERT_FALSE(st.has_value());
    EXPECT_NE(st.error().what().find("nope.in"), std::string::npos);
}

}  // namespace
}  // namespace silico::runner
