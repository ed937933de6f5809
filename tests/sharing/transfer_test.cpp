// push and pull between real stores through the real server on loopback, in this process
// (sharing/transfer.hpp, sharing/server.hpp): what arrives is verified, and a silent server is a bounded error.
#include "silico/sharing/transfer.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "in_process_cache.hpp"
#include "raw_db.hpp"
#include "temp_dir.hpp"

namespace silico::sharing {
namespace {

using store::testing::TempDir;

const std::string k_token = "unit-test-token-0123456789";

store::TrialRecord seeded(std::uint64_t seed, std::uint64_t sweep) {
    store::TrialRecord r;
    r.seed = seed;
    r.sweep = sweep;
    r.condition = sha256("condition");
    return r;
}

class Transfer : public ::testing::Test {
  protected:
    void SetUp() override {
        std::ofstream(tmp / "tokens") << "unit " << k_token << "\n";
        auto a = store::Store::open(tmp / "a", {.sync = false});
        ASSERT_TRUE(a.has_value());
        lab_a.emplace(std::move(*a));
        for (std::uint64_t i = 0; i < 5; ++i) {
            const Digest key = sha256("trial " + std::to_string(i));
            keys.push_back(key);
            auto committed =
                lab_a->commit_trial(key, seeded(100 + i, i),
                                    {{"soma.v", std::string(1000 + i, static_cast<char>('a' + i))},
                                     {"spikes", "spikes of " + std::to_string(i)}});
            ASSERT_TRUE(committed.has_value()) << committed.error().what();
        }
        auto c = store::Store::open(tmp / "cache", {.sync = false});
        ASSERT_TRUE(c.has_value());
        cache_store.emplace(std::move(*c));
        cache.emplace(*cache_store, ServerOptions{.write_token_file = tmp / "tokens"});
        ASSERT_GT(cache->port(), 0);
    }
    RemoteOptions remote(std::string token = k_token) const {
        return {.url = cache->url(), .token = std::move(token), .timeout = std::chrono::seconds(5)};
    }
    std::vector<WantedTrial> wanted(bool with_expectation) const {
        std::vector<WantedTrial> out;
        for (std::uint64_t i = 0; i < keys.size(); ++i)
            out.push_back({keys[i], with_expectation ? std::optional(seeded(100 + i, i)) : std::nullopt});
        return out;
    }

    TempDir tmp;
    std::optional<store::Store> lab_a, cache_store;
    std::optional<testing_support::InProcessCache> cache;
    std::vector<Digest> keys;
};

TEST_F(Transfer, PulledTrialsAreThePushedOnesBlobForBlob) {
    auto pushed = push_trials(*lab_a, remote(), keys);
    ASSERT_TRUE(pushed.has_value()) << pushed.error().what();
    EXPECT_EQ(pushed->trials, 5u);
    EXPECT_EQ(pushed->blobs_sent, 10u);
    auto b = store::Store::open(tmp / "b", {.sync = false});
    ASSERT_TRUE(b.has_value());
    auto pulled = pull_trials(*b, remote(""), wanted(true));
    ASSERT_TRUE(pulled.has_value()) << pulled.error().what();
    EXPECT_EQ(pulled->pulled, 5u);
    EXPECT_EQ(pulled->refused, 0u);
    for (const auto& key : keys) {
        auto mine = lab_a->find_trial(key), theirs = b->find_trial(key);
        ASSERT_TRUE(theirs.has_value());
        EXPECT_EQ(theirs->seed, mine->seed);
        for (const auto& [name, ref] : mine->outputs) {
            EXPECT_EQ(theirs->outputs.at(name).digest, ref.digest);
            EXPECT_EQ(*b->get_blob(ref.digest), *lab_a->get_blob(ref.digest));
        }
    }
    // The seeds are registered in lab B as if it had run the trials.
    auto owner = b->seed_owner(100);
    ASSERT_TRUE(owner.has_value());
    EXPECT_EQ(*owner, keys[0]);
}

TEST_F(Transfer, APulledBlobIsStoredAsTheFrameTheServerKeepsNotCompressedAgain) {
    // The cache compresses at level 19, the puller at level 1: a frame compressed again by the puller would
    // differ from the cache's.
    std::string text;
    for (int i = 0; i < 20000; ++i) text += std::to_string(i * 7919 % 10007) + (i % 13 ? "," : "\n");
    auto c = store::Store::open(tmp / "cache19", {.zstd_level = 19, .sync = false});
    ASSERT_TRUE(c.has_value());
    const Digest key = sha256("a compressible trial");
    ASSERT_TRUE(c->commit_trial(key, seeded(7, 0), {{"soma.v", text}}).has_value());
    const Digest digest = sha256(text);
    testing_support::InProcessCache server(*c, ServerOptions{});
    auto b = store::Store::open(tmp / "b1", {.zstd_level = 1, .sync = false});
    ASSERT_TRUE(b.has_value());
    auto pulled =
        pull_trials(*b, {.url = server.url(), .timeout = std::chrono::seconds(5)}, {{key, seeded(7, 0)}});
    ASSERT_TRUE(pulled.has_value()) << pulled.error().what();
    ASSERT_EQ(pulled->pulled, 1u);
    const auto theirs = c->get_blob_frame(digest), mine = b->get_blob_frame(digest);
    ASSERT_TRUE(theirs && *theirs && mine && *mine);
    EXPECT_EQ(**mine, **theirs);
    EXPECT_EQ(*b->get_blob(digest), text);  // and it reads back, verified
    // The check can fail: the puller's own compression of these bytes gives another frame.
    auto own = store::Store::open(tmp / "own1", {.zstd_level = 1, .sync = false});
    ASSERT_TRUE(own.has_value());
    ASSERT_TRUE(own->put_blob(text).has_value());
    EXPECT_NE(**own->get_blob_frame(digest), **theirs);
}

TEST_F(Transfer, ARecordThatDisagreesWithThePlanIsRefusedAndNothingIsCommitted) {
    ASSERT_TRUE(push_trials(*lab_a, remote(), keys).has_value());
    auto b = store::Store::open(tmp / "b", {.sync = false});
    ASSERT_TRUE(b.has_value());
    auto w = wanted(true);
    w[2].expected->seed = 999;  // the plan derives another seed for this key: the record is not its result
    auto pulled = pull_trials(*b, remote(""), w);
    ASSERT_TRUE(pulled.has_value());
    EXPECT_EQ(pulled->pulled, 4u);
    EXPECT_EQ(pulled->refused, 1u);
    ASSERT_EQ(pulled->warnings.size(), 1u);
    EXPECT_NE(pulled->warnings[0].find(keys[2].hex()), std::string::npos) << pulled->warnings[0];
    EXPECT_NE(pulled->warnings[0].find("seed 102"), std::string::npos) << pulled->warnings[0];
    EXPECT_FALSE(*b->contains(keys[2]));
}

// 40 trials sharing one time column, as a simulation's trials do: more than two groups of 16 and more blobs
// than one pipelined round (32 requests), on one connection and on three.
class PullingGroups : public ::testing::Test {
  protected:
    void SetUp() override {
        auto c = store::Store::open(tmp / "cache", {.sync = false});
        ASSERT_TRUE(c.has_value());
        cache_store.emplace(std::move(*c));
        for (std::uint64_t i = 0; i < 40; ++i) {
            const Digest key = sha256("group trial " + std::to_string(i));
            keys.push_back(key);
            auto committed = cache_store->commit_trial(
                key, seeded(100 + i, i),
                {{"time", std::string(4000, 't')},
                 {"soma.v", "trace " + std::to_string(i) + std::string(2000 + i, 'v')},
                 {"spikes", "spikes " + std::to_string(i % 3)}});  // also shared, by every third trial
            ASSERT_TRUE(committed.has_value()) << committed.error().what();
        }
        serve();
    }
    void serve() { cache.emplace(*cache_store, ServerOptions{}); }
    // Stops the server and closes its store, so that its RocksDB can be damaged; serve() again afterwards.
    void close_cache() {
        cache.reset();
        cache_store.reset();
    }
    void reopen_cache() {
        cache_store.emplace(std::move(*store::Store::open(tmp / "cache", {.sync = false})));
        serve();
    }
    std::vector<WantedTrial> wanted() const {
        std::vector<WantedTrial> out;
        for (std::uint64_t i = 0; i < keys.size(); ++i) out.push_back({keys[i], seeded(100 + i, i)});
        return out;
    }
    Result<PullReport> pull_into(const std::string& name, unsigned connections) {
        b.emplace(std::move(*store::Store::open(tmp / name, {.sync = false})));
        return pull_trials(*b, {.url = cache->url(), .timeout = std::chrono::seconds(5)}, wanted(),
                           {.connections = connections});
    }
    Digest output_of(std::size_t trial, const std::string& name) const {
        return cache_store->find_trial(keys[trial])->outputs.at(name).digest;
    }

    TempDir tmp;
    std::optional<store::Store> cache_store, b;
    std::optional<testing_support::InProcessCache> cache;
    std::vector<Digest> keys;
};

TEST_F(PullingGroups, EveryTrialArrivesCompleteAndBitIdenticalOnOneConnectionAndOnThree) {
    for (const unsigned connections : {1u, 3u}) {
        auto pulled = pull_into("b" + std::to_string(connections), connections);
        ASSERT_TRUE(pulled.has_value()) << pulled.error().what();
        EXPECT_EQ(pulled->pulled, 40u) << connections;
        EXPECT_EQ(pulled->refused, 0u);
        EXPECT_FALSE(pulled->remote_failure.has_value()) << *pulled->remote_failure;
        for (const auto& key : keys) {
            auto mine = b->find_trial(key), theirs = cache_store->find_trial(key);
            ASSERT_TRUE(mine.has_value()) << key.hex();
            for (const auto& [name, ref] : theirs->outputs) {
                EXPECT_EQ(mine->outputs.at(name).digest, ref.digest);
                EXPECT_EQ(*b->get_blob(ref.digest), *cache_store->get_blob(ref.digest));
            }
        }
        auto verified = b->verify();
        ASSERT_TRUE(verified.has_value());
        EXPECT_TRUE(verified->ok()) << connections;
    }
}

TEST_F(PullingGroups, ABlobServedWithAnotherBlobsBytesRefusesOnlyTheTrialsNamingIt) {
    // A valid frame under the wrong digest: the group's answers all arrive, and the client's hash refuses.
    const Digest victim = output_of(4, "spikes"), other = output_of(5, "spikes");
    const std::string frame = **cache_store->get_blob_frame(other);
    close_cache();
    ASSERT_TRUE(store::testing::write_raw(tmp / "cache", store::cf_blobs, victim.view(), frame));
    reopen_cache();
    auto pulled = pull_into("b", 2);
    ASSERT_TRUE(pulled.has_value()) << pulled.error().what();
    // Trials 1, 4, 7, ... share the victim's spikes.
    EXPECT_EQ(pulled->refused, 13u);
    EXPECT_EQ(pulled->pulled, 27u);
    for (std::size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(*b->contains(keys[i]), i % 3 != 1) << i;
    ASSERT_FALSE(pulled->warnings.empty());
    EXPECT_NE(pulled->warnings[0].find("hash to"), std::string::npos) << pulled->warnings[0];
}

TEST_F(PullingGroups, ABlobThatDoesNotDecodeRefusesOnlyItsTrialNotItsGroup) {
    // Not zstd: the whole group's blob request fails, and the group is fetched again trial by trial.
    const Digest victim = output_of(20, "soma.v");
    close_cache();
    ASSERT_TRUE(store::testing::write_raw(tmp / "cache", store::cf_blobs, victim.view(), "garbage"));
    reopen_cache();
    auto pulled = pull_into("b", 1);
    ASSERT_TRUE(pulled.has_value()) << pulled.error().what();
    EXPECT_EQ(pulled->refused, 1u);
    EXPECT_EQ(pulled->pulled, 39u);
    EXPECT_FALSE(*b->contains(keys[20]));
    ASSERT_EQ(pulled->warnings.size(), 1u);
    EXPECT_NE(pulled->warnings[0].find(keys[20].hex()), std::string::npos) << pulled->warnings[0];
    EXPECT_NE(pulled->warnings[0].find("does not decode"), std::string::npos) << pulled->warnings[0];
}

TEST_F(PullingGroups, AMissingRecordIsAbsentAndTheRestOfItsGroupArrives) {
    close_cache();
    ASSERT_TRUE(store::testing::write_raw(tmp / "cache", store::cf_trials, keys[3].view(), std::nullopt));
    reopen_cache();
    auto pulled = pull_into("b", 1);
    ASSERT_TRUE(pulled.has_value()) << pulled.error().what();
    EXPECT_EQ(pulled->absent, 1u);
    EXPECT_EQ(pulled->pulled, 39u);
    EXPECT_FALSE(*b->contains(keys[3]));
}

TEST_F(Transfer, APushWithoutAValidTokenFailsNamingTheRefusal) {
    auto pushed = push_trials(*lab_a, remote("wrong-token-0123456789"), keys);
    ASSERT_FALSE(pushed.has_value());
    EXPECT_NE(pushed.error().what().find("401"), std::string::npos) << pushed.error().what();
    EXPECT_FALSE(*cache_store->contains(keys[0]));
}

TEST_F(Transfer, ARecordIsRefusedByTheServerUntilItsBlobsArePresent) {
    auto r = open_remote(remote());
    ASSERT_TRUE(r.has_value());
    auto record = lab_a->find_trial(keys[0]);
    auto early = (*r)->put(Area::ac, keys[0], store::encode_trial_record(*record));
    ASSERT_FALSE(early.has_value());
    EXPECT_NE(early.error().what().find("400"), std::string::npos) << early.error().what();
    for (const auto& [name, ref] : record->outputs)
        ASSERT_TRUE((*r)->put(Area::cas, ref.digest, *lab_a->get_blob(ref.digest)).has_value());
    EXPECT_TRUE((*r)->put(Area::ac, keys[0], store::encode_trial_record(*record)).has_value());
    EXPECT_TRUE(*(*r)->contains(Area::ac, keys[0]));
    auto listed = (*r)->list(Area::ac);
    ASSERT_TRUE(listed.has_value());
    EXPECT_EQ(*listed, std::vector<Digest>{keys[0]});
}

TEST_F(Transfer, ASilentServerIsATimeoutErrorNotAHang) {
    // A socket that listens but never accepts: the kernel completes the handshake, nobody ever answers.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    auto r = open_remote({.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)),
                          .timeout = std::chrono::milliseconds(300)});
    ASSERT_TRUE(r.has_value());
    auto got = (*r)->get(Area::ac, keys[0]);
    ::close(fd);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().code, Errc::io);
    EXPECT_NE(got.error().what().find("timed out"), std::string::npos) << got.error().what();
}

TEST_F(Transfer, ABadUrlIsRefusedBeforeAnythingIsContacted) {
    for (const std::string& url :
         std::vector<std::string>{"ftp://x", "http://", "http://host:port", "host:80"}) {
        auto r = open_remote({.url = url});
        ASSERT_FALSE(r.has_value()) << url;
        EXPECT_EQ(r.error().code, Errc::invalid_argument) << url;
    }
}

}  // namespace
}  // namespace silico::sharing
