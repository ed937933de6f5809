// Run progress for humans: done/total, cache hits, failures, trials/s and ETA.
//
// On a terminal it redraws one line in place (carriage return, at most every 100 ms); otherwise (a log
// file, CI, Slurm output) it prints a plain line every `plain_interval`, so logs stay readable.
// Cache hits count as done but not toward the rate, which measures trials actually run.
#pragma once

#include <chrono>
#include <cstddef>
#include <ostream>
#include <string>

namespace silico::runner {

struct ProgressOptions {
    bool tty = false;  // redraw in place; see stream_is_tty()
    std::chrono::milliseconds tty_interval{100};
    std::chrono::milliseconds plain_interval{10000};
};

class Progress {
  public:
    using Clock = std::chrono::steady_clock;

    // `total` counts every trial of the run, `cache_hits` the ones already in the store.
    Progress(std::ostream& out, std::size_t total, std::size_t cache_hits, ProgressOptions options = {});

    // One trial finished in this run (ok or failed); redraws when due.
    void trial_finished(bool ok);
    // Redraws when due; call it periodically (ExecutorOptions::on_tick) so the ETA moves.
    void tick();
    // Prints the final state on its own line.
    void finish();

    // The status text after `elapsed_s` seconds, e.g.
    // "37/100 done (20 cached), 2 failed, 3.1 trials/s, ETA 0:00:20".
    std::string format(double elapsed_s) const;

    std::size_t done() const { return m_cache_hits + m_ran; }
    std::size_t failures() const { return m_failed; }

  private:
    void draw(bool force);

    std::ostream& m_out;
    std::size_t m_total, m_cache_hits;
    std::size_t m_ran = 0, m_failed = 0;
    ProgressOptions m_options;
    Clock::time_point m_start, m_last_draw;
    std::size_t m_last_width = 0;
    bool m_drawn = false;
};

// True when `fd` (e.g. STDOUT_FILENO) is a terminal.
bool stream_is_tty(int fd);

}  // namespace silico::runner
