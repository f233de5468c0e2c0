// Policy coverage (engine/vm/coverage.h, `polc test --coverage`): exact hit counts on a small
// policy with known branches (tests/data/coverage/buckets.polc: a `when`, two `require`s, an
// `if` with and one without an else block, two `report`s), its lcov tracefile against a golden
// file, the threshold, genhtml when installed, and coverage off costing nothing in results.
#include "engine/vm/coverage.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/compiler.h"
#include "engine/load/loader.h"
#include "engine/scan/scanner.h"
#include "tests/cli_run.h"

using namespace polc;
namespace fs = std::filesystem;

namespace {

const fs::path kDir = fs::path(POLC_SOURCE_DIR) / "tests" / "data" / "coverage";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("polc-cov-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

}  // namespace

TEST_CASE("coverage counts of a policy with known branches", "[coverage]") {
  Diagnostics diags;
  auto set = compile_policy_text("buckets.polc", slurp(kDir / "buckets.polc"), diags);
  REQUIRE(set);
  set->freeze();
  CoverageCounts counts(*set);
  std::vector<PolicyInfo> known{set->policies[0].info};
  // Two buckets: one versioned and named, one bare.
  const std::string tmpl =
      "Resources:\n"
      "  Good: {Type: AWS::S3::Bucket, Properties: {BucketName: data, VersioningConfiguration: "
      "{Status: Enabled}}}\n"
      "  Bad: {Type: AWS::S3::Bucket}\n";
  LoadResult lr = load_template_bytes("t.yaml", tmpl);
  REQUIRE(lr.status == LoadStatus::kTemplate);
  Vm vm(*set);
  vm.set_coverage(&counts);
  FileOutcome with = check_template(vm, *set, {0}, known, *lr.tmpl, {});
  Vm plain(*set);
  FileOutcome without = check_template(plain, *set, {0}, known, *lr.tmpl, {});
  REQUIRE(with.findings.size() == 2);  // Bad: not versioned, no name
  CHECK(with.findings.size() == without.findings.size());

  auto files = summarize_coverage(*set, counts, [](std::string_view) { return true; });
  REQUIRE(files.size() == 1);
  const FileCoverage& f = files[0];
  CHECK(f.lines ==
        std::map<std::uint32_t, std::uint64_t>{
            {7, 2}, {8, 2}, {9, 2}, {10, 1}, {11, 2}, {12, 1}, {14, 1}, {16, 2}, {17, 0}});
  std::vector<std::string> got;
  for (const BranchOutcome& b : f.branches)
    got.push_back(std::to_string(b.line) + " " + b.what + " " + std::to_string(b.taken));
  CHECK(got == std::vector<std::string>{
                   "8 when true 2", "8 when false 0", "9 require holds 1", "9 require fails 1",
                   "11 if then 1", "11 if else 1", "12 report reached 1", "14 require holds 1",
                   "14 require fails 0", "16 if then 0", "16 if skipped 2", "17 report reached 0"});
  CHECK(f.lines_hit() == 8);
  CHECK(f.branches_hit() == 8);
  const std::string table = coverage_table(files);
  INFO(table);
  CHECK(table.find("\ntotal               8/9  88.9%       8/12  66.7%\n") != std::string::npos);

  // A Vm whose counting was switched off again counts nothing more.
  vm.set_coverage(nullptr);
  const auto before = counts.hits;
  check_template(vm, *set, {0}, known, *lr.tmpl, {});
  CHECK(counts.hits == before);
}

TEST_CASE("polc test --coverage writes the lcov golden and applies the threshold",
          "[coverage][cli]") {
  const std::string lcov = temp_path("buckets.lcov");
  auto r =
      test::run_polc(kDir, "test --coverage-lcov " + test::shell_quote(lcov) + " buckets.polc");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("3 passed, 0 failed") != std::string::npos);
  CHECK(r.out.find("buckets.polc        8/9  88.9%       9/12  75.0%") != std::string::npos);
  CHECK(r.out.find("total               8/9  88.9%       9/12  75.0%") != std::string::npos);
  CHECK(slurp(lcov) == slurp(kDir / "buckets.lcov"));

  r = test::run_polc(kDir, "test --coverage-threshold 80 buckets.polc");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("branch coverage 75.0% is below the threshold of 80%") != std::string::npos);
  CHECK(r.err.find("line coverage") == std::string::npos);
  r = test::run_polc(kDir, "test --coverage-threshold 75 buckets.polc");
  CHECK(r.exit_code == 0);
  r = test::run_polc(kDir, "test --coverage-threshold 101 buckets.polc");
  CHECK(r.exit_code == 2);  // out of range: a usage error
  // Without --coverage, no table.
  r = test::run_polc(kDir, "test buckets.polc");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("coverage") == std::string::npos);

  // genhtml (Debian's lcov package) accepts the tracefile.
  if (std::system("command -v genhtml >/dev/null 2>&1") != 0) {
    WARN("genhtml not installed: the lcov file is checked against its golden only");
  } else {
    const std::string html = temp_path("html");
    const std::string cmd = "cd " + test::shell_quote(kDir.string()) +
                            " && genhtml --quiet --branch-coverage -o " + test::shell_quote(html) +
                            " " + test::shell_quote(lcov) + " >/dev/null 2>&1";
    CHECK(std::system(cmd.c_str()) == 0);
    CHECK(fs::exists(fs::path(html) / "index.html"));
    fs::remove_all(html);
  }
  fs::remove(lcov);
}
