// The worker side: a process that builds a model once and runs many trials on it.
//
// `silico worker --stdio` calls run_worker() with stdin/stdout. The worker answers the runner's hello,
// then for each job frame looks up the TrialHandlerFactory registered under the job's kind, builds a
// handler for the job's model (once: the handler is kept while the (kind, model) pair stays the same)
// and calls it for every trial, writing one result frame per trial.
//
// NEURON's interpreter is global state, so a worker holds one model at a time: switching to another
// (kind, model) destroys the previous handler before building the next one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "silico/core/error.hpp"

namespace silico::runner {

// What a handler knows about the trial besides its request bytes, and what it reports back besides its
// result. Handlers that cannot checkpoint ignore the checkpoint fields.
struct TrialContext {
    std::string key;                        // the trial key (hex)
    double checkpoint_every_ms = 0;         // Job::checkpoint_every_ms
    std::filesystem::path checkpoint_file;  // <checkpoint_dir>/<key>.ckpt, empty when off
    std::optional<double> resumed_from_ms;  // set by the handler when the trial continued from a checkpoint
};

// Runs one trial: request bytes in, result bytes out. A returned error is a deterministic failure of
// this trial (reported, not retried); a crash (abort, segfault, OOM kill) takes the worker down and the
// runner retries the trial elsewhere.
using TrialHandler = std::function<Result<std::string>(std::string_view request, TrialContext& context)>;

// Builds a TrialHandler for one model description. Called once per worker per (kind, model): expensive
// set-up (loading morphologies, building the cell and network in NEURON) belongs here.
using TrialHandlerFactory = std::function<Result<TrialHandler>(std::string_view model)>;

// Maps job kinds to handler factories. The lead registers the NEURON simulation here; the tests' worker
// (tests/runner/support/test_worker.cpp) registers its checksum workloads in its own registry.
class HandlerRegistry {
  public:
    void add(std::string kind, TrialHandlerFactory factory);
    // The factory for `kind`, or Errc::not_found naming the kinds that exist.
    Result<const TrialHandlerFactory*> find(std::string_view kind) const;

  private:
    std::map<std::string, TrialHandlerFactory, std::less<>> m_factories;
};

// The registry every `silico worker` process uses. Registering happens before main's parse (from
// add_worker_command) so other libraries can add their kinds from their own registration functions.
HandlerRegistry& default_registry();

struct WorkerOptions {
    // A busy worker sends a heartbeat at this interval; 0 disables heartbeats.
    std::uint32_t heartbeat_ms = 2000;
};

// Serves the protocol on two file descriptors until shutdown or end of input. Returns an error for a
// broken stream or a version mismatch (already reported to the peer's stderr is impossible, so the
// caller prints it to its own stderr).
Status run_worker(int in_fd, int out_fd, const HandlerRegistry& registry, const WorkerOptions& options = {});

// File mode for batch systems (Slurm array tasks): reads a runner hello and job frames from `in`,
// appends one result frame per trial to `out`, flushing after each, and skips trials whose results are
// already in `out` (so a requeued task continues where the preempted one stopped). A torn frame at the
// end of `out` (a task killed mid-write) is cut off first.
Status run_worker_files(const std::filesystem::path& in, const std::filesystem::path& out,
                        const HandlerRegistry& registry);

// The command line of a worker process: `silico worker` and the tests' worker both parse into it.
struct WorkerMode {
    bool stdio = false;             // --stdio
    std::filesystem::path in, out;  // --file IN --out OUT
    WorkerOptions options;
};

// Serves as `mode` says. With --stdio it first keeps a private copy of fd 1 for frames and points fd 1 at
// stderr, so whatever else prints (NEURON, libraries) cannot corrupt the frame stream. Without a mode:
// Errc::invalid_argument "use --stdio, or --file IN --out OUT".
Status serve_worker(const WorkerMode& mode, const HandlerRegistry& registry);

}  // namespace silico::runner
