#include "cli/commands.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>

#include "dsl/compiler.h"
#include "dsl/module.h"
#include "dsl/parser.h"
#include "engine/builtins.h"
#include "engine/bundle.h"
#include "engine/discovery.h"
#include "engine/dump.h"
#include "engine/exit_codes.h"
#include "engine/fingerprint.h"
#include "engine/loader.h"
#include "engine/output_file.h"
#include "engine/printable.h"
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
  CompileOptions options;
  options.import_roots = found.roots;
  auto set = compile_policy_files(found.policies, !no_builtin, diags, options);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (!set) return kExitUsageOrPolicyError;
  std::string bytes = save_bundle(*set);
  std::string error;
  if (!write_file_atomically(output, bytes, error)) {  // engine/output_file.h
    std::cerr << "polc: cannot write " << output << " (" << error << ")\n";
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
      // Loaded, but with an error CloudFormation would stop at (comments in JSON, UTF-16).
      if (lr.diagnostics.has_errors()) rc = kExitLoadFailure;
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
  CompileOptions options;
  options.import_roots = found.roots;
  auto set = compile_policy_files(paths, builtin, diags, options);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (!set) return kExitUsageOrPolicyError;
  std::cout << disassemble(*set);
  return 0;
}

int run_explain(const std::string& name, const std::vector<std::string>& policy_paths) {
  Diagnostics diags;
  DiscoveredFiles found = discover_files(policy_paths, {});
  ModuleSet modules;
  if (!found.roots.empty()) modules.set_import_roots(found.roots);
  modules.load_builtin_pack(diags);
  for (const auto& p : found.policies) modules.load_file(p, diags);
  auto set = compile_modules(modules, diags);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (!set) return kExitUsageOrPolicyError;
  for (const auto& p : set->policies) {
    if (p.info.id != name && p.info.name != name) continue;
    const PolicyInfo& i = p.info;
    // Policy text may come from a scanned repository: control characters are escaped
    // (engine/printable.h).
    std::string out = i.id + "  " + i.name + "  (" + std::string(severity_name(i.severity)) +
                      ")\n\n" + i.title + "\n\n";
    if (!i.description.empty()) out += i.description + "\n\n";
    if (!i.remediation.empty()) out += "Remediation:\n" + i.remediation + "\n\n";
    if (!i.docs_url.empty()) out += "Docs: " + i.docs_url + "\n";
    if (!i.applies_to.empty()) {
      out += "Applies to:";
      for (const auto& t : i.applies_to) out += " " + t;
      out += "\n";
    }
    if (!i.aliases.empty()) {
      out += "Aliases:";
      for (const auto& t : i.aliases) out += " " + t;
      out += "\n";
    }
    if (p.source < set->sources.size())
      out += "\nSource (" + set->sources[p.source]->path() + "):\n\n" +
             std::string(set->sources[p.source]->text());
    std::cout << printable_lines(out);
    return 0;
  }
  std::cerr << "polc: no policy with id or name '" << name << "'\n";
  return kExitUsageOrPolicyError;
}

}  // namespace polc::cli
