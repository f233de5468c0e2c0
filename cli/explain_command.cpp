// polc explain ID|NAME: a policy's documentation and source.
#include "cli/commands.h"

#include <iostream>

#include "dsl/compiler.h"
#include "dsl/module.h"
#include "engine/scan/discovery.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_explain(const std::string& name, const std::vector<std::string>& policy_paths) {
  Diagnostics diags;
  DiscoveredFiles found = discover_files(policy_paths, {});
  ModuleSet modules;
  modules.load_builtin_pack(diags);
  for (const auto& p : found.policies) modules.load_file(p, diags);
  auto set = compile_modules(modules, diags);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (!set) return kExitUsageOrPolicyError;
  for (const auto& p : set->policies) {
    if (p.info.id != name && p.info.name != name) continue;
    const PolicyInfo& i = p.info;
    std::cout << i.id << "  " << i.name << "  (" << severity_name(i.severity) << ")\n\n"
              << i.title << "\n\n";
    if (!i.description.empty()) std::cout << i.description << "\n\n";
    if (!i.remediation.empty()) std::cout << "Remediation:\n" << i.remediation << "\n\n";
    if (!i.docs_url.empty()) std::cout << "Docs: " << i.docs_url << "\n";
    if (!i.applies_to.empty()) {
      std::cout << "Applies to:";
      for (const auto& t : i.applies_to) std::cout << " " << t;
      std::cout << "\n";
    }
    if (!i.aliases.empty()) {
      std::cout << "Aliases:";
      for (const auto& t : i.aliases) std::cout << " " << t;
      std::cout << "\n";
    }
    if (p.source < set->sources.size()) {
      std::cout << "\nSource (" << set->sources[p.source]->path() << "):\n\n"
                << set->sources[p.source]->text();
    }
    return 0;
  }
  std::cerr << "polc: no policy with id or name '" << name << "'\n";
  return kExitUsageOrPolicyError;
}

}  // namespace polc::cli
