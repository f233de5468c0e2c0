// What the commands share: flag parsing, colour, diagnostics on standard error.
#include "cli/commands.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

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

std::string constant_text(const Constant& c) {
  switch (c.kind) {
    case VKind::kNull:
      return "null";
    case VKind::kBool:
      return c.boolean ? "true" : "false";
    case VKind::kInt:
      return std::to_string(c.integer);
    case VKind::kFloat: {
      std::ostringstream ss;
      ss << c.number;
      return ss.str();
    }
    case VKind::kString: {
      std::string out = "\"";
      for (char ch : c.text)
        out += ch == '"' || ch == '\\' ? std::string("\\") + ch : std::string(1, ch);
      return out + "\"";
    }
    case VKind::kList: {
      std::string out = "[";
      for (std::size_t i = 0; i < c.items.size(); ++i)
        out += (i ? ", " : "") + constant_text(c.items[i]);
      return out + "]";
    }
    case VKind::kMap: {
      std::string out = "{";
      for (std::size_t i = 0; i < c.items.size() && i < c.keys.size(); ++i)
        out += (i ? ", " : "") + c.keys[i] + ": " + constant_text(c.items[i]);
      return out + "}";
    }
    default:
      return "?";
  }
}

std::vector<std::pair<std::string, std::string>> policy_parameters(const PolicySet& set,
                                                                   const PolicyInfo& info) {
  std::vector<std::pair<std::string, std::string>> out;
  const std::string prefix = info.name + ".";
  for (const GlobalSlot& g : set.globals)
    if (g.name.starts_with(prefix))
      out.emplace_back(g.name.substr(prefix.size()), constant_text(g.value));
  return out;
}

}  // namespace polc::cli
