// Language tests as data: every tests/lang/*.polc file is a policy with inline expectations,
// checked against the template of the same stem (.yaml or .json) next to it.
//
//   # expect: POLICY-NAME RESOURCE [fail|unknown] [when COND=true,COND2=false | ...]
//   # expect-error: substring of a compile diagnostic (the policy must not compile)
//   # expect-diagnostic: CODE   (a runtime diagnostic with this code)
//
// Each file runs twice, with and without optimization passes; both must give the expected
// findings (the differential test).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "dsl/compiler.h"
#include "engine/load/loader.h"
#include "engine/scan/scanner.h"

using namespace polc;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  return s;
}

std::string describe(const Finding& f) {
  std::string s = f.policy_name + " " + (f.resource.empty() ? std::string("-") : f.resource) + (f.outcome == Outcome::kUnknown ? " unknown" : " fail");
  if (!f.conditions.empty()) {
    s += " when ";
    for (std::size_t i = 0; i < f.conditions.size(); ++i) {
      if (i) s += " | ";
      for (std::size_t j = 0; j < f.conditions[i].size(); ++j) {
        if (j) s += ",";
        s += f.conditions[i][j].name + "=" + (f.conditions[i][j].value ? "true" : "false");
      }
    }
  }
  return s;
}

// Normalizes an expectation line to describe()'s form: the outcome defaults to "fail".
std::string normalize_expect(const std::string& line) {
  std::istringstream in(line);
  std::string policy, resource, word;
  in >> policy >> resource;
  std::string outcome = "fail", rest;
  while (in >> word) {
    if (word == "fail" || word == "unknown") outcome = word;
    else rest += (rest.empty() ? "" : " ") + word;
  }
  return policy + " " + resource + " " + outcome + (rest.empty() ? "" : " " + rest);
}

struct Outcome_ {
  std::multiset<std::string> findings;
  std::vector<std::string> codes;
  std::string compile_errors;
  bool compiled = false;
};

Outcome_ run_case(const fs::path& policy, bool optimize) {
  Outcome_ out;
  Diagnostics diags;
  CompileOptions co;
  co.optimize = optimize;
  auto set = compile_policy_files({policy.string()}, false, diags, co);
  for (const auto& d : diags.items()) out.compile_errors += render_diagnostic(d);
  if (!set) return out;
  out.compiled = true;
  set->freeze();
  fs::path tmpl = policy;
  tmpl.replace_extension(".yaml");
  if (!fs::exists(tmpl)) tmpl.replace_extension(".json");
  LoadResult lr = load_template_file(tmpl.string());
  REQUIRE(lr.status == LoadStatus::kTemplate);
  std::vector<std::uint32_t> active;
  std::vector<PolicyInfo> known;
  for (std::uint32_t i = 0; i < set->policies.size(); ++i) {
    active.push_back(i);
    known.push_back(set->policies[i].info);
  }
  Vm vm(*set);
  ScanOptions so;
  FileOutcome fo = check_template(vm, *set, active, known, *lr.tmpl, so);
  for (const auto& f : fo.findings) out.findings.insert(describe(f));
  for (const auto& d : fo.diagnostics) out.codes.push_back(d.code);
  return out;
}

}  // namespace

TEST_CASE("language tests as data", "[lang]") {
  fs::path dir = fs::path(POLC_SOURCE_DIR) / "tests" / "lang";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".polc") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 10);
  for (const auto& file : files) {
    std::string text = read(file);
    std::multiset<std::string> want;
    std::vector<std::string> want_errors, want_codes;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      auto pos = line.find("# expect: ");
      if (pos != std::string::npos) want.insert(normalize_expect(trim(line.substr(pos + 10))));
      pos = line.find("# expect-error: ");
      if (pos != std::string::npos) want_errors.push_back(trim(line.substr(pos + 16)));
      pos = line.find("# expect-diagnostic: ");
      if (pos != std::string::npos) want_codes.push_back(trim(line.substr(pos + 21)));
    }
    for (bool optimize : {true, false}) {
      INFO(file.filename().string() << (optimize ? " (optimized)" : " (unoptimized)"));
      Outcome_ got = run_case(file, optimize);
      if (!want_errors.empty()) {
        CHECK_FALSE(got.compiled);
        for (const auto& e : want_errors) {
          INFO("compile diagnostics:\n" << got.compile_errors);
          CHECK(got.compile_errors.find(e) != std::string::npos);
        }
        continue;
      }
      INFO("compile diagnostics:\n" << got.compile_errors);
      REQUIRE(got.compiled);
      std::string got_text, want_text;
      for (const auto& s : got.findings) got_text += s + "\n";
      for (const auto& s : want) want_text += s + "\n";
      CHECK(got_text == want_text);
      for (const auto& c : want_codes)
        CHECK(std::find(got.codes.begin(), got.codes.end(), c) != got.codes.end());
    }
  }
}
