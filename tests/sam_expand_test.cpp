// SAM policy templates and API authorizers (engine/model/sam_policies.cpp, sam_auth.cpp), end to
// end through `polc check` and `polc dump`; and `--show-aliases` in the text report. The model
// goldens are tests/data/model/sam_policy_templates.yaml and sam_authorizers.yaml.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/model/sam_policy_templates.h"
#include "tests/cli_run.h"
#include "tests/robust_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;
using test::run_polc;

// A temporary directory, removed with its contents at the end of the test.
using Dir = test::TempDir;

constexpr const char* kFunction = R"(Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Policies:
)";

TEST_CASE("sam: the embedded policy template table", "[sam]") {
  CHECK(internal::policy_template_count() == 81);
  CHECK(internal::policy_templates_source().starts_with("aws-sam-translator "));
  const internal::PolicyTemplate* s3 = internal::find_policy_template("S3ReadPolicy");
  REQUIRE(s3 != nullptr);
  CHECK(s3->parameters == std::vector<std::string>{"BucketName"});
  CHECK(internal::find_policy_template("S3ReadPolicyy") == nullptr);
  CHECK(internal::find_policy_template("s3readpolicy") == nullptr);  // names are case-sensitive
  CHECK(internal::managed_policy_path("AWSLambdaExecute") == std::string_view());
  CHECK(internal::managed_policy_path("AWSLambdaVPCAccessExecutionRole") ==
        std::string_view("service-role/"));
  CHECK_FALSE(internal::managed_policy_path("MyOwnPolicy").has_value());
}

TEST_CASE("sam: a policy template's statements are checked on the generated role", "[sam]") {
  Dir d("templates");
  // AMIDescribePolicy allows ec2:DescribeImages on Resource "*"; S3ReadPolicy names its bucket.
  d.write("wide.yaml", std::string(kFunction) + "        - AMIDescribePolicy: {}\n");
  d.write("narrow.yaml",
          std::string(kFunction) + "        - S3ReadPolicy: {BucketName: my-bucket}\n");
  const std::string args = "check --no-config -q --only iam-no-wildcard-resource --format compact ";
  const auto wide = run_polc(d.path(), args + "wide.yaml");
  INFO(wide.out << wide.err);
  CHECK(wide.exit_code == 1);
  CHECK(wide.out.find("wide.yaml:10:11") != std::string::npos);  // at the template's item
  CHECK(wide.out.find("FnRole") != std::string::npos);
  const auto narrow = run_polc(d.path(), args + "narrow.yaml");
  INFO(narrow.out << narrow.err);
  CHECK(narrow.exit_code == 0);
}

TEST_CASE("sam: a policy template polc cannot expand is a warning, never a pass", "[sam]") {
  Dir d("unknown");
  d.write("unknown.yaml", std::string(kFunction) + "        - S3ReadPolicyy: {BucketName: b}\n");
  d.write("missing.yaml", std::string(kFunction) + "        - SQSSendMessagePolicy: {Queue: q}\n");
  d.write("notmap.yaml", std::string(kFunction) + "        - S3ReadPolicy: b\n");
  for (const char* f : {"unknown.yaml", "missing.yaml", "notmap.yaml"}) {
    const auto r =
        run_polc(d.path(), std::string("check --no-config --only iam-no-wildcard-resource "
                                       "--format compact ") +
                               f);
    INFO(f << "\n" << r.out << r.err);
    CHECK(r.exit_code == 4);  // incomplete
    CHECK((r.out + r.err).find("sam-policy-not-expanded") != std::string::npos);
  }
  // A parameter value polc cannot compute stays what it is: no warning.
  d.write("param.yaml", std::string(kFunction) +
                            "        - S3ReadPolicy: {BucketName: !ImportValue shared-bucket}\n");
  const auto p = run_polc(d.path(), "check --no-config --format compact param.yaml");
  INFO(p.out << p.err);
  CHECK((p.out + p.err).find("sam-policy-not-expanded") == std::string::npos);
}

TEST_CASE("sam: authorizers become the API definition's security and Lambda permissions", "[sam]") {
  Dir d("auth");
  d.write("api.yaml", R"(Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        Authorizers:
          Tok: {FunctionArn: !GetAtt AuthFn.Arn}
  AuthFn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Events:
        Get:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /x, Method: get, Auth: {Authorizer: Tok}}
        Open:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /o, Method: get}
)");
  const auto r = run_polc(d.path(), "dump api.yaml");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"ApiTokAuthorizerPermission\"") != std::string::npos);
  CHECK(r.out.find("\"type\": \"AWS::Lambda::Permission\"") != std::string::npos);
  CHECK(r.out.find("\"security\": [{\"Tok\":[]}]") != std::string::npos);
  // No default authorizer: the other method has no security.
  CHECK(r.out.find("\"security\"") == r.out.rfind("\"security\""));
}

TEST_CASE("report: --show-aliases prints peer rule ids in text", "[report][aliases]") {
  Dir d("aliases");
  d.write("t.yaml", R"(Resources:
  P:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement: [{Effect: Allow, Action: iam:UpdateAccessKey, Resource: '*'}]
)");
  const std::string args = "check --no-config -q --only iam-no-credentials-exposure ";
  for (const char* format : {"text", "compact"}) {
    const auto with = run_polc(d.path(), args + "--show-aliases --format " + format + " t.yaml");
    INFO(with.out << with.err);
    CHECK(with.out.find("iam-no-credentials-exposure] [checkov:CKV_AWS_107]") != std::string::npos);
    const auto without = run_polc(d.path(), args + "--format " + format + " t.yaml");
    CHECK(without.exit_code == 1);
    CHECK(without.out.find("CKV_AWS_107") == std::string::npos);
  }
}

}  // namespace
}  // namespace polc
