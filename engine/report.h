// Reporters: turn a `ScanResult` into the text a user or a CI system reads.
//
// Five formats share one entry point. `text` is compiler-style output for terminals; `json` is
// polc's own stable machine format (docs/json-report.md); `sarif` is SARIF 2.1.0 for code
// scanning; `junit` is JUnit XML for CI test tabs; `github` is GitHub Actions workflow commands
// (annotations). Every reporter is a pure function of its inputs: the same `ScanResult` gives
// byte-identical output, whatever the thread count of the scan, so reports can be diffed and
// kept as golden files. Machine formats always carry valid UTF-8 (invalid bytes become U+FFFD)
// and escape everything their syntax requires.
#pragma once
#include <string>
#include <string_view>

#include "engine/scan_result.h"

namespace polc {

enum class ReportFormat { kText, kJson, kSarif, kJunit, kGithub };

/// Parses "text", "json", "sarif", "junit" or "github" (case-insensitive) into `out`. Returns
/// false, leaving `out` alone, for anything else.
bool parse_report_format(std::string_view text, ReportFormat& out);
/// The name `parse_report_format` accepts for `format`.
std::string_view report_format_name(ReportFormat format);

struct ReportOptions {
  /// ANSI colours in `text` output (the CLI sets it for terminals); ignored by other formats.
  bool color = false;
  /// `text` and `github`: also list suppressed and baselined findings, marked as such. The
  /// machine formats (json, sarif, junit) always include them, flagged, so tools can count them.
  bool show_suppressed = false;
  /// `text`: print the whole remediation instead of its first line.
  bool verbose = false;
  /// polc's version (`tool.version` in JSON, `tool.driver.version` in SARIF); may be empty.
  std::string tool_version;
  /// Version of the policy pack in use; may be empty.
  std::string pack_version;
  /// SARIF `tool.driver.informationUri` (the project's home page); omitted when empty.
  std::string information_uri;
};

/// Renders `result` in `format`. Returns the whole document, ending with a newline (text output
/// with nothing to say is just the summary line). Reads only its arguments; thread-safe.
std::string render_report(const ScanResult& result, ReportFormat format,
                          const ReportOptions& options);

}  // namespace polc
