// Test support for lab caches (docs/sharing.md): a server process the test starts and reads its port from,
// a raw HTTP/1.1 exchange for requests a well-behaved client never sends, a loopback proxy that calls back
// after forwarding N response bytes (to kill a server at a chosen moment of a pull), and Debian's nginx as a
// WebDAV cache with a configuration written by the test.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "executors/child_process.hpp"
#include "free_port.hpp"

namespace silico::testing_support {

inline int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Waits until something accepts connections on `port`.
inline bool wait_for_port(int port, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        const int fd = connect_loopback(port);
        if (fd >= 0) {
            ::close(fd);
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

// A process whose stdout and stderr the test collects (in threads, so a chatty server never blocks on a full
// pipe). `ready` is a line prefix to wait for on stdout, such as "listening on port ".
class ServerProcess {
  public:
    ServerProcess() = default;
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;
    ~ServerProcess() { stop(SIGKILL); }

    // Starts argv; returns the number after `ready` on stdout (the port), or -1 when it did not appear.
    int start(const std::vector<std::string>& argv, const std::string& ready = "listening on port ") {
        if (!launch(argv)) return -1;
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < until) {
            {
                std::lock_guard guard(m_mutex);
                if (auto at = m_out.find(ready); at != std::string::npos) {
                    const auto end = m_out.find('\n', at);
                    if (end != std::string::npos) return std::stoi(m_out.substr(at + ready.size()));
                }
            }
            if (exited()) return -1;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return -1;
    }

    // Starts argv without waiting for anything.
    bool launch(const std::vector<std::string>& argv) {
        auto child = runner::spawn_child(argv);
        if (!child) return false;
        m_pid = child->pid;
        ::close(child->stdin_fd);
        m_readers.emplace_back([this, fd = child->stdout_fd] { collect(fd, m_out); });
        m_readers.emplace_back([this, fd = child->stderr_fd] { collect(fd, m_err); });
        return true;
    }

    pid_t pid() const { return m_pid; }
    void signal(int sig) const {
        if (m_pid > 0) ::kill(m_pid, sig);
    }
    // Sends `sig` and reaps the process; returns its wait status.
    int stop(int sig = SIGTERM) {
        int status = 0;
        if (m_pid > 0) {
            ::kill(m_pid, SIGCONT);
            ::kill(m_pid, sig);
            ::waitpid(m_pid, &status, 0);
            m_pid = -1;
        }
        for (auto& t : m_readers) t.join();
        m_readers.clear();
        return status;
    }
    std::string err() const {
        std::lock_guard guard(m_mutex);
        return m_err;
    }

  private:
    bool exited() {
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return true;
        }
        return false;
    }
    void collect(int fd, std::string& into) {
        char buf[4096];
        for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
            std::lock_guard guard(m_mutex);
            into.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fd);
    }

    pid_t m_pid = -1;
    mutable std::mutex m_mutex;
    std::string m_out, m_err;
    std::vector<std::thread> m_readers;
};

struct RawReply {
    int status = 0;  // 0: no HTTP answer
    std::string text;
};

// Sends `request` as it is and reads until the server closes (send "Connection: close").
inline RawReply raw_http(int port, const std::string& request) {
    RawReply reply;
    const int fd = connect_loopback(port);
    if (fd < 0) return reply;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::size_t sent = 0;
    while (sent < request.size()) {
        const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
        reply.text.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    if (reply.text.starts_with("HTTP/1.1 ") && reply.text.size() >= 12)
        reply.status = std::stoi(reply.text.substr(9, 3));
    return reply;
}

// Forwards connections on its own port to `upstream`; once it has forwarded `after_bytes` bytes of
// responses it calls `cut` once (the test kills the server there). One thread per connection.
class CuttingProxy {
  public:
    CuttingProxy(int upstream, std::uint64_t after_bytes, std::function<void()> cut)
        : m_upstream(upstream), m_after(after_bytes), m_cut(std::move(cut)) {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(m_listen, 16);
        socklen_t len = sizeof addr;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_acceptor = std::thread([this] { accept_loop(); });
    }
    ~CuttingProxy() {
        m_stop = true;
        ::shutdown(m_listen, SHUT_RDWR);
        ::close(m_listen);
        m_acceptor.join();
        for (auto& t : m_pipes) t.join();
    }
    int port() const { return m_port; }
    bool cut_done() const { return m_done; }

  private:
    void accept_loop() {
        while (!m_stop) {
            const int client = ::accept(m_listen, nullptr, nullptr);
            if (client < 0) return;
            const int server = connect_loopback(m_upstream);
            if (server < 0) {
                ::close(client);
                continue;
            }
            m_pipes.emplace_back([this, client, server] { pump(client, server); });
        }
    }
    void pump(int client, int server) {
        pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
        char buf[16384];
        while (!m_stop) {
            if (::poll(fds, 2, 200) < 0) break;
            bool closed = false;
            for (int i = 0; i < 2 && !closed; ++i) {
                if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
                const ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
                if (n <= 0) {
                    closed = true;
                    break;
                }
                ::send(fds[1 - i].fd, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL);
                if (i == 1 && (m_forwarded += static_cast<std::uint64_t>(n)) >= m_after &&
                    !m_done.exchange(true))
                    m_cut();
            }
            if (closed) break;
        }
        ::close(client);
        ::close(server);
    }

    int m_upstream;
    std::uint64_t m_after;
    std::function<void()> m_cut;
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false}, m_done{false};
    std::atomic<std::uint64_t> m_forwarded{0};
    std::thread m_acceptor;
    std::vector<std::thread> m_pipes;
};

// Debian's nginx serving `root` with WebDAV PUT (the layout of docs/sharing.md: /cas/ and /ac/ with a JSON
// autoindex for `pull --all`). port() is 0 and why() says why when it could not start.
class NginxDav {
  public:
    NginxDav(const std::filesystem::path& dir) {
        namespace fs = std::filesystem;
        if (!fs::exists("/usr/sbin/nginx")) {
            m_why = "/usr/sbin/nginx is not installed (scripts/install-deps.sh --with-tests)";
            return;
        }
        fs::create_directories(dir / "cache" / "cas");
        fs::create_directories(dir / "cache" / "ac");
        fs::create_directories(dir / "tmp");
        const int port = free_loopback_port();
        const std::string d = dir.string();
        std::ofstream(dir / "nginx.conf")
            << (::geteuid() == 0 ? "user root;\n" : "") << "worker_processes 1;\ndaemon off;\npid " << d
            << "/nginx.pid;\nerror_log " << d << "/error.log;\nevents { worker_connections 64; }\nhttp {\n"
            << "  access_log " << d << "/access.log;\n  default_type application/octet-stream;\n"
            << "  client_body_temp_path " << d << "/tmp;\n  proxy_temp_path " << d << "/tmp;\n"
            << "  fastcgi_temp_path " << d << "/tmp;\n  uwsgi_temp_path " << d << "/tmp;\n"
            << "  scgi_temp_path " << d << "/tmp;\n  client_max_body_size 64m;\n"
            << "  server {\n    listen 127.0.0.1:" << port << ";\n    root " << d << "/cache;\n"
            << "    location /cas/ { dav_methods PUT; create_full_put_path on; }\n"
            << "    location /ac/ { dav_methods PUT; create_full_put_path on; autoindex on; "
               "autoindex_format json; }\n  }\n}\n";
        if (!m_process.launch(
                {"/usr/sbin/nginx", "-p", d, "-c", d + "/nginx.conf", "-e", d + "/error.log"}) ||
            !wait_for_port(port, std::chrono::seconds(10))) {
            std::ifstream log(dir / "error.log");
            m_why = "nginx did not start: " + std::string(std::istreambuf_iterator<char>(log), {});
            return;
        }
        m_port = port;
    }
    // SIGTERM: nginx's master stops its workers before it exits (SIGKILL would orphan them).
    ~NginxDav() { m_process.stop(SIGTERM); }
    NginxDav(const NginxDav&) = delete;
    NginxDav& operator=(const NginxDav&) = delete;
    int port() const { return m_port; }
    const std::string& why() const { return m_why; }

  private:
    ServerProcess m_process;
    int m_port = 0;
    std::string m_why;
};

}  // namespace silico::testing_support
