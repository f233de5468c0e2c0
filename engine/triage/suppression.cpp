#include "engine/triage/suppression.h"

#include <map>

namespace polc {
namespace {

struct Entry {
  std::string rule;
  std::string reason;
  std::string source;  // "metadata", "template-metadata", "cfn_nag", ...
};

bool policy_known(const std::vector<PolicyInfo>& policies, std::string_view rule) {
  for (const auto& p : policies)
    if (p.id == rule || p.name == rule) return true;
  return false;
}

// Does the policy declare an alias `tool:rule` matching a foreign suppression?
bool alias_matches(const PolicyInfo& p, std::string_view tool, std::string_view rule) {
  for (const auto& a : p.aliases) {
    std::size_t colon = a.find(':');
    if (colon == std::string::npos) continue;
    if (std::string_view(a).substr(0, colon) == tool && std::string_view(a).substr(colon + 1) == rule) return true;
  }
  return false;
}

std::string scalar_text(const Value* v) {
  if (!v) return {};
  switch (v->kind) {
    case ValueKind::kString: return std::string(v->str());
    case ValueKind::kInt: return std::to_string(v->integer);
    default: return {};
  }
}

void read_polc(const SourceFile& file, const Value* metadata, const char* source, const std::vector<PolicyInfo>& policies,
               std::vector<Entry>& out, std::vector<Diagnostic>& diags) {
  if (!metadata) return;
  const MapEntry* polc = metadata->find("polc");
  if (!polc || !polc->value) return;
  if (polc->value->kind != ValueKind::kMap) {
    diags.push_back({DiagSeverity::kWarning, "suppression", "Metadata.polc must be a map with a 'suppress' list",
                     Location::at(file, polc->key_offset), {}, {}});
    return;
  }
  for (const MapEntry& e : polc->value->map()) {
    if (e.key != "suppress") {
      diags.push_back({DiagSeverity::kWarning, "suppression",
                       "unknown key 'Metadata.polc." + std::string(e.key) + "' is ignored; did you mean 'suppress'?",
                       Location::at(file, e.key_offset), {}, {}});
      continue;
    }
    if (!e.value || e.value->kind != ValueKind::kList) {
      diags.push_back({DiagSeverity::kWarning, "suppression", "Metadata.polc.suppress must be a list of {rule, reason}",
                       Location::at(file, e.key_offset), {}, {}});
      continue;
    }
    for (const Value* item : e.value->list()) {
      if (!item || item->kind != ValueKind::kMap) {
        diags.push_back({DiagSeverity::kWarning, "suppression", "a suppression must be a map {rule, reason}",
                         Location::at(file, item ? item->offset : e.key_offset), {}, {}});
        continue;
      }
      Entry en;
      en.source = source;
      bool bad = false;
      for (const MapEntry& k : item->map()) {
        if (k.key == "rule") en.rule = scalar_text(k.value);
        else if (k.key == "reason") en.reason = scalar_text(k.value);
        else {
          diags.push_back({DiagSeverity::kWarning, "suppression",
                           "unknown key '" + std::string(k.key) + "' in a suppression; expected 'rule' and 'reason'",
                           Location::at(file, k.key_offset), {}, {}});
        }
      }
      if (en.rule.empty()) {
        diags.push_back({DiagSeverity::kWarning, "suppression", "suppression without 'rule' is ignored",
                         Location::at(file, item->offset), {}, {}});
        bad = true;
      } else if (en.reason.empty()) {
        diags.push_back({DiagSeverity::kWarning, "suppression",
                         "suppression of '" + en.rule + "' has no 'reason' and is ignored; a reason is required",
                         Location::at(file, item->offset), {}, {}});
        bad = true;
      } else if (!policy_known(policies, en.rule)) {
        diags.push_back({DiagSeverity::kWarning, "suppression", "suppression names unknown rule '" + en.rule + "'",
                         Location::at(file, item->offset), {}, {}});
      }
      if (!bad) out.push_back(std::move(en));
    }
  }
}

// A foreign suppression without a reason still suppresses (the tool it was written for allows
// that), but the report must not show an empty reason.
std::string reason_or(std::string reason, const char* tool) {
  if (!reason.empty()) return reason;
  return std::string("suppressed for ") + tool + " (no reason given)";
}

// Foreign formats: cfn_nag rules_to_suppress [{id, reason}], checkov skip [{id, comment}],
// guard SuppressedRules [names], cfn-lint config.ignore_checks [ids].
void read_foreign(const Value* metadata, std::vector<Entry>& out) {
  if (!metadata) return;
  if (const Value* nag = metadata->get("cfn_nag"))
    if (const Value* list = nag->get("rules_to_suppress"))
      for (const Value* it : list->list())
        out.push_back({"cfn_nag:" + scalar_text(it->get("id")),
                       reason_or(scalar_text(it->get("reason")), "cfn_nag"), "cfn_nag"});
  if (const Value* ck = metadata->get("checkov"))
    if (const Value* list = ck->get("skip"))
      for (const Value* it : list->list())
        out.push_back({"checkov:" + scalar_text(it->get("id")),
                       reason_or(scalar_text(it->get("comment")), "checkov"), "checkov"});
  if (const Value* g = metadata->get("guard"))
    if (const Value* list = g->get("SuppressedRules"))
      for (const Value* it : list->list()) out.push_back({"guard:" + scalar_text(it), "suppressed for cfn-guard", "guard"});
  if (const Value* lint = metadata->get("cfn-lint"))
    if (const Value* cfg = lint->get("config"))
      if (const Value* list = cfg->get("ignore_checks"))
        for (const Value* it : list->list())
          out.push_back({"cfn-lint:" + scalar_text(it), "ignored for cfn-lint", "cfn-lint"});
}

bool entry_matches(const Entry& e, const Finding& f, const std::vector<PolicyInfo>& policies) {
  if (e.source == "metadata" || e.source == "template-metadata") return e.rule == f.policy_id || e.rule == f.policy_name;
  std::size_t colon = e.rule.find(':');
  std::string tool = e.rule.substr(0, colon), rule = e.rule.substr(colon + 1);
  for (const auto& p : policies)
    if (p.id == f.policy_id && alias_matches(p, tool, rule)) return true;
  return false;
}

}  // namespace

void apply_template_suppressions(const Template& tmpl, const std::vector<PolicyInfo>& policies,
                                 const SuppressionOptions& options, std::vector<Finding>& findings,
                                 std::vector<Diagnostic>& diags) {
  const SourceFile& file = tmpl.file();
  std::vector<Entry> template_entries;
  const Value* top_meta = tmpl.root() ? tmpl.root()->get("Metadata") : nullptr;
  if (options.inline_suppressions) {
    read_polc(file, top_meta, "template-metadata", policies, template_entries, diags);
    if (options.foreign) read_foreign(top_meta, template_entries);
  }
  std::map<std::string, std::vector<Entry>> by_resource;
  if (options.inline_suppressions) {
    for (const Resource& r : tmpl.resources()) {
      std::vector<Entry> entries;
      read_polc(file, r.metadata, "metadata", policies, entries, diags);
      if (options.foreign) read_foreign(r.metadata, entries);
      if (!entries.empty()) by_resource[std::string(r.logical_id)] = std::move(entries);
    }
  }
  for (Finding& f : findings) {
    if (f.suppressed) continue;
    auto apply = [&](const std::vector<Entry>& entries) {
      for (const Entry& e : entries) {
        if (entry_matches(e, f, policies)) {
          f.suppressed = true;
          f.suppression_reason = e.reason;
          f.suppression_source = e.source;
          return true;
        }
      }
      return false;
    };
    if (auto it = by_resource.find(f.resource); it != by_resource.end() && apply(it->second)) continue;
    apply(template_entries);
  }
}

}  // namespace polc
