// The worker protocol: versioned, length-prefixed binary frames between the runner and its workers.
//
// A worker (`silico worker --stdio`) reads frames on stdin and writes frames on stdout; stdout carries
// nothing else. The same frames travel over local pipes, over `ssh`, and through files on a shared folder
// for Slurm array tasks. The byte grammar is documented at the top of worker_protocol.cpp.
//
// Trial requests and results are opaque bytes here: the runner's planner encodes a trial spec into a
// request, a TrialHandler in the worker turns it into result bytes. The protocol never looks inside.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::runner {

// Bumped on any change to the frame grammar. Peers with different versions refuse each other.
inline constexpr std::uint16_t k_protocol_version = 1;
// A frame payload larger than this is treated as corruption (a peer writing garbage to stdout).
inline constexpr std::uint32_t k_max_payload = 1u << 30;

// First frame in each direction. Its payload layout never changes between protocol versions, so a
// mismatched peer can still be named (its silico version and host) in the error.
struct Hello {
    enum class Role : std::uint8_t { runner = 0, worker = 1 };
    Role role = Role::worker;
    std::uint16_t protocol = k_protocol_version;  // filled from the frame header when decoding
    std::string silico_version;                   // e.g. "0.1.0 abc123def456"
    std::string host;                             // hostname of the sender
    std::uint32_t pid = 0;
};

// One trial to run: its key (hex trial key, used to match the result) and the opaque request bytes.
struct TrialRequest {
    std::string key;
    std::string request;
};

// A batch of trials for one model. The worker builds the handler for (kind, model) once and reuses it
// for every trial of every job with the same (kind, model).
struct Job {
    std::string kind;   // selects the TrialHandler factory in the worker's registry
    std::string model;  // model description handed to the factory (e.g. canonical cell + network spec)
    std::vector<TrialRequest> trials;
    // Checkpoints inside long trials (`silico run --checkpoint-every`): every this many simulated ms the
    // worker saves trial <key> to <checkpoint_dir>/<key>.ckpt, and a trial whose file holds a valid
    // checkpoint continues from it. 0 = off. The folder must be shared by the runner and the workers.
    double checkpoint_every_ms = 0;
    std::string checkpoint_dir{};
};

// The outcome of one trial inside a worker. A failed trial carries the handler's message; crashes never
// produce this frame (the runner notices the dead worker instead).
struct TrialReply {
    std::string key;
    bool ok = false;
    std::string body;                         // result bytes when ok, else the failure message
    double seconds = 0;                       // wall time the handler took
    std::optional<double> resumed_from_ms{};  // the trial continued from a checkpoint at this t (ms)
};

// Sent periodically by a busy worker so the runner can tell a slow trial from a hung or lost peer.
struct Heartbeat {
    std::uint64_t trials_done = 0;
    std::string current_key;  // trial in progress, "" when idle
};

// Ask the worker to exit after its current trial.
struct Shutdown {};

using Frame = std::variant<Hello, Job, TrialReply, Heartbeat, Shutdown>;

enum class FrameType : std::uint8_t { hello = 1, job = 2, result = 3, heartbeat = 4, shutdown = 5 };

FrameType frame_type(const Frame& frame);
std::string_view to_string(FrameType type);

// Appends the encoded frame (header and payload) to `out`.
void encode_frame(const Frame& frame, std::string& out);
std::string encode_frame(const Frame& frame);

// Incremental decoder: feed bytes as they arrive, take whole frames out.
// A frame from another protocol version decodes only if it is a Hello (so the caller can report who the
// peer is); any other frame with a foreign version is an Errc::version error. Once next() has returned an
// error the reader stays broken: the stream cannot be resynchronised.
class FrameReader {
  public:
    void feed(std::string_view bytes);
    // The next complete frame, std::nullopt if more bytes are needed, or an error for a corrupt stream.
    Result<std::optional<Frame>> next();
    // Bytes received but not yet consumed as frames.
    std::size_t buffered() const { return m_buffer.size() - m_pos; }

  private:
    std::string m_buffer;
    std::size_t m_pos = 0;
    std::optional<Error> m_error;
};

// Checks a peer's hello against this build: same protocol version, expected role.
// `peer` names the peer in the error ("worker on host01").
Status check_hello(const Hello& hello, Hello::Role expected_role, std::string_view peer);

// This process's hello: protocol version, silico version and commit, host name, pid.
Hello make_hello(Hello::Role role);

}  // namespace silico::runner
