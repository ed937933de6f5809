// Runs the real `silico` executable (SILICO_EXE) in a test's folder with its own store, as a user would.
#pragma once

#include <string>

#include "shell.hpp"
#include "temp_dir.hpp"

namespace silico::testing {

using CliRun = ShellRun;

// `silico --store s ARGS` in `tmp` (ARGS as a shell would split them); stdout and stderr kept apart, so tests
// compare printed tables byte for byte.
inline CliRun silico(const store::testing::TempDir& tmp, const std::string& args) {
    return run_shell(
        "cd '" + tmp.path().string() + "' && '" + std::string(SILICO_EXE) + "' --store s " + args,
        Stderr::separate);
}

}  // namespace silico::testing
