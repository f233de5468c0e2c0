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
#include "engine/report.h"
#include "engine/scanner.h"

namespace polc::cli {
namespace {

bool use_color(bool no_color, int fd) {
  if (no_color) return false;
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return isatty(fd) != 0;
}

void print_diagnostics(const std::vector<Diagnostic>& diags, bool color) {
  for (const auto& d : diags) std::cerr << render_diagnostic(d, color);
}

bool matches_policy(const PolicyInfo& p, const std::string& sel) { return p.id == sel || p.name == sel; }

}  // namespace

int run_check(const CheckArgs& args) {
  auto start = std::chrono::steady_clock::now();
  bool color_err = use_color(args.no_color, 2);
  ReportFormat format;
  if (!parse_report_format(args.format, format)) {
    std::cerr << "polc: unknown format '" << args.format << "'; use text, json, sarif, junit or github\n";
    return kExitUsageOrPolicyError;
  }
  Severity threshold = Severity::kLow;
  if (!args.severity.empty() && !parse_severity(args.severity, threshold)) {
    std::cerr << "polc: unknown severity '" << args.severity << "'; use critical, high, medium, low or info\n";
    return kExitUsageOrPolicyError;
  }
  std::vector<std::pair<ReportFormat, std::string>> extra_outputs;
  for (const auto& o : args.outputs) {
    std::size_t eq = o.find('=');
    ReportFormat f;
    if (eq == std::string::npos || !parse_report_format(o.substr(0, eq), f) || eq + 1 >= o.size()) {
      std::cerr << "polc: --output expects FORMAT=PATH (for example sarif=polc.sarif), got '" << o << "'\n";
      return kExitUsageOrPolicyError;
    }
    extra_outputs.emplace_back(f, o.substr(eq + 1));
  }

  std::vector<std::string> scan_paths = args.paths;
  if (scan_paths.empty()) scan_paths.push_back(".");
  DiscoveredFiles files = discover_files(scan_paths, args.excludes);
  DiscoveredFiles policy_files = discover_files(args.policies, {});
  std::vector<std::string> policy_paths = files.policies;
  policy_paths.insert(policy_paths.end(), policy_files.policies.begin(), policy_files.policies.end());
  // Explicit --policies arguments that are not .polc files are still policies.
  for (const auto& t : policy_files.templates) policy_paths.push_back(t);

  Diagnostics policy_diags;
  for (auto& e : policy_files.errors) policy_diags.add(e);
  std::vector<std::string> bundles = files.bundles;
  bundles.insert(bundles.end(), policy_files.bundles.begin(), policy_files.bundles.end());
  std::unique_ptr<PolicySet> set;
  if (!bundles.empty()) {
    if (bundles.size() > 1 || !policy_paths.empty()) {
      std::cerr << "polc: give either policy sources or one bundle, not both (compile them together with 'polc compile')\n";
      return kExitUsageOrPolicyError;
    }
    std::string bytes, error;
    std::ifstream in(bundles[0], std::ios::binary);
    if (!in) {
      std::cerr << bundles[0] << ": error: cannot read the bundle\n";
      return kExitUsageOrPolicyError;
    }
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    set = load_bundle(bytes, error);
    if (!set) {
      std::cerr << bundles[0] << ": error: " << error << "\n";
      return kExitUsageOrPolicyError;
    }
  } else {
    set = compile_policy_files(policy_paths, !args.no_builtin, policy_diags);
  }
  bool usage_error = false;
  for (const auto& e : files.errors) {
    if (e.code == "no-such-file") usage_error = true;
  }
  if (!set || policy_diags.has_errors()) {
    print_diagnostics(policy_diags.items(), color_err);
    std::cerr << "polc: the policies have errors; nothing was checked\n";
    return kExitUsageOrPolicyError;
  }
  print_diagnostics(policy_diags.items(), color_err);  // warnings

  std::vector<PolicyInfo> known;
  for (const auto& p : set->policies) known.push_back(p.info);
  for (const auto& sel : args.only)
    if (std::none_of(known.begin(), known.end(), [&](const PolicyInfo& p) { return matches_policy(p, sel); })) {
      std::cerr << "polc: --only names no known policy: '" << sel << "' (see polc explain)\n";
      return kExitUsageOrPolicyError;
    }
  for (const auto& sel : args.skip)
    if (std::none_of(known.begin(), known.end(), [&](const PolicyInfo& p) { return matches_policy(p, sel); })) {
      std::cerr << "polc: --skip names no known policy: '" << sel << "'\n";
      return kExitUsageOrPolicyError;
    }
  std::vector<std::uint32_t> active;
  ScanResult result;
  for (std::uint32_t i = 0; i < set->policies.size(); ++i) {
    const PolicyInfo& p = set->policies[i].info;
    bool on = args.only.empty() ||
              std::any_of(args.only.begin(), args.only.end(), [&](const std::string& s) { return matches_policy(p, s); });
    if (std::any_of(args.skip.begin(), args.skip.end(), [&](const std::string& s) { return matches_policy(p, s); }))
      on = false;
    if (!on) continue;
    active.push_back(i);
    result.policies.push_back(p);
  }
  set->freeze();

  ScanOptions options;
  options.jobs = args.jobs;
  options.suppressions.inline_suppressions = !args.no_inline_suppressions;
  options.suppressions.foreign = args.honor_foreign;
  std::vector<FileOutcome> outcomes = scan_files(*set, active, known, files.templates, options);

  for (auto& e : files.errors) result.errors.push_back(e);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    FileOutcome& o = outcomes[i];
    switch (o.status) {
      case FileOutcome::Status::kChecked: ++result.summary.templates_checked; break;
      case FileOutcome::Status::kSkipped: ++result.summary.files_skipped; break;
      case FileOutcome::Status::kFailed: ++result.summary.templates_failed; break;
    }
    if (o.incomplete) ++result.summary.incomplete;
    for (auto& d : o.diagnostics) result.errors.push_back(std::move(d));
    for (auto& f : o.findings) {
      if (static_cast<int>(f.severity) > static_cast<int>(threshold)) continue;  // hidden below the threshold
      f.fingerprint = compute_fingerprint(f.policy_id, normalize_report_path(f.location.file), f.resource, f.property_path);
      if (f.suppressed) ++result.summary.suppressed;
      else if (f.outcome == Outcome::kUnknown) ++result.summary.unknown;
      else ++result.summary.findings_by_severity[static_cast<int>(f.severity)];
      result.findings.push_back(std::move(f));
    }
  }
  std::stable_sort(result.findings.begin(), result.findings.end(), finding_less);
  result.scan_root = ".";
  result.summary.elapsed_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.exit_code = compute_exit_code(result, threshold, usage_error);
  ReportOptions ro;
  ro.color = format == ReportFormat::kText && use_color(args.no_color, 1);
  ro.show_suppressed = args.show_suppressed;
  ro.verbose = args.verbose;
  ro.tool_version = POLC_VERSION;
  ro.pack_version = POLC_VERSION;
  std::string out = render_report(result, format, ro);
  std::fwrite(out.data(), 1, out.size(), stdout);
  for (const auto& [f, path] : extra_outputs) {
    ReportOptions xo = ro;
    xo.color = false;
    std::ofstream of(path, std::ios::binary);
    std::string doc = render_report(result, f, xo);
    of.write(doc.data(), static_cast<std::streamsize>(doc.size()));
    if (!of) {
      std::cerr << "polc: cannot write report to " << path << "\n";
      return kExitUsageOrPolicyError;
    }
  }
  return result.exit_code;
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
  std::cerr << "polc: wrote " << set->policies.size() << " policies (" << bytes.size() << " bytes) to " << output << "\n";
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
      std::cerr << f << ": not a CloudFormation template (no Resources or AWSTemplateFormatVersion)\n";
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

int run_explain(const std::string& name, const std::vector<std::string>& policy_paths) {
  Diagnostics diags;
  DiscoveredFiles found = discover_files(policy_paths, {});
  ModuleSet modules;
  modules.load_builtin_pack(diags);
  for (const auto& p : found.policies) modules.load_file(p, diags);
  auto set = compile_modules(modules, diags);
  print_diagnostics(diags.items(), use_color(false, 2));
  if (!set) return kExitUsageOrPolicyError;
  for (const auto& p : set->policies) {
    if (p.info.id != name && p.info.name != name) continue;
    const PolicyInfo& i = p.info;
    std::cout << i.id << "  " << i.name << "  (" << severity_name(i.severity) << ")\n\n" << i.title << "\n\n";
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
    if (p.source < set->sources.size()) {
      std::cout << "\nSource (" << set->sources[p.source]->path() << "):\n\n" << set->sources[p.source]->text();
    }
    return 0;
  }
  std::cerr << "polc: no policy with id or name '" << name << "'\n";
  return kExitUsageOrPolicyError;
}

}  // namespace polc::cli
