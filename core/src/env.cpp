#include "silico/core/env.hpp"

#include <pwd.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>

namespace silico {

namespace {

class SystemEnv final : public Env {
  public:
    std::int64_t now_unix_ms() const override {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    std::string host_name() const override {
        std::array<char, 256> buffer{};
        // POSIX leaves the result unterminated on truncation; the last byte stays zero.
        if (::gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') return "unknown-host";
        return buffer.data();
    }

    std::string user_name() const override {
        if (const char* user = std::getenv("USER"); user && *user) return user;
        if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
        return "unknown";
    }

    std::int64_t pid() const override { return ::getpid(); }
};

// Atomic because executor threads read it while a test's scope may be ending on another thread.
std::atomic<const Env*> g_current{nullptr};

}  // namespace

const Env& system_env() {
    static const SystemEnv instance;
    return instance;
}

const Env& env() {
    const Env* current = g_current.load(std::memory_order_acquire);
    return current ? *current : system_env();
}

ScopedEnv::ScopedEnv(const Env& replacement)
    : m_previous(g_current.exchange(&replacement, std::memory_order_acq_rel)) {}

ScopedEnv::~ScopedEnv() {
    g_current.store(m_previous, std::memory_order_release);
}

}  // namespace silico
