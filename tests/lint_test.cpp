// Strict checks (dsl/lint.h) as data: every tests/lint/*.polc file lists the warnings it must
// produce, one `# expect: LINE:COL CODE [TEXT]` comment each (TEXT: a substring of the message);
// every other strict warning of the file is a failure, so each file's negative cases (used
// names, underscore names, conditions that read the template) are checked too. The pack and the
// stdlib must produce none.
#include "dsl/lint.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "dsl/checker.h"
#include "tests/cli_run.h"

using namespace polc;
namespace fs = std::filesystem;

namespace {

const std::set<std::string> kLintCodes = {
    "unused-let",   "unused-import",      "unused-parameter",     "unused-function",
    "unused-const", "constant-condition", "policy-cannot-report", "message-names-no-resource"};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Expected {
  std::string where_code;  // "LINE:COL CODE"
  std::string text;        // substring of the message, or empty
};

std::vector<Expected> expectations(const std::string& text) {
  std::vector<Expected> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto pos = line.find("# expect: ");
    if (pos == std::string::npos) continue;
    std::istringstream in(line.substr(pos + 10));
    std::string where, code, rest;
    in >> where >> code;
    std::getline(in, rest);
    while (!rest.empty() && rest.front() == ' ') rest.erase(rest.begin());
    out.push_back({where + " " + code, rest});
  }
  return out;
}

}  // namespace

TEST_CASE("strict checks as data", "[lint]") {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / "tests" / "lint"))
    if (e.path().extension() == ".polc") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 4);
  std::set<std::string> codes_seen;
  for (const fs::path& file : files) {
    INFO(file.filename().string());
    const std::vector<Expected> want = expectations(slurp(file));
    REQUIRE(!want.empty());
    for (bool strict : {false, true}) {
      Diagnostics diags;
      CompileOptions options;
      options.lint = true;
      options.strict = strict;
      auto set = compile_policy_files({file.string()}, false, diags, options);
      // Warnings compile; with --strict the same diagnostics are errors and nothing compiles.
      CHECK((set != nullptr) == !strict);
      std::multiset<std::string> got;
      std::vector<const Diagnostic*> lint;
      for (const Diagnostic& d : diags.items()) {
        if (!kLintCodes.count(d.code)) {
          FAIL_CHECK("unexpected diagnostic: " << render_diagnostic(d));
          continue;
        }
        CHECK(d.severity == (strict ? DiagSeverity::kError : DiagSeverity::kWarning));
        got.insert(std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + " " +
                   d.code);
        lint.push_back(&d);
        codes_seen.insert(d.code);
      }
      std::multiset<std::string> expected;
      for (const Expected& e : want) expected.insert(e.where_code);
      CHECK(got == expected);
      for (const Expected& e : want) {
        if (e.text.empty()) continue;
        bool found = std::any_of(lint.begin(), lint.end(), [&](const Diagnostic* d) {
          return std::to_string(d->location.line) + ":" + std::to_string(d->location.column) + " " +
                         d->code ==
                     e.where_code &&
                 d->message.find(e.text) != std::string::npos;
        });
        INFO(e.where_code << " must say '" << e.text << "'");
        CHECK(found);
      }
    }
  }
  CHECK(codes_seen == kLintCodes);  // every warning has a positive case
}

TEST_CASE("the pack and the stdlib have no strict warnings", "[lint]") {
  Diagnostics diags;
  ModuleSet modules;
  modules.load_builtin_pack(diags);
  // Every stdlib module, also one no policy imports.
  for (const auto& e : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / "stdlib"))
    if (e.path().extension() == ".polc")
      modules.load_source("stdlib/" + e.path().filename().string(), slurp(e.path()), true, diags);
  REQUIRE(!diags.has_errors());
  REQUIRE(check_modules(modules, diags) == 0);
  const std::size_t before = diags.size();
  CHECK(lint_modules(modules, diags, false, [](const Module&) { return true; }) == 0);
  for (std::size_t i = before; i < diags.size(); ++i)
    FAIL_CHECK(render_diagnostic(diags.items()[i]));
  CHECK(modules.modules().size() > 150);
}

TEST_CASE("polc check, compile and test warn, and --strict fails", "[lint][cli]") {
  const fs::path dir = fs::path(POLC_SOURCE_DIR) / "tests" / "lint";
  auto r = test::run_polc(
      dir, "check --no-config --no-builtin --policies unused.polc ../../examples/templates");
  CHECK(r.exit_code != 2);
  CHECK(r.err.find(
            "unused.polc:27:9: warning: let 'never_used' is never used; remove it, or rename it to "
            "_never_used [unused-let]") != std::string::npos);
  r = test::run_polc(
      dir,
      "check --strict --no-config --no-builtin --policies unused.polc ../../examples/templates");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unused.polc:27:9: error: let 'never_used' is never used") != std::string::npos);
  CHECK(r.err.find("nothing was checked") != std::string::npos);
  const std::string out =
      (fs::temp_directory_path() / ("polc-lint-" + std::to_string(::getpid()) + ".polcb")).string();
  r = test::run_polc(dir, "compile --no-builtin constant.polc -o " + test::shell_quote(out));
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("[constant-condition]") != std::string::npos);
  r = test::run_polc(dir,
                     "compile --strict --no-builtin constant.polc -o " + test::shell_quote(out));
  CHECK(r.exit_code == 2);
  fs::remove(out);
  // polc test: the coverage fixture has no warning; its tests run under --strict.
  r = test::run_polc(fs::path(POLC_SOURCE_DIR) / "tests" / "data" / "coverage",
                     "test --strict buckets.polc");
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
}
