// Env: the facts about its surroundings that silico writes into stored data (in the spirit of LevelDB's
// Env, narrowed to provenance): the wall clock, the host, the user and the process id.
//
//   now_unix_ms()  wall-clock milliseconds since 1970-01-01 UTC; not monotonic (durations use steady_clock)
//   host_name()    never empty: "unknown-host" when the OS refuses
//   user_name()    $USER, else the passwd name of the real uid, else "unknown"
//   pid()          the process id
//
// env() is the current Env: system_env(), which asks the OS, unless a test installed another with ScopedEnv.
// Why a process-wide override and not an Env& parameter: the values are written deep inside the store
// (trial records, item metadata, the writer lock) and the runner (run records, the worker's hello), and
// passing an Env through Store::open, every commit, every executor and the CLI would change every signature
// for the sake of tests alone. Install a ScopedEnv before starting threads that read it; scopes nest.
// Anything the OS itself checks (kill(pid, 0) on a stale folder, flock) uses the OS, never env().
#pragma once

#include <cstdint>
#include <string>

namespace silico {

class Env {
  public:
    virtual ~Env() = default;
    virtual std::int64_t now_unix_ms() const = 0;
    virtual std::string host_name() const = 0;
    virtual std::string user_name() const = 0;
    virtual std::int64_t pid() const = 0;
};

const Env& system_env();
const Env& env();

// Makes `replacement` the current Env until destruction, then restores the previous one. The replacement
// must outlive the scope.
class ScopedEnv {
  public:
    explicit ScopedEnv(const Env& replacement);
    ~ScopedEnv();
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    const Env* m_previous;
};

}  // namespace silico
