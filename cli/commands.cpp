#include "cli/commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "dsl/compiler.h"
#include "dsl/module.h"
#include "dsl/parser.h"
#include "engine/builtins.h"
#include "engine/bundle.h"
#include "engine/config.h"
#include "engine/discovery.h"
#include "engine/dump.h"
#include "engine/exit_codes.h"
#include "engine/fingerprint.h"
#include "engine/loader.h"
#include "engine/report.h"
#include "engine/scanner.h"

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
