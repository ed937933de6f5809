#include "silico/runner/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace silico::runner {
namespace {

std::string clock_text(double seconds) {
    const auto s = static_cast<long long>(std::llround(seconds));
    return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

}  // namespace

bool stream_is_tty(int fd) {
    return ::isatty(fd) == 1;
}

Progress::Progress(std::ostream& out, std::size_t total, std::size_t cache_hits, ProgressOptions options)
    : m_out(out),
      m_total(total),
      m_cache_hits(cache_hits),
      m_options(options),
      m_start(Clock::now()),
      m_last_draw(m_start) {}

std::string Progress::format(double elapsed_s) const {
    std::string text = fmt::format("{}/{} done", done(), m_total);
    if (m_cache_hits > 0) text += fmt::format(" ({} cached)", m_cache_hits);
    if (m_failed > 0) text += fmt::format(", {} failed", m_failed);
    if (elapsed_s > 0 && m_ran > 0) {
        const double rate = static_cast<double>(m_ran) / elapsed_s;
        text += fmt::format(", {:.1f} trials/s", rate);
        const std::size_t left = m_total > done() ? m_total - done() : 0;
        text += ", ETA " + clock_text(static_cast<double>(left) / rate);
    }
    return text;
}

void Progress::trial_finished(bool ok) {
    ++m_ran;
    if (!ok) ++m_failed;
    draw(false);
}

void Progress::tick() {
    draw(false);
}

void Progress::finish() {
    draw(true);
    if (m_options.tty) m_out << "\n";
    m_out.flush();
}

void Progress::draw(bool force) {
    const auto now = Clock::now();
    const auto interval = m_options.tty ? m_options.tty_interval : m_options.plain_interval;
    // Plain mode prints the first line at once, then every interval; a terminal redraws at most 10/s.
    if (!force && m_drawn && now - m_last_draw < interval) return;
    m_last_draw = now;
    m_drawn = true;
    const std::string text = format(std::chrono::duration<double>(now - m_start).count());
    if (m_options.tty) {
        // Pad over the previous, possibly longer, line instead of relying on terminal escapes.
        m_out << "\r" << text
              << std::string(m_last_width > text.size() ? m_last_width - text.size() : 0, ' ');
        m_last_width = text.size();
    } else {
        m_out << "progress: " << text << "\n";
    }
    m_out.flush();
}

}  // namespace silico::runner
