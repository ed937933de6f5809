// `silico worker`: the process the executors start. It speaks frames on stdin/stdout (--stdio) or
// through files on a shared folder (--file IN --out OUT, for Slurm array tasks).
#include <fcntl.h>
#include <unistd.h>

#include <iostream>

#include "commands/cli.hpp"
#include "silico/runner/worker.hpp"

namespace silico::runner {

void add_worker_command(CLI::App& app, CliContext& ctx) {
    register_test_handlers(default_registry());
    auto* cmd =
        app.add_subcommand("worker", "Run trials for a runner (started by the executors, not by hand)");
    struct Args {
        bool stdio = false;
        std::string in, out;
        unsigned heartbeat_ms = 2000;
    };
    auto args = std::make_shared<Args>();
    cmd->add_flag("--stdio", args->stdio, "Speak the frame protocol on stdin/stdout");
    cmd->add_option("--file", args->in, "Job file to run (batch systems)");
    cmd->add_option("--out", args->out, "Result file to append to (with --file)");
    cmd->add_option("--heartbeat-ms", args->heartbeat_ms, "Heartbeat interval while busy (0: none)");
    cmd->callback([&ctx, args] {
        Status status;
        if (args->stdio) {
            // stdout carries frames only: keep a private copy for them and send everything else that
            // writes to fd 1 (NEURON's printf, library chatter) to stderr.
            const int frames = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
            if (frames < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
                ctx.report(Error{Errc::io, "cannot set up stdout for frames", "silico worker"});
                return;
            }
            WorkerOptions options;
            options.heartbeat_ms = args->heartbeat_ms;
            status = run_worker(STDIN_FILENO, frames, default_registry(), options);
        } else if (!args->in.empty() && !args->out.empty()) {
            status = run_worker_files(args->in, args->out, default_registry());
        } else {
            status = fail(Errc::invalid_argument, "use --stdio, or --file IN --out OUT", "silico worker");
        }
        if (!status) ctx.report(status.error().within("silico worker"));
    });
}

}  // namespace silico::runner
