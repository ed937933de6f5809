// The engine behind the local and ssh executors: a pool of worker processes that speak the frame
// protocol on their stdin/stdout, fed from per-model queues on one Boost.Asio thread (the caller's).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "silico/runner/executor.hpp"

namespace silico::runner {

// One worker slot: the command that starts its process and the group (host) it belongs to.
struct SlotSpec {
    std::string label;  // "local#0", "ssh host01#1"
    std::vector<std::string> argv;
    std::size_t group = 0;
};

struct PoolPolicy {
    std::vector<std::string> group_names;  // one per group, for messages ("localhost", "host01")
    // A group whose processes fail this many times in a row before saying hello is retired.
    unsigned max_start_failures = 3;
    // Wait before restarting a slot after a failed start, times the number of failures in a row.
    std::chrono::milliseconds restart_backoff{200};
};

std::unique_ptr<Executor> make_pool_executor(std::string name, std::vector<SlotSpec> slots, PoolPolicy policy,
                                             ExecutorOptions options);

}  // namespace silico::runner
