// `polc test` (docs/testing.md): a case must say what it expects, unknown keys are errors, the
// status a case may expect (pass, fail, unknown, not_applicable), inputs that are not
// templates, foreign suppressions, partner files, and never a zero-test success.
#include <catch2/catch.hpp>

#include "tests/cli_run.h"
#include "tests/robust_util.h"

using polc::test::run_polc;
using polc::test::TempDir;

namespace {

constexpr const char* kPolicy = R"(policy tag-check {
  id       = "T-TC-1"
  title    = "buckets carry a CostCenter tag"
  severity = medium
  aliases  = ["cfn_nag:W99"]
  for b in resources("AWS::S3::Bucket") {
    require any t in default(b.Properties.Tags, []): t.Key == "CostCenter"
      message "bucket {b.id} has no CostCenter tag"
  }
}
)";

constexpr const char* kUntagged = "Resources:\n  B: {Type: AWS::S3::Bucket}\n";

// Writes the policy and `tests` as tag.polc / tag.tests.yaml in `dir`.
void write_pair(const TempDir& dir, const std::string& tests) {
  dir.write("tag.polc", kPolicy);
  dir.write("tag.tests.yaml", tests);
}

std::string one_case(const std::string& body) {
  return "policy: tag-check\ncases:\n  - name: c\n    template: |\n      Resources:\n        B: "
         "{Type: AWS::S3::Bucket}\n" +
         body;
}

}  // namespace

TEST_CASE("polc test: a case that says nothing about what it expects is an error",
          "[cli][test-command]") {
  TempDir dir("tc-vacuous");
  write_pair(dir, one_case(""));
  auto r = run_polc(dir.path(), "test .");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  CHECK(r.out.find("tag.tests.yaml:3:5: error: case 'c'") != std::string::npos);
  CHECK(r.out.find("says nothing about what it expects") != std::string::npos);
  CHECK(r.out.find("0 passed, 1 failed") != std::string::npos);
}

TEST_CASE("polc test: unknown keys are errors with their location", "[cli][test-command]") {
  TempDir dir("tc-keys");
  SECTION("a misspelt expectation key of the case") {
    write_pair(dir, one_case("    expects: []\n"));
    auto r = run_polc(dir.path(), "test .");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("tag.tests.yaml:7:5: error: unknown key 'expects' in a test case") !=
          std::string::npos);
  }
  SECTION("a misspelt key of an expectation") {
    write_pair(dir, one_case("    expect:\n      - {resouce: B}\n"));
    auto r = run_polc(dir.path(), "test .");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("tag.tests.yaml:8:10: error: unknown key 'resouce' in an expectation") !=
          std::string::npos);
  }
  SECTION("a misspelt key of the file") {
    write_pair(dir, "polcy: tag-check\npolicy: tag-check\ncases:\n  - name: c\n    template: '" +
                        std::string("{}") + "'\n    status: not_applicable\n");
    auto r = run_polc(dir.path(), "test .");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("tag.tests.yaml:1:1: error: unknown key 'polcy' in a test file") !=
          std::string::npos);
  }
  SECTION("a status that is not one of the four") {
    write_pair(dir, one_case("    status: passes\n"));
    auto r = run_polc(dir.path(), "test .");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find(
              "tag.tests.yaml:7:13: error: 'status' is pass, fail, unknown or not_applicable") !=
          std::string::npos);
  }
}

TEST_CASE("polc test: status pass, fail, unknown and not_applicable", "[cli][test-command]") {
  TempDir dir("tc-status");
  write_pair(dir, R"(policy: tag-check
cases:
  - name: reported, resources not named
    template: |
      Resources:
        B: {Type: AWS::S3::Bucket}
    status: fail
  - name: passes
    template: |
      Resources:
        B: {Type: AWS::S3::Bucket, Properties: {Tags: [{Key: CostCenter, Value: "1"}]}}
    status: pass
  - name: unknown
    template: |
      Parameters: {Tags: {Type: String}}
      Resources:
        B: {Type: AWS::S3::Bucket, Properties: {Tags: [{Key: !Ref Tags, Value: "1"}]}}
    status: unknown
  - name: no bucket at all
    template: |
      Resources:
        Q: {Type: AWS::SQS::Queue}
    status: not_applicable
  - name: an input that is not a template (a registry test's input {})
    input: {}
    status: skip
  - name: input given as data
    input:
      Resources:
        B: {Type: AWS::S3::Bucket}
    expect:
      - {resource: B, message: "no CostCenter tag"}
)");
  auto r = run_polc(dir.path(), "test .");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "6 passed, 0 failed\n");

  SECTION("each status is checked: wrong expectations fail") {
    write_pair(dir, R"(policy: tag-check
cases:
  - name: expects pass, is reported
    template: |
      Resources:
        B: {Type: AWS::S3::Bucket}
    status: pass
  - name: expects a pass where the policy does not apply
    template: |
      Resources:
        Q: {Type: AWS::SQS::Queue}
    expect: []
  - name: expects not applicable, applies
    template: |
      Resources:
        B: {Type: AWS::S3::Bucket, Properties: {Tags: [{Key: CostCenter, Value: "1"}]}}
    status: not_applicable
  - name: expects fail, unknown
    template: |
      Parameters: {Tags: {Type: String}}
      Resources:
        B: {Type: AWS::S3::Bucket, Properties: {Tags: [{Key: !Ref Tags, Value: "1"}]}}
    status: fail
)");
    auto w = run_polc(dir.path(), "test .");
    INFO(w.out << w.err);
    CHECK(w.exit_code == 1);
    CHECK(w.out.find("0 passed, 4 failed") != std::string::npos);
    CHECK(w.out.find("tag.tests.yaml:7:13: error: case 'expects pass, is reported'") !=
          std::string::npos);
    CHECK(w.out.find("expected status pass from tag-check") != std::string::npos);
    CHECK(w.out.find("does not apply to this template (no resource of its types), but 'expect' "
                     "says it applies") != std::string::npos);
    CHECK(w.out.find("expected status fail from tag-check (") != std::string::npos);
  }
}

TEST_CASE("polc test: foreign suppressions are off unless the test turns them on",
          "[cli][test-command]") {
  TempDir dir("tc-foreign");
  const std::string tmpl = R"(    template: |
      Resources:
        B:
          Type: AWS::S3::Bucket
          Metadata:
            cfn_nag:
              rules_to_suppress: [{id: W99, reason: tagged by the pipeline}]
)";
  write_pair(dir, "policy: tag-check\ncases:\n  - name: off\n" + tmpl +
                      "    status: fail\n  - name: on\n" + tmpl +
                      "    foreign_suppressions: true\n    status: pass\n");
  auto r = run_polc(dir.path(), "test .");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "2 passed, 0 failed\n");
}

TEST_CASE("polc test: a test file finds its policy and a policy its test file",
          "[cli][test-command]") {
  TempDir dir("tc-partner");
  write_pair(dir, one_case("    status: fail\n"));
  SECTION("FILE.tests.yaml brings FILE.polc") {
    auto r = run_polc(dir.path(), "test tag.tests.yaml");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "1 passed, 0 failed\n");
  }
  SECTION("FILE.polc brings FILE.tests.yaml") {
    auto r = run_polc(dir.path(), "test tag.polc");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "1 passed, 0 failed\n");
  }
  SECTION("a test file without a partner finds the policy by id among its folder's policies") {
    dir.write("other.tests.yaml",
              "policy: T-TC-1\ncases:\n  - name: c\n    input: {Resources: {B: {Type: "
              "AWS::S3::Bucket}}}\n    status: fail\n");
    auto r = run_polc(dir.path(), "test other.tests.yaml");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "1 passed, 0 failed\n");
  }
}

TEST_CASE("polc test: running no test is never a success", "[cli][test-command]") {
  TempDir dir("tc-none");
  dir.write("tag.polc", kPolicy);
  SECTION("a policy without tests") {
    auto r = run_polc(dir.path(), "test tag.polc");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("no *.tests.yaml file found") != std::string::npos);
  }
  SECTION("a test file without cases") {
    dir.write("tag.tests.yaml", "policy: tag-check\ncases: []\n");
    auto r = run_polc(dir.path(), "test .");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.find("needs at least one case") != std::string::npos);
  }
}
