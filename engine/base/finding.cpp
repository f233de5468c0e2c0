#include "engine/base/finding.h"

#include <algorithm>
#include <cstdint>

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
  // The order of std::tie(file, line, column, policy_id, resource, message), one string
  // comparison per field.
  if (const int c = a.location.file.compare(b.location.file); c != 0) return c < 0;
  if (a.location.line != b.location.line) return a.location.line < b.location.line;
  if (a.location.column != b.location.column) return a.location.column < b.location.column;
  if (const int c = a.policy_id.compare(b.policy_id); c != 0) return c < 0;
  if (const int c = a.resource.compare(b.resource); c != 0) return c < 0;
  return a.message.compare(b.message) < 0;
}

void sort_findings(std::vector<Finding>& findings) {
  // Already in strictly increasing order (no two equal): the one order std::sort can give.
  if (std::adjacent_find(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        return !finding_less(a, b);
      }) == findings.end())
    return;
  // std::sort of the indices makes the same comparisons and the same moves as std::sort of the
  // findings (the algorithm sees only the comparisons' results), so findings equal under
  // `finding_less` end in the same order; each finding is then moved once.
  std::vector<std::uint32_t> order(findings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return finding_less(findings[a], findings[b]);
  });
  std::vector<Finding> sorted;
  sorted.reserve(findings.size());
  for (std::uint32_t i : order) sorted.push_back(std::move(findings[i]));
  findings = std::move(sorted);
}

}  // namespace polc
