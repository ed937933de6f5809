// silico_test_worker: the worker the executor tests (and the runner benchmark) start instead of `silico`.
// It takes `silico worker`'s command line, so the executors' commands stay the same
// ({EXE, "worker", "--stdio"}; Slurm's task script appends "--file IN --out OUT" to {EXE, "worker"}), and serves the
// production worker loop with the checksum workloads as its only kind.
#include <charconv>
#include <iostream>
#include <string_view>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/runner/worker.hpp"
#include "test_handlers.hpp"

namespace {

using silico::runner::WorkerMode;

bool parse_arguments(const std::vector<std::string_view>& args, WorkerMode& mode) {
    std::size_t i = !args.empty() && args[0] == "worker" ? 1 : 0;
    for (; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const bool has_value = i + 1 < args.size();
        if (arg == "--stdio") {
            mode.stdio = true;
        } else if (arg == "--file" && has_value) {
            mode.in = args[++i];
        } else if (arg == "--out" && has_value) {
            mode.out = args[++i];
        } else if (arg == "--heartbeat-ms" && has_value) {
            const std::string_view value = args[++i];
            auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), mode.options.heartbeat_ms);
            if (ec != std::errc{} || end != value.data() + value.size()) return false;
        } else {
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    WorkerMode mode;
    if (!parse_arguments({argv + 1, argv + argc}, mode)) {
        std::cerr << "silico_test_worker: usage: silico_test_worker worker (--stdio | --file IN --out OUT) "
                     "[--heartbeat-ms MS]\n";
        return 2;
    }
    silico::runner::HandlerRegistry registry;
    silico::runner::register_test_handlers(registry);
    if (auto status = silico::runner::serve_worker(mode, registry); !status) {
        std::cerr << "silico_test_worker: error: " << status.error().what() << "\n";
        return silico::exit_status(status.error().code);
    }
    return 0;
}
