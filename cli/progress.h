// A progress bar on stderr for `polc check` at a terminal: files done/total and the rate.
//
// It stays invisible for scans that finish within `kProgressDelay` (most runs), redraws at most
// every `kProgressInterval` (10 times a second; clearing the line to print a report does not
// reset that clock), and clears its line when the scan ends, so reports on stdout and
// diagnostics printed afterwards are never interleaved with it. The CLI enables it only when
// stderr is a terminal and `--quiet` is not given.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <mutex>

namespace polc::cli {

/// Delay before the bar first appears.
inline constexpr std::chrono::milliseconds kProgressDelay{1000};
/// Shortest time between two redraws.
inline constexpr std::chrono::milliseconds kProgressInterval{100};

class ProgressBar {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  /// `enabled` false makes every call a no-op. The bar is written to `out` (stderr by default)
  /// and reads the time from `clock` (steady_clock by default; tests pass a fake one).
  explicit ProgressBar(bool enabled, std::FILE* out = stderr, Clock clock = {});
  ~ProgressBar() { finish(); }

  /// Reports `done` of `total` files. Thread-safe (called from scanner workers).
  void update(std::size_t done, std::size_t total);
  /// Clears the bar's line if it was drawn. Idempotent; thread-safe.
  void finish();
  /// How many times the bar was drawn (at most one per `kProgressInterval`, plus the last).
  std::size_t redraws() const { return redraws_; }

 private:
  std::mutex mutex_;
  bool enabled_;
  std::FILE* out_;
  Clock clock_;
  bool drawn_ = false;       // the bar is on the screen now
  bool ever_drawn_ = false;  // last_draw_ is set
  std::size_t redraws_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// True when stderr is a terminal that can show a progress bar (not `TERM=dumb`).
bool stderr_is_interactive();

}  // namespace polc::cli
