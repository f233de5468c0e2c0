// The `github` reporter: GitHub Actions workflow commands, one annotation per finding and per
// diagnostic, e.g. `::error file=a.yaml,line=3,col=5,title=[ID name]::message`.
//
// Levels: critical and high findings are `error`, medium `warning`, low and info `notice`;
// diagnostics keep their own severity. Escaping follows the Actions runner
// (toolkit/packages/core/src/command.ts): in the message `%`, CR and LF become %25, %0D and %0A;
// in property values also `:` and `,` become %3A and %2C. Text that comes from a template or a
// policy (file names, logical IDs, messages) first has its control characters escaped
// (engine/base/printable.h): its own newlines show as `\n` instead of breaking the annotation into
// lines, and no ESC sequence reaches the log. Suppressed and baselined findings are
// listed (as notices) only with `show_suppressed`. The report ends with the plain summary line.
#include <algorithm>

#include "engine/base/printable.h"
#include "engine/base/utf8.h"
#include "engine/report/report_util.h"
#include "engine/report/spool.h"

namespace polc::internal {

namespace {

/// `text` as a workflow command's data. Its control characters other than the line breaks that
/// the annotation itself puts between parts (escaped as %0D, %0A) are escaped visibly.
std::string escape_data(std::string_view text) {
  std::string out;
  std::string safe;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t nl = std::min(text.find_first_of("\r\n", i), text.size());
    append_printable(safe, text.substr(i, nl - i));
    if (nl < text.size()) safe += text[nl];
    i = nl + 1;
  }
  for (char c : sanitize_utf8(safe)) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string escape_property(std::string_view text) {
  std::string out;
  for (char c : escape_data(text)) {
    switch (c) {
      case ':':
        out += "%3A";
        break;
      case ',':
        out += "%2C";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// GitHub's workflow command for a level (`::error`, `::warning`, `::notice`).
std::string_view annotation_level(ReportLevel level) {
  static constexpr std::string_view kWords[] = {"error", "warning", "notice"};
  return kWords[static_cast<int>(level)];
}

void annotation(std::string& out, std::string_view level, const Location& loc,
                std::string_view scan_root, std::string_view title, std::string_view message) {
  out += "::";
  out += level;
  char sep = ' ';
  const auto prop = [&](std::string_view name, std::string_view value) {
    out += sep;
    sep = ',';
    out += name;
    out += '=';
    out += escape_property(value);
  };
  if (!loc.file.empty()) prop("file", printable(report_relative_path(loc.file, scan_root)));
  if (loc.line > 0) {
    prop("line", std::to_string(loc.line));
    if (loc.column > 0) prop("col", std::to_string(loc.column));
  }
  if (!title.empty()) prop("title", printable(title));
  out += "::";
  out += escape_data(message);
  out += '\n';
}

/// All diagnostics come before all findings: diagnostics go out as they arrive, findings are
/// spooled until the end.
class GithubWriter final : public BufferedWriter {
 public:
  using BufferedWriter::BufferedWriter;
  void begin(const ReportFrame& frame) override { frame_ = frame; }

  void add(const std::vector<Finding>& findings, const std::vector<Diagnostic>& errors) override {
    for (const Diagnostic& d : errors) {
      std::string title = "polc";
      if (!d.code.empty()) title += " " + d.code;
      std::string message = printable(d.message);
      for (const DiagNote& n : d.notes) {
        message += "\nnote: ";
        append_location(message, n.location);
        message += ": ";
        append_printable(message, n.message);
      }
      annotation(out_, annotation_level(report_level(d.severity)), d.location, frame_.scan_root,
                 title, message);
    }
    flush();
    std::string text;
    for (const Finding& f : findings) {
      if (!finding_listed(f, options_)) continue;
      const bool quiet = f.suppressed || f.baselined;
      std::string message = printable(finding_message(f));
      if (f.suppressed) {
        message += " (suppressed";
        if (!f.suppression_reason.empty()) message += ": " + printable(f.suppression_reason);
        message += ')';
      } else if (f.baselined) {
        message += " (baselined)";
      }
      for (const RelatedLocation& r : f.related) {
        message += "\nnote: ";
        append_location(message, r.location);
        message += ": ";
        append_printable(message, r.message);
      }
      if (!f.remediation.empty()) {
        message += "\nremediation: ";
        append_printable(message, first_line(f.remediation));
      }
      std::string title = rule_label(f);
      if (f.outcome == Outcome::kUnknown) title += " (unknown outcome)";
      annotation(text, quiet ? "notice" : annotation_level(report_level(f.severity)), f.location,
                 frame_.scan_root, title, message);
    }
    findings_.append(text);
  }

  void finish(const ScanSummary& summary, int /*exit_code*/) override {
    findings_.copy_to(sink_);
    out_ += summary_line(summary);
    out_ += '\n';
    flush();
  }

 private:
  Spool findings_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_github_writer(const ReportOptions& options, ReportSink& sink) {
  return std::make_unique<GithubWriter>(options, sink);
}

}  // namespace polc::internal
