// A progress bar on stderr for `polc check` at a terminal: files done/total and the rate.
//
// It stays invisible for scans that finish within `kProgressDelay` (most runs), redraws at most
// every `kProgressInterval`, and clears its line when the scan ends, so reports on stdout and
// diagnostics printed afterwards are never interleaved with it. The CLI enables it only when
// stderr is a terminal and `--quiet` is not given.
#pragma once
#include <chrono>
#include <cstddef>
#include <mutex>

namespace polc::cli {

/// Delay before the bar first appears.
inline constexpr std::chrono::milliseconds kProgressDelay{1000};
/// Shortest time between two redraws.
inline constexpr std::chrono::milliseconds kProgressInterval{100};

class ProgressBar {
 public:
  /// `enabled` false makes every call a no-op.
  explicit ProgressBar(bool enabled);
  ~ProgressBar() { finish(); }

  /// Reports `done` of `total` files. Thread-safe (called from scanner workers).
  void update(std::size_t done, std::size_t total);
  /// Clears the bar's line if it was drawn. Idempotent; thread-safe.
  void finish();

 private:
  std::mutex mutex_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// True when stderr is a terminal that can show a progress bar (not `TERM=dumb`).
bool stderr_is_interactive();

}  // namespace polc::cli
