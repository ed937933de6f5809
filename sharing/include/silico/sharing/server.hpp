// `silico serve`: a lab cache over HTTP/1.1 (optionally TLS) in the layout of remote.hpp, backed by a store.
//
// Contract (docs/sharing.md has the threat model):
//   - GET/HEAD /cas/<hex> return a blob's bytes, verified against the digest by the store on every read.
//   - GET/HEAD /ac/<hex> return a complete trial's record; GET /ac/ lists the keys, one hex key a line.
//   - PUT /cas/<hex> is re-hashed and refused with 400 unless the bytes hash to <hex>.
//   - PUT /ac/<hex> is refused with 400 unless it is a complete record whose every blob the store holds
//     with the size the record states; an accepted record is committed as commit_record does (the first
//     record of a key stays; a seed another key holds is 409).
//   - Writes need "Authorization: Bearer T" with T in the write-token file (401 otherwise; 403 when the
//     server has no write tokens). Reads need a read or write token only when a read-token file is given.
//   - Any other target is 404, and a target with "..", "%", "?", "\" or "//" is 400: only the store's
//     blobs and records are reachable, never a file.
//   - Bounded: request body (413), header size, concurrent connections (503 beyond), time per request
//     and idle time (the connection is closed).
//   - Every write is logged (spdlog): method, target, status, bytes, the token's name and the peer address.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "silico/core/error.hpp"
#include "silico/store/store.hpp"

namespace silico::sharing {

struct ServerOptions {
    std::string listen = "127.0.0.1:9090";                        // ADDR:PORT; port 0 picks a free one
    std::filesystem::path tls_cert{}, tls_key{};                  // both, or neither (plain HTTP)
    std::filesystem::path write_token_file{}, read_token_file{};  // lines "TOKEN" or "NAME TOKEN"
    std::uint64_t max_body_bytes = 256ull << 20;
    unsigned max_connections = 64;
    // Time to receive one request (a kept-alive connection idle this long is closed) and to send a response.
    std::chrono::milliseconds request_timeout{30'000};
    unsigned threads = 4;
};

// Serves `store` (a writer) until `stop` becomes true (checked every 100 ms) or SIGINT/SIGTERM when
// `handle_signals`. Calls `on_listening(port)` once it accepts connections. Errors: a bad address, a port in
// use, unreadable certificates or token files.
Status serve(store::Store& store, const ServerOptions& options, std::atomic<bool>& stop,
             const std::function<void(unsigned short)>& on_listening, bool handle_signals);

}  // namespace silico::sharing
