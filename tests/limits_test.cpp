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
#include "engine/triage/exit_codes.h"
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

// D6: a loop polc cannot expand (or that passes a limit) leaves part of the template unchecked:
// an error at the loop, the template still checked (its other resources report), the outcome
// incomplete (exit code 4), never a warning and a pass.
void expect_foreach_incomplete(const std::string& text, const std::string& code,
                               const std::string& message_part) {
  TempDir dir("foreach");
  std::string bad = dir.write("loop.json", text);
  std::string ok = dir.write("ok.yaml", kBucketYaml);
  auto pack = test::make_pack(kWitness, false);
  REQUIRE(pack.set);
  auto out = test::scan(pack, {bad, ok});
  INFO("diagnostics:\n" << codes_of(out[0].diagnostics));
  CHECK(out[0].status == FileOutcome::Status::kChecked);
  CHECK(has_finding(out[0], "witness"));  // the literal bucket of the template is checked
  const Diagnostic* d = find_code(out[0].diagnostics, code);
  REQUIRE(d != nullptr);
  // A limit passed is an error; a loop polc cannot expand (valid CloudFormation) a warning.
  CHECK(d->severity == (code == "foreach-limit" ? DiagSeverity::kError : DiagSeverity::kWarning));
  CHECK(out[0].incomplete == (code == "foreach-limit"));  // counted as an incomplete run
  // Either way the run is incomplete: exit code 4 (with a finding below the threshold).
  ExitCodeTracker exit(Severity::kCritical);
  for (const Finding& f : out[0].findings) exit.add(f);
  for (const Diagnostic& diag : out[0].diagnostics) exit.add(diag);
  CHECK(exit.exit_code(ScanSummary{}, false) == kExitIncomplete);
  CHECK(d->location.line > 0);
  CHECK(d->message.find(message_part) != std::string::npos);
  CHECK(out[1].status == FileOutcome::Status::kChecked);
  CHECK_FALSE(out[1].incomplete);
}

// A Resources section with a literal bucket and `loop` (JSON text of one Fn::ForEach entry).
std::string with_loop(const std::string& loop, const std::string& params = "{}") {
  return R"({"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::LanguageExtensions", "Parameters": )" +
         params + R"(, "Resources": {"Lit": {"Type": "AWS::S3::Bucket"}, )" + loop + "}}\n";
}

}  // namespace

TEST_CASE("Fn::ForEach not expanded is incomplete, never a pass", "[limits][foreach]") {
  const std::string body = R"({"Q${X}": {"Type": "AWS::SQS::Queue"}})";
  SECTION("collection from a parameter without a default") {
    expect_foreach_incomplete(
        with_loop(R"("Fn::ForEach::L": ["X", {"Ref": "Names"}, )" + body + "]",
                  R"({"Names": {"Type": "CommaDelimitedList"}})"),
        "foreach-not-expanded", "not expanded");
  }
  SECTION("Fn::Split and Fn::GetAZs") {
    expect_foreach_incomplete(
        with_loop(R"("Fn::ForEach::L": ["X", {"Fn::Split": [",", "a,b"]}, )" + body + "]"),
        "foreach-not-expanded", "not a literal list");
    expect_foreach_incomplete(
        with_loop(R"("Fn::ForEach::L": ["X", {"Fn::GetAZs": ""}, )" + body + "]"),
        "foreach-not-expanded", "not a literal list");
  }
  SECTION("nesting past kMaxForEachNesting") {
    std::string loop = body;
    for (std::size_t i = 0; i <= kMaxForEachNesting; ++i)
      loop = R"({"Fn::ForEach::L)" + std::to_string(i) + R"(": ["X", ["a"], )" + loop + "]}";
    expect_foreach_incomplete(with_loop(loop.substr(1, loop.size() - 2)), "foreach-not-expanded",
                              "nested deeper than");
  }
  SECTION("iterations past kMaxForEachExpansions") {
    std::string items;
    for (std::size_t i = 0; i <= kMaxForEachExpansions; ++i)
      items += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
    expect_foreach_incomplete(
        with_loop(R"("Fn::ForEach::L": ["X", [)" + items + "], " + body + "]"), "foreach-limit",
        "kMaxForEachExpansions");
  }
}

namespace {

// `n` iterations (items 1000, 1001, ...: four bytes each) of a topic whose Tags list has `k`
// items: 4 + k nodes copied per iteration.
std::string foreach_nodes(std::size_t n, std::size_t k) {
  std::string items, tags;
  for (std::size_t i = 0; i < n; ++i) items += (i ? "," : "") + std::to_string(1000 + i);
  for (std::size_t i = 0; i < k; ++i) tags += i ? ",1" : "1";
  return with_loop(R"("Fn::ForEach::L": ["X", [)" + items +
                   R"(], {"T${X}": {"Type": "AWS::SNS::Topic", "Properties": {"Tags": [)" + tags +
                   "]}}}]");
}

// `n` iterations (four-byte items) of a topic whose name is "${X}" plus `len` bytes: 5 bytes of
// substituted key and 4 + len of substituted name per iteration.
std::string foreach_bytes(std::size_t n, std::size_t len) {
  std::string items;
  for (std::size_t i = 0; i < n; ++i) items += (i ? "," : "") + std::to_string(1000 + i);
  return with_loop(R"("Fn::ForEach::L": ["X", [)" + items +
                   R"(], {"T${X}": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "${X})" +
                   std::string(len, 'a') + R"("}}}])");
}

}  // namespace

// D2: expansion is bounded in what it copies, not only in iterations.
TEST_CASE("kMaxForEachCopiedNodes", "[limits][foreach]") {
  static_assert(kMaxForEachCopiedNodes % 1000 == 0);
  const std::size_t k = kMaxForEachCopiedNodes / 1000 - 4;  // exactly the limit in 1000 iterations
  {
    auto r = load_template_bytes("at.json", foreach_nodes(1000, k));
    INFO(codes_of(r.diagnostics.items()));
    REQUIRE(r.status == LoadStatus::kTemplate);
    CHECK_FALSE(r.diagnostics.has_errors());
    CHECK(r.tmpl->resources().size() == 1001);
  }
  // One node more: an error, and the 1,000 topics are not all generated.
  expect_foreach_incomplete(foreach_nodes(1000, k + 1), "foreach-limit", "kMaxForEachCopiedNodes");
  // The 169 KB template of the report (10,000 x a 50,000-item list) stops early, in bounded memory.
  auto start = std::chrono::steady_clock::now();
  expect_foreach_incomplete(foreach_nodes(10000, 50000), "foreach-limit", "kMaxForEachCopiedNodes");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
}

TEST_CASE("kMaxForEachCopiedBytes", "[limits][foreach]") {
  static_assert(kMaxForEachCopiedBytes % 1024 == 0);
  const std::size_t len =
      kMaxForEachCopiedBytes / 1024 - 9;  // exactly the limit in 1024 iterations
  {
    auto r = load_template_bytes("at.json", foreach_bytes(1024, len));
    INFO(codes_of(r.diagnostics.items()));
    REQUIRE(r.status == LoadStatus::kTemplate);
    CHECK_FALSE(r.diagnostics.has_errors());
    CHECK(r.tmpl->resources().size() == 1025);
  }
  expect_foreach_incomplete(foreach_bytes(1024, len + 1), "foreach-limit",
                            "kMaxForEachCopiedBytes");
}

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

// D3: aliases share their node, but whatever walks the tree sees every use, so expansion is
// bounded in bytes too. At the limit the document loads; one alias more is a positioned error.
TEST_CASE("kMaxAliasExpansionBytes", "[limits]") {
  constexpr std::size_t kLen = 1u << 20;
  static_assert(kMaxAliasExpansionBytes % kLen == 0);
  constexpr std::size_t kUses = kMaxAliasExpansionBytes / kLen;
  auto doc = [&](std::size_t uses) {
    std::string text = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\nMetadata:\n  s: &s " +
                       std::string(kLen, 'a') + "\n  l: [";
    for (std::size_t i = 0; i < uses; ++i) text += i ? ", *s" : "*s";
    return text + "]\n";
  };
  auto at = load_template_bytes("at.yaml", doc(kUses));
  INFO(codes_of(at.diagnostics.items()));
  CHECK(at.status == LoadStatus::kTemplate);
  expect_load_limit("over.yaml", doc(kUses + 1), "alias-expansion");
}

// D3: a finding's message keeps at most kMaxMessageBytes of what it interpolates.
TEST_CASE("kMaxMessageBytes", "[limits]") {
  const std::string policy = R"(
policy long-message {
  id = "T-M-1"
  title = "quotes the description"
  severity = low
  for sg in resources("AWS::EC2::SecurityGroup") {
    report message "{sg.Properties.GroupDescription}"
  }
}
)";
  auto sg = [](std::size_t len) {
    return "Resources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      "
           "GroupDescription: " +
           std::string(len, 'd') + "\n";
  };
  auto message_of = [&](std::size_t len) {
    VmRun r = run_policy(policy, sg(len));
    for (const auto& f : r.first.findings)
      if (f.policy_name == "long-message") return f.message;
    return std::string("(no finding)");
  };
  CHECK(message_of(kMaxMessageBytes) == std::string(kMaxMessageBytes, 'd'));
  CHECK(message_of(kMaxMessageBytes + 1) == std::string(kMaxMessageBytes, 'd') + "...");
  CHECK(message_of(3u << 20) == std::string(kMaxMessageBytes, 'd') + "...");
}

// A finding's source snippet keeps at most kMaxSnippetBytes of its line (a minified JSON
// template is one line).
TEST_CASE("kMaxSnippetBytes", "[limits]") {
  std::string text =
      "{\"Resources\": {\"Bucket\": {\"Type\": \"AWS::S3::Bucket\", \"Metadata\": \"" +
      std::string(1u << 20, 'm') + "\"}}}\n";
  TempDir dir("snippet");
  std::string one_line = dir.write("one.json", text);
  auto pack = test::make_pack(kWitness, false);
  auto out = test::scan(pack, {one_line});
  REQUIRE(out[0].findings.size() == 1);
  const std::string& line = out[0].findings[0].location.source_line;
  CHECK(line.size() == kMaxSnippetBytes);
  CHECK(text.starts_with(line));
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

// D8: one instruction can scan megabytes, so the VM budgets work, not only instructions.
TEST_CASE("kMaxVmWorkUnits", "[limits]") {
  // contains(h, "") on a 2^22-byte string charges 2^22 units: 2^30 / 2^22 = 256 calls exactly.
  static_assert(kMaxVmWorkUnits == (std::uint64_t{1} << 30));
  const std::string policy = R"(
fn d(s, n) = if n == 0 then s else d(s + s, n - 1)
policy work {
  id = "T-K-1"
  title = "work"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    let h = d("a", 22)
    for t in b.Properties.Tags {
      require contains(h, "")
    }
  }
}
)";
  auto bucket = [](std::size_t tags) {
    std::string t =
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: [";
    for (std::size_t i = 0; i < tags; ++i) t += i ? ", 1" : "1";
    return t + "]\n";
  };
  VmRun at = run_policy(policy, bucket(256));
  INFO(codes_of(at.first.diagnostics));
  CHECK(find_code(at.first.diagnostics, "vm-work") == nullptr);
  CHECK_FALSE(at.first.incomplete);
  VmRun over = run_policy(policy, bucket(257));
  const Diagnostic* d = find_code(over.first.diagnostics, "vm-work");
  REQUIRE(d != nullptr);
  CHECK(d->location.line > 0);
  CHECK(over.first.incomplete);
  CHECK(has_finding(over.first, "witness"));  // other policies still run
  CHECK(has_finding(over.second, "witness"));
}

TEST_CASE("substring search is linear; a regex that would fall back to the NFA is budgeted",
          "[limits]") {
  auto run = [](const std::string& require) {
    return run_policy(
        "fn d(s, n) = if n == 0 then s else d(s + s, n - 1)\n"
        "policy slow {\n  id = \"T-K-2\"\n  title = \"slow\"\n  severity = low\n"
        "  for b in resources(\"AWS::S3::Bucket\") {\n    require " +
            require + "\n  }\n}\n",
        kBucketYaml);
  };
  auto start = std::chrono::steady_clock::now();
  // O(n*m) with std::string_view::find: hours for 4 MiB / 2 MiB. Linear: milliseconds.
  VmRun c = run(R"(not contains(d("a", 22), d("a", 21) + "b"))");
  CHECK(c.first.diagnostics.empty());
  CHECK_FALSE(has_finding(c.first, "slow"));
  VmRun in = run(R"(not (d("a", 21) + "b" in d("a", 22)))");
  CHECK(in.first.diagnostics.empty());
  VmRun sp = run(R"(count(split(d("a", 22), d("a", 21) + "b")) == 1)");
  CHECK(sp.first.diagnostics.empty());
  // 13 s for one call before (RE2's NFA on 4 MiB with a 1,000-repetition pattern): now refused
  // before it runs.
  VmRun re = run(R"(not matches(d("ab", 21), '[ab]*a[ab]{1000}c'))");
  CHECK(find_code(re.first.diagnostics, "vm-work") != nullptr);
  CHECK(re.first.incomplete);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
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
  // Valid RE2 (each repetition within RE2's 1000), but its program needs more than 1 MiB.
  std::string huge;
  for (int i = 0; i < 8; ++i) huge += ".{1000}";
  SECTION("a pattern written in the policy is a compile error at the pattern") {
    Diagnostics diags;
    auto set = compile_policy_text(
        "big.polc",
        "policy big-regex {\n  id = \"T-L-4\"\n  title = \"regex size\"\n  severity = low\n"
        "  for b in resources(\"AWS::S3::Bucket\") {\n    require matches(b.Type, '" +
            huge + "')\n  }\n}\n",
        diags);
    CHECK(set == nullptr);
    REQUIRE(diags.has_errors());
    const Diagnostic& d = diags.items()[0];
    INFO(render_diagnostic(d));
    CHECK(d.location.file == "big.polc");
    CHECK(d.location.line == 6);
    CHECK(d.location.column == 29);
    CHECK(d.message.find("kMaxRegexMemory") != std::string::npos);
  }
  SECTION("a pattern from the template is unknown: an unknown finding, no policy error") {
    auto r = run_policy(
        R"(
policy big-regex {
  id = "T-L-4"
  title = "regex size"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require matches("a", b.Properties.BucketName)
  }
}
)",
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: '" +
            huge + "'\n");
    INFO(codes_of(r.first.diagnostics));
    CHECK(r.first.diagnostics.empty());
    CHECK_FALSE(r.first.incomplete);
    std::size_t unknown = 0;
    for (const auto& f : r.first.findings)
      unknown += f.policy_name == "big-regex" && f.outcome == Outcome::kUnknown;
    CHECK(unknown == 1);
    CHECK(has_finding(r.first, "witness"));
  }
}

// Independent conditions (one parameter each) multiply: 2^18 feasible combinations read by one
// rule pass the solver-work budget; 8 exclusive ones (one parameter, D18) are 9 runs.
TEST_CASE("kMaxConditionWork", "[limits][conditions]") {
  auto make = [](int n, bool exclusive) {
    std::string text = "Parameters:\n";
    for (int i = 0; i < n; ++i)
      text += "  P" + std::to_string(i) + ": {Type: String, Default: 'on'}\n";
    text += "Conditions:\n";
    for (int i = 0; i < n; ++i)
      text += "  C" + std::to_string(i) + ": !Equals [!Ref P" +
              (exclusive ? "0, v" + std::to_string(i) : std::to_string(i) + ", 'on'") + "]\n";
    text += "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags:\n";
    for (int i = 0; i < n; ++i)
      text += "        - !If [C" + std::to_string(i) + ", {Key: k" + std::to_string(i) +
              ", Value: v}, !Ref AWS::NoValue]\n";
    return text;
  };
  const std::string policy = R"(
policy tags {
  id = "T-L-6"
  title = "conditions"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require count(b.Properties.Tags) > 100
  }
}
)";
  static_assert((std::size_t{1} << 18) > kMaxConditionWork);
  auto r = run_policy(policy, make(18, false));
  INFO(codes_of(r.first.diagnostics));
  const Diagnostic* d = find_code(r.first.diagnostics, "condition-work");
  REQUIRE(d != nullptr);
  CHECK(d->location.line > 0);
  CHECK(d->message.find("kMaxConditionWork") != std::string::npos);
  CHECK(r.first.incomplete);
  CHECK(has_finding(r.first, "witness"));
  CHECK_FALSE(r.second.incomplete);
  // 10 independent conditions: 1,024 runs, within the budget (the old leaf limit was 256).
  auto ten = run_policy(policy, make(10, false));
  CHECK_FALSE(ten.first.incomplete);
  // D18: 8 and 30 conditions on one parameter are exclusive: 9 and 31 runs, never incomplete.
  for (int n : {8, 30}) {
    auto ex = run_policy(policy, make(n, true));
    INFO(n << " exclusive conditions: " << codes_of(ex.first.diagnostics));
    CHECK_FALSE(ex.first.incomplete);
    CHECK(find_code(ex.first.diagnostics, "condition-work") == nullptr);
  }
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

// A SAM template whose Globals.Function environment has `globals` variables, with `functions`
// functions of one variable each (each merge copies them all), and a bucket.
std::string sam_globals_template(std::size_t globals, std::size_t functions) {
  std::string t = R"({"Transform": "AWS::Serverless-2016-10-31", "Globals": {"Function": )"
                  R"({"Environment": {"Variables": {)";
  for (std::size_t i = 0; i < globals; ++i)
    t += (i ? ", \"G" : "\"G") + std::to_string(i) + "\": \"v\"";
  t += R"(}}}}, "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"})";
  for (std::size_t i = 0; i < functions; ++i)
    t += R"(, "F)" + std::to_string(i) +
         R"(": {"Type": "AWS::Serverless::Function", "Properties": {"Environment": )"
         R"({"Variables": {"OWN": "x"}}}})";
  return t + "}}\n";
}

TEST_CASE("kMaxSamGlobalsMergedEntries", "[limits][sam]") {
  {
    auto r = load_template_bytes("small.json", sam_globals_template(100, 10));
    REQUIRE(r.status == LoadStatus::kTemplate);
    CHECK(find_code(r.diagnostics.items(), "sam-globals-limit") == nullptr);
    const Value* vars = r.tmpl->resources()[r.tmpl->find_resource("F9")]
                            .properties->get("Environment")
                            ->get("Variables");
    CHECK(vars->size == 101);  // the 100 of Globals and its own
  }
  // 30 functions x 100,000 variables: 3 million copies. The merge stops at the limit, in
  // bounded time; the template is still checked, and the run is incomplete.
  TempDir dir("samglobals");
  const auto start = std::chrono::steady_clock::now();
  std::string big = dir.write("big.json", sam_globals_template(100'000, 30));
  std::string ok = dir.write("ok.yaml", kBucketYaml);
  auto pack = test::make_pack(kWitness, false);
  auto out = test::scan(pack, {big, ok});
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  INFO(codes_of(out[0].diagnostics));
  CHECK(out[0].status == FileOutcome::Status::kChecked);
  CHECK(has_finding(out[0], "witness"));
  const Diagnostic* d = find_code(out[0].diagnostics, "sam-globals-limit");
  REQUIRE(d != nullptr);
  CHECK(d->severity == DiagSeverity::kError);
  CHECK(d->message.find(std::to_string(kMaxSamGlobalsMergedEntries)) != std::string::npos);
  ExitCodeTracker exit(Severity::kCritical);
  for (const Diagnostic& diag : out[0].diagnostics) exit.add(diag);
  CHECK(exit.exit_code(ScanSummary{}, false) == kExitIncomplete);
  CHECK(has_finding(out[1], "witness"));
}

// Tested elsewhere: kMaxVmFrames (tests/lang/limit_vm_steps.polc), kMaxPolicyBytes
// (parser_test), kMaxForEachExpansions (template_test), kMaxWalkDirFds (streaming_test), and
// the parser-level checks of kMaxNestingDepth and kMaxStringBytes (yaml_parser_test,
// json_parser_test).

// The property path of a finding located at a template node is searched among at most
// kMaxPathSearchNodes nodes of its resource (children last to first); past them the finding is
// still reported, at the resource without a path.
TEST_CASE("kMaxPathSearchNodes", "[limits]") {
  const std::string policy = R"(
policy named-bucket {
  id = "T-PS-1"
  title = "bucket name"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require b.Properties.BucketName != "bad" at b.Properties.BucketName
  }
}
)";
  // BucketName comes before a list of `items` tags, which the search visits first (with the
  // resource, Properties and the list itself: items + 3 nodes before BucketName).
  auto bucket = [](std::size_t items) {
    std::string t = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                    "      BucketName: bad\n      Tags: [";
    for (std::size_t i = 0; i < items; ++i) t += i ? ",t" : "t";
    return t + "]\n";
  };
  auto path_of = [&](std::size_t items) {
    VmRun r = run_policy(policy, bucket(items));
    for (const auto& f : r.first.findings)
      if (f.policy_name == "named-bucket") return f.resource + ":" + f.property_path;
    return std::string("(no finding)");
  };
  CHECK(path_of(2) == "B:Properties.BucketName");
  CHECK(path_of(kMaxPathSearchNodes - 4) == "B:Properties.BucketName");
  CHECK(path_of(kMaxPathSearchNodes - 3) == "B:");
}
