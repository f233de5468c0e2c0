// Named limits (engine/base/limits.h): one TEST_CASE per limit, named after its constant. Each test
// pushes past the limit and expects a clear, positioned diagnostic while the rest of the scan
// goes on: another file of the same scan is still checked, and (for VM limits) another policy
// still runs on the same template. Limits tested elsewhere are listed at the end.
#include "engine/base/limits.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "engine/load/loader.h"
#include "tests/robust_util.h"

using namespace polc;
using polc::test::codes_of;
using polc::test::find_code;
using polc::test::TempDir;

namespace {

// A policy that always reports on buckets: proves other policies still run.
constexpr const char* kWitness = R"(
policy witness {
  id = "T-W-1"
  title = "witness"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require false
  }
}
)";

constexpr const char* kBucketYaml = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";

bool has_finding(const FileOutcome& o, const std::string& policy) {
  for (const auto& f : o.findings)
    if (f.policy_name == policy) return true;
  return false;
}

// Scans {bad, ok} and checks: `bad` fails to load with `code` at a line > 0; `ok` is checked.
void expect_load_limit(const std::string& bad_name, const std::string& bad_text,
                       const std::string& code) {
  TempDir dir("limit");
  std::string bad = dir.write(bad_name, bad_text);
  std::string ok = dir.write("ok.yaml", kBucketYaml);
  auto pack = test::make_pack(kWitness, false);
  REQUIRE(pack.set);
  auto out = test::scan(pack, {bad, ok});
  INFO("diagnostics of " << bad_name << ":\n" << codes_of(out[0].diagnostics));
  CHECK(out[0].status == FileOutcome::Status::kFailed);
  const Diagnostic* d = find_code(out[0].diagnostics, code);
  REQUIRE(d != nullptr);
  CHECK(d->severity == DiagSeverity::kError);
  CHECK(d->location.line > 0);
  CHECK(d->location.file == bad);
  CHECK(out[1].status == FileOutcome::Status::kChecked);
  CHECK(has_finding(out[1], "witness"));
}

// Runs `policy` plus the witness on `template_text` (and on a plain bucket template after it).
struct VmRun {
  FileOutcome first, second;
};
VmRun run_policy(const std::string& policy, const std::string& template_text) {
  TempDir dir("vmlimit");
  std::string a = dir.write("a.yaml", template_text);
  std::string b = dir.write("b.yaml", kBucketYaml);
  auto pack = test::make_pack(std::string(kWitness) + policy, false);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  auto out = test::scan(pack, {a, b});
  return {std::move(out[0]), std::move(out[1])};
}

}  // namespace

TEST_CASE("kMaxNestingDepth", "[limits]") {
  const std::size_t n = kMaxNestingDepth + 10;
  SECTION("YAML flow") {
    expect_load_limit("deep.yaml",
                      "Resources:\n  X: " + std::string(n, '[') + std::string(n, ']') + "\n",
                      "nesting-depth");
  }
  SECTION("YAML block") {
    std::string text = "Resources:\n";
    for (std::size_t i = 0; i < n; ++i)
      text += std::string(2 * (i + 1), ' ') + "k" + std::to_string(i) + ":\n";
    expect_load_limit("deep-block.yaml", text, "nesting-depth");
  }
  SECTION("JSON") {
    expect_load_limit(
        "deep.json",
        "{\"Resources\": {\"X\": " + std::string(n, '[') + std::string(n, ']') + "}}\n",
        "nesting-depth");
  }
}

TEST_CASE("kMaxAliasExpansionNodes", "[limits]") {
  // Billion laughs: nine levels of ten aliases to the level below, 10^9 nodes once expanded.
  std::string text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\nMetadata:\n";
  text += "  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*l" + std::to_string(i - 1);
    text += "  l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) text += (k ? ", " : "") + prev;
    text += "]\n";
  }
  auto start = std::chrono::steady_clock::now();
  expect_load_limit("laughs.yaml", text, "alias-expansion");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("kMaxTemplateBytes", "[limits]") {
  TempDir dir("bytes");
  std::string big = (dir.path() / "big.yaml").string();
  {
    std::ofstream out(big, std::ios::binary);
    out << kBucketYaml;
  }
  std::filesystem::resize_file(big, kMaxTemplateBytes + 1);  // sparse: nothing is written
  std::string ok = dir.write("ok.yaml", kBucketYaml);
  auto pack = test::make_pack(kWitness, false);
  auto start = std::chrono::steady_clock::now();
  auto out = test::scan(pack, {big, ok});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(out[0].status == FileOutcome::Status::kFailed);
  const Diagnostic* d = find_code(out[0].diagnostics, "file-size");
  REQUIRE(d != nullptr);
  CHECK(d->location.file == big);
  CHECK(d->message.find(std::to_string(kMaxTemplateBytes)) != std::string::npos);
  CHECK(has_finding(out[1], "witness"));
  // In memory too (load_template_bytes is the fuzzed entry point).
  auto r = load_template_bytes("mem.yaml", std::string(kMaxTemplateBytes + 1, ' '));
  CHECK(r.status == LoadStatus::kError);
  CHECK(r.diagnostics.items().at(0).code == "file-size");
}

TEST_CASE("kMaxResources", "[limits]") {
  std::string text = "{\"Resources\": {";
  for (std::size_t i = 0; i <= kMaxResources; ++i)
    text += (i ? ",\n" : "\n") + std::string("\"B") + std::to_string(i) +
            "\": {\"Type\": \"AWS::SNS::Topic\"}";
  text += "}}\n";
  expect_load_limit("many.json", text, "too-many-resources");
}

TEST_CASE("kMaxStringBytes", "[limits]") {
  const std::string huge(kMaxStringBytes + 1, 'x');
  SECTION("YAML scalar") {
    expect_load_limit("long.yaml", std::string(kBucketYaml) + "Metadata:\n  s: " + huge + "\n",
                      "string-length");
  }
  SECTION("JSON string") {
    expect_load_limit("long.json", "{\"Resources\": {},\n\"Metadata\": \"" + huge + "\"}\n",
                      "string-size");
  }
  SECTION("policy string concatenation (regression: unbounded doubling)") {
    auto r = run_policy(R"(
fn dbl(s, n) = if n == 0 then s else dbl(s + s, n - 1)
policy doubling {
  id = "T-L-S"
  title = "doubling"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require count(dbl("ab", 64)) == 0
  }
}
)",
                        kBucketYaml);
    INFO(codes_of(r.first.diagnostics));
    const Diagnostic* d = find_code(r.first.diagnostics, "string-length");
    REQUIRE(d != nullptr);
    CHECK(d->location.line > 0);
    CHECK(d->message.find("kMaxStringBytes") != std::string::npos);
    CHECK(r.first.incomplete);
    CHECK(has_finding(r.first, "witness"));
    CHECK(has_finding(r.second, "witness"));
  }
}

TEST_CASE("kMaxVmMemoryBytes", "[limits]") {
  // Regression: doubling a list 40 times took a handful of steps and unbounded memory (and
  // overflowed the 32-bit list size).
  auto r = run_policy(R"(
fn dbl(l, n) = if n == 0 then l else dbl(l + l, n - 1)
policy list-doubling {
  id = "T-L-M"
  title = "list doubling"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require count(dbl([1, 2, 3, 4], 40)) == 0
  }
}
)",
                      kBucketYaml);
  INFO(codes_of(r.first.diagnostics));
  const Diagnostic* d = find_code(r.first.diagnostics, "vm-memory");
  REQUIRE(d != nullptr);
  CHECK(d->severity == DiagSeverity::kError);
  CHECK(r.first.incomplete);
  CHECK(has_finding(r.first, "witness"));
  CHECK(has_finding(r.second, "witness"));
}

TEST_CASE("kMaxExpressionDepth", "[limits]") {
  const std::size_t n = kMaxExpressionDepth + 20;
  std::string text =
      "policy deep {\n  id = \"T-D-1\"\n  title = \"deep\"\n  severity = low\n  require " +
      std::string(n, '(') + "true" + std::string(n, ')') + "\n}\n";
  Diagnostics diags;
  auto set = compile_policy_text("deep.polc", text, diags);
  CHECK(set == nullptr);
  REQUIRE(diags.has_errors());
  CHECK(diags.items()[0].location.line == 5);
  CHECK(diags.items()[0].location.column > 10);
  // Just under the limit still compiles.
  const std::size_t ok = kMaxExpressionDepth / 2;
  std::string fine =
      "policy fine {\n  id = \"T-D-2\"\n  title = \"fine\"\n  severity = low\n  require " +
      std::string(ok, '(') + "true" + std::string(ok, ')') + "\n}\n";
  Diagnostics d2;
  auto set2 = compile_policy_text("fine.polc", fine, d2);
  INFO((d2.items().empty() ? std::string() : render_diagnostic(d2.items()[0])));
  CHECK(set2 != nullptr);
}

TEST_CASE("kMaxVmSteps", "[limits]") {
  auto r = run_policy(R"(
const TEN = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
policy spin {
  id = "T-L-3"
  title = "steps"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    for a in TEN {
      for c in TEN {
        for d in TEN {
          for e in TEN {
            for f in TEN {
              for g in TEN {
                when a + c + d + e + f + g < 0
                report message "never"
              }
            }
          }
        }
      }
    }
  }
}
)",
                      kBucketYaml);
  INFO(codes_of(r.first.diagnostics));
  const Diagnostic* d = find_code(r.first.diagnostics, "vm-steps");
  REQUIRE(d != nullptr);
  CHECK(d->severity == DiagSeverity::kError);
  CHECK(d->policy_id == "T-L-3");
  CHECK(d->location.line == 2);  // the resource in the template
  CHECK(d->message.find("kMaxVmSteps") != std::string::npos);
  CHECK(d->message.find("test.polc:") != std::string::npos);  // and the place in the policy
  CHECK(r.first.incomplete);
  CHECK(has_finding(r.first, "witness"));
  CHECK(r.second.incomplete);
  CHECK(has_finding(r.second, "witness"));
}

TEST_CASE("kMaxVmStack", "[limits]") {
  // Each level keeps 40 values on the stack across the recursive call: 40 * kMaxVmFrames
  // values exceed kMaxVmStack long before the frame limit.
  std::string items;
  for (int i = 0; i < 40; ++i) items += "n, ";
  auto r = run_policy(R"(
fn wide(n) = if n > 1000 then [] else [)" +
                          items + R"(wide(n + 1)]
policy stack {
  id = "T-L-K"
  title = "stack"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require count(wide(0)) == 0
  }
}
)",
                      kBucketYaml);
  INFO(codes_of(r.first.diagnostics));
  const Diagnostic* d = find_code(r.first.diagnostics, "vm-stack");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("kMaxVmStack") != std::string::npos);
  CHECK(r.first.incomplete);
  CHECK(has_finding(r.first, "witness"));
  SECTION("an expression wider than the stack is a positioned compile error") {
    // Regression: reported as "internal error: compiled bytecode failed verification".
    std::string many;
    for (std::size_t i = 0; i < kMaxVmStack + 10; ++i) many += "b, ";
    Diagnostics diags;
    auto set =
        compile_policy_text("wide.polc",
                            "policy w {\n  id = \"T-W\"\n  title = \"w\"\n  severity = low\n"
                            "  for b in resources(\"AWS::S3::Bucket\") {\n    require count([" +
                                many + "b]) == 0\n  }\n}\n",
                            diags);
    CHECK(set == nullptr);
    REQUIRE(diags.has_errors());
    const Diagnostic& d = diags.items()[0];
    INFO(render_diagnostic(d));
    CHECK(d.code == "expression-too-large");
    CHECK(d.location.file == "wide.polc");
    CHECK(d.location.line == 6);
    CHECK(d.message.find("kMaxVmStack") != std::string::npos);
  }
}

TEST_CASE("kMaxRegexMemory", "[limits]") {
  auto r = run_policy(R"(
policy big-regex {
  id = "T-L-4"
  title = "regex size"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require matches(b.Type, '((((((((a{1,100}){1,100}){1,100}){1,100}){1,100}){1,100}){1,100}){1,100})')
  }
}
)",
                      kBucketYaml);
  INFO(codes_of(r.first.diagnostics));
  const Diagnostic* d = find_code(r.first.diagnostics, "regex");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("kMaxRegexMemory") != std::string::npos);
  CHECK(r.first.incomplete);
  CHECK(has_finding(r.first, "witness"));
  CHECK(has_finding(r.second, "witness"));
}

TEST_CASE("kMaxConditionCombinations", "[limits]") {
  std::string text = "Parameters:\n";
  for (int i = 0; i < 10; ++i)
    text += "  P" + std::to_string(i) + ": {Type: String, Default: 'on'}\n";
  text += "Conditions:\n";
  for (int i = 0; i < 10; ++i)
    text += "  C" + std::to_string(i) + ": !Equals [!Ref P" + std::to_string(i) + ", 'on']\n";
  text += "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n";
  for (int i = 0; i < 10; ++i)
    text += "        - !If [C" + std::to_string(i) + ", {Key: k" + std::to_string(i) +
            ", Value: v}, !Ref AWS::NoValue]\n";
  auto r = run_policy(R"(
policy tags {
  id = "T-L-6"
  title = "conditions"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require count(b.Properties.Tags) > 100
  }
}
)",
                      text);
  INFO(codes_of(r.first.diagnostics));
  const Diagnostic* d = find_code(r.first.diagnostics, "condition-combinations");
  REQUIRE(d != nullptr);
  CHECK(d->location.line > 0);
  CHECK(d->message.find("kMaxConditionCombinations") != std::string::npos);
  CHECK(r.first.incomplete);
  CHECK(has_finding(r.first, "witness"));
  CHECK_FALSE(r.second.incomplete);
}

TEST_CASE("kMaxFindingsPerTemplate", "[limits]") {
  std::string text = "{\"Resources\": {";
  for (std::size_t i = 0; i <= kMaxFindingsPerTemplate + 5; ++i)
    text += (i ? ",\n" : "\n") + std::string("\"B") + std::to_string(i) +
            "\": {\"Type\": \"AWS::S3::Bucket\"}";
  text += "}}\n";
  TempDir dir("findings");
  std::string many = dir.write("many.json", text);
  std::string ok = dir.write("ok.yaml", kBucketYaml);
  auto pack = test::make_pack(kWitness, false);
  auto out = test::scan(pack, {many, ok});
  CHECK(out[0].status == FileOutcome::Status::kChecked);
  CHECK(out[0].findings.size() == kMaxFindingsPerTemplate);
  const Diagnostic* d = find_code(out[0].diagnostics, "findings-limit");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("not listed") != std::string::npos);
  CHECK(out[0].incomplete);
  CHECK(out[1].findings.size() == 1);
}

// Tested elsewhere: kMaxVmFrames (tests/lang/limit_vm_steps.polc), kMaxPolicyBytes
// (parser_test), kMaxForEachExpansions (template_test), kMaxWalkDirFds (streaming_test), and
// the parser-level checks of kMaxNestingDepth and kMaxStringBytes (yaml_parser_test,
// json_parser_test).
