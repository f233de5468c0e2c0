// The `polc` command line: one function per subcommand. Each returns the process exit code
// (engine/exit_codes.h) and writes reports to stdout and diagnostics to stderr.
#pragma once
#include <string>
#include <vector>

namespace polc::cli {

struct CheckArgs {
  std::vector<std::string> paths;
  std::vector<std::string> policies;
  std::vector<std::string> excludes;
  std::vector<std::string> only;
  std::vector<std::string> skip;
  std::vector<std::string> outputs;  // FORMAT=PATH
  std::string format = "text";
  std::string severity;  // threshold; empty: low
  unsigned jobs = 0;
  bool no_builtin = false;
  bool show_suppressed = false;
  bool no_inline_suppressions = false;
  bool honor_foreign = false;
  bool quiet = false;
  bool no_color = false;
  bool verbose = false;
};

int run_check(const CheckArgs& args);
int run_dump(const std::vector<std::string>& files);
int run_parse(const std::vector<std::string>& files);
int run_disasm(const std::vector<std::string>& files, bool builtin);
int run_compile(const std::vector<std::string>& paths, const std::string& output, bool no_builtin);
int run_doc(const std::vector<std::string>& paths, const std::string& out_dir);
int run_test(const std::vector<std::string>& paths);
int run_explain(const std::string& policy, const std::vector<std::string>& policy_paths);

/// Loads policies (the pack unless `no_builtin`, plus `paths`), printing diagnostics to stderr.
/// Shared by the subcommands. Returns nullptr on errors.
struct LoadedPolicies;

}  // namespace polc::cli
