// `polc list`: the policies a run would check, after the configuration's selection and overrides.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/run_setup.h"
#include "engine/base/json_writer.h"
#include "engine/config/selection.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_list(const CheckArgs& args) {
  const bool color = use_color(args.no_color, 2);
  const std::string format = args.format.empty() ? "text" : args.format;
  if (format != "text" && format != "json") {
    std::cerr << "polc: polc list --format takes text or json, got '" << format << "'\n";
    return kExitUsageOrPolicyError;
  }
  Config cfg;
  if (!effective_config(args, cfg, color)) return kExitUsageOrPolicyError;
  ScanInputs found;
  if (!args.paths.empty()) {
    TemplateFilter all({}, {}, ShardSpec{});
    found = find_scan_inputs(args.paths, cfg.exclude, all);
  }
  schema::SchemaSet schemas;
  std::unique_ptr<PolicySet> set =
      load_run_policies(args, cfg, found.policies, found.bundles, args.paths, schemas, color);
  if (!set || !validate_config(cfg, *set, color)) return kExitUsageOrPolicyError;
  std::vector<PolicyInfo> listed;
  for (const auto& p : set->policies) {
    if (!policy_selected(p.info, cfg.enable, cfg.disable)) continue;
    PolicyInfo info = p.info;
    for (const SeverityOverride& o : cfg.severity_overrides)
      if (matches_policy(info, o.policy)) info.severity = o.severity;
    listed.push_back(std::move(info));
  }
  std::sort(listed.begin(), listed.end(),
            [](const PolicyInfo& a, const PolicyInfo& b) { return a.id < b.id; });
  auto joined = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
    return out.empty() ? std::string("-") : out;
  };
  std::string out;
  if (format == "json") {
    JsonWriter w(out);
    w.begin_object();
    w.key("policies");
    w.begin_array();
    for (const PolicyInfo& p : listed) {
      w.begin_object();
      w.member("id", p.id);
      w.member("name", p.name);
      w.member("title", p.title);
      w.member("severity", severity_name(p.severity));
      w.key("tags");
      w.begin_array();
      for (const auto& t : p.tags) w.value(t);
      w.end_array();
      w.key("aliases");
      w.begin_array();
      for (const auto& t : p.aliases) w.value(t);
      w.end_array();
      w.member("source", p.source_file);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    out += "\n";
  } else {
    std::size_t wid = 2, wname = 4;
    for (const PolicyInfo& p : listed) {
      wid = std::max(wid, p.id.size());
      wname = std::max(wname, p.name.size());
    }
    auto pad = [](std::string s, std::size_t n) {
      if (s.size() < n) s.append(n - s.size(), ' ');
      return s;
    };
    out += pad("ID", wid) + "  " + pad("NAME", wname) + "  " + pad("SEVERITY", 8) +
           "  TAGS  ALIASES\n";
    for (const PolicyInfo& p : listed)
      out += pad(p.id, wid) + "  " + pad(p.name, wname) + "  " +
             pad(std::string(severity_name(p.severity)), 8) + "  " + joined(p.tags) + "  " +
             joined(p.aliases) + "\n";
    out += std::to_string(listed.size()) + (listed.size() == 1 ? " policy\n" : " policies\n");
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace polc::cli
