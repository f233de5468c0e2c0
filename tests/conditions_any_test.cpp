// Emptiness of resources under different conditions: `count(referrers(...)) > 0` and `empty`
// over referrers that exist under independent conditions is one condition (the disjunction of
// theirs), not one run per combination; everything else about such a list stays exact.
#include <catch2/catch.hpp>
#include <string>

#include "engine/base/finding.h"
#include "engine/base/limits.h"
#include "tests/robust_util.h"

using namespace polc;
using test::conds;
using polc::test::TempDir;

namespace {

struct Run {
  FileOutcome outcome;
};

Run run(const std::string& policy, const std::string& tmpl) {
  return {test::scan_text(policy, tmpl)};
}

// A security group used by `n` interface endpoints, endpoint i under condition Ci (parameter
// Pi == yes): 2^n feasible combinations.
std::string endpoints_template(int n, bool egress) {
  std::string t = "Parameters:\n";
  for (int i = 0; i < n; ++i) t += "  P" + std::to_string(i) + ": {Type: String}\n";
  t += "Conditions:\n";
  for (int i = 0; i < n; ++i)
    t += "  C" + std::to_string(i) + ": !Equals [!Ref P" + std::to_string(i) + ", yes]\n";
  t += "Resources:\n  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
       "      GroupDescription: g\n";
  if (egress)
    t += "      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: "
         "10.0.0.0/8}]\n";
  for (int i = 0; i < n; ++i)
    t += "  E" + std::to_string(i) + ":\n    Type: AWS::EC2::VPCEndpoint\n    Condition: C" +
         std::to_string(i) +
         "\n    Properties:\n      VpcEndpointType: Interface\n      ServiceName: s\n"
         "      VpcId: v\n      SecurityGroupIds: [!Ref Group]\n";
  return t;
}

const char* kAnyPolicy = R"(
policy any-endpoint {
  id = "T-ANY-1"
  title = "t"
  severity = high
  for sg in resources("AWS::EC2::SecurityGroup") {
    let eps = referrers(sg, "AWS::EC2::VPCEndpoint", "Properties.SecurityGroupIds")
    when count(eps) > 0
    require exists(sg.Properties.SecurityGroupEgress)
      message "{sg.id} used by {count(eps)}: {[e.id for e in eps]}"
      related e in eps: "used by {e.id}"
  }
}
)";

}  // namespace

TEST_CASE("conditions: emptiness of referrers under independent conditions is one disjunction",
          "[conditions][any]") {
  // 2^24 combinations: forking on each endpoint's condition would stop at the search bounds.
  auto r = run(kAnyPolicy, endpoints_template(24, false));
  INFO(test::codes_of(r.outcome.diagnostics));
  CHECK_FALSE(r.outcome.incomplete);
  REQUIRE(r.outcome.findings.size() == 1);
  const Finding& f = r.outcome.findings[0];
  // "when C0 is true, or when C1 is true, or ...": one clause per endpoint.
  REQUIRE(f.conditions.size() == 24);
  for (const auto& c : f.conditions) {
    REQUIRE(c.size() == 1);
    CHECK(c[0].value);
  }
  CHECK(conds(f).find("{C0=T }") != std::string::npos);
  CHECK(conds(f).find("{C23=T }") != std::string::npos);
  // The report names every endpoint that may use the group.
  CHECK(f.message.find("Group used by 24: [E0, E1") == 0);
  CHECK(f.related.size() == 24);
}

TEST_CASE("conditions: a group with egress under the same shape gives no finding",
          "[conditions][any]") {
  auto r = run(kAnyPolicy, endpoints_template(24, true));
  CHECK_FALSE(r.outcome.incomplete);
  CHECK(r.outcome.findings.empty());
}

TEST_CASE("conditions: 'count(x) == 0' and 'empty(x)' are the negated disjunction",
          "[conditions][any]") {
  std::string p = R"(
policy unused {
  id = "T-ANY-2"
  title = "t"
  severity = low
  for sg in resources("AWS::EC2::SecurityGroup") {
    require count(referrers(sg, "AWS::EC2::VPCEndpoint", "Properties.SecurityGroupIds")) == 0
    require not empty(referrers(sg, "AWS::EC2::VPCEndpoint", "Properties.SecurityGroupIds"))
  }
}
)";
  auto r = run(p, endpoints_template(20, false));
  CHECK_FALSE(r.outcome.incomplete);
  REQUIRE(r.outcome.findings.size() == 2);
  std::string any, none;
  for (int i = 0; i < 20; ++i) any += "{C" + std::to_string(i) + "=T }";
  // The findings' conditions list their clauses sorted by name.
  std::vector<std::string> got{conds(r.outcome.findings[0]), conds(r.outcome.findings[1])};
  std::sort(got.begin(), got.end());
  CHECK(got[0].find("{C0=F C1=F C10=F") == 0);  // not empty() fails when none exists
  CHECK(r.outcome.findings[0].conditions.size() + r.outcome.findings[1].conditions.size() == 21);
}

TEST_CASE("conditions: anything but emptiness of such a list stays exact", "[conditions][any]") {
  // Two endpoints under A and B; only E1 (under B) is a Gateway endpoint. "any interface
  // endpoint" depends on which exist: the finding holds exactly when A is true.
  std::string t = R"(
Parameters: {P: {Type: String}, Q: {Type: String}}
Conditions:
  A: !Equals [!Ref P, yes]
  B: !Equals [!Ref Q, yes]
Resources:
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: g}
  E0:
    Type: AWS::EC2::VPCEndpoint
    Condition: A
    Properties: {VpcEndpointType: Interface, ServiceName: s, VpcId: v, SecurityGroupIds: [!Ref Group]}
  E1:
    Type: AWS::EC2::VPCEndpoint
    Condition: B
    Properties: {VpcEndpointType: Gateway, ServiceName: s, VpcId: v, SecurityGroupIds: [!Ref Group]}
)";
  std::string p = R"(
policy interface-user {
  id = "T-ANY-3"
  title = "t"
  severity = low
  for sg in resources("AWS::EC2::SecurityGroup") {
    let eps = referrers(sg, "AWS::EC2::VPCEndpoint", "Properties.SecurityGroupIds")
    when count(eps) > 0
    require not (any e in eps: e.Properties.VpcEndpointType == "Interface")
    require count(eps) < 2
  }
}
)";
  auto r = run(p, t);
  CHECK_FALSE(r.outcome.incomplete);
  REQUIRE(r.outcome.findings.size() == 2);
  std::vector<std::string> got{conds(r.outcome.findings[0]), conds(r.outcome.findings[1])};
  std::sort(got.begin(), got.end());
  CHECK(got[0] == "{A=T B=T }");  // count(eps) < 2 fails when both exist
  CHECK(got[1] == "{A=T }");      // the interface endpoint E0 exists
}
