#include "cli/lsp/test_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <regex>

#include "cli/lsp/lsp_limits.h"

namespace polc::lsp {

TestRun run_policy_tests(const std::string& polc_binary, const std::string& path) {
  TestRun run;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    run.exit_code = -1;
    run.summary = "cannot start polc test (pipe failed)";
    return run;
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    run.exit_code = -1;
    run.summary = "cannot start polc test (fork failed)";
    return run;
  }
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    const char* argv[] = {polc_binary.c_str(), "test", path.c_str(), nullptr};
    ::execv(polc_binary.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(fds[1]);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(kLspTestTimeoutSeconds);
  bool timed_out = false, truncated = false;
  char buf[16384];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    const std::size_t room =
        kMaxLspTestOutputBytes - std::min(kMaxLspTestOutputBytes, run.output.size());
    if (static_cast<std::size_t>(n) > room) truncated = true;
    run.output.append(buf, std::min(room, static_cast<std::size_t>(n)));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (truncated)
    run.output += "\n[output cut at " + std::to_string(kMaxLspTestOutputBytes) +
                  " bytes (kMaxLspTestOutputBytes)]\n";
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  // The summary is polc test's last "N passed, M failed" line.
  static const std::regex counts(R"((?:^|\n)(\d{1,9}) passed, (\d{1,9}) failed)");
  for (auto it = std::sregex_iterator(run.output.begin(), run.output.end(), counts);
       it != std::sregex_iterator(); ++it) {
    run.passed = static_cast<std::uint32_t>(std::stoul((*it)[1].str()));
    run.failed = static_cast<std::uint32_t>(std::stoul((*it)[2].str()));
    run.summary = (*it)[1].str() + " passed, " + (*it)[2].str() + " failed";
  }
  // Each `FILE:LINE:COL: error: MESSAGE` line (polc prints diagnostics so).
  static const std::regex problem(R"(^(.+):(\d{1,9}):(\d{1,9}): (error|warning): (.*)$)");
  std::size_t start = 0;
  while (start < run.output.size()) {
    std::size_t eol = run.output.find('\n', start);
    if (eol == std::string::npos) eol = run.output.size();
    const std::string line = run.output.substr(start, eol - start);
    start = eol + 1;
    std::smatch m;
    if (line.size() > 4096 || !std::regex_match(line, m, problem)) continue;
    TestProblem p;
    p.path = m[1].str();
    p.line = static_cast<std::uint32_t>(std::stoul(m[2].str()));
    p.column = static_cast<std::uint32_t>(std::stoul(m[3].str()));
    p.error = m[4].str() == "error";
    p.message = m[5].str();
    run.problems.push_back(std::move(p));
  }
  if (timed_out) {
    run.exit_code = -1;
    run.summary =
        "stopped after " + std::to_string(kLspTestTimeoutSeconds) + " s (kLspTestTimeoutSeconds)";
  } else if (run.exit_code == 127 && run.summary.empty()) {
    run.summary = "cannot run " + polc_binary;
  } else if (run.exit_code != 0 && run.exit_code != 1) {
    run.summary = (run.summary.empty() ? std::string("no test ran") : run.summary) + " (exit " +
                  std::to_string(run.exit_code) + ")";
  }
  return run;
}

}  // namespace polc::lsp
