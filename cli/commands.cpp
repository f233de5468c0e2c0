// What the commands share: flag parsing, colour, diagnostics on standard error.
#include "cli/commands.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace polc::cli {

bool parse_severity_flag(const std::string& text, const char* flag, std::optional<Severity>& out) {
  if (text.empty()) return true;
  Severity s;
  if (!parse_severity(text, s)) {
    std::cerr << "polc: " << flag << " '" << text
              << "' is not a severity; use critical, high, medium, low or info\n";
    return false;
  }
  out = s;
  return true;
}

bool use_color(bool no_color, int fd) {
  if (no_color) return false;
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return isatty(fd) != 0;
}

void print_diagnostics(const std::vector<Diagnostic>& diags, bool color) {
  for (const auto& d : diags) std::cerr << render_diagnostic(d, color);
}

}  // namespace polc::cli
