// End-to-end tests of what a new user tripped over (issue 15), on the built binary: fingerprints
// and standalone security group rules (item 1), one configuration validator (6), foreign
// suppressions of the wrong shape (7), unknown outcomes (12), merge (14, and issue 14's D11),
// JUnit (15), `polc list` and selectors (18), the compact format and --color (19), -v and
// unused suppressions and waivers (20). Each test fails on the code before its fix.
#include <simdjson.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "tests/cli_run.h"
#include "tests/model_test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = POLC_SOURCE_DIR;

using test::Run;
using test::run_polc;

struct Scratch {
  fs::path path;
  explicit Scratch(const std::string& name) {
    path = fs::temp_directory_path() / ("polc-nc-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~Scratch() { fs::remove_all(path); }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((path / rel).parent_path());
    std::ofstream out(path / rel, std::ios::binary);
    out << text;
  }
};

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

constexpr const char* kNet = R"(AWSTemplateFormatVersion: "2010-09-09"
Resources:
  WebSG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8, Description: out}]
  WebHttpIn:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref WebSG, IpProtocol: tcp, FromPort: 80, ToPort: 80, CidrIp: 0.0.0.0/0, Description: web}
)";

constexpr const char* kSsh = R"(  WebSshIn:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref WebSG, IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0, Description: ssh}
)";

/// `resource property_path fingerprint` of each finding of a JSON report.
std::vector<std::string> finding_keys(const std::string& json,
                                      std::set<std::string>* fps = nullptr) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  INFO(json);
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  std::vector<std::string> out;
  for (simdjson::dom::element f : doc["findings"].get_array()) {
    out.push_back(std::string(f["policy_id"].get_string().value()) + " " +
                  std::string(f["resource"].get_string().value()) + " " +
                  std::string(f["property_path"].get_string().value()));
    if (fps) fps->insert(std::string(f["fingerprint"].get_string().value()));
  }
  return out;
}

}  // namespace

TEST_CASE("newcomer: findings on standalone ingress rules name the rule resource",
          "[cli][newcomer]") {
  Scratch d("standalone");
  d.write("net.yaml", std::string(kNet) + kSsh);
  Run r = run_polc(d.path, "check --no-config -q --only POLC-NET-005 -f json net.yaml");
  INFO(r.err);
  CHECK(r.exit_code == 1);
  std::set<std::string> fps;
  const auto keys = finding_keys(r.out, &fps);
  CHECK(keys == std::vector<std::string>{"POLC-NET-005 WebHttpIn Properties",
                                         "POLC-NET-005 WebSshIn Properties"});
  CHECK(fps.size() == 2);
  // The group is named as related information.
  CHECK(r.out.find("reported while checking AWS::EC2::SecurityGroup WebSG") != std::string::npos);
}

TEST_CASE("newcomer: a baseline of one world-open rule does not hide a new one",
          "[cli][newcomer]") {
  Scratch d("baseline");
  d.write("net.yaml", kNet);
  Run w = run_polc(d.path, "check --no-config -q --write-baseline b.json net.yaml");
  INFO(w.err);
  CHECK(w.exit_code == 0);
  // The count it says is the count it wrote.
  const std::string written = test::read_text(d.path / "b.json");
  const std::size_t entries = count_of(written, "\"fingerprint\"");
  CHECK(w.err.find("(" + std::to_string(entries) + " new finding") != std::string::npos);
  d.write("net.yaml", std::string(kNet) + kSsh);
  Run b = run_polc(d.path, "check --no-config -q --baseline b.json net.yaml");
  CHECK(b.exit_code == 1);
  CHECK(b.out.find("net.yaml:13:17: high [POLC-NET-005") != std::string::npos);
}

TEST_CASE("newcomer: suppressions of standalone rules go on the rule, not on its group",
          "[cli][newcomer]") {
  Scratch d("suppress");
  std::string t = std::string(kNet) + kSsh;
  // On the group: suppresses nothing of the standalone rules (and says so).
  std::string on_group = t;
  on_group.replace(on_group.find("    Properties:\n      GroupDescription: web"), 0,
                   "    Metadata:\n      polc:\n        suppress:\n"
                   "          - {rule: POLC-NET-005, reason: reviewed}\n");
  d.write("g.yaml", on_group);
  Run g = run_polc(d.path, "check --no-config -q --only POLC-NET-005 -f json g.yaml");
  CHECK(g.exit_code == 1);
  CHECK(g.out.find("\"suppressed\": true") == std::string::npos);
  CHECK(g.out.find("suppression-unused") != std::string::npos);
  // On the rule: suppresses that rule's finding only.
  std::string on_rule = t;
  on_rule.replace(
      on_rule.find("    Properties: {GroupId: !Ref WebSG, IpProtocol: tcp, FromPort: 22"), 0,
      "    Metadata: {polc: {suppress: [{rule: sg-ingress-open-to-world, reason: bastion}]}}\n");
  d.write("r.yaml", on_rule);
  Run r = run_polc(d.path, "check --no-config -q --only POLC-NET-005 -f json r.yaml");
  CHECK(r.exit_code == 1);
  CHECK(count_of(r.out, "\"suppressed\": true") == 1);
  CHECK(r.out.find("suppression-unused") == std::string::npos);
}

TEST_CASE("newcomer: fingerprints are unique over the shared corpus with the whole pack",
          "[cli][newcomer][corpus]") {
  const fs::path corpus = kSource / "../shared/corpus";
  if (!fs::is_directory(corpus)) {
    WARN("../shared is absent; skipping the corpus fingerprint test");
    return;
  }
  Run r = run_polc(corpus, "check --no-config -q -j 2 -f json .");
  std::set<std::string> fps;
  const auto keys = finding_keys(r.out, &fps);
  INFO(keys.size() << " findings");
  CHECK(keys.size() > 0);
  CHECK(fps.size() == keys.size());
}

TEST_CASE("newcomer: polc config validates like polc check", "[cli][newcomer]") {
  Scratch d("config");
  for (const char* bad : {"parameters:\n  sg-wide-port-range.max_portz: 10\n",
                          "severity_overrides: {POLC-NOPE-001: high}\n",
                          "disable: [no-such-policy]\n", "enable: [POLC-NET-*, no-such-tag]\n"}) {
    d.write(".polc.yaml", bad);
    d.write("t.yaml", "Resources:\n  B: {Type: AWS::S3::Bucket}\n");
    Run c = run_polc(d.path, "config");
    Run k = run_polc(d.path, "check -q t.yaml");
    INFO(bad << c.err);
    CHECK(c.exit_code == 2);
    CHECK(k.exit_code == 2);
  }
  d.write(".polc.yaml", "parameters:\n  sg-wide-port-range.max_ports: 10\nenable: [tag:network]\n");
  CHECK(run_polc(d.path, "config").exit_code == 0);
  // Settings outside the file that check rejects: config rejects them too.
  for (const char* args : {"--baseline missing.json", "--shard 3/2", "--format nope"}) {
    INFO(args);
    CHECK(run_polc(d.path, std::string("config ") + args).exit_code == 2);
    CHECK(run_polc(d.path, std::string("check -q t.yaml ") + args).exit_code == 2);
  }
  CHECK(run_polc(d.path, "config", "POLC_TODAY=yesterday").exit_code == 2);
}

TEST_CASE("newcomer: guard suppressions written as maps or non-strings warn", "[cli][newcomer]") {
  Scratch d("guard");
  d.write("g.yaml", R"(Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Metadata:
      guard:
        SuppressedRules:
          - {INCOMING_SSH_DISABLED: reviewed}
          - 42
    Properties:
      GroupDescription: x
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0, Description: d}]
      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8, Description: d}]
  Sg2:
    Type: AWS::EC2::SecurityGroup
    Metadata: {guard: {SuppressedRules: INCOMING_SSH_DISABLED}, cfn_nag: {rules_to_suppress: [{reason: no id}]}}
    Properties: {GroupDescription: y}
)");
  Run r = run_polc(d.path,
                   "check --no-config -q --honor-foreign-suppressions --only POLC-NET-005 g.yaml");
  INFO(r.err);
  CHECK(r.exit_code == 1);  // nothing suppressed, as with cfn-guard
  CHECK(r.out.find("write '- INCOMING_SSH_DISABLED'") != std::string::npos);
  CHECK(count_of(r.out, "this entry suppresses nothing") == 2);
  CHECK(r.out.find("Metadata.guard.SuppressedRules must be a list") != std::string::npos);
  CHECK(r.out.find("must be a map with an 'id'") != std::string::npos);
}

TEST_CASE("newcomer: unknown outcomes show their severity; --no-fail-on-unknown",
          "[cli][newcomer]") {
  Scratch d("unknown");
  d.write("u.yaml", R"(Parameters:
  Cidr: {Type: String}
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: !Ref Cidr, Description: d}]
      SecurityGroupEgress: [{IpProtocol: tcp, FromPort: 443, ToPort: 443, CidrIp: 10.0.0.0/8, Description: d}]
)");
  Run r = run_polc(d.path, "check --no-config -q --only POLC-NET-005 u.yaml");
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(": high (unknown) [POLC-NET-005") != std::string::npos);
  CHECK(r.out.find("findings: 1 unknown;") != std::string::npos);
  CHECK(run_polc(d.path, "check --no-config -q --only POLC-NET-005 --fail-on-unknown u.yaml")
            .exit_code == 1);
  Run n = run_polc(d.path, "check --no-config -q --only POLC-NET-005 --no-fail-on-unknown u.yaml");
  CHECK(n.exit_code == 0);
  CHECK(n.out.find("(unknown)") != std::string::npos);  // still reported
  d.write(".polc.yaml", "fail_on_unknown: false\n");
  CHECK(run_polc(d.path, "check -q --only POLC-NET-005 u.yaml").exit_code == 0);
  CHECK(run_polc(d.path, "check -q --only POLC-NET-005 --fail-on-unknown u.yaml").exit_code == 1);
}

TEST_CASE("newcomer: JUnit has a test case per template and policy, passing ones included",
          "[cli][newcomer][junit]") {
  Scratch d("junit");
  d.write("t/clean.yaml",
          "Resources:\n  T: {Type: AWS::SNS::Topic, Properties: {KmsMasterKeyId: alias/k}}\n");
  d.write("t/net.yaml", std::string(kNet) + kSsh);
  Run r = run_polc(d.path, "check --no-config -q --only POLC-NET-005,POLC-NET-007 -f junit t");
  INFO(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(
            "<testsuites name=\"polc\" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"0\">") !=
        std::string::npos);
  CHECK(count_of(r.out, "<testsuite ") == 2);
  CHECK(r.out.find(
            "<testcase classname=\"t/clean.yaml\" name=\"POLC-NET-005 sg-ingress-open-to-world\" "
            "file=\"t/clean.yaml\"/>") != std::string::npos);
  // The failure carries both findings, with their resources.
  CHECK(r.out.find("[resource WebHttpIn, Properties]") != std::string::npos);
  CHECK(r.out.find("[resource WebSshIn, Properties]") != std::string::npos);
  CHECK(r.out.find("<failure message=\"Security group ingress") == std::string::npos);
  CHECK(count_of(r.out, "<failure ") == 1);
}

TEST_CASE("newcomer: polc list and selectors by id, name, tag and glob", "[cli][newcomer]") {
  Run l = run_polc(kSource, "list --no-config");
  CHECK(l.exit_code == 0);
  CHECK(l.out.find("POLC-NET-001") != std::string::npos);
  CHECK(l.out.find("vpce-sg-no-implicit-egress") != std::string::npos);
  Run j = run_polc(kSource, "list --no-config --format json --only 'tag:storage,POLC-NET-00[15]'");
  INFO(j.out << j.err);
  CHECK(j.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(j.out).get(doc) == simdjson::SUCCESS);
  std::set<std::string> ids;
  for (simdjson::dom::element p : doc["policies"].get_array()) {
    ids.insert(std::string(p["id"].get_string().value()));
    CHECK(p["tags"].get_array().size() > 0);
  }
  CHECK(ids.count("POLC-NET-001") == 1);
  CHECK(ids.count("POLC-NET-005") == 1);
  CHECK(ids.count("POLC-NET-002") == 0);
  CHECK(ids.size() > 3);  // the storage policies
  for (const std::string& id : ids)
    CHECK(
        (id.rfind("POLC-NET-", 0) == 0 || id.rfind("POLC-S", 0) == 0 || id.rfind("POLC-", 0) == 0));
  Run skip = run_polc(kSource, "list --no-config --skip 'sg-*' --only network");
  CHECK(skip.out.find("sg-ingress-open-to-world") == std::string::npos);
  CHECK(skip.out.find("vpce-sg-no-implicit-egress") != std::string::npos);
  Run bad = run_polc(kSource, "check --no-config --only 'nothing-*' examples/templates");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("names no known policy: 'nothing-*'") != std::string::npos);
}

TEST_CASE("newcomer: compact format and --color", "[cli][newcomer]") {
  Scratch d("compact");
  d.write("net.yaml", std::string(kNet) + kSsh);
  Run c = run_polc(d.path, "check --no-config -q --only POLC-NET-005 -f compact net.yaml");
  CHECK(c.exit_code == 1);
  CHECK(c.out ==
        "net.yaml:10:17: medium [POLC-NET-005 sg-ingress-open-to-world] Security group WebSG "
        "allows tcp 80 from 0.0.0.0/0\n"
        "net.yaml:13:17: high [POLC-NET-005 sg-ingress-open-to-world] Security group WebSG "
        "allows tcp 22, an administration port, from 0.0.0.0/0\n" +
            c.out.substr(c.out.find("polc: 1 template")));
  CHECK(c.out.find("\x1b[") == std::string::npos);
  Run always = run_polc(d.path, "check --no-config -q --only POLC-NET-005 --color=always net.yaml");
  CHECK(always.out.find("\x1b[") != std::string::npos);
  Run never = run_polc(d.path, "check --no-config -q --only POLC-NET-005 --color never net.yaml");
  CHECK(never.out.find("\x1b[") == std::string::npos);
  CHECK(run_polc(d.path, "check --no-config --color=sometimes net.yaml").exit_code == 2);
}

TEST_CASE("newcomer: -v lists skipped files; unused waivers warn", "[cli][newcomer]") {
  Scratch d("verbose");
  d.write("t/net.yaml", std::string(kNet) + kSsh);
  d.write("t/values.yaml", "replicas: 3\nimage: nginx\n");
  d.write("t/empty.json", "");
  Run q = run_polc(d.path, "check --no-config -q --only POLC-NET-005 t");
  CHECK(q.out.find("skipped, not a CloudFormation template") == std::string::npos);
  Run v = run_polc(d.path, "check --no-config -q -v --only POLC-NET-005 t");
  CHECK(v.out.find("t/values.yaml: note: skipped, not a CloudFormation template: it mentions no "
                   "template section") != std::string::npos);
  CHECK(
      v.out.find("t/empty.json: note: skipped, not a CloudFormation template: the file is empty") !=
      std::string::npos);
  CHECK(v.exit_code == q.exit_code);
  d.write("w.yaml",
          "waivers:\n"
          "  - {rule: POLC-NET-005, path: t/net.yaml, resource: WebSshIn, reason: bastion}\n"
          "  - {rule: POLC-NET-005, path: t/other.yaml, reason: stale}\n"
          "  - {rule: POLC-NET-001, path: t/net.yaml, reason: not run}\n");
  Run w = run_polc(d.path, "check --no-config -q --only POLC-NET-005 --waivers w.yaml t");
  INFO(w.out);
  CHECK(count_of(w.out, "matched no finding") == 1);
  CHECK(w.out.find("waiver for 'POLC-NET-005' on 't/other.yaml' matched no finding") !=
        std::string::npos);
}

}  // namespace polc

namespace polc {

TEST_CASE("newcomer: merge refuses mismatched shards and edited reports (issue 14, D11)",
          "[cli][newcomer][merge]") {
  Scratch d("merge");
  d.write("two/violation.yaml", std::string(kNet) + kSsh);
  d.write("two/clean.yaml",
          "Resources:\n  T: {Type: AWS::SNS::Topic, Properties: {KmsMasterKeyId: alias/k}}\n");
  d.write("w.yaml", "waivers:\n  - {rule: POLC-NET-005, path: nowhere.yaml, reason: stale}\n");
  auto shard = [&](int k, const std::string& extra, const std::string& out) {
    Run r = run_polc(d.path, "check --no-config -q -f json --waivers w.yaml --shard " +
                                 std::to_string(k) + "/2 " + extra + " > " + out);
    return r.exit_code;
  };
  shard(1, "two", "s1.json");
  shard(2, "two", "s2.json");
  const Run one = run_polc(d.path, "check --no-config -q --waivers w.yaml two");
  const Run merged = run_polc(d.path, "merge s1.json s2.json");
  INFO(merged.err);
  CHECK(merged.exit_code == one.exit_code);
  // The same text, the waivers' warning last in both, the elapsed time aside.
  auto cut = [](const std::string& s) { return s.substr(0, s.rfind("; ")); };
  CHECK(cut(merged.out) == cut(one.out));
  CHECK(one.out.find("matched no finding") != std::string::npos);
  CHECK(one.out.rfind("w.yaml:") > one.out.rfind("two/violation.yaml:"));

  // (a) another policy set in one shard.
  shard(2, "--only POLC-NET-005 two", "o2.json");
  Run a = run_polc(d.path, "merge s1.json o2.json");
  CHECK(a.exit_code == 2);
  CHECK(a.err.find("o2.json: error: ran another policy set than s1.json") != std::string::npos);
  // (b) another spelling of the scan path.
  shard(2, (d.path / "two").string(), "p2.json");
  Run b = run_polc(d.path, "merge s1.json p2.json");
  CHECK(b.exit_code == 2);
  CHECK(b.err.find("p2.json: error: scanned") != std::string::npos);
  // (c) findings removed, summary kept; and findings removed with a matching summary.
  std::string s1 = test::read_text(d.path / "s1.json"), s2 = test::read_text(d.path / "s2.json");
  std::string& with = s1.find("\"policy_id\"") != std::string::npos ? s1 : s2;
  const std::string name = &with == &s1 ? "s1.json" : "s2.json";
  std::string cut_findings = with;
  const std::size_t open = cut_findings.find("\"findings\": [") + 13;
  const std::size_t close = cut_findings.find("\n  ],\n  \"errors\"");
  REQUIRE(close != std::string::npos);
  cut_findings.replace(open, close + 4 - open, "]");
  d.write("c.json", cut_findings);
  Run c = run_polc(d.path, "merge c.json " + std::string(&with == &s1 ? "s2.json" : "s1.json"));
  INFO(cut_findings);
  CHECK(c.exit_code == 2);
  CHECK(c.err.find("do not add up to the counts of its own 'summary'") != std::string::npos);
  // (d) a missing shard is reported at a file.
  Run m = run_polc(d.path, "merge s1.json");
  CHECK(m.exit_code == 2);
  CHECK(m.err.find("s1.json: error: shard(s) 2 of 2 missing") != std::string::npos);
}

}  // namespace polc
