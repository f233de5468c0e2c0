// Condition reasoning: which combinations of named conditions the VM explores (only feasible
// ones), how a finding's condition is stated (in the template's own names, simplest form), and
// values given for a deployment. One rule per feasibility rule of docs/language.md.
#include <catch2/catch.hpp>
#include <string>

#include "engine/base/finding.h"
#include "tests/robust_util.h"

using namespace polc;
using test::conds;
using polc::test::TempDir;

namespace {

// Reports a bucket whose Tags list has `n` items (n given by the policy text).
std::string tag_policy(const std::string& require) {
  return R"(
policy tags {
  id = "T-C-1"
  title = "tags"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    )" + require + R"(
  }
}
)";
}

struct Result {
  FileOutcome outcome;
  std::vector<const Finding*> findings() const {
    std::vector<const Finding*> out;
    for (const auto& f : outcome.findings) out.push_back(&f);
    return out;
  }
};

Result run(const std::string& policy, const std::string& tmpl,
           const DeploymentValues* values = nullptr) {
  TempDir dir("conditions");
  std::string path = dir.write("t.yaml", tmpl);
  auto pack = test::make_pack(policy, false);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  ScanOptions o;
  o.jobs = 1;
  o.deployment = values;
  auto out = scan_files(*pack.set, pack.active, pack.known, {path}, o);
  REQUIRE(out.size() == 1);
  INFO(test::codes_of(out[0].diagnostics));
  CHECK_FALSE(out[0].incomplete);
  return {std::move(out[0])};
}

const char* kTwoTags = R"(
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - !If [A, {Key: a, Value: v}, !Ref AWS::NoValue]
        - !If [B, {Key: b, Value: v}, !Ref AWS::NoValue]
)";

}  // namespace

TEST_CASE("conditions: Fn::Equals of one parameter with different constants are exclusive",
          "[conditions]") {
  std::string both = tag_policy("require count(b.Properties.Tags) < 2");
  SECTION("one parameter: A and B never both hold, no finding") {
    auto r = run(both, std::string("Parameters: {P: {Type: String}}\nConditions:\n"
                                   "  A: !Equals [!Ref P, a]\n  B: !Equals [b, !Ref P]\n") +
                           kTwoTags);
    CHECK(r.outcome.findings.empty());
  }
  SECTION("two parameters: both can hold") {
    auto r = run(both, std::string("Parameters: {P: {Type: String}, Q: {Type: String}}\n"
                                   "Conditions:\n  A: !Equals [!Ref P, a]\n  B: !Equals [!Ref Q, b]\n") +
                           kTwoTags);
    REQUIRE(r.outcome.findings.size() == 1);
    CHECK(conds(r.outcome.findings[0]) == "{A=T B=T }");
  }
  SECTION("a pseudo parameter: one region at a time") {
    auto r = run(both, std::string("Conditions:\n  A: !Equals [!Ref AWS::Region, us-east-1]\n"
                                   "  B: !Equals [!Ref AWS::Region, eu-west-1]\n") +
                           kTwoTags);
    CHECK(r.outcome.findings.empty());
  }
}

TEST_CASE("conditions: AllowedValues bound a parameter's domain", "[conditions]") {
  std::string none = tag_policy("require count(b.Properties.Tags) > 0");
  const std::string conds_ab = "Conditions:\n  A: !Equals [!Ref P, dev]\n  B: !Equals [!Ref P, prod]\n";
  SECTION("A and B cannot both be false") {
    auto r = run(none, "Parameters: {P: {Type: String, AllowedValues: [dev, prod]}}\n" + conds_ab +
                           kTwoTags);
    CHECK(r.outcome.findings.empty());
  }
  SECTION("without AllowedValues they can") {
    auto r = run(none, "Parameters: {P: {Type: String}}\n" + conds_ab + kTwoTags);
    REQUIRE(r.outcome.findings.size() == 1);
    CHECK(conds(r.outcome.findings[0]) == "{A=F B=F }");
  }
  SECTION("a constant outside AllowedValues never matches; numbers compare as strings") {
    auto r = run(tag_policy("require count(b.Properties.Tags) == 0"),
                 "Parameters: {P: {Type: Number, AllowedValues: [1, 2]}}\n"
                 "Conditions:\n  A: !Equals [!Ref P, 3]\n  B: !Equals [!Ref P, '3']\n" +
                     std::string(kTwoTags));
    CHECK(r.outcome.findings.empty());
  }
}

TEST_CASE("conditions: Fn::Not, Fn::And, Fn::Or and Condition nest", "[conditions]") {
  SECTION("a resource whose condition can never hold is never checked") {
    auto r = run(tag_policy("require false"), R"(
Conditions:
  East: !Equals [!Ref AWS::Region, us-east-1]
  Never: !And [!Condition East, !Equals [!Ref AWS::Region, eu-west-1]]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Condition: Never
)");
    CHECK(r.outcome.findings.empty());
  }
  SECTION("Not and Or: B is Not(A), so exactly one tag is present") {
    auto r = run(tag_policy("require count(b.Properties.Tags) == 1"),
                 "Parameters: {P: {Type: String}, Q: {Type: String}}\nConditions:\n"
                 "  A: !Or [!Equals [!Ref P, x], !Equals [!Ref Q, y]]\n"
                 "  B: !Not [!Condition A]\n" +
                     std::string(kTwoTags));
    CHECK(r.outcome.findings.empty());
  }
}

TEST_CASE("conditions: undecidable equalities are free atoms", "[conditions]") {
  const std::string policy = tag_policy("require count(b.Properties.Tags) != 1");
  SECTION("the same equality written twice is one atom") {
    auto r = run(policy, R"(
Parameters: {P: {Type: String}, Q: {Type: String}}
Conditions:
  A: !Equals [!Ref P, !Ref Q]
  B: !Not [!Equals [!Ref Q, !Ref P]]
)" + std::string(kTwoTags));
    REQUIRE(r.outcome.findings.size() == 1);
    CHECK(r.outcome.findings[0].conditions.empty());  // one tag under every combination
  }
  SECTION("different ones are independent") {
    auto r = run(policy, R"(
Parameters: {P: {Type: String}, L: {Type: CommaDelimitedList}}
Conditions:
  A: !Equals [!Select [0, !Ref L], x]
  B: !Not [!Equals [!Select [1, !Ref L], x]]
)" + std::string(kTwoTags));
    REQUIRE(r.outcome.findings.size() == 1);
    CHECK(conds(r.outcome.findings[0]) == "{A=F B=T }{A=T B=F }");
  }
}

TEST_CASE("conditions: a finding's condition is stated in the template's own names",
          "[conditions]") {
  // Case 22's shape, small: the groups are exclusive (different accounts), and "no group"
  // is the template's own Elsewhere.
  auto r = run(tag_policy("require count(b.Properties.Tags) > 0"), R"(
Conditions:
  G1P1: !And [!Equals [!Ref AWS::AccountId, "111"], !Equals [!Ref AWS::Region, us-east-1]]
  G1P2: !And [!Equals [!Ref AWS::AccountId, "112"], !Equals [!Ref AWS::Region, eu-west-1]]
  A: !Or [!Condition G1P1, !Condition G1P2]
  B: !And [!Equals [!Ref AWS::AccountId, "221"], !Equals [!Ref AWS::Region, us-east-1]]
  Elsewhere: !Not [!Or [!Condition A, !Condition B]]
)" + std::string(kTwoTags));
  REQUIRE(r.outcome.findings.size() == 1);
  CHECK(conds(r.outcome.findings[0]) == "{Elsewhere=T }");
}

TEST_CASE("conditions: a condition decides a parameter's value", "[conditions]") {
  // Under IsProd, Env is "prod"; elsewhere it is not "prod", so its default is ruled out.
  auto r = run(R"(
policy env {
  id = "T-C-2"
  title = "env"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require count(b.Properties.Tags) > 0 or b.Properties.BucketName != "prod"
  }
}
)",
               R"(
Parameters: {Env: {Type: String, Default: prod}}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  Other: !Not [!Condition IsProd]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Ref Env
      Tags: [!If [Other, {Key: k, Value: v}, !Ref AWS::NoValue]]
)");
  REQUIRE(r.outcome.findings.size() == 1);
  CHECK(r.outcome.findings[0].outcome == Outcome::kFail);
  CHECK(conds(r.outcome.findings[0]) == "{IsProd=T }");
}

TEST_CASE("conditions: values given for a deployment decide conditions", "[conditions]") {
  const std::string policy = tag_policy("require count(b.Properties.Tags) > 0");
  const std::string tmpl = "Parameters: {P: {Type: String}}\nConditions:\n"
                           "  A: !Equals [!Ref P, a]\n  B: !Equals [!Ref AWS::Region, us-east-1]\n" +
                           std::string(kTwoTags);
  DeploymentValues none_hold{"prod", {{"P", "z"}, {"AWS::Region", "eu-west-1"}}, {}};
  auto r = run(policy, tmpl, &none_hold);
  REQUIRE(r.outcome.findings.size() == 1);
  CHECK(r.outcome.findings[0].conditions.empty());
  DeploymentValues a_holds{"dev", {{"P", "a"}}, {}};
  auto r2 = run(policy, tmpl, &a_holds);
  CHECK(r2.outcome.findings.empty());
}
