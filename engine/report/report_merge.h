// Merging reports: `polc merge` combines the reports of shard runs (`polc check --shard K/N`,
// engine/scan/shard.h) into the report an unsharded run would have written.
//
// JSON reports are read back into one `ScanResult`: counters summed, findings concatenated and
// re-sorted with `finding_less`, errors united (a diagnostic every shard repeats, such as an
// expired waiver or a missing path, is kept as often as one shard has it), and the exit code
// recomputed with `compute_exit_code`. Any reporter can then render it. Shard reports carry the
// extra `shard` and `merge` members (policies, fail threshold, source lines) that make the
// rendering identical to the unsharded run's; plain reports merge too, with bare rules and no
// source snippets. SARIF reports are merged structurally into one SARIF run (rules united,
// `ruleIndex` remapped, results and notifications re-sorted). All inputs are untrusted: any
// malformed report yields an error diagnostic naming the file, never a crash.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/scan_result.h"

namespace polc {

enum class ReportKind { kJson, kSarif, kUnknown };

/// One input: its path (for messages) and its bytes.
struct MergeInput {
  std::string path;
  std::string text;
};

struct MergeOptions {
  /// Drop findings below this severity (like `check --severity`); none: keep all.
  std::optional<Severity> severity;
  /// Fail threshold for the exit code; none: `severity`, else the one the shards recorded, else
  /// `low`.
  std::optional<Severity> fail_threshold;
};

/// Tells a polc JSON report from a SARIF log by its top-level members; cheap, no full parse.
ReportKind detect_report_kind(std::string_view text);

/// Merges JSON reports into `out` (elapsed time: the longest input's). Checks that shard
/// reports form one complete set (same count, every index exactly once) and come from the same
/// polc version. Returns false with error diagnostics in `diags` otherwise. Thread-safe.
bool merge_json_reports(const std::vector<MergeInput>& inputs, const MergeOptions& options,
                        ScanResult& out, Diagnostics& diags);

/// Merges SARIF logs written by polc into one SARIF document (`out`, pretty-printed like the
/// `sarif` reporter) and sets `exit_code` as one run would have. Same checks as
/// `merge_json_reports`. Thread-safe.
bool merge_sarif_reports(const std::vector<MergeInput>& inputs, const MergeOptions& options,
                         std::string& out, int& exit_code, Diagnostics& diags);

}  // namespace polc
