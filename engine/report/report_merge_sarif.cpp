// The SARIF half of `polc merge` (engine/report/report_merge.h): SARIF logs written by polc's `sarif`
// reporter are merged structurally into one run. The first log's run is the template: its
// members are copied in their order, except `tool.driver.rules` (united by id), `invocations`
// (one invocation: `executionSuccessful` of all, the recomputed `exitCode`, the united
// notifications), `results` (concatenated, `ruleIndex` remapped, sorted as `finding_less`
// sorts findings) and `properties` (the shard record is dropped: the output is not a shard).
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "engine/base/json_writer.h"
#include "engine/base/limits.h"
#include "engine/report/merge_util.h"
#include "engine/report/report_merge.h"
#include "engine/triage/exit_codes.h"

namespace polc {

namespace {

using internal::merge_error;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

/// Copies `e` into `w` (numbers keep their integer type; doubles get 6 decimals). Recurses per
/// nesting level: bounded by the parser's maximum depth (simdjson's default, 1024 levels).
void copy_element(JsonWriter& w, element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY:
      w.begin_array();
      for (element c : array(e)) copy_element(w, c);
      w.end_array();
      break;
    case simdjson::dom::element_type::OBJECT:
      w.begin_object();
      for (auto [k, v] : object(e)) {
        w.key(k);
        copy_element(w, v);
      }
      w.end_object();
      break;
    case simdjson::dom::element_type::INT64:
      w.value(std::int64_t(e));
      break;
    case simdjson::dom::element_type::UINT64:
      w.value(std::uint64_t(e));
      break;
    case simdjson::dom::element_type::DOUBLE:
      w.value(double(e), 6);
      break;
    case simdjson::dom::element_type::STRING:
      w.value(std::string_view(e));
      break;
    case simdjson::dom::element_type::BOOL:
      w.value(bool(e));
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      w.null();
      break;
  }
}

using Maybe = simdjson::simdjson_result<element>;

std::string_view str(Maybe e, std::string_view dflt = {}) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? s : dflt;
}

std::uint64_t num(Maybe e) {
  std::uint64_t n = 0;
  return e.get_uint64().get(n) == simdjson::SUCCESS ? n : 0;
}

/// Undoes the reporter's percent-encoding so results sort by path as findings do.
std::string percent_decode(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// Sort key of a result or notification: file, line, column, then rule, resource, message.
using SortKey =
    std::tuple<std::string, std::uint64_t, std::uint64_t, std::string, std::string, std::string>;

SortKey location_key(Maybe loc) {
  std::string file;
  std::uint64_t line = 0, col = 0;
  element pl;
  if (loc["physicalLocation"].get(pl) == simdjson::SUCCESS) {
    file = percent_decode(str(pl["artifactLocation"]["uri"]));
    element region;
    if (pl["region"].get(region) == simdjson::SUCCESS) {
      line = num(region["startLine"]);
      col = num(region["startColumn"]);
    }
  }
  return {file, line, col, "", "", ""};
}

struct Run {
  std::string path;
  element run;  // runs[0]
  internal::ShardMark mark;
  std::optional<Severity> fail_threshold;
  std::uint64_t templates_failed = 0, incomplete = 0;
  int exit_code = 0;
  bool success = true;
};

bool read_run(const MergeInput& in, simdjson::dom::parser& parser, Run& r, Diagnostics& diags) {
  if (in.text.size() > kMaxMergeReportBytes) {
    merge_error(diags, in.path, "is larger than the merge limit (kMaxMergeReportBytes)");
    return false;
  }
  element root;
  if (auto err = parser.parse(in.text).get(root)) {
    merge_error(diags, in.path,
                std::string("is not valid JSON (") + simdjson::error_message(err) + ")");
    return false;
  }
  array runs;
  object run;
  if (root["runs"].get_array().get(runs) != simdjson::SUCCESS || runs.size() != 1 ||
      runs.at(0).get_object().get(run) != simdjson::SUCCESS ||
      str(root["runs"].at(0)["tool"]["driver"]["name"]) != "polc") {
    merge_error(diags, in.path, "is not a SARIF log with one run written by polc");
    return false;
  }
  r.path = in.path;
  r.run = runs.at(0).value_unsafe();  // checked above
  r.mark.path = in.path;
  element shard;
  if (r.run["properties"]["polcShard"].get(shard) == simdjson::SUCCESS) {
    const std::uint64_t k = num(shard["index"]), n = num(shard["count"]);
    if (n == 0 || k == 0 || k > n || n > kMaxShards) {
      merge_error(diags, in.path, "has a malformed 'polcShard' property");
      return false;
    }
    r.mark.index = static_cast<std::uint32_t>(k);
    r.mark.count = static_cast<std::uint32_t>(n);
    Severity s;
    if (parse_severity(str(shard["failThreshold"]), s)) r.fail_threshold = s;
    r.templates_failed = num(shard["templatesFailed"]);
    r.incomplete = num(shard["incomplete"]);
  }
  element inv;
  if (r.run["invocations"].at(0).get(inv) == simdjson::SUCCESS) {
    std::int64_t code = 0;
    if (inv["exitCode"].get_int64().get(code) == simdjson::SUCCESS)
      r.exit_code = static_cast<int>(code);
    bool ok = true;
    if (inv["executionSuccessful"].get_bool().get(ok) == simdjson::SUCCESS) r.success = ok;
  }
  return true;
}

std::vector<element> elements(Maybe parent, const char* key) {
  std::vector<element> out;
  array a;
  if (parent[key].get_array().get(a) == simdjson::SUCCESS)
    for (element e : a) out.push_back(e);
  return out;
}

}  // namespace

bool merge_sarif_reports(const std::vector<MergeInput>& inputs, const MergeOptions& options,
                         std::string& out, int& exit_code, Diagnostics& diags) {
  std::vector<simdjson::dom::parser> parsers(inputs.size());
  std::vector<Run> runs(inputs.size());
  bool ok = !inputs.empty();
  for (std::size_t i = 0; i < inputs.size(); ++i)
    ok = read_run(inputs[i], parsers[i], runs[i], diags) && ok;
  if (!ok) return false;
  std::vector<internal::ShardMark> marks;
  for (const Run& r : runs) marks.push_back(r.mark);
  if (!internal::check_shard_set(marks, diags)) return false;

  // Rules united by id; results remapped to the united indices.
  std::vector<element> rules;
  std::map<std::string, std::size_t> rule_index;
  for (const Run& r : runs)
    for (element rule : elements(r.run["tool"]["driver"], "rules"))
      if (rule_index.emplace(std::string(str(rule["id"])), rules.size()).second)
        rules.push_back(rule);

  struct Result {
    SortKey key;
    element e;
    std::string rule;
  };
  std::vector<Result> results;
  bool any_baselined = false;
  std::optional<Severity> recorded;
  bool success = true, policy_errors = false;
  std::uint64_t templates_failed = 0, incomplete = 0;
  int combined = kExitClean;
  std::vector<std::vector<std::string>> note_keys;
  std::vector<std::vector<element>> notes;
  std::map<std::pair<std::string, std::size_t>, std::uint64_t> match_counts;
  std::map<std::string, std::string> shapes;
  for (const Run& r : runs) {
    for (element res : elements(element(r.run), "results")) {
      Result x{location_key(res["locations"].at(0)), res, std::string(str(res["ruleId"]))};
      std::get<3>(x.key) = x.rule;
      std::get<4>(x.key) = str(res["locations"].at(0)["logicalLocations"].at(0)["name"]);
      std::get<5>(x.key) = str(res["message"]["text"]);
      if (str(res["baselineState"]) == "unchanged") any_baselined = true;
      results.push_back(std::move(x));
    }
    if (r.fail_threshold &&
        (!recorded || static_cast<int>(*r.fail_threshold) > static_cast<int>(*recorded)))
      recorded = r.fail_threshold;
    success = success && r.success;
    policy_errors = policy_errors || r.exit_code == kExitUsageOrPolicyError;
    templates_failed += r.templates_failed;
    incomplete += r.incomplete;
    combined = internal::combine_exit_codes(combined, r.exit_code);
    std::vector<element> ns = elements(r.run["invocations"].at(0), "toolExecutionNotifications");
    std::vector<std::string> keys;
    std::map<std::string, std::size_t> ordinal;
    for (element n : ns) {
      std::string shape;
      std::uint64_t count = 0;
      if (str(n["descriptor"]["id"]) == "waiver-expired" &&
          internal::split_match_count(str(n["message"]["text"]), shape, count)) {
        // Each shard counts only its own matching findings: key without the count, summed.
        element locs;
        std::string key =
            "waiver-expired\xff" + shape + "\xff" +
            (n["locations"].get(locs) == simdjson::SUCCESS ? simdjson::minify(locs) : "");
        match_counts[{key, ordinal[key]++}] += count;
        shapes[key] = shape;
        keys.push_back(std::move(key));
      } else {
        keys.push_back(simdjson::minify(n));
      }
    }
    note_keys.push_back(std::move(keys));
    notes.push_back(std::move(ns));
  }
  std::stable_sort(results.begin(), results.end(),
                   [](const Result& a, const Result& b) { return a.key < b.key; });
  struct Note {
    SortKey key;
    element e;
    std::optional<std::string> text;  // replaces message.text (summed match counts)
  };
  std::vector<Note> united;
  std::map<std::string, std::size_t> emitted;
  bool load_error = templates_failed > 0, incomplete_error = incomplete > 0;
  for (auto [i, j] : internal::unite_by_max_multiplicity(note_keys)) {
    element n = notes[i][j];
    if (str(n["descriptor"]["id"]) == "no-such-file") policy_errors = true;
    if (str(n["level"]) == "error") {
      element rule;
      (n["associatedRule"].get(rule) == simdjson::SUCCESS ? incomplete_error : load_error) = true;
    }
    SortKey k;
    element loc;
    if (n["locations"].at(0).get(loc) == simdjson::SUCCESS) k = location_key(element(loc));
    std::optional<std::string> text;
    const std::string& key = note_keys[i][j];
    auto it = match_counts.find({key, emitted[key]++});
    if (it != match_counts.end()) text = internal::join_match_count(shapes[key], it->second);
    united.push_back({k, n, std::move(text)});
  }
  std::stable_sort(united.begin(), united.end(), [](const Note& a, const Note& b) {
    return std::tie(std::get<0>(a.key), std::get<1>(a.key), std::get<2>(a.key)) <
           std::tie(std::get<0>(b.key), std::get<1>(b.key), std::get<2>(b.key));
  });

  // The exit code: recomputed from the results when a threshold is known, else the inputs'
  // codes combined by priority (the same thing when every shard used one threshold).
  const std::optional<Severity> threshold = options.fail_threshold ? options.fail_threshold
                                            : options.severity     ? options.severity
                                                                   : recorded;
  if (!threshold) {
    exit_code = policy_errors ? kExitUsageOrPolicyError : combined;
  } else if (policy_errors) {
    exit_code = kExitUsageOrPolicyError;
  } else {
    exit_code = load_error ? kExitLoadFailure : incomplete_error ? kExitIncomplete : kExitClean;
    for (const Result& r : results) {
      Severity s;
      if (!parse_severity(str(r.e["properties"]["severity"]), s)) continue;
      element sup;
      const bool suppressed = r.e["suppressions"].get(sup) == simdjson::SUCCESS;
      const bool baselined = str(r.e["baselineState"]) == "unchanged";
      if (!suppressed && !baselined && static_cast<int>(s) <= static_cast<int>(*threshold))
        exit_code = kExitFindings;
    }
  }

  out.clear();
  JsonWriter w(out);
  element first = runs[0].run;
  w.begin_object();
  w.member("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  w.member("version", "2.1.0");
  w.key("runs");
  w.begin_array();
  w.begin_object();
  for (auto [key, value] : object(first)) {
    if (key == "tool") {
      w.key("tool");
      w.begin_object();
      for (auto [tk, tv] : object(value)) {
        w.key(tk);
        if (tk != "driver") {
          copy_element(w, tv);
          continue;
        }
        w.begin_object();
        for (auto [dk, dv] : object(tv)) {
          w.key(dk);
          if (dk != "rules") {
            copy_element(w, dv);
            continue;
          }
          w.begin_array();
          for (element rule : rules) copy_element(w, rule);
          w.end_array();
        }
        w.end_object();
      }
      w.end_object();
    } else if (key == "invocations") {
      w.key("invocations");
      w.begin_array();
      w.begin_object();
      w.member("executionSuccessful", success && !load_error && !incomplete_error);
      w.member("exitCode", exit_code);
      w.key("toolExecutionNotifications");
      w.begin_array();
      for (const Note& n : united) {
        if (!n.text) {
          copy_element(w, n.e);
          continue;
        }
        w.begin_object();
        for (auto [nk, nv] : object(n.e)) {
          w.key(nk);
          if (nk == "message") {
            w.begin_object();
            w.member("text", *n.text);
            w.end_object();
          } else {
            copy_element(w, nv);
          }
        }
        w.end_object();
      }
      w.end_array();
      w.end_object();
      w.end_array();
    } else if (key == "results") {
      w.key("results");
      w.begin_array();
      for (const Result& r : results) {
        w.begin_object();
        // The reporter gives every result a baselineState once any is baselined; results of a
        // shard without baselined findings have none, so they get "new", before `properties`.
        element state;
        const bool add_state =
            any_baselined && r.e["baselineState"].get(state) != simdjson::SUCCESS;
        for (auto [rk, rv] : object(r.e)) {
          if (rk == "properties" && add_state) w.member("baselineState", "new");
          w.key(rk);
          if (rk == "ruleIndex" && rule_index.count(r.rule)) {
            w.value(static_cast<std::uint64_t>(rule_index[r.rule]));
          } else {
            copy_element(w, rv);
          }
        }
        w.end_object();
      }
      w.end_array();
    } else if (key == "properties") {
      std::vector<std::pair<std::string_view, element>> kept;
      for (auto [pk, pv] : object(value))
        if (pk != "polcShard") kept.emplace_back(pk, pv);
      if (kept.empty()) continue;
      w.key("properties");
      w.begin_object();
      for (auto& [pk, pv] : kept) {
        w.key(pk);
        copy_element(w, pv);
      }
      w.end_object();
    } else {
      w.key(key);
      copy_element(w, value);
    }
  }
  w.end_object();
  w.end_array();
  w.end_object();
  return true;
}

}  // namespace polc
