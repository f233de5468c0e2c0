// The `github` reporter: GitHub Actions workflow commands, one annotation per finding and per
// diagnostic, e.g. `::error file=a.yaml,line=3,col=5,title=[ID name]::message`.
//
// Levels: critical and high findings are `error`, medium `warning`, low and info `notice`;
// diagnostics keep their own severity. Escaping follows the Actions runner
// (toolkit/packages/core/src/command.ts): in the message `%`, CR and LF become %25, %0D and %0A;
// in property values also `:` and `,` become %3A and %2C. Suppressed and baselined findings are
// listed (as notices) only with `show_suppressed`. The report ends with the plain summary line.
#include "engine/base/utf8.h"
#include "engine/report/report_util.h"
#include "engine/report/spool.h"

namespace polc::internal {

namespace {

std::string escape_data(std::string_view text) {
  std::string out;
  for (char c : sanitize_utf8(text)) {
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

std::string_view annotation_level(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "notice";
  }
  return "warning";
}

std::string_view annotation_level(DiagSeverity s) {
  switch (s) {
    case DiagSeverity::kError:
      return "error";
    case DiagSeverity::kWarning:
      return "warning";
    case DiagSeverity::kNote:
      return "notice";
  }
  return "error";
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
  if (!loc.file.empty()) prop("file", report_relative_path(loc.file, scan_root));
  if (loc.line > 0) {
    prop("line", std::to_string(loc.line));
    if (loc.column > 0) prop("col", std::to_string(loc.column));
  }
  if (!title.empty()) prop("title", title);
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
      annotation(out_, annotation_level(d.severity), d.location, frame_.scan_root, title,
                 message_with_notes(d));
    }
    flush();
    std::string text;
    for (const Finding& f : findings) {
      if (!finding_listed(f, options_)) continue;
      const bool quiet = f.suppressed || f.baselined;
      std::string message = finding_message(f);
      if (f.suppressed) {
        message += " (suppressed";
        if (!f.suppression_reason.empty()) message += ": " + f.suppression_reason;
        message += ')';
      } else if (f.baselined) {
        message += " (baselined)";
      }
      for (const RelatedLocation& r : f.related) {
        message += "\nnote: ";
        append_location(message, r.location);
        message += ": ";
        message += r.message;
      }
      if (!f.remediation.empty()) {
        message += "\nremediation: ";
        message += first_line(f.remediation);
      }
      std::string title = rule_label(f);
      if (f.outcome == Outcome::kUnknown) title += " (unknown outcome)";
      annotation(text, quiet ? "notice" : annotation_level(f.severity), f.location,
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
