// Policy header checks: kebab-case policy names and the header attribute keys the language knows.
#include "dsl/internal/policy_header.h"

#include <string_view>

#include "dsl/checker.h"

namespace polc {
namespace {

constexpr const char* kAttributes[] = {"id", "title", "severity", "description", "remediation",
                                       "docs", "tags", "aliases", "applies_to"};

}  // namespace

bool is_kebab(std::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return s.back() != '-';
}

bool is_known_attribute(std::string_view key) {
  for (const char* k : kAttributes)
    if (key == k) return true;
  return false;
}

}  // namespace polc
