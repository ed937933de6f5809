// A fixed Env for tests: install it with silico::ScopedEnv and every stored host, user, pid and time is known.
#pragma once

#include <cstdint>
#include <string>

#include "silico/core/env.hpp"

namespace silico::testing {

struct FakeEnv final : Env {
    std::int64_t time_ms = 1'600'000'000'000;
    std::string host = "fake-host";
    std::string user = "fake-user";
    std::int64_t process_id = 424242;

    std::int64_t now_unix_ms() const override { return time_ms; }
    std::string host_name() const override { return host; }
    std::string user_name() const override { return user; }
    std::int64_t pid() const override { return process_id; }
};

}  // namespace silico::testing
