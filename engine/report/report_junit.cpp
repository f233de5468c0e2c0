// The `junit` reporter: JUnit XML for CI test tabs (Jenkins, GitLab, Azure Pipelines, ...).
//
// One <testsuite> per template, named by its path, in path order. Inside it, one <testcase> per
// (template, policy) for every policy of the run, passing ones included, so a clean template
// gives passing test cases: classname is the template path, name "ID policy-name". A policy with
// live findings in the template has one <failure> (type = the most severe finding's severity,
// message = the first finding's message, body = every finding in compiler style, resource and
// property path included); a policy whose findings are all suppressed or baselined is
// <skipped>. Templates the writer is told were checked (`template_checked`) get their suite even
// without findings; templates that could not be loaded get no policy cases, only an error case
// per error diagnostic. Warnings and notes go to the suite's <system-err>. The root element
// carries the totals, so the suites are spooled while the scan runs. Text is escaped for XML
// 1.0: characters XML cannot carry at all (most C0 controls, invalid UTF-8) become U+FFFD.
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
  const Finding* first = nullptr;     // first finding of the policy here (for line); may be null
  std::vector<const Finding*> live;   // unsuppressed, unbaselined
  std::vector<const Finding*> quiet;  // suppressed or baselined
};

struct Suite {
  bool checked = false;                   // the template was checked: every policy gets a test case
  std::map<std::string, Case> by_policy;  // policy id -> its findings here
  std::vector<const Diagnostic*> errors;
  std::vector<const Diagnostic*> messages;  // warnings and notes
};

std::string finding_line(const Finding& f) {
  std::string out;
  append_location(out, f.location);
  out += ": ";
  out += severity_name(f.severity);
  if (f.outcome == Outcome::kUnknown) out += " (unknown)";
  out += ' ';
  out += rule_label(f);
  out += ' ';
  out += finding_message(f);
  if (!f.resource.empty()) {
    out += " [resource ";
    out += f.resource;
    if (!f.construct_path.empty()) {
      out += " (";
      out += f.construct_path;
      out += ')';
    }
    if (!f.property_path.empty()) {
      out += ", ";
      out += f.property_path;
    }
    out += ']';
  }
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

void write_case(std::string& out, const std::string& file, const Case& c, std::uint64_t& failures,
                std::uint64_t& skipped) {
  out += "    <testcase";
  attr(out, "classname", c.classname);
  attr(out, "name", c.name);
  attr(out, "file", file);
  if (c.first && c.first->location.line > 0) attr(out, "line", c.first->location.line);
  if (c.live.empty() && c.quiet.empty()) {
    out += "/>\n";  // passed
    return;
  }
  out += ">\n";
  if (!c.live.empty()) {
    ++failures;
    const Finding& f = *c.live.front();
    Severity worst = f.severity;
    for (const Finding* g : c.live)
      if (static_cast<int>(g->severity) < static_cast<int>(worst)) worst = g->severity;
    // The conditions the case's findings hold under, one property each (JUnit's <properties>
    // inside a testcase, as pytest and Jenkins write them).
    std::string props;
    for (const Finding* g : c.live) {
      if (!g->deployments.empty()) {
        props += "        <property";
        std::string names;
        for (const std::string& d : g->deployments) names += (names.empty() ? "" : ", ") + d;
        attr(props, "name", "deployments");
        attr(props, "value", names);
        props += "/>\n";
      }
      if (g->conditions.empty()) continue;
      props += "        <property";
      attr(props, "name", "condition");
      attr(props, "value", describe_conditions(g->conditions));
      props += "/>\n";
    }
    if (!props.empty()) out += "      <properties>\n" + props + "      </properties>\n";
    out += "      <failure";
    attr(out, "message", finding_message(f));
    attr(out, "type", severity_name(worst));
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

  void template_checked(std::string_view file) override { checked_.emplace_back(file); }

  void add(const std::vector<Finding>& findings, const std::vector<Diagnostic>& errors) override {
    std::map<std::string, Suite> suites;  // by file path: deterministic order
    for (const std::string& file : checked_) suites[file].checked = true;
    checked_.clear();
    for (const Finding& f : findings) {
      Suite& s = suites[f.location.file];
      Case& c = s.by_policy[f.policy_id];
      if (!c.first) {
        c.first = &f;
        c.name = f.policy_name.empty() ? f.policy_id : f.policy_id + " " + f.policy_name;
      }
      (f.suppressed || f.baselined ? c.quiet : c.live).push_back(&f);
    }
    for (const Diagnostic& d : errors) {
      Suite& s = suites[d.location.file];
      (d.severity == DiagSeverity::kError ? s.errors : s.messages).push_back(&d);
    }
    std::string body;
    for (auto& [file, s] : suites) {
      // A checked template lists every policy of the run; findings of a policy the frame does
      // not list (a merged report's) keep their own case.
      if (s.checked)
        for (const PolicyInfo& p : frame_.policies) {
          Case& c = s.by_policy[p.id];
          if (c.name.empty()) c.name = p.name.empty() ? p.id : p.id + " " + p.name;
        }
      std::uint64_t f = 0, k = 0;
      std::string cases;
      for (auto& [id, c] : s.by_policy) {
        c.classname = file;
        write_case(cases, file, c, f, k);
      }
      for (const Diagnostic* d : s.errors) write_error_case(cases, *d);
      const std::uint64_t n = s.by_policy.size() + s.errors.size();
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
  std::vector<std::string> checked_;  // templates checked since the last `add`
  Spool suites_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_junit_writer(const ReportOptions& options, ReportSink& sink) {
  return std::make_unique<JunitWriter>(options, sink);
}

}  // namespace polc::internal
