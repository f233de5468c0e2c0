// `polc check --pseudo-parameter NAME=VALUE` and the assumption note of AWS::Partition and
// AWS::URLSuffix (docs/language.md, "Pseudo parameters").
#include <catch2/catch.hpp>

#include "tests/cli_run.h"
#include "tests/robust_util.h"

using polc::test::run_polc;
using polc::test::TempDir;

namespace {
constexpr const char* kPolicy = R"(policy arn-check {
  id       = "T-PP-1"
  title    = "bucket ARNs are in the commercial partition"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require not starts_with(b.Properties.BucketName, "arn:aws:")
      message "{b.id} is {b.Properties.BucketName}"
  }
}
)";
constexpr const char* kTemplate = R"(Resources:
  B:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub "arn:${AWS::Partition}:s3:::logs"}
)";
}  // namespace

TEST_CASE("pseudo parameters: the commercial partition is assumed and said", "[cli][pseudo]") {
  TempDir dir("pseudo");
  dir.write("p.polc", kPolicy);
  dir.write("t.yaml", kTemplate);
  SECTION("default: aws, with a note in the finding") {
    auto r = run_polc(dir.path(),
                      "check --no-config --no-builtin -q --format json --policies p.polc t.yaml");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find(
              "B is arn:aws:s3:::logs (assuming AWS::Partition is aws; see --pseudo-parameter)") !=
          std::string::npos);
    CHECK(r.out.find("\"outcome\": \"fail\"") != std::string::npos);
  }
  SECTION("set: the value is used, without a note") {
    auto r = run_polc(
        dir.path(),
        "check --no-config --no-builtin -q --format json --pseudo-parameter AWS::Partition=aws-cn "
        "--policies p.polc t.yaml");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
  }
  SECTION("set to aws: a finding without the note") {
    auto r = run_polc(dir.path(),
                      "check --no-config --no-builtin -q --pseudo-parameter AWS::Partition=aws "
                      "--policies p.polc t.yaml");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("B is arn:aws:s3:::logs") != std::string::npos);
    CHECK(r.out.find("assuming") == std::string::npos);
  }
  SECTION("not a pseudo parameter: a usage error") {
    auto r = run_polc(
        dir.path(),
        "check --no-config --no-builtin -q --pseudo-parameter Env=prod --policies p.polc t.yaml");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--pseudo-parameter takes NAME=VALUE") != std::string::npos);
  }
}
