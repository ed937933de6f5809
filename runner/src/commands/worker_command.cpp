// `silico worker`: the process the executors start. It speaks frames on stdin/stdout (--stdio) or
// through files on a shared folder (--file IN --out OUT, for Slurm array tasks).
#include <memory>

#include "commands/cli.hpp"
#include "silico/runner/worker.hpp"

namespace silico::runner {

void add_worker_command(CLI::App& app, CliContext& ctx) {
    auto* cmd =
        app.add_subcommand("worker", "Run trials for a runner (started by the executors, not by hand)");
    auto mode = std::make_shared<WorkerMode>();
    cmd->add_flag("--stdio", mode->stdio, "Speak the frame protocol on stdin/stdout");
    cmd->add_option("--file", mode->in, "Job file to run (batch systems)");
    cmd->add_option("--out", mode->out, "Result file to append to (with --file)");
    cmd->add_option("--heartbeat-ms", mode->options.heartbeat_ms, "Heartbeat interval while busy (0: none)");
    cmd->callback([&ctx, mode] {
        if (auto status = serve_worker(*mode, default_registry()); !status)
            ctx.report(status.error().within("silico worker"));
    });
}

}  // namespace silico::runner
