// The progress bar's throttle: at most one redraw per kProgressInterval (10 a second), even when
// every file's report clears the bar (issue 15, item 13: 7,561 redraws in 1.6 s).
#include "cli/progress.h"

#include <catch2/catch.hpp>
#include <cstdio>

using namespace polc::cli;
using Clock = std::chrono::steady_clock;

TEST_CASE("progress bar redraws at most ten times a second", "[progress]") {
  Clock::time_point now{};
  std::FILE* sink = std::tmpfile();
  REQUIRE(sink);
  ProgressBar bar(true, sink, [&] { return now; });
  // 20,000 files at one file per millisecond, a report written (the bar cleared) after each.
  const std::size_t total = 20000;
  for (std::size_t done = 1; done <= total; ++done) {
    now += std::chrono::milliseconds(1);
    bar.update(done, total);
    bar.finish();
  }
  // 20 s, the first second hidden (kProgressDelay): 19 s at 10 redraws a second, plus the last.
  CHECK(bar.redraws() >= 190);
  CHECK(bar.redraws() <= 192);
  std::fclose(sink);
}

TEST_CASE("progress bar stays hidden for short scans and when disabled", "[progress]") {
  Clock::time_point now{};
  std::FILE* sink = std::tmpfile();
  REQUIRE(sink);
  ProgressBar quick(true, sink, [&] { return now; });
  for (std::size_t done = 1; done <= 500; ++done) {
    now += std::chrono::milliseconds(1);
    quick.update(done, 500);
  }
  CHECK(quick.redraws() == 0);
  ProgressBar off(false, sink, [&] { return now; });
  now += std::chrono::seconds(5);
  off.update(1, 2);
  CHECK(off.redraws() == 0);
  CHECK(std::ftell(sink) == 0);
  std::fclose(sink);
}
