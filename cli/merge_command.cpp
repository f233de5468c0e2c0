// `polc merge`: combines the reports of sharded `polc check --shard K/N` runs into the report an
// unsharded run would have written (engine/report/report_merge.h), in any format, with its exit code.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "engine/base/limits.h"
#include "engine/report/report.h"
#include "engine/report/report_merge.h"
#include "engine/triage/exit_codes.h"
#include "engine/base/output_file.h"

namespace polc::cli {
namespace {

bool read_report(const std::string& path, MergeInput& in) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::cerr << "polc: cannot read the report " << path << "; check the path\n";
    return false;
  }
  in.path = path;
  in.text.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  if (in.text.size() > kMaxMergeReportBytes) {
    std::cerr << "polc: the report " << path << " is larger than kMaxMergeReportBytes\n";
    return false;
  }
  return true;
}

bool write_text(const std::string& path, const std::string& text) {
  std::string error;
  if (!write_file_atomically(path, text, error)) {  // engine/base/output_file.h
    std::cerr << "polc: cannot write the report to " << path << " (" << error
              << "); check that its directory exists and is writable\n";
    return false;
  }
  return true;
}

}  // namespace

int run_merge(const MergeArgs& args) {
  const bool color_err = use_color(args.no_color, 2);
  MergeOptions options;
  if (!parse_severity_flag(args.severity, "--severity", options.severity) ||
      !parse_severity_flag(args.fail_threshold, "--fail-threshold", options.fail_threshold))
    return kExitUsageOrPolicyError;
  std::vector<MergeInput> inputs(args.reports.size());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (!read_report(args.reports[i], inputs[i])) return kExitUsageOrPolicyError;
  ReportKind kind = ReportKind::kUnknown;
  for (const MergeInput& in : inputs) {
    const ReportKind k = detect_report_kind(in.text);
    if (k == ReportKind::kUnknown) {
      std::cerr << "polc: " << in.path
                << " is neither a polc JSON report nor a SARIF log; write shard reports with "
                   "`polc check --shard K/N --format json`\n";
      return kExitUsageOrPolicyError;
    }
    if (kind != ReportKind::kUnknown && k != kind) {
      std::cerr << "polc: the reports mix JSON and SARIF; merge reports of one format\n";
      return kExitUsageOrPolicyError;
    }
    kind = k;
  }

  // Report destinations: stdout in --format, plus FORMAT=PATH files.
  ReportFormat format = kind == ReportKind::kSarif ? ReportFormat::kSarif : ReportFormat::kText;
  if (!args.format.empty() && !parse_report_format(args.format, format)) {
    std::cerr << "polc: unknown report format '" << args.format
              << "'; use text, json, sarif, junit or github\n";
    return kExitUsageOrPolicyError;
  }
  std::vector<std::pair<ReportFormat, std::string>> files;
  for (const std::string& o : args.outputs) {
    const std::size_t eq = o.find('=');
    ReportFormat f;
    if (eq == std::string::npos || eq == 0 || eq + 1 >= o.size() ||
        !parse_report_format(o.substr(0, eq), f)) {
      std::cerr << "polc: --output expects FORMAT=PATH with a known format (for example "
                   "sarif=polc.sarif), got '"
                << o << "'\n";
      return kExitUsageOrPolicyError;
    }
    files.emplace_back(f, o.substr(eq + 1));
  }
  Diagnostics diags;
  if (kind == ReportKind::kSarif) {
    bool only_sarif = format == ReportFormat::kSarif;
    for (const auto& [f, path] : files) only_sarif = only_sarif && f == ReportFormat::kSarif;
    if (!only_sarif) {
      std::cerr << "polc: SARIF reports merge into SARIF only; for other formats merge the "
                   "shards' JSON reports (`--format json` or `-o json=PATH` on each shard)\n";
      return kExitUsageOrPolicyError;
    }
    std::string out;
    int exit_code = 0;
    if (!merge_sarif_reports(inputs, options, out, exit_code, diags)) {
      print_diagnostics(diags.items(), color_err);
      return kExitUsageOrPolicyError;
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    for (const auto& [f, path] : files)
      if (!write_text(path, out)) return kExitUsageOrPolicyError;
    return exit_code;
  }

  ScanResult result;
  if (!merge_json_reports(inputs, options, result, diags)) {
    print_diagnostics(diags.items(), color_err);
    return kExitUsageOrPolicyError;
  }
  ReportOptions ro;
  ro.color = (format == ReportFormat::kText || format == ReportFormat::kCompact) &&
             use_color(args.no_color, 1, args.color);
  ro.show_suppressed = args.show_suppressed;
  ro.verbose = args.verbose;
  ro.show_aliases = args.show_aliases;
  ro.tool_version = POLC_VERSION;
  ro.pack_version = POLC_VERSION;
  const std::string out = render_report(result, format, ro);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  for (const auto& [f, path] : files) {
    ReportOptions xo = ro;
    xo.color = false;
    if (!write_text(path, render_report(result, f, xo))) return kExitUsageOrPolicyError;
  }
  return result.exit_code;
}

}  // namespace polc::cli
