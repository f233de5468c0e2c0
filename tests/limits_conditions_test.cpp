// The limits of condition reasoning (engine/base/limits.h): each bounds a resource, and a
// template past it is reported incomplete (or, for a parameter file, refused) with a location —
// never a silent pass.
#include <catch2/catch.hpp>
#include <string>

#include "engine/base/finding.h"
#include "engine/base/limits.h"
#include "engine/vm/condition_model.h"
#include "tests/robust_util.h"

using namespace polc;
using polc::test::TempDir;

namespace {

FileOutcome run(const std::string& policy, const std::string& tmpl) {
  return test::scan_text(policy, tmpl);
}

// A bucket with `n` tags, tag i under condition Ci (`Equals [Pi, on]`, independent of the
// others), and `items` strings in its Metadata for a rule to walk.
std::string conditional_tags(int n, int items) {
  std::string t = "Parameters:\n";
  for (int i = 0; i < n; ++i) t += "  P" + std::to_string(i) + ": {Type: String}\n";
  t += "Conditions:\n";
  for (int i = 0; i < n; ++i)
    t += "  C" + std::to_string(i) + ": !Equals [!Ref P" + std::to_string(i) + ", 'on']\n";
  t += "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";
  if (items > 0) {
    t += "    Metadata:\n      Items: [";
    for (int i = 0; i < items; ++i) t += (i ? ", " : "") + std::string("x") + std::to_string(i);
    t += "]\n";
  }
  t += "    Properties:\n      Tags:\n";
  for (int i = 0; i < n; ++i)
    t += "        - !If [C" + std::to_string(i) + ", {Key: k" + std::to_string(i) +
         ", Value: v}, !Ref AWS::NoValue]\n";
  return t;
}

const Diagnostic* find_code(const FileOutcome& o, const std::string& code) {
  for (const Diagnostic& d : o.diagnostics)
    if (d.code == code) return &d;
  return nullptr;
}

}  // namespace

// 8 independent conditions (256 runs), each run walking a 4,000-item list: about 10 million
// VM steps in all, past kMaxConditionSearchSteps long before kMaxConditionWork.
TEST_CASE("kMaxConditionSearchSteps", "[limits][conditions]") {
  auto make = [](int n) { return conditional_tags(n, 4000); };
  const std::string policy = R"(
policy walk {
  id = "T-LC-1"
  title = "walk"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require count(b.Properties.Tags) > 100 or not (all x in b.Metadata.Items: x != "q")
  }
}
)";
  auto r = run(policy, make(8));
  INFO(test::codes_of(r.diagnostics));
  const Diagnostic* d = find_code(r, "condition-work");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("kMaxConditionSearchSteps") != std::string::npos);
  CHECK(d->message.find("Bucket") != std::string::npos);
  CHECK(d->location.line > 0);
  CHECK(r.incomplete);
  // Two conditions (4 runs) stay far below the bound.
  auto small = run(policy, make(2));
  CHECK_FALSE(small.incomplete);
  CHECK(find_code(small, "condition-work") == nullptr);
}

// (X1 and Y1) or ... or (Xn and Yn) with every X before every Y in the variable order needs
// 2^n diagram nodes: n = 24 passes kMaxConditionBddNodes (4 million).
TEST_CASE("kMaxConditionBddNodes", "[limits][conditions]") {
  const int n = 24;
  static_assert((std::size_t{1} << 24) > static_cast<std::size_t>(kMaxConditionBddNodes));
  std::string t = "Parameters:\n";
  for (int i = 0; i < n; ++i)
    t += "  A" + std::to_string(i) + ": {Type: String}\n  B" + std::to_string(i) +
         ": {Type: String}\n  D" + std::to_string(i) + ": {Type: String}\n  E" + std::to_string(i) +
         ": {Type: String}\n";
  t += "Conditions:\n";
  // Equalities of two parameters are free atoms, numbered in the order they are met.
  for (int i = 0; i < n; ++i)
    t += "  X" + std::to_string(i) + ": !Equals [!Ref A" + std::to_string(i) + ", !Ref B" +
         std::to_string(i) + "]\n";
  for (int i = 0; i < n; ++i)
    t += "  Y" + std::to_string(i) + ": !Equals [!Ref D" + std::to_string(i) + ", !Ref E" +
         std::to_string(i) + "]\n";
  // Fn::Or takes at most 10 operands: three groups of eight.
  t += "  Big: !Or\n";
  for (int g = 0; g < 3; ++g) {
    t += "    - !Or\n";
    for (int i = 8 * g; i < 8 * g + 8; ++i)
      t += "      - !And [!Condition X" + std::to_string(i) + ", !Condition Y" + std::to_string(i) +
           "]\n";
  }
  t += "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Condition: Big\n";
  const std::string policy = R"(
policy any-bucket {
  id = "T-LC-2"
  title = "bucket"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require false
  }
}
)";
  auto r = run(policy, t);
  INFO(test::codes_of(r.diagnostics));
  const Diagnostic* d = find_code(r, "condition-solver");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("kMaxConditionBddNodes") != std::string::npos);
  CHECK(d->location.line > 0);
  CHECK(r.incomplete);
  // The solver recovers: the next template is reasoned about as usual.
  auto small = run(policy,
                   "Parameters: {P: {Type: String}}\nConditions:\n  C: !Equals [!Ref P, a]\n"
                   "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Condition: C\n");
  CHECK_FALSE(small.incomplete);
  REQUIRE(small.findings.size() == 1);
  REQUIRE(small.findings[0].conditions.size() == 1);
}

// BuDDy's operation caches start at 10,000 entries (set up at the first template with
// conditions: 1.4 MB rather than 14 MB) and grow to the node table's size once one model makes
// more than 8,000 nodes (engine/vm/condition_model.cpp, kSolverBusyNodes). The corpus's largest
// model makes 3,200. CTest also runs this case alone (`solver_caches`), where the first check
// cannot be skipped: another case's large model would have grown the caches already.
TEST_CASE("solver caches grow for a large condition problem only", "[conditions]") {
  const std::string policy = R"(
policy any-bucket {
  id = "T-LC-5"
  title = "bucket"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require false
  }
}
)";
  const std::string small_template =
      "Parameters: {P: {Type: String}, Q: {Type: String}}\nConditions:\n"
      "  C: !Equals [!Ref P, a]\n  D: !And [!Condition C, !Equals [!Ref Q, b]]\n"
      "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Condition: D\n";
  const bool grown_before = ConditionModel::solver_caches_grown();
  auto small = run(policy, small_template);
  REQUIRE(small.findings.size() == 1);
  CHECK(small.findings[0].conditions.size() == 1);
  CHECK_FALSE(small.incomplete);
  if (!grown_before) CHECK_FALSE(ConditionModel::solver_caches_grown());
  // Pairs X_i and Y_i of free atoms, numbered all X before all Y: Or(And(X_i, Y_i)) needs about
  // 2^n nodes in that order (2^14: 16,384, past kSolverBusyNodes, far below kMaxConditionBddNodes).
  const int n = 14;
  std::string t = "Parameters:\n";
  for (const char* p : {"A", "B", "D", "E"})
    for (int i = 0; i < n; ++i)
      t += "  " + std::string(p) + std::to_string(i) + ": {Type: String}\n";
  t += "Conditions:\n";
  for (int i = 0; i < n; ++i)
    t += "  X" + std::to_string(i) + ": !Equals [!Ref A" + std::to_string(i) + ", !Ref B" +
         std::to_string(i) + "]\n";
  for (int i = 0; i < n; ++i)
    t += "  Y" + std::to_string(i) + ": !Equals [!Ref D" + std::to_string(i) + ", !Ref E" +
         std::to_string(i) + "]\n";
  t += "  Big: !Or\n";
  for (int g = 0; g < n; g += 7) {
    t += "    - !Or\n";
    for (int i = g; i < g + 7 && i < n; ++i)
      t += "      - !And [!Condition X" + std::to_string(i) + ", !Condition Y" + std::to_string(i) +
           "]\n";
  }
  t += "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Condition: Big\n";
  auto big = run(policy, t);
  INFO(test::codes_of(big.diagnostics));
  CHECK_FALSE(big.incomplete);
  REQUIRE(big.findings.size() == 1);
  CHECK(ConditionModel::solver_caches_grown());
  // Larger caches answer the same: the small template's finding is unchanged.
  auto again = run(policy, small_template);
  REQUIRE(again.findings.size() == 1);
  CHECK(describe_conditions(again.findings[0].conditions) ==
        describe_conditions(small.findings[0].conditions));
}

// A parameter file past kMaxParameterFileBytes is refused with an error at the file, before
// anything is checked (polc check exits 2): its values are never half-read.
TEST_CASE("kMaxParameterFileBytes", "[limits][conditions]") {
  TempDir dir("limits-params");
  std::string big = "[";
  while (big.size() <= kMaxParameterFileBytes)
    big += "{\"ParameterKey\": \"K\", \"ParameterValue\": \"" + std::string(100, 'v') + "\"},";
  big += "{\"ParameterKey\": \"K\", \"ParameterValue\": \"v\"}]";
  std::string path = dir.write("big.json", big);
  DeploymentValues values;
  Diagnostics diags;
  CHECK_FALSE(read_parameter_file(path, values, diags));
  REQUIRE(diags.has_errors());
  CHECK(diags.items()[0].location.file == path);
  CHECK(diags.items()[0].message.find(std::to_string(kMaxParameterFileBytes)) != std::string::npos);
  CHECK(values.values.empty());
  // Just below the limit it is read.
  std::string ok = "[{\"ParameterKey\": \"K\", \"ParameterValue\": \"" +
                   std::string(kMaxParameterFileBytes - 100, 'v') + "\"}]";
  std::string okpath = dir.write("ok.json", ok);
  Diagnostics d2;
  CHECK(read_parameter_file(okpath, values, d2));
  CHECK(values.values["K"].size() == kMaxParameterFileBytes - 100);
}

// A finding that holds in more explored combinations than kMaxSimplifiedClauses skips the
// pairwise merging (cubic in the clauses) and keeps them as explored: the condition it states is
// still exact. N independent conditions each add a tag; the rule fails unless exactly 4 are on,
// so the finding holds in 2^N - C(N, 4) combinations: 93 below the bound (N = 7), 386 above it
// (N = 9). Each time the stated condition, evaluated over all 2^N assignments, must be true
// exactly where the rule fails, and the run must be complete.
TEST_CASE("kMaxSimplifiedClauses", "[limits][conditions]") {
  auto make = [](int n) { return conditional_tags(n, 0); };
  const std::string policy = R"(
policy tags {
  id = "T-LC-4"
  title = "tags"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require count(b.Properties.Tags) > 100 or count(b.Properties.Tags) == 4
  }
}
)";
  static_assert((1u << 7) - 35 <= kMaxSimplifiedClauses && (1u << 9) - 126 > kMaxSimplifiedClauses);
  for (int n : {7, 9}) {
    INFO("conditions: " << n);
    auto r = run(policy, make(n));
    CHECK_FALSE(r.incomplete);
    REQUIRE(r.findings.size() == 1);
    const auto& dnf = r.findings[0].conditions;
    REQUIRE_FALSE(dnf.empty());
    int wrong = 0;
    for (unsigned mask = 0; mask < (1u << n); ++mask) {
      auto on = [&](const std::string& name) {
        return ((mask >> std::stoi(name.substr(1))) & 1u) != 0;
      };
      bool stated = false;
      for (const ConditionClause& clause : dnf) {
        bool all = true;
        for (const ConditionTerm& term : clause) all = all && on(term.name) == term.value;
        stated = stated || all;
      }
      if (stated != (__builtin_popcount(mask) != 4)) ++wrong;
    }
    CHECK(wrong == 0);
  }
}
