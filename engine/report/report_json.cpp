// The `json` reporter: polc's own machine-readable report, schema version 1.
//
// docs/json-report.md documents every field and the stability promise. All findings are
// included, suppressed and baselined ones flagged, so tools can count them; the document is
// pretty-printed with two-space indentation and members in a fixed order. Findings are written as
// files finish; the errors, which come after them, are spooled (engine/report/spool.h).
#include <charconv>
#include <unordered_map>

#include "engine/base/json_writer.h"
#include "engine/report/record_json.h"
#include "engine/report/report_util.h"
#include "engine/report/spool.h"
#include "engine/triage/fingerprint.h"

namespace polc::internal {

namespace {

/// The `version` field: bumped only for incompatible changes (see docs/json-report.md).
constexpr int kJsonReportVersion = 1;

void write_location_fields(JsonWriter& w, const Location& loc) {
  w.member("file", loc.file);
  w.member("line", loc.line);
  w.member("column", loc.column);
}

/// Shard reports only: the location's source line, so `polc merge` can print snippets.
void write_source_line(JsonWriter& w, const Location& loc, bool shard) {
  if (shard) w.member("source_line", loc.source_line);
}

void write_string_or_null(JsonWriter& w, std::string_view name, std::string_view value) {
  if (value.empty()) {
    w.null_member(name);
  } else {
    w.member(name, value);
  }
}

/// Appends `n` in decimal.
void append_number(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, res.ptr);
}

/// `"severity": "..."` as a finding writes it, after the comma and indentation of its depth.
std::string_view severity_member(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return ",\n      \"severity\": \"critical\"";
    case Severity::kHigh:
      return ",\n      \"severity\": \"high\"";
    case Severity::kMedium:
      return ",\n      \"severity\": \"medium\"";
    case Severity::kLow:
      return ",\n      \"severity\": \"low\"";
    case Severity::kInfo:
      return ",\n      \"severity\": \"info\"";
  }
  return {};
}

/// Before an element of an array or a member of an object: a comma unless it is the first, then
/// the line break and indentation `indent`.
void append_separator(std::string& out, bool first, std::string_view indent) {
  if (!first) out += ',';
  out += indent;
}

}  // namespace

void append_json_finding(std::string& out, const Finding& f, std::string_view scan_root, bool shard,
                         const std::vector<std::string>* aliases) {
  // A finding is an element of `findings` (depth 2, 4 spaces); its members are at depth 3 (6),
  // the elements of its arrays at depth 4 (8), their members at depth 5 (10). The member names
  // and the indentation are literals; only the values are escaped.
  constexpr std::string_view kElement = "\n        ", kInner = "\n          ";
  out += "\n    {\n      \"policy_id\": ";
  append_json_string(out, f.policy_id);
  out += ",\n      \"policy_name\": ";
  append_json_string(out, f.policy_name);
  out += ",\n      \"aliases\": [";
  if (aliases && !aliases->empty()) {
    for (std::size_t i = 0; i < aliases->size(); ++i) {
      append_separator(out, i == 0, kElement);
      append_json_string(out, (*aliases)[i]);
    }
    out += "\n      ";
  }
  out += ']';
  out += severity_member(f.severity);
  out += f.outcome == Outcome::kUnknown ? std::string_view(",\n      \"outcome\": \"unknown\"")
                                        : std::string_view(",\n      \"outcome\": \"fail\"");
  out += ",\n      \"file\": ";
  append_json_string(out, f.location.file);
  out += ",\n      \"resource\": ";
  append_json_string(out, f.resource);
  if (f.construct_path.empty()) {
    out += ",\n      \"construct_path\": null";
  } else {
    out += ",\n      \"construct_path\": ";
    append_json_string(out, f.construct_path);
  }
  out += ",\n      \"property_path\": ";
  append_json_string(out, f.property_path);
  out += ",\n      \"line\": ";
  append_number(out, f.location.line);
  out += ",\n      \"column\": ";
  append_number(out, f.location.column);
  if (shard) {  // shard reports only: the source line, so `polc merge` can print snippets
    out += ",\n      \"source_line\": ";
    append_json_string(out, f.location.source_line);
  }
  out += ",\n      \"message\": ";
  append_json_string(out, f.message);
  out += ",\n      \"conditions\": [";
  for (std::size_t i = 0; i < f.conditions.size(); ++i) {
    append_separator(out, i == 0, kElement);
    out += '{';
    const ConditionClause& clause = f.conditions[i];
    for (std::size_t j = 0; j < clause.size(); ++j) {
      append_separator(out, j == 0, kInner);
      append_json_string(out, clause[j].name);
      out += clause[j].value ? std::string_view(": true") : std::string_view(": false");
    }
    if (!clause.empty()) out += kElement;
    out += '}';
  }
  if (!f.conditions.empty()) out += "\n      ";
  out += ']';
  if (!f.deployments.empty()) {
    out += ",\n      \"deployments\": [";
    for (std::size_t i = 0; i < f.deployments.size(); ++i) {
      append_separator(out, i == 0, kElement);
      append_json_string(out, f.deployments[i]);
    }
    out += "\n      ]";
  }
  out += ",\n      \"related\": [";
  for (std::size_t i = 0; i < f.related.size(); ++i) {
    const RelatedLocation& r = f.related[i];
    append_separator(out, i == 0, kElement);
    out += "{\n          \"file\": ";
    append_json_string(out, r.location.file);
    out += ",\n          \"line\": ";
    append_number(out, r.location.line);
    out += ",\n          \"column\": ";
    append_number(out, r.location.column);
    if (shard) {
      out += ",\n          \"source_line\": ";
      append_json_string(out, r.location.source_line);
    }
    out += ",\n          \"message\": ";
    append_json_string(out, r.message);
    out += "\n        }";
  }
  if (!f.related.empty()) out += "\n      ";
  out += ']';
  out += ",\n      \"remediation\": ";
  append_json_string(out, f.remediation);
  if (f.suppressed) {
    out += ",\n      \"suppressed\": true,\n      \"suppression\": {\n        \"reason\": ";
    append_json_string(out, f.suppression_reason);
    out += ",\n        \"source\": ";
    append_json_string(out, f.suppression_source);
    out += "\n      }";
  } else {
    out += ",\n      \"suppressed\": false,\n      \"suppression\": null";
  }
  out += f.baselined ? std::string_view(",\n      \"baselined\": true")
                     : std::string_view(",\n      \"baselined\": false");
  out += ",\n      \"fingerprint\": ";
  if (!f.fingerprint.empty())
    append_json_string(out, f.fingerprint);
  else
    append_json_string(out, finding_fingerprint(f, scan_root));
  out += "\n    }";
}

namespace {

void write_error(JsonWriter& w, const Diagnostic& d, bool shard) {
  w.begin_object();
  write_location_fields(w, d.location);
  write_source_line(w, d.location, shard);
  w.member("severity", diag_severity_name(d.severity));
  w.member("code", d.code);
  w.member("message", d.message);
  write_string_or_null(w, "policy_id", d.policy_id);
  w.key("notes");
  w.begin_array();
  for (const DiagNote& n : d.notes) {
    w.begin_object();
    write_location_fields(w, n.location);
    write_source_line(w, n.location, shard);
    w.member("message", n.message);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_summary(JsonWriter& w, const ScanSummary& s, int exit_code) {
  w.key("summary");
  w.begin_object();
  w.member("templates_checked", s.templates_checked);
  w.member("files_skipped", s.files_skipped);
  w.member("templates_failed", s.templates_failed);
  w.key("findings");
  w.begin_object();
  for (int i = 0; i < 5; ++i) {
    w.member(severity_name(static_cast<Severity>(i)), s.findings_by_severity[i]);
  }
  w.end_object();
  w.member("suppressed", s.suppressed);
  w.member("baselined", s.baselined);
  w.member("unknown", s.unknown);
  w.member("incomplete", s.incomplete);
  w.key("elapsed_seconds");
  w.value(s.elapsed_seconds, 3);
  w.member("exit_code", exit_code);
  w.end_object();
}

/// Shard reports only: `shard` and the `merge` data `polc merge` needs to rebuild the unsharded
/// report in any format (docs/json-report.md, "Shard reports").
void write_shard(JsonWriter& w, const ReportFrame& result, std::uint64_t findings_count,
                 std::string_view findings_digest, ReportSink& sink, Spool& templates,
                 std::string& out) {
  w.key("shard");
  w.begin_object();
  w.member("index", result.shard.index);
  w.member("count", result.shard.count);
  w.end_object();
  w.key("merge");
  w.begin_object();
  w.member("fail_threshold", severity_name(result.shard.fail_threshold));
  w.member("fail_on_unknown", result.shard.fail_on_unknown);
  w.member("policy_set_digest", result.shard.policy_set_digest);
  w.key("roots");
  w.begin_array();
  for (const std::string& r : result.shard.roots) w.value(r);
  w.end_array();
  w.member("findings_count", findings_count);
  w.member("findings_digest", findings_digest);
  // The templates this shard checked (clean ones too), spooled while the scan ran.
  w.key("templates");
  w.begin_array();
  if (templates.size() > 0) {
    sink.write(out);
    out.clear();
    templates.copy_to(sink);
    w.mark_nonempty();
  }
  w.end_array();
  w.key("policies");
  w.begin_array();
  for (const PolicyInfo& p : result.policies) write_policy_record(w, p);
  w.end_array();
  w.end_object();
}

/// Findings go out as they arrive; errors, which follow all findings, are spooled.
class JsonReportWriter final : public BufferedWriter {
  // Room reserved for one rendered finding (bytes; a typical one is 700 to 1,000), so that
  // rendering it grows the string once at most.
  static constexpr std::size_t kFindingBytesHint = 1024;

 public:
  JsonReportWriter(const ReportOptions& options, ReportSink& sink)
      : BufferedWriter(options, sink), w_(out_), errors_writer_(error_text_, true, 2) {}

  void begin(const ReportFrame& frame) override {
    frame_ = frame;
    shard_ = frame.shard.count > 0;
    aliases_.clear();
    for (const PolicyInfo& p : frame_.policies) aliases_[p.id] = &p.aliases;
    w_.begin_object();
    w_.member("version", kJsonReportVersion);
    w_.key("tool");
    w_.begin_object();
    w_.member("name", "polc");
    write_string_or_null(w_, "version", options_.tool_version);
    write_string_or_null(w_, "pack_version", options_.pack_version);
    w_.end_object();
    w_.key("findings");
    w_.begin_array();
  }

  void template_checked(std::string_view file) override {
    if (!shard_) return;
    std::string item;
    if (templates_.size() > 0) item += ',';
    item += "\n      ";
    append_json_string(item, file);
    templates_.append(item);
  }

  void add(const std::vector<Finding>& findings, const std::vector<Diagnostic>& errors) override {
    if (shard_)
      for (const Finding& f : findings) {
        ++findings_count_;
        findings_digest_ = fold_finding_digest(findings_digest_, f);
      }
    for (const Finding& f : findings) {
      if (f.rendered_by == this) {
        w_.raw_element(f.rendered);
        continue;
      }
      finding_text_.clear();
      append_json_finding(finding_text_, f, frame_.scan_root, shard_, aliases_of(f));
      w_.raw_element(finding_text_);
    }
    flush();
    for (const Diagnostic& d : errors) write_error(errors_writer_, d, shard_);
    errors_.append(error_text_);
    error_text_.clear();
  }

  void prerender(Finding& f) const override {
    f.rendered.clear();
    f.rendered.reserve(kFindingBytesHint);
    append_json_finding(f.rendered, f, frame_.scan_root, shard_, aliases_of(f));
    f.rendered_by = this;
  }

  void finish(const ScanSummary& summary, int exit_code) override {
    w_.end_array();
    w_.key("errors");
    w_.begin_array();
    if (errors_.size() > 0) {
      flush();
      errors_.copy_to(sink_);
      w_.mark_nonempty();
    }
    w_.end_array();
    write_summary(w_, summary, exit_code);
    if (shard_)
      write_shard(w_, frame_, findings_count_, finding_digest_hex(findings_digest_), sink_,
                  templates_, out_);
    w_.end_object();
    flush();
  }

 private:
  const std::vector<std::string>* aliases_of(const Finding& f) const {
    auto it = aliases_.find(f.policy_id);
    return it == aliases_.end() ? nullptr : it->second;
  }

  JsonWriter w_;
  std::string finding_text_;  // a finding `add` renders (one `prerender` did not, or changed)
  bool shard_ = false;
  // Policy id -> its aliases, pointing into frame_.policies (set in begin()).
  std::unordered_map<std::string, const std::vector<std::string>*> aliases_;
  std::string error_text_;
  JsonWriter errors_writer_;  // writes the elements of `errors` (depth 2) into `error_text_`
  Spool errors_;
  Spool templates_;  // shard reports: the checked templates, as JSON array elements
  std::uint64_t findings_count_ = 0;
  std::uint64_t findings_digest_ = kFnv64Offset;
};

}  // namespace

std::unique_ptr<ReportWriter> make_json_writer(const ReportOptions& options, ReportSink& sink) {
  return std::make_unique<JsonReportWriter>(options, sink);
}

}  // namespace polc::internal
