// Stacks that reference each other (engine/stack_links.h), end to end through `polc check`:
// exports and imports, local nested stacks, cycles, duplicate and unresolvable export names,
// sharding and the result cache; and the CDK construct path and SAM SimpleTable on findings.
#include "engine/load/stack_links.h"

#include <simdjson.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tests/cli_run.h"
#include "tests/link_templates.h"
#include "tests/robust_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;
using test::run_polc;

// A temporary directory, removed with its contents at the end of the test.
using Dir = test::TempDir;

/// `file resource policy-name [related-file]` per failing finding, then `code file:line` per
/// diagnostic, sorted.
std::set<std::string> summary(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  INFO(json);
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  std::set<std::string> out;
  for (simdjson::dom::element f : doc["findings"].get_array()) {
    std::string line = fs::path(std::string(f["file"].get_string().value())).filename().string() +
                       " " + std::string(f["resource"].get_string().value()) + " " +
                       std::string(f["policy_name"].get_string().value());
    for (simdjson::dom::element r : f["related"].get_array())
      line += " " + fs::path(std::string(r["file"].get_string().value())).filename().string();
    out.insert(line);
  }
  for (simdjson::dom::element e : doc["errors"].get_array()) {
    int64_t l = 0;
    if (e["line"].get_int64().get(l) != simdjson::SUCCESS) l = 0;
    out.insert(std::string(e["code"].get_string().value()) + " " +
               fs::path(std::string(e["file"].get_string().value())).filename().string() + ":" +
               std::to_string(l));
  }
  return out;
}

using test::kApp;
using test::kEndpointsChild;
using test::kGroupsChild;
using test::kNetwork;
using test::nested_parent;

const std::string kOnly = "check --no-config -q --format json --only vpce-sg-no-implicit-egress ";

}  // namespace

TEST_CASE("links: an export's group is reported with the importing endpoint", "[links]") {
  Dir d("export");
  d.write("network.yaml", kNetwork);
  d.write("app.yaml", kApp);
  const auto r = run_polc(d.path(), kOnly + ".");
  CHECK(summary(r.out) ==
        std::set<std::string>{"network.yaml EndpointSg vpce-sg-no-implicit-egress app.yaml"});
  // Alone, the network stack's group is attached to nothing.
  const auto alone = run_polc(d.path(), kOnly + "network.yaml");
  CHECK(summary(alone.out).empty());
  // Another stack name: the import no longer resolves (a note), and nothing is linked.
  fs::rename(d.path() / "network.yaml", d.path() / "net.yaml");
  const auto renamed = run_polc(d.path(), kOnly + ".");
  CHECK(summary(renamed.out) == std::set<std::string>{"import-unresolved app.yaml:14"});
}

// A checked template's links come from its model, not from a search of its bytes: an `Export`
// key spelt by a YAML alias (no "Export:" in the text) is an export like any other.
TEST_CASE("links: an export whose key is an alias", "[links]") {
  Dir d("alias");
  d.write("network.yaml", R"(AWSTemplateFormatVersion: "2010-09-09"
Metadata:
  Word: &word Export
Resources:
  EndpointSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: endpoints
Outputs:
  SgId:
    Value: !GetAtt EndpointSg.GroupId
    *word :
      Name: !Sub "${AWS::StackName}-SgId"
)");
  d.write("app.yaml", kApp);
  CHECK_FALSE(may_link(R"(Word: &word Export
    *word :
      Name: x)"));
  const auto r = run_polc(d.path(), kOnly + ".");
  CHECK(summary(r.out) ==
        std::set<std::string>{"network.yaml EndpointSg vpce-sg-no-implicit-egress app.yaml"});
}

TEST_CASE("links: local nested stacks pass a group from one child to another", "[links]") {
  Dir d("nested");
  d.write("parent.yaml", nested_parent("nested/groups.yaml", "./nested/endpoints.yaml"));
  d.write("nested/groups.yaml", kGroupsChild);
  d.write("nested/endpoints.yaml", kEndpointsChild);
  const auto r = run_polc(d.path(), kOnly + ".");
  CHECK(summary(r.out) ==
        std::set<std::string>{"groups.yaml Sg vpce-sg-no-implicit-egress endpoints.yaml"});
  // A nested template outside the scanned files is a note, not a guess.
  const auto parent_only = run_polc(d.path(), kOnly + "parent.yaml");
  CHECK(summary(parent_only.out) ==
        std::set<std::string>{"nested-template-not-scanned parent.yaml:2",
                              "nested-template-not-scanned parent.yaml:6"});
}

TEST_CASE("links: cycles of nested stacks and re-exports end", "[links]") {
  Dir d("cycle");
  // a nests b, b nests a; each passes the other's output back as a parameter.
  d.write("a.yaml", R"(Parameters:
  P:
    Type: String
    Default: x
Resources:
  B:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: b.yaml
      Parameters:
        P: !GetAtt B.Outputs.O
Outputs:
  O:
    Value: !Ref P
)");
  d.write("b.yaml", R"(Parameters:
  P:
    Type: String
Resources:
  A:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: a.yaml
      Parameters:
        P: !GetAtt A.Outputs.O
  Ep:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcEndpointType: Interface
      ServiceName: s
      VpcId: v
      SecurityGroupIds: [!Ref P]
Outputs:
  O:
    Value: !Ref P
)");
  const auto r = run_polc(d.path(), "check --no-config -q --format json .");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\"findings\"") != std::string::npos);
}

TEST_CASE("links: duplicate and unresolvable export names are diagnostics", "[links]") {
  Dir d("dup");
  d.write("network.yaml", kNetwork);
  // Exports the same name as network.yaml when deployed as `network`: not linked to either.
  d.write("other.yaml", R"(Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
Outputs:
  SgId:
    Value: !Ref Sg
    Export:
      Name: network-SgId
  Later:
    Value: !Ref Sg
    Export:
      Name: !Sub "${AWS::Region}-SgId"
)");
  d.write("app.yaml", kApp);
  const auto r = run_polc(d.path(), kOnly + ".");
  CHECK(summary(r.out) == std::set<std::string>{"export-duplicate network.yaml:11",
                                                "export-duplicate other.yaml:10",
                                                "export-name-unresolved other.yaml:14"});
}

TEST_CASE("links: a sharded run reports what an unsharded one does", "[links]") {
  Dir d("shard");
  d.write("network.yaml", kNetwork);
  d.write("app.yaml", kApp);
  for (int i = 0; i < 6; ++i) d.write("n" + std::to_string(i) + ".yaml", kNetwork);
  const auto whole = summary(run_polc(d.path(), kOnly + ".").out);
  REQUIRE(whole.count("network.yaml EndpointSg vpce-sg-no-implicit-egress app.yaml") == 1);
  std::set<std::string> shards;
  for (int k = 1; k <= 3; ++k) {
    const auto part =
        summary(run_polc(d.path(), kOnly + "--shard " + std::to_string(k) + "/3 .").out);
    shards.insert(part.begin(), part.end());
  }
  CHECK(shards == whole);
}

TEST_CASE("links: a cached outcome of a linked template follows its neighbours", "[links]") {
  Dir d("cache");
  d.write("t/network.yaml", kNetwork);
  d.write("t/app.yaml", kApp);
  const std::string cache = "--cache " + (d.path() / "cache").string() + " ";
  CHECK(summary(run_polc(d.path(), kOnly + cache + "t").out).size() == 1);
  CHECK(summary(run_polc(d.path(), kOnly + cache + "t").out).size() == 1);  // from the cache
  // The importing stack now uses another group: network.yaml is unchanged, its outcome not.
  std::string app = kApp;
  app.replace(app.find("- Fn::ImportValue"), std::string::npos, "- sg-123\n");
  d.write("t/app.yaml", app);
  CHECK(summary(run_polc(d.path(), kOnly + cache + "t").out).empty());
}

TEST_CASE("links: files linked to later ones, at -j 1 and -j 2, sharded and cached", "[links]") {
  // Each file is read once and checked as it comes; what links to a file met later (a nested
  // template before its parent, an importer before its exporter) is settled before anything is
  // reported. The report is the same at any -j, sharded or from the cache.
  Dir d("order");
  d.write("t/a-groups.yaml", kGroupsChild);
  d.write("t/app.yaml", kApp);
  d.write("t/b-parent.yaml", nested_parent("a-groups.yaml", "c-endpoints.yaml"));
  d.write("t/c-endpoints.yaml", kEndpointsChild);
  d.write("t/network.yaml", kNetwork);
  for (int i = 0; i < 12; ++i) d.write("t/x" + std::to_string(i) + ".yaml", kApp);
  auto report = [&](const std::string& args) {
    std::string out = run_polc(d.path(), kOnly + args + " t").out;
    const std::size_t at = out.find("\"elapsed_seconds\": ");
    REQUIRE(at != std::string::npos);
    const std::size_t value = at + 19;
    return out.replace(value, out.find_first_of(",}\n", value) - value, "0");
  };
  const std::string one = report("-j 1");
  const auto found = summary(one);
  CHECK(found.count("a-groups.yaml Sg vpce-sg-no-implicit-egress c-endpoints.yaml") == 1);
  CHECK(found.count(
            "network.yaml EndpointSg vpce-sg-no-implicit-egress app.yaml x0.yaml x1.yaml x10.yaml "
            "x11.yaml x2.yaml x3.yaml x4.yaml x5.yaml x6.yaml x7.yaml x8.yaml x9.yaml") == 1);
  CHECK(report("-j 2") == one);
  std::set<std::string> shards;
  for (int k = 1; k <= 3; ++k) {
    const auto part = summary(report("--shard " + std::to_string(k) + "/3"));
    shards.insert(part.begin(), part.end());
  }
  CHECK(shards == found);
  // Cached: one lookup per file, counted once (a linked file is checked again, not counted
  // again), the same report.
  const std::string cache = "--cache " + (d.path() / "cache").string() + " ";
  const std::string plain = "check --no-config --format json --only vpce-sg-no-implicit-egress ";
  const auto cold = run_polc(d.path(), plain + cache + "-j 2 t");
  CHECK(cold.err.find("0 hits, 17 misses") != std::string::npos);
  const auto warm = run_polc(d.path(), plain + cache + "-j 2 t");
  CHECK(warm.err.find("17 hits, 0 misses") != std::string::npos);
  CHECK(summary(warm.out) == found);
}

TEST_CASE("links: stack names and static export names", "[links]") {
  CHECK(default_stack_name("a/b/network.yaml") == "network");
  CHECK(default_stack_name("cdk.out/App.template.json") == "App");
  CHECK(default_stack_name("cdk.out/AppInner0D916E7B.nested.template.json") == "AppInner0D916E7B");
  CHECK(link_path_key("./a/../b/./c.yaml") == "b/c.yaml");
  CHECK(may_link("Outputs:\n  X:\n    Export:"));
  CHECK_FALSE(may_link("Resources:\n  A:\n    Type: AWS::SNS::Topic\n"));
  CHECK(may_link("{\"Outputs\": {\"X\": {\"Export\" : {\"Name\": \"n\"}}}}"));
  CHECK(may_link("Value: !ImportValue x"));
  CHECK(may_link("{\"\\u0045xport\": 1}"));  // an escape could spell it
  CHECK_FALSE(may_link("Description: Exports nothing; a regex \\d+ here\n"));
}

TEST_CASE("links: may_link agrees with a plain search at every position", "[links]") {
  // The byte search looks at sixteen positions at a time (SSE2) and at the tail one by one:
  // needles across block boundaries, at the very end, cut short, among near misses.
  auto reference = [](std::string_view s) {
    for (std::string_view needle : {"ImportValue", "AWS::CloudFormation::Stack"})
      if (s.find(needle) != std::string_view::npos) return true;
    for (std::size_t at = s.find("Export"); at != std::string_view::npos;
         at = s.find("Export", at + 1)) {
      std::size_t i = at + 6;
      if (i < s.size() && (s[i] == '"' || s[i] == '\'')) ++i;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (i < s.size() && s[i] == ':') return true;
    }
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
      if (s[i] == '\\' && (s[i + 1] == 'u' || s[i + 1] == 'U' || s[i + 1] == 'x')) return true;
    return false;
  };
  const std::vector<std::string> pieces = {
      "ImportValue", "ImportValu", "mportValue", "AWS::CloudFormation::Stack",
      "AWS::CloudFormation::Stac", "Export:", "Export \t:", "Export\":", "Export' :", "Export",
      "Exports:", "Expor", "\\u", "\\x", "\\n", "\\", "E", "I", "A", "k", "e", "t", " ", "\n",
      "Resources:", "  Type: AWS::EC2::SecurityGroup\n", "0123456789abcdef"};
  std::uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u; };
  int positives = 0;
  for (int round = 0; round < 4000; ++round) {
    std::string s;
    const int parts = static_cast<int>(next() % 12);
    for (int k = 0; k < parts; ++k) {
      const std::string& piece = pieces[next() % pieces.size()];
      // Mostly filler pieces: a needle at any offset, often alone near the end.
      s += next() % 4 ? std::string(next() % 40, static_cast<char>('a' + next() % 3)) : piece;
    }
    INFO(s);
    REQUIRE(may_link(s) == reference(s));
    positives += reference(s);
  }
  CHECK(positives > 400);  // both answers were exercised
}

TEST_CASE("links: SAM SimpleTable is checked as the DynamoDB table it becomes", "[links][sam]") {
  Dir d("sam");
  d.write("t.yaml", R"(Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::SimpleTable
  Encrypted:
    Type: AWS::Serverless::SimpleTable
    Properties:
      SSESpecification: {SSEEnabled: true, SSEType: KMS, KMSMasterKeyId: k}
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Role: !GetAtt FnRole.Arn
      Environment:
        Variables:
          T: !Ref Orderz
)");
  const auto r = run_polc(d.path(), "check --no-config -q --format json t.yaml");
  const auto s = summary(r.out);
  CHECK(s.count("t.yaml Orders dynamodb-point-in-time-recovery") == 1);
  CHECK(s.count("t.yaml Orders dynamodb-table-kms-encrypted") == 1);
  CHECK(s.count("t.yaml Encrypted dynamodb-point-in-time-recovery") == 0);
  CHECK(s.count("t.yaml Encrypted dynamodb-table-kms-encrypted") == 0);
  // A misspelt name is a dangling reference; FnRole is the transform's.
  CHECK(s.count("unknown-reference t.yaml:19") == 1);
  CHECK(s.count("unknown-reference t.yaml:16") == 0);
}

TEST_CASE("links: CDK construct paths in JSON, SARIF, text and JUnit", "[links][cdk]") {
  Dir d("cdk");
  d.write("App.template.json", R"({"Resources": {"SgABC123": {"Type": "AWS::EC2::SecurityGroup",
  "Properties": {"GroupDescription": "g"},
  "Metadata": {"aws:cdk:path": "App/Endpoint/SecurityGroup/Resource"}},
  "Ep": {"Type": "AWS::EC2::VPCEndpoint", "Properties": {"VpcEndpointType": "Interface",
  "ServiceName": "s", "VpcId": "v", "SecurityGroupIds": [{"Fn::GetAtt": ["SgABC123", "GroupId"]}]}}}})");
  const std::string args = "check --no-config -q --only vpce-sg-no-implicit-egress ";
  const auto json = run_polc(d.path(), args + "--format json .");
  CHECK(json.out.find("\"construct_path\": \"App/Endpoint/SecurityGroup/Resource\"") !=
        std::string::npos);
  const auto sarif = run_polc(d.path(), args + "--format sarif .");
  CHECK(sarif.out.find("\"fullyQualifiedName\": \"App/Endpoint/SecurityGroup/Resource\"") !=
        std::string::npos);
  const auto text = run_polc(d.path(), args + ".");
  CHECK(text.out.find("Security group SgABC123 (App/Endpoint/SecurityGroup/Resource) is") !=
        std::string::npos);
  const auto junit = run_polc(d.path(), args + "--format junit .");
  // One testcase per (template, policy); each finding's line names the resource and its
  // construct path.
  CHECK(junit.out.find("[resource SgABC123 (App/Endpoint/SecurityGroup/Resource)") !=
        std::string::npos);
}

}  // namespace polc

namespace polc {

TEST_CASE("links: findings dropped or waived by construct path", "[links][cdk]") {
  Dir d("construct");
  d.write("App.template.json", R"({"Resources": {
  "LegacyTopic1": {"Type": "AWS::SNS::Topic", "Metadata": {"aws:cdk:path": "App/Legacy/Topic/Resource"}},
  "Topic2": {"Type": "AWS::SNS::Topic", "Metadata": {"aws:cdk:path": "App/Current/Topic/Resource"}},
  "Topic3": {"Type": "AWS::SNS::Topic"}}})");
  const std::string args = "check --no-config -q --format json --only sns-topic-encrypted ";
  auto resources = [](const std::string& json) {
    std::set<std::string> out;
    for (const std::string& line : summary(json)) out.insert(line.substr(line.find(' ') + 1));
    return out;
  };
  CHECK(resources(run_polc(d.path(), args + ".").out).size() == 3);
  CHECK(resources(run_polc(d.path(), args + "--exclude-construct 'App/Legacy/*' .").out) ==
        std::set<std::string>{"Topic2 sns-topic-encrypted", "Topic3 sns-topic-encrypted"});
  CHECK(resources(run_polc(d.path(), args + "--exclude-construct App/Current .").out) ==
        std::set<std::string>{"LegacyTopic1 sns-topic-encrypted", "Topic3 sns-topic-encrypted"});
  d.write("waivers.yaml", R"(- rule: sns-topic-encrypted
  construct: "App/Legacy/*"
  reason: legacy app, retired in Q3
)");
  const auto waived = run_polc(d.path(), args + "--waivers waivers.yaml App.template.json");
  CHECK(waived.out.find("\"reason\": \"legacy app, retired in Q3\"") != std::string::npos);
  CHECK(waived.out.find("\"suppressed\": true") != std::string::npos);
  CHECK(waived.exit_code == 1);  // Topic2 and Topic3 still fail
}

}  // namespace polc

namespace polc {

TEST_CASE("links: SAM functions, state machines and APIs expand to what they deploy",
          "[links][sam]") {
  Dir d("sam2");
  d.write("t.yaml", R"(Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    FunctionUrlConfig: {AuthType: NONE}
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      InlineCode: x
      Policies:
        - Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
      EventInvokeConfig:
        DestinationConfig:
          OnSuccess: {Type: SNS}
  Sm:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: {}
      Policies:
        - Statement: [{Effect: Allow, Action: "*", Resource: "*"}]
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
)");
  const auto s = summary(run_polc(d.path(), "check --no-config -q --format json t.yaml").out);
  // The function's URL and role are reported once, on the function (its SAM rules).
  CHECK(s.count("t.yaml Fn lambda-url-auth-none") == 1);
  CHECK(s.count("t.yaml FnUrl lambda-url-auth-none") == 0);
  CHECK(s.count("t.yaml Fn iam-no-admin-wildcard") == 1);
  CHECK(s.count("t.yaml FnRole iam-no-admin-wildcard") == 0);
  // The destination topic SAM creates, and the state machine's generated role.
  CHECK(s.count("t.yaml FnEventInvokeConfigOnSuccessTopic sns-topic-encrypted") == 1);
  CHECK(s.count("t.yaml SmRole iam-no-admin-wildcard") == 1);
  // The model: generated resources, located at their SAM resource.
  const auto dump = run_polc(d.path(), "dump t.yaml");
  for (const char* id :
       {"\"FnUrl\"", "\"FnRole\"", "\"FnEventInvokeConfig\"", "\"SmRole\"", "\"ApiprodStage\""})
    CHECK(dump.out.find(id) != std::string::npos);
}

}  // namespace polc

namespace polc {

TEST_CASE("links: a CDK cloud assembly's assets and metadata are not templates", "[links][cdk]") {
  Dir d("assembly");
  const char* topic = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n";
  d.write("cdk.out/manifest.json", R"({"version": "55.0.0", "artifacts": {}})");
  d.write("cdk.out/cdk.out", R"({"version": "55.0.0"})");
  d.write("cdk.out/App.template.json", R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})");
  d.write("cdk.out/App.assets.json", R"({"version": "55.0.0", "files": {}})");
  d.write("cdk.out/asset.0123abcd/template.yaml", topic);  // a file the app ships, not a stack
  d.write("cdk.out/assembly-Prod/manifest.json", R"({"version": "55.0.0"})");
  d.write("cdk.out/assembly-Prod/cdk.out", R"({"version": "55.0.0"})");
  d.write("cdk.out/assembly-Prod/ProdStack.template.json",
          R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})");
  const auto r =
      run_polc(d.path(), "check --no-config -q --format json --only sns-topic-encrypted cdk.out");
  CHECK(summary(r.out) == std::set<std::string>{"App.template.json T sns-topic-encrypted",
                                                "ProdStack.template.json T sns-topic-encrypted"});
  CHECK(r.out.find("\"files_skipped\": 0") != std::string::npos);
  // Without the assembly's version file it is an ordinary directory.
  fs::remove(d.path() / "cdk.out/cdk.out");
  const auto plain =
      run_polc(d.path(), "check --no-config -q --format json --only sns-topic-encrypted cdk.out");
  CHECK(summary(plain.out).count("template.yaml T sns-topic-encrypted") == 1);
}

}  // namespace polc
