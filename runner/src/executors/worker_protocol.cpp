// Worker protocol frames.
//
// Grammar (all integers little-endian):
//
//   stream    = frame*
//   frame     = magic version type length payload
//   magic     = "SLCW"                       4 bytes
//   version   = u16                          k_protocol_version of the sender
//   type      = u8                           1 hello, 2 job, 3 result, 4 heartbeat, 5 shutdown
//   length    = u32                          payload bytes, at most k_max_payload
//   payload   = hello | job | result | heartbeat | shutdown, exactly `length` bytes
//
//   str       = u32 byte-count, bytes
//   hello     = role:u8 (0 runner, 1 worker) silico_version:str host:str pid:u32
//               (frozen across protocol versions so a mismatched peer can be named)
//   job       = kind:str model:str count:u32 (key:str request:str){count} [checkpoint]
//   checkpoint = every_ms:f64 dir:str        only when the run checkpoints (silico run --checkpoint-every)
//   result    = key:str status:u8 (0 ok, 1 failed) body:str seconds:f64 (IEEE-754 bits as u64) [resumed]
//   resumed   = from_ms:f64                  only when the trial continued from a checkpoint
//
// The bracketed tails were added without a version bump: a frame without them is exactly a version-1
// frame, and a peer only sends them when the other side asked for checkpoints, which an older runner
// cannot do.
//   heartbeat = trials_done:u64 current_key:str
//   shutdown  = (empty)
//
// Each side sends its hello first and checks the peer's before anything else. A payload with bytes left
// over after its fields is corrupt, as is an unknown type or a wrong magic.
#include "silico/runner/worker_protocol.hpp"

#include <unistd.h>

#include <bit>
#include <cstring>

#include "silico/core/env.hpp"
#include "silico/core/git_info.hpp"
#include "silico/core/little_endian.hpp"

namespace silico::runner {
namespace {

constexpr std::string_view k_magic = "SLCW";
constexpr std::size_t k_header_size = 4 + 2 + 1 + 4;

void put_u8(std::string& out, std::uint8_t v) {
    out.push_back(static_cast<char>(v));
}
void put_str(std::string& out, std::string_view s) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

// Reads fields from one payload; any read past the end marks the payload corrupt.
class Cursor {
  public:
    explicit Cursor(std::string_view data) : m_data(data) {}
    bool ok() const { return m_ok; }
    bool at_end() const { return m_pos == m_data.size(); }
    std::size_t remaining() const { return m_data.size() - m_pos; }

    std::uint64_t uint(int bytes) {
        if (!take(static_cast<std::size_t>(bytes))) return 0;
        return get_le(m_data.data() + m_pos - static_cast<std::size_t>(bytes), bytes);
    }
    std::string str() {
        auto n = static_cast<std::size_t>(uint(4));
        if (!take(n)) return {};
        return std::string(m_data.substr(m_pos - n, n));
    }

  private:
    bool take(std::size_t n) {
        if (!m_ok || m_data.size() - m_pos < n) {
            m_ok = false;
            return false;
        }
        m_pos += n;
        return true;
    }
    std::string_view m_data;
    std::size_t m_pos = 0;
    bool m_ok = true;
};

void encode_payload(const Hello& h, std::string& out) {
    put_u8(out, static_cast<std::uint8_t>(h.role));
    put_str(out, h.silico_version);
    put_str(out, h.host);
    put_u32(out, h.pid);
}
void encode_payload(const Job& j, std::string& out) {
    put_str(out, j.kind);
    put_str(out, j.model);
    put_u32(out, static_cast<std::uint32_t>(j.trials.size()));
    for (const auto& t : j.trials) {
        put_str(out, t.key);
        put_str(out, t.request);
    }
    if (j.checkpoint_every_ms > 0) {
        put_u64(out, std::bit_cast<std::uint64_t>(j.checkpoint_every_ms));
        put_str(out, j.checkpoint_dir);
    }
}
void encode_payload(const TrialReply& r, std::string& out) {
    put_str(out, r.key);
    put_u8(out, r.ok ? 0 : 1);
    put_str(out, r.body);
    put_u64(out, std::bit_cast<std::uint64_t>(r.seconds));
    if (r.resumed_from_ms) put_u64(out, std::bit_cast<std::uint64_t>(*r.resumed_from_ms));
}
void encode_payload(const Heartbeat& h, std::string& out) {
    put_u64(out, h.trials_done);
    put_str(out, h.current_key);
}
void encode_payload(const Shutdown&, std::string&) {}

Result<Frame> decode_payload(FrameType type, std::uint16_t version, std::string_view payload) {
    Cursor c(payload);
    Frame frame;
    switch (type) {
        case FrameType::hello: {
            Hello h;
            auto role = c.uint(1);
            if (role > 1)
                return fail(Errc::corruption, "hello frame has unknown role " + std::to_string(role));
            h.role = static_cast<Hello::Role>(role);
            h.protocol = version;
            h.silico_version = c.str();
            h.host = c.str();
            h.pid = static_cast<std::uint32_t>(c.uint(4));
            frame = std::move(h);
            break;
        }
        case FrameType::job: {
            Job j;
            j.kind = c.str();
            j.model = c.str();
            auto count = c.uint(4);
            // Each trial needs at least 8 bytes, so a huge count in a short payload is corrupt, not an OOM.
            if (count > payload.size() / 8) return fail(Errc::corruption, "job frame claims too many trials");
            j.trials.reserve(count);
            for (std::uint64_t i = 0; i < count && c.ok(); ++i) {
                TrialRequest t;
                t.key = c.str();
                t.request = c.str();
                j.trials.push_back(std::move(t));
            }
            // The optional checkpoint tail (8 + 4 bytes at least); fewer bytes are padding, reported below.
            if (c.ok() && c.remaining() >= 12) {
                j.checkpoint_every_ms = std::bit_cast<double>(c.uint(8));
                j.checkpoint_dir = c.str();
                if (!(j.checkpoint_every_ms > 0))
                    return fail(Errc::corruption, "job frame has a checkpoint interval that is not positive");
            }
            frame = std::move(j);
            break;
        }
        case FrameType::result: {
            TrialReply r;
            r.key = c.str();
            auto status = c.uint(1);
            if (status > 1) return fail(Errc::corruption, "result frame has unknown status");
            r.ok = status == 0;
            r.body = c.str();
            r.seconds = std::bit_cast<double>(c.uint(8));
            if (c.ok() && c.remaining() == 8) r.resumed_from_ms = std::bit_cast<double>(c.uint(8));
            frame = std::move(r);
            break;
        }
        case FrameType::heartbeat: {
            Heartbeat h;
            h.trials_done = c.uint(8);
            h.current_key = c.str();
            frame = std::move(h);
            break;
        }
        case FrameType::shutdown:
            frame = Shutdown{};
            break;
        default:
            return fail(Errc::corruption, "unknown frame type " + std::to_string(static_cast<int>(type)));
    }
    if (!c.ok()) return fail(Errc::corruption, std::string(to_string(type)) + " frame payload is truncated");
    if (!c.at_end())
        return fail(Errc::corruption, std::string(to_string(type)) + " frame payload has trailing bytes");
    return frame;
}

}  // namespace

FrameType frame_type(const Frame& frame) {
    return std::visit(
        [](const auto& f) {
            using T = std::decay_t<decltype(f)>;
            if constexpr (std::is_same_v<T, Hello>) return FrameType::hello;
            if constexpr (std::is_same_v<T, Job>) return FrameType::job;
            if constexpr (std::is_same_v<T, TrialReply>) return FrameType::result;
            if constexpr (std::is_same_v<T, Heartbeat>) return FrameType::heartbeat;
            if constexpr (std::is_same_v<T, Shutdown>) return FrameType::shutdown;
        },
        frame);
}

std::string_view to_string(FrameType type) {
    switch (type) {
        case FrameType::hello:
            return "hello";
        case FrameType::job:
            return "job";
        case FrameType::result:
            return "result";
        case FrameType::heartbeat:
            return "heartbeat";
        case FrameType::shutdown:
            return "shutdown";
    }
    return "unknown";
}

void encode_frame(const Frame& frame, std::string& out) {
    const std::size_t start = out.size();
    out.append(k_magic);
    const auto* hello = std::get_if<Hello>(&frame);
    put_u16(out, hello ? hello->protocol : k_protocol_version);
    put_u8(out, static_cast<std::uint8_t>(frame_type(frame)));
    put_u32(out, 0);  // patched below once the payload size is known
    std::visit([&out](const auto& f) { encode_payload(f, out); }, frame);
    const auto length = static_cast<std::uint32_t>(out.size() - start - k_header_size);
    for (int i = 0; i < 4; ++i) out[start + 7 + i] = static_cast<char>((length >> (8 * i)) & 0xff);
}

std::string encode_frame(const Frame& frame) {
    std::string out;
    encode_frame(frame, out);
    return out;
}

void FrameReader::feed(std::string_view bytes) {
    // Compact once the consumed prefix dominates, so a long stream does not grow the buffer forever.
    if (m_pos > 0 && m_pos * 2 > m_buffer.size()) {
        m_buffer.erase(0, m_pos);
        m_pos = 0;
    }
    m_buffer.append(bytes);
}

Result<std::optional<Frame>> FrameReader::next() {
    if (m_error) return std::unexpected(*m_error);
    auto broken = [this](Error e) -> Result<std::optional<Frame>> {
        m_error = e;
        return std::unexpected(std::move(e));
    };
    std::string_view rest(m_buffer.data() + m_pos, m_buffer.size() - m_pos);
    // Check the magic as soon as its bytes are here: stray text on stdout is reported at once.
    const std::size_t have = std::min(rest.size(), k_magic.size());
    if (rest.substr(0, have) != k_magic.substr(0, have)) {
        std::string shown(rest.substr(0, std::min<std::size_t>(rest.size(), 40)));
        for (char& ch : shown)
            if (static_cast<unsigned char>(ch) < 32 || static_cast<unsigned char>(ch) > 126) ch = '.';
        return broken(
            Error{Errc::corruption, "stream does not start with a frame (bad magic): \"" + shown + "\"", {}});
    }
    if (rest.size() < k_header_size) return std::optional<Frame>{};
    Cursor header(rest.substr(4, k_header_size - 4));
    const auto version = static_cast<std::uint16_t>(header.uint(2));
    const auto type = static_cast<FrameType>(header.uint(1));
    const auto length = static_cast<std::uint32_t>(header.uint(4));
    if (length > k_max_payload)
        return broken(
            Error{Errc::corruption, "frame length " + std::to_string(length) + " exceeds the limit", {}});
    if (version != k_protocol_version && type != FrameType::hello)
        return broken(Error{Errc::version,
                            "peer speaks worker protocol v" + std::to_string(version) +
                                ", this silico speaks v" + std::to_string(k_protocol_version),
                            {}});
    if (rest.size() < k_header_size + length) return std::optional<Frame>{};
    auto frame = decode_payload(type, version, rest.substr(k_header_size, length));
    if (!frame) return broken(frame.error());
    m_pos += k_header_size + length;
    return std::optional<Frame>(std::move(*frame));
}

Status check_hello(const Hello& hello, Hello::Role expected_role, std::string_view peer) {
    const std::string who = std::string(peer) + (hello.host.empty() ? "" : " (host " + hello.host + ")");
    if (hello.protocol != k_protocol_version)
        return fail(Errc::version, who + " speaks worker protocol v" + std::to_string(hello.protocol) +
                                       " (silico " + hello.silico_version + "), this silico speaks v" +
                                       std::to_string(k_protocol_version) + " (silico " +
                                       make_hello(Hello::Role::runner).silico_version +
                                       "); install the same silico version on both sides");
    if (hello.role != expected_role)
        return fail(Errc::version,
                    who + " answered as a " + (hello.role == Hello::Role::runner ? "runner" : "worker") +
                        ", expected a " + (expected_role == Hello::Role::runner ? "runner" : "worker"));
    return {};
}

Hello make_hello(Hello::Role role) {
    const BuildInfo& info = build_info();
    Hello h;
    h.role = role;
    h.silico_version = info.version + " " + info.commit.substr(0, 12) + (info.dirty ? "-dirty" : "");
    h.host = env().host_name();
    h.pid = static_cast<std::uint32_t>(env().pid());
    return h;
}

}  // namespace silico::runner
