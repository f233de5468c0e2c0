// Stage engine/report (above scan): the writers (text, JSON, SARIF, JUnit, GitHub annotations),
// spooling of sections that need end-of-scan data, and `polc merge` of shard reports.
//
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
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/scan_result.h"

namespace polc {

/// `kCompact`: the text format's first lines only, one line per finding and diagnostic.
enum class ReportFormat { kText, kJson, kSarif, kJunit, kGithub, kCompact };

/// Parses "text", "json", "sarif", "junit", "github" or "compact" (case-insensitive) into `out`.
/// Returns false, leaving `out` alone, for anything else.
bool parse_report_format(std::string_view text, ReportFormat& out);
/// The name `parse_report_format` accepts for `format`.
std::string_view report_format_name(ReportFormat format);

struct ReportOptions {
  /// ANSI colours in `text` and `compact` output (`--color`; by default for terminals);
  /// ignored by other formats.
  bool color = false;
  /// `text` and `github`: also list suppressed and baselined findings, marked as such. The
  /// machine formats (json, sarif, junit) always include them, flagged, so tools can count them.
  bool show_suppressed = false;
  /// `text`: print the whole remediation instead of its first line.
  bool verbose = false;
  /// `text` and `compact` (`--show-aliases`): print the peer rule ids a finding's policy aliases
  /// (`[checkov:CKV_AWS_23, cfn_nag:W5]`) after its policy id. JSON (`aliases`) and SARIF (rule
  /// `properties.aliases`) always carry them.
  bool show_aliases = false;
  /// polc's version (`tool.version` in JSON, `tool.driver.version` in SARIF); may be empty.
  std::string tool_version;
  /// Version of the policy pack in use; may be empty.
  std::string pack_version;
  /// SARIF `tool.driver.informationUri` (the project's home page); omitted when empty.
  std::string information_uri;
};

/// Where a report's bytes go. Not thread-safe.
class ReportSink {
 public:
  virtual ~ReportSink() = default;
  virtual void write(std::string_view bytes) = 0;
  /// False once a write failed or a writer could not produce part of the report.
  bool ok() const { return ok_; }
  void set_failed() { ok_ = false; }

 private:
  bool ok_ = true;
};

/// Appends to a caller-owned string, which must outlive the sink.
class StringSink final : public ReportSink {
 public:
  explicit StringSink(std::string& out) : out_(out) {}
  void write(std::string_view bytes) override { out_.append(bytes); }

 private:
  std::string& out_;
};

/// Writes to a caller-owned `FILE*` (not closed by the sink). `ok()` is false once a write
/// failed (a full disk, a closed pipe); later writes are skipped.
class FileSink : public ReportSink {
 public:
  explicit FileSink(std::FILE* file) : file_(file) {}
  void write(std::string_view bytes) override;

 private:
  std::FILE* file_;
};

/// What a report needs before its first finding.
struct ReportFrame {
  std::vector<PolicyInfo> policies;  // the active policy set, sorted by id
  std::string scan_root = ".";       // for SARIF artifact URIs
  ShardInfo shard;                   // set by sharded runs
  /// A baseline takes part in the run (`--baseline`, `--write-baseline`, or baselined findings
  /// in a merged report): SARIF then gives every result a `baselineState`.
  bool baseline_used = false;
};

/// A report written while the scan runs: `begin`, then `add` once per group of files in report
/// order, then `finish`. (`polc check` adds one group per template, then one with what is known
/// only at the end, such as the waivers' warnings.) The output is byte-identical to `render_report`
/// of the whole result, however the findings are grouped, as long as the groups come in file order.
/// Sections that precede end-of-scan data in the format (the SARIF results, the JSON errors, the
/// JUnit suites) are spooled, to a temporary file past `kReportSpoolMemoryBytes`, so memory stays
/// flat whatever the number of files. Not thread-safe; one writer per report.
class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual void begin(const ReportFrame& frame) = 0;
  /// The next findings (sorted by `finding_less`) and diagnostics (sorted by file, line and
  /// column) of one or more files, which come after those of earlier calls in file order.
  virtual void add(const std::vector<Finding>& findings, const std::vector<Diagnostic>& diags) = 0;
  /// Renders `finding` as `add` would write it into `finding.rendered` (and sets
  /// `finding.rendered_by` to this writer), so that `add` only copies it; writers that do not
  /// pre-render leave the finding alone. Thread-safe (reads only what `begin` set): `polc check`
  /// calls it on the scan's workers, concurrently with each other and with `add`, after `begin`.
  /// The caller clears `rendered_by` if the finding changes before `add`.
  virtual void prerender(Finding& /*finding*/) const {}
  /// Says that template `file` (as findings name it) was checked, before the `add` of its group;
  /// writers that list passing checks (JUnit: a test case per template and policy) use it.
  virtual void template_checked(std::string_view /*file*/) {}
  /// Writes what depends on the whole scan (summary, exit code) and the spooled sections.
  virtual void finish(const ScanSummary& summary, int exit_code) = 0;
};

/// A writer for `format` writing to `sink`, which must outlive it.
std::unique_ptr<ReportWriter> make_report_writer(ReportFormat format, const ReportOptions& options,
                                                 ReportSink& sink);

/// Renders `result` in `format`. Returns the whole document, ending with a newline (text output
/// with nothing to say is just the summary line). Reads only its arguments; thread-safe.
std::string render_report(const ScanResult& result, ReportFormat format,
                          const ReportOptions& options);

}  // namespace polc
