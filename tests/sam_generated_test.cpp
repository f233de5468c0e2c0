// The SAM transform's Globals and generated resources (engine/model/sam_globals.cpp,
// sam_apis.cpp, sam_function.cpp) and one finding per problem on SAM templates
// (engine/vm/vm_findings.cpp, drop_sam_duplicates), end to end through `polc check` and
// `polc dump`. Expected logical IDs are the SAM translator's (samtranslator 1.110); the model
// goldens are tests/data/model/sam_globals.yaml and sam_domains.yaml.
#include <catch2/catch.hpp>
#include <string>

#include "engine/base/digest.h"
#include "tests/cli_run.h"
#include "tests/robust_util.h"

namespace polc {
namespace {

using test::run_polc;
using Dir = test::TempDir;

/// `polc check` of `text` with the one policy `only`, in compact format.
test::Run check(const std::string& text, const std::string& only) {
  Dir d("samgen");
  d.write("t.yaml", text);
  return run_polc(d.path(), "check --no-config -q --format compact --only " + only + " t.yaml");
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1))
    ++n;
  return n;
}

constexpr const char* kHead = "Transform: AWS::Serverless-2016-10-31\n";

TEST_CASE("sam: sha1_hex gives FIPS 180 test vectors", "[sam]") {
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST_CASE("sam: Globals are merged into the SAM resources' properties", "[sam][globals]") {
  const std::string tpl = std::string(kHead) + R"(Globals:
  Function:
    Environment:
      Variables: {STAGE: prod}
Resources:
  Plain:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}
  Keyed:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x, KmsKeyArn: arn:aws:kms:us-east-1:111122223333:key/k}
  Ignoring:
    Type: AWS::Serverless::Function
    IgnoreGlobals: "*"
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}
  IgnoringEnv:
    Type: AWS::Serverless::Function
    IgnoreGlobals: [Environment]
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}
)";
  const auto r = check(tpl, "lambda-environment-kms-key");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  // Only `Plain` has environment variables (from Globals) and no key.
  CHECK(count(r.out, "POLC-LAMBDA-005") == 1);
  CHECK(r.out.find("t.yaml:7:3:") != std::string::npos);
  CHECK(r.out.find("Plain does not set KmsKeyArn") != std::string::npos);
}

TEST_CASE("sam: an unknown reference in Globals is warned about once", "[sam][globals]") {
  const auto r = check(std::string(kHead) + R"(Globals:
  Function:
    KmsKeyArn: !GetAtt MissingKey.Arn
    Description: !Sub "${Missing1} ${Missing2}"
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}
  B:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}
)",
                       "lambda-environment-kms-key");
  INFO(r.out << r.err);
  const std::string all = r.out + r.err;
  CHECK(count(all, "unknown-reference") == 3);
  CHECK(count(all, "'MissingKey'") == 1);
  CHECK(count(all, "'Missing1'") == 1);
  CHECK(count(all, "'Missing2'") == 1);
}

TEST_CASE("sam: a Globals property the transform does not take is a warning", "[sam][globals]") {
  const auto r = check(std::string(kHead) + R"(Globals:
  Function:
    Policies: [AWSLambdaExecute]
  Functions:
    Timeout: 3
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, InlineCode: x}
)",
                       "lambda-environment-kms-key");
  INFO(r.out << r.err);
  CHECK(count(r.out + r.err, "sam-globals-unsupported") == 2);
  CHECK((r.out + r.err).find("'Policies'") != std::string::npos);
  CHECK((r.out + r.err).find("'Functions'") != std::string::npos);
}

TEST_CASE("sam: an API's custom domain becomes the translator's DomainName", "[sam][domain]") {
  const std::string api = std::string(kHead) + R"(Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Domain:
        DomainName: api.example.com
        CertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/c
)";
  const auto weak = check(api, "apigateway-domain-tls12");
  INFO(weak.out << weak.err);
  CHECK(weak.exit_code == 1);
  // sha1("api.example.com")[:10] = 1bc412bb08; located at the SAM Api.
  CHECK(weak.out.find("t.yaml:3:3:") != std::string::npos);
  CHECK(weak.out.find("ApiGatewayDomainName1bc412bb08 does not set SecurityPolicy") !=
        std::string::npos);
  const auto strong = check(api + "        SecurityPolicy: TLS_1_2\n", "apigateway-domain-tls12");
  INFO(strong.out << strong.err);
  CHECK(strong.exit_code == 0);
}

TEST_CASE("sam: the implicit API takes Globals.Api's domain", "[sam][domain]") {
  const auto r = check(std::string(kHead) + R"(Parameters:
  Zone: {Type: String, Default: example.org}
Globals:
  Api:
    Domain:
      DomainName: !Sub "api.${Zone}"
      CertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/c
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Events:
        Get: {Type: Api, Properties: {Path: /x, Method: get}}
)",
                       "apigateway-domain-tls12");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  // The translator hashes {"Fn::Sub": "api.example.org"} (the parameter's default resolved).
  CHECK(r.out.find("t.yaml:10:3:") != std::string::npos);
  CHECK(r.out.find("ApiGatewayDomainName4631b60f15") != std::string::npos);
}

TEST_CASE("sam: a state machine's Api event makes the implicit API and its stage", "[sam]") {
  const auto r = check(std::string(kHead) + R"(Resources:
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {StartAt: A, States: {A: {Type: Pass, End: true}}}
      Events:
        Post: {Type: Api, Properties: {Path: /run, Method: post}}
)",
                       "apigateway-stage-access-logging");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("t.yaml:3:3:") != std::string::npos);
  CHECK(r.out.find("ServerlessRestApiProdStage does not set AccessLogSetting") !=
        std::string::npos);
}

TEST_CASE("sam: the implicit API exists when one of its functions does", "[sam]") {
  const std::string head = std::string(kHead) + R"(Conditions:
  Never: !Equals [a, b]
  Nor: !Equals [c, d]
Resources:
  A:
    Type: AWS::Serverless::Function
    Condition: Never
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Events:
        Get: {Type: Api, Properties: {Path: /a, Method: get}}
  B:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Events:
        Get: {Type: Api, Properties: {Path: /b, Method: get}}
)";
  // B has no condition: the API always exists.
  const auto always = check(head, "apigateway-stage-access-logging");
  INFO(always.out << always.err);
  CHECK(always.exit_code == 1);
  CHECK(always.out.find("ServerlessRestApiProdStage") != std::string::npos);
  // Both conditional, on conditions that never hold: ServerlessRestApiCondition (their Fn::Or)
  // never holds, and the API is never created.
  std::string never = head;
  never.insert(never.rfind("    Properties:"), "    Condition: Nor\n");
  const auto none = check(never, "apigateway-stage-access-logging");
  INFO(none.out << none.err);
  CHECK(none.exit_code == 0);
  Dir d("cond");
  d.write("t.yaml", never);
  const auto dump = run_polc(d.path(), "dump t.yaml");
  CHECK(dump.out.find("\"ServerlessRestApiCondition\"") != std::string::npos);
}

TEST_CASE("sam: stage logical IDs follow the translator", "[sam]") {
  Dir d("stages");
  d.write("t.yaml", std::string(kHead) + R"(Parameters:
  Stage: {Type: String}
Resources:
  Named:
    Type: AWS::Serverless::HttpApi
    Properties: {StageName: dev-http}
  Computed:
    Type: AWS::Serverless::Api
    Properties: {StageName: !Ref Stage}
  Plain:
    Type: AWS::Serverless::Api
    Properties: {StageName: v1}
)");
  const auto r = run_polc(d.path(), "dump t.yaml");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("\"NamedStage32c912638f\"") != std::string::npos);  // sha1("dev-http")
  CHECK(r.out.find("\"ComputedStage\"") != std::string::npos);
  CHECK(r.out.find("\"Plainv1Stage\"") != std::string::npos);
}

TEST_CASE("sam: a public function URL's permissions are generated", "[sam]") {
  const std::string fn = std::string(kHead) + R"(Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      FunctionUrlConfig:
)";
  const auto open = check(fn + "        AuthType: NONE\n", "lambda-permission-wildcard-principal");
  INFO(open.out << open.err);
  CHECK(open.exit_code == 1);
  CHECK(open.out.find("FnUrlPublicPermissions grants lambda:InvokeFunctionUrl") !=
        std::string::npos);
  CHECK(open.out.find("FnURLInvokeAllowPublicAccess grants lambda:InvokeFunction to") !=
        std::string::npos);
  const auto iam =
      check(fn + "        AuthType: AWS_IAM\n", "lambda-permission-wildcard-principal");
  INFO(iam.out << iam.err);
  CHECK(iam.exit_code == 0);
}

TEST_CASE("sam: an SNS event's SqsSubscription queue is generated", "[sam]") {
  const std::string fn = std::string(kHead) + R"(Resources:
  Topic:
    Type: AWS::SNS::Topic
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Events:
        Feed:
          Type: SNS
          Properties:
            Topic: !Ref Topic
)";
  const auto with = check(fn + "            SqsSubscription: true\n", "sqs-queue-kms-key");
  INFO(with.out << with.err);
  CHECK(with.exit_code == 1);
  CHECK(with.out.find("FnFeedQueue does not set KmsMasterKeyId") != std::string::npos);
  const auto without = check(fn, "sqs-queue-kms-key");
  CHECK(without.exit_code == 0);
}

TEST_CASE("sam: event sources add their permissions to the function's role", "[sam]") {
  const auto r = check(std::string(kHead) + R"(Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Events:
        Changes:
          Type: DocumentDB
          Properties:
            Cluster: arn:aws:rds:us-east-1:111122223333:cluster:c
            DatabaseName: db
            CollectionName: items
            SourceAccessConfigurations:
              - {Type: BASIC_AUTH, URI: arn:aws:secretsmanager:us-east-1:111122223333:secret:s}
)",
                       "iam-no-wildcard-resource");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  // The ec2 network interface statement of SamAutoGeneratedDocumentDBPolicy.
  CHECK(r.out.find("FnRole, policy SamAutoGeneratedDocumentDBPolicy") != std::string::npos);
  CHECK(count(r.out, "POLC-IAM-004") == 1);
}

TEST_CASE("sam: GraphQLApi logs unless Logging is false", "[sam]") {
  const std::string api = std::string(kHead) + R"(Resources:
  Graph:
    Type: AWS::Serverless::GraphQLApi
    Properties:
      SchemaInline: "type Query { a: String }"
      Auth: {Type: AWS_IAM}
)";
  const auto off = check(api + "      Logging: false\n", "appsync-logging");
  INFO(off.out << off.err);
  CHECK(off.exit_code == 1);
  CHECK(off.out.find("AWS::AppSync::GraphQLApi Graph does not set LogConfig") != std::string::npos);
  const auto on = check(api, "appsync-logging");
  INFO(on.out << on.err);
  CHECK(on.exit_code == 0);
  const auto level = check(api, "appsync-field-logs");  // FieldLogLevel defaults to ALL
  CHECK(level.exit_code == 0);
}

TEST_CASE("sam: one problem gives one finding, on the SAM resource", "[sam][dedup]") {
  SECTION("an Api and its stage") {
    const auto r = check(std::string(kHead) + R"(Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties: {StageName: prod}
)",
                         "apigateway-stage-access-logging");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(count(r.out, "POLC-APIGW-001") == 1);
    CHECK(r.out.find("AWS::Serverless::Api Api does not set AccessLogSetting") !=
          std::string::npos);
  }
  SECTION("an Api's own value and its stage's copy") {
    // default(r.Properties.TracingEnabled, ...) keeps the node: both findings are at line 6.
    const auto r = check(std::string(kHead) + R"(Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      TracingEnabled: false
      StageName: prod
)",
                         "apigateway-stage-xray");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(count(r.out, "POLC-APIGW-004") == 1);
    CHECK(r.out.find("t.yaml:6:23:") != std::string::npos);
    CHECK(r.out.find("AWS::Serverless::Api Api sets TracingEnabled to false") != std::string::npos);
  }
  SECTION("a function's inline policy and its role") {
    const auto r = check(std::string(kHead) + R"(Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Policies:
        - Statement: [{Effect: Allow, Action: s3:GetObject, Resource: "*"}]
        - AMIDescribePolicy: {}
)",
                         "iam-no-wildcard-resource");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    // The document: once, on the function; the policy template's statement: on the role.
    CHECK(count(r.out, "POLC-IAM-004") == 2);
    CHECK(count(r.out, "t.yaml:10:23:") == 1);
    CHECK(r.out.find("SAM function Fn") != std::string::npos);
    CHECK(r.out.find("FnRole") != std::string::npos);
  }
}

}  // namespace
}  // namespace polc
