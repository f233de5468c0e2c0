// Helpers shared by the reporters (engine/report_*.cpp): paths relative to the scan root,
// fingerprints with a fallback, finding message text, severity mappings, and the per-format
// render functions that `render_report` dispatches to. Private to the reporters.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "engine/report/report.h"

namespace polc::internal {

/// `file` relative to `scan_root`, normalized with forward slashes ("./a/../b.yaml" -> "b.yaml").
/// Paths outside the root are returned normalized but otherwise unchanged. Purely lexical.
std::string report_relative_path(std::string_view file, std::string_view scan_root);

/// `f.fingerprint`, or, when the producer left it empty, one computed from its fields.
std::string finding_fingerprint(const Finding& f, std::string_view scan_root);

/// Appends `f` as an element of the JSON report's `findings` array (docs/json-report.md), as a
/// `JsonWriter` made for that depth (2, pretty) writes it: its line break and indentation first,
/// no comma. `aliases`: the peer rule ids of its policy, or null when the report does not list
/// the policy; `shard`: with the source lines of shard reports. Pure; thread-safe.
void append_json_finding(std::string& out, const Finding& f, std::string_view scan_root, bool shard,
                         const std::vector<std::string>* aliases);

/// Appends `f` as an element of a SARIF log's `runs[0].results` (engine/report/report_sarif.cpp),
/// as a `JsonWriter` made for that depth (4, pretty) writes it: its line break and indentation
/// first, no comma. `rule_index`: its rule's index in `tool.driver.rules`; `any_baselined`: the
/// run uses a baseline (every result gets a `baselineState`). Thread-safe.
void append_sarif_result(std::string& out, const Finding& f, std::size_t rule_index,
                         bool any_baselined, std::string_view scan_root);

/// Folds `f` into the digest of a shard report's findings (`merge.findings_digest`): FNV-1a 64
/// over its fingerprint, policy, file, line, resource, property path, severity, outcome,
/// suppression and baseline flags and message. Start from `kFnv64Offset`; `polc merge`
/// recomputes it from the findings it read and refuses a report whose findings changed.
std::uint64_t fold_finding_digest(std::uint64_t h, const Finding& f);
/// The digest as 16 lowercase hex digits.
std::string finding_digest_hex(std::uint64_t h);

/// The finding's message followed by " (when ...)" if it is conditional.
std::string finding_message(const Finding& f);

/// The three levels the CI formats share (SARIF `level`, GitHub annotation commands): critical
/// and high findings and error diagnostics are errors, medium findings and warnings are
/// warnings, low and info findings and notes are the lowest level. Each format names them.
enum class ReportLevel { kError, kWarning, kNote };
ReportLevel report_level(Severity s);
ReportLevel report_level(DiagSeverity s);

/// The first line of `text` (up to the first '\n' or '\r').
std::string_view first_line(std::string_view text);

/// `d.message`, then one line `note: FILE:LINE:COL: MESSAGE` per note (one-string formats:
/// SARIF notifications, GitHub annotations).
std::string message_with_notes(const Diagnostic& d);

/// `[ID name]`, or `[ID]` when the name is empty.
std::string rule_label(const Finding& f);

/// Whether `text`/`github` list `f`: unsuppressed, unbaselined findings, plus the others when
/// `options.show_suppressed`.
bool finding_listed(const Finding& f, const ReportOptions& options);

/// The one-line run summary used by `text` and `github`, without a trailing newline:
/// "polc: 12 templates checked, 3 skipped, 1 failed to load; findings: 2 high (1 suppressed);
/// 0.31s".
std::string summary_line(const ScanSummary& summary);

/// Base of the report writers: output is built in `out_` and handed to the sink in pieces.
class BufferedWriter : public ReportWriter {
 public:
  BufferedWriter(const ReportOptions& options, ReportSink& sink) : options_(options), sink_(sink) {}

 protected:
  /// Hands `out_` to the sink.
  void flush() {
    if (out_.empty()) return;
    sink_.write(out_);
    out_.clear();
  }

  ReportOptions options_;
  ReportSink& sink_;
  ReportFrame frame_;
  std::string out_;
};

std::unique_ptr<ReportWriter> make_text_writer(const ReportOptions& options, ReportSink& sink);
std::unique_ptr<ReportWriter> make_compact_writer(const ReportOptions& options, ReportSink& sink);
std::unique_ptr<ReportWriter> make_json_writer(const ReportOptions& options, ReportSink& sink);
std::unique_ptr<ReportWriter> make_sarif_writer(const ReportOptions& options, ReportSink& sink);
std::unique_ptr<ReportWriter> make_junit_writer(const ReportOptions& options, ReportSink& sink);
std::unique_ptr<ReportWriter> make_github_writer(const ReportOptions& options, ReportSink& sink);

}  // namespace polc::internal
