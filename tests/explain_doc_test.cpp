// `polc explain` finds an organisation's policies (.polc.yaml `policies`, paths on the command
// line) and shows parameters; `polc doc` titles an organisation's index as its own and lists
// parameters.
#include <catch2/catch.hpp>

#include "tests/cli_run.h"
#include "tests/robust_util.h"

using polc::test::read_text;
using polc::test::run_polc;
using polc::test::TempDir;

namespace {
constexpr const char* kPolicy = R"(policy acme-tag {
  id       = "ACME-1"
  title    = "buckets carry the cost tag"
  severity = low
  param tag_key = "CostCenter"
  for b in resources("AWS::S3::Bucket") {
    require any t in default(b.Properties.Tags, []): t.Key == tag_key
  }
}
)";
}  // namespace

TEST_CASE("polc explain finds .polc.yaml policies and paths, with parameters", "[cli][explain]") {
  TempDir dir("explain");
  dir.write("policies/tag.polc", kPolicy);
  SECTION(".polc.yaml policies") {
    dir.write(".polc.yaml", "policies: [policies/]\nparameters: {acme-tag.tag_key: Team}\n");
    auto r = run_polc(dir.path(), "explain ACME-1");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("ACME-1  acme-tag  (low)") == 0);
    CHECK(r.out.find("  tag_key = \"CostCenter\"  (.polc.yaml sets \"Team\")") !=
          std::string::npos);
    CHECK(r.out.find("Source (policies/tag.polc)") != std::string::npos);
  }
  SECTION("a path on the command line, by name") {
    auto r = run_polc(dir.path(), "explain acme-tag policies");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("  tag_key = \"CostCenter\"\n") != std::string::npos);
  }
  SECTION("the built-in pack still, and its parameters") {
    auto r = run_polc(dir.path(), "explain sg-ingress-open-to-world");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("  admin_ports = [22, 3389]") != std::string::npos);
  }
  SECTION("not found: says where it looked") {
    auto r = run_polc(dir.path(), "explain ACME-9 policies");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(
              "no policy with id or name 'ACME-9' in the built-in pack or the policies given") !=
          std::string::npos);
  }
}

TEST_CASE("polc doc titles an organisation's policies and lists parameters", "[cli][doc]") {
  TempDir dir("doc");
  dir.write("policies/tag.polc", kPolicy);
  auto r = run_polc(dir.path(), "doc policies -o out");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  std::string index = read_text(dir.path() / "out" / "README.md");
  CHECK(index.find("# Policies in `policies`\n") == 0);
  CHECK(index.find("standard policy pack") == std::string::npos);
  CHECK(index.find("| `ACME-1` | [acme-tag](acme-tag.md) | low | `tag_key` |") !=
        std::string::npos);
  std::string page = read_text(dir.path() / "out" / "acme-tag.md");
  CHECK(page.find("## Parameters") != std::string::npos);
  CHECK(page.find("| `tag_key` | `\"CostCenter\"` |") != std::string::npos);
  auto titled = run_polc(dir.path(), "doc policies -o out2 --title 'ACME policies'");
  REQUIRE(titled.exit_code == 0);
  CHECK(read_text(dir.path() / "out2" / "README.md").find("# ACME policies\n") == 0);
}
