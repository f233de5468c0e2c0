// polc: policy-as-code for AWS CloudFormation. The command line entry point.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "engine/program/bundle.h"
#include "engine/triage/exit_codes.h"

namespace {

/// The options of `polc check`; `polc config` takes the same ones, so it can show their effect.
void add_check_options(CLI::App* cmd, polc::cli::CheckArgs& check) {
  cmd->add_option("paths", check.paths,
                  "Templates, policy files (.polc) and directories, walked recursively");
  cmd->add_option("--policies", check.policies, "Policy files or directories (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--exclude", check.excludes, "Skip paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--exclude-construct", check.exclude_constructs,
                  "Drop findings on CDK constructs matching this glob, e.g. 'App/Legacy/*' "
                  "(repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--no-builtin", check.no_builtin, "Do not load the built-in standard policy pack");
  cmd->add_option(
         "--pseudo-parameter", check.pseudo_parameters,
         "Value of a pseudo parameter, NAME=VALUE (repeatable; default AWS::Partition=aws, "
         "AWS::URLSuffix=amazonaws.com, others unknown)")
      ->allow_extra_args(false);
  cmd->add_option("--only", check.only,
                  "Run only these policies: ids, names, tags, tag:GLOB, globs, or the peer rules "
                  "they implement (cfn_nag:W5, 'checkov:*'); comma-separated; repeatable")
      ->allow_extra_args(false);
  cmd->add_option("--skip", check.skip, "Do not run these policies (same selectors as --only)")
      ->allow_extra_args(false);
  cmd->add_option("--severity", check.severity,
                  "Hide findings below this severity and do not fail on them (critical|high|medium|low|info)");
  cmd->add_option("--fail-threshold,--fail-on", check.fail_threshold,
                  "Fail (exit 1) only on findings at or above this severity; others are still reported");
  cmd->add_option("--format,-f", check.format, "Report format on stdout: text, compact, json, sarif, junit, github");
  cmd->add_option("--output,-o", check.outputs, "Also write a report: FORMAT=PATH (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--config", check.config_path,
                  "Read this configuration file instead of searching for .polc.yaml");
  cmd->add_flag("--no-config", check.no_config, "Do not read any .polc.yaml");
  cmd->add_option("--waivers", check.waivers, "Read central waivers from this file (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--baseline", check.baseline,
                  "Do not fail on findings listed in this baseline file");
  cmd->add_option("--write-baseline", check.write_baseline,
                  "Write today's unsuppressed findings to this baseline file and accept them");
  cmd->add_option("--parameter", check.parameters,
                  "Check with this parameter value: KEY=VALUE (repeatable; a list as a,b)")
      ->allow_extra_args(false);
  cmd->add_option("--parameter-file", check.parameter_files,
                  "Check with the parameter values of this file: AWS CLI JSON, CodePipeline "
                  "template configuration or Git sync deployment file (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--region", check.region, "Check with AWS::Region set to this region");
  cmd->add_option("--account", check.account, "Check with AWS::AccountId set to this account");
  cmd->add_option("-j,--jobs", check.jobs, "Worker threads (default: hardware threads)");
  cmd->add_option("--shard", check.shard,
                  "Check only shard K of N (K/N, 1 <= K <= N): files are split by a hash of their "
                  "path; combine the reports with 'polc merge'");
  cmd->add_option("--cache", check.cache_dir,
                  "Keep per-file results in this directory and reuse them for unchanged files");
  cmd->add_option("--cache-max-mb", check.cache_max_mb,
                  "Size bound of the --cache directory in MiB; the oldest entries are evicted "
                  "(default 512)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_flag("--show-suppressed", check.show_suppressed,
                "List suppressed and baselined findings too");
  cmd->add_flag("--show-aliases", check.show_aliases,
                "Text and compact output: print the peer rule ids (cfn_nag, checkov, guard) each "
                "finding's policy aliases");
  cmd->add_flag("--no-inline-suppressions", check.no_inline_suppressions,
                "Ignore suppressions written in templates' Metadata (waivers still apply)");
  cmd->add_flag("--honor-foreign-suppressions", check.honor_foreign,
                "Honour cfn_nag, checkov, cfn-guard and cfn-lint suppressions for policies with matching aliases");
  auto* fou = cmd->add_flag("--fail-on-unknown", check.fail_on_unknown,
                            "Findings whose outcome is unknown (a value polc cannot compute "
                            "offline) fail the run like failures (the default)");
  cmd->add_flag("--no-fail-on-unknown", check.no_fail_on_unknown,
                "Report findings whose outcome is unknown without failing the run on them")
      ->excludes(fou);
  cmd->add_flag("-q,--quiet", check.quiet, "No progress bar");
  cmd->add_flag("--no-color", check.no_color, "Never use colour (the same as --color=never)");
  cmd->add_option("--color", check.color,
                  "Colour in text and compact output: auto (a terminal without NO_COLOR; the "
                  "default), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd->add_flag("-v,--verbose", check.verbose, "Print whole remediation texts");
  cmd->add_flag("--strict", check.strict,
                "Strict checks are errors: unused names, constant conditions, policies that cannot "
                "report, messages that name no resource");
  cmd->add_flag("--check-properties", check.check_properties,
                "Warn about template properties that their resource type does not have (resource schemas)");
}

/// Standard output is where reports go: a write that failed (a full disk, `> /dev/full`, a closed
/// pipe that does not kill) means the report is truncated or missing, so it is an error (exit 2,
/// docs/exit-codes.md) with a message on standard error, whatever the command found.
int finish_stdout(int rc) {
  std::cout.flush();
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  const int err = errno;
  if (flushed && !std::ferror(stdout) && !std::cout.fail()) return rc;
  std::cerr << "polc: cannot write to standard output"
            << (err ? std::string(": ") + std::strerror(err) : std::string())
            << "; the report is incomplete\n";
  return polc::kExitUsageOrPolicyError;
}

int run(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) { return finish_stdout(run(argc, argv)); }

namespace {

int run(int argc, char** argv) {
  CLI::App app{"polc: checks AWS CloudFormation templates against policies written in the polc language"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version,
               "Print the version of polc, of the policy pack and of the bytecode format");

  polc::cli::CheckArgs check;
  auto* cmd_check = app.add_subcommand("check", "Check templates against policies (the main job)");
  add_check_options(cmd_check, check);
  auto* cmd_config = app.add_subcommand(
      "config", "Print the effective configuration (.polc.yaml plus flags) as YAML");
  add_check_options(cmd_config, check);

  polc::cli::CheckArgs list;
  auto* cmd_list = app.add_subcommand(
      "list", "List the policies a run would include: id, name, severity, tags, aliases");
  cmd_list->add_option("paths", list.paths, "Policy files (.polc) and directories to list too");
  cmd_list->add_option("--policies", list.policies, "Policy files or directories (repeatable)")
      ->allow_extra_args(false);
  cmd_list->add_flag("--no-builtin", list.no_builtin, "Leave the built-in standard policy pack out");
  cmd_list->add_option("--only", list.only,
                       "List only these policies: ids, names, tags, tag:GLOB or globs "
                       "(comma-separated; repeatable)")
      ->allow_extra_args(false);
  cmd_list->add_option("--skip", list.skip, "Leave these policies out (same selectors as --only)")
      ->allow_extra_args(false);
  cmd_list->add_option("--format,-f", list.format, "Output format: text (default) or json");
  cmd_list->add_option("--config", list.config_path, "Read this configuration file instead of searching for .polc.yaml");
  cmd_list->add_flag("--no-config", list.no_config, "Do not read any .polc.yaml");
  cmd_list->add_flag("--no-color", list.no_color, "Never use colour (NO_COLOR is honoured too)");

  polc::cli::MergeArgs merge;
  auto* cmd_merge = app.add_subcommand(
      "merge", "Combine the reports of sharded runs (JSON or SARIF) into one report");
  cmd_merge->add_option("reports", merge.reports, "Reports written by 'polc check --shard K/N'")
      ->required();
  cmd_merge->add_option(
      "--format,-f", merge.format,
      "Report format on stdout: text, json, sarif, junit, github (SARIF inputs: sarif)");
  cmd_merge
      ->add_option("--output,-o", merge.outputs, "Also write a report: FORMAT=PATH (repeatable)")
      ->allow_extra_args(false);
  cmd_merge->add_option("--severity", merge.severity,
                        "Hide findings below this severity and do not fail on them");
  cmd_merge->add_option("--fail-threshold,--fail-on", merge.fail_threshold,
                        "Fail (exit 1) only on findings at or above this severity (default: the "
                        "threshold the shards recorded)");
  cmd_merge->add_flag("--show-suppressed", merge.show_suppressed,
                      "List suppressed and baselined findings too");
  cmd_merge->add_flag("--show-aliases", merge.show_aliases,
                      "Text and compact output: print the peer rule ids each finding's policy "
                      "aliases");
  cmd_merge->add_flag("--no-color", merge.no_color, "Never use colour (the same as --color=never)");
  cmd_merge->add_option("--color", merge.color, "Colour in text and compact output: auto, always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  cmd_merge->add_flag("-v,--verbose", merge.verbose, "Print whole remediation texts");

  std::vector<std::string> dump_files;
  auto* cmd_dump = app.add_subcommand("dump", "Print the normalized model of templates as JSON");
  cmd_dump->add_option("templates", dump_files, "Template files")->required();

  std::vector<std::string> parse_files;
  auto* cmd_parse = app.add_subcommand("parse", "Print the AST of policy files");
  cmd_parse->add_option("policies", parse_files, "Policy files")->required();

  std::vector<std::string> fmt_paths;
  bool fmt_check = false;
  auto* cmd_fmt = app.add_subcommand(
      "fmt", "Format policy files (.polc) in the canonical layout, in place; --check shows a diff");
  cmd_fmt->add_option("paths", fmt_paths, "Policy files and directories (walked for .polc files)")
      ->required();
  cmd_fmt->add_flag("--check", fmt_check,
                    "Change nothing: print a unified diff for each file that is not formatted and "
                    "exit 1 if any");

  std::vector<std::string> disasm_files;
  bool disasm_builtin = false;
  auto* cmd_disasm =
      app.add_subcommand("disasm", "Disassemble compiled policies: print their bytecode");
  cmd_disasm->add_option("policies", disasm_files, "Policy files (default: the built-in pack)");
  cmd_disasm->add_flag("--builtin", disasm_builtin, "Include the built-in pack");

  std::vector<std::string> compile_paths;
  std::string compile_out;
  bool compile_no_builtin = false;
  auto* cmd_compile = app.add_subcommand(
      "compile", "Compile policies into a bundle that 'polc check' can load instead of sources");
  cmd_compile->add_option("paths", compile_paths, "Policy files and directories");
  cmd_compile
      ->add_option("-o,--output", compile_out, "The bundle file to write (e.g. policies.polcb)")
      ->required();
  cmd_compile->add_flag("--no-builtin", compile_no_builtin,
                        "Leave the built-in pack out of the bundle");
  bool compile_strict = false;
  cmd_compile->add_flag(
      "--strict", compile_strict,
      "Strict checks are errors: unused names, constant conditions, policies that "
      "cannot report, messages that name no resource");

  std::vector<std::string> doc_paths;
  std::string doc_out = "docs/policies";
  auto* cmd_doc = app.add_subcommand(
      "doc", "Generate one Markdown page per policy from the sources and their tests");
  cmd_doc->add_option("paths", doc_paths, "Policy directories (default: policies)");
  cmd_doc->add_option("-o,--output", doc_out, "Output directory (default: docs/policies)");
  std::string doc_title;
  cmd_doc->add_option(
      "--title", doc_title,
      "Title of the index page (default: \"The standard policy pack\" for the built-in pack's "
      "sources, else \"Policies in PATH...\")");

  polc::cli::TestArgs test;
  auto* cmd_test = app.add_subcommand(
      "test", "Run policy test files (*.tests.yaml) against the policies next to them");
  cmd_test->add_option("paths", test.paths, "Directories or files with policies and their tests");
  cmd_test->add_flag("--coverage", test.coverage,
                     "Print which lines and branches of the tested policy files the tests reached");
  cmd_test->add_option("--coverage-lcov", test.lcov,
                       "Write the coverage as an lcov tracefile (implies --coverage)");
  cmd_test
      ->add_option(
          "--coverage-threshold", test.threshold,
          "Fail (exit 1) when line or branch coverage is below this percent (implies --coverage)")
      ->check(CLI::Range(0.0, 100.0));
  cmd_test->add_flag("--strict", test.strict,
                     "Strict checks are errors: unused names, constant conditions, policies that "
                     "cannot report, messages that name no resource");

  std::string explain_name;
  std::vector<std::string> explain_paths;
  std::string explain_config;
  bool explain_no_config = false;
  auto* cmd_explain = app.add_subcommand("explain", "Print a policy's documentation and source, or a resource type's properties and attributes");
  cmd_explain->add_option("policy", explain_name, "Policy id or name, or a resource type (AWS::S3::Bucket)")->required();
  cmd_explain->add_option("paths", explain_paths,
                          "Policy files or directories to search too (and .polc.yaml's policies)");
  cmd_explain->add_option("--policies", explain_paths, "Policy files or directories to search too")
      ->allow_extra_args(false);
  cmd_explain->add_option("--config", explain_config,
                          "Read this configuration file instead of searching for .polc.yaml");
  cmd_explain->add_flag("--no-config", explain_no_config, "Do not read any .polc.yaml");

  std::string completion_shell;
  auto* cmd_completion = app.add_subcommand(
      "completion", "Print a shell completion script (bash or zsh), or the built-in policy ids (policies)");
  cmd_completion->add_option("shell", completion_shell, "bash, zsh or policies")->required();
  auto* cmd_man = app.add_subcommand("man", "Print the manual page polc.1 (roff)");
  auto* cmd_lsp = app.add_subcommand(
      "lsp", "Run the language server (Language Server Protocol over stdin/stdout) for editors");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : polc::kExitUsageOrPolicyError;
  }
  if (version) {
    std::printf("polc %s\npolicy pack %s\nbytecode format %u (bundle format %u)\n", POLC_VERSION,
                POLC_VERSION, polc::kBytecodeVersion, polc::kBundleFormatVersion);
    return 0;
  }
  if (cmd_check->parsed()) return polc::cli::run_check(check);
  if (cmd_config->parsed()) return polc::cli::run_config(check);
  if (cmd_list->parsed()) return polc::cli::run_list(list);
  if (cmd_merge->parsed()) return polc::cli::run_merge(merge);
  if (cmd_dump->parsed()) return polc::cli::run_dump(dump_files);
  if (cmd_parse->parsed()) return polc::cli::run_parse(parse_files);
  if (cmd_fmt->parsed()) return polc::cli::run_fmt(fmt_paths, fmt_check);
  if (cmd_disasm->parsed()) return polc::cli::run_disasm(disasm_files, disasm_builtin || disasm_files.empty());
  if (cmd_compile->parsed())
    return polc::cli::run_compile(compile_paths, compile_out, compile_no_builtin, compile_strict);
  if (cmd_doc->parsed()) return polc::cli::run_doc(doc_paths, doc_out, doc_title);
  if (cmd_test->parsed()) return polc::cli::run_test(test);
  if (cmd_explain->parsed())
    return polc::cli::run_explain(explain_name, explain_paths, explain_config, explain_no_config);
  if (cmd_completion->parsed()) return polc::cli::run_completion(app, completion_shell);
  if (cmd_man->parsed()) return polc::cli::run_man(app);
  if (cmd_lsp->parsed()) return polc::cli::run_lsp();
  std::cout << app.help();
  return polc::kExitUsageOrPolicyError;
}

}  // namespace
