// Scheduling and failure handling for worker processes. Everything runs on the thread that called
// run(): Asio callbacks, outcome delivery and ticks, so no state here needs a lock.
#include "executors/worker_pool.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "executors/child_process.hpp"

namespace silico::runner {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct Proc {
    Proc(asio::io_context& io, const ChildProcess& c)
        : child(c), in(io, c.stdin_fd), out(io, c.stdout_fd), err(io, c.stderr_fd), reap_timer(io) {}
    ChildProcess child;
    asio::posix::stream_descriptor in, out, err;
    asio::steady_timer reap_timer;
    FrameReader reader;
    std::array<char, 65536> out_buf{};
    std::array<char, 8192> err_buf{};
    std::string stderr_tail;
    std::deque<std::size_t> outstanding;  // trial ids sent, oldest (the running one) first
    std::deque<std::string> writes;
    bool writing = false;
    bool close_after_writes = false;
    bool ready = false;  // hello received and accepted
    bool out_open = true, err_open = true, reaped = false;
    std::optional<std::size_t> job;  // the model it holds
    std::string broken;              // why the runner killed it (protocol error, silence)
    Clock::time_point started, last_seen;
    int reap_polls = 0;
};

struct Slot {
    SlotSpec spec;
    std::shared_ptr<Proc> proc;
    bool restart_scheduled = false;
    std::unique_ptr<asio::steady_timer> restart_timer;
};

struct Group {
    unsigned failures_in_a_row = 0;
    bool retired = false;
    std::string reason;
};

struct Trial {
    std::size_t job = 0, index = 0;
    std::uint32_t crashes = 0;
    bool finished = false;
};

class PoolExecutor;

// One call of run(): all the state of a run, torn down when it returns.
class Run {
  public:
    Run(const PoolExecutor& exec, std::span<const Job> jobs, const OutcomeCallback& on_outcome);
    RunSummary go();
    void request_stop() { stop_gracefully("stop requested"); }
    asio::io_context& io() { return m_io; }

  private:
    void start_slot(std::size_t s);
    void read_out(std::size_t s, std::shared_ptr<Proc> proc);
    void read_err(std::shared_ptr<Proc> proc);
    void send(const std::shared_ptr<Proc>& proc, const Frame& frame, bool close_after = false);
    void pump_writes(std::shared_ptr<Proc> proc);
    void handle(std::size_t s, const std::shared_ptr<Proc>& proc, Frame&& frame);
    void break_proc(const std::shared_ptr<Proc>& proc, std::string why);
    void fill(std::size_t s);
    void deliver(std::size_t id, TrialOutcome&& outcome);
    void maybe_reap(std::size_t s, std::shared_ptr<Proc> proc);
    void proc_ended(std::size_t s, const std::shared_ptr<Proc>& proc, int status);
    void ensure_workers();
    void schedule_restart(std::size_t s, std::chrono::milliseconds delay);
    void stop_gracefully(std::string reason);
    void kill_all();
    void check_end();
    void on_tick();
    void arm_tick();
    void arm_signals();
    void event(const std::string& text);
    bool work_pending() const;
    std::size_t live_procs() const;

    const PoolExecutor& m_exec;
    const ExecutorOptions& m_opt;
    std::span<const Job> m_jobs;
    const OutcomeCallback& m_on_outcome;
    asio::io_context m_io;
    asio::steady_timer m_tick;
    std::optional<asio::signal_set> m_signals;
    std::vector<Slot> m_slots;
    std::vector<Group> m_groups;
    std::vector<Trial> m_trials;
    std::vector<std::deque<std::size_t>> m_pending;  // per job
    std::size_t m_remaining = 0;
    bool m_stopping = false, m_killing = false, m_ended = false;
    RunSummary m_summary;
    Clock::time_point m_start;
};

class PoolExecutor final : public Executor {
  public:
    PoolExecutor(std::string name, std::vector<SlotSpec> slots, PoolPolicy policy, ExecutorOptions options)
        : m_name(std::move(name)),
          m_slots(std::move(slots)),
          m_policy(std::move(policy)),
          m_options(std::move(options)) {
        if (!m_options.on_event)
            m_options.on_event = [](const std::string& text) {
                std::cerr << "silico: " << text << std::endl;
            };
        if (m_options.max_attempts == 0) m_options.max_attempts = 1;
        if (m_options.pipeline_depth == 0) m_options.pipeline_depth = 1;
    }
    std::string name() const override { return m_name; }

    Result<RunSummary> run(std::span<const Job> jobs, const OutcomeCallback& on_outcome) override {
        if (m_slots.empty())
            return fail(Errc::invalid_argument, "executor " + m_name + " has no worker slots");
        // A dead worker's pipe must give EPIPE, not kill the runner.
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        ::sigaction(SIGPIPE, &ignore, nullptr);
        Run run(*this, jobs, on_outcome);
        {
            std::lock_guard lock(m_mutex);
            m_run = &run;
            if (m_stop_early) asio::post(run.io(), [&run] { run.request_stop(); });
        }
        RunSummary summary = run.go();
        std::lock_guard lock(m_mutex);
        m_run = nullptr;
        m_stop_early = false;
        return summary;
    }

    void request_stop() override {
        std::lock_guard lock(m_mutex);
        if (m_run) {
            Run* run = m_run;
            asio::post(run->io(), [run] { run->request_stop(); });
        } else {
            m_stop_early = true;
        }
    }

    const std::vector<SlotSpec>& slots() const { return m_slots; }
    const PoolPolicy& policy() const { return m_policy; }
    const ExecutorOptions& options() const { return m_options; }

  private:
    std::string m_name;
    std::vector<SlotSpec> m_slots;
    PoolPolicy m_policy;
    ExecutorOptions m_options;
    std::mutex m_mutex;
    Run* m_run = nullptr;
    bool m_stop_early = false;
};

Run::Run(const PoolExecutor& exec, std::span<const Job> jobs, const OutcomeCallback& on_outcome)
    : m_exec(exec), m_opt(exec.options()), m_jobs(jobs), m_on_outcome(on_outcome), m_tick(m_io) {
    for (const auto& spec : exec.slots()) m_slots.push_back(Slot{spec, nullptr, false, nullptr});
    m_groups.resize(std::max<std::size_t>(exec.policy().group_names.size(), 1));
    m_pending.resize(jobs.size());
    for (std::size_t j = 0; j < jobs.size(); ++j)
        for (std::size_t t = 0; t < jobs[j].trials.size(); ++t) {
            m_pending[j].push_back(m_trials.size());
            m_trials.push_back(Trial{j, t, 0, false});
        }
    m_remaining = m_trials.size();
    m_summary.total = m_trials.size();
}

RunSummary Run::go() {
    m_start = Clock::now();
    if (m_remaining > 0) {
        // Never more workers than trials: each would build its model for nothing.
        const std::size_t n = std::min(m_slots.size(), m_remaining);
        for (std::size_t s = 0; s < n; ++s) start_slot(s);
        if (m_opt.stop_on_signals) arm_signals();
        arm_tick();
        check_end();
        m_io.run();
    }
    m_summary.not_run = m_summary.total - m_summary.succeeded - m_summary.failed;
    m_summary.seconds = std::chrono::duration<double>(Clock::now() - m_start).count();
    return std::move(m_summary);
}

void Run::event(const std::string& text) {
    m_opt.on_event(text);
}

bool Run::work_pending() const {
    for (const auto& q : m_pending)
        if (!q.empty()) return true;
    return false;
}

std::size_t Run::live_procs() const {
    std::size_t n = 0;
    for (const auto& slot : m_slots) n += slot.proc ? 1 : 0;
    return n;
}

void Run::start_slot(std::size_t s) {
    Slot& slot = m_slots[s];
    slot.restart_scheduled = false;
    Group& group = m_groups[slot.spec.group];
    auto child = spawn_child(slot.spec.argv);
    if (!child) {
        ++group.failures_in_a_row;
        event(slot.spec.label + ": " + child.error().what());
        if (group.failures_in_a_row >= m_exec.policy().max_start_failures) {
            group.retired = true;
            group.reason = m_exec.policy().group_names.at(slot.spec.group) + ": " + child.error().what();
        } else {
            schedule_restart(s, m_exec.policy().restart_backoff * group.failures_in_a_row);
        }
        return;
    }
    auto proc = std::make_shared<Proc>(m_io, *child);
    proc->started = proc->last_seen = Clock::now();
    slot.proc = proc;
    send(proc, make_hello(Hello::Role::runner));
    read_out(s, proc);
    read_err(proc);
}

void Run::read_out(std::size_t s, std::shared_ptr<Proc> proc) {
    proc->out.async_read_some(asio::buffer(proc->out_buf),
                              [this, s, proc](boost::system::error_code ec, std::size_t n) {
                                  if (ec) {
                                      proc->out_open = false;
                                      maybe_reap(s, proc);
                                      return;
                                  }
                                  if (proc->broken.empty()) {
                                      proc->reader.feed(std::string_view(proc->out_buf.data(), n));
                                      for (;;) {
                                          auto frame = proc->reader.next();
                                          if (!frame) {
                                              break_proc(proc, frame.error().what());
                                              break;
                                          }
                                          if (!*frame) break;
                                          proc->last_seen = Clock::now();
                                          handle(s, proc, std::move(**frame));
                                          if (!proc->broken.empty()) break;
                                      }
                                  }
                                  read_out(s, proc);
                              });
}

void Run::read_err(std::shared_ptr<Proc> proc) {
    proc->err.async_read_some(
        asio::buffer(proc->err_buf), [this, proc](boost::system::error_code ec, std::size_t n) {
            if (ec) {
                proc->err_open = false;
                // The slot index is not needed to reap: find the slot still holding this process.
                for (std::size_t s = 0; s < m_slots.size(); ++s)
                    if (m_slots[s].proc == proc) maybe_reap(s, proc);
                return;
            }
            proc->stderr_tail.append(proc->err_buf.data(), n);
            if (proc->stderr_tail.size() > m_opt.stderr_tail_bytes)
                proc->stderr_tail.erase(0, proc->stderr_tail.size() - m_opt.stderr_tail_bytes);
            read_err(proc);
        });
}

void Run::send(const std::shared_ptr<Proc>& proc, const Frame& frame, bool close_after) {
    if (proc->close_after_writes) return;  // stdin already closing
    proc->writes.push_back(encode_frame(frame));
    proc->close_after_writes = close_after;
    pump_writes(proc);
}

void Run::pump_writes(std::shared_ptr<Proc> proc) {
    if (proc->writing) return;
    if (proc->writes.empty()) {
        if (proc->close_after_writes && proc->in.is_open()) {
            boost::system::error_code ignored;
            proc->in.close(ignored);
        }
        return;
    }
    proc->writing = true;
    asio::async_write(proc->in, asio::buffer(proc->writes.front()),
                      [this, proc](boost::system::error_code ec, std::size_t) {
                          proc->writing = false;
                          if (ec) {
                              // The worker is gone; its stdout EOF reports that. Drop what was queued.
                              proc->writes.clear();
                              return;
                          }
                          proc->writes.pop_front();
                          pump_writes(proc);
                      });
}

void Run::break_proc(const std::shared_ptr<Proc>& proc, std::string why) {
    if (proc->broken.empty()) proc->broken = std::move(why);
    if (!proc->reaped) ::kill(proc->child.pid, SIGKILL);
}

void Run::handle(std::size_t s, const std::shared_ptr<Proc>& proc, Frame&& frame) {
    Slot& slot = m_slots[s];
    if (auto* hello = std::get_if<Hello>(&frame)) {
        if (auto st = check_hello(*hello, Hello::Role::worker, slot.spec.label); !st) {
            // A different silico on that side will not change by retrying: retire the whole group.
            Group& group = m_groups[slot.spec.group];
            group.retired = true;
            group.reason = st.error().what();
            event(st.error().what());
            break_proc(proc, st.error().what());
            return;
        }
        proc->ready = true;
        m_groups[slot.spec.group].failures_in_a_row = 0;
        fill(s);
        return;
    }
    if (!proc->ready) {
        break_proc(proc,
                   "worker sent a " + std::string(to_string(frame_type(frame))) + " frame before its hello");
        return;
    }
    if (auto* reply = std::get_if<TrialReply>(&frame)) {
        auto it = std::find_if(proc->outstanding.begin(), proc->outstanding.end(), [&](std::size_t id) {
            return m_jobs[m_trials[id].job].trials[m_trials[id].index].key == reply->key;
        });
        if (it == proc->outstanding.end()) {
            break_proc(proc, "worker answered trial " + reply->key + " which it was not given");
            return;
        }
        const std::size_t id = *it;
        proc->outstanding.erase(it);
        TrialOutcome outcome;
        outcome.key = reply->key;
        outcome.ok = reply->ok;
        (outcome.ok ? outcome.result : outcome.error) = std::move(reply->body);
        outcome.attempts = m_trials[id].crashes + 1;
        outcome.worker = slot.spec.label + " pid " + std::to_string(proc->child.pid);
        outcome.worker_pid = proc->child.pid;
        outcome.seconds = reply->seconds;
        outcome.resumed_from_ms = reply->resumed_from_ms;
        deliver(id, std::move(outcome));
        fill(s);
        return;
    }
    if (std::holds_alternative<Heartbeat>(frame)) return;  // last_seen is already updated
    break_proc(proc, "worker sent an unexpected " + std::string(to_string(frame_type(frame))) + " frame");
}

void Run::fill(std::size_t s) {
    auto proc = m_slots[s].proc;
    if (!proc || !proc->ready || m_stopping || !proc->broken.empty()) return;
    while (proc->outstanding.size() < m_opt.pipeline_depth) {
        // Keep the worker on its model while that model has trials; else take the longest queue.
        std::optional<std::size_t> job;
        if (proc->job && !m_pending[*proc->job].empty()) {
            job = proc->job;
        } else {
            for (std::size_t j = 0; j < m_pending.size(); ++j)
                if (!m_pending[j].empty() && (!job || m_pending[j].size() > m_pending[*job].size())) job = j;
        }
        if (!job) return;
        const std::size_t id = m_pending[*job].front();
        m_pending[*job].pop_front();
        proc->outstanding.push_back(id);
        proc->job = job;
        const Job& src = m_jobs[*job];
        send(proc, Job{src.kind,
                       src.model,
                       {src.trials[m_trials[id].index]},
                       src.checkpoint_every_ms,
                       src.checkpoint_dir});
    }
}

void Run::deliver(std::size_t id, TrialOutcome&& outcome) {
    Trial& trial = m_trials[id];
    if (trial.finished) return;
    trial.finished = true;
    --m_remaining;
    const bool ok = outcome.ok;
    std::string key = outcome.key;
    try {
        m_on_outcome(std::move(outcome));
    } catch (const std::exception& e) {
        // The caller could not take the result (e.g. its store failed): stop at once rather than run
        // trials whose results would be lost. This trial counts as not run.
        stop_gracefully(std::string("the outcome callback failed: ") + e.what());
        kill_all();
        return;
    }
    if (ok) {
        ++m_summary.succeeded;
    } else {
        ++m_summary.failed;
        m_summary.failed_keys.push_back(std::move(key));
    }
    if (m_remaining == 0) stop_gracefully("");
}

void Run::maybe_reap(std::size_t s, std::shared_ptr<Proc> proc) {
    if (proc->out_open || proc->err_open || proc->reaped) return;
    int status = 0;
    const pid_t r = ::waitpid(proc->child.pid, &status, WNOHANG);
    if (r == 0) {
        // Both pipes closed but the process has not exited yet: poll briefly, then insist.
        if (++proc->reap_polls == 500) ::kill(proc->child.pid, SIGKILL);
        proc->reap_timer.expires_after(std::chrono::milliseconds(10));
        proc->reap_timer.async_wait([this, s, proc](boost::system::error_code) { maybe_reap(s, proc); });
        return;
    }
    proc->reaped = true;
    proc_ended(s, proc, r < 0 ? -1 : status);
}

void Run::proc_ended(std::size_t s, const std::shared_ptr<Proc>& proc, int status) {
    Slot& slot = m_slots[s];
    if (slot.proc == proc) slot.proc.reset();
    boost::system::error_code ignored;
    proc->in.close(ignored);
    Group& group = m_groups[slot.spec.group];
    std::string how = status == -1 ? "ended (exit status unknown)" : describe_wait_status(status);
    if (!proc->broken.empty()) how = proc->broken + "; worker " + how;
    const std::string where = slot.spec.label + " pid " + std::to_string(proc->child.pid);

    if (!proc->ready && !m_killing) {
        ++group.failures_in_a_row;
        std::string tail = proc->stderr_tail;
        while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
        if (auto nl = tail.rfind('\n'); nl != std::string::npos) tail.erase(0, nl + 1);
        event(where + " did not start: " + how + (tail.empty() ? "" : ": " + tail));
        if (!group.retired && group.failures_in_a_row >= m_exec.policy().max_start_failures) {
            group.retired = true;
            group.reason = m_exec.policy().group_names.at(slot.spec.group) + ": " + how +
                           (tail.empty() ? "" : ": " + tail);
            event("giving up on " + m_exec.policy().group_names.at(slot.spec.group) + " after " +
                  std::to_string(group.failures_in_a_row) + " failed starts");
        }
    }
    // The oldest outstanding trial was running: it is charged. The rest never started.
    bool first = true;
    std::vector<std::size_t> requeue;
    for (std::size_t id : proc->outstanding) {
        Trial& trial = m_trials[id];
        if (first && !m_killing) {
            ++trial.crashes;
            if (trial.crashes >= m_opt.max_attempts) {
                TrialOutcome outcome;
                outcome.key = m_jobs[trial.job].trials[trial.index].key;
                outcome.error = "worker " + where + " " + how + " while running the trial (attempt " +
                                std::to_string(trial.crashes) + " of " + std::to_string(m_opt.max_attempts) +
                                ")";
                outcome.stderr_tail = proc->stderr_tail;
                outcome.attempts = trial.crashes;
                outcome.worker = where;
                outcome.worker_pid = proc->child.pid;
                first = false;
                deliver(id, std::move(outcome));
                continue;
            }
            event("worker " + where + " " + how + "; retrying its trial " +
                  m_jobs[trial.job].trials[trial.index].key + " (attempt " +
                  std::to_string(trial.crashes + 1) + " of " + std::to_string(m_opt.max_attempts) + ")");
        }
        first = false;
        requeue.push_back(id);
    }
    proc->outstanding.clear();
    for (auto it = requeue.rbegin(); it != requeue.rend(); ++it) m_pending[m_trials[*it].job].push_front(*it);
    ensure_workers();
    check_end();
}

void Run::ensure_workers() {
    if (m_stopping || !work_pending()) return;
    const std::size_t n = std::min(m_slots.size(), m_trials.size());
    for (std::size_t s = 0; s < n; ++s) {
        Slot& slot = m_slots[s];
        if (slot.proc || slot.restart_scheduled || m_groups[slot.spec.group].retired) continue;
        const unsigned failures = m_groups[slot.spec.group].failures_in_a_row;
        schedule_restart(s, m_exec.policy().restart_backoff * failures);
    }
}

void Run::schedule_restart(std::size_t s, std::chrono::milliseconds delay) {
    Slot& slot = m_slots[s];
    slot.restart_scheduled = true;
    if (!slot.restart_timer) slot.restart_timer = std::make_unique<asio::steady_timer>(m_io);
    slot.restart_timer->expires_after(delay);
    slot.restart_timer->async_wait([this, s](boost::system::error_code ec) {
        m_slots[s].restart_scheduled = false;
        if (ec || m_stopping || m_groups[m_slots[s].spec.group].retired || m_slots[s].proc) {
            check_end();
            return;
        }
        if (!work_pending()) {
            check_end();
            return;
        }
        start_slot(s);
        check_end();
    });
}

void Run::stop_gracefully(std::string reason) {
    if (!m_stopping) {
        m_stopping = true;
        if (!reason.empty()) {
            m_summary.interrupted = true;
            m_summary.stop_reason = reason;
            event(reason + ": finishing the trials in flight (again to kill the workers)");
        }
        for (auto& slot : m_slots) {
            if (slot.restart_timer) slot.restart_timer->cancel();
            if (slot.proc) send(slot.proc, Shutdown{}, /*close_after=*/true);
        }
    } else if (!reason.empty()) {
        kill_all();
    }
    check_end();
}

void Run::kill_all() {
    m_killing = true;
    for (auto& slot : m_slots)
        if (slot.proc && !slot.proc->reaped) ::kill(slot.proc->child.pid, SIGKILL);
}

void Run::check_end() {
    if (m_ended) return;
    bool restarting = false;
    for (const auto& slot : m_slots) restarting = restarting || slot.restart_scheduled;
    if (live_procs() > 0 || restarting) return;
    if (!m_stopping && work_pending()) {
        // Nobody left to run the remaining trials.
        std::string reasons;
        for (std::size_t g = 0; g < m_groups.size(); ++g)
            if (m_groups[g].retired) reasons += (reasons.empty() ? "" : "; ") + m_groups[g].reason;
        m_stopping = true;
        m_summary.stop_reason = "no worker could be started (" + reasons + ")";
        event(m_summary.stop_reason);
    }
    m_ended = true;
    m_tick.cancel();
    if (m_signals) {
        boost::system::error_code ignored;
        m_signals->cancel(ignored);
        m_signals->clear(ignored);
    }
}

void Run::arm_tick() {
    m_tick.expires_after(m_opt.tick);
    m_tick.async_wait([this](boost::system::error_code ec) {
        if (ec || m_ended) return;
        on_tick();
        arm_tick();
    });
}

void Run::on_tick() {
    const auto now = Clock::now();
    for (auto& slot : m_slots) {
        const auto& proc = slot.proc;
        if (!proc || !proc->broken.empty() || proc->reaped) continue;
        const bool waiting = !proc->ready || !proc->outstanding.empty();
        if (waiting && now - proc->last_seen > m_opt.silence_timeout)
            break_proc(proc, "no frame for " + std::to_string(m_opt.silence_timeout.count()) + " s");
    }
    if (m_opt.on_tick) m_opt.on_tick();
}

void Run::arm_signals() {
    if (!m_signals) m_signals.emplace(m_io, SIGINT, SIGTERM);
    m_signals->async_wait([this](boost::system::error_code ec, int sig) {
        if (ec || m_ended) return;
        const char* abbrev = sigabbrev_np(sig);
        stop_gracefully(std::string("interrupted by SIG") + (abbrev ? abbrev : "?"));
        arm_signals();
    });
}

}  // namespace

std::unique_ptr<Executor> make_pool_executor(std::string name, std::vector<SlotSpec> slots, PoolPolicy policy,
                                             ExecutorOptions options) {
    if (policy.group_names.empty()) policy.group_names.push_back(name);
    return std::make_unique<PoolExecutor>(std::move(name), std::move(slots), std::move(policy),
                                          std::move(options));
}

}  // namespace silico::runner
