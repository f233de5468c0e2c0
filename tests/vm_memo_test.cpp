// The memo of pure function calls (engine/vm/vm_memo.cpp): policies calling the same helper on
// the same template values get the same findings with the memo as without it (VmOptions::
// memo_calls), under conditions too; a call that read a condition is not remembered; a
// remembered call still counts its steps against kMaxVmSteps; the memo follows the template;
// kMaxVmMemoEntries and kMaxVmMemoBytes bound it.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dsl/compiler.h"
#include "engine/base/limits.h"
#include "engine/load/loader.h"
#include "engine/vm/vm.h"

using namespace polc;

namespace {

// Two policies asking the same helpers of each bucket: `tags` (a list built from template
// values), `named` (a scalar test) and `label` (a string with the logical ID).
const char* const kPolicies = R"(
fn tags(b) = [t.Key for t in default(b.Properties.Tags, [])]
fn named(b) = exists(b.Properties.BucketName)
fn label(b) = b.id + ":" + to_string(count(tags(b)))
fn deep(b) = count(tags(b)) + count(tags(b)) + count(tags(b))

policy first {
  id       = "MEMO-001"
  title    = "first"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require named(b) and count(tags(b)) > 1
      message "first {label(b)} {tags(b)}"
  }
}
policy second {
  id       = "MEMO-002"
  title    = "second"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require named(b) and "owner" in tags(b)
      message "second {label(b)} {deep(b)}"
  }
}
)";

const char* const kPlain =
    "Resources:\n"
    "  A:\n"
    "    Type: AWS::S3::Bucket\n"
    "    Properties: {BucketName: a, Tags: [{Key: owner, Value: x}]}\n"
    "  B:\n"
    "    Type: AWS::S3::Bucket\n"
    "    Properties: {Tags: [{Key: team, Value: y}, {Key: cost, Value: z}]}\n";

// The same helpers read values under conditions: Fn::If in the tags and the name, a
// parameter compared by a condition.
const char* const kConditional =
    "Parameters:\n"
    "  Env: {Type: String, Default: dev, AllowedValues: [dev, prod]}\n"
    "Conditions:\n"
    "  Prod: {Fn::Equals: [!Ref Env, prod]}\n"
    "Resources:\n"
    "  A:\n"
    "    Type: AWS::S3::Bucket\n"
    "    Properties:\n"
    "      BucketName: !If [Prod, a, !Ref AWS::NoValue]\n"
    "      Tags: !If [Prod, [{Key: owner, Value: x}], [{Key: team, Value: y}, {Key: c, Value: "
    "z}]]\n"
    "  B:\n"
    "    Type: AWS::S3::Bucket\n"
    "    Properties: {BucketName: !Ref Env, Tags: [{Key: owner, Value: x}]}\n";

std::vector<std::string> run(Vm& vm, const PolicySet& set, const Template& t) {
  std::vector<std::string> out;
  for (const CompiledPolicy& p : set.policies) {
    PolicyOutput po;
    vm.evaluate_policy(p, t, po);
    for (const Finding& f : po.findings) {
      std::string s = f.policy_id + " " + f.resource + " " + f.message;
      for (const ConditionClause& c : f.conditions) {
        s += " |";
        for (const auto& lit : c) s += " " + lit.name + "=" + (lit.value ? "T" : "F");
      }
      out.push_back(s);
    }
    for (const Diagnostic& d : po.diagnostics) out.push_back("diag " + d.code + " " + d.message);
  }
  return out;
}

std::unique_ptr<PolicySet> compile(const char* text) {
  Diagnostics diags;
  auto set = compile_policy_text("memo.polc", text, diags);
  REQUIRE(set);
  set->freeze();
  return set;
}

}  // namespace

TEST_CASE("the memo gives the findings of the calls it answers", "[vm][memo]") {
  auto set = compile(kPolicies);
  LoadResult plain = load_template_bytes("plain.yaml", kPlain);
  LoadResult cond = load_template_bytes("cond.yaml", kConditional);
  REQUIRE(plain.status == LoadStatus::kTemplate);
  REQUIRE(cond.status == LoadStatus::kTemplate);

  Vm with(*set);
  Vm without(*set, VmOptions{.max_steps = 0, .memo_calls = false});
  const std::vector<std::string> expected = {
      "MEMO-001 A first A:1 [owner]",
      "MEMO-001 B first B:2 [team, cost]",
      "MEMO-002 B second B:2 6",
  };
  CHECK(run(without, *set, *plain.tmpl) == expected);
  CHECK(without.memo_entries() == 0);
  CHECK(without.memo_hits() == 0);
  CHECK(run(with, *set, *plain.tmpl) == expected);
  // The second policy's calls (and the first's repeated ones) were answered.
  CHECK(with.memo_entries() > 0);
  CHECK(with.memo_hits() > 0);

  SECTION("under conditions") {
    // Every helper call on A reads a condition: none is remembered, and each policy's run
    // under each assignment computes its own.
    const auto no_memo = run(without, *set, *cond.tmpl);
    with.reset();
    const auto memo = run(with, *set, *cond.tmpl);
    CHECK(memo == no_memo);
    CHECK(std::find_if(memo.begin(), memo.end(), [](const std::string& s) {
            return s.find("Prod=") != std::string::npos;
          }) != memo.end());
    // Then the plain template again on the same Vm: the memo follows the template.
    CHECK(run(with, *set, *plain.tmpl) == expected);
    CHECK(run(with, *set, *cond.tmpl) == no_memo);
  }
}

TEST_CASE("a call that read a condition is not remembered", "[vm][memo][conditions]") {
  const char* const policies = R"(
fn name(b) = b.Properties.BucketName
policy p1 {
  id = "MEMO-011"
  title = "p1"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require name(b) != "a" message "p1 {b.id}"
  }
}
policy p2 {
  id = "MEMO-012"
  title = "p2"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require name(b) == "a" message "p2 {b.id}"
  }
}
)";
  auto set = compile(policies);
  LoadResult cond = load_template_bytes("cond.yaml",
                                        "Conditions:\n"
                                        "  C: {Fn::Equals: [!Ref AWS::Region, us-east-1]}\n"
                                        "Resources:\n"
                                        "  A:\n"
                                        "    Type: AWS::S3::Bucket\n"
                                        "    Properties: {BucketName: !If [C, a, b]}\n");
  REQUIRE(cond.status == LoadStatus::kTemplate);
  Vm with(*set);
  Vm without(*set, VmOptions{.max_steps = 0, .memo_calls = false});
  const auto memo = run(with, *set, *cond.tmpl);
  CHECK(memo == run(without, *set, *cond.tmpl));
  CHECK(memo == std::vector<std::string>{"MEMO-011 A p1 A | C=T", "MEMO-012 A p2 A | C=F"});
  CHECK(with.memo_entries() == 0);
  CHECK(with.memo_hits() == 0);
}

TEST_CASE("a remembered call counts its steps against kMaxVmSteps", "[vm][memo][limits]") {
  // The first policy fills the memo; the second's budget must see the steps of the calls it
  // takes from it, so that each step budget stops the same runs with and without the memo.
  auto set = compile(kPolicies);
  LoadResult plain = load_template_bytes("plain.yaml", kPlain);
  REQUIRE(plain.status == LoadStatus::kTemplate);
  int stopped = 0;
  for (std::uint64_t max = 5; max <= 160; ++max) {
    Vm with(*set, VmOptions{.max_steps = max, .memo_calls = true});
    Vm without(*set, VmOptions{.max_steps = max, .memo_calls = false});
    const auto a = run(with, *set, *plain.tmpl);
    const auto b = run(without, *set, *plain.tmpl);
    CHECK(a == b);
    if (std::find_if(b.begin(), b.end(), [](const std::string& s) {
          return s.starts_with("diag vm-steps");
        }) != b.end())
      ++stopped;
  }
  CHECK(stopped > 10);  // the range crosses the budgets of the policies' runs
}

TEST_CASE("kMaxVmMemoEntries", "[vm][memo][limits]") {
  static_assert(kMaxVmMemoEntries == 16'384);
  const char* const policies = R"(
fn same(x) = x
policy many {
  id = "MEMO-021"
  title = "many"
  severity = low
  for r in resources("Test::Many") {
    require all x in r.Properties.Xs: same(x) == same(x) message "never"
  }
}
)";
  auto set = compile(policies);
  std::string yaml = "Resources:\n  R:\n    Type: Test::Many\n    Properties:\n      Xs:\n";
  for (std::size_t i = 0; i < kMaxVmMemoEntries + 100; ++i)
    yaml += "        - " + std::to_string(i) + "\n";
  LoadResult t = load_template_bytes("many.yaml", yaml);
  REQUIRE(t.status == LoadStatus::kTemplate);
  Vm vm(*set);
  CHECK(run(vm, *set, *t.tmpl).empty());
  // Each item's first call is remembered, up to the bound; its second call is answered.
  CHECK(vm.memo_entries() == kMaxVmMemoEntries);
  CHECK(vm.memo_hits() == kMaxVmMemoEntries);
  vm.reset();
  CHECK(run(vm, *set, *t.tmpl).empty());
  CHECK(vm.memo_entries() == kMaxVmMemoEntries);  // emptied with the template, filled again
}

TEST_CASE("kMaxVmMemoBytes", "[vm][memo][limits]") {
  static_assert(kMaxVmMemoBytes == 4u << 20);
  const char* const policies = R"(
fn big(r, x) = r.Properties.Text + to_string(x)
policy big {
  id = "MEMO-031"
  title = "big"
  severity = low
  for r in resources("Test::Big") {
    require all x in r.Properties.Xs: big(r, x) == big(r, x) message "never"
  }
}
)";
  auto set = compile(policies);
  // 64 KB of text: each result is a copy of it, so about 64 fit in 4 MB.
  std::string yaml = "Resources:\n  R:\n    Type: Test::Big\n    Properties:\n      Text: " +
                     std::string(64 * 1024, 'x') + "\n      Xs:\n";
  for (int i = 0; i < 100; ++i) yaml += "        - " + std::to_string(i) + "\n";
  LoadResult t = load_template_bytes("big.yaml", yaml);
  REQUIRE(t.status == LoadStatus::kTemplate);
  Vm vm(*set);
  CHECK(run(vm, *set, *t.tmpl).empty());
  CHECK(vm.memo_bytes() <= kMaxVmMemoBytes);
  CHECK(vm.memo_bytes() > kMaxVmMemoBytes - 70 * 1024);
  CHECK(vm.memo_entries() >= 60);
  CHECK(vm.memo_entries() < 64);
}

TEST_CASE("a remembered call that assumed a pseudo parameter's value says so again", "[vm][memo]") {
  const char* const policies = R"(
fn arn(b) = b.Properties.Arn
policy p1 {
  id = "MEMO-041"
  title = "p1"
  severity = low
  for b in resources("Test::Arn") {
    require arn(b) == "none" message "p1 {b.id}"
  }
}
policy p2 {
  id = "MEMO-042"
  title = "p2"
  severity = low
  for b in resources("Test::Arn") {
    require arn(b) == "none" message "p2 {b.id}"
  }
}
)";
  auto set = compile(policies);
  LoadResult t =
      load_template_bytes("arn.yaml",
                          "Resources:\n"
                          "  A:\n"
                          "    Type: Test::Arn\n"
                          "    Properties: {Arn: !Sub 'arn:${AWS::Partition}:s3:::a'}\n");
  REQUIRE(t.status == LoadStatus::kTemplate);
  Vm with(*set);
  Vm without(*set, VmOptions{.max_steps = 0, .memo_calls = false});
  const auto memo = run(with, *set, *t.tmpl);
  CHECK(memo == run(without, *set, *t.tmpl));
  CHECK(memo == std::vector<std::string>{
                    "MEMO-041 A p1 A (assuming AWS::Partition is aws; see --pseudo-parameter)",
                    "MEMO-042 A p2 A (assuming AWS::Partition is aws; see --pseudo-parameter)"});
  CHECK(with.memo_hits() == 1);
}

TEST_CASE("a remembered call is answered only where kMaxVmFrames and kMaxVmStack hold it",
          "[vm][memo][limits]") {
  // The first policy remembers down(n) for every n at a shallow depth; the second asks for it
  // three frames deeper. Around the frame limit it must stop where running it stops.
  const char* const policies = R"(
fn down(n) = if n <= 0 then 1 else down(n - 1)
fn w1(x) = w2(x) + 0
fn w2(x) = w3(x) + 0
fn w3(x) = down(x) + 0
policy p1 {
  id = "MEMO-051"
  title = "p1"
  severity = low
  for r in resources("Test::Deep") {
    require down(r.Properties.N) == 2 message "p1"
  }
}
policy p2 {
  id = "MEMO-052"
  title = "p2"
  severity = low
  for r in resources("Test::Deep") {
    require w1(r.Properties.N) == 2 message "p2"
  }
}
)";
  auto set = compile(policies);
  int stopped = 0;
  for (std::size_t n = kMaxVmFrames - 8; n <= kMaxVmFrames; ++n) {
    LoadResult t = load_template_bytes(
        "deep.yaml",
        "Resources:\n  R:\n    Type: Test::Deep\n    Properties: {N: " + std::to_string(n) + "}\n");
    REQUIRE(t.status == LoadStatus::kTemplate);
    Vm with(*set);
    Vm without(*set, VmOptions{.max_steps = 0, .memo_calls = false});
    const auto a = run(with, *set, *t.tmpl);
    CHECK(a == run(without, *set, *t.tmpl));
    if (std::find_if(a.begin(), a.end(), [](const std::string& s) {
          return s.starts_with("diag vm-frames");
        }) != a.end())
      ++stopped;
  }
  CHECK(stopped > 0);
  CHECK(stopped < 9);
}
