#include "engine/base/finding.h"

#include <tuple>

namespace polc {

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kCritical: return "critical";
    case Severity::kHigh: return "high";
    case Severity::kMedium: return "medium";
    case Severity::kLow: return "low";
    case Severity::kInfo: return "info";
  }
  return "medium";
}

bool parse_severity(std::string_view text, Severity& out) {
  std::string t;
  for (char c : text) t += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  for (Severity s : {Severity::kCritical, Severity::kHigh, Severity::kMedium, Severity::kLow, Severity::kInfo}) {
    if (severity_name(s) == t) {
      out = s;
      return true;
    }
  }
  return false;
}

std::string describe_conditions(const std::vector<ConditionClause>& conditions) {
  std::string out;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    out += i == 0 ? "when " : ", or when ";
    const auto& clause = conditions[i];
    for (std::size_t j = 0; j < clause.size(); ++j) {
      if (j > 0) out += " and ";
      out += clause[j].name;
      out += clause[j].value ? " is true" : " is false";
    }
  }
  return out;
}

std::string describe_deployments(const std::vector<std::string>& deployments) {
  if (deployments.empty()) return {};
  std::string out = deployments.size() == 1 ? "in deployment " : "in deployments ";
  for (std::size_t i = 0; i < deployments.size(); ++i) {
    if (i > 0) out += i + 1 == deployments.size() ? " and " : ", ";
    out += deployments[i];
  }
  return out;
}

bool finding_less(const Finding& a, const Finding& b) {
  return std::tie(a.location.file, a.location.line, a.location.column, a.policy_id, a.resource, a.message) <
         std::tie(b.location.file, b.location.line, b.location.column, b.policy_id, b.resource, b.message);
}

}  // namespace polc
