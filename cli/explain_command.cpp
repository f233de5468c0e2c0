// polc explain ID|NAME: a policy's documentation and source.
#include "cli/commands.h"

#include <iostream>

#include "dsl/compiler.h"
#include "dsl/module.h"
#include "engine/base/printable.h"
#include "engine/scan/discovery.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_explain(const std::string& name, const std::vector<std::string>& policy_paths) {
  Diagnostics diags;
  DiscoveredFiles found = discover_files(policy_paths, {});
  ModuleSet modules;
  if (!found.roots.empty()) modules.set_import_roots(found.roots);
  modules.load_builtin_pack(diags);
  for (const auto& p : found.policies) modules.load_file(p, diags);
  auto set = compile_modules(modules, diags);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (!set) return kExitUsageOrPolicyError;
  for (const auto& p : set->policies) {
    if (p.info.id != name && p.info.name != name) continue;
    const PolicyInfo& i = p.info;
    // Policy text may come from a scanned repository: control characters are escaped
    // (engine/base/printable.h).
    std::string out = i.id + "  " + i.name + "  (" + std::string(severity_name(i.severity)) +
                      ")\n\n" + i.title + "\n\n";
    if (!i.description.empty()) out += i.description + "\n\n";
    if (!i.remediation.empty()) out += "Remediation:\n" + i.remediation + "\n\n";
    if (!i.docs_url.empty()) out += "Docs: " + i.docs_url + "\n";
    if (!i.applies_to.empty()) {
      out += "Applies to:";
      for (const auto& t : i.applies_to) out += " " + t;
      out += "\n";
    }
    if (!i.aliases.empty()) {
      out += "Aliases:";
      for (const auto& t : i.aliases) out += " " + t;
      out += "\n";
    }
    if (p.source < set->sources.size())
      out += "\nSource (" + set->sources[p.source]->path() + "):\n\n" +
             std::string(set->sources[p.source]->text());
    std::cout << printable_lines(out);
    return 0;
  }
  std::cerr << "polc: no policy with id or name '" << name << "'\n";
  return kExitUsageOrPolicyError;
}

}  // namespace polc::cli
