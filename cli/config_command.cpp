// `polc config`: prints the effective configuration after validating it as `polc check` would.
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/run_setup.h"
#include "engine/triage/baseline.h"
#include "engine/triage/exit_codes.h"

namespace polc::cli {

int run_config(const CheckArgs& args) {
  Config cfg;
  if (!effective_config(args, cfg, use_color(args.no_color, 2))) return kExitUsageOrPolicyError;
  ReportFormat format;
  std::vector<std::pair<ReportFormat, std::string>> files;
  if (!resolve_outputs(cfg, format, files)) return kExitUsageOrPolicyError;
  // The same validation as `polc check`: against the policies the run would load.
  ScanInputs found;
  if (!args.paths.empty()) {
    TemplateFilter all({}, {}, ShardSpec{});
    found = find_scan_inputs(args.paths, cfg.exclude, all);
  }
  const bool color = use_color(args.no_color, 2, args.color);
  schema::SchemaSet schemas;
  std::unique_ptr<PolicySet> set =
      load_run_policies(args, cfg, found.policies, found.bundles, args.paths, schemas, color);
  if (!set || !validate_config(cfg, *set, color)) return kExitUsageOrPolicyError;
  CivilDate today;
  ShardSpec shard;
  if (!check_run_settings(args, today, shard)) return kExitUsageOrPolicyError;
  if (!cfg.baseline.empty()) {  // `polc check` stops on a baseline it cannot read
    Baseline baseline;
    Diagnostics bd;
    if (!load_baseline(cfg.baseline, baseline, bd)) {
      print_diagnostics(bd.items(), color);
      return kExitUsageOrPolicyError;
    }
  }
  std::string text = render_config_yaml(cfg);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace polc::cli
