// The `polc` command line: one function per subcommand. Each returns the process exit code
// (engine/triage/exit_codes.h) and writes reports to stdout and diagnostics to stderr.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/finding.h"
#include "engine/program/bytecode.h"

namespace CLI {
class App;
}  // namespace CLI

namespace polc::cli {

/// Options of `polc check` (and `polc config`, which prints the effective configuration).
/// Empty strings, empty lists and false flags mean "not given on the command line", so the
/// configuration file's setting applies (engine/config/config.h `merge_config`).
struct CheckArgs {
  std::vector<std::string> paths;
  std::vector<std::string> policies;
  std::vector<std::string> excludes;
  std::vector<std::string> exclude_constructs;
  std::vector<std::string> only;
  std::vector<std::string> skip;
  std::vector<std::string> outputs;  // FORMAT=PATH
  std::vector<std::string> waivers;  // waiver files
  std::vector<std::string> pseudo_parameters;  // --pseudo-parameter NAME=VALUE
  std::string format;                // stdout format; empty: from the config, else text
  std::string severity;              // display threshold; empty: low
  std::string fail_threshold;        // empty: the display threshold
  std::string config_path;           // --config; empty: search for .polc.yaml
  std::string baseline;              // --baseline FILE
  std::string write_baseline;        // --write-baseline FILE
  std::string shard;                 // --shard K/N; empty: not sharded
  std::string cache_dir;             // --cache DIR; empty: no result cache
  std::uint64_t cache_max_mb = 0;    // --cache-max-mb; 0: kDefaultCacheMaxMb
  std::vector<std::string> parameters;         // --parameter KEY=VALUE
  std::vector<std::string> parameter_files;    // --parameter-file FILE
  std::string region;                          // --region: AWS::Region
  std::string account;                         // --account: AWS::AccountId
  unsigned jobs = 0;
  bool no_config = false;
  bool no_builtin = false;
  bool show_suppressed = false;
  bool show_aliases = false;
  bool no_inline_suppressions = false;
  bool honor_foreign = false;
  bool quiet = false;
  bool no_color = false;
  bool verbose = false;
  std::string color = "auto";       // --color=auto|always|never
  bool fail_on_unknown = false;     // --fail-on-unknown (the default unless configured)
  bool no_fail_on_unknown = false;  // --no-fail-on-unknown
  bool check_properties = false;  // --check-properties
  bool strict = false;            // --strict: strict warnings (dsl/lint.h) are errors
};

/// Options of `polc merge`.
struct MergeArgs {
  std::vector<std::string> reports;
  std::vector<std::string> outputs;  // FORMAT=PATH
  std::string format;                // stdout format; empty: text (sarif for SARIF inputs)
  std::string severity;
  std::string fail_threshold;
  std::string color = "auto";  // --color=auto|always|never
  bool show_suppressed = false;
  bool show_aliases = false;
  bool no_color = false;
  bool verbose = false;
};

int run_check(const CheckArgs& args);
/// `polc merge`: combines shard reports (JSON or SARIF) into one report.
int run_merge(const MergeArgs& args);
/// `polc config`: prints the effective configuration (file plus flags) as YAML.
int run_config(const CheckArgs& args);
/// `polc list`: the policies a run would include (id, name, severity, tags, aliases), as a
/// table or, with `--format json`, as {"policies": [...]}.
int run_list(const CheckArgs& args);
int run_dump(const std::vector<std::string>& files);
int run_parse(const std::vector<std::string>& files);
/// `polc fmt [--check] PATH...`: formats policy files (directories walked for `.polc` files)
/// in place, or with `check` prints a unified diff per file that would change and returns 1.
/// A file that does not parse is reported and left unchanged (exit 2).
int run_fmt(const std::vector<std::string>& paths, bool check);
int run_disasm(const std::vector<std::string>& files, bool builtin);
int run_compile(const std::vector<std::string>& paths, const std::string& output, bool no_builtin,
                bool strict = false);
int run_doc(const std::vector<std::string>& paths, const std::string& out_dir,
            const std::string& title);
/// `polc test` arguments.
struct TestArgs {
  std::vector<std::string> paths;
  bool coverage = false;  // --coverage: print the coverage table
  std::string lcov;       // --coverage-lcov FILE (implies --coverage)
  double threshold = -1;  // --coverage-threshold N (percent; implies --coverage); <0: none
  bool strict = false;    // --strict: strict warnings are errors
};
int run_test(const TestArgs& args);
/// `polc explain ID [PATH...]`: the policy among the paths, `.polc.yaml`'s policies (or
/// `config_path`'s; none with `no_config`) and the built-in pack, with its parameters.
int run_explain(const std::string& policy, const std::vector<std::string>& policy_paths,
                const std::string& config_path, bool no_config);
/// A policy constant as text (`[22, 3389]`, `"x"`), for `explain` and `doc`.
std::string constant_text(const Constant& c);
/// The parameters of `info` in `set`: (name, default value as text), in declaration order.
std::vector<std::pair<std::string, std::string>> policy_parameters(const PolicySet& set,
                                                                   const PolicyInfo& info);

/// `polc completion bash|zsh|policies`: a completion script generated from `app` (every
/// subcommand and flag main.cpp defines), or the built-in pack's policy ids and names.
int run_completion(const CLI::App& app, const std::string& what);

/// `polc lsp`: the language server over stdin/stdout (cli/lsp/server.h, docs/editors.md).
/// Returns 0 after `shutdown` and `exit`, 1 when the stream ends otherwise.
int run_lsp();

/// `polc man`: the manual page polc.1 (roff), generated from `app`.
int run_man(const CLI::App& app);
std::string man_page(const CLI::App& app);

/// True when output to `fd` should use ANSI colours: `--color=always` (`mode` "always"), or
/// `auto` (the default) with `fd` a terminal and NO_COLOR unset; never with `--no-color` or
/// `--color=never`.
bool use_color(bool no_color, int fd, std::string_view mode = "auto");
/// Prints `diags` to stderr, compiler-style.
void print_diagnostics(const std::vector<Diagnostic>& diags, bool color);
/// Parses the value of a severity flag (`--severity`, `--fail-threshold`) into `out`; empty
/// text leaves `out` unset. Prints what is wrong, naming `flag`, and returns false otherwise.
bool parse_severity_flag(const std::string& text, const char* flag, std::optional<Severity>& out);

}  // namespace polc::cli
