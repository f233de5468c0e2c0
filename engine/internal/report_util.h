// Helpers shared by the reporters (engine/report_*.cpp): paths relative to the scan root,
// fingerprints with a fallback, finding message text, severity mappings, and the per-format
// render functions that `render_report` dispatches to. Private to the reporters.
#pragma once
#include <string>
#include <string_view>

#include "engine/report.h"

namespace polc::internal {

/// `file` relative to `scan_root`, normalized with forward slashes ("./a/../b.yaml" -> "b.yaml").
/// Paths outside the root are returned normalized but otherwise unchanged. Purely lexical.
std::string report_relative_path(std::string_view file, std::string_view scan_root);

/// `f.fingerprint`, or, when the producer left it empty, one computed from its fields.
std::string finding_fingerprint(const Finding& f, std::string_view scan_root);

/// The finding's message followed by " (when ...)" if it is conditional.
std::string finding_message(const Finding& f);

/// The first line of `text` (up to the first '\n' or '\r').
std::string_view first_line(std::string_view text);

/// `[ID name]`, or `[ID]` when the name is empty.
std::string rule_label(const Finding& f);

/// Whether `text`/`github` list `f`: unsuppressed, unbaselined findings, plus the others when
/// `options.show_suppressed`.
bool finding_listed(const Finding& f, const ReportOptions& options);

/// The one-line run summary used by `text` and `github`, without a trailing newline:
/// "polc: 12 templates checked, 3 skipped, 1 failed to load; findings: 2 high (1 suppressed);
/// 0.31s".
std::string summary_line(const ScanResult& result);

std::string render_text(const ScanResult& result, const ReportOptions& options);
std::string render_json(const ScanResult& result, const ReportOptions& options);
std::string render_sarif(const ScanResult& result, const ReportOptions& options);
std::string render_junit(const ScanResult& result, const ReportOptions& options);
std::string render_github(const ScanResult& result, const ReportOptions& options);

}  // namespace polc::internal
