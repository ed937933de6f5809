// The writer lock (private): an flock on DIR/LOCK whose content names the holder as "PID HOST".
#pragma once

#include <filesystem>

#include "silico/core/error.hpp"

namespace silico::store {

class WriterLock {
  public:
    // Takes the lock without waiting. When another process holds it: Errc::busy
    // "store DIR is in use by PID N on HOST".
    static Result<WriterLock> acquire(const std::filesystem::path& dir);

    WriterLock(WriterLock&& other) noexcept;
    WriterLock& operator=(WriterLock&& other) noexcept;
    ~WriterLock();

  private:
    explicit WriterLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

// "PID HOST\n" of this process, from silico::env().
std::string lock_owner_text();

}  // namespace silico::store
