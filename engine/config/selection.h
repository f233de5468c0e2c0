// Policy selection: which policies a run includes, from `--only`/`--skip` (`enable`/`disable`
// in .polc.yaml). One function decides, so every command selects the same way.
//
// A selector is one of:
//   POLC-NET-001, vpce-sg-no-implicit-egress   a policy id or name (exact)
//   network                                    a tag (exact), when no id or name is spelled so
//   tag:network, tag:net*                      a tag only (glob allowed)
//   POLC-NET-*, sg-*                           a glob (`*`, `?`, `[...]`, fnmatch) over ids and
//   names
//   cfn_nag:W5, checkov:CKV_AWS_2*, cfn_nag:*  the policies aliased to a peer's rule (the part
//                                              after `tool:` a glob; tools: cfn_nag, checkov,
//                                              guard, cfn-lint)
// Flags and configuration lists may hold comma-separated selectors ("POLC-NET-*,tag:storage").
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/scan_result.h"

namespace polc {

/// True when `selector` names `p` (see the grammar above). Pure, thread-safe.
bool selector_matches(const PolicyInfo& p, std::string_view selector);

/// True when a run with these `enable` and `disable` selectors includes `p`: no `enable`
/// selector, or one that matches; and no `disable` selector that matches. Pure, thread-safe.
bool policy_selected(const PolicyInfo& p, const std::vector<std::string>& enable,
                     const std::vector<std::string>& disable);

/// Splits each entry at commas, trims blanks and drops empty pieces: {"a,b", " c"} -> {a, b, c}.
std::vector<std::string> split_selectors(const std::vector<std::string>& entries);

/// The selectors among `selectors` that match none of `known` (a typo would otherwise select
/// nothing, silently). Pure.
std::vector<std::string> unmatched_selectors(const std::vector<std::string>& selectors,
                                             const std::vector<PolicyInfo>& known);

}  // namespace polc
