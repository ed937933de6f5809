// Lab caches end to end (docs/sharing.md): two stores as two labs on loopback, the real `silico serve`
// started on a free port, `silico push`, `pull` and `run --remote`; the refusals of the protocol; a server
// that serves altered bytes, hangs or is killed mid-pull; TLS with a self-signed certificate; and the same
// push/pull against Debian's nginx with WebDAV.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cache_servers.hpp"
#include "executors/child_process.hpp"
#include "raw_db.hpp"
#include "silico/store/store.hpp"
#include "silico_process.hpp"

namespace silico::runner {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using testing_support::raw_http;
using testing_support::ServerProcess;

const std::string k_cell = SILICO_SOURCE_DIR "/tests/data/one_compartment.param";
const std::string k_token = "lab-a-token-0123456789abcdef";

class Sharing : public ::testing::Test {
  protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("silico_sharing_test_" + std::to_string(::getpid()) + "_" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        recipe = (dir / "small.toml").string();
        // 2 conditions x 2 trials of 30 ms on the one-compartment cell: a few seconds of NEURON.
        std::ofstream(recipe) << "[experiment]\nname = \"small\"\nprotocol = \"current_step\"\n\n[cell]\n"
                                 "biophysics = \""
                              << k_cell
                              << "\"\n\n[[stimulus.step]]\namplitude = [0.005, 0.05]\ndelay = 2.0\n"
                                 "duration = 26.0\n\n[simulation]\ntstop = 30.0\ntrials = 2\n";
        std::ofstream(dir / "tokens") << "# who may write\nlab-a " << k_token << "\n";
    }
    void TearDown() override { fs::remove_all(dir); }

    CommandOutput silico(std::vector<std::string> args) {
        return silico::testing::run_silico(std::move(args));
    }
    static int exit_code(const CommandOutput& out) { return silico::testing::exit_code(out); }

    // `silico serve` on the store `name` with the write tokens; returns the port (-1 when it did not start).
    int serve(ServerProcess& server, const std::string& name, std::vector<std::string> extra = {}) {
        std::vector<std::string> argv = {SILICO_EXE,
                                         "serve",
                                         "--store",
                                         (dir / name).string(),
                                         "--listen",
                                         "127.0.0.1:0",
                                         "--write-token-file",
                                         (dir / "tokens").string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return server.start(argv);
    }

    Json run_json(const std::string& store, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"run",        recipe,    "--store", (dir / store).string(),
                                         "--executor", "local:2", "--json"};
        args.insert(args.end(), extra.begin(), extra.end());
        auto out = silico(args);
        EXPECT_EQ(exit_code(out), 0) << out.out << out.err;
        last_err = out.err;
        return Json::parse(out.out, nullptr, false);
    }

    // Lab A simulates the recipe and pushes it to the cache at `url`.
    void lab_a_runs_and_pushes(const std::string& url, std::vector<std::string> extra = {}) {
        const Json a = run_json("a");
        ASSERT_EQ(a["succeeded"], 4);
        std::vector<std::string> args = {"push",     recipe, "--store",      (dir / "a").string(),
                                         "--remote", url,    "--token-file", (dir / "tokens").string()};
        args.insert(args.end(), extra.begin(), extra.end());
        auto push = silico(args);
        ASSERT_EQ(exit_code(push), 0) << push.out << push.err;
        EXPECT_NE(push.out.find("pushed 4 trials"), std::string::npos) << push.out;
    }

    fs::path dir;
    std::string recipe, last_err;
};

// Every complete trial of a store: key -> (output name -> blob digest).
std::map<std::string, std::map<std::string, std::string>> stored_outputs(const fs::path& store_dir) {
    std::map<std::string, std::map<std::string, std::string>> out;
    store::Options options;
    options.read_only = true;
    auto store = store::Store::open(store_dir, options);
    EXPECT_TRUE(store.has_value()) << (store ? "" : store.error().what());
    if (!store) return out;
    auto st = store->for_each_trial([&](const Digest& key, const store::TrialRecord& record) {
        for (const auto& [name, blob] : record.outputs) out[key.hex()][name] = blob.digest.hex();
        return true;
    });
    EXPECT_TRUE(st.has_value());
    return out;
}

// How many trials of `outputs` reference the blob `digest` (trials of one condition without noise are
// identical, so they share their blobs).
int trials_referencing(const std::map<std::string, std::map<std::string, std::string>>& outputs,
                       const std::string& digest) {
    int n = 0;
    for (const auto& [key, blobs] : outputs) {
        bool uses = false;
        for (const auto& [name, d] : blobs) uses = uses || d == digest;
        n += uses ? 1 : 0;
    }
    return n;
}

std::string url_of(int port, const std::string& scheme = "http") {
    return scheme + "://127.0.0.1:" + std::to_string(port);
}

TEST_F(Sharing, LabBTakesEveryTrialLabAPushedAndSimulatesNothing) {
    ServerProcess server;
    const int port = serve(server, "cache");
    ASSERT_GT(port, 0) << server.err();
    lab_a_runs_and_pushes(url_of(port));

    auto plan = silico({"plan", recipe, "--store", (dir / "b").string(), "--remote", url_of(port), "--json"});
    ASSERT_EQ(exit_code(plan), 0) << plan.err;
    EXPECT_EQ(Json::parse(plan.out)["on_remote"], 4);

    const Json b = run_json("b", {"--remote", url_of(port)});
    EXPECT_EQ(b["succeeded"], 0);
    EXPECT_EQ(b["cached"], 4);
    EXPECT_EQ(b["from_remote"], 4);
    EXPECT_EQ(b["workers_started"], false);
    EXPECT_EQ(stored_outputs(dir / "b"), stored_outputs(dir / "a"));
    // The server's log says who wrote what.
    EXPECT_NE(server.err().find("PUT /ac/"), std::string::npos) << server.err();
    EXPECT_NE(server.err().find("by lab-a from 127.0.0.1"), std::string::npos) << server.err();

    // A second push sends no blob again.
    auto again = silico({"push", "--all", "--store", (dir / "a").string(), "--remote", url_of(port),
                         "--token-file", (dir / "tokens").string(), "--json"});
    ASSERT_EQ(exit_code(again), 0) << again.err;
    EXPECT_EQ(Json::parse(again.out)["blobs_sent"], 0);
}

TEST_F(Sharing, TheServerRefusesUnauthorisedForgedIncompleteOversizedAndEscapingRequests) {
    ServerProcess server;
    const int port = serve(server, "cache", {"--max-body-mb", "1"});
    ASSERT_GT(port, 0) << server.err();
    const std::string body = "some blob bytes";
    const std::string hex = sha256(body).hex();
    auto put = [&](const std::string& target, const std::string& bytes, const std::string& auth) {
        return raw_http(port, "PUT " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth +
                                  "Content-Length: " + std::to_string(bytes.size()) + "\r\n\r\n" + bytes);
    };
    const std::string bearer = "Authorization: Bearer " + k_token + "\r\n";
    EXPECT_EQ(put("/cas/" + hex, body, "").status, 401);
    EXPECT_EQ(put("/cas/" + hex, body, "Authorization: Bearer not-the-token-at-all\r\n").status, 401);
    EXPECT_EQ(put("/cas/" + sha256("other bytes").hex(), body, bearer).status, 400);
    EXPECT_EQ(put("/cas/" + hex, body, bearer).status, 201);
    EXPECT_EQ(put("/cas/" + hex, body, bearer).status, 200);  // idempotent

    // A record naming a blob the server lacks is refused; naming only present blobs it is accepted.
    store::TrialRecord record;
    record.outputs["soma.v"] = store::BlobRef{sha256("never uploaded"), 14, 0};
    const std::string key = sha256("a trial key").hex();
    auto missing = put("/ac/" + key, store::encode_trial_record(record), bearer);
    EXPECT_EQ(missing.status, 400);
    EXPECT_NE(missing.text.find(sha256("never uploaded").hex()), std::string::npos) << missing.text;
    EXPECT_EQ(put("/ac/" + key, "{not json", bearer).status, 400);
    record.outputs["soma.v"] = store::BlobRef{sha256(body), body.size(), 0};
    EXPECT_EQ(put("/ac/" + key, store::encode_trial_record(record), bearer).status, 201);
    auto get = raw_http(port, "GET /ac/" + key + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(get.status, 200);
    EXPECT_NE(get.text.find(hex), std::string::npos);

    // Nothing outside the store: traversal and encodings are 400, other paths 404.
    for (const std::string& target :
         std::vector<std::string>{"/cas/../../../etc/passwd", "/cas/%2e%2e/%2e%2e/etc/passwd",
                                  "/ac/..%2f..%2fetc%2fpasswd", "/cas//etc/passwd", "/cas/" + hex + "?x=1"}) {
        EXPECT_EQ(
            raw_http(port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 400)
            << target;
    }
    for (const std::string& target : std::vector<std::string>{"/etc/passwd", "/cas/" + hex.substr(0, 63),
                                                              "/cas/" + hex + "/x", "/LOCK", "/db/CURRENT"}) {
        EXPECT_EQ(
            raw_http(port, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 404)
            << target;
    }
    // A body over the limit is refused from its Content-Length, before it is read.
    auto big = raw_http(port, "PUT /cas/" + hex + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + bearer +
                                  "Content-Length: 2000000\r\n\r\nabc");
    EXPECT_EQ(big.status, 413) << big.text;
    EXPECT_EQ(
        raw_http(port, "DELETE /cas/" + hex + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status,
        405);

    // Without write tokens, the cache is read-only.
    ServerProcess read_only;
    const int ro_port =
        read_only.start({SILICO_EXE, "serve", "--store", (dir / "ro").string(), "--listen", "127.0.0.1:0"});
    ASSERT_GT(ro_port, 0) << read_only.err();
    EXPECT_EQ(raw_http(ro_port, "PUT /cas/" + hex + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + bearer +
                                    "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body)
                  .status,
              403);
}

TEST_F(Sharing, TheServerSendsAStoredZstdFrameOnlyToAClientThatAsksForIt) {
    ServerProcess server;
    const int port = serve(server, "cache");
    ASSERT_GT(port, 0) << server.err();
    std::string body;
    for (int i = 0; i < 2000; ++i) body += std::to_string(i % 17) + " ";
    const std::string hex = sha256(body).hex();
    ASSERT_EQ(
        raw_http(port, "PUT /cas/" + hex +
                           " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: "
                           "Bearer " +
                           k_token + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body)
            .status,
        201);
    auto get = [&](const std::string& accept) {
        return raw_http(
            port, "GET /cas/" + hex + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + accept + "\r\n");
    };
    // Plain bytes unless zstd is asked for (nginx and bazel-remote clients ask for nothing).
    for (const std::string& accept : {std::string(), std::string("Accept-Encoding: gzip, br\r\n"),
                                      std::string("Accept-Encoding: zstd;q=0\r\n")}) {
        auto plain = get(accept);
        EXPECT_EQ(plain.status, 200) << accept;
        EXPECT_TRUE(plain.text.ends_with("\r\n\r\n" + body)) << accept;
        EXPECT_EQ(plain.text.find("Content-Encoding"), std::string::npos) << accept;
    }
    for (const std::string& accept :
         {std::string("Accept-Encoding: zstd\r\n"), std::string("Accept-Encoding: gzip, ZSTD;q=0.5\r\n")}) {
        auto framed = get(accept);
        EXPECT_EQ(framed.status, 200) << accept;
        EXPECT_NE(framed.text.find("Content-Encoding: zstd\r\n"), std::string::npos)
            << framed.text.substr(0, 300);
        const std::string payload = framed.text.substr(framed.text.find("\r\n\r\n") + 4);
        EXPECT_LT(payload.size(), body.size()) << accept;
        EXPECT_EQ(payload.substr(0, 4), std::string("\x28\xb5\x2f\xfd")) << accept;  // zstd's magic number
    }
}

TEST_F(Sharing, AReadTokenFileClosesReadsToEveryoneWithoutAToken) {
    std::ofstream(dir / "readers") << "lab-b lab-b-reads-0123456789\n";
    ServerProcess server;
    const int port = serve(server, "cache", {"--read-token-file", (dir / "readers").string()});
    ASSERT_GT(port, 0) << server.err();
    const std::string target =
        "GET /ac/" + sha256("k").hex() + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
    EXPECT_EQ(raw_http(port, target + "\r\n").status, 401);
    EXPECT_EQ(raw_http(port, target + "Authorization: Bearer lab-b-reads-0123456789\r\n\r\n").status, 404);
    EXPECT_EQ(raw_http(port, target + "Authorization: Bearer " + k_token + "\r\n\r\n").status, 404);
}

TEST_F(Sharing, ABlobAlteredOnTheServerIsRefusedAndItsTrialRecomputed) {
    int port = 0;
    std::string victim;
    int affected = 0;
    {
        ServerProcess server;
        port = serve(server, "cache");
        ASSERT_GT(port, 0) << server.err();
        lab_a_runs_and_pushes(url_of(port));
        server.stop(SIGTERM);
        // The soma trace of one trial, garbled in the server's RocksDB the way a disk would.
        const auto outputs = stored_outputs(dir / "a");
        victim = outputs.begin()->first;
        auto digest = Digest::from_hex(outputs.begin()->second.at("soma.v"));
        ASSERT_TRUE(digest.has_value());
        affected = trials_referencing(outputs, digest->hex());
        ASSERT_TRUE(store::testing::write_raw(dir / "cache", store::cf_blobs, digest->view(), "garbage"));
    }
    ServerProcess server;
    port = serve(server, "cache");
    ASSERT_GT(port, 0) << server.err();
    const Json b = run_json("b", {"--remote", url_of(port)});
    ASSERT_GE(affected, 1);
    EXPECT_EQ(b["from_remote"], 4 - affected);
    EXPECT_EQ(b["succeeded"], affected);
    EXPECT_NE(last_err.find("trial " + victim + " refused"), std::string::npos) << last_err;
    EXPECT_EQ(stored_outputs(dir / "b"), stored_outputs(dir / "a"));
}

TEST_F(Sharing, AnUnreachableOrHangingRemoteDegradesToLocalWork) {
    const Json b =
        run_json("b", {"--remote", url_of(testing_support::free_loopback_port()), "--remote-timeout", "1"});
    EXPECT_EQ(b["succeeded"], 4);
    EXPECT_NE(last_err.find("failed"), std::string::npos) << last_err;

    ServerProcess server;
    const int port = serve(server, "cache");
    ASSERT_GT(port, 0) << server.err();
    server.signal(SIGSTOP);  // accepts (the kernel does) but never answers
    const Json c = run_json("c", {"--remote", url_of(port), "--remote-timeout", "1"});
    EXPECT_EQ(c["succeeded"], 4);
    EXPECT_EQ(c["from_remote"], 0);
    EXPECT_NE(last_err.find("timed out"), std::string::npos) << last_err;
    server.signal(SIGCONT);
}

TEST_F(Sharing, TheServerKilledMidPullLeavesLabBCorrectAndComplete) {
    ServerProcess server;
    const int port = serve(server, "cache");
    ASSERT_GT(port, 0) << server.err();
    lab_a_runs_and_pushes(url_of(port));
    // Through a proxy that SIGKILLs the server once 2 kB of responses have passed: a record or two, then
    // a connection reset in the middle of a response and refused connections afterwards.
    testing_support::CuttingProxy proxy(port, 2048, [&server] { server.signal(SIGKILL); });
    const Json b = run_json(
        "b", {"--remote", url_of(proxy.port()), "--remote-connections", "1", "--remote-timeout", "2"});
    EXPECT_TRUE(proxy.cut_done());
    EXPECT_LT(b["from_remote"].get<int>(), 4);
    EXPECT_EQ(b["from_remote"].get<int>() + b["succeeded"].get<int>(), 4);
    EXPECT_EQ(stored_outputs(dir / "b"), stored_outputs(dir / "a"));
    auto verify = silico({"store", "verify", "--store", (dir / "b").string()});
    EXPECT_EQ(exit_code(verify), 0) << verify.out << verify.err;
}

TEST_F(Sharing, PushAndPullWorkOverTlsWithASelfSignedCertificate) {
    const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
    auto made = run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                             "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                             "-keyout", key, "-out", cert});
    ASSERT_TRUE(made && made->succeeded()) << (made ? made->err : "");
    ServerProcess server;
    const int port = serve(server, "cache", {"--tls-cert", cert, "--tls-key", key});
    ASSERT_GT(port, 0) << server.err();
    lab_a_runs_and_pushes(url_of(port, "https"), {"--remote-ca", cert});

    // Without trusting the certificate, nothing is taken.
    auto untrusted =
        silico({"pull", "--all", "--store", (dir / "c").string(), "--remote", url_of(port, "https")});
    EXPECT_EQ(exit_code(untrusted), 1);
    EXPECT_NE(untrusted.err.find("certificate verify failed"), std::string::npos) << untrusted.err;

    auto pull = silico({"pull", "--all", "--store", (dir / "b").string(), "--remote", url_of(port, "https"),
                        "--remote-ca", cert, "--json"});
    ASSERT_EQ(exit_code(pull), 0) << pull.out << pull.err;
    EXPECT_EQ(Json::parse(pull.out)["pulled"], 4);
    EXPECT_EQ(stored_outputs(dir / "b"), stored_outputs(dir / "a"));
}

TEST_F(Sharing, NginxWithWebDavServesAsALabCacheAndItsAlteredBytesAreRefused) {
    testing_support::NginxDav nginx(dir / "nginx");
    if (nginx.port() == 0) GTEST_SKIP() << nginx.why();
    const std::string url = url_of(nginx.port());
    lab_a_runs_and_pushes(url);

    auto pull = silico({"pull", recipe, "--store", (dir / "b").string(), "--remote", url, "--json"});
    ASSERT_EQ(exit_code(pull), 0) << pull.out << pull.err;
    EXPECT_EQ(Json::parse(pull.out)["pulled"], 4);
    const Json b = run_json("b");
    EXPECT_EQ(b["cached"], 4);
    EXPECT_EQ(b["succeeded"], 0);
    EXPECT_EQ(stored_outputs(dir / "b"), stored_outputs(dir / "a"));

    // nginx serves whatever its files hold: the client's own check refuses an altered blob.
    const auto outputs = stored_outputs(dir / "a");
    const std::string victim = outputs.begin()->first;
    const std::string spikes = outputs.begin()->second.at("spikes");
    const int affected = trials_referencing(outputs, spikes);
    ASSERT_GE(affected, 1);
    std::ofstream(dir / "nginx" / "cache" / "cas" / spikes, std::ios::trunc) << "not the spikes";
    const Json c = run_json("c", {"--remote", url});
    EXPECT_EQ(c["from_remote"], 4 - affected);
    EXPECT_EQ(c["succeeded"], affected);
    EXPECT_NE(last_err.find("trial " + victim + " refused"), std::string::npos) << last_err;
    EXPECT_EQ(stored_outputs(dir / "c"), stored_outputs(dir / "a"));

    // --all lists the records through nginx's JSON autoindex.
    auto all = silico({"pull", "--all", "--store", (dir / "d").string(), "--remote", url, "--json"});
    EXPECT_EQ(exit_code(all), 1);  // the altered trial is refused
    const Json d = Json::parse(all.out);
    EXPECT_EQ(d["wanted"], 4);
    EXPECT_EQ(d["pulled"], 4 - affected);
    EXPECT_EQ(d["refused"], affected);
}

}  // namespace
}  // namespace silico::runner
