// polc compile PATH... -o FILE: compiles and verifies policies into a bundle (engine/program/bundle.h).
#include "cli/commands.h"

#include <fstream>
#include <iostream>

#include "dsl/compiler.h"
#include "engine/base/output_file.h"
#include "engine/program/bundle.h"
#include "engine/scan/discovery.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_compile(const std::vector<std::string>& paths, const std::string& output, bool no_builtin,
                bool strict) {
  DiscoveredFiles found = discover_files(paths, {});
  for (const auto& e : found.errors) std::cerr << render_diagnostic(e);
  if (!found.errors.empty()) return kExitUsageOrPolicyError;
  Diagnostics diags;
  CompileOptions options;
  options.import_roots = found.roots;
  options.lint = true;
  options.strict = strict;
  auto set = compile_policy_files(found.policies, !no_builtin, diags, options);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (!set) return kExitUsageOrPolicyError;
  std::string bytes = save_bundle(*set);
  std::string error;
  if (!write_file_atomically(output, bytes, error)) {  // engine/base/output_file.h
    std::cerr << "polc: cannot write " << output << " (" << error << ")\n";
    return kExitUsageOrPolicyError;
  }
  std::cerr << "polc: wrote " << set->policies.size() << " policies (" << bytes.size()
            << " bytes) to " << output << "\n";
  return 0;
}

}  // namespace polc::cli
