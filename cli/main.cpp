// polc: policy-as-code for AWS CloudFormation. The command line entry point.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "cli/commands.h"
#include "engine/bundle.h"
#include "engine/exit_codes.h"

int main(int argc, char** argv) {
  CLI::App app{"polc: checks AWS CloudFormation templates against policies written in the polc language"};
  app.require_subcommand(0, 1);
  bool version = false;
  app.add_flag("--version", version, "Print the version of polc, of the policy pack and of the bytecode format");

  polc::cli::CheckArgs check;
  auto* cmd_check = app.add_subcommand("check", "Check templates against policies (the main job)");
  cmd_check->add_option("paths", check.paths, "Templates, policy files (.polc) and directories, walked recursively");
  cmd_check->add_option("--policies", check.policies, "Policy files or directories (repeatable)")->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd_check->add_option("--exclude", check.excludes, "Skip paths matching this glob (repeatable)")->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd_check->add_flag("--no-builtin", check.no_builtin, "Do not load the built-in standard policy pack");
  cmd_check->add_option("--only", check.only, "Run only this policy (id or name; repeatable)")->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd_check->add_option("--skip", check.skip, "Do not run this policy (id or name; repeatable)")->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd_check->add_option("--severity", check.severity,
                        "Hide findings below this severity and do not fail on them (critical|high|medium|low|info)");
  cmd_check->add_option("--format,-f", check.format, "Report format: text, json, sarif, junit, github");
  cmd_check->add_option("--output,-o", check.outputs, "Also write a report: FORMAT=PATH (repeatable)")->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  cmd_check->add_option("-j,--jobs", check.jobs, "Worker threads (default: hardware threads)");
  cmd_check->add_flag("--show-suppressed", check.show_suppressed, "List suppressed findings too");
  cmd_check->add_flag("--no-inline-suppressions", check.no_inline_suppressions,
                      "Ignore suppressions written in templates' Metadata");
  cmd_check->add_flag("--honor-foreign-suppressions", check.honor_foreign,
                      "Honour cfn_nag, checkov, cfn-guard and cfn-lint suppressions for policies with matching aliases");
  cmd_check->add_flag("-q,--quiet", check.quiet, "No progress output");
  cmd_check->add_flag("--no-color", check.no_color, "Never use colour (NO_COLOR is honoured too)");
  cmd_check->add_flag("-v,--verbose", check.verbose, "Print whole remediation texts");

  std::vector<std::string> dump_files;
  auto* cmd_dump = app.add_subcommand("dump", "Print the normalized model of templates as JSON");
  cmd_dump->add_option("templates", dump_files, "Template files")->required();

  std::vector<std::string> parse_files;
  auto* cmd_parse = app.add_subcommand("parse", "Print the AST of policy files");
  cmd_parse->add_option("policies", parse_files, "Policy files")->required();

  std::vector<std::string> disasm_files;
  bool disasm_builtin = false;
  auto* cmd_disasm = app.add_subcommand("disasm", "Disassemble compiled policies: print their bytecode");
  cmd_disasm->add_option("policies", disasm_files, "Policy files (default: the built-in pack)");
  cmd_disasm->add_flag("--builtin", disasm_builtin, "Include the built-in pack");

  std::vector<std::string> compile_paths;
  std::string compile_out;
  bool compile_no_builtin = false;
  auto* cmd_compile = app.add_subcommand("compile", "Compile policies into a bundle that 'polc check' can load instead of sources");
  cmd_compile->add_option("paths", compile_paths, "Policy files and directories");
  cmd_compile->add_option("-o,--output", compile_out, "The bundle file to write (e.g. policies.polcb)")->required();
  cmd_compile->add_flag("--no-builtin", compile_no_builtin, "Leave the built-in pack out of the bundle");

  std::vector<std::string> doc_paths;
  std::string doc_out = "docs/policies";
  auto* cmd_doc = app.add_subcommand("doc", "Generate one Markdown page per policy from the sources and their tests");
  cmd_doc->add_option("paths", doc_paths, "Policy directories (default: policies)");
  cmd_doc->add_option("-o,--output", doc_out, "Output directory (default: docs/policies)");

  std::vector<std::string> test_paths;
  auto* cmd_test = app.add_subcommand("test", "Run policy test files (*.tests.yaml) against the policies next to them");
  cmd_test->add_option("paths", test_paths, "Directories or files with policies and their tests");

  std::string explain_name;
  std::vector<std::string> explain_paths;
  auto* cmd_explain = app.add_subcommand("explain", "Print a policy's documentation and source");
  cmd_explain->add_option("policy", explain_name, "Policy id or name")->required();
  cmd_explain->add_option("--policies", explain_paths, "Policy files or directories to search too");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : polc::kExitUsageOrPolicyError;
  }
  if (version) {
    std::printf("polc %s\npolicy pack %s\nbytecode format %u (bundle format %u)\n", POLC_VERSION, POLC_VERSION,
                polc::kBytecodeVersion, polc::kBundleFormatVersion);
    return 0;
  }
  if (cmd_check->parsed()) return polc::cli::run_check(check);
  if (cmd_dump->parsed()) return polc::cli::run_dump(dump_files);
  if (cmd_parse->parsed()) return polc::cli::run_parse(parse_files);
  if (cmd_disasm->parsed()) return polc::cli::run_disasm(disasm_files, disasm_builtin || disasm_files.empty());
  if (cmd_compile->parsed()) return polc::cli::run_compile(compile_paths, compile_out, compile_no_builtin);
  if (cmd_doc->parsed()) return polc::cli::run_doc(doc_paths, doc_out);
  if (cmd_test->parsed()) return polc::cli::run_test(test_paths);
  if (cmd_explain->parsed()) return polc::cli::run_explain(explain_name, explain_paths);
  std::cout << app.help();
  return polc::kExitUsageOrPolicyError;
}
