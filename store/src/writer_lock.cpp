#include "writer_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>

#include "silico/core/env.hpp"

namespace silico::store {

std::string lock_owner_text() {
    return std::to_string(env().pid()) + " " + env().host_name() + "\n";
}

namespace {

std::string read_owner(int fd) {
    std::array<char, 512> buffer{};
    const ssize_t n = pread(fd, buffer.data(), buffer.size() - 1, 0);
    if (n <= 0) return {};
    std::string text(buffer.data(), static_cast<std::size_t>(n));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

}  // namespace

Result<WriterLock> WriterLock::acquire(const std::filesystem::path& dir) {
    const auto path = dir / "LOCK";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(Errc::io, std::string("cannot open the writer lock: ") + std::strerror(errno),
                    path.string());
    // flock, not fcntl locks: it is per open file, released by the kernel when the process dies,
    // and two Store objects in one process exclude each other too.
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        std::string owner = read_owner(fd);
        ::close(fd);
        if (err != EWOULDBLOCK)
            return fail(Errc::io, std::string("cannot lock: ") + std::strerror(err), path.string());
        std::string pid = "unknown";
        std::string host = "unknown host";
        if (auto space = owner.find(' '); space != std::string::npos) {
            pid = owner.substr(0, space);
            host = owner.substr(space + 1);
        }
        return fail(Errc::busy, "store " + dir.string() + " is in use by PID " + pid + " on " + host);
    }
    const std::string text = lock_owner_text();
    if (::ftruncate(fd, 0) != 0 ||
        ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
        const int err = errno;
        ::close(fd);
        return fail(Errc::io, std::string("cannot write the writer lock: ") + std::strerror(err),
                    path.string());
    }
    return WriterLock(fd);
}

WriterLock::WriterLock(WriterLock&& other) noexcept : m_fd(other.m_fd) {
    other.m_fd = -1;
}

WriterLock& WriterLock::operator=(WriterLock&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

WriterLock::~WriterLock() {
    // Closing the descriptor releases the flock. The file stays: deleting it would race a new writer.
    if (m_fd >= 0) ::close(m_fd);
}

}  // namespace silico::store
