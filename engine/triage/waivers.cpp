#include "engine/triage/waivers.h"

#include <cstdio>
#include <ctime>
#include <utility>

#include "engine/base/glob.h"
#include "engine/base/limits.h"
#include "engine/load/data_file.h"
#include "engine/triage/fingerprint.h"

namespace polc {
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

bool rule_matches(const Waiver& w, const Finding& f) {
  return w.rule == f.policy_id || w.rule == f.policy_name;
}

bool waiver_matches(const Waiver& w, const Finding& f, const std::string& file) {
  if (!rule_matches(w, f)) return false;
  if (!w.resource.empty() && w.resource != f.resource) return false;
  return path_matches_glob(w.path, file);
}

void parse_one(const SourceFile& file, const Value* item, std::vector<Waiver>& out,
               Diagnostics& diags, bool& ok) {
  if (!item || item->kind != ValueKind::kMap) {
    diags.error("waiver", Location::at(file, item ? item->offset : 0),
                "a waiver must be a map with 'rule', 'path' and 'reason' (and optionally "
                "'resource' and 'expires')");
    ok = false;
    return;
  }
  Waiver w;
  w.location = Location::at(file, item->offset);
  bool bad = false;
  for (const MapEntry& e : item->map()) {
    std::string text = internal::scalar_string(e.value);
    bool scalar = e.value && e.value->kind != ValueKind::kList &&
                  e.value->kind != ValueKind::kMap && e.value->kind != ValueKind::kNull;
    if (e.key != "rule" && e.key != "path" && e.key != "resource" && e.key != "reason" &&
        e.key != "expires") {
      diags.error("waiver", Location::at(file, e.key_offset),
                  "unknown key '" + std::string(e.key) +
                      "' in a waiver; expected rule, path, resource, reason or expires");
      bad = true;
      continue;
    }
    if (!scalar || text.empty()) {
      diags.error("waiver", Location::at(file, e.value ? e.value->offset : e.key_offset),
                  "waiver key '" + std::string(e.key) + "' needs a non-empty text value");
      bad = true;
      continue;
    }
    if (e.key == "rule")
      w.rule = text;
    else if (e.key == "path")
      w.path = text;
    else if (e.key == "resource")
      w.resource = text;
    else if (e.key == "reason")
      w.reason = text;
    else {
      CivilDate d;
      if (!parse_civil_date(text, d)) {
        diags.error("waiver", Location::at(file, e.value->offset),
                    "'expires' must be a date written YYYY-MM-DD, got '" + text + "'");
        bad = true;
      } else {
        w.expires = d;
      }
    }
  }
  const std::pair<const char*, const std::string*> required[] = {
      {"rule", &w.rule}, {"path", &w.path}, {"reason", &w.reason}};
  for (const auto& [key, value] : required) {
    if (!value->empty() || bad) continue;
    diags.error("waiver", w.location,
                std::string("waiver without '") + key +
                    "'; every waiver needs rule, path and reason (path: \"**\" means all files)");
    bad = true;
  }
  if (bad) {
    ok = false;
    return;
  }
  out.push_back(std::move(w));
}

}  // namespace

bool parse_civil_date(std::string_view t, CivilDate& out) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return false;
  auto num = [&](std::size_t at, std::size_t n, int& v) {
    v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    return true;
  };
  CivilDate d;
  if (!num(0, 4, d.year) || !num(5, 2, d.month) || !num(8, 2, d.day)) return false;
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
    return false;
  out = d;
  return true;
}

std::string format_civil_date(const CivilDate& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

CivilDate today_utc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return CivilDate{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

bool parse_waivers(const SourceFile& file, const Value* node, std::vector<Waiver>& out,
                   Diagnostics& diags) {
  if (node && node->kind == ValueKind::kMap) {
    for (const MapEntry& e : node->map()) {
      if (e.key != "waivers") {
        diags.error(
            "waiver", Location::at(file, e.key_offset),
            "unknown key '" + std::string(e.key) + "' in a waiver file; expected a 'waivers' list");
        return false;
      }
    }
    node = node->get("waivers");
  }
  if (!node || node->kind == ValueKind::kNull) return true;  // an empty file: no waivers
  if (node->kind != ValueKind::kList) {
    diags.error("waiver", Location::at(file, node->offset),
                "waivers must be a list of maps with 'rule', 'path' and 'reason'");
    return false;
  }
  bool ok = true;
  for (const Value* item : node->list()) parse_one(file, item, out, diags, ok);
  return ok;
}

bool load_waiver_file(const std::string& path, std::vector<Waiver>& out, Diagnostics& diags) {
  auto doc = internal::read_data_file(path, kMaxConfigBytes, diags);
  if (!doc) return false;
  return parse_waivers(*doc->file, doc->root, out, diags);
}

WaiverApplier::WaiverApplier(const std::vector<Waiver>& waivers, const CivilDate& today,
                             const std::vector<PolicyInfo>& known)
    : waivers_(waivers), today_(today), known_(known), expired_hits_(waivers.size(), 0) {}

void WaiverApplier::apply(std::vector<Finding>& findings) {
  if (waivers_.empty()) return;
  std::string raw, file;  // the last finding's file and its normalized form (findings come by file)
  for (Finding& f : findings) {
    if (f.suppressed) continue;
    if (raw.empty() || f.location.file != raw) {
      raw = f.location.file;
      file = normalize_report_path(raw);
    }
    for (std::size_t w = 0; w < waivers_.size(); ++w) {
      const Waiver& wv = waivers_[w];
      if (!waiver_matches(wv, f, file)) continue;
      if (wv.expires && today_ > *wv.expires) {
        ++expired_hits_[w];
        continue;
      }
      f.suppressed = true;
      f.suppression_source = "waiver";
      f.suppression_reason = wv.reason;
      break;
    }
  }
}

void WaiverApplier::finish(std::vector<Diagnostic>& diags) const {
  for (std::size_t w = 0; w < waivers_.size(); ++w) {
    const Waiver& wv = waivers_[w];
    bool known_rule = false;
    for (const PolicyInfo& p : known_) known_rule |= p.id == wv.rule || p.name == wv.rule;
    if (!known_rule) {
      diags.push_back({DiagSeverity::kWarning,
                       "waiver-unknown-rule",
                       "waiver names unknown policy '" + wv.rule +
                           "'; check the id or name with `polc explain`",
                       wv.location,
                       {},
                       {}});
    }
    if (wv.expires && today_ > *wv.expires) {
      const std::size_t hits = expired_hits_[w];
      std::string msg = "waiver for '" + wv.rule + "' on '" + wv.path + "'";
      if (!wv.resource.empty()) msg += " (resource " + wv.resource + ")";
      msg += " expired on " + format_civil_date(*wv.expires) + " and no longer suppresses; " +
             std::to_string(hits) + " finding" + (hits == 1 ? "" : "s") +
             " matched it. Fix the findings, or renew 'expires' with a reason";
      diags.push_back(
          {DiagSeverity::kWarning, "waiver-expired", std::move(msg), wv.location, {}, {}});
    }
  }
}

void apply_waivers(const std::vector<Waiver>& waivers, const CivilDate& today,
                   const std::vector<PolicyInfo>& known, std::vector<Finding>& findings,
                   std::vector<Diagnostic>& diags) {
  WaiverApplier applier(waivers, today, known);
  applier.apply(findings);
  applier.finish(diags);
}

}  // namespace polc
