#include "engine/triage/suppression.h"

#include <algorithm>
#include <map>
#include <set>
#include <span>

namespace polc {
namespace {

struct Entry {
  std::string rule;
  std::string reason;
  std::string source;  // "metadata", "template-metadata", "cfn_nag", ...
  std::uint32_t offset = 0;  // of the entry, for the "matched nothing" warning
  bool used = false;         // suppressed at least one finding
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
      en.offset = item->offset;
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

void warn(std::vector<Diagnostic>& diags, const SourceFile& file, std::uint32_t offset,
          std::string message) {
  diags.push_back({DiagSeverity::kWarning,
                   "suppression",
                   std::move(message),
                   Location::at(file, offset),
                   {},
                   {}});
}

// Foreign formats: cfn_nag rules_to_suppress [{id, reason}], checkov skip [{id, comment}],
// guard SuppressedRules [names], cfn-lint config.ignore_checks [ids]. An entry of the wrong
// shape suppresses nothing and gets a warning: it is never dropped silently.
//
// cfn-guard has no suppression mechanism of its own: the rules of the AWS Guard Rules Registry
// filter their resources with `Metadata.guard.SuppressedRules.* != "RULE_NAME"`, a comparison
// with a string. A map entry ({RULE: reason}) or a number never equals the rule name, so cfn-guard
// does not suppress with it; polc does the same and says so.
void read_foreign(const SourceFile& file, const Value* metadata, std::vector<Entry>& out,
                  std::vector<Diagnostic>& diags) {
  if (!metadata) return;
  auto list_of = [&](const Value* v, const char* where) -> std::span<Value* const> {
    if (!v) return {};
    if (v->kind != ValueKind::kList) {
      warn(diags, file, v->offset,
           std::string(where) + " must be a list; this one suppresses nothing");
      return {};
    }
    return v->list();
  };
  auto entry = [&](const Value* it, std::string rule, std::string reason, const char* source) {
    Entry e{std::move(rule), std::move(reason), source};
    e.offset = it->offset;
    out.push_back(std::move(e));
  };
  if (const Value* nag = metadata->get("cfn_nag"))
    for (const Value* it :
         list_of(nag->get("rules_to_suppress"), "Metadata.cfn_nag.rules_to_suppress")) {
      const std::string id = it ? scalar_text(it->get("id")) : std::string();
      if (id.empty()) {
        warn(diags, file, it ? it->offset : nag->offset,
             "a cfn_nag suppression must be a map with an 'id' (and a 'reason'); this one "
             "suppresses nothing");
        continue;
      }
      entry(it, "cfn_nag:" + id, reason_or(scalar_text(it->get("reason")), "cfn_nag"), "cfn_nag");
    }
  if (const Value* ck = metadata->get("checkov"))
    for (const Value* it : list_of(ck->get("skip"), "Metadata.checkov.skip")) {
      const std::string id = it ? scalar_text(it->get("id")) : std::string();
      if (id.empty()) {
        warn(diags, file, it ? it->offset : ck->offset,
             "a checkov skip must be a map with an 'id' (and a 'comment'); this one suppresses "
             "nothing");
        continue;
      }
      entry(it, "checkov:" + id, reason_or(scalar_text(it->get("comment")), "checkov"), "checkov");
    }
  if (const Value* g = metadata->get("guard"))
    for (const Value* it : list_of(g->get("SuppressedRules"), "Metadata.guard.SuppressedRules")) {
      if (!it || it->kind != ValueKind::kString || it->str().empty()) {
        std::string msg = "Metadata.guard.SuppressedRules entries are rule names (strings)";
        if (it && it->kind == ValueKind::kMap && it->size == 1)
          msg += "; write '- " + std::string(it->entries[0].key) +
                 "' (cfn-guard's rules compare each entry with the rule name, so a map "
                 "{RULE: reason} suppresses nothing there either)";
        warn(diags, file, it ? it->offset : g->offset, msg + "; this entry suppresses nothing");
        continue;
      }
      entry(it, "guard:" + std::string(it->str()), "suppressed for cfn-guard", "guard");
    }
  if (const Value* lint = metadata->get("cfn-lint"))
    if (const Value* cfg = lint->get("config"))
      for (const Value* it :
           list_of(cfg->get("ignore_checks"), "Metadata.cfn-lint.config.ignore_checks")) {
        const std::string id = scalar_text(it);
        if (id.empty()) {
          warn(diags, file, it ? it->offset : cfg->offset,
               "Metadata.cfn-lint.config.ignore_checks entries are rule ids (strings); this one "
               "suppresses nothing");
          continue;
        }
        entry(it, "cfn-lint:" + id, "ignored for cfn-lint", "cfn-lint");
      }
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
                                 std::vector<Diagnostic>& diags,
                                 const std::function<bool(std::string_view id)>& ran) {
  const SourceFile& file = tmpl.file();
  std::vector<Entry> template_entries;
  const Value* top_meta = tmpl.root() ? tmpl.root()->get("Metadata") : nullptr;
  if (options.inline_suppressions) {
    read_polc(file, top_meta, "template-metadata", policies, template_entries, diags);
    if (options.foreign) read_foreign(file, top_meta, template_entries, diags);
  }
  std::map<std::string, std::vector<Entry>> by_resource;
  if (options.inline_suppressions) {
    for (const Resource& r : tmpl.resources()) {
      std::vector<Entry> entries;
      read_polc(file, r.metadata, "metadata", policies, entries, diags);
      if (options.foreign) read_foreign(file, r.metadata, entries, diags);
      if (!entries.empty()) by_resource[std::string(r.logical_id)] = std::move(entries);
    }
  }
  for (Finding& f : findings) {
    if (f.suppressed) continue;
    auto apply = [&](std::vector<Entry>& entries) {
      for (Entry& e : entries) {
        if (entry_matches(e, f, policies)) {
          e.used = true;
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
  // A polc suppression of a policy that ran but suppressed nothing: stale, misspelt in its
  // resource, or written where the findings are not (a standalone rule's findings name the
  // rule's resource, not its group's).
  auto ran_policy = [&](const std::string& rule) {
    for (const auto& p : policies)
      if ((p.id == rule || p.name == rule) && ran && ran(p.id)) return true;
    return false;
  };
  // Resources a transform generates (SAM: a function's role, URL, ...) carry their source's
  // Metadata, so one written suppression can be read several times: it is used when any of its
  // readings suppressed a finding, and reported once.
  std::set<std::uint32_t> used_offsets, reported;
  for (const auto& [id, entries] : by_resource)
    for (const Entry& e : entries)
      if (e.used) used_offsets.insert(e.offset);
  auto report_unused = [&](const std::vector<Entry>& entries, const std::string& where) {
    for (const Entry& e : entries)
      if (!e.used && (e.source == "metadata" || e.source == "template-metadata") &&
          ran_policy(e.rule) && !used_offsets.count(e.offset) && reported.insert(e.offset).second)
        diags.push_back({DiagSeverity::kWarning,
                         "suppression-unused",
                         "suppression of '" + e.rule + "' matched no finding " + where +
                             "; remove it, or move it to the resource the finding names",
                         Location::at(file, e.offset),
                         {},
                         {}});
  };
  for (const auto& [id, entries] : by_resource) report_unused(entries, "on " + id);
  report_unused(template_entries, "in this template");
}

}  // namespace polc
