// ScanResult: everything one `polc check` run produced, in report order. The reporters
// (engine/report_*.h) turn it into text, JSON, SARIF, JUnit or GitHub annotations.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/finding.h"

namespace polc {

/// Metadata of one policy, as reporters need it (SARIF rules, `polc explain`, docs).
struct PolicyInfo {
  std::string id;
  std::string name;
  std::string title;
  Severity severity = Severity::kMedium;
  std::string description;
  std::string remediation;
  std::string docs_url;
  std::vector<std::string> tags;
  std::vector<std::string> aliases;     // "cfn_nag:F1000", "checkov:CKV_AWS_23", "guard:..."
  std::vector<std::string> applies_to;  // resource types
  std::string source_file;              // where the policy is defined ("<builtin>/..." for the pack)
};

struct ScanSummary {
  std::uint64_t templates_checked = 0;
  std::uint64_t files_skipped = 0;     // YAML/JSON that is not a CloudFormation template
  std::uint64_t templates_failed = 0;  // could not be loaded
  std::uint64_t findings_by_severity[5] = {0, 0, 0, 0, 0};  // indexed by Severity, unsuppressed
  std::uint64_t suppressed = 0;
  std::uint64_t baselined = 0;
  std::uint64_t unknown = 0;         // outcome kUnknown
  std::uint64_t incomplete = 0;      // policy runs stopped by a limit or internal error
  double elapsed_seconds = 0;
};

/// What a sharded run (`polc check --shard K/N`) records in its reports so that `polc merge`
/// (engine/report/report_merge.h) can recombine the shards exactly. `count == 0`: not a shard report.
struct ShardInfo {
  std::uint32_t index = 0;  // 1-based
  std::uint32_t count = 0;
  Severity fail_threshold = Severity::kLow;  // the run's fail threshold, for the exit code
};

struct ScanResult {
  std::vector<PolicyInfo> policies;    // the active policy set, sorted by id
  std::vector<Finding> findings;       // sorted by `finding_less`; includes suppressed ones
  std::vector<Diagnostic> errors;      // load and policy diagnostics, sorted by file and position
  ScanSummary summary;
  std::string scan_root;               // for SARIF artifact URIs; "." by default
  int exit_code = 0;
  /// Set by sharded runs; the JSON and SARIF reporters then add the shard and merge data.
  ShardInfo shard;
};

}  // namespace polc
