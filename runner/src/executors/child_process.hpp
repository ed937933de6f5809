// Starting worker processes with their stdin, stdout and stderr on pipes (posix_spawn, no fork in a
// threaded process), and describing how they ended.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "silico/core/error.hpp"

namespace silico::runner {

struct ChildProcess {
    pid_t pid = -1;
    int stdin_fd = -1;   // write end of the child's stdin
    int stdout_fd = -1;  // read end of the child's stdout
    int stderr_fd = -1;  // read end of the child's stderr
};

// Spawns argv[0] (searched on PATH) in its own process group, so a terminal's Ctrl-C reaches only the
// runner, which then shuts workers down in order. The child starts with default signal dispositions.
Result<ChildProcess> spawn_child(const std::vector<std::string>& argv);

// "exited with status 3", "killed by signal 9 (SIGKILL)".
std::string describe_wait_status(int status);

}  // namespace silico::runner

namespace silico::runner {

struct CommandOutput {
    int status = 0;  // raw wait status
    std::string out, err;
    bool succeeded() const;
};

// Runs a short command to completion (sbatch, squeue, ...), collecting its stdout and stderr.
// Its stdin is closed at once.
Result<CommandOutput> run_command(const std::vector<std::string>& argv);

}  // namespace silico::runner
