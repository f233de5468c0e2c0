#include "engine/exit_codes.h"

namespace polc {

int compute_exit_code(const ScanResult& result, Severity threshold, bool policy_errors) {
  if (policy_errors) return kExitUsageOrPolicyError;
  for (const Finding& f : result.findings) {
    if (f.suppressed || f.baselined) continue;
    // Severity is ordered most severe first, so "at or above" is "<=".
    if (static_cast<int>(f.severity) <= static_cast<int>(threshold)) return kExitFindings;
  }
  bool load_error = result.summary.templates_failed > 0;
  bool incomplete = result.summary.incomplete > 0;
  for (const Diagnostic& d : result.errors) {
    if (d.severity != DiagSeverity::kError) continue;
    if (d.policy_id.empty()) {
      load_error = true;
    } else {
      incomplete = true;
    }
  }
  if (load_error) return kExitLoadFailure;
  if (incomplete) return kExitIncomplete;
  return kExitClean;
}

}  // namespace polc
