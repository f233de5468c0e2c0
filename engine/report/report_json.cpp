// The `json` reporter: polc's own machine-readable report, schema version 1.
//
// docs/json-report.md documents every field and the stability promise. All findings are
// included, suppressed and baselined ones flagged, so tools can count them; the document is
// pretty-printed with two-space indentation and members in a fixed order. Findings are written as
// files finish; the errors, which come after them, are spooled (engine/report/spool.h).
#include <unordered_map>

#include "engine/base/json_writer.h"
#include "engine/report/json_cursor.h"
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

}  // namespace

void append_json_finding(std::string& out, const Finding& f, std::string_view scan_root, bool shard,
                         const std::vector<std::string>* aliases) {
  // A finding is an element of `findings` (depth 2, 4 spaces); its members are at depth 3 (6),
  // the elements of its arrays at depth 4 (8), their members at depth 5 (10). The member names
  // and the indentation are literals; only the values are escaped.
  // Room for the member names (about 500 bytes), short values and the long texts at once.
  JsonCursor c(out, 640 + f.message.size() + f.remediation.size() + f.location.file.size() +
                        (shard ? f.location.source_line.size() : 0));
  // Before an element of an array: a comma unless it is the first, then its line and indentation.
  auto element = [&](bool first) {
    if (first)
      c.lit("\n        ");
    else
      c.lit(",\n        ");
  };
  c.lit("\n    {\n      \"policy_id\": ");
  c.str(f.policy_id);
  c.lit(",\n      \"policy_name\": ");
  c.str(f.policy_name);
  c.lit(",\n      \"aliases\": [");
  if (aliases && !aliases->empty()) {
    for (std::size_t i = 0; i < aliases->size(); ++i) {
      element(i == 0);
      c.str((*aliases)[i]);
    }
    c.lit("\n      ");
  }
  c.ch(']');
  switch (f.severity) {
    case Severity::kCritical:
      c.lit(",\n      \"severity\": \"critical\"");
      break;
    case Severity::kHigh:
      c.lit(",\n      \"severity\": \"high\"");
      break;
    case Severity::kMedium:
      c.lit(",\n      \"severity\": \"medium\"");
      break;
    case Severity::kLow:
      c.lit(",\n      \"severity\": \"low\"");
      break;
    case Severity::kInfo:
      c.lit(",\n      \"severity\": \"info\"");
      break;
  }
  if (f.outcome == Outcome::kUnknown)
    c.lit(",\n      \"outcome\": \"unknown\",\n      \"file\": ");
  else
    c.lit(",\n      \"outcome\": \"fail\",\n      \"file\": ");
  c.str(f.location.file);
  c.lit(",\n      \"resource\": ");
  c.str(f.resource);
  if (f.construct_path.empty()) {
    c.lit(",\n      \"construct_path\": null");
  } else {
    c.lit(",\n      \"construct_path\": ");
    c.str(f.construct_path);
  }
  c.lit(",\n      \"property_path\": ");
  c.str(f.property_path);
  c.lit(",\n      \"line\": ");
  c.num(f.location.line);
  c.lit(",\n      \"column\": ");
  c.num(f.location.column);
  if (shard) {  // shard reports only: the source line, so `polc merge` can print snippets
    c.lit(",\n      \"source_line\": ");
    c.str(f.location.source_line);
  }
  c.lit(",\n      \"message\": ");
  c.str(f.message);
  c.lit(",\n      \"conditions\": [");
  for (std::size_t i = 0; i < f.conditions.size(); ++i) {
    element(i == 0);
    c.ch('{');
    const ConditionClause& clause = f.conditions[i];
    for (std::size_t j = 0; j < clause.size(); ++j) {
      if (j == 0)
        c.lit("\n          ");
      else
        c.lit(",\n          ");
      c.str(clause[j].name);
      if (clause[j].value)
        c.lit(": true");
      else
        c.lit(": false");
    }
    if (!clause.empty()) c.lit("\n        ");
    c.ch('}');
  }
  if (!f.conditions.empty()) c.lit("\n      ");
  c.ch(']');
  if (!f.deployments.empty()) {
    c.lit(",\n      \"deployments\": [");
    for (std::size_t i = 0; i < f.deployments.size(); ++i) {
      element(i == 0);
      c.str(f.deployments[i]);
    }
    c.lit("\n      ]");
  }
  c.lit(",\n      \"related\": [");
  for (std::size_t i = 0; i < f.related.size(); ++i) {
    const RelatedLocation& r = f.related[i];
    element(i == 0);
    c.lit("{\n          \"file\": ");
    c.str(r.location.file);
    c.lit(",\n          \"line\": ");
    c.num(r.location.line);
    c.lit(",\n          \"column\": ");
    c.num(r.location.column);
    if (shard) {
      c.lit(",\n          \"source_line\": ");
      c.str(r.location.source_line);
    }
    c.lit(",\n          \"message\": ");
    c.str(r.message);
    c.lit("\n        }");
  }
  if (!f.related.empty()) c.lit("\n      ");
  c.lit("],\n      \"remediation\": ");
  c.str(f.remediation);
  if (f.suppressed) {
    c.lit(",\n      \"suppressed\": true,\n      \"suppression\": {\n        \"reason\": ");
    c.str(f.suppression_reason);
    c.lit(",\n        \"source\": ");
    c.str(f.suppression_source);
    c.lit("\n      }");
  } else {
    c.lit(",\n      \"suppressed\": false,\n      \"suppression\": null");
  }
  if (f.baselined)
    c.lit(",\n      \"baselined\": true,\n      \"fingerprint\": ");
  else
    c.lit(",\n      \"baselined\": false,\n      \"fingerprint\": ");
  if (!f.fingerprint.empty())
    c.str(f.fingerprint);
  else
    c.str(finding_fingerprint(f, scan_root));
  c.lit("\n    }");
  c.finish();
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
