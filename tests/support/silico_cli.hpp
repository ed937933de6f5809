// Runs the real `silico` executable (SILICO_EXE) in a test's folder with its own store, as a user would.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "temp_dir.hpp"

namespace silico::testing {

struct CliRun {
    int status = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};

// `silico --store s ARGS` in `tmp` (ARGS as a shell would split them).
inline CliRun silico(const store::testing::TempDir& tmp, const std::string& args) {
    const std::string err = (tmp / "stderr").string();
    const std::string command = "cd '" + tmp.path().string() + "' && '" + std::string(SILICO_EXE) +
                                "' --store s " + args + " 2> '" + err + "'";
    CliRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return run;
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
    const int status = pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err);
    run.err.assign(std::istreambuf_iterator<char>(in), {});
    return run;
}

}  // namespace silico::testing
