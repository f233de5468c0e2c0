// Running the built `polc` binary (POLC_BINARY, defined by tests/CMakeLists.txt) from end-to-end
// tests: its exit code, standard output and standard error.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/model_test_util.h"

namespace polc::test {

struct Run {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// `s` quoted for /bin/sh.
inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Runs `polc ARGS` in `cwd` with the extra environment assignments `env` ("A=b ...").
inline Run run_polc(const std::filesystem::path& cwd, const std::string& args,
                    const std::string& env = "") {
  static std::atomic<int> counter{0};
  const std::filesystem::path err_file =
      std::filesystem::temp_directory_path() /
      ("polc-run-err-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  const std::string cmd = "cd " + shell_quote(cwd.string()) + " && " + env + " " +
                          shell_quote(POLC_BINARY) + " " + args + " 2>" +
                          shell_quote(err_file.string());
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.err = read_text(err_file);
  std::filesystem::remove(err_file);
  return r;
}

}  // namespace polc::test
