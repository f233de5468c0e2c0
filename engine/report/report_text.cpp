// The `text` reporter: compiler-style lines for terminals; `compact`: the same first lines
// only, one line per finding and per diagnostic (for grep and editors' quickfix lists).
//
// Diagnostics and findings are interleaved in one order: by file, then line, then column, a
// diagnostic before a finding at the same position (both lists arrive sorted that way), so a
// reader sees everything about one template together. Each group of files is written as soon as
// it arrives (a terminal shows findings while the scan runs); a final summary line closes the
// report.
#include <cctype>
#include <tuple>
#include <unordered_map>

#include "engine/base/printable.h"
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

/// The finding's message, with its construct path beside the logical ID (at the first mention
/// of the ID in the message, else at the end) when the resource has one.
void append_message_with_construct(std::string& out, const Finding& f) {
  std::string message = finding_message(f);
  if (f.construct_path.empty()) {
    append_printable(out, message);
    return;
  }
  const std::string beside = " (" + f.construct_path + ")";
  std::size_t at = f.resource.empty() ? std::string::npos : message.find(f.resource);
  // Only a whole word: `Sg1` must not match inside `Sg10`.
  while (at != std::string::npos) {
    const std::size_t end = at + f.resource.size();
    const bool word_end =
        end == message.size() || !(std::isalnum(static_cast<unsigned char>(message[end])));
    const bool word_start = at == 0 || !std::isalnum(static_cast<unsigned char>(message[at - 1]));
    if (word_start && word_end) break;
    at = message.find(f.resource, at + 1);
  }
  if (at == std::string::npos) {
    append_printable(out, message);
    append_printable(out, beside);
    return;
  }
  at += f.resource.size();
  append_printable(out, message.substr(0, at));
  append_printable(out, beside);
  append_printable(out, message.substr(at));
}

void render_finding(std::string& out, const Finding& f, const ReportOptions& options, bool compact,
                    const std::vector<std::string>* aliases) {
  const bool color = options.color;
  if (color) out += kBold;
  append_location(out, f.location);
  out += ": ";
  if (color) out += severity_color(f);
  // The severity, then for undecided checks the outcome: "high (unknown)".
  out += severity_name(f.severity);
  if (f.outcome == Outcome::kUnknown) out += " (unknown)";
  if (color) {
    out += kReset;
    out += kBold;
  }
  out += ' ';
  // Every text below comes from a template or a policy: control characters are escaped
  // (engine/base/printable.h), so it cannot write lines or terminal sequences of its own.
  append_printable(out, rule_label(f));
  if (options.show_aliases && aliases && !aliases->empty()) {
    out += " [";
    for (std::size_t i = 0; i < aliases->size(); ++i) {
      if (i) out += ", ";
      append_printable(out, (*aliases)[i]);
    }
    out += ']';
  }
  out += ' ';
  append_message_with_construct(out, f);
  if (f.suppressed) {
    out += " (suppressed";
    if (!f.suppression_reason.empty()) {
      out += ": ";
      append_printable(out, f.suppression_reason);
    }
    out += ')';
  } else if (f.baselined) {
    out += " (baselined)";
  }
  if (color) out += kReset;
  out += '\n';
  if (compact) return;  // one line per finding: no snippet, notes or remediation
  append_source_snippet(out, f.location);
  for (const RelatedLocation& r : f.related) {
    append_location(out, r.location);
    out += ": note: ";
    append_printable(out, r.message);
    out += '\n';
    append_source_snippet(out, r.location);
  }
  if (f.remediation.empty()) return;
  constexpr std::string_view kLabel = "  remediation: ";
  if (!options.verbose) {
    out += kLabel;
    append_printable(out, first_line(f.remediation));
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
    append_printable(out, line);
    out += '\n';
    rest.remove_prefix(line.size());
    if (!rest.empty() && rest[0] == '\r') rest.remove_prefix(1);
    if (!rest.empty() && rest[0] == '\n') rest.remove_prefix(1);
  }
}

class TextWriter final : public BufferedWriter {
 public:
  TextWriter(const ReportOptions& options, ReportSink& sink, bool compact)
      : BufferedWriter(options, sink), compact_(compact) {}
  void begin(const ReportFrame& frame) override {
    frame_ = frame;
    aliases_.clear();
    for (const PolicyInfo& p : frame_.policies) aliases_[p.id] = &p.aliases;
  }

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
        const std::string text = render_diagnostic(errors[e++], options_.color);
        if (compact_) {
          out_ += first_line(text);
          if (options_.color) out_ += kReset;
          out_ += '\n';
        } else {
          out_ += text;
        }
        continue;
      }
      const Finding& finding = findings[f++];
      if (!finding_listed(finding, options_)) continue;
      auto it = aliases_.find(finding.policy_id);
      render_finding(out_, finding, options_, compact_,
                     it == aliases_.end() ? nullptr : it->second);
    }
    flush();  // a terminal shows each file's findings as soon as it is done
  }

  void finish(const ScanSummary& summary, int /*exit_code*/) override {
    out_ += summary_line(summary);
    out_ += '\n';
    flush();
  }

 private:
  bool compact_;
  // Policy id -> its aliases, pointing into frame_.policies (set in begin()).
  std::unordered_map<std::string, const std::vector<std::string>*> aliases_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_text_writer(const ReportOptions& options, ReportSink& sink) {
  return std::make_unique<TextWriter>(options, sink, false);
}

std::unique_ptr<ReportWriter> make_compact_writer(const ReportOptions& options, ReportSink& sink) {
  return std::make_unique<TextWriter>(options, sink, true);
}

}  // namespace polc::internal
