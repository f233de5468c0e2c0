// polc explain ID|NAME [PATH...]: a policy's documentation, parameters and source, found among
// the paths, `.polc.yaml`'s policies and the built-in pack.
#include "cli/commands.h"

#include <iostream>

#include "dsl/compiler.h"
#include "dsl/module.h"
#include "engine/config/config.h"
#include "engine/scan/discovery.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_explain(const std::string& name, const std::vector<std::string>& policy_paths,
                const std::string& config_path, bool no_config) {
  // Where a user's policies are: the paths given, and `policies` of .polc.yaml (or --config).
  std::vector<std::string> paths = policy_paths;
  Config cfg;
  std::string cfg_file = config_path;
  if (cfg_file.empty() && !no_config) cfg_file = find_config_file(".");
  if (!cfg_file.empty()) {
    Diagnostics cd;
    if (!load_config(cfg_file, cfg, cd)) {
      print_diagnostics(cd.items(), use_color(false, 2));
      std::cerr << "polc: the configuration " << cfg_file
                << " has errors; run with --no-config to ignore it\n";
      return kExitUsageOrPolicyError;
    }
    paths.insert(paths.end(), cfg.policies.begin(), cfg.policies.end());
  }
  // The user's policies are compiled apart from the built-in pack, so a checkout of the pack's
  // own sources (same ids) is no conflict; they are searched first.
  Diagnostics diags;
  DiscoveredFiles found = discover_files(paths, {});
  for (const auto& e : found.errors) diags.add(e);
  std::vector<std::unique_ptr<PolicySet>> sets;
  if (!found.policies.empty()) {
    auto user = compile_policy_files(found.policies, false, diags);
    if (!user) {
      print_diagnostics(diags.items(), use_color(false, 2));
      return kExitUsageOrPolicyError;
    }
    sets.push_back(std::move(user));
  }
  {
    ModuleSet modules;
    modules.load_builtin_pack(diags);
    auto builtin = compile_modules(modules, diags);
    if (builtin) sets.push_back(std::move(builtin));
  }
  print_diagnostics(diags.items(), use_color(false, 2));
  for (const auto& set : sets) {
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
      auto params = policy_parameters(*set, i);
      if (!params.empty()) {
        std::cout << "Parameters (set in .polc.yaml as parameters: {" << i.name
                  << ".NAME: VALUE}):\n";
        for (const auto& [pname, value] : params) {
          std::cout << "  " << pname << " = " << value;
          for (const ConfigParameter& cp : cfg.parameters)
            if (cp.name == i.name + "." + pname)
              std::cout << "  (" << cfg_file << " sets " << constant_text(cp.value) << ")";
          std::cout << "\n";
        }
      }
      if (p.source < set->sources.size())
        std::cout << "\nSource (" << set->sources[p.source]->path() << "):\n\n"
                  << set->sources[p.source]->text();
      return 0;
    }
  }
  std::cerr << "polc: no policy with id or name '" << name << "' in the built-in pack"
            << (found.policies.empty() ? "" : " or the policies given")
            << (cfg_file.empty() ? "" : " or " + cfg_file + "'s policies") << "\n";
  return kExitUsageOrPolicyError;
}

}  // namespace polc::cli
