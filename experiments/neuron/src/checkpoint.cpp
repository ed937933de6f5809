#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "checkpoint_file.hpp"
#include "silico/core/digest.hpp"
#include "silico/core/little_endian.hpp"

namespace silico::experiments {
namespace detail {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view k_magic = "SILICO-CKPT\n";

class Cursor {
  public:
    explicit Cursor(std::string_view data) : m_data(data) {}
    bool take(std::size_t n, std::string_view& out) {
        if (m_data.size() - m_pos < n) return false;
        out = m_data.substr(m_pos, n);
        m_pos += n;
        return true;
    }
    bool uint(int bytes, std::uint64_t& v) {
        std::string_view raw;
        if (!take(static_cast<std::size_t>(bytes), raw)) return false;
        v = get_le(raw.data(), bytes);
        return true;
    }
    std::size_t remaining() const { return m_data.size() - m_pos; }

  private:
    std::string_view m_data;
    std::size_t m_pos = 0;
};

Status os_error(std::string_view what, const fs::path& path) {
    return fail(Errc::io, std::string(what) + ": " + std::strerror(errno), path.string());
}

Status write_all(int fd, std::string_view bytes, const fs::path& path) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return os_error("cannot write checkpoint", path);
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

}  // namespace

Status write_checkpoint_file(const fs::path& file, const CheckpointFile& checkpoint) {
    static_assert(std::endian::native == std::endian::little, "checkpoint vectors are written as LE f64");
    const nlohmann::ordered_json header = {{"format", checkpoint.info.format},
                                           {"identity", checkpoint.info.identity},
                                           {"fingerprint", checkpoint.info.fingerprint},
                                           {"neuron_version", checkpoint.info.neuron_version},
                                           {"t", checkpoint.info.t},
                                           {"steps", checkpoint.info.steps}};
    const std::string header_text = header.dump();
    std::string bytes(k_magic);
    put_u32(bytes, static_cast<std::uint32_t>(header_text.size()));
    bytes += header_text;
    put_u64(bytes, checkpoint.neuron_state.size());
    bytes += checkpoint.neuron_state;
    put_u32(bytes, static_cast<std::uint32_t>(checkpoint.vectors.size()));
    for (const auto& v : checkpoint.vectors) {
        put_u64(bytes, v.size());
        bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(double));
    }
    const Digest digest = sha256(bytes);
    bytes.append(digest.view());

    std::error_code ec;
    const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    fs::create_directories(folder, ec);
    if (ec) return fail(Errc::io, "cannot create the checkpoint folder: " + ec.message(), folder.string());
    const fs::path tmp = file.string() + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return os_error("cannot create checkpoint", tmp);
    Status written = write_all(fd, bytes, tmp);
    if (written && ::fsync(fd) != 0) written = os_error("cannot fsync checkpoint", tmp);
    if (::close(fd) != 0 && written) written = os_error("cannot close checkpoint", tmp);
    if (!written) {
        fs::remove(tmp, ec);
        return written;
    }
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        auto st = os_error("cannot rename checkpoint into place", file);
        fs::remove(tmp, ec);
        return st;
    }
    // The rename is durable only once the folder's entry is on disk.
    const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        (void)::fsync(dir);
        ::close(dir);
    }
    return {};
}

Result<CheckpointFile> read_checkpoint_file(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail(Errc::not_found, "no checkpoint", file.string());
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto corrupt = [&](std::string_view what) {
        return fail(Errc::corruption, std::string(what), file.string());
    };
    if (bytes.size() < k_magic.size() + Digest::k_size || bytes.compare(0, k_magic.size(), k_magic) != 0)
        return corrupt("not a silico checkpoint (bad magic or too short)");
    const std::string_view body(bytes.data(), bytes.size() - Digest::k_size);
    if (sha256(body).view() != std::string_view(bytes).substr(body.size()))
        return corrupt("checkpoint digest mismatch (torn or damaged file)");

    Cursor cursor(body.substr(k_magic.size()));
    CheckpointFile out;
    std::uint64_t n = 0;
    std::string_view raw;
    if (!cursor.uint(4, n) || !cursor.take(n, raw)) return corrupt("truncated header");
    const auto header = nlohmann::json::parse(raw, nullptr, false);
    if (!header.is_object()) return corrupt("header is not a JSON object");
    try {
        out.info.format = header.at("format").get<int>();
        if (out.info.format != k_checkpoint_format)
            return fail(Errc::version,
                        "checkpoint format " + std::to_string(out.info.format) + ", this build reads " +
                            std::to_string(k_checkpoint_format),
                        file.string());
        out.info.identity = header.at("identity").get<std::string>();
        out.info.fingerprint = header.at("fingerprint").get<std::string>();
        out.info.neuron_version = header.at("neuron_version").get<std::string>();
        out.info.t = header.at("t").get<double>();
        out.info.steps = header.at("steps").get<std::uint64_t>();
    } catch (const std::exception& e) {
        return corrupt(std::string("header field: ") + e.what());
    }
    if (!cursor.uint(8, n) || !cursor.take(n, raw)) return corrupt("truncated NEURON state");
    out.neuron_state.assign(raw);
    std::uint64_t count = 0;
    if (!cursor.uint(4, count)) return corrupt("truncated vector count");
    for (std::uint64_t i = 0; i < count; ++i) {
        if (!cursor.uint(8, n) || n > cursor.remaining() / sizeof(double) ||
            !cursor.take(n * sizeof(double), raw))
            return corrupt("truncated recorded vector");
        std::vector<double> v(n);
        std::memcpy(v.data(), raw.data(), raw.size());
        out.vectors.push_back(std::move(v));
    }
    if (cursor.remaining() != 0) return corrupt("bytes after the recorded vectors");
    out.info.bytes = bytes.size();
    return out;
}

}  // namespace detail

Result<CheckpointInfo> read_checkpoint_info(const std::filesystem::path& file) {
    auto checkpoint = detail::read_checkpoint_file(file);
    if (!checkpoint) return std::unexpected(checkpoint.error());
    return checkpoint->info;
}

}  // namespace silico::experiments
