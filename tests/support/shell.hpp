// Runs a command line through /bin/sh and collects what it printed and its exit status: for tests that start
// the real `silico` executable, python3 or a server tool as a user would.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace silico::testing {

struct ShellRun {
    int status = -1;  // the exit status, or -1 when the command could not start or was killed by a signal
    std::string out;  // stdout (with stderr when merged)
    std::string err;  // stderr when kept apart
};

enum class Stderr {
    merged,    // 2>&1: one stream, in the order it was written
    separate,  // into ShellRun::err, so a test can compare stdout byte for byte
};

namespace detail {

inline std::string read_all(FILE* pipe) {
    std::string out;
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
    return out;
}

// A fresh file for one command's stderr: parallel tests must never share it.
inline std::filesystem::path stderr_file() {
    std::string pattern = (std::filesystem::temp_directory_path() / "silico_test_stderr_XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd >= 0) close(fd);
    return pattern;
}

}  // namespace detail

inline ShellRun run_shell(const std::string& command, Stderr mode = Stderr::merged) {
    ShellRun run;
    const std::filesystem::path err_file = mode == Stderr::separate ? detail::stderr_file() : "";
    const std::string line =
        mode == Stderr::merged ? command + " 2>&1" : command + " 2> '" + err_file.string() + "'";
    if (FILE* pipe = popen(line.c_str(), "r")) {
        run.out = detail::read_all(pipe);
        const int status = pclose(pipe);
        run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (mode == Stderr::separate) {
        std::ifstream in(err_file, std::ios::binary);
        run.err.assign(std::istreambuf_iterator<char>(in), {});
        std::filesystem::remove(err_file);
    }
    return run;
}

}  // namespace silico::testing
