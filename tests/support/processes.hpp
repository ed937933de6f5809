// The machine's processes as /proc lists them: for tests that kill a runner's workers or clean up after a
// server they started.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace silico::testing {

struct ProcessEntry {
    pid_t pid = 0;
    pid_t parent = 0;
    char state = '?';  // R, S, D, Z (zombie), ...
};

// Every process whose /proc/PID/stat could be read (processes may exit while it is read).
inline std::vector<ProcessEntry> process_table() {
    std::vector<ProcessEntry> out;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat(it->path() / "stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        // The command name in parentheses may contain spaces: the fields follow the last ')'.
        const auto close = line.rfind(')');
        if (close == std::string::npos || close + 2 > line.size()) continue;
        std::istringstream rest(line.substr(close + 2));
        ProcessEntry e;
        e.pid = static_cast<pid_t>(std::stoi(name));
        rest >> e.state >> e.parent;
        if (rest) out.push_back(e);
    }
    return out;
}

}  // namespace silico::testing
