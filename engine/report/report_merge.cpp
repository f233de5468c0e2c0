#include "engine/report/report_merge.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "engine/base/limits.h"
#include "engine/report/merge_util.h"
#include "engine/report/record_json.h"
#include "engine/triage/exit_codes.h"

namespace polc {

namespace internal {

void merge_error(Diagnostics& diags, const std::string& path, const std::string& message) {
  diags.error("merge", Location::whole(path), message);
}

bool check_shard_set(const std::vector<ShardMark>& marks, Diagnostics& diags) {
  std::size_t sharded = 0;
  for (const ShardMark& m : marks) sharded += m.count > 0 ? 1 : 0;
  if (sharded == 0) return true;
  if (sharded != marks.size()) {
    for (const ShardMark& m : marks)
      if (m.count == 0)
        merge_error(diags, m.path,
                    "is not a shard report, but others are; merge either the reports of all "
                    "shards of one run or plain reports, not both");
    return false;
  }
  const std::uint32_t n = marks[0].count;
  bool ok = true;
  std::map<std::uint32_t, std::string> seen;
  for (const ShardMark& m : marks) {
    if (m.count != n) {
      merge_error(diags, m.path,
                  "is shard " + std::to_string(m.index) + "/" + std::to_string(m.count) + ", but " +
                      marks[0].path + " is shard " + std::to_string(marks[0].index) + "/" +
                      std::to_string(n) + "; merge the shards of one run (same N)");
      ok = false;
      continue;
    }
    auto [it, fresh] = seen.emplace(m.index, m.path);
    if (!fresh) {
      merge_error(diags, m.path,
                  "is shard " + std::to_string(m.index) + "/" + std::to_string(n) +
                      " again (also " + it->second + "); give each shard's report once");
      ok = false;
    }
  }
  if (!ok) return false;
  std::string missing;
  for (std::uint32_t k = 1; k <= n && missing.size() < 200; ++k)
    if (!seen.count(k)) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
  if (!missing.empty()) {
    merge_error(diags, "",
                "shard(s) " + missing + " of " + std::to_string(n) +
                    " missing: without them the merged report would hide their findings; pass "
                    "every shard's report");
    return false;
  }
  return true;
}

std::vector<std::pair<std::size_t, std::size_t>> unite_by_max_multiplicity(
    const std::vector<std::vector<std::string>>& keys) {
  std::map<std::string, std::size_t> kept;  // key -> times emitted so far
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::map<std::string, std::size_t> here;
    for (std::size_t j = 0; j < keys[i].size(); ++j) {
      const std::size_t n = ++here[keys[i][j]];
      std::size_t& k = kept[keys[i][j]];
      if (n > k) {
        k = n;
        out.emplace_back(i, j);
      }
    }
  }
  return out;
}

bool split_match_count(std::string_view message, std::string& shape, std::uint64_t& count) {
  static constexpr std::string_view kBefore = "no longer suppresses; ";
  static constexpr std::string_view kAfter = " matched it";
  const std::size_t p = message.find(kBefore);
  if (p == std::string_view::npos) return false;
  std::size_t i = p + kBefore.size();
  const std::size_t digits = i;
  count = 0;
  while (i < message.size() && message[i] >= '0' && message[i] <= '9' && i - digits < 18)
    count = count * 10 + static_cast<std::uint64_t>(message[i++] - '0');
  if (i == digits) return false;
  std::string_view rest = message.substr(i);
  for (std::string_view word : {" findings", " finding"}) {
    if (rest.substr(0, word.size()) == word && rest.substr(word.size(), kAfter.size()) == kAfter) {
      shape = std::string(message.substr(0, digits));
      shape += '\0';
      shape += rest.substr(word.size());
      return true;
    }
  }
  return false;
}

std::string join_match_count(std::string_view shape, std::uint64_t count) {
  const std::size_t z = shape.find('\0');
  if (z == std::string_view::npos) return std::string(shape);
  return std::string(shape.substr(0, z)) + std::to_string(count) +
         (count == 1 ? " finding" : " findings") + std::string(shape.substr(z + 1));
}

int combine_exit_codes(int a, int b) {
  auto rank = [](int c) {
    switch (c) {
      case kExitUsageOrPolicyError:
        return 4;
      case kExitFindings:
        return 3;
      case kExitLoadFailure:
        return 2;
      case kExitIncomplete:
        return 1;
      default:
        return 0;
    }
  };
  return rank(a) >= rank(b) ? a : b;
}

}  // namespace internal

namespace {

using internal::merge_error;

/// A diagnostic as a string, every field included, for uniting shards' diagnostics.
std::string diagnostic_key(const Diagnostic& d) {
  std::string k;
  auto add = [&k](std::string_view s) {
    k += s;
    k += '\xff';
  };
  add(d.location.file);
  add(std::to_string(d.location.line) + ":" + std::to_string(d.location.column));
  add(diag_severity_name(d.severity));
  add(d.code);
  add(d.message);
  add(d.policy_id);
  for (const DiagNote& n : d.notes) {
    add(n.location.file);
    add(std::to_string(n.location.line) + ":" + std::to_string(n.location.column));
    add(n.message);
  }
  return k;
}

bool location_less(const Diagnostic& a, const Diagnostic& b) {
  return std::tie(a.location.file, a.location.line, a.location.column) <
         std::tie(b.location.file, b.location.line, b.location.column);
}

/// One parsed JSON report.
struct JsonReport {
  std::string tool_version;
  internal::ShardMark mark;
  std::optional<Severity> fail_threshold;
  std::vector<PolicyInfo> policies;
  std::vector<Finding> findings;
  std::vector<Diagnostic> errors;
  ScanSummary summary;
  int exit_code = 0;
};

bool get_u64(simdjson::dom::object o, const char* key, std::uint64_t& out) {
  return o[key].get_uint64().get(out) == simdjson::SUCCESS;
}

bool read_json_report(const MergeInput& in, JsonReport& r, Diagnostics& diags) {
  if (in.text.size() > kMaxMergeReportBytes) {
    merge_error(diags, in.path, "is larger than the merge limit (kMaxMergeReportBytes)");
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::padded_string padded(in.text);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root)) {
    merge_error(diags, in.path,
                std::string("is not valid JSON (") + simdjson::error_message(err) + ")");
    return false;
  }
  simdjson::dom::object o;
  std::int64_t version = 0;
  if (root.get_object().get(o) != simdjson::SUCCESS ||
      o["version"].get_int64().get(version) != simdjson::SUCCESS || version != 1) {
    merge_error(
        diags, in.path,
        "is not a polc JSON report of version 1 (write it with `polc check --format json`)");
    return false;
  }
  std::string_view tv;
  if (o["tool"]["version"].get_string().get(tv) == simdjson::SUCCESS) r.tool_version = tv;
  r.mark.path = in.path;
  simdjson::dom::object shard;
  if (o["shard"].get_object().get(shard) == simdjson::SUCCESS) {
    std::uint64_t k = 0, n = 0;
    if (!get_u64(shard, "index", k) || !get_u64(shard, "count", n) || n == 0 || k == 0 || k > n ||
        n > kMaxShards) {
      merge_error(diags, in.path, "has a malformed 'shard' member");
      return false;
    }
    r.mark.index = static_cast<std::uint32_t>(k);
    r.mark.count = static_cast<std::uint32_t>(n);
  }
  std::string error;
  auto bad = [&](const std::string& where) {
    merge_error(diags, in.path, where + ": " + error);
    return false;
  };
  simdjson::dom::object merge;
  if (o["merge"].get_object().get(merge) == simdjson::SUCCESS) {
    std::string_view ft;
    Severity s;
    if (merge["fail_threshold"].get_string().get(ft) == simdjson::SUCCESS && parse_severity(ft, s))
      r.fail_threshold = s;
    simdjson::dom::array policies;
    if (merge["policies"].get_array().get(policies) == simdjson::SUCCESS) {
      for (simdjson::dom::element p : policies) {
        PolicyInfo info;
        if (!read_policy_record(p, info, error)) return bad("a policy in 'merge.policies'");
        r.policies.push_back(std::move(info));
      }
    }
  }
  simdjson::dom::array findings, errors;
  if (o["findings"].get_array().get(findings) != simdjson::SUCCESS ||
      o["errors"].get_array().get(errors) != simdjson::SUCCESS) {
    merge_error(diags, in.path, "has no 'findings' or 'errors' array");
    return false;
  }
  for (simdjson::dom::element f : findings) {
    Finding finding;
    if (!read_finding_record(f, finding, error))
      return bad("finding " + std::to_string(r.findings.size() + 1));
    r.findings.push_back(std::move(finding));
  }
  for (simdjson::dom::element e : errors) {
    Diagnostic d;
    if (!read_diagnostic_record(e, d, error))
      return bad("error entry " + std::to_string(r.errors.size() + 1));
    r.errors.push_back(std::move(d));
  }
  simdjson::dom::object summary;
  std::int64_t exit_code = 0;
  if (o["summary"].get_object().get(summary) != simdjson::SUCCESS ||
      !get_u64(summary, "templates_checked", r.summary.templates_checked) ||
      !get_u64(summary, "files_skipped", r.summary.files_skipped) ||
      !get_u64(summary, "templates_failed", r.summary.templates_failed) ||
      !get_u64(summary, "incomplete", r.summary.incomplete) ||
      summary["exit_code"].get_int64().get(exit_code) != simdjson::SUCCESS) {
    merge_error(diags, in.path, "has a malformed 'summary'");
    return false;
  }
  r.exit_code = static_cast<int>(exit_code);
  double elapsed = 0;
  if (summary["elapsed_seconds"].get_double().get(elapsed) == simdjson::SUCCESS && elapsed >= 0)
    r.summary.elapsed_seconds = elapsed;
  return true;
}

}  // namespace

ReportKind detect_report_kind(std::string_view text) {
  // Both formats are objects whose first members identify them: polc's report starts with
  // "version": 1, SARIF with "$schema" (polc's writer) or has "runs".
  const std::string_view head = text.substr(0, 4096);
  if (head.find("\"$schema\"") != std::string_view::npos ||
      head.find("\"runs\"") != std::string_view::npos)
    return ReportKind::kSarif;
  if (head.find("\"version\"") != std::string_view::npos) return ReportKind::kJson;
  return ReportKind::kUnknown;
}

bool merge_json_reports(const std::vector<MergeInput>& inputs, const MergeOptions& options,
                        ScanResult& out, Diagnostics& diags) {
  std::vector<JsonReport> reports(inputs.size());
  bool ok = !inputs.empty();
  for (std::size_t i = 0; i < inputs.size(); ++i)
    ok = read_json_report(inputs[i], reports[i], diags) && ok;
  if (!ok) return false;
  std::vector<internal::ShardMark> marks;
  for (const JsonReport& r : reports) {
    marks.push_back(r.mark);
    if (r.tool_version != reports[0].tool_version) {
      merge_error(diags, r.mark.path,
                  "was written by polc " + r.tool_version + ", " + reports[0].mark.path +
                      " by polc " + reports[0].tool_version +
                      "; run every shard with the same polc");
      ok = false;
    }
  }
  if (!internal::check_shard_set(marks, diags) || !ok) return false;

  out = ScanResult{};
  out.scan_root = ".";
  std::set<std::string> policy_ids;
  bool policy_errors = false;
  std::optional<Severity> recorded;
  std::vector<std::vector<std::string>> error_keys;
  std::map<std::pair<std::string, std::size_t>, std::uint64_t> match_counts;  // summed counts
  for (JsonReport& r : reports) {
    for (PolicyInfo& p : r.policies)
      if (policy_ids.insert(p.id).second) out.policies.push_back(std::move(p));
    for (Finding& f : r.findings)
      if (!options.severity || static_cast<int>(f.severity) <= static_cast<int>(*options.severity))
        out.findings.push_back(std::move(f));
    out.summary.templates_checked += r.summary.templates_checked;
    out.summary.files_skipped += r.summary.files_skipped;
    out.summary.templates_failed += r.summary.templates_failed;
    out.summary.incomplete += r.summary.incomplete;
    out.summary.elapsed_seconds = std::max(out.summary.elapsed_seconds, r.summary.elapsed_seconds);
    policy_errors = policy_errors || r.exit_code == kExitUsageOrPolicyError;
    if (r.fail_threshold &&
        (!recorded || static_cast<int>(*r.fail_threshold) > static_cast<int>(*recorded)))
      recorded = r.fail_threshold;  // the most lenient, should shards disagree
    std::vector<std::string> keys;
    std::map<std::string, std::size_t> ordinal;
    for (Diagnostic& d : r.errors) {
      std::string shape;
      std::uint64_t count = 0;
      if (d.code == "waiver-expired" && internal::split_match_count(d.message, shape, count)) {
        d.message = shape;  // the key leaves the shard's count out; the counts are summed
        const std::string key = diagnostic_key(d);
        match_counts[{key, ordinal[key]++}] += count;
      }
      keys.push_back(diagnostic_key(d));
    }
    error_keys.push_back(std::move(keys));
  }
  std::map<std::string, std::size_t> emitted;
  for (auto [i, j] : internal::unite_by_max_multiplicity(error_keys)) {
    Diagnostic& d = reports[i].errors[j];
    auto it = match_counts.find({error_keys[i][j], emitted[error_keys[i][j]]++});
    if (it != match_counts.end()) d.message = internal::join_match_count(d.message, it->second);
    if (d.code == "no-such-file") policy_errors = true;  // as `polc check` decides
    out.errors.push_back(std::move(d));
  }
  for (const Finding& f : out.findings) {
    if (f.suppressed)
      ++out.summary.suppressed;
    else if (f.baselined)
      ++out.summary.baselined;
    else if (f.outcome == Outcome::kUnknown)
      ++out.summary.unknown;
    else
      ++out.summary.findings_by_severity[static_cast<int>(f.severity)];
  }
  std::stable_sort(out.findings.begin(), out.findings.end(), finding_less);
  std::stable_sort(out.errors.begin(), out.errors.end(), location_less);
  const Severity threshold = options.fail_threshold ? *options.fail_threshold
                             : options.severity     ? *options.severity
                                                    : recorded.value_or(Severity::kLow);
  out.exit_code = compute_exit_code(out, threshold, policy_errors);
  return true;
}

}  // namespace polc
