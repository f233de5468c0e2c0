// Stage engine/triage (above vm): what happens to findings after the VM: fingerprints,
// inline and foreign suppressions, central waivers, baselines and the exit code.
//
// Suppressions written in templates: `Metadata.polc.suppress` on a resource, and the same at
// the template's top-level `Metadata` (applies to every resource of the template).
//
//   Metadata:
//     polc:
//       suppress:
//         - rule: vpce-sg-no-implicit-egress   # policy id or name
//           reason: egress filtered by a network firewall
//
// A reason is required. Unknown keys under `polc` (such as `supress`), entries without a
// reason, and rules no active or known policy has get a warning located at the key.
#pragma once
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/finding.h"
#include "engine/base/scan_result.h"
#include "engine/model/template.h"

namespace polc {

struct SuppressionOptions {
  bool inline_suppressions = true;  // false: --no-inline-suppressions
  bool foreign = false;             // honour cfn_nag / checkov / guard / cfn-lint metadata
};

/// Marks findings of `tmpl` suppressed by its Metadata and adds warnings for malformed
/// suppressions to `diags` (foreign ones of the wrong shape included: never ignored silently).
/// `policies` are all policies known (for "unknown rule" warnings and aliases). `ran(id)` says
/// whether the policy with that id ran on the template (none did when it is empty): a polc
/// suppression of one that ran and suppressed no finding gets a `suppression-unused` warning.
/// It is asked only about such suppressions. Thread-safe on distinct templates.
void apply_template_suppressions(const Template& tmpl, const std::vector<PolicyInfo>& policies,
                                 const SuppressionOptions& options, std::vector<Finding>& findings,
                                 std::vector<Diagnostic>& diags,
                                 const std::function<bool(std::string_view id)>& ran = {});

}  // namespace polc
