// polc fmt [--check] PATH...: lays policy files out in the canonical format (dsl/format.h).
// In place by default; with --check, prints a unified diff for each file that would change and
// exits 1. A file that does not parse is reported (file:line:col) and never rewritten.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "dsl/format.h"
#include "engine/base/source_file.h"
#include "engine/base/text_diff.h"
#include "engine/scan/discovery.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_fmt(const std::vector<std::string>& paths, bool check) {
  int rc = kExitClean;
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(p, ec)) {
      files.push_back(p);
      continue;
    }
    DiscoveredFiles found = discover_files({p}, {});
    for (const Diagnostic& e : found.errors) {
      std::cerr << render_diagnostic(e);
      rc = kExitUsageOrPolicyError;
    }
    files.insert(files.end(), found.policies.begin(), found.policies.end());
  }
  if (files.empty()) {
    std::cerr << "polc fmt: no policy file (.polc) found under the given paths; nothing was "
                 "checked\n";
    return kExitUsageOrPolicyError;
  }
  std::size_t changed = 0;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::cerr << f << ": cannot read\n";
      rc = kExitUsageOrPolicyError;
      continue;
    }
    const std::string original((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    SourceFile src(f, original);
    Diagnostics diags;
    const auto formatted = format_policy_source(src, diags);
    if (!formatted) {
      print_diagnostics(diags.items(), use_color(false, 2));
      std::cerr << f << ": not formatted\n";
      rc = kExitUsageOrPolicyError;
      continue;
    }
    if (*formatted == original) continue;
    ++changed;
    if (check) {
      std::cout << unified_diff(f, original, *formatted);
      if (rc == kExitClean) rc = kExitFindings;
      continue;
    }
    const std::string tmp = f + ".polc-fmt.tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << *formatted;
      out.close();
      if (!out) {
        std::cerr << f << ": cannot write " << tmp << "; the file is unchanged\n";
        std::filesystem::remove(tmp);
        rc = kExitUsageOrPolicyError;
        continue;
      }
    }
    std::error_code ec;
    std::filesystem::permissions(tmp, std::filesystem::status(f, ec).permissions(), ec);
    std::filesystem::rename(tmp, f, ec);
    if (ec) {
      std::cerr << f << ": cannot replace it (" << ec.message() << "); the file is unchanged\n";
      std::filesystem::remove(tmp, ec);
      rc = kExitUsageOrPolicyError;
      continue;
    }
    std::cout << f << '\n';
  }
  std::cerr << "polc fmt: " << files.size() << (files.size() == 1 ? " file, " : " files, ")
            << changed << (check ? " would change\n" : " changed\n");
  return rc;
}

}  // namespace polc::cli
