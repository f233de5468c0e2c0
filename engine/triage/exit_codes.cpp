#include "engine/triage/exit_codes.h"

namespace polc {

void ExitCodeTracker::add(const Finding& f) {
  if (f.suppressed || f.baselined) return;
  if (f.outcome == Outcome::kUnknown && !fail_on_unknown_) return;
  // Severity is ordered most severe first, so "at or above" is "<=".
  if (static_cast<int>(f.severity) <= static_cast<int>(threshold_)) failing_finding_ = true;
}

void ExitCodeTracker::add(const Diagnostic& d) {
  if (is_incomplete_code(d.code)) {  // a warning or an error: part of a template not evaluated
    incomplete_ = true;
    return;
  }
  if (d.severity != DiagSeverity::kError) return;
  (d.policy_id.empty() && !is_incomplete_code(d.code) ? load_error_ : incomplete_) = true;
}

int ExitCodeTracker::exit_code(const ScanSummary& summary, bool policy_errors) const {
  if (policy_errors) return kExitUsageOrPolicyError;
  if (failing_finding_) return kExitFindings;
  if (load_error_ || summary.templates_failed > 0) return kExitLoadFailure;
  if (incomplete_ || summary.incomplete > 0) return kExitIncomplete;
  return kExitClean;
}

int compute_exit_code(const ScanResult& result, Severity threshold, bool policy_errors) {
  ExitCodeTracker tracker(threshold, result.fail_on_unknown);
  for (const Finding& f : result.findings) tracker.add(f);
  for (const Diagnostic& d : result.errors) tracker.add(d);
  for (const Diagnostic& d : result.end_errors) tracker.add(d);
  return tracker.exit_code(result.summary, policy_errors);
}

}  // namespace polc
