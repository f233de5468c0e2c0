// Exit codes of `polc check`, and the one function that chooses among them.
//
// A CI gate must never pass when something was not checked, so every "did not look" state has a
// non-zero code, and when several apply the most fundamental one wins: a broken policy set (2)
// makes every other verdict meaningless; then findings (1), the result the gate exists for; then
// templates that could not be loaded at all (3), a whole-file blind spot; then policies that
// could not finish on some resource (4), a partial blind spot. docs/exit-codes.md gives the full
// rationale. The values are a public interface: scripts compare them, so they never change.
#pragma once
#include "engine/base/finding.h"
#include "engine/base/scan_result.h"

namespace polc {

/// Everything checked; no unsuppressed, unbaselined finding at or above the threshold.
inline constexpr int kExitClean = 0;
/// At least one unsuppressed, unbaselined finding (fail or unknown outcome) at or above the
/// threshold severity.
inline constexpr int kExitFindings = 1;
/// Usage error (bad command line, unreadable config) or a policy that failed to parse, check or
/// compile. Nothing else in the run can be trusted.
inline constexpr int kExitUsageOrPolicyError = 2;
/// A template could not be loaded (syntax error, limit exceeded while loading, unreadable file),
/// and there is no finding at or above the threshold.
inline constexpr int kExitLoadFailure = 3;
/// Incomplete: a policy stopped before finishing on some template (VM step limit, condition
/// combinations, internal error), so its absence of findings proves nothing.
inline constexpr int kExitIncomplete = 4;

/// Returns the exit code for `result`. `threshold` is the least severe severity that fails the
/// run (`kLow` fails on critical, high, medium and low). `policy_errors` is true when the policy
/// set or the command line had errors (the caller knows; `ScanResult` does not). Reads
/// `result.findings` (skipping suppressed and baselined ones), `result.summary.templates_failed`,
/// `result.summary.incomplete` and, as a safety net, `result.errors`: an error-severity
/// diagnostic not accounted for by the counters still yields 3 (no policy id) or 4 (raised while
/// running a policy). Pure and thread-safe.
int compute_exit_code(const ScanResult& result, Severity threshold, bool policy_errors);

/// `compute_exit_code` for a scan whose findings and diagnostics stream past: `add` each one
/// reported, then `exit_code` with the final summary. Not thread-safe.
class ExitCodeTracker {
 public:
  explicit ExitCodeTracker(Severity threshold) : threshold_(threshold) {}
  void add(const Finding& f);
  void add(const Diagnostic& d);
  int exit_code(const ScanSummary& summary, bool policy_errors) const;

 private:
  Severity threshold_;
  bool failing_finding_ = false;
  bool load_error_ = false;
  bool incomplete_ = false;
};

}  // namespace polc
