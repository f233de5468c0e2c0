// Stage engine/config (the top of the engine): `.polc.yaml`, which names policies, excludes,
// waivers, severity overrides and parameters for every stage below.
//
// Configuration: `.polc.yaml`, the settings a repository keeps next to its templates.
//
// `polc check` looks for `.polc.yaml` in the working directory and its parents (the first one
// wins; `--config PATH` names one explicitly, `--no-config` skips the search). Every key is
// optional; docs/configuration.md describes them all:
//
//   policies: [policies/]                 # extra policy files or directories
//   exclude: ["**/cdk.out/**"]            # globs of paths to skip
//   enable: [vpce-sg-no-implicit-egress]  # run only these policies (ids or names)
//   disable: [POLC-NET-002]               # never run these
//   severity_overrides: {POLC-NET-001: critical}
//   parameters: {some-policy.max_ports: 3}
//   waivers: waivers.yaml                 # or an inline list (engine/triage/waivers.h)
//   fail_threshold: high
//   formats: [text, sarif=polc.sarif]     # alias: outputs
//   honor_foreign_suppressions: true
//   inline_suppressions: true
//   fail_on_unknown: true                 # unknown outcomes fail the run (the default)
//   deployments:                          # check a template once per environment
//     - {name: prod, template: app.yaml, parameter_files: [prod.json], region: us-east-1}
//     - {name: staging, deployment_file: deploy/staging.yaml}   # Git sync: names its template
//
// Paths in the file are relative to the file's directory. Unknown keys and ill-typed values
// are errors located at `file:line:col`. The `Config` struct is also the *effective*
// configuration: the CLI overlays its flags on the loaded file (flags win) and `polc config`
// prints the result with `render_config_yaml`. This module knows nothing of the policy
// language; `apply_config_parameters` works on the compiled set's `GlobalSlot`s.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/finding.h"
#include "engine/program/bytecode.h"
#include "engine/triage/waivers.h"

namespace polc {

/// The file name `find_config_file` looks for.
inline constexpr const char* kConfigFileName = ".polc.yaml";

/// One report to produce: `format` alone goes to stdout, `format=path` to a file.
struct OutputSpec {
  std::string format;  // as written; checked by the CLI with `parse_report_format`
  std::string path;    // empty: standard output
};

struct SeverityOverride {
  std::string policy;  // id or name
  Severity severity = Severity::kMedium;
  Location location;  // of the key, for "names no policy" errors
};

struct ConfigParameter {
  std::string name;  // `policy-name.param`
  Constant value;
  Location location;
};

/// One deployment of a template (`deployments:`): the template checked with these parameter
/// values. `template` is the template's path, or, with `deployment_file` (an AWS CloudFormation
/// Git sync deployment file), the file's `template-file-path`, resolved against the configuration
/// file's directory (the repository root). Values: the parameter files in order, then
/// `parameters`, then `region` and `account` (AWS::Region, AWS::AccountId).
struct DeploymentSpec {
  std::string name;
  std::string template_path;  // resolved; empty until the deployment file is read
  std::string deployment_file;                // resolved
  std::vector<std::string> parameter_files;   // resolved
  std::vector<std::pair<std::string, std::string>> parameters;
  std::string region;
  std::string account;
  Location location;  // of the entry
};

struct Config {
  std::string path;                   // the file read; empty when no file was used
  std::vector<std::string> policies;  // resolved against the file's directory
  std::vector<std::string> schemas;   // resource schema directories (overlays), resolved likewise
  std::vector<std::string> exclude;
  /// Globs of CDK construct paths whose findings are dropped (`--exclude-construct`).
  std::vector<std::string> exclude_constructs;
  std::vector<std::string> enable;
  std::vector<std::string> disable;
  std::vector<SeverityOverride> severity_overrides;
  std::vector<ConfigParameter> parameters;
  std::vector<std::string> waiver_files;  // resolved against the file's directory
  std::vector<Waiver> waivers;            // inline waivers, and those of `waiver_files` once loaded
  std::optional<Severity> severity;       // display threshold (`--severity`)
  std::optional<Severity> fail_threshold;  // least severe severity that fails the run
  std::vector<OutputSpec> outputs;         // `formats` / `outputs`
  std::string baseline;                    // resolved against the file's directory
  std::optional<bool> honor_foreign_suppressions;
  std::optional<bool> inline_suppressions;
  /// Whether unknown-outcome findings fail the run like failures (default true).
  std::optional<bool> fail_on_unknown;
  /// `deployments:`: templates checked once per deployment, with its values.
  std::vector<DeploymentSpec> deployments;
};

/// Looks for `kConfigFileName` in `start_dir` and up to `kMaxConfigSearchDepth` parents. Returns
/// the path as `start_dir`-relative text (".polc.yaml", "../.polc.yaml", ...), or "" when none
/// exists. Reads only the filesystem; thread-safe.
std::string find_config_file(const std::string& start_dir = ".");

/// Reads the configuration file `path` into `out` (which should be default-constructed).
/// Returns false, with positioned errors in `diags`, on any unreadable file, syntax error,
/// unknown key or ill-typed value.
bool load_config(const std::string& path, Config& out, Diagnostics& diags);

/// Parses the tree `root` of `file` into `out`. Relative paths are resolved against the
/// directory of `file.path()`. Used by `load_config` and tests.
bool parse_config(const SourceFile& file, const Value* root, Config& out, Diagnostics& diags);

/// Sets the values of `globals` (a compiled set's policy parameters) named by `params`. Call
/// before `PolicySet::freeze()`. An unknown name, or a value whose kind differs from the
/// parameter's default (an integer where a float is expected is converted), is an error at
/// the parameter's location. Returns false on errors.
bool apply_config_parameters(const std::vector<ConfigParameter>& params,
                             std::vector<GlobalSlot>& globals, Diagnostics& diags);

/// Overlays command-line settings on a loaded configuration: every field set in `flags` (a
/// non-empty list, a present optional, a non-empty string) replaces the same field of `file`
/// whole; lists are not concatenated. `outputs` is split in two: a stdout entry of `flags`
/// (`--format`) replaces the file's stdout entry, file entries (`--output`) replace the file's
/// file entries. Inline waivers and waiver files are one setting: `flags.waiver_files` replaces
/// both. `path` is taken from `file`. Pure.
Config merge_config(const Config& file, const Config& flags);

/// Renders `config` as YAML in the shape `.polc.yaml` accepts (strings double-quoted), with a
/// leading comment naming the file read, for `polc config`. Inline and file waivers are listed
/// together under `waivers`. Pure.
std::string render_config_yaml(const Config& config);

}  // namespace polc
