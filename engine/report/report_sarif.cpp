// The `sarif` reporter: SARIF 2.1.0 for code-scanning services (GitHub code scanning, Azure
// DevOps, IDE viewers).
//
// One run. Rules come from `ScanResult::policies` (plus a bare rule for any finding whose policy
// is not listed, so every `ruleIndex` is valid). Artifact URIs are relative to the scan root
// (`uriBaseId` "%SRCROOT%"), percent-encoded, with forward slashes. Columns are converted from
// polc's byte columns to Unicode code points using each location's copy of its source line, and
// the run declares `columnKind: unicodeCodePoints`. Suppressed findings are kept with
// `suppressions`. When a baseline takes part in the run, every result has a `baselineState`:
// `unchanged` for baselined findings, `new` for the others. Load and policy diagnostics become
// `toolExecutionNotifications`; `executionSuccessful` is true exactly when everything was
// checked: no error diagnostic, no template that failed to load, no incomplete policy run.
// The invocation (exit code) comes before the results, so results and notifications are
// spooled while the scan runs (engine/report/spool.h) and the document is written at its end.
#include <map>
#include <set>
#include <unordered_map>

#include "engine/base/json_writer.h"
#include "engine/base/utf8.h"
#include "engine/report/json_cursor.h"
#include "engine/report/report_util.h"
#include "engine/report/spool.h"
#include "engine/triage/fingerprint.h"

namespace polc::internal {

namespace {

constexpr std::string_view kSarifSchema = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr std::string_view kSrcRoot = "%SRCROOT%";

/// SARIF's `level` values for the three report levels.
std::string_view sarif_level(ReportLevel level) {
  static constexpr std::string_view kWords[] = {"error", "warning", "note"};
  return kWords[static_cast<int>(level)];
}

/// GitHub code scanning's `security-severity` scores (CVSS-like, 0.0 to 10.0).
std::string_view security_severity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "3.0";
    case Severity::kInfo:
      return "1.0";
  }
  return "5.5";
}

/// Percent-encodes everything but RFC 3986 unreserved characters and '/'.
std::string percent_encode(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    const bool keep = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                      u == '-' || u == '.' || u == '_' || u == '~' || u == '/';
    if (keep) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

bool is_absolute(std::string_view path) {
  if (!path.empty() && path[0] == '/') return true;
  // Windows drive paths ("C:/...") after normalization.
  return path.size() >= 3 && path[1] == ':' && path[2] == '/' &&
         ((path[0] >= 'a' && path[0] <= 'z') || (path[0] >= 'A' && path[0] <= 'Z'));
}

/// Byte column (1-based) to code-point column (1-based), using the location's source line.
std::uint32_t code_point_column(const Location& loc) {
  if (loc.column == 0) return 0;
  const std::size_t bytes = loc.column - 1;
  const std::string_view line = loc.source_line;
  std::size_t cps = count_code_points(line, bytes);
  if (bytes > line.size()) cps += bytes - line.size();
  return static_cast<std::uint32_t>(cps + 1);
}

/// A file's artifact URI: relative to the scan root (`relative`), or a `file://` URI.
struct ArtifactUri {
  std::string file, scan_root;  // what it was made from
  std::string uri;
  bool relative = false;
};

/// The artifact URI of `file` (a pure function of `file` and `scan_root`), kept for the next call
/// on this thread: a file's findings come one after another, and the lexical normalization is
/// costly. Thread-safe (one copy per thread).
const ArtifactUri& artifact_uri(std::string_view file, std::string_view scan_root) {
  thread_local ArtifactUri last;
  thread_local bool any = false;
  if (any && last.file == file && last.scan_root == scan_root) return last;
  const std::string rel = report_relative_path(file, scan_root);
  last.file = file;
  last.scan_root = scan_root;
  last.relative = !is_absolute(rel);
  last.uri = last.relative
                 ? percent_encode(rel)
                 : "file://" + std::string(rel[0] == '/' ? "" : "/") + percent_encode(rel);
  any = true;
  return last;
}

void write_artifact_location(JsonWriter& w, std::string_view file, std::string_view scan_root) {
  const ArtifactUri& a = artifact_uri(file, scan_root);
  w.key("artifactLocation");
  w.begin_object();
  w.member("uri", a.uri);
  if (a.relative) w.member("uriBaseId", kSrcRoot);
  w.end_object();
}

/// Writes a `physicalLocation` member. Whole-file locations get no region unless
/// `force_region`, which anchors them at line 1 (results need a line to be shown at all).
void write_physical_location(JsonWriter& w, const Location& loc, std::string_view scan_root,
                             bool force_region) {
  w.key("physicalLocation");
  w.begin_object();
  write_artifact_location(w, loc.file, scan_root);
  if (loc.line > 0 || force_region) {
    w.key("region");
    w.begin_object();
    w.member("startLine", loc.line > 0 ? loc.line : 1u);
    if (loc.line > 0 && loc.column > 0) w.member("startColumn", code_point_column(loc));
    w.end_object();
  }
  w.end_object();
}

void write_text_message(JsonWriter& w, std::string_view name, std::string_view text) {
  w.key(name);
  w.begin_object();
  w.member("text", text);
  w.end_object();
}

/// Whether a suppression lives in the template (metadata, cfn_nag/checkov comments) or outside
/// it (a waiver file, configuration, the command line).
std::string_view suppression_kind(std::string_view source) {
  for (std::string_view external : {"waiver", "config", "baseline", "cli", "external"}) {
    if (source == external) return "external";
  }
  return "inSource";
}

void write_rule(JsonWriter& w, const PolicyInfo& p) {
  w.begin_object();
  w.member("id", p.id);
  if (!p.name.empty()) w.member("name", p.name);
  write_text_message(w, "shortDescription",
                     p.title.empty() ? (p.name.empty() ? p.id : p.name) : p.title);
  if (!p.description.empty()) write_text_message(w, "fullDescription", p.description);
  if (!p.docs_url.empty()) w.member("helpUri", p.docs_url);
  if (!p.remediation.empty()) write_text_message(w, "help", p.remediation);
  w.key("defaultConfiguration");
  w.begin_object();
  w.member("level", sarif_level(report_level(p.severity)));
  w.end_object();
  w.key("properties");
  w.begin_object();
  // SARIF requires unique tags; GitHub reads `security-severity` only on "security" rules.
  std::vector<std::string> tags;
  std::set<std::string> seen;
  const auto add_tag = [&](std::string tag) {
    if (seen.insert(tag).second) tags.push_back(std::move(tag));
  };
  for (const std::string& t : p.tags) add_tag(t);
  add_tag("security");
  add_tag("severity:" + std::string(severity_name(p.severity)));
  w.key("tags");
  w.begin_array();
  for (const std::string& t : tags) w.value(t);
  w.end_array();
  w.member("security-severity", security_severity(p.severity));
  if (!p.aliases.empty()) {
    w.key("aliases");
    w.begin_array();
    for (const std::string& a : p.aliases) w.value(a);
    w.end_array();
  }
  w.end_object();
  w.end_object();
}

/// A result's `physicalLocation` member, written at the depth of results' and related
/// locations' (its name at 14 spaces), after the comma and line break before it.
void put_physical_location(JsonCursor& c, const Location& loc, std::string_view scan_root,
                           bool force_region) {
  const ArtifactUri& a = artifact_uri(loc.file, scan_root);
  c.lit(
      "\"physicalLocation\": {\n                \"artifactLocation\": {\n                  "
      "\"uri\": ");
  c.str(a.uri);
  if (a.relative) c.lit(",\n                  \"uriBaseId\": \"%SRCROOT%\"");
  c.lit("\n                }");
  if (loc.line > 0 || force_region) {
    c.lit(",\n                \"region\": {\n                  \"startLine\": ");
    c.num(loc.line > 0 ? loc.line : 1u);
    if (loc.line > 0 && loc.column > 0) {
      c.lit(",\n                  \"startColumn\": ");
      c.num(code_point_column(loc));
    }
    c.lit("\n                }");
  }
  c.lit("\n              }");
}

}  // namespace

void append_sarif_result(std::string& out, const Finding& f, std::size_t rule_index,
                         bool any_baselined, std::string_view scan_root) {
  // A result is an element of `runs[0].results` (depth 4, 8 spaces); its members are at depth 5
  // (10 spaces), and so on, 2 spaces a level. Member names and indentation are literals.
  const std::string message = finding_message(f);
  JsonCursor c(out, 1024 + message.size() + f.location.file.size());
  c.lit("\n        {\n          \"ruleId\": ");
  c.str(f.policy_id);
  c.lit(",\n          \"ruleIndex\": ");
  c.num(rule_index);
  switch (report_level(f.severity)) {
    case ReportLevel::kError:
      c.lit(",\n          \"level\": \"error\"");
      break;
    case ReportLevel::kWarning:
      c.lit(",\n          \"level\": \"warning\"");
      break;
    case ReportLevel::kNote:
      c.lit(",\n          \"level\": \"note\"");
      break;
  }
  c.lit(",\n          \"message\": {\n            \"text\": ");
  c.str(message);
  c.lit("\n          },\n          \"locations\": [\n            {\n              ");
  put_physical_location(c, f.location, scan_root, true);
  if (!f.resource.empty()) {
    c.lit(
        ",\n              \"logicalLocations\": [\n                {\n                  "
        "\"name\": ");
    c.str(f.resource);
    if (!f.construct_path.empty()) {
      c.lit(",\n                  \"fullyQualifiedName\": ");
      c.str(f.construct_path);
    }
    c.lit(",\n                  \"kind\": \"resource\"\n                }\n              ]");
  }
  c.lit("\n            }\n          ]");
  if (!f.related.empty()) {
    c.lit(",\n          \"relatedLocations\": [");
    for (std::size_t i = 0; i < f.related.size(); ++i) {
      if (i > 0) c.ch(',');
      c.lit("\n            {\n              \"id\": ");
      c.num(i + 1);
      c.lit(",\n              ");
      put_physical_location(c, f.related[i].location, scan_root, false);
      c.lit(",\n              \"message\": {\n                \"text\": ");
      c.str(f.related[i].message);
      c.lit("\n              }\n            }");
    }
    c.lit("\n          ]");
  }
  c.lit(",\n          \"partialFingerprints\": {\n            \"polcFingerprint/v1\": ");
  if (!f.fingerprint.empty())
    c.str(f.fingerprint);
  else
    c.str(finding_fingerprint(f, scan_root));
  c.lit("\n          }");
  if (f.suppressed) {
    c.lit(",\n          \"suppressions\": [\n            {\n              \"kind\": ");
    c.str(suppression_kind(f.suppression_source));
    c.lit(",\n              \"status\": \"accepted\"");
    if (!f.suppression_reason.empty()) {
      c.lit(",\n              \"justification\": ");
      c.str(f.suppression_reason);
    }
    if (!f.suppression_source.empty()) {
      c.lit(",\n              \"properties\": {\n                \"source\": ");
      c.str(f.suppression_source);
      c.lit("\n              }");
    }
    c.lit("\n            }\n          ]");
  }
  if (any_baselined) {
    if (f.baselined)
      c.lit(",\n          \"baselineState\": \"unchanged\"");
    else
      c.lit(",\n          \"baselineState\": \"new\"");
  }
  c.lit(",\n          \"properties\": {\n            \"severity\": ");
  c.str(severity_name(f.severity));
  if (f.outcome == Outcome::kUnknown)
    c.lit(",\n            \"outcome\": \"unknown\"");
  else
    c.lit(",\n            \"outcome\": \"fail\"");
  if (!f.property_path.empty()) {
    c.lit(",\n            \"propertyPath\": ");
    c.str(f.property_path);
  }
  if (!f.deployments.empty()) {
    c.lit(",\n            \"deployments\": [");
    for (std::size_t i = 0; i < f.deployments.size(); ++i) {
      if (i > 0) c.ch(',');
      c.lit("\n              ");
      c.str(f.deployments[i]);
    }
    c.lit("\n            ]");
  }
  // The condition assignments the finding holds under, as in the JSON report ("conditions": a
  // disjunction of {name: value} conjunctions), and in words; absent when unconditional.
  if (!f.conditions.empty()) {
    c.lit(",\n            \"condition\": ");
    c.str(describe_conditions(f.conditions));
    c.lit(",\n            \"conditions\": [");
    for (std::size_t i = 0; i < f.conditions.size(); ++i) {
      if (i > 0) c.ch(',');
      c.lit("\n              {");
      const ConditionClause& clause = f.conditions[i];
      for (std::size_t j = 0; j < clause.size(); ++j) {
        if (j > 0) c.ch(',');
        c.lit("\n                ");
        c.str(clause[j].name);
        if (clause[j].value)
          c.lit(": true");
        else
          c.lit(": false");
      }
      if (!clause.empty()) c.lit("\n              ");
      c.ch('}');
    }
    c.lit("\n            ]");
  }
  c.lit("\n          }\n        }");
  c.finish();
}

namespace {

void write_notification(JsonWriter& w, const Diagnostic& d, std::string_view scan_root) {
  w.begin_object();
  w.member("level", sarif_level(report_level(d.severity)));
  write_text_message(w, "message", message_with_notes(d));
  if (!d.location.file.empty()) {
    w.key("locations");
    w.begin_array();
    w.begin_object();
    write_physical_location(w, d.location, scan_root, false);
    w.end_object();
    w.end_array();
  }
  if (!d.code.empty()) {
    w.key("descriptor");
    w.begin_object();
    w.member("id", d.code);
    w.end_object();
  }
  if (!d.policy_id.empty()) {
    w.key("associatedRule");
    w.begin_object();
    w.member("id", d.policy_id);
    w.end_object();
  }
  w.end_object();
}

/// Everything before `results` depends on the whole scan (the rules of unlisted policies, the
/// exit code, the notifications), so results and notifications are spooled and the document is
/// written by `finish`.
class SarifWriter final : public BufferedWriter {
  static constexpr std::size_t kResultDepth = 4;  // the log, `runs`, the run, its `results`

 public:
  SarifWriter(const ReportOptions& options, ReportSink& sink)
      : BufferedWriter(options, sink),
        results_writer_(section_text_, true, kResultDepth),
        notes_writer_(section_text_, true, 6) {}

  void begin(const ReportFrame& frame) override {
    frame_ = frame;
    // Rules: the policy set, then a bare rule for each finding policy it does not list.
    for (const PolicyInfo& p : frame_.policies)
      if (rule_index_.emplace(p.id, rules_.size()).second) rules_.push_back(p);
    listed_index_ = {rule_index_.begin(), rule_index_.end()};
  }

  void prerender(Finding& f) const override {
    // Only findings of listed policies: the others' rule indices are known in `add`.
    auto it = listed_index_.find(f.policy_id);
    if (it == listed_index_.end()) return;
    f.rendered.clear();
    append_sarif_result(f.rendered, f, it->second, frame_.baseline_used, frame_.scan_root);
    f.rendered_by = this;
  }

  void add(const std::vector<Finding>& findings, const std::vector<Diagnostic>& errors) override {
    std::map<std::string, PolicyInfo> extra;  // sorted by id within the group
    for (const Finding& f : findings) {
      if (rule_index_.count(f.policy_id) || extra.count(f.policy_id)) continue;
      PolicyInfo p;
      p.id = f.policy_id;
      p.name = f.policy_name;
      p.severity = f.severity;
      p.remediation = f.remediation;
      extra.emplace(f.policy_id, std::move(p));
    }
    for (auto& [id, p] : extra) {
      rule_index_.emplace(id, rules_.size());
      rules_.push_back(std::move(p));
    }
    for (const Finding& f : findings) {
      if (f.rendered_by == this)
        results_writer_.raw_element(f.rendered);
      else {
        result_text_.clear();
        append_sarif_result(result_text_, f, rule_index_.at(f.policy_id), frame_.baseline_used,
                            frame_.scan_root);
        results_writer_.raw_element(result_text_);
      }
    }
    results_count_ += findings.size();
    results_.append(section_text_);
    section_text_.clear();
    for (const Diagnostic& d : errors) {
      any_error_ = any_error_ || d.severity == DiagSeverity::kError || is_incomplete_code(d.code);
      write_notification(notes_writer_, d, frame_.scan_root);
    }
    notifications_.append(section_text_);
    section_text_.clear();
  }

  void finish(const ScanSummary& summary, int exit_code) override {
    JsonWriter w(out_);
    w.begin_object();
    w.member("$schema", kSarifSchema);
    w.member("version", "2.1.0");
    w.key("runs");
    w.begin_array();
    w.begin_object();

    w.key("tool");
    w.begin_object();
    w.key("driver");
    w.begin_object();
    w.member("name", "polc");
    if (!options_.tool_version.empty()) w.member("version", options_.tool_version);
    if (!options_.information_uri.empty()) w.member("informationUri", options_.information_uri);
    w.key("rules");
    w.begin_array();
    for (const PolicyInfo& p : rules_) write_rule(w, p);
    w.end_array();
    if (!options_.pack_version.empty()) {
      w.key("properties");
      w.begin_object();
      w.member("packVersion", options_.pack_version);
      w.end_object();
    }
    w.end_object();
    w.end_object();

    w.key("invocations");
    w.begin_array();
    w.begin_object();
    const bool complete = summary.templates_failed == 0 && summary.incomplete == 0 && !any_error_;
    w.member("executionSuccessful", complete);
    w.member("exitCode", exit_code);
    w.key("toolExecutionNotifications");
    w.begin_array();
    splice(w, notifications_);
    w.end_array();
    w.end_object();
    w.end_array();

    w.key("originalUriBaseIds");
    w.begin_object();
    w.key(kSrcRoot);
    w.begin_object();
    const std::string root = normalize_report_path(frame_.scan_root);
    if (is_absolute(root)) {
      std::string uri = "file://" + std::string(root[0] == '/' ? "" : "/") + percent_encode(root);
      if (uri.back() != '/') uri += '/';
      w.member("uri", uri);
    }
    write_text_message(w, "description", "The scan root; artifact URIs are relative to it.");
    w.end_object();
    w.end_object();

    w.member("columnKind", "unicodeCodePoints");
    if (frame_.shard.count > 0) {
      // Shard reports only: what `polc merge` needs to recombine SARIF shards (docs/cli.md).
      w.key("properties");
      w.begin_object();
      w.key("polcShard");
      w.begin_object();
      w.member("index", frame_.shard.index);
      w.member("count", frame_.shard.count);
      w.member("failThreshold", severity_name(frame_.shard.fail_threshold));
      w.member("templatesChecked", summary.templates_checked);
      w.member("filesSkipped", summary.files_skipped);
      w.member("templatesFailed", summary.templates_failed);
      w.member("incomplete", summary.incomplete);
      // For `polc merge` (issue 14, D11): shards of one run agree on these, and a shard's
      // results must number what it recorded.
      w.member("policySetDigest", frame_.shard.policy_set_digest);
      w.key("roots");
      w.begin_array();
      for (const std::string& r : frame_.shard.roots) w.value(r);
      w.end_array();
      w.member("resultsCount", results_count_);
      w.member("failOnUnknown", frame_.shard.fail_on_unknown);
      w.end_object();
      w.end_object();
    }
    w.key("results");
    w.begin_array();
    splice(w, results_);
    w.end_array();

    w.end_object();
    w.end_array();
    w.end_object();
    flush();
  }

 private:
  /// Writes the spooled elements of the array `w` has just opened.
  void splice(JsonWriter& w, Spool& section) {
    if (section.size() == 0) return;
    flush();
    section.copy_to(sink_);
    w.mark_nonempty();
  }

  std::vector<PolicyInfo> rules_;
  std::map<std::string, std::size_t> rule_index_;
  // The rule indices of the frame's policies (set by `begin`, then only read: `prerender`).
  std::unordered_map<std::string, std::size_t> listed_index_;
  bool any_error_ = false;
  std::string section_text_;
  std::string result_text_;    // a result `add` renders (one `prerender` did not, or changed)
  JsonWriter results_writer_;  // elements of runs[0].results (depth 4)
  JsonWriter notes_writer_;    // elements of runs[0].invocations[0].toolExecutionNotifications
  Spool results_;
  std::uint64_t results_count_ = 0;
  Spool notifications_;
};

}  // namespace

std::unique_ptr<ReportWriter> make_sarif_writer(const ReportOptions& options, ReportSink& sink) {
  return std::make_unique<SarifWriter>(options, sink);
}

}  // namespace polc::internal
