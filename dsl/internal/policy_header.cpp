// Policy header helpers: kebab-case policy names, the header attribute keys the language knows,
// and the values of header attributes.
#include "dsl/internal/policy_header.h"

#include <string_view>

#include "dsl/checker.h"

namespace polc {
using ast::ExprKind;
namespace {

constexpr const char* kAttributes[] = {"id",   "title", "severity", "description", "remediation",
                                       "docs", "tags",  "aliases",  "applies_to"};

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

std::string fold_text(const std::string& s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '\n') {
      std::size_t j = i;
      int newlines = 0;
      while (j < s.size() && (s[j] == '\n' || s[j] == ' ' || s[j] == '\t'))
        newlines += s[j++] == '\n';
      if (!out.empty() && j < s.size()) out += newlines > 1 ? "\n\n" : " ";
      i = j;
      continue;
    }
    out += s[i++];
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

std::string attr_string(const ast::Policy& p, std::string_view key) {
  for (const auto& a : p.attributes) {
    if (a.key != key || !a.value) continue;
    if (a.value->kind == ExprKind::kString) return fold_text(a.value->string_value);
    if (a.value->kind == ExprKind::kName) return a.value->name;
  }
  return {};
}

std::vector<std::string> attr_list(const ast::Policy& p, std::string_view key) {
  std::vector<std::string> out;
  for (const auto& a : p.attributes)
    if (a.key == key && a.value && a.value->kind == ExprKind::kList)
      for (const auto& item : a.value->args)
        if (item->kind == ExprKind::kString) out.push_back(item->string_value);
  return out;
}

}  // namespace polc
