#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace polc::cli {

namespace {
constexpr int kBarWidth = 30;
}

ProgressBar::ProgressBar(bool enabled, std::FILE* out, Clock clock)
    : enabled_(enabled),
      out_(out),
      clock_(clock ? std::move(clock) : Clock(std::chrono::steady_clock::now)) {
  start_ = clock_();
}

void ProgressBar::update(std::size_t done, std::size_t total) {
  if (!enabled_ || total == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = clock_();
  if (now - start_ < kProgressDelay) return;
  // Throttled whether or not a report cleared the bar since the last draw (every file with
  // findings does): only the last update (done == total) may come sooner.
  if (ever_drawn_ && done < total && now - last_draw_ < kProgressInterval) return;
  last_draw_ = now;
  drawn_ = ever_drawn_ = true;
  ++redraws_;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  int filled = static_cast<int>(static_cast<double>(kBarWidth) * static_cast<double>(done) /
                                static_cast<double>(total));
  if (filled > kBarWidth) filled = kBarWidth;
  std::string line = "\r\x1b[K[";
  line.append(static_cast<std::size_t>(filled), '=');
  line.append(static_cast<std::size_t>(kBarWidth - filled), ' ');
  char buf[96];
  std::snprintf(buf, sizeof buf, "] %zu/%zu files  %.0f files/s", done, total, rate);
  line += buf;
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void ProgressBar::finish() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!drawn_) return;
  std::fputs("\r\x1b[K", out_);
  std::fflush(out_);
  drawn_ = false;
}

bool stderr_is_interactive() {
  if (isatty(2) == 0) return false;
  const char* term = std::getenv("TERM");
  return !(term && std::strcmp(term, "dumb") == 0);
}

}  // namespace polc::cli
