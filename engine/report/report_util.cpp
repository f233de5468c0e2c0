#include "engine/report/report_util.h"

#include <charconv>
#include <cmath>
#include <filesystem>

#include "engine/triage/fingerprint.h"

namespace polc::internal {

std::string report_relative_path(std::string_view file, std::string_view scan_root) {
  std::string path = normalize_report_path(file);
  if (!path.empty()) {
    path = std::filesystem::path(path).lexically_normal().generic_string();
  }
  std::string root = normalize_report_path(scan_root);
  if (!root.empty()) root = std::filesystem::path(root).lexically_normal().generic_string();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (root.empty() || root == ".") return path;
  if (root == "/") return path.size() > 1 && path[0] == '/' ? path.substr(1) : path;
  if (path.size() > root.size() && path.compare(0, root.size(), root) == 0 &&
      path[root.size()] == '/') {
    return path.substr(root.size() + 1);
  }
  return path;
}

std::string finding_fingerprint(const Finding& f, std::string_view scan_root) {
  if (!f.fingerprint.empty()) return f.fingerprint;
  return compute_fingerprint(f.policy_id, report_relative_path(f.location.file, scan_root),
                             f.resource, f.property_path);
}

std::string finding_message(const Finding& f) {
  std::string out = f.message;
  if (!f.conditions.empty() || !f.deployments.empty()) {
    out += " (";
    out += describe_deployments(f.deployments);
    if (!f.conditions.empty() && !f.deployments.empty()) out += ", ";
    out += describe_conditions(f.conditions);
    out += ')';
  }
  return out;
}

std::string_view first_line(std::string_view text) {
  const std::size_t end = text.find_first_of("\r\n");
  return end == std::string_view::npos ? text : text.substr(0, end);
}

std::string rule_label(const Finding& f) {
  std::string out = "[";
  out += f.policy_id;
  if (!f.policy_name.empty()) {
    if (!f.policy_id.empty()) out += ' ';
    out += f.policy_name;
  }
  out += ']';
  return out;
}

bool finding_listed(const Finding& f, const ReportOptions& options) {
  return options.show_suppressed || (!f.suppressed && !f.baselined);
}

namespace {

void append_count(std::string& out, std::uint64_t n, std::string_view singular,
                  std::string_view plural) {
  out += std::to_string(n);
  out += ' ';
  out += n == 1 ? singular : plural;
}

}  // namespace

std::string message_with_notes(const Diagnostic& d) {
  std::string text = d.message;
  for (const DiagNote& n : d.notes) {
    text += "\nnote: ";
    append_location(text, n.location);
    text += ": ";
    text += n.message;
  }
  return text;
}

std::uint64_t fold_finding_digest(std::uint64_t h, const Finding& f) {
  const char end = static_cast<char>(0xFF);
  auto field = [&](std::string_view s) {
    h = fnv1a64(h, s);
    h = fnv1a64(h, std::string_view(&end, 1));
  };
  field(f.fingerprint);
  field(f.policy_id);
  field(f.location.file);
  field(std::to_string(f.location.line));
  field(f.resource);
  field(f.property_path);
  field(severity_name(f.severity));
  field(f.outcome == Outcome::kUnknown ? "unknown" : "fail");
  field(f.suppressed ? "suppressed" : "-");
  field(f.baselined ? "baselined" : "-");
  field(f.message);
  return h;
}

std::string finding_digest_hex(std::uint64_t h) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kHex[h & 0xF];
    h >>= 4;
  }
  return out;
}

std::string summary_line(const ScanSummary& s) {
  std::string out = "polc: ";
  append_count(out, s.templates_checked, "template checked", "templates checked");
  if (s.files_skipped > 0) {
    out += ", ";
    append_count(out, s.files_skipped, "skipped", "skipped");
  }
  if (s.templates_failed > 0) {
    out += ", ";
    append_count(out, s.templates_failed, "failed to load", "failed to load");
  }
  out += "; findings: ";
  bool any = false;
  for (int i = 0; i < 5; ++i) {
    if (s.findings_by_severity[i] == 0) continue;
    if (any) out += ", ";
    any = true;
    out += std::to_string(s.findings_by_severity[i]);
    out += ' ';
    out += severity_name(static_cast<Severity>(i));
  }
  // Unknown outcomes are findings (they fail the run unless --no-fail-on-unknown).
  if (s.unknown > 0) {
    if (any) out += ", ";
    any = true;
    out += std::to_string(s.unknown);
    out += " unknown";
  }
  if (!any) out += "none";
  std::string extra;
  const auto add_extra = [&](std::uint64_t n, std::string_view what) {
    if (n == 0) return;
    if (!extra.empty()) extra += ", ";
    extra += std::to_string(n);
    extra += ' ';
    extra += what;
  };
  add_extra(s.suppressed, "suppressed");
  add_extra(s.baselined, "baselined");
  if (!extra.empty()) {
    out += " (";
    out += extra;
    out += ')';
  }
  if (s.incomplete > 0) {
    out += "; ";
    append_count(out, s.incomplete, "policy run incomplete", "policy runs incomplete");
  }
  out += "; ";
  const double secs =
      std::isfinite(s.elapsed_seconds) && s.elapsed_seconds >= 0 ? s.elapsed_seconds : 0;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, secs, std::chars_format::fixed, 2);
  if (res.ec != std::errc()) res = std::to_chars(buf, buf + sizeof buf, secs);
  out.append(buf, res.ptr);
  out += 's';
  return out;
}

ReportLevel report_level(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return ReportLevel::kError;
    case Severity::kMedium:
      return ReportLevel::kWarning;
    case Severity::kLow:
    case Severity::kInfo:
      return ReportLevel::kNote;
  }
  return ReportLevel::kWarning;
}

ReportLevel report_level(DiagSeverity s) {
  switch (s) {
    case DiagSeverity::kError:
      return ReportLevel::kError;
    case DiagSeverity::kWarning:
      return ReportLevel::kWarning;
    case DiagSeverity::kNote:
      return ReportLevel::kNote;
  }
  return ReportLevel::kError;
}

}  // namespace polc::internal
