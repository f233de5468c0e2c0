// The `junit` reporter: JUnit XML for CI test tabs (Jenkins, GitLab, Azure Pipelines, ...).
//
// One <testsuite> per template that has findings or diagnostics, named by its path, in path
// order. Inside it, one <testcase> per (policy, resource) pair: classname is the policy name,
// name the logical ID ("<template>" for template-level findings). Its live findings form one
// <failure> (type = severity, message = the first finding's message, body = every finding in
// compiler style); a pair whose findings are all suppressed or baselined is <skipped>. Each
// error diagnostic is a <testcase> with an <error>; warnings and notes go to the suite's
// <system-err>. polc only knows the files that produced something, so clean templates have no
// suite. The root element carries the totals, so the suites are spooled while the scan runs. Text
// is escaped for XML 1.0: characters XML cannot carry at all (most C0 controls, invalid UTF-8)
// become U+FFFD.
#include <map>
#include <set>

#include "engine/base/utf8.h"
#include "engine/report/report_util.h"
#include "engine/report/spool.h"

namespace polc::internal {

namespace {

/// Appends `text` escaped for XML character data, or for a double-quoted attribute value when
/// `attribute` (then line breaks and tabs become character references so they survive
/// attribute-value normalization).
void append_xml(std::string& out, std::string_view text, bool attribute) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = decode_utf8(text, i, cp);
    const bool valid_bytes = !(cp == kReplacementChar && n == 1);
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += attribute ? "&quot;" : "\"";
        break;
      case '\'':
        out += attribute ? "&apos;" : "'";
        break;
      case '\n':
        out += attribute ? "&#10;" : "\n";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        break;
      default:
        if (!valid_bytes || cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF) {
          append_utf8(out, kReplacementChar);
        } else {
          out.append(text.substr(i, n));
        }
    }
    i += n;
  }
}

void attr(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  append_xml(out, value, true);
  out += '"';
}

void attr(std::string& out, std::string_view name, std::uint64_t value) {
  attr(out, name, std::to_string(value));
}

struct Case {
  std::string classname;
  std::string name;
  const Finding* first = nullptr;     // first finding of the pair (for file and line)
  std::vector<const Finding*> live;   // unsuppressed, unbaselined
  std::vector<const Finding*> quiet;  // suppressed or baselined
};

struct Suite {
  std::vector<Case> cases;
  std::map<std::pair<std::string, std::string>, std::size_t> case_index;
  std::vector<const Diagnostic*> errors;
  std::vector<const Diagnostic*> messages;  // warnings and notes
};

std::string finding_line(const Finding& f) {
  std::string out;
  append_location(out, f.location);
  out += ": ";
  out += f.outcome == Outcome::kUnknown ? std::string_view("unknown") : severity_name(f.severity);
  out += ' ';
  out += rule_label(f);
  out += ' ';
  out += finding_message(f);
  out += '\n';
  for (const RelatedLocation& r : f.related) {
    append_location(out, r.location);
    out += ": note: ";
    out += r.message;
    out += '\n';
  }
  if (!f.remediation.empty()) {
    out += "  remediation: ";
    out += first_line(f.remediation);
    out += '\n';
  }
  return out;
}

std::string diagnostic_text(const Diagnostic& d) {
  std::string out;
  append_location(out, d.location);
  out += ": ";
  out += diag_severity_name(d.severity);
  out += ": ";
  out += d.message;
  if (!d.code.empty()) {
    out += " [";
    out += d.code;
    out += ']';
  }
  out += '\n';
  for (const DiagNote& n : d.notes) {
    append_location(out, n.location);
    out += ": note: ";
    out += n.message;
    out += '\n';
  }
  return out;
}

void write_case(std::string& out, const Case& c, std::uint64_t& failures, std::uint64_t& skipped) {
  out += "    <testcase";
  attr(out, "classname", c.classname);
  attr(out, "name", c.name);
  attr(out, "file", c.first->location.file);
  if (c.first->location.line > 0) attr(out, "line", c.first->location.line);
  out += ">\n";
  if (!c.live.empty()) {
    ++failures;
    const Finding& f = *c.live.front();
    out += "      <failure";
    attr(out, "message", finding_message(f));
    attr(out, "type", severity_name(f.severity));
    out += '>';
    for (const Finding* g : c.live) append_xml(out, finding_line(*g), false);
    out += "</failure>\n";
  } else {
    ++skipped;
    const Finding& f = *c.quiet.front();
    std::string why = f.suppressed ? "suppressed" : "baselined";
    if (f.suppressed && !f.suppression_reason.empty()) why += ": " + f.suppression_reason;
    out += "      <skipped";
    attr(out, "message", why);
    out += "/>\n";
  }
  out += "    </testcase>\n";
}

void write_error_case(std::string& out, const Diagnostic& d) {
  out += "    <testcase";
  attr(out, "classname",
       d.policy_id.empty() ? std::string("polc.load") : "polc.policy." + d.policy_id);
  attr(out, "name", d.code.empty() ? std::string_view("error") : std::string_view(d.code));
  attr(out, "file", d.location.file);
  if (d.location.line > 0) attr(out, "line", d.location.line);
  out += ">\n      <error";
  attr(out, "message", d.message);
  attr(out, "type", d.code.empty() ? std::string_view("error") : std::string_view(d.code));
  out += '>';
  append_xml(out, diagnostic_text(d), false);
  out += "</error>\n    </testcase>\n";
}

/// The <testsuites> element carries totals, so the suites are spooled and written after it.
class JunitWriter final : public BufferedWriter {
 public:
  using BufferedWriter::BufferedWriter;
  void begin(const ReportFrame& frame) override { frame_ = frame; }

  void add(const std::vector<Finding>& findings, const std::vector<Diagnostic>& errors) override {
    std::map<std::string, Suite> suites;  // by file path: deterministic order
    for (const Finding& f : findings) {
      Suite& s = suites[f.location.file];
      const auto key = std::make_pair(f.policy_id, f.resource);
      auto [it, inserted] = s.case_index.emplace(key, s.cases.size());
      if (inserted) {
        Case c;
        c.classname = f.policy_name.empty() ? f.policy_id : f.policy_name;
        c.name = f.resource.empty() ? "<template>" : f.resource;
        c.first = &f;
        s.cases.push_back(std::move(c));
      }
      Case& c = s.cases[it->second];
      (f.suppressed || f.baselined ? c.quiet : c.live).push_back(&f);
    }
    for (const Diagnostic& d : errors) {
      Suite& s = suites[d.location.file];
      (d.severity == DiagSeverity::kError ? s.errors : s.messages).push_back(&d);
    }
    std::string body;
    for (const auto& [file, s] : suites) {
      std::uint64_t f = 0, k = 0;
      std::string cases;
      for (const Case& c : s.cases) write_case(cases, c, f, k);
      for (const Diagnostic* d : s.errors) write_error_case(cases, *d);
      const std::uint64_t n = s.cases.size() + s.errors.size();
      body += "  <testsuite";
      attr(body, "name", file.empty() ? std::string_view("polc") : std::string_view(file));
      attr(body, "tests", n);
      attr(body, "failures", f);
      attr(body, "errors", s.errors.size());
      attr(body, "skipped", k);
      body += ">\n";
      body += cases;
      if (!s.messages.empty()) {
        body += "    <system-err>";
        for (const Diagnostic* d : s.messages) append_xml(body, diagnostic_text(*d), false);
        body += "</system-err>\n";
      }
      body += "  </testsuite>\n";
      tests_ += n;
      failures_ += f;
      errors_ += s.errors.size();
      skipped_ += k;
    }
    suites_.append(body);
  }

  void finish(const ScanSummary& /*summary*/, int /*exit_code*/) override {
    out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites";
    attr(out_, "name", "polc");
    attr(out_, "tests", tests_);
    attr(out_, "failures", failures_);
    attr(out_, "errors", errors_);
    attr(out_, "skipped", skipped_);
    out_ += ">\n";
    flush();
    suites_.copy_to(sink_);
    out_ += "</testsuites>\n";
    flush();
  }

 private:
  std::uint64_t tests_ = 0, failures_ = 0, errors_ = 0, skipped_ = 0;
  Spool suites_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_junit_writer(const ReportOptions& options, ReportSink& sink) {
  return std::make_unique<JunitWriter>(options, sink);
}

}  // namespace polc::internal
