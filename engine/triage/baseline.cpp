#include "engine/triage/baseline.h"

#include <simdjson.h>

#include <algorithm>
#include <fstream>
#include <tuple>
#include <unordered_set>

#include "engine/base/json_writer.h"
#include "engine/base/limits.h"
#include "engine/triage/fingerprint.h"

namespace polc {
namespace {

constexpr std::int64_t kBaselineVersion = 1;

bool entry_less(const BaselineEntry& a, const BaselineEntry& b) {
  return std::tie(a.file, a.policy_id, a.resource, a.property_path, a.fingerprint) <
         std::tie(b.file, b.policy_id, b.resource, b.property_path, b.fingerprint);
}

void baseline_error(Diagnostics& diags, const std::string& path, const std::string& what) {
  diags.error("baseline", Location::whole(path),
              "not a polc baseline: " + what +
                  "; write a new one with `polc check --write-baseline " + path + "`");
}

std::string member_text(simdjson::dom::object obj, const char* key) {
  std::string_view s;
  if (obj[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

}  // namespace

BaselineEntry baseline_entry(const Finding& f) {
  return {f.fingerprint, f.policy_id,    f.policy_name, normalize_report_path(f.location.file),
          f.resource,    f.property_path};
}

std::string render_baseline(const std::vector<Finding>& findings) {
  std::vector<BaselineEntry> entries;
  for (const Finding& f : findings)
    if (!f.suppressed && !f.baselined && !f.fingerprint.empty())
      entries.push_back(baseline_entry(f));
  return render_baseline_entries(std::move(entries));
}

std::string render_baseline_entries(std::vector<BaselineEntry> entries) {
  std::unordered_set<std::string> seen;
  std::erase_if(entries, [&](const BaselineEntry& e) {
    return e.fingerprint.empty() || !seen.insert(e.fingerprint).second;
  });
  std::sort(entries.begin(), entries.end(), entry_less);
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.member("version", kBaselineVersion);
  w.member("tool", "polc");
  w.key("findings");
  w.begin_array();
  for (const BaselineEntry& e : entries) {
    w.begin_object();
    w.member("fingerprint", e.fingerprint);
    w.member("policy_id", e.policy_id);
    w.member("policy", e.policy_name);
    w.member("file", e.file);
    w.member("resource", e.resource);
    w.member("path", e.property_path);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += '\n';
  return out;
}

bool parse_baseline(std::string_view json, const std::string& path, Baseline& out,
                    Diagnostics& diags) {
  out.path = path;
  out.entries.clear();
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (auto err = parser.parse(padded).get(root)) {
    baseline_error(diags, path, std::string("invalid JSON (") + simdjson::error_message(err) + ")");
    return false;
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    baseline_error(diags, path, "the top level is not an object");
    return false;
  }
  std::int64_t version = 0;
  if (obj["version"].get_int64().get(version) != simdjson::SUCCESS || version != kBaselineVersion) {
    baseline_error(diags, path, "missing or unsupported \"version\" (this polc reads version 1)");
    return false;
  }
  simdjson::dom::array list;
  if (obj["findings"].get_array().get(list) != simdjson::SUCCESS) {
    baseline_error(diags, path, "no \"findings\" array");
    return false;
  }
  std::size_t index = 0;
  for (simdjson::dom::element item : list) {
    simdjson::dom::object e;
    std::string_view fp;
    if (item.get_object().get(e) != simdjson::SUCCESS ||
        e["fingerprint"].get_string().get(fp) != simdjson::SUCCESS || fp.empty()) {
      baseline_error(diags, path,
                     "entry " + std::to_string(index) + " has no string \"fingerprint\"");
      return false;
    }
    out.entries.push_back({std::string(fp), member_text(e, "policy_id"), member_text(e, "policy"),
                           member_text(e, "file"), member_text(e, "resource"),
                           member_text(e, "path")});
    ++index;
  }
  return true;
}

bool load_baseline(const std::string& path, Baseline& out, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(
        "baseline", Location::whole(path),
        "cannot read the baseline; create it with `polc check --write-baseline " + path + "`");
    return false;
  }
  std::string text;
  char buf[65536];
  while (in) {
    in.read(buf, sizeof buf);
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxBaselineBytes) {
      diags.error("baseline", Location::whole(path),
                  "baseline larger than kMaxBaselineBytes (" + std::to_string(kMaxBaselineBytes) +
                      " bytes); is this the right file?");
      return false;
    }
  }
  return parse_baseline(text, path, out, diags);
}

BaselineMatcher::BaselineMatcher(const Baseline& baseline) : baseline_(baseline) {
  for (std::size_t i = 0; i < baseline.entries.size(); ++i) {
    by_fingerprint_.emplace(baseline.entries[i].fingerprint, i);
    by_file_.emplace(baseline.entries[i].file, i);
  }
}

void BaselineMatcher::apply(std::vector<Finding>& findings) {
  for (Finding& f : findings) {
    auto it = by_fingerprint_.find(f.fingerprint);
    if (it == by_fingerprint_.end()) continue;
    matched_.insert(it->first);
    if (!f.suppressed) f.baselined = true;
  }
}

std::vector<BaselineEntry> BaselineMatcher::unmatched_in(std::string_view file) const {
  std::vector<std::size_t> indices;
  auto [first, last] = by_file_.equal_range(file);
  for (auto it = first; it != last; ++it)
    if (!matched_.count(baseline_.entries[it->second].fingerprint)) indices.push_back(it->second);
  std::sort(indices.begin(), indices.end());  // the baseline's order
  std::vector<BaselineEntry> out;
  for (std::size_t i : indices) out.push_back(baseline_.entries[i]);
  return out;
}

std::vector<BaselineEntry> BaselineMatcher::unmatched() const {
  std::vector<BaselineEntry> out;
  for (const BaselineEntry& e : baseline_.entries)
    if (!matched_.count(e.fingerprint)) out.push_back(e);
  return out;
}

std::vector<BaselineEntry> apply_baseline(const Baseline& baseline,
                                          std::vector<Finding>& findings) {
  BaselineMatcher matcher(baseline);
  matcher.apply(findings);
  return matcher.unmatched();
}

Diagnostic fixed_baseline_note(const BaselineEntry& e, const std::string& baseline_path) {
  Diagnostic d;
  d.severity = DiagSeverity::kNote;
  d.code = "baseline-fixed";
  d.location = Location::whole(e.file.empty() ? baseline_path : e.file);
  std::string what = e.policy_name.empty() ? e.policy_id : e.policy_name;
  if (what.empty()) what = "fingerprint " + e.fingerprint;
  d.message = "fixed: baselined finding " + what;
  if (!e.resource.empty()) d.message += " on " + e.resource;
  if (!e.property_path.empty()) d.message += " (" + e.property_path + ")";
  d.message += " no longer occurs; run `polc check --write-baseline " + baseline_path +
               "` to drop it from the baseline";
  return d;
}

}  // namespace polc
