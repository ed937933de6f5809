// A lab cache: a remote holding blobs by SHA-256 and trial records by trial key, in bazel-remote's HTTP cache
// layout (docs/sharing.md):
//   GET|HEAD|PUT  BASE/cas/<64 lowercase hex>   a blob's uncompressed bytes, keyed by their SHA-256
//   GET|HEAD|PUT  BASE/ac/<64 lowercase hex>    a trial record (docs/store.md "Records"), keyed by trial key
//   GET           BASE/ac/                       the keys held (silico serve: one hex key a line; nginx: its
//                                                autoindex JSON). Optional: only `pull --all` needs it.
// `silico serve`, bazel-remote and nginx with WebDAV PUT all serve this layout.
//
// Contract: a Remote only moves bytes. It never decides whether they are true: the caller verifies every blob
// against its digest and every record against what it expects (transfer.hpp does). Every request is bounded
// by RemoteOptions::timeout; an unreachable, slow or misbehaving server is an error (Errc::io for transport
// failures and timeouts, Errc::failed for an unexpected HTTP status), never a hang. A Remote is not
// thread-safe: use one per thread (open_remote is cheap; the connection is opened on first use and kept).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"

namespace silico::sharing {

enum class Area { cas, ac };
std::string_view to_string(Area area);

struct RemoteOptions {
    std::string url{};                              // http://HOST:PORT[/PREFIX] or https://...
    std::string token{};                            // sent as "Authorization: Bearer" when not empty
    std::filesystem::path ca_file{};                // https: the certificates to trust; empty: the system's
    std::chrono::milliseconds timeout{10'000};      // per request: connect, send and receive each
    std::uint64_t max_response_bytes = 1ull << 30;  // a larger response is refused (Errc::failed)
};

// The bearer token in `file`: the last field of its first line that is not empty or a '#' comment (so the
// server's "NAME TOKEN" lines work too).
Result<std::string> read_token_file(const std::filesystem::path& file);

// A blob as a server sent it: its bytes, and the zstd frame they came in when the server answered
// `Accept-Encoding: zstd` with `Content-Encoding: zstd` in the form the store keeps (store.hpp
// decode_received_frame), so the frame can be stored as it is. Neither is verified: the caller hashes `bytes`.
struct BlobBody {
    std::string bytes;
    std::string frame;  // "" when the server sent plain bytes (nginx, bazel-remote) or another zstd form
};

class Remote {
  public:
    virtual ~Remote() = default;
    // "http://127.0.0.1:9090": for messages.
    virtual std::string describe() const = 0;
    // The bytes under AREA/KEY; std::nullopt when the server holds none (404).
    virtual Result<std::optional<std::string>> get(Area area, const Digest& key) = 0;
    // get() of every key, in order. The http backend pipelines them (all requests written on the kept-alive
    // connection before the answers are read: one round trip instead of one per key, and still plain
    // HTTP/1.1 GETs, so any server of this layout answers them). The first failure is the error.
    virtual Result<std::vector<std::optional<std::string>>> get_many(Area area,
                                                                     const std::vector<Digest>& keys);
    // get_many() of blobs (cas/DIGEST). The http backend asks for zstd (`Accept-Encoding: zstd`): silico serve
    // then sends the stored frame and neither side compresses; a server that ignores the header sends plain
    // bytes, which are used as they are. A zstd body that does not decode is Errc::failed. The default
    // implementation is get_many(Area::cas, ...).
    virtual Result<std::vector<std::optional<BlobBody>>> get_blobs(const std::vector<Digest>& digests);
    // HEAD: whether the server holds AREA/KEY.
    virtual Result<bool> contains(Area area, const Digest& key) = 0;
    // PUT; a refusal (401, 400, 413, ...) is Errc::failed carrying the status and the server's message.
    virtual Status put(Area area, const Digest& key, std::string_view bytes) = 0;
    // Every key the server lists under AREA/ (entries that are not 64 hex digits are skipped).
    virtual Result<std::vector<Digest>> list(Area area) = 0;
};

// The backend for the URL's scheme: http:// and https:// (http_remote.cpp). Errc::invalid_argument for a
// URL it cannot use. Nothing is contacted yet.
Result<std::unique_ptr<Remote>> open_remote(const RemoteOptions& options);

}  // namespace silico::sharing
