// polc compile PATH... -o FILE: compiles and verifies policies into a bundle (engine/program/bundle.h).
#include "cli/commands.h"

#include <fstream>
#include <iostream>

#include "dsl/compiler.h"
#include "engine/program/bundle.h"
#include "engine/scan/discovery.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_compile(const std::vector<std::string>& paths, const std::string& output, bool no_builtin) {
  DiscoveredFiles found = discover_files(paths, {});
  for (const auto& e : found.errors) std::cerr << render_diagnostic(e);
  if (!found.errors.empty()) return kExitUsageOrPolicyError;
  Diagnostics diags;
  auto set = compile_policy_files(found.policies, !no_builtin, diags);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (!set) return kExitUsageOrPolicyError;
  std::string bytes = save_bundle(*set);
  std::ofstream out(output, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "polc: cannot write " << output << "\n";
    return kExitUsageOrPolicyError;
  }
  std::cerr << "polc: wrote " << set->policies.size() << " policies (" << bytes.size()
            << " bytes) to " << output << "\n";
  return 0;
}

}  // namespace polc::cli
