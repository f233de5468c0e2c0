#include "engine/config/selection.h"

#include <fnmatch.h>

#include <algorithm>

namespace polc {

namespace {

bool is_glob(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

bool glob_matches(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

constexpr std::string_view kTagPrefix = "tag:";

}  // namespace

// True when `selector` names a peer rule the policy aliases: `tool:pattern` (cfn_nag, checkov,
// guard or cfn-lint), the pattern a glob matched against the rule id, so `cfn_nag:*` selects
// every policy that implements a cfn_nag rule.
bool alias_matches(const PolicyInfo& p, std::string_view selector) {
  const std::size_t colon = selector.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view tool = selector.substr(0, colon);
  if (tool != "cfn_nag" && tool != "checkov" && tool != "guard" && tool != "cfn-lint") return false;
  const std::string pattern(selector.substr(colon + 1));
  return std::any_of(p.aliases.begin(), p.aliases.end(), [&](const std::string& a) {
    return a.size() > colon && std::string_view(a).substr(0, colon + 1) == selector.substr(0, colon + 1) &&
           glob_matches(pattern, a.substr(colon + 1));
  });
}

bool selector_matches(const PolicyInfo& p, std::string_view selector) {
  if (alias_matches(p, selector)) return true;
  if (selector.substr(0, kTagPrefix.size()) == kTagPrefix) {
    const std::string pattern(selector.substr(kTagPrefix.size()));
    return std::any_of(p.tags.begin(), p.tags.end(),
                       [&](const std::string& t) { return glob_matches(pattern, t); });
  }
  if (p.id == selector || p.name == selector) return true;
  if (is_glob(selector)) {
    const std::string pattern(selector);
    return glob_matches(pattern, p.id) || glob_matches(pattern, p.name);
  }
  return std::find(p.tags.begin(), p.tags.end(), selector) != p.tags.end();
}

bool policy_selected(const PolicyInfo& p, const std::vector<std::string>& enable,
                     const std::vector<std::string>& disable) {
  auto named = [&](const std::string& s) { return selector_matches(p, s); };
  if (!enable.empty() && std::none_of(enable.begin(), enable.end(), named)) return false;
  return std::none_of(disable.begin(), disable.end(), named);
}

std::vector<std::string> split_selectors(const std::vector<std::string>& entries) {
  std::vector<std::string> out;
  for (const std::string& e : entries) {
    std::size_t start = 0;
    while (start <= e.size()) {
      std::size_t comma = e.find(',', start);
      if (comma == std::string::npos) comma = e.size();
      std::string_view piece = std::string_view(e).substr(start, comma - start);
      while (!piece.empty() && (piece.front() == ' ' || piece.front() == '\t'))
        piece.remove_prefix(1);
      while (!piece.empty() && (piece.back() == ' ' || piece.back() == '\t'))
        piece.remove_suffix(1);
      if (!piece.empty()) out.emplace_back(piece);
      start = comma + 1;
    }
  }
  return out;
}

std::vector<std::string> unmatched_selectors(const std::vector<std::string>& selectors,
                                             const std::vector<PolicyInfo>& known) {
  std::vector<std::string> out;
  for (const std::string& s : selectors)
    if (std::none_of(known.begin(), known.end(),
                     [&](const PolicyInfo& p) { return selector_matches(p, s); }))
      out.push_back(s);
  return out;
}

}  // namespace polc
