// The standard pack as data: every alias names a rule its peer has (tests/data/peers/), every
// policy carries the metadata the docs and SARIF need and has a tests file, and the generated
// files (scripts/gen_pack.py, docs/migrating.md) match their sources.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "dsl/compiler.h"

using namespace polc;
namespace fs = std::filesystem;

namespace {

const fs::path kSource = POLC_SOURCE_DIR;

/// The first column of a peer list (tests/data/peers/TOOL.tsv), comments skipped.
std::set<std::string> read_ids(const fs::path& path) {
  std::set<std::string> ids;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    ids.insert(line.substr(0, line.find('\t')));
  }
  return ids;
}

std::map<std::string, std::set<std::string>> peer_ids() {
  std::map<std::string, std::set<std::string>> out;
  for (const char* tool : {"cfn_nag", "checkov", "guard"})
    out[tool] = read_ids(kSource / "tests/data/peers" / (std::string(tool) + ".tsv"));
  return out;
}

bool python_available() { return std::system("python3 -c pass >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("pack: the peer lists are present and non-empty", "[pack]") {
  auto peers = peer_ids();
  CHECK(peers["cfn_nag"].size() == 166);
  CHECK(peers["checkov"].size() == 139);
  CHECK(peers["guard"].size() > 150);
  CHECK(peers["cfn_nag"].count("W5") == 1);
  CHECK(peers["checkov"].count("CKV_AWS_175") == 0);  // a Terraform-only check
}

TEST_CASE("pack: every alias names a rule of its peer", "[pack]") {
  Diagnostics diags;
  auto set = compile_policy_files({}, true, diags);
  REQUIRE(set);
  auto peers = peer_ids();
  std::set<std::string> seen;
  for (const auto& p : set->policies) {
    for (const std::string& a : p.info.aliases) {
      INFO(p.info.id << " alias " << a);
      auto colon = a.find(':');
      REQUIRE(colon != std::string::npos);
      std::string tool = a.substr(0, colon), id = a.substr(colon + 1);
      REQUIRE(peers.count(tool) == 1);
      CHECK(peers[tool].count(id) == 1);
      // One peer rule maps to one policy, so a foreign suppression hides one finding.
      CHECK(seen.insert(a).second);
    }
  }
  // The aliases the pack issue found wrong stay out.
  for (const char* wrong : {"checkov:CKV_AWS_175", "guard:ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK",
                            "guard:VPC_FLOW_LOGS_ENABLED", "guard:VPCE_SG_EXPLICIT_EGRESS"})
    CHECK(seen.count(wrong) == 0);
}

TEST_CASE("pack: an unknown alias id fails the check", "[pack]") {
  // The check above on a made-up policy: the same lookup must reject it.
  auto peers = peer_ids();
  CHECK(peers["cfn_nag"].count("W999") == 0);
  CHECK(peers["checkov"].count("CKV_AWS_9999") == 0);
  CHECK(peers["guard"].count("VPCE_SG_EXPLICIT_EGRESS") == 0);
}

TEST_CASE("pack: every policy has its metadata and a tests file", "[pack]") {
  Diagnostics diags;
  auto set = compile_policy_files({}, true, diags);
  REQUIRE(set);
  CHECK(set->policies.size() >= 150);
  std::set<std::string> ids, names;
  for (const auto& p : set->policies) {
    const PolicyInfo& i = p.info;
    INFO(i.id << " " << i.name << " " << i.source_file);
    CHECK(ids.insert(i.id).second);
    CHECK(names.insert(i.name).second);
    CHECK(!i.title.empty());
    CHECK(!i.description.empty());
    CHECK(!i.remediation.empty());
    CHECK(i.docs_url.rfind("https://docs.aws.amazon.com/", 0) == 0);
    CHECK(!i.tags.empty());
    // "<builtin>/policies/x/y.polc" -> policies/x/y.tests.yaml
    std::string src = i.source_file;
    auto pos = src.find("policies/");
    REQUIRE(pos != std::string::npos);
    fs::path tests = kSource / (src.substr(pos, src.size() - pos - 5) + ".tests.yaml");
    CHECK(fs::exists(tests));
  }
}

TEST_CASE("pack: generated policies and the migration table are up to date", "[pack]") {
  if (!python_available()) {
    WARN("python3 is absent; skipping the generated-files check");
    return;
  }
  std::string root = kSource.string();
  CHECK(std::system(("python3 '" + root + "/scripts/gen_pack.py' --check --polc '" +
                     std::string(POLC_BINARY) + "'").c_str()) == 0);
  CHECK(std::system(("python3 '" + root + "/scripts/migration_table.py' --check").c_str()) == 0);
}
