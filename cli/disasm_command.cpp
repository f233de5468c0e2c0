// polc disasm [POLICY...]: the bytecode of compiled policies (docs/bytecode.md).
#include "cli/commands.h"

#include <iostream>

#include "dsl/compiler.h"
#include "engine/scan/discovery.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_disasm(const std::vector<std::string>& files, bool builtin) {
  Diagnostics diags;
  DiscoveredFiles found = discover_files(files, {});
  std::vector<std::string> paths = found.policies;
  auto set = compile_policy_files(paths, builtin, diags);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (!set) return kExitUsageOrPolicyError;
  std::cout << disassemble(*set);
  return 0;
}

}  // namespace polc::cli
