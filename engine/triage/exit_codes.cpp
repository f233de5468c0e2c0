#include "engine/triage/exit_codes.h"

namespace polc {

void ExitCodeTracker::add(const Finding& f) {
  if (f.suppressed || f.baselined) return;
  // Severity is ordered most severe first, so "at or above" is "<=".
  if (static_cast<int>(f.severity) <= static_cast<int>(threshold_)) failing_finding_ = true;
}

void ExitCodeTracker::add(const Diagnostic& d) {
  if (d.severity != DiagSeverity::kError) return;
  (d.policy_id.empty() ? load_error_ : incomplete_) = true;
}

int ExitCodeTracker::exit_code(const ScanSummary& summary, bool policy_errors) const {
  if (policy_errors) return kExitUsageOrPolicyError;
  if (failing_finding_) return kExitFindings;
  if (load_error_ || summary.templates_failed > 0) return kExitLoadFailure;
  if (incomplete_ || summary.incomplete > 0) return kExitIncomplete;
  return kExitClean;
}

int compute_exit_code(const ScanResult& result, Severity threshold, bool policy_errors) {
  ExitCodeTracker tracker(threshold);
  for (const Finding& f : result.findings) tracker.add(f);
  for (const Diagnostic& d : result.errors) tracker.add(d);
  return tracker.exit_code(result.summary, policy_errors);
}

}  // namespace polc
