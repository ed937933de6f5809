#include "silico/runner/worker_protocol.hpp"

#include <gtest/gtest.h>

namespace silico::runner {
namespace {

Frame round_trip(const Frame& frame) {
    FrameReader reader;
    reader.feed(encode_frame(frame));
    auto out = reader.next();
    EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().what());
    EXPECT_TRUE(out->has_value());
    EXPECT_EQ(reader.buffered(), 0u);
    return std::move(**out);
}

TEST(WorkerProtocol, HelloSurvivesARoundTrip) {
    Hello h = make_hello(Hello::Role::worker);
    h.host = "node17";
    auto back = std::get<Hello>(round_trip(h));
    EXPECT_EQ(back.role, Hello::Role::worker);
    EXPECT_EQ(back.protocol, k_protocol_version);
    EXPECT_EQ(back.silico_version, h.silico_version);
    EXPECT_EQ(back.host, "node17");
    EXPECT_EQ(back.pid, h.pid);
}

TEST(WorkerProtocol, JobWithBinaryRequestsSurvivesARoundTrip) {
    Job job{"checksum", "rounds=3", {}};
    job.trials.push_back({"k1", std::string("\0\xff\x01 binary", 10)});
    job.trials.push_back({"k2", ""});
    auto back = std::get<Job>(round_trip(job));
    EXPECT_EQ(back.kind, "checksum");
    EXPECT_EQ(back.model, "rounds=3");
    ASSERT_EQ(back.trials.size(), 2u);
    EXPECT_EQ(back.trials[0].request, job.trials[0].request);
    EXPECT_EQ(back.trials[1].key, "k2");
}

TEST(WorkerProtocol, ResultHeartbeatAndShutdownSurviveARoundTrip) {
    auto r = std::get<TrialReply>(round_trip(TrialReply{"key", false, "boom", 1.25}));
    EXPECT_EQ(r.key, "key");
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.body, "boom");
    EXPECT_EQ(r.seconds, 1.25);
    auto h = std::get<Heartbeat>(round_trip(Heartbeat{42, "current"}));
    EXPECT_EQ(h.trials_done, 42u);
    EXPECT_EQ(h.current_key, "current");
    EXPECT_TRUE(std::holds_alternative<Shutdown>(round_trip(Shutdown{})));
}

TEST(WorkerProtocol, CheckpointSettingsAndAResumedTimeTravelOnlyWhenSetAndSurviveARoundTrip) {
    Job plain{"simulate", "model", {{"k", "request"}}};
    Job with = plain;
    with.checkpoint_every_ms = 20;
    with.checkpoint_dir = "/shared/checkpoints";
    // Without checkpoints a job is byte for byte a version-1 job (no tail).
    EXPECT_EQ(encode_frame(with).size(), encode_frame(plain).size() + 8 + 4 + with.checkpoint_dir.size());
    auto j = std::get<Job>(round_trip(with));
    EXPECT_EQ(j.checkpoint_every_ms, 20.0);
    EXPECT_EQ(j.checkpoint_dir, "/shared/checkpoints");
    EXPECT_EQ(j.trials.size(), 1u);
    auto none = std::get<Job>(round_trip(plain));
    EXPECT_EQ(none.checkpoint_every_ms, 0.0);
    EXPECT_TRUE(none.checkpoint_dir.empty());

    TrialReply reply{"key", true, "body", 2.0};
    EXPECT_FALSE(std::get<TrialReply>(round_trip(reply)).resumed_from_ms.has_value());
    reply.resumed_from_ms = 500.025;
    auto r = std::get<TrialReply>(round_trip(reply));
    ASSERT_TRUE(r.resumed_from_ms.has_value());
    EXPECT_EQ(*r.resumed_from_ms, 500.025);
    EXPECT_EQ(r.body, "body");
}

TEST(WorkerProtocol, FramesArriveWholeWhenFedOneByteAtATime) {
    std::string bytes = encode_frame(Job{"checksum", "rounds=1", {{"a", "x"}, {"b", "y"}}});
    encode_frame(Shutdown{}, bytes);
    FrameReader reader;
    std::vector<FrameType> seen;
    for (char c : bytes) {
        reader.feed(std::string_view(&c, 1));
        auto f = reader.next();
        ASSERT_TRUE(f.has_value());
        if (*f) seen.push_back(frame_type(**f));
    }
    EXPECT_EQ(seen, (std::vector<FrameType>{FrameType::job, FrameType::shutdown}));
}

TEST(WorkerProtocol, AFrameFromAnotherProtocolVersionIsAVersionError) {
    std::string bytes = encode_frame(Heartbeat{1, ""});
    bytes[4] = static_cast<char>(k_protocol_version + 1);  // version field, little-endian low byte
    FrameReader reader;
    reader.feed(bytes);
    auto f = reader.next();
    ASSERT_FALSE(f.has_value());
    EXPECT_EQ(f.error().code, Errc::version);
    EXPECT_NE(f.error().what().find("protocol v2"), std::string::npos) << f.error().what();
}

TEST(WorkerProtocol, AHelloFromAnotherVersionDecodesSoTheMismatchCanNameThePeer) {
    Hello h = make_hello(Hello::Role::worker);
    h.protocol = 7;
    h.silico_version = "9.9.9 cafe";
    h.host = "oldbox";
    FrameReader reader;
    reader.feed(encode_frame(h));
    auto f = reader.next();
    ASSERT_TRUE(f.has_value());
    auto back = std::get<Hello>(**f);
    EXPECT_EQ(back.protocol, 7);
    auto st = check_hello(back, Hello::Role::worker, "worker ssh oldbox#0");
    ASSERT_FALSE(st.has_value());
    EXPECT_EQ(st.error().code, Errc::version);
    const std::string msg = st.error().what();
    EXPECT_NE(msg.find("protocol v7"), std::string::npos) << msg;
    EXPECT_NE(msg.find("9.9.9 cafe"), std::string::npos) << msg;
    EXPECT_NE(msg.find("oldbox"), std::string::npos) << msg;
}

TEST(WorkerProtocol, AHelloFromTheWrongRoleIsRefused) {
    auto st = check_hello(make_hello(Hello::Role::runner), Hello::Role::worker, "peer");
    ASSERT_FALSE(st.has_value());
    EXPECT_NE(st.error().what().find("expected a worker"), std::string::npos);
}

TEST(WorkerProtocol, StrayTextOnTheStreamIsReportedAsBadMagic) {
    FrameReader reader;
    reader.feed("NEURON -- VERSION 8.2\n");
    auto f = reader.next();
    ASSERT_FALSE(f.has_value());
    EXPECT_EQ(f.error().code, Errc::corruption);
    EXPECT_NE(f.error().what().find("NEURON"), std::string::npos);
    EXPECT_FALSE(reader.next().has_value()) << "a broken stream stays broken";
}

TEST(WorkerProtocol, TruncatedAndPaddedPayloadsAreCorrupt) {
    std::string bytes = encode_frame(TrialReply{"key", true, "body", 0});
    std::string shorter = bytes;
    shorter[7] = static_cast<char>(shorter[7] - 1);  // length one less than the fields need
    shorter.pop_back();
    FrameReader a;
    a.feed(shorter);
    auto fa = a.next();
    ASSERT_FALSE(fa.has_value());
    EXPECT_NE(fa.error().what().find("truncated"), std::string::npos) << fa.error().what();

    std::string longer = bytes;
    longer[7] = static_cast<char>(longer[7] + 1);
    longer.push_back('x');
    FrameReader b;
    b.feed(longer);
    auto fb = b.next();
    ASSERT_FALSE(fb.has_value());
    EXPECT_NE(fb.error().what().find("trailing"), std::string::npos) << fb.error().what();
}

TEST(WorkerProtocol, AnOversizedLengthIsRejectedBeforeBuffering) {
    std::string bytes = encode_frame(Shutdown{});
    for (int i = 0; i < 4; ++i) bytes[7 + i] = '\xff';
    FrameReader reader;
    reader.feed(bytes);
    auto f = reader.next();
    ASSERT_FALSE(f.has_value());
    EXPECT_NE(f.error().what().find("exceeds"), std::string::npos);
}

}  // namespace
}  // namespace silico::runner
