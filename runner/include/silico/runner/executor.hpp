// Executors: run trials on worker processes somewhere and hand every outcome back to the runner.
//
// Three engines share one interface: `local` (a pool of `silico worker --stdio` processes on this
// machine), `ssh` (the same workers started on remote hosts through the system `ssh`), and `slurm`
// (sbatch job arrays whose tasks run `silico worker --file` on a shared folder). Whatever the engine,
// outcomes arrive through one callback on the thread that called run(): the runner commits them to the
// store there, so the store keeps its single writer.
//
// Failure model: a worker that dies (abort, segfault, SIGKILL, OOM, lost connection) loses only the trial
// it was running. That trial is charged one attempt and retried until ExecutorOptions::max_attempts, then
// reported as failed with the worker's stderr tail. Trials queued behind it on that worker are retried
// without being charged. A handler that returns an error is a deterministic failure: reported at once,
// not retried.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "silico/core/error.hpp"
#include "silico/runner/worker_protocol.hpp"

namespace silico::runner {

// What happened to one trial. Exactly one outcome is delivered per trial that finished or gave up;
// trials not run because the run was interrupted get none.
struct TrialOutcome {
    std::string key;
    bool ok = false;
    std::string result;          // result bytes when ok
    std::string error;           // why it failed (handler message, or how the worker died)
    std::string stderr_tail;     // last bytes the dead worker wrote to stderr (failed crashes only)
    std::uint32_t attempts = 0;  // times the trial was started, including the final one
    std::string worker;          // where the final attempt ran: "local#1 pid 4242", "ssh host01#0", ...
    int worker_pid = 0;          // pid of the local process (the ssh client for ssh; 0 for slurm)
    double seconds = 0;          // handler wall time of the final attempt (0 for crashes)
    std::optional<double> resumed_from_ms{};  // the final attempt continued from a checkpoint at this t
};

using OutcomeCallback = std::function<void(TrialOutcome&&)>;

struct RunSummary {
    std::size_t total = 0;  // trials handed to run()
    std::size_t succeeded = 0;
    std::size_t failed = 0;    // delivered with ok == false
    std::size_t not_run = 0;   // never finished: interrupted, or no worker could start
    bool interrupted = false;  // SIGINT/SIGTERM or request_stop()
    std::string stop_reason;   // why the run ended early, "" when every trial was delivered
    std::vector<std::string> failed_keys;
    double seconds = 0;
};

struct ExecutorOptions {
    // A trial whose worker dies is started at most this many times.
    std::uint32_t max_attempts = 3;
    // Trials sent ahead to each worker so it never idles waiting for the next frame. Only the first is
    // running; the others are retried uncharged if the worker dies.
    std::uint32_t pipeline_depth = 2;
    // Stop cleanly on SIGINT/SIGTERM: stop dispatching, let workers finish their current trial and exit,
    // deliver those results. A second signal kills the workers. The handlers are installed only while
    // run() runs. (The local and ssh executors also set SIGPIPE to ignored for the process, so a dead
    // worker's pipe gives an error instead of killing the runner.)
    bool stop_on_signals = true;
    // A worker with trials in flight that sends no frame (result or heartbeat) for this long is killed
    // and handled like a dead worker. Workers heartbeat every 2 s while busy.
    std::chrono::seconds silence_timeout{120};
    // Keep this many trailing bytes of each worker's stderr for failure reports.
    std::size_t stderr_tail_bytes = 4096;
    // Called on the run() thread every `tick` (progress display).
    std::chrono::milliseconds tick{250};
    std::function<void()> on_tick;
    // Notable events (worker restarted, host retired); default: one line on stderr.
    std::function<void(const std::string&)> on_event;
};

class Executor {
  public:
    virtual ~Executor() = default;
    virtual std::string name() const = 0;
    // Runs every trial of every job, calling on_outcome once per finished trial on this thread.
    // Jobs are grouped by model: a worker keeps its model while its job has trials left.
    // Fails only when the run cannot start at all; trial failures are in the summary. If on_outcome
    // throws, the run stops at once (workers killed) and that trial counts as not run.
    virtual Result<RunSummary> run(std::span<const Job> jobs, const OutcomeCallback& on_outcome) = 0;
    // Asks a running run() to stop as on SIGINT. Safe from any thread.
    virtual void request_stop() = 0;
};

struct LocalOptions {
    unsigned workers = 0;  // 0: one per core (std::thread::hardware_concurrency)
    // The worker program and its arguments; empty: this executable with {"worker", "--stdio"}.
    std::vector<std::string> worker_command;
};

struct SshHost {
    std::string destination;  // anything `ssh` accepts: host, user@host, an alias from ~/.ssh/config
    unsigned workers = 1;     // worker processes (one ssh connection each) on this host
};

struct SshOptions {
    std::vector<SshHost> hosts;
    std::string ssh_program = "ssh";
    // Extra ssh arguments before the destination, e.g. {"-F", "config"} or {"-p", "2222"}.
    std::vector<std::string> ssh_args;
    // The worker command on the remote side; its words are quoted for the remote shell.
    std::vector<std::string> remote_command{"silico", "worker", "--stdio"};
    // A host whose connections fail this many times in a row (no hello) is retired; its trials go to
    // the others.
    unsigned max_connect_failures = 3;
};

struct SlurmOptions {
    std::filesystem::path shared_dir;  // folder visible to the runner and every node (job and result files)
    // The worker on the nodes, to which the task script appends `--file IN --out OUT`; empty: this executable
    // with {"worker"}. A container image: {"apptainer", "exec", "/shared/silico.sif", "silico", "worker"}
    // (`--executor slurm:DIR,K,worker=CMD` sets it from the command line).
    std::vector<std::string> worker_command;
    std::size_t trials_per_task = 50;      // trials per array task
    unsigned max_parallel_tasks = 0;       // the %K throttle of --array; 0: no throttle
    std::vector<std::string> sbatch_args;  // extra sbatch options (partition, time, account, ...)
    std::string sbatch = "sbatch", squeue = "squeue", scancel = "scancel";
    std::chrono::milliseconds poll{1000};  // how often results and the queue are read
    // The run folder (job, result and log files) is removed after a run in which every trial succeeded
    // and kept otherwise, for inspection; true keeps it always.
    bool keep_run_folder = false;
};

std::unique_ptr<Executor> make_local_executor(LocalOptions local, ExecutorOptions options = {});
std::unique_ptr<Executor> make_ssh_executor(SshOptions ssh, ExecutorOptions options = {});
std::unique_ptr<Executor> make_slurm_executor(SlurmOptions slurm, ExecutorOptions options = {});

// Parses the --executor value: "local", "local:N", "ssh:HOST[,HOST...]" (HOST may end in ":N" workers),
// "slurm:DIR[,K][,worker=CMD]" (shared folder, optional %K throttle, the worker command on the nodes: words
// separated by blanks, the rest of the spec, e.g. "worker=apptainer exec /shared/silico.sif silico worker").
Result<std::unique_ptr<Executor>> make_executor(std::string_view spec, ExecutorOptions options = {});

// This executable's path (/proc/self/exe), used as the default worker program.
std::filesystem::path self_executable();

}  // namespace silico::runner
