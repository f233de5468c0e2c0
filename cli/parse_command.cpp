// polc parse POLICY...: the AST of each policy file (dsl/ast.h), as text.
#include "cli/commands.h"

#include <fstream>
#include <iostream>
#include <iterator>

#include "dsl/parser.h"
#include "engine/base/source_file.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_parse(const std::vector<std::string>& files) {
  int rc = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::cerr << f << ": cannot read\n";
      rc = kExitUsageOrPolicyError;
      continue;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SourceFile src(f, std::move(text));
    Diagnostics diags;
    auto file = parse_policy_source(src, diags);
    print_diagnostics(diags.items(), use_color(false, 2));
    if (diags.has_errors()) rc = kExitUsageOrPolicyError;
    if (file) std::cout << ast::dump(*file, src);
  }
  return rc;
}

}  // namespace polc::cli
