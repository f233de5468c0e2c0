// The `json` reporter: polc's own machine-readable report, schema version 1.
//
// docs/json-report.md documents every field and the stability promise. All findings are
// included, suppressed and baselined ones flagged, so tools can count them; the document is
// pretty-printed with two-space indentation and members in a fixed order. Findings are written as
// files finish; the errors, which come after them, are spooled (engine/report/spool.h).
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

/// `aliases`: the peer rule ids of the finding's policy (cfn_nag, checkov, guard), or null when
/// the policy is not in the report's policy list.
void write_finding(JsonWriter& w, const Finding& f, std::string_view scan_root, bool shard,
                   const std::vector<std::string>* aliases) {
  w.begin_object();
  w.member("policy_id", f.policy_id);
  w.member("policy_name", f.policy_name);
  w.key("aliases");
  w.begin_array();
  if (aliases)
    for (const std::string& a : *aliases) w.value(a);
  w.end_array();
  w.member("severity", severity_name(f.severity));
  w.member("outcome", f.outcome == Outcome::kUnknown ? "unknown" : "fail");
  w.member("file", f.location.file);
  w.member("resource", f.resource);
  write_string_or_null(w, "construct_path", f.construct_path);
  w.member("property_path", f.property_path);
  w.member("line", f.location.line);
  w.member("column", f.location.column);
  write_source_line(w, f.location, shard);
  w.member("message", f.message);
  w.key("conditions");
  w.begin_array();
  for (const ConditionClause& clause : f.conditions) {
    w.begin_object();
    for (const ConditionTerm& term : clause) w.member(term.name, term.value);
    w.end_object();
  }
  w.end_array();
  if (!f.deployments.empty()) {
    w.key("deployments");
    w.begin_array();
    for (const std::string& d : f.deployments) w.value(d);
    w.end_array();
  }
  w.key("related");
  w.begin_array();
  for (const RelatedLocation& r : f.related) {
    w.begin_object();
    write_location_fields(w, r.location);
    write_source_line(w, r.location, shard);
    w.member("message", r.message);
    w.end_object();
  }
  w.end_array();
  w.member("remediation", f.remediation);
  w.member("suppressed", f.suppressed);
  if (f.suppressed) {
    w.key("suppression");
    w.begin_object();
    w.member("reason", f.suppression_reason);
    w.member("source", f.suppression_source);
    w.end_object();
  } else {
    w.null_member("suppression");
  }
  w.member("baselined", f.baselined);
  w.member("fingerprint", finding_fingerprint(f, scan_root));
  w.end_object();
}

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
  static constexpr std::size_t kFindingDepth = 2;  // the report object, its `findings` array
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
      auto it = aliases_.find(f.policy_id);
      write_finding(w_, f, frame_.scan_root, shard_, it == aliases_.end() ? nullptr : it->second);
    }
    flush();
    for (const Diagnostic& d : errors) write_error(errors_writer_, d, shard_);
    errors_.append(error_text_);
    error_text_.clear();
  }

  void prerender(Finding& f) const override {
    f.rendered.clear();
    f.rendered.reserve(kFindingBytesHint);
    JsonWriter w(f.rendered, true, kFindingDepth);
    auto it = aliases_.find(f.policy_id);
    write_finding(w, f, frame_.scan_root, shard_, it == aliases_.end() ? nullptr : it->second);
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
  JsonWriter w_;
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
