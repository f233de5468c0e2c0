// Tests of central waivers (engine/triage/waivers.h): matching by rule, path glob and resource,
// expiry against an injected "today", diagnostics located in the waiver file.
#include "engine/triage/waivers.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/model_test_util.h"

namespace polc {
namespace {

const std::filesystem::path kData =
    std::filesystem::path(POLC_SOURCE_DIR) / "tests/data/ci/waivers";

Finding make_finding(std::string file, std::string resource) {
  Finding f;
  f.policy_id = "POLC-NET-001";
  f.policy_name = "vpce-sg-no-implicit-egress";
  f.location.file = std::move(file);
  f.resource = std::move(resource);
  return f;
}

std::vector<PolicyInfo> known_policies() {
  PolicyInfo p;
  p.id = "POLC-NET-001";
  p.name = "vpce-sg-no-implicit-egress";
  return {p};
}

CivilDate date(const char* text) {
  CivilDate d;
  REQUIRE(parse_civil_date(text, d));
  return d;
}

}  // namespace

TEST_CASE("civil dates parse strictly", "[waivers]") {
  CivilDate d;
  CHECK(parse_civil_date("2024-02-29", d));
  CHECK(format_civil_date(d) == "2024-02-29");
  CHECK_FALSE(parse_civil_date("2023-02-29", d));
  CHECK_FALSE(parse_civil_date("2023-13-01", d));
  CHECK_FALSE(parse_civil_date("2023-1-01", d));
  CHECK_FALSE(parse_civil_date("2023-01-01x", d));
  CHECK_FALSE(parse_civil_date("", d));
  CHECK(date("2024-01-31") < date("2024-02-01"));
  CHECK(today_utc().year >= 2024);
}

TEST_CASE("waivers suppress matching findings until they expire", "[waivers]") {
  std::vector<Waiver> waivers;
  Diagnostics load;
  REQUIRE(load_waiver_file((kData / "waivers.yaml").string(), waivers, load));
  REQUIRE(waivers.size() == 3);
  std::vector<Finding> findings = {
      make_finding("./legacy/app/stack.yaml", "AnySG"),  // waiver 1 (path glob)
      make_finding("net/endpoints.yaml", "OldSG"),       // waiver 2, expired on 2024-01-31
      make_finding("net/endpoints.yaml", "NewSG"),       // waiver 2 names another resource
      make_finding("other/x.yaml", "AnySG"),             // nothing
  };
  findings[3].suppressed = true;  // an inline suppression wins over waivers
  findings[3].suppression_source = "metadata";

  SECTION("before expiry") {
    std::vector<Diagnostic> diags;
    apply_waivers(waivers, date("2024-01-31"), known_policies(), findings, diags);
    CHECK(findings[0].suppressed);
    CHECK(findings[0].suppression_source == "waiver");
    CHECK(findings[0].suppression_reason == "legacy stack, replaced in Q3");
    CHECK(findings[1].suppressed);  // the expiry day itself still counts
    CHECK(findings[1].suppression_reason == "firewall in front");
    CHECK_FALSE(findings[2].suppressed);
    CHECK(findings[3].suppression_source == "metadata");
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].code == "waiver-unknown-rule");
    CHECK(diags[0].location.line == 11);
  }
  SECTION("after expiry: not suppressing, reported at the waiver") {
    std::vector<Diagnostic> diags;
    apply_waivers(waivers, date("2024-02-01"), known_policies(), findings, diags);
    CHECK(findings[0].suppressed);
    CHECK_FALSE(findings[1].suppressed);
    REQUIRE(diags.size() == 2);
    const Diagnostic& d = diags[0];
    CHECK(d.code == "waiver-expired");
    CHECK(d.severity == DiagSeverity::kWarning);
    CHECK(d.location.line == 6);
    CHECK(d.location.column == 5);
    CHECK(d.location.file.find("waivers.yaml") != std::string::npos);
    CHECK(d.message ==
          "waiver for 'POLC-NET-001' on 'net/*.yaml' (resource OldSG) expired on 2024-01-31 and "
          "no longer suppresses; 1 finding matched it. Fix the findings, or renew 'expires' with a "
          "reason");
  }
}

TEST_CASE("waiver files: list form, errors", "[waivers]") {
  Diagnostics diags;
  std::vector<Waiver> out;
  auto parse = [&](const std::string& text) {
    Document doc(std::make_unique<SourceFile>("w.yaml", text));
    REQUIRE(parse_yaml(doc, diags));
    return parse_waivers(*doc.file, doc.root, out, diags);
  };
  CHECK(parse("- {rule: a, path: '**', reason: r}\n"));
  CHECK(out.size() == 1);
  CHECK_FALSE(parse("wavers: []\n"));
  CHECK(diags.items().back().message.find("unknown key 'wavers'") != std::string::npos);
  CHECK_FALSE(parse("- {rule: a, path: '**', reason: r, expires: tomorrow}\n"));
  CHECK_FALSE(parse("- just a string\n"));
  CHECK_FALSE(parse("waivers: 3\n"));
  CHECK(out.size() == 1);
  Diagnostics missing;
  CHECK_FALSE(load_waiver_file("does/not/exist.yaml", out, missing));
  CHECK(missing.items().at(0).code == "unreadable");
}

}  // namespace polc
