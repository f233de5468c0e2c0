// Finding: one policy violation (or undecidable check) on one resource of one template, ready
// for reporting. Everything in it is resolved (paths, 1-based lines and columns, source lines),
// so findings outlive the template they came from and can be sorted, merged and serialized.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"

namespace polc {

/// Policy severity, most severe first (the order is used for thresholds).
enum class Severity : std::uint8_t { kCritical, kHigh, kMedium, kLow, kInfo };
std::string_view severity_name(Severity s);
/// Parses "critical" ... "info" (case-insensitive). Returns false when unknown.
bool parse_severity(std::string_view text, Severity& out);

/// `kFail`: the rule is violated. `kUnknown`: the rule needed a value polc cannot compute
/// offline (`Fn::ImportValue`, a parameter without default, ...); reported, never a pass.
enum class Outcome : std::uint8_t { kFail, kUnknown };

/// One conjunction of condition values, e.g. {HttpsOn=false}. A finding's `conditions` is a
/// disjunction of these; empty means "unconditional".
struct ConditionTerm {
  std::string name;
  bool value = false;
  bool operator==(const ConditionTerm&) const = default;
};
using ConditionClause = std::vector<ConditionTerm>;

struct RelatedLocation {
  Location location;
  std::string message;
};

struct Finding {
  std::string policy_id;     // stable id, e.g. "POLC-NET-001"
  std::string policy_name;   // kebab-case name, e.g. "vpce-sg-no-implicit-egress"
  Severity severity = Severity::kMedium;
  Outcome outcome = Outcome::kFail;
  std::string resource;       // logical ID ("" for template-level findings)
  /// The resource's CDK construct path (`Metadata.aws:cdk:path`, e.g.
  /// `App/Network/Endpoint/SecurityGroup/Resource`); "" when the template does not say.
  std::string construct_path;
  std::string property_path;  // e.g. "Properties.SecurityGroupEgress"; "" when at the resource
  Location location;
  std::string message;
  std::vector<ConditionClause> conditions;  // empty: holds under every condition assignment
  /// The deployments (`deployments:` of .polc.yaml) the finding holds in, when its template is
  /// checked once per deployment and it does not hold in all of them; empty otherwise.
  std::vector<std::string> deployments;
  std::vector<RelatedLocation> related;
  std::string remediation;
  bool suppressed = false;
  std::string suppression_reason;
  std::string suppression_source;  // "metadata", "template-metadata", "waiver", "cfn_nag", ...
  bool baselined = false;
  /// Stable fingerprint: hash of policy id, file (relative to the scan root), logical ID and
  /// property path. Independent of line numbers.
  std::string fingerprint;
  /// This finding as one report writer renders it (`ReportWriter::prerender`, engine/report),
  /// and that writer; the other writers ignore it. Rendered on the scan's workers, so that the
  /// serial end of a run only copies it; cleared when the finding changes after that. Not
  /// compared by `finding_less` and never part of a report's data.
  std::string rendered;
  const void* rendered_by = nullptr;
};

/// Renders conditions for messages: "when HttpsOn is false", "when A is true and B is false,
/// or when C is true". Empty for unconditional findings.
std::string describe_conditions(const std::vector<ConditionClause>& conditions);

/// Renders deployments for messages: "in deployment prod", "in deployments prod and staging".
/// Empty when `deployments` is.
std::string describe_deployments(const std::vector<std::string>& deployments);

/// Sort order of reports: file, line, column, policy id, resource, message.
bool finding_less(const Finding& a, const Finding& b);

/// Sorts `findings` with `finding_less` into the order `std::sort` gives them (findings equal
/// under it keep the order that sort gives), moving each finding at most once.
void sort_findings(std::vector<Finding>& findings);

}  // namespace polc
