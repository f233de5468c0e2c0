// polc dump TEMPLATE...: the normalized model of each template as JSON (engine/model/dump.h).
#include "cli/commands.h"

#include <iostream>

#include "engine/load/loader.h"
#include "engine/model/dump.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_dump(const std::vector<std::string>& files) {
  int rc = 0;
  for (const auto& f : files) {
    LoadResult lr = load_template_file(f);
    print_diagnostics(lr.diagnostics.items(), use_color(false, 2));
    if (lr.status == LoadStatus::kTemplate && lr.tmpl) {
      std::cout << dump_template_json(*lr.tmpl);
    } else if (lr.status == LoadStatus::kNotTemplate) {
      std::cerr << f
                << ": not a CloudFormation template (no Resources or AWSTemplateFormatVersion)\n";
      rc = kExitLoadFailure;
    } else {
      rc = kExitLoadFailure;
    }
  }
  return rc;
}

}  // namespace polc::cli
