// What `polc check`, `polc config` and `polc list` share (cli/run_setup.h).
#include "cli/run_setup.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/pack_bundle.h"
#include "dsl/compiler.h"
#include "engine/base/limits.h"
#include "engine/config/selection.h"
#include "engine/program/bundle.h"
#include "engine/scan/discovery.h"

namespace polc::cli {
namespace {

/// The command-line flags as a `Config` (only what was given is set).
bool flags_config(const CheckArgs& a, Config& out) {
  out.policies = a.policies;
  out.exclude = a.excludes;
  out.exclude_constructs = a.exclude_constructs;
  out.enable = split_selectors(a.only);
  out.disable = split_selectors(a.skip);
  if (!parse_severity_flag(a.severity, "--severity", out.severity) ||
      !parse_severity_flag(a.fail_threshold, "--fail-threshold", out.fail_threshold))
    return false;
  if (!a.format.empty()) out.outputs.push_back({a.format, {}});
  for (const auto& o : a.outputs) {
    std::size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 >= o.size()) {
      std::cerr << "polc: --output expects FORMAT=PATH (for example sarif=polc.sarif), got '" << o
                << "'\n";
      return false;
    }
    out.outputs.push_back({o.substr(0, eq), o.substr(eq + 1)});
  }
  out.waiver_files = a.waivers;
  out.baseline = a.baseline;
  if (a.honor_foreign) out.honor_foreign_suppressions = true;
  if (a.no_inline_suppressions) out.inline_suppressions = false;
  if (a.fail_on_unknown) out.fail_on_unknown = true;
  if (a.no_fail_on_unknown) out.fail_on_unknown = false;
  return true;
}

/// "Today" for waiver expiry: `POLC_TODAY` (YYYY-MM-DD, for reproducible CI tests) or the clock.
bool resolve_today(CivilDate& today) {
  const char* env = std::getenv("POLC_TODAY");
  if (!env || !*env) {
    today = today_utc();
    return true;
  }
  if (!parse_civil_date(env, today)) {
    std::cerr << "polc: POLC_TODAY must be a date written YYYY-MM-DD, got '" << env
              << "'; unset it to use the current date\n";
    return false;
  }
  return true;
}

bool check_selectors(const std::vector<std::string>& sels, const std::vector<PolicyInfo>& known,
                     const char* what) {
  const std::vector<std::string> unmatched = unmatched_selectors(sels, known);
  for (const std::string& sel : unmatched)
    std::cerr << "polc: " << what << " names no known policy: '" << sel
              << "'; give an id, a name, a tag, tag:GLOB or a glob (`polc list` lists them)\n";
  return unmatched.empty();
}

}  // namespace

bool matches_policy(const PolicyInfo& p, const std::string& sel) {
  return p.id == sel || p.name == sel;
}

/// Loads `.polc.yaml` (or `--config`), overlays the flags and loads waiver files into
/// `out.waivers`. Prints problems to stderr; false on errors.
bool effective_config(const CheckArgs& a, Config& out, bool color) {
  Config flags;
  if (!flags_config(a, flags)) return false;
  Config file;
  Diagnostics diags;
  std::string path = a.config_path;
  if (path.empty() && !a.no_config) path = find_config_file(".");
  if (!path.empty() && !load_config(path, file, diags)) {
    print_diagnostics(diags.items(), color);
    std::cerr << "polc: the configuration " << path
              << " has errors (see docs/configuration.md); fix them, or run with --no-config to "
                 "ignore it\n";
    return false;
  }
  out = merge_config(file, flags);
  out.enable = split_selectors(out.enable);
  out.disable = split_selectors(out.disable);
  for (const std::string& wf : out.waiver_files) load_waiver_file(wf, out.waivers, diags);
  print_diagnostics(diags.items(), color);
  if (diags.has_errors()) {
    std::cerr << "polc: the waivers have errors; nothing was checked\n";
    return false;
  }
  return true;
}

/// Splits the configured outputs into the stdout format and the report files.
bool resolve_outputs(const Config& cfg, ReportFormat& format,
                     std::vector<std::pair<ReportFormat, std::string>>& files) {
  format = ReportFormat::kText;
  int stdout_formats = 0;
  for (const OutputSpec& o : cfg.outputs) {
    ReportFormat f;
    if (!parse_report_format(o.format, f)) {
      std::cerr << "polc: unknown report format '" << o.format
                << "'; use text, compact, json, sarif, junit or github\n";
      return false;
    }
    if (o.path.empty()) {
      format = f;
      ++stdout_formats;
    } else {
      files.emplace_back(f, o.path);
    }
  }
  if (stdout_formats > 1) {
    std::cerr << "polc: more than one format for standard output in 'formats'; keep one and "
                 "write the others to files with FORMAT=PATH\n";
    return false;
  }
  return true;
}

ScanInputs find_scan_inputs(const std::vector<std::string>& paths,
                            const std::vector<std::string>& excludes,
                            const TemplateFilter& selected) {
  ScanInputs out;
  FileWalker walker(paths, excludes);
  std::string path;
  FileKind kind;
  std::size_t buffered_bytes = 0;
  while (walker.next(path, kind)) {
    if (kind == FileKind::kPolicy) out.policies.push_back(path);
    if (kind == FileKind::kBundle) out.bundles.push_back(path);
    if (kind != FileKind::kTemplate || !selected.in_run(path)) continue;
    const bool mine = selected.in_shard(path);
    if (mine) ++out.templates;
    ++out.run_templates;
    if (!out.all_buffered) continue;
    buffered_bytes += sizeof(ScanInputs::Template) + path.size();
    if (buffered_bytes > kMaxBufferedPathBytes) {
      out.all_buffered = false;
      std::vector<ScanInputs::Template>().swap(out.template_paths);
      continue;
    }
    out.template_paths.push_back({path, walker.listed_regular(), mine});
  }
  out.errors = walker.take_errors();
  return out;
}

/// The policies of a run: the sources among the scan arguments (`found_policies`) and the
/// configured `policies`, compiled with the built-in pack unless `--no-builtin`; or one bundle.
/// Prints problems; nullptr when there are errors.
std::unique_ptr<PolicySet> load_run_policies(const CheckArgs& args, const Config& cfg,
                                             const std::vector<std::string>& found_policies,
                                             const std::vector<std::string>& found_bundles,
                                             const std::vector<std::string>& scan_paths,
                                             schema::SchemaSet& schemas, bool color,
                                             const PolicyInputCheck& check_inputs) {
  DiscoveredFiles policy_files = discover_files(cfg.policies, {});
  std::vector<std::string> policy_paths = found_policies;
  policy_paths.insert(policy_paths.end(), policy_files.policies.begin(),
                      policy_files.policies.end());
  // Explicit --policies arguments that are not .polc files are still policies.
  for (const auto& t : policy_files.templates) policy_paths.push_back(t);
  // A policy reached both by the scan and by `policies` (`polc check` with `policies:
  // [policies/]`) is loaded once: paths have one spelling (engine/scan/discovery.h).
  std::sort(policy_paths.begin(), policy_paths.end());
  policy_paths.erase(std::unique(policy_paths.begin(), policy_paths.end()), policy_paths.end());

  Diagnostics policy_diags;
  for (auto& e : policy_files.errors) policy_diags.add(e);
  for (const std::string& dir : cfg.schemas) schemas.add_overlay_dir(dir, policy_diags);
  std::vector<std::string> bundles = found_bundles;
  bundles.insert(bundles.end(), policy_files.bundles.begin(), policy_files.bundles.end());
  if (check_inputs && !check_inputs(policy_paths, bundles)) return nullptr;
  std::unique_ptr<PolicySet> set;
  if (!bundles.empty()) {
    if (bundles.size() > 1 || !policy_paths.empty()) {
      std::cerr << "polc: give either policy sources or one bundle, not both (compile them "
                   "together with 'polc compile')\n";
      return nullptr;
    }
    std::string bytes, error;
    std::ifstream in(bundles[0], std::ios::binary);
    if (!in) {
      std::cerr << bundles[0] << ": error: cannot read the bundle\n";
      return nullptr;
    }
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    set = load_bundle(bytes, error);
    if (!set) {
      std::cerr << bundles[0] << ": error: " << error << "\n";
      return nullptr;
    }
  } else {
    // Imports stay inside the directories given: the scan arguments and the policy paths.
    std::vector<std::string> roots = scan_paths;
    if (roots.empty()) roots.push_back(".");
    roots.insert(roots.end(), cfg.policies.begin(), cfg.policies.end());
    for (std::string& r : roots) r = normalize_path_argument(r);
    CompileOptions options;
    options.import_roots = resolve_roots(roots);
    if (!cfg.schemas.empty()) options.schemas = &schemas;
    options.trust_builtin = true;
    options.lint = true;
    options.strict = args.strict;
    // The standard pack alone (no policy of the user's, no schema overlay): the bundle
    // compiled at build time, the same policies without parsing, checking and compiling them.
    const bool pack_alone = !args.no_builtin && policy_paths.empty() && cfg.schemas.empty() &&
                            !embedded_pack_bundle().empty();
    if (!policy_diags.has_errors() && pack_alone) {
      std::string error;
      set = load_bundle(embedded_pack_bundle(), error, BundleOrigin::kEmbedded);
      if (!set)
        policy_diags.error(
            "bundle", Location::whole("<the standard pack>"),
            "internal error: the standard pack built into polc does not load: " + error);
    } else if (!policy_diags.has_errors()) {
      set = compile_policy_files(policy_paths, !args.no_builtin, policy_diags, options);
    }
  }
  print_diagnostics(policy_diags.items(), color);
  if (!set || policy_diags.has_errors()) {
    std::cerr << "polc: the policies have errors; nothing was checked\n";
    return nullptr;
  }
  return set;
}

/// The settings besides the configuration file that `polc check` and `polc config` both reject:
/// `POLC_TODAY`, `--shard` (and its conflict with `--write-baseline`). Prints; false on errors.
bool check_run_settings(const CheckArgs& args, CivilDate& today, ShardSpec& shard) {
  if (!resolve_today(today)) return false;
  if (args.shard.empty()) return true;
  std::string error;
  if (!parse_shard_spec(args.shard, shard, error)) {
    std::cerr << "polc: " << error << "\n";
    return false;
  }
  if (!args.write_baseline.empty()) {
    std::cerr << "polc: --write-baseline cannot be combined with --shard: a shard sees only "
                 "its part of the findings; write the baseline from an unsharded run\n";
    return false;
  }
  return true;
}

/// The one validator of a configuration against the policies it runs with, used by `polc
/// check` and `polc config`: the `enable`/`disable` selectors (`--only`/`--skip`), the ids of
/// `severity_overrides`, and `parameters` (applied to `set.globals`). Prints the problems; false
/// when there are errors.
bool validate_config(const Config& cfg, PolicySet& set, bool color) {
  std::vector<PolicyInfo> known;
  for (const auto& p : set.policies) known.push_back(p.info);
  if (!check_selectors(cfg.enable, known, "--only (or 'enable')") ||
      !check_selectors(cfg.disable, known, "--skip (or 'disable')"))
    return false;
  Diagnostics cfg_diags;
  for (const SeverityOverride& o : cfg.severity_overrides)
    if (std::none_of(known.begin(), known.end(),
                     [&](const PolicyInfo& p) { return matches_policy(p, o.policy); }))
      cfg_diags.error("config", o.location,
                      "severity override names no known policy '" + o.policy +
                          "'; check the id or name with `polc explain`");
  apply_config_parameters(cfg.parameters, set.globals, cfg_diags);
  print_diagnostics(cfg_diags.items(), color);
  if (cfg_diags.has_errors()) {
    std::cerr << "polc: the configuration has errors; nothing was checked\n";
    return false;
  }
  return true;
}

}  // namespace polc::cli
