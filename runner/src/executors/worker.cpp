#include "silico/runner/worker.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "silico/runner/worker_protocol.hpp"

namespace silico::runner {
namespace {

Status write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(Errc::io, std::string("worker cannot write frames: ") + std::strerror(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

// Keeps the handler for the current (kind, model) and runs trials on it.
class ModelSlot {
  public:
    explicit ModelSlot(const HandlerRegistry& registry) : m_registry(registry) {}

    TrialReply run(const Job& job, const TrialRequest& trial) {
        const std::string& kind = job.kind;
        const std::string& model = job.model;
        TrialReply reply;
        reply.key = trial.key;
        if (auto st = ensure(kind, model); !st) {
            reply.body = st.error().what();
            return reply;
        }
        const auto start = std::chrono::steady_clock::now();
        TrialContext context;
        context.key = trial.key;
        if (job.checkpoint_every_ms > 0) {
            context.checkpoint_every_ms = job.checkpoint_every_ms;
            // The key names the file; keys are hex digests, but never let one escape the folder.
            if (trial.key.find('/') == std::string::npos && trial.key.find("..") == std::string::npos)
                context.checkpoint_file = std::filesystem::path(job.checkpoint_dir) / (trial.key + ".ckpt");
        }
        try {
            auto out = (*m_handler)(trial.request, context);
            reply.ok = out.has_value();
            reply.body = out ? std::move(*out) : out.error().what();
        } catch (const std::exception& e) {
            reply.body = std::string("trial handler threw: ") + e.what();
        }
        reply.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        reply.resumed_from_ms = context.resumed_from_ms;
        return reply;
    }

  private:
    Status ensure(const std::string& kind, const std::string& model) {
        if (m_handler && kind == m_kind && model == m_model) return {};
        m_handler.reset();  // one model per process: release the old one before building the next
        auto factory = m_registry.find(kind);
        if (!factory) return std::unexpected(factory.error());
        Result<TrialHandler> handler = fail(Errc::internal, "unset");
        try {
            handler = (**factory)(model);
        } catch (const std::exception& e) {
            return fail(Errc::failed, std::string("building model threw: ") + e.what(), "kind " + kind);
        }
        if (!handler) return std::unexpected(handler.error().within("building model for kind " + kind));
        m_handler = std::move(*handler);
        m_kind = kind;
        m_model = model;
        return {};
    }

    const HandlerRegistry& m_registry;
    std::optional<TrialHandler> m_handler;
    std::string m_kind, m_model;
};

// Sends heartbeats from a side thread while the main thread runs trials; frames are written whole
// under one mutex so they never interleave.
class Heartbeats {
  public:
    Heartbeats(int fd, std::mutex& write_mutex, std::uint32_t interval_ms)
        : m_fd(fd), m_write_mutex(write_mutex), m_interval(interval_ms) {
        if (interval_ms > 0) m_thread = std::jthread([this](std::stop_token st) { loop(st); });
    }
    ~Heartbeats() = default;  // the jthread requests stop, which wakes its wait, then joins
    void set_current(const std::string& key) {
        std::lock_guard lock(m_mutex);
        m_current = key;
    }
    void trial_finished() {
        std::lock_guard lock(m_mutex);
        m_current.clear();
        ++m_done;
    }

  private:
    void loop(std::stop_token st) {
        std::unique_lock lock(m_mutex);
        while (!st.stop_requested()) {
            // Waits on the stop token too, so stopping never waits out an interval.
            if (m_cv.wait_for(lock, st, std::chrono::milliseconds(m_interval), [] { return false; }) ||
                st.stop_requested())
                break;
            const std::string frame = encode_frame(Heartbeat{m_done, m_current});
            lock.unlock();
            {
                std::lock_guard wl(m_write_mutex);
                (void)write_all(m_fd, frame);
            }
            lock.lock();
        }
    }
    int m_fd;
    std::mutex& m_write_mutex;
    std::uint32_t m_interval;
    std::mutex m_mutex;
    std::condition_variable_any m_cv;
    std::string m_current;
    std::uint64_t m_done = 0;
    std::jthread m_thread;
};

}  // namespace

void HandlerRegistry::add(std::string kind, TrialHandlerFactory factory) {
    m_factories[std::move(kind)] = std::move(factory);
}

Result<const TrialHandlerFactory*> HandlerRegistry::find(std::string_view kind) const {
    if (auto it = m_factories.find(kind); it != m_factories.end()) return &it->second;
    std::string known;
    for (const auto& [name, _] : m_factories) known += (known.empty() ? "" : ", ") + name;
    return fail(Errc::not_found,
                "no trial handler for kind \"" + std::string(kind) + "\" (known: " + known + ")");
}

HandlerRegistry& default_registry() {
    static HandlerRegistry registry;
    return registry;
}

Status run_worker(int in_fd, int out_fd, const HandlerRegistry& registry, const WorkerOptions& options) {
    std::mutex write_mutex;
    auto send = [&](const Frame& f) {
        std::lock_guard lock(write_mutex);
        return write_all(out_fd, encode_frame(f));
    };
    if (auto st = send(make_hello(Hello::Role::worker)); !st) return st;

    Heartbeats heartbeats(out_fd, write_mutex, options.heartbeat_ms);
    ModelSlot slot(registry);
    FrameReader reader;
    bool greeted = false;
    std::string buf(64 * 1024, '\0');
    for (;;) {
        const ssize_t n = ::read(in_fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(Errc::io, std::string("worker cannot read frames: ") + std::strerror(errno));
        }
        if (n == 0) {
            if (reader.buffered() != 0) return fail(Errc::corruption, "input ended inside a frame");
            return {};  // the runner went away or closed our stdin: nothing more to do
        }
        reader.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)));
        for (;;) {
            auto frame = reader.next();
            if (!frame) return std::unexpected(frame.error().within("worker input"));
            if (!*frame) break;
            if (auto* hello = std::get_if<Hello>(&**frame)) {
                if (auto st = check_hello(*hello, Hello::Role::runner, "runner"); !st) return st;
                greeted = true;
                continue;
            }
            if (!greeted) return fail(Errc::version, "runner sent a frame before its hello");
            if (std::holds_alternative<Shutdown>(**frame)) return {};
            if (auto* job = std::get_if<Job>(&**frame)) {
                for (const auto& trial : job->trials) {
                    heartbeats.set_current(trial.key);
                    TrialReply reply = slot.run(*job, trial);
                    heartbeats.trial_finished();
                    if (auto st = send(reply); !st) return st;
                }
            }
            // Heartbeats and results from a runner are meaningless to a worker; ignore them.
        }
    }
}

Status run_worker_files(const std::filesystem::path& in, const std::filesystem::path& out,
                        const HandlerRegistry& registry) {
    std::ifstream input(in, std::ios::binary);
    if (!input) return fail(Errc::not_found, "cannot open job file", in.string());
    std::string bytes((std::istreambuf_iterator<char>(input)), std::istreambuf_iterator<char>());
    FrameReader reader;
    reader.feed(bytes);
    std::vector<Job> jobs;
    bool greeted = false;
    for (;;) {
        auto frame = reader.next();
        if (!frame) return std::unexpected(frame.error().within(in.string()));
        if (!*frame) break;
        if (auto* hello = std::get_if<Hello>(&**frame)) {
            if (auto st = check_hello(*hello, Hello::Role::runner, "job file " + in.string()); !st) return st;
            greeted = true;
        } else if (auto* job = std::get_if<Job>(&**frame)) {
            jobs.push_back(std::move(*job));
        }
    }
    if (!greeted) return fail(Errc::corruption, "job file has no runner hello", in.string());
    if (reader.buffered() != 0) return fail(Errc::corruption, "job file ends inside a frame", in.string());

    // Results already written by an earlier (preempted) run of this task: keep them, cut a torn tail.
    std::set<std::string> done;
    std::size_t good_bytes = 0;
    bool have_hello = false;
    if (std::ifstream prev(out, std::ios::binary); prev) {
        std::string old((std::istreambuf_iterator<char>(prev)), std::istreambuf_iterator<char>());
        FrameReader old_reader;
        old_reader.feed(old);
        for (;;) {
            auto frame = old_reader.next();
            if (!frame || !*frame) break;
            if (std::holds_alternative<Hello>(**frame)) have_hello = true;
            if (auto* r = std::get_if<TrialReply>(&**frame)) done.insert(r->key);
            good_bytes = old.size() - old_reader.buffered();
        }
    }
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(Errc::io, std::string("cannot open result file: ") + std::strerror(errno), out.string());
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (::ftruncate(fd, static_cast<off_t>(good_bytes)) != 0 ||
        ::lseek(fd, static_cast<off_t>(good_bytes), SEEK_SET) < 0)
        return fail(Errc::io, std::string("cannot truncate result file: ") + std::strerror(errno),
                    out.string());
    auto append = [&](const Frame& f) -> Status {
        if (auto st = write_all(fd, encode_frame(f)); !st)
            return std::unexpected(st.error().within(out.string()));
        // Durable before the next trial starts: a preempted task never loses a finished trial.
        if (::fdatasync(fd) != 0) return fail(Errc::io, "fdatasync failed", out.string());
        return {};
    };
    if (!have_hello)
        if (auto st = append(make_hello(Hello::Role::worker)); !st) return st;
    ModelSlot slot(registry);
    for (const auto& job : jobs)
        for (const auto& trial : job.trials) {
            if (done.contains(trial.key)) continue;
            if (auto st = append(slot.run(job, trial)); !st) return st;
            done.insert(trial.key);
        }
    return {};
}

Status serve_worker(const WorkerMode& mode, const HandlerRegistry& registry) {
    if (mode.stdio) {
        const int frames = ::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (frames < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
            return fail(Errc::io, "cannot set up stdout for frames", "silico worker");
        return run_worker(STDIN_FILENO, frames, registry, mode.options);
    }
    if (!mode.in.empty() && !mode.out.empty()) return run_worker_files(mode.in, mode.out, registry);
    return fail(Errc::invalid_argument, "use --stdio, or --file IN --out OUT", "silico worker");
}

}  // namespace silico::runner
