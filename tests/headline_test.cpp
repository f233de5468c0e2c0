// The headline policy against verified answers: every case of ../shared/cases (the rows of the
// project's copy, tests/data/cases/EXPECTED.tsv, conditions included)
// and the whole corpus (../shared/expected/vpce-sg-no-implicit-egress.tsv). Skips cleanly when
// ../shared is absent.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <map>
#include <simdjson.h>
#include <sstream>

#include "dsl/compiler.h"
#include "engine/scan/discovery.h"
#include "engine/scan/scanner.h"

using namespace polc;
namespace fs = std::filesystem;

namespace {

const fs::path kShared = fs::path(POLC_SOURCE_DIR) / ".." / "shared";

struct Pack {
  std::unique_ptr<PolicySet> set;
  std::vector<std::uint32_t> headline;
  std::vector<PolicyInfo> known;
};

Pack& pack() {
  static Pack p = [] {
    Pack out;
    Diagnostics diags;
    out.set = compile_policy_files({}, true, diags);
    REQUIRE(out.set);
    out.set->freeze();
    for (std::uint32_t i = 0; i < out.set->policies.size(); ++i) {
      out.known.push_back(out.set->policies[i].info);
      if (out.set->policies[i].info.name == "vpce-sg-no-implicit-egress") out.headline.push_back(i);
    }
    REQUIRE(out.headline.size() == 1);
    return out;
  }();
  return p;
}

// (file, logical ID) of the headline's reportable findings: unsuppressed, not info.
std::set<std::pair<std::string, std::string>> headline_findings(
    const std::vector<std::string>& files, unsigned jobs, std::size_t* load_errors = nullptr,
    std::map<std::string, std::vector<ConditionClause>>* conditions = nullptr) {
  Pack& p = pack();
  ScanOptions so;
  so.jobs = jobs;
  auto outcomes = scan_files(*p.set, p.headline, p.known, files, so);
  std::set<std::pair<std::string, std::string>> got;
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (load_errors && outcomes[i].status == FileOutcome::Status::kFailed) ++*load_errors;
    for (const auto& f : outcomes[i].findings)
      if (!f.suppressed && f.severity != Severity::kInfo) {
        got.insert({files[i], f.resource});
        if (conditions) (*conditions)[f.resource] = f.conditions;
      }
  }
  return got;
}

std::vector<std::vector<std::string>> read_tsv(const fs::path& p) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    rows.push_back(cols);
  }
  return rows;
}

// The fifth column: {"RESOURCE": {"exact": [{"Cond": false, ...}, ...], "names": [...],
// "max_literals": N}} constrains the conditions of that resource's finding.
void check_conditions(const std::string& spec, std::map<std::string, std::vector<ConditionClause>>& got) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(spec).get(doc) == simdjson::SUCCESS);
  simdjson::dom::object resources;
  REQUIRE(doc.get_object().get(resources) == simdjson::SUCCESS);
  for (auto [resource, want] : resources) {
    INFO("conditions of " << resource);
    auto it = got.find(std::string(resource));
    if (it == got.end()) continue;  // not reported: the resource column says so
    const std::vector<ConditionClause>& clauses = it->second;
    simdjson::dom::array exact, names;
    if (want["exact"].get_array().get(exact) == simdjson::SUCCESS) {
      std::multiset<std::set<std::pair<std::string, bool>>> w, g;
      for (auto c : exact) {
        std::set<std::pair<std::string, bool>> clause;
        for (auto [n, v] : c.get_object()) clause.insert({std::string(n), v.get_bool().value()});
        w.insert(clause);
      }
      for (const ConditionClause& c : clauses) {
        std::set<std::pair<std::string, bool>> clause;
        for (const ConditionTerm& t : c) clause.insert({t.name, t.value});
        g.insert(clause);
      }
      CHECK(g == w);
    }
    if (want["names"].get_array().get(names) == simdjson::SUCCESS) {
      std::set<std::string> allowed;
      for (auto n : names) allowed.insert(std::string(n.get_string().value()));
      for (const ConditionClause& c : clauses)
        for (const ConditionTerm& t : c) CHECK(allowed.count(t.name) == 1);
    }
    std::int64_t most = 0;
    if (want["max_literals"].get_int64().get(most) == simdjson::SUCCESS) {
      std::int64_t n = 0;
      for (const ConditionClause& c : clauses) n += static_cast<std::int64_t>(c.size());
      CHECK(n <= most);
    }
  }
}

}  // namespace

TEST_CASE("headline policy: every bug-report case", "[headline][cases]") {
  fs::path cases = kShared / "cases";
  if (!fs::exists(cases / "EXPECTED.tsv")) {
    WARN("../shared/cases absent: skipped");
    return;
  }
  auto rows = read_tsv(fs::path(POLC_SOURCE_DIR) / "tests/data/cases/EXPECTED.tsv");
  REQUIRE(rows.size() >= 10);
  for (const auto& r : rows) {
    REQUIRE(r.size() >= 3);
    std::string file = (cases / r[0] / r[1]).string();
    std::set<std::pair<std::string, std::string>> want;
    if (r[2] != "-") {
      std::stringstream ss(r[2]);
      std::string id;
      while (ss >> id) want.insert({file, id});
    }
    std::size_t load_errors = 0;
    std::map<std::string, std::vector<ConditionClause>> conds;
    auto got = headline_findings({file}, 1, &load_errors, &conds);
    bool alternative = r.size() > 3 && r[3].find("or:") != std::string::npos && got.empty() && load_errors > 0;
    INFO("case " << r[0]);
    CHECK((got == want || alternative));
    if (r.size() > 4 && !r[4].empty()) check_conditions(r[4], conds);
  }
}

TEST_CASE("headline policy: the corpus equals the verified answers", "[headline][corpus]") {
  fs::path corpus = kShared / "corpus";
  fs::path expected = kShared / "expected" / "vpce-sg-no-implicit-egress.tsv";
  if (!fs::exists(expected)) {
    WARN("../shared/corpus absent: skipped");
    return;
  }
  std::vector<std::string> dirs;
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.is_directory() && !e.path().filename().string().ends_with("-bad")) dirs.push_back(e.path().string());
  DiscoveredFiles files = discover_files(dirs, {});
  REQUIRE(files.templates.size() > 5000);
  auto got_abs = headline_findings(files.templates, 2);
  std::set<std::pair<std::string, std::string>> got, want;
  std::string prefix = corpus.string() + "/";
  for (const auto& [f, r] : got_abs) got.insert({f.substr(prefix.size()), r});
  auto rows = read_tsv(expected);
  for (std::size_t i = 1; i < rows.size(); ++i) want.insert({rows[i][0], rows[i][1]});
  for (const auto& x : want)
    if (!got.count(x)) FAIL_CHECK("missing: " << x.first << " " << x.second);
  for (const auto& x : got)
    if (!want.count(x)) FAIL_CHECK("unexpected: " << x.first << " " << x.second);
  CHECK(got.size() == want.size());
}
