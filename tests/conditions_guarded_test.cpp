// Guarded values: a template list whose items are `Fn::If [C, Item, AWS::NoValue]` is read as
// a pending list; a statement `for` visits its items each under the conditions it needs
// (ITER_INIT_GUARDED) instead of forking the whole evaluation per condition, and `empty`,
// `count(x) > 0` and `+` keep it pending. The findings' conditions stay exact: each test states
// what they must be, and the independent-conditions tests would stop at the search bounds
// (kMaxConditionWork) if the items were forked on one by one.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "engine/base/finding.h"
#include "tests/robust_util.h"

using namespace polc;
using test::conds;

namespace {

// A group with `n` egress rules, rule i under Ci (parameter Pi == yes, independent: 2^n
// combinations); rule `open` (if >= 0) goes to 0.0.0.0/0.
std::string guarded_rules(int n, int open) {
  std::string t = "Parameters:\n";
  for (int i = 0; i < n; ++i) t += "  P" + std::to_string(i) + ": {Type: String}\n";
  t += "Conditions:\n";
  for (int i = 0; i < n; ++i)
    t += "  C" + std::to_string(i) + ": !Equals [!Ref P" + std::to_string(i) + ", yes]\n";
  t += "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
       "      GroupDescription: g\n      SecurityGroupEgress:\n";
  for (int i = 0; i < n; ++i)
    t += "        - !If [C" + std::to_string(i) +
         ", {IpProtocol: tcp, FromPort: " + std::to_string(1000 + i) +
         ", ToPort: " + std::to_string(1000 + i) +
         ", CidrIp: " + (i == open ? "0.0.0.0/0" : "10.0.0.0/8") + "}, !Ref AWS::NoValue]\n";
  return t;
}

std::string policy(const std::string& body) {
  return "policy guarded {\n  id = \"T-GRD-1\"\n  title = \"t\"\n  severity = high\n"
         "  for sg in resources(\"AWS::EC2::SecurityGroup\") {\n" +
         body + "\n  }\n}\n";
}

}  // namespace

TEST_CASE("guarded: a loop over items under independent conditions visits each under its own",
          "[conditions][guarded]") {
  // 24 independent conditions: one run per combination would stop at the search bounds.
  auto o = test::scan_text(policy(R"(
    for r in sg.Properties.SecurityGroupEgress + [] {
      require r.CidrIp != "0.0.0.0/0"
        message "open: {r.FromPort}"
        at r
    })"),
                           guarded_rules(24, 3));
  INFO(test::codes_of(o.diagnostics));
  CHECK_FALSE(o.incomplete);
  REQUIRE(o.findings.size() == 1);
  CHECK(o.findings[0].message == "open: 1003");
  CHECK(conds(o.findings[0]) == "{C3=T }");
}

TEST_CASE("guarded: emptiness of such a list is one condition", "[conditions][guarded]") {
  auto o = test::scan_text(policy("    require not empty(sg.Properties.SecurityGroupEgress)"),
                           guarded_rules(20, -1));
  INFO(test::codes_of(o.diagnostics));
  CHECK_FALSE(o.incomplete);
  REQUIRE(o.findings.size() == 1);
  // Every rule absent: one clause, every condition false.
  REQUIRE(o.findings[0].conditions.size() == 1);
  CHECK(o.findings[0].conditions[0].size() == 20);
  CHECK(std::all_of(o.findings[0].conditions[0].begin(), o.findings[0].conditions[0].end(),
                    [](const auto& t) { return !t.value; }));
}

TEST_CASE("guarded: one place reported from several items holds when any of them exists",
          "[conditions][guarded]") {
  // Rules 1 and 2 are open; the report is at the group (one place): one finding, "C1 or C2".
  std::string t = guarded_rules(4, 1);
  const std::string second = "FromPort: 1002, ToPort: 1002, CidrIp: 10.0.0.0/8";
  t.replace(t.find(second), second.size(), "FromPort: 1002, ToPort: 1002, CidrIp: 0.0.0.0/0");
  auto o = test::scan_text(policy(R"(
    for r in sg.Properties.SecurityGroupEgress {
      require r.CidrIp != "0.0.0.0/0"
        message "open"
    })"),
                           t);
  CHECK_FALSE(o.incomplete);
  REQUIRE(o.findings.size() == 1);
  CHECK(conds(o.findings[0]) == "{C1=T }{C2=T }");
}

TEST_CASE("guarded: exclusive conditions and AllowedValues stay exact", "[conditions][guarded]") {
  // Env is a, b or c. Rule 0 exists when IsA, rule 1 when IsB, rule 2 unless IsA; all open.
  // The group-level report holds in every feasible combination (IsA, or not IsA): no condition.
  // Nested loop: a pair (rule 0, rule 1) needs IsA and IsB, which exclude each other: no
  // finding; a pair (rule 1, rule 2) needs IsB and not IsA: "when IsB".
  const std::string t = R"(
Parameters:
  Env: {Type: String, AllowedValues: [a, b, c]}
Conditions:
  IsA: !Equals [!Ref Env, a]
  IsB: !Equals [!Ref Env, b]
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
      SecurityGroupEgress:
        - !If [IsA, {IpProtocol: tcp, FromPort: 1, ToPort: 1, CidrIp: 0.0.0.0/0}, !Ref AWS::NoValue]
        - !If [IsB, {IpProtocol: tcp, FromPort: 2, ToPort: 2, CidrIp: 0.0.0.0/0}, !Ref AWS::NoValue]
        - !If [IsA, !Ref AWS::NoValue, {IpProtocol: tcp, FromPort: 3, ToPort: 3, CidrIp: 0.0.0.0/0}]
)";
  SECTION("per rule, and at the group") {
    auto o = test::scan_text(policy(R"(
    for r in sg.Properties.SecurityGroupEgress {
      require r.CidrIp != "0.0.0.0/0" message "rule {r.FromPort}" at r
      require r.CidrIp != "0.0.0.0/0" message "group"
    })"),
                             t);
    CHECK_FALSE(o.incomplete);
    std::vector<std::string> got;
    for (const Finding& f : o.findings) got.push_back(f.message + " " + conds(f));
    std::sort(got.begin(), got.end());
    REQUIRE(got.size() == 4);
    CHECK(got[0] == "group ");
    CHECK(got[1] == "rule 1 {IsA=T }");
    CHECK(got[2] == "rule 2 {IsB=T }");
    CHECK(got[3] == "rule 3 {IsA=F }");
  }
  SECTION("nested loops conjoin their items' conditions, infeasible pairs drop out") {
    auto o = test::scan_text(policy(R"(
    for r in sg.Properties.SecurityGroupEgress {
      for s in sg.Properties.SecurityGroupEgress {
        when r.FromPort < s.FromPort
        require false message "pair {r.FromPort} {s.FromPort}" at s
      }
    })"),
                             t);
    CHECK_FALSE(o.incomplete);
    std::vector<std::string> got;
    for (const Finding& f : o.findings) got.push_back(f.message + " " + conds(f));
    std::sort(got.begin(), got.end());
    REQUIRE(got.size() == 1);
    CHECK(got[0] == "pair 2 3 {IsB=T }");
  }
}

TEST_CASE("guarded: an item present in every branch makes a list non-empty without deciding",
          "[conditions][guarded]") {
  // A 30-deep Fn::If chain under independent conditions, every branch a value: the list is
  // never empty, and nothing needs deciding (30 forks would be 31 runs, more with the others).
  std::string t = "Parameters:\n";
  for (int i = 0; i < 30; ++i) t += "  P" + std::to_string(i) + ": {Type: String}\n";
  t += "Conditions:\n";
  for (int i = 0; i < 30; ++i)
    t += "  C" + std::to_string(i) + ": !Equals [!Ref P" + std::to_string(i) + ", yes]\n";
  std::string chain = "sg-default";
  for (int i = 29; i >= 0; --i)
    chain = "!If [C" + std::to_string(i) + ", sg-" + std::to_string(i) + ", " + chain + "]";
  t += "Resources:\n  Endpoint:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n"
       "      ServiceName: s\n      VpcId: v\n      SecurityGroupIds: [" +
       chain + "]\n";
  auto endpoint_policy = [](const std::string& body) {
    return "policy chain {\n  id = \"T-GRD-2\"\n  title = \"t\"\n  severity = low\n"
           "  for ep in resources(\"AWS::EC2::VPCEndpoint\") {\n" +
           body + "\n  }\n}\n";
  };
  auto o = test::scan_text(endpoint_policy("    require empty(ep.Properties.SecurityGroupIds)"), t);
  CHECK_FALSE(o.incomplete);
  REQUIRE(o.findings.size() == 1);
  CHECK(o.findings[0].conditions.empty());
  auto none = test::scan_text(
      endpoint_policy(
          "    require not empty([x for x in ep.Properties.SecurityGroupIds if x == \"sg-7\"])"),
      t);
  CHECK_FALSE(none.incomplete);
  // The comprehension needs every value: exact, C7 and not C0..C6 gives sg-7.
  REQUIRE(none.findings.size() == 1);
  CHECK(conds(none.findings[0]).find("C7=F") != std::string::npos);
}

TEST_CASE("conditions: a domain of three AllowedValues excludes the fourth bit pattern",
          "[conditions][guarded]") {
  // Env takes a, b or c (two bits, four patterns): "none of the three" can never happen, so
  // the group under None is never created; the group under NotA is, when IsA is false.
  const std::string t = R"(
Parameters:
  Env: {Type: String, AllowedValues: [a, b, c]}
Conditions:
  IsA: !Equals [!Ref Env, a]
  IsB: !Equals [!Ref Env, b]
  IsC: !Equals [!Ref Env, c]
  None: !Not [!Or [!Condition IsA, !Condition IsB, !Condition IsC]]
  NotA: !Not [!Condition IsA]
Resources:
  Never:
    Type: AWS::EC2::SecurityGroup
    Condition: None
    Properties: {GroupDescription: g}
  Sometimes:
    Type: AWS::EC2::SecurityGroup
    Condition: NotA
    Properties: {GroupDescription: g}
)";
  auto o = test::scan_text(policy("    require false message \"{sg.id}\""), t);
  CHECK_FALSE(o.incomplete);
  REQUIRE(o.findings.size() == 1);
  CHECK(o.findings[0].message == "Sometimes");
  CHECK(conds(o.findings[0]) == "{IsA=F }");  // the first name that says it
}

TEST_CASE("guarded: resources() under independent conditions is pending too",
          "[conditions][guarded]") {
  // 24 endpoints, endpoint i under Ci: a statement loop over resources() visits each under its
  // own condition (one fork per endpoint would stop at the search bounds), and emptiness is
  // one condition.
  std::string t = "Parameters:\n";
  for (int i = 0; i < 24; ++i) t += "  P" + std::to_string(i) + ": {Type: String}\n";
  t += "Conditions:\n";
  for (int i = 0; i < 24; ++i)
    t += "  C" + std::to_string(i) + ": !Equals [!Ref P" + std::to_string(i) + ", yes]\n";
  t += "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n"
       "    Properties: {GroupDescription: g}\n";
  for (int i = 0; i < 24; ++i)
    t += "  E" + std::to_string(i) + ":\n    Type: AWS::EC2::VPCEndpoint\n    Condition: C" +
         std::to_string(i) +
         "\n    Properties: {VpcEndpointType: " + (i == 5 ? "Gateway" : "Interface") +
         ", ServiceName: s, VpcId: v}\n";
  auto o = test::scan_text(policy(R"(
    for e in resources("AWS::EC2::VPCEndpoint") {
      require e.Properties.VpcEndpointType == "Interface" message "{e.id}" at e
    }
    require count(resources("AWS::EC2::VPCEndpoint")) == 0 message "some endpoint")"),
                           t);
  INFO(test::codes_of(o.diagnostics));
  CHECK_FALSE(o.incomplete);
  std::vector<std::string> got;
  for (const Finding& f : o.findings) got.push_back(f.message + " " + conds(f));
  std::sort(got.begin(), got.end());
  REQUIRE(got.size() == 2);
  CHECK(got[0] == "E5 {C5=T }");
  CHECK(got[1].find("some endpoint {C0=T }{C1=T }") == 0);  // one clause per endpoint
  CHECK(o.findings[0].conditions.size() + o.findings[1].conditions.size() == 25);
}
