// Test support: a page loaded in headless Chromium (Debian's `chromium`), started by the test.
//
// load_page runs `chromium --headless --dump-dom` with every console message logged to stderr and every
// network request sent to a proxy the test listens on (loopback included), so a test sees what the page
// printed, which hosts it asked for, and the DOM after its scripts ran. screenshot writes a PNG.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace silico::testing_support {

struct ShellRun {
    int status = -1;
    std::string out;
};

// Runs a shell command; its stdout, and its exit status (-1 when it did not exit).
inline ShellRun run_shell(const std::string& command) {
    ShellRun run;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return run;
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) run.out.append(buffer.data(), n);
    const int status = pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

inline std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A TCP listener on 127.0.0.1, used as Chromium's proxy: it accepts every connection, records the host
// each one asks for (the request line: "CONNECT host:443" or "GET http://host/..."), and answers nothing.
class RequestRecorder {
  public:
    RequestRecorder() {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(m_fd, 64) != 0)
            return;
        socklen_t len = sizeof(addr);
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~RequestRecorder() {
        stop();
        ::close(m_fd);
    }
    RequestRecorder(const RequestRecorder&) = delete;
    RequestRecorder& operator=(const RequestRecorder&) = delete;
    int port() const { return m_port; }
    // Stops listening; afterwards hosts() is final.
    void stop() {
        m_stop = true;
        if (m_thread.joinable()) m_thread.join();
    }
    const std::vector<std::string>& hosts() const { return m_hosts; }

  private:
    static std::string host_of(const std::string& head) {
        std::istringstream line(head.substr(0, head.find('\r')));
        std::string method, target;
        line >> method >> target;
        if (const auto scheme = target.find("://"); scheme != std::string::npos)
            target = target.substr(scheme + 3);
        return target.substr(0, target.find_first_of(":/"));
    }
    void serve() {
        while (!m_stop) {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept(m_fd, nullptr, nullptr);
            if (c < 0) continue;
            std::string head(1024, '\0');
            pollfd q{c, POLLIN, 0};
            ssize_t n = ::poll(&q, 1, 1000) > 0 ? ::recv(c, head.data(), head.size(), 0) : 0;
            head.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
            m_hosts.push_back(head.empty() ? std::string("(no request line)") : host_of(head));
            ::close(c);
        }
    }
    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::vector<std::string> m_hosts;  // written by the thread until stop()
    std::thread m_thread;
};

// Chromium's own background traffic (network time, component updates, account checks) that its switches do
// not all silence; a page's request goes anywhere else.
inline bool is_browser_service(const std::string& host) {
    for (std::string_view suffix : {".google.com", ".googleapis.com", ".gvt1.com"})
        if (host.size() > suffix.size() && host.ends_with(suffix)) return true;
    return false;
}

// Debian's chromium, or empty when it is not installed.
inline std::string chromium_path() {
    for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
        if (::access(p, X_OK) == 0) return p;
    return {};
}

// The flags every run shares: no sandbox as root (Chromium refuses otherwise), no first-run or background
// traffic, a fresh profile in `profile`.
inline std::string chromium_command(const std::filesystem::path& profile) {
    std::string cmd = "'" + chromium_path() +
                      "' --headless --disable-gpu --no-first-run --no-default-browser-check "
                      "--disable-background-networking --disable-component-update --disable-sync "
                      "--disable-features=Translate,OptimizationHints,MediaRouter --hide-scrollbars "
                      "--user-data-dir='" +
                      profile.string() + "'";
    if (::geteuid() == 0) cmd += " --no-sandbox";
    return cmd;
}

struct LoadedPage {
    bool started = false;               // chromium ran and dumped a DOM
    std::string dom;                    // document.documentElement.outerHTML after the scripts ran
    std::vector<std::string> console;   // the page's console messages (errors, warnings, logs, CSP reports)
    std::vector<std::string> requests;  // hosts the page asked for (Chromium's own services left out)
    std::string log;                    // chromium's stderr, for failure messages
};

// `flags`: more switches, e.g. "--virtual-time-budget=2000" to let the page's timers run (virtual time: as
// fast as the CPU allows) before the DOM is dumped.
inline LoadedPage load_page(const std::filesystem::path& html, const std::filesystem::path& work,
                            const std::string& flags = "") {
    LoadedPage page;
    RequestRecorder proxy;
    const auto err = work / "chromium.stderr";
    const std::string cmd = chromium_command(work / "profile-dom") + " --enable-logging=stderr --v=0" +
                            " --proxy-server=http://127.0.0.1:" + std::to_string(proxy.port()) +
                            " --proxy-bypass-list='<-loopback>' " + flags + " --dump-dom 'file://" +
                            std::filesystem::absolute(html).string() + "' 2> '" + err.string() + "'";
    auto run = run_shell(cmd);
    page.started = run.status == 0 && run.out.find("<html") != std::string::npos;
    page.dom = std::move(run.out);
    proxy.stop();
    for (const auto& host : proxy.hosts())
        if (!is_browser_service(host)) page.requests.push_back(host);
    page.log = read_text(err);
    std::istringstream lines(page.log);
    for (std::string line; std::getline(lines, line);)
        if (line.find(":CONSOLE") != std::string::npos) page.console.push_back(line);
    return page;
}

// A PNG of the page at width × height CSS pixels; false when Chromium failed.
inline bool screenshot(const std::filesystem::path& html, const std::filesystem::path& png, int width,
                       int height, const std::filesystem::path& work) {
    const std::string cmd = chromium_command(work / "profile-shot") +
                            " --window-size=" + std::to_string(width) + "," + std::to_string(height) +
                            " --screenshot='" + png.string() + "' 'file://" +
                            std::filesystem::absolute(html).string() + "' > /dev/null 2>&1";
    return run_shell(cmd).status == 0 && std::filesystem::exists(png);
}

}  // namespace silico::testing_support
