// The Slurm executor: sbatch job arrays over a shared folder.
//
// Design (the simplest that survives preemption): the runner writes one job file per array task into a
// fresh run folder on the shared file system (a runner hello plus job frames, many trials per task) and
// a tiny batch script, then submits one array `--array=0-(T-1)%K --requeue`. Task i runs
// `silico worker --file task-i.in --out task-i.out`, which appends one result frame per trial and
// fdatasyncs it before starting the next trial. The runner polls: it reads new complete frames from each
// result file (from the offset of the last complete frame, so a torn tail is re-read once rewritten) and
// asks squeue which tasks are still queued or running. Results are idempotent by key: a requeued task
// skips trials already in its result file, and the runner delivers each key once.
//
// A task that left the queue without answering all its trials died (node failure, time limit, crash):
// the first unanswered trial is the one that was running and is charged one attempt; the remaining
// trials are resubmitted in a new array, until max_attempts. The failure report carries the tail of the
// task's Slurm log (its stderr).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "executors/child_process.hpp"
#include "silico/runner/executor.hpp"

namespace silico::runner {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

Status write_file_atomically(const fs::path& path, std::string_view bytes) {
    const fs::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return fail(Errc::io, "cannot write", tmp.string());
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) return fail(Errc::io, "cannot write", tmp.string());
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) return fail(Errc::io, "cannot rename into place: " + ec.message(), path.string());
    return {};
}

std::string shell_quote(std::string_view word) {
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string read_tail(const fs::path& path, std::size_t bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(in.tellg());
    const std::size_t from = size > bytes ? size - bytes : 0;
    in.seekg(static_cast<std::streamoff>(from));
    std::string out(size - from, '\0');
    in.read(out.data(), static_cast<std::streamsize>(out.size()));
    return out;
}

struct Trial {
    std::size_t job = 0, index = 0;
    std::uint32_t crashes = 0;
    bool finished = false;
};

struct Task {
    std::vector<std::size_t> trials;  // ids in the order the worker runs them
    fs::path in, out, log;
    std::uint64_t consumed = 0;  // bytes of `out` already decoded as whole frames
    bool settled = false;        // all trials answered, or its death handled
};

struct Array {
    std::string job_id;
    std::vector<Task> tasks;
};

class SlurmExecutor final : public Executor {
  public:
    SlurmExecutor(SlurmOptions slurm, ExecutorOptions options)
        : m_slurm(std::move(slurm)), m_opt(std::move(options)) {
        if (m_slurm.worker_command.empty()) m_slurm.worker_command = {self_executable().string(), "worker"};
        if (m_slurm.trials_per_task == 0) m_slurm.trials_per_task = 1;
        if (m_opt.max_attempts == 0) m_opt.max_attempts = 1;
        if (!m_opt.on_event)
            m_opt.on_event = [](const std::string& text) { std::cerr << "silico: " << text << std::endl; };
    }
    std::string name() const override { return "slurm:" + m_slurm.shared_dir.string(); }
    void request_stop() override { m_stop = true; }

    Result<RunSummary> run(std::span<const Job> jobs, const OutcomeCallback& on_outcome) override {
        const auto start = Clock::now();
        Ledger ledger(jobs, on_outcome);
        if (ledger.trials.empty()) return ledger.summary;
        if (auto st = create_run_dir(); !st) return std::unexpected(st.error());

        // SIGINT/SIGTERM only set a flag here; the poll loop notices it within one poll interval.
        struct sigaction old_int {
        }, old_term{};
        if (m_opt.stop_on_signals) install_signal_flag(old_int, old_term);
        const Status status = run_arrays(ledger);
        if (m_opt.stop_on_signals) {
            ::sigaction(SIGINT, &old_int, nullptr);
            ::sigaction(SIGTERM, &old_term, nullptr);
        }
        m_stop = false;
        s_signalled = 0;
        if (!status) return std::unexpected(status.error());
        return finish(ledger, start);
    }

  private:
    static inline volatile sig_atomic_t s_signalled = 0;

    // One run()'s bookkeeping: every trial of the jobs, what has been delivered, what the next array runs.
    struct Ledger {
        std::span<const Job> jobs;
        const OutcomeCallback& on_outcome;
        std::vector<Trial> trials;
        std::map<std::string, std::size_t, std::less<>> by_key;
        std::vector<std::size_t> todo;
        RunSummary summary;
        std::string callback_error;

        Ledger(std::span<const Job> all, const OutcomeCallback& callback) : jobs(all), on_outcome(callback) {
            for (std::size_t j = 0; j < jobs.size(); ++j)
                for (std::size_t t = 0; t < jobs[j].trials.size(); ++t) {
                    by_key.emplace(jobs[j].trials[t].key, trials.size());
                    todo.push_back(trials.size());
                    trials.push_back(Trial{j, t, 0, false});
                }
            summary.total = trials.size();
        }
    };

    Status create_run_dir() {
        // A unique name, not a time: the OS's pid and nanoseconds, so env() (provenance) plays no part.
        m_run_dir = m_slurm.shared_dir /
                    ("run-" + std::to_string(::getpid()) + "-" +
                     std::to_string(std::chrono::system_clock::now().time_since_epoch().count()));
        std::error_code ec;
        fs::create_directories(m_run_dir, ec);
        if (ec)
            return fail(Errc::io, "cannot create the shared run folder: " + ec.message(), m_run_dir.string());
        return {};
    }

    // Each array runs what the previous ones left: the trials of tasks that died early.
    Status run_arrays(Ledger& ledger) {
        unsigned round = 0;
        while (!ledger.todo.empty() && !stopping()) {
            auto array = submit(ledger.jobs, ledger.trials, ledger.todo, round++);
            if (!array) return std::unexpected(array.error());
            ledger.todo.clear();
            wait_for(*array, ledger);
        }
        return {};
    }

    void wait_for(Array& array, Ledger& ledger) {
        for (;;) {
            settle_tasks(array, ledger);
            if (std::ranges::all_of(array.tasks, [](const Task& task) { return task.settled; })) return;
            if (stopping()) {
                cancel(array, ledger);
                return;
            }
            if (m_opt.on_tick) m_opt.on_tick();
            std::this_thread::sleep_for(m_slurm.poll);
        }
    }

    void settle_tasks(Array& array, Ledger& ledger) {
        auto queued = queued_tasks(array.job_id);
        for (std::size_t i = 0; i < array.tasks.size(); ++i) {
            Task& task = array.tasks[i];
            if (task.settled) continue;
            if (auto st = collect(task, ledger, array.job_id, i); !st) m_opt.on_event(st.error().what());
            if (std::ranges::all_of(task.trials,
                                    [&](std::size_t id) { return ledger.trials[id].finished; })) {
                task.settled = true;
                continue;
            }
            if (queued && !queued->contains(i)) {
                // Gone from the queue with trials unanswered: read once more (the last frame may have
                // landed after the previous read), then charge the running trial.
                (void)collect(task, ledger, array.job_id, i);
                task_died(task, ledger, array.job_id, i);
                task.settled = true;
            }
        }
    }

    // What has arrived is still delivered: those trials are done and need not run again.
    void cancel(Array& array, Ledger& ledger) {
        (void)run_command({m_slurm.scancel, array.job_id});
        RunSummary& summary = ledger.summary;
        summary.interrupted = true;
        summary.stop_reason = (ledger.callback_error.empty() ? "interrupted" : ledger.callback_error) +
                              "; cancelled Slurm job " + array.job_id;
        m_opt.on_event(summary.stop_reason);
        for (std::size_t i = 0; i < array.tasks.size(); ++i)
            (void)collect(array.tasks[i], ledger, array.job_id, i);
    }

    // The run folder is kept whenever something is left to look at (failures, trials not run).
    RunSummary finish(Ledger& ledger, Clock::time_point start) {
        RunSummary& summary = ledger.summary;
        summary.not_run = summary.total - summary.succeeded - summary.failed;
        if (summary.failed == 0 && summary.not_run == 0 && !m_slurm.keep_run_folder) {
            std::error_code ec;
            fs::remove_all(m_run_dir, ec);
        } else {
            m_opt.on_event("Slurm run folder kept: " + m_run_dir.string());
        }
        summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        return summary;
    }

    // Each trial reaches the caller once however often its result is read. A callback that throws could
    // not take the result, so the array is cancelled instead of running on.
    void deliver(Ledger& ledger, std::size_t id, TrialOutcome&& outcome) {
        if (ledger.trials[id].finished || !ledger.callback_error.empty()) return;
        ledger.trials[id].finished = true;
        const bool ok = outcome.ok;
        std::string key = outcome.key;
        try {
            ledger.on_outcome(std::move(outcome));
        } catch (const std::exception& e) {
            ledger.callback_error = std::string("the outcome callback failed: ") + e.what();
            m_stop = true;
            return;
        }
        (ok ? ledger.summary.succeeded : ledger.summary.failed) += 1;
        if (!ok) ledger.summary.failed_keys.push_back(std::move(key));
    }

    void install_signal_flag(struct sigaction& old_int, struct sigaction& old_term) {
        struct sigaction sa {};
        sa.sa_handler = [](int) { s_signalled = 1; };
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &old_int);
        ::sigaction(SIGTERM, &sa, &old_term);
    }
    bool stopping() const { return m_stop.load() || s_signalled != 0; }

    Result<Array> submit(std::span<const Job> jobs, const std::vector<Trial>& trials,
                         const std::vector<std::size_t>& todo, unsigned round) {
        Array array;
        const fs::path dir = m_run_dir / ("round-" + std::to_string(round));
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) return fail(Errc::io, "cannot create " + dir.string() + ": " + ec.message());
        // Tasks take consecutive trials, so trials of one model stay together and the worker builds it
        // once per task.
        for (std::size_t begin = 0; begin < todo.size(); begin += m_slurm.trials_per_task) {
            const std::size_t end = std::min(todo.size(), begin + m_slurm.trials_per_task);
            Task task;
            const std::string stem = "task-" + std::to_string(array.tasks.size());
            task.in = dir / (stem + ".in");
            task.out = dir / (stem + ".out");
            task.log = dir / (stem + ".log");
            std::string bytes = encode_frame(make_hello(Hello::Role::runner));
            std::optional<Job> frame;
            for (std::size_t k = begin; k < end; ++k) {
                const Trial& trial = trials[todo[k]];
                const Job& job = jobs[trial.job];
                if (!frame || frame->kind != job.kind || frame->model != job.model) {
                    if (frame) encode_frame(*frame, bytes);
                    frame = Job{job.kind, job.model, {}, job.checkpoint_every_ms, job.checkpoint_dir};
                }
                frame->trials.push_back(job.trials[trial.index]);
                task.trials.push_back(todo[k]);
            }
            encode_frame(*frame, bytes);
            if (auto st = write_file_atomically(task.in, bytes); !st) return std::unexpected(st.error());
            array.tasks.push_back(std::move(task));
        }
        std::string command;
        for (const auto& word : m_slurm.worker_command) command += shell_quote(word) + " ";
        const std::string script =
            "#!/bin/sh\n# silico worker array task: one job file in, one result file out.\n"
            "exec " +
            command + "--file " + shell_quote(dir.string()) + "/task-\"$SLURM_ARRAY_TASK_ID\".in --out " +
            shell_quote(dir.string()) + "/task-\"$SLURM_ARRAY_TASK_ID\".out\n";
        const fs::path script_path = dir / "task.sh";
        if (auto st = write_file_atomically(script_path, script); !st) return std::unexpected(st.error());
        fs::permissions(script_path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                         fs::perms::others_read | fs::perms::others_exec);
        std::string range = "0-" + std::to_string(array.tasks.size() - 1);
        if (m_slurm.max_parallel_tasks > 0) range += "%" + std::to_string(m_slurm.max_parallel_tasks);
        std::vector<std::string> argv{
            m_slurm.sbatch,           "--parsable",       "--requeue",
            "--job-name=silico",      "--array=" + range, "--output=" + (dir / "task-%a.log").string(),
            "--chdir=" + dir.string()};
        argv.insert(argv.end(), m_slurm.sbatch_args.begin(), m_slurm.sbatch_args.end());
        argv.push_back(script_path.string());
        auto out = run_command(argv);
        if (!out) return std::unexpected(out.error().within("sbatch"));
        if (!out->succeeded())
            return fail(Errc::failed, "sbatch " + describe_wait_status(out->status) + ": " + out->err,
                        dir.string());
        std::string id = out->out;
        while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
        if (auto semi = id.find(';'); semi != std::string::npos) id.erase(semi);  // "jobid;cluster"
        if (id.empty()) return fail(Errc::failed, "sbatch printed no job id", dir.string());
        array.job_id = id;
        m_opt.on_event("submitted Slurm array " + id + " (" + std::to_string(array.tasks.size()) +
                       " tasks, " + std::to_string(todo.size()) + " trials)");
        return array;
    }

    // Indices of the array's tasks still known to the queue (pending, running, requeued, completing);
    // nullopt when squeue could not answer, so nothing is judged dead on a hiccup.
    std::optional<std::set<std::size_t>> queued_tasks(const std::string& job_id) {
        auto out = run_command({m_slurm.squeue, "-h", "-r", "-j", job_id, "-o", "%i %T"});
        if (!out) return std::nullopt;
        if (!out->succeeded()) {
            // Once a job has been purged squeue says its id is invalid: nothing of it is queued.
            if (out->err.find("Invalid job id") != std::string::npos) return std::set<std::size_t>{};
            return std::nullopt;
        }
        std::set<std::size_t> queued;
        std::istringstream lines(out->out);
        std::string id, state;
        while (lines >> id >> state) {
            auto us = id.find('_');
            if (us == std::string::npos) continue;
            const std::string index = id.substr(us + 1);
            if (index.starts_with("[")) {
                // Pending tasks not yet split out: "[3-9%2]" or "[3,5]".
                std::string spec = index.substr(1, index.find_first_of("%]") - 1);
                std::istringstream parts(spec);
                std::string part;
                while (std::getline(parts, part, ',')) {
                    auto dash = part.find('-');
                    const std::size_t lo = std::stoul(part.substr(0, dash));
                    const std::size_t hi = dash == std::string::npos ? lo : std::stoul(part.substr(dash + 1));
                    for (std::size_t k = lo; k <= hi; ++k) queued.insert(k);
                }
            } else {
                queued.insert(std::stoul(index));
            }
        }
        return queued;
    }

    Status collect(Task& task, Ledger& ledger, const std::string& job_id, std::size_t index) {
        std::ifstream in(task.out, std::ios::binary);
        if (!in) return {};  // not started yet
        in.seekg(static_cast<std::streamoff>(task.consumed));
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        FrameReader reader;
        reader.feed(bytes);
        for (;;) {
            auto frame = reader.next();
            if (!frame) return std::unexpected(frame.error().within(task.out.string()));
            if (!*frame) break;
            if (auto* hello = std::get_if<Hello>(&**frame)) {
                if (auto st = check_hello(*hello, Hello::Role::worker,
                                          "Slurm task " + job_id + "_" + std::to_string(index));
                    !st)
                    return st;
            } else if (auto* reply = std::get_if<TrialReply>(&**frame)) {
                auto it = ledger.by_key.find(reply->key);
                if (it == ledger.by_key.end()) continue;
                TrialOutcome outcome;
                outcome.key = reply->key;
                outcome.ok = reply->ok;
                (outcome.ok ? outcome.result : outcome.error) = std::move(reply->body);
                outcome.attempts = ledger.trials[it->second].crashes + 1;
                outcome.worker = "slurm " + job_id + "_" + std::to_string(index);
                outcome.seconds = reply->seconds;
                outcome.resumed_from_ms = reply->resumed_from_ms;
                deliver(ledger, it->second, std::move(outcome));
            }
        }
        // Whole frames are consumed; a torn tail is read again next time (a requeued task rewrites it).
        task.consumed += bytes.size() - reader.buffered();
        return {};
    }

    void task_died(Task& task, Ledger& ledger, const std::string& job_id, std::size_t index) {
        const std::string where = "slurm " + job_id + "_" + std::to_string(index);
        const std::string tail = read_tail(task.log, m_opt.stderr_tail_bytes);
        bool first = true;
        for (std::size_t id : task.trials) {
            Trial& trial = ledger.trials[id];
            if (trial.finished) continue;
            if (first) {
                first = false;
                ++trial.crashes;
                const std::string key = ledger.jobs[trial.job].trials[trial.index].key;
                if (trial.crashes >= m_opt.max_attempts) {
                    TrialOutcome outcome;
                    outcome.key = key;
                    outcome.error = "Slurm task " + job_id + "_" + std::to_string(index) +
                                    " ended while running the trial (attempt " +
                                    std::to_string(trial.crashes) + " of " +
                                    std::to_string(m_opt.max_attempts) + ")";
                    outcome.stderr_tail = tail;
                    outcome.attempts = trial.crashes;
                    outcome.worker = where;
                    deliver(ledger, id, std::move(outcome));
                    continue;
                }
                m_opt.on_event(where + " ended early; retrying trial " + key);
            }
            ledger.todo.push_back(id);
        }
    }

    SlurmOptions m_slurm;
    ExecutorOptions m_opt;
    fs::path m_run_dir;
    std::atomic<bool> m_stop{false};
};

}  // namespace

std::unique_ptr<Executor> make_slurm_executor(SlurmOptions slurm, ExecutorOptions options) {
    return std::make_unique<SlurmExecutor>(std::move(slurm), std::move(options));
}

}  // namespace silico::runner
