// The `text` reporter: compiler-style lines for terminals.
//
// Diagnostics and findings are interleaved in one order: by file, then line, then column, a
// diagnostic before a finding at the same position (both lists arrive sorted that way), so a
// reader sees everything about one template together. Each group of files is written as soon as
// it arrives (a terminal shows findings while the scan runs); a final summary line closes the
// report.
#include <tuple>

#include "engine/report/report_util.h"

namespace polc::internal {

namespace {

constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kReset = "\x1b[0m";

std::string_view severity_color(const Finding& f) {
  if (f.outcome == Outcome::kUnknown) return "\x1b[35m";
  switch (f.severity) {
    case Severity::kCritical:
      return "\x1b[1;31m";
    case Severity::kHigh:
      return "\x1b[31m";
    case Severity::kMedium:
      return "\x1b[33m";
    case Severity::kLow:
      return "\x1b[36m";
    case Severity::kInfo:
      return "\x1b[34m";
  }
  return "";
}

void render_finding(std::string& out, const Finding& f, const ReportOptions& options) {
  const bool color = options.color;
  if (color) out += kBold;
  append_location(out, f.location);
  out += ": ";
  if (color) out += severity_color(f);
  out += f.outcome == Outcome::kUnknown ? std::string_view("unknown") : severity_name(f.severity);
  if (color) {
    out += kReset;
    out += kBold;
  }
  out += ' ';
  out += rule_label(f);
  out += ' ';
  out += finding_message(f);
  if (f.suppressed) {
    out += " (suppressed";
    if (!f.suppression_reason.empty()) {
      out += ": ";
      out += f.suppression_reason;
    }
    out += ')';
  } else if (f.baselined) {
    out += " (baselined)";
  }
  if (color) out += kReset;
  out += '\n';
  append_source_snippet(out, f.location);
  for (const RelatedLocation& r : f.related) {
    append_location(out, r.location);
    out += ": note: ";
    out += r.message;
    out += '\n';
    append_source_snippet(out, r.location);
  }
  if (f.remediation.empty()) return;
  constexpr std::string_view kLabel = "  remediation: ";
  if (!options.verbose) {
    out += kLabel;
    out += first_line(f.remediation);
    out += '\n';
    return;
  }
  std::string_view rest = f.remediation;
  bool first = true;
  while (!rest.empty()) {
    const std::string_view line = first_line(rest);
    if (first) {
      out += kLabel;
    } else {
      out.append(kLabel.size(), ' ');
    }
    first = false;
    out += line;
    out += '\n';
    rest.remove_prefix(line.size());
    if (!rest.empty() && rest[0] == '\r') rest.remove_prefix(1);
    if (!rest.empty() && rest[0] == '\n') rest.remove_prefix(1);
  }
}

class TextWriter final : public BufferedWriter {
 public:
  using BufferedWriter::BufferedWriter;
  void begin(const ReportFrame& frame) override { frame_ = frame; }

  void add(const std::vector<Finding>& findings, const std::vector<Diagnostic>& errors) override {
    std::size_t e = 0;
    std::size_t f = 0;
    while (e < errors.size() || f < findings.size()) {
      bool take_error = f >= findings.size();
      if (!take_error && e < errors.size()) {
        const Location& a = errors[e].location;
        const Location& b = findings[f].location;
        take_error = std::tie(a.file, a.line, a.column) <= std::tie(b.file, b.line, b.column);
      }
      if (take_error) {
        out_ += render_diagnostic(errors[e++], options_.color);
        continue;
      }
      const Finding& finding = findings[f++];
      if (finding_listed(finding, options_)) render_finding(out_, finding, options_);
    }
    flush();  // a terminal shows each file's findings as soon as it is done
  }

  void finish(const ScanSummary& summary, int /*exit_code*/) override {
    out_ += summary_line(summary);
    out_ += '\n';
    flush();
  }
};

}  // namespace

std::unique_ptr<ReportWriter> make_text_writer(const ReportOptions& options, ReportSink& sink) {
  return std::make_unique<TextWriter>(options, sink);
}

}  // namespace polc::internal
