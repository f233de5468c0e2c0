// The resources each subject rule runs over (engine/vm: Vm::Impl::subjects, a per-template index
// of the set's rule types): exact and wildcard types, several rules sharing a type, a rule whose
// type no resource has, one Vm over several templates in turn (the index follows the template),
// and a policy that is not one of the set's (matched without the index) giving the same subjects.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "dsl/compiler.h"
#include "engine/load/loader.h"
#include "engine/vm/vm.h"

using namespace polc;

namespace {

// Every policy reports each of its subjects, named "<policy>:<logical id>".
const char* const kPolicies = R"(
policy buckets {
  id       = "SUB-001"
  title    = "buckets"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    report message "buckets:{b.id}"
  }
}
policy iam {
  id       = "SUB-002"
  title    = "iam"
  severity = low
  for r in resources("AWS::IAM::*") {
    report message "iam:{r.id}"
  }
}
policy two-rules {
  id       = "SUB-003"
  title    = "two rules"
  severity = low
  for r in resources("AWS::IAM::Role") {
    report message "roles:{r.id}"
  }
  for b in resources("AWS::S3::Bucket") {
    report message "buckets-again:{b.id}"
  }
}
policy all-types {
  id       = "SUB-004"
  title    = "all"
  severity = low
  for r in resources("*") {
    report message "all:{r.id}"
  }
}
policy none {
  id       = "SUB-005"
  title    = "none"
  severity = low
  for r in resources("AWS::EC2::VPCEndpoint") {
    report message "none:{r.id}"
  }
}
)";

const char* const kFirst =
    "Resources:\n"
    "  B1: {Type: AWS::S3::Bucket}\n"
    "  R1: {Type: AWS::IAM::Role}\n"
    "  P1: {Type: AWS::IAM::Policy}\n"
    "  B2: {Type: AWS::S3::Bucket}\n"
    "  Q1: {Type: AWS::SQS::Queue}\n";

const char* const kSecond =
    "Resources:\n"
    "  U9: {Type: AWS::IAM::User}\n"
    "  B9: {Type: AWS::S3::Bucket}\n";

std::vector<std::string> messages(Vm& vm, const CompiledPolicy& p, const Template& t) {
  PolicyOutput out;
  vm.evaluate_policy(p, t, out);
  std::vector<std::string> m;
  for (const Finding& f : out.findings) m.push_back(f.message);
  return m;
}

using List = std::vector<std::string>;

}  // namespace

TEST_CASE("subject rules run over the resources of their type, in document order", "[vm][subjects]") {
  Diagnostics diags;
  auto set = compile_policy_text("subjects.polc", kPolicies, diags);
  REQUIRE(set);
  set->freeze();
  REQUIRE(set->policies.size() == 5);
  LoadResult first = load_template_bytes("first.yaml", kFirst);
  LoadResult second = load_template_bytes("second.yaml", kSecond);
  REQUIRE(first.status == LoadStatus::kTemplate);
  REQUIRE(second.status == LoadStatus::kTemplate);
  const auto& ps = set->policies;

  Vm vm(*set);
  // The first template, the second, then the first again: the index follows the template.
  for (int round = 0; round < 2; ++round) {
    CHECK(messages(vm, ps[0], *first.tmpl) == List{"buckets:B1", "buckets:B2"});
    CHECK(messages(vm, ps[1], *first.tmpl) == List{"iam:R1", "iam:P1"});
    CHECK(messages(vm, ps[2], *first.tmpl) ==
          List{"roles:R1", "buckets-again:B1", "buckets-again:B2"});
    CHECK(messages(vm, ps[3], *first.tmpl) ==
          List{"all:B1", "all:R1", "all:P1", "all:B2", "all:Q1"});
    CHECK(messages(vm, ps[4], *first.tmpl).empty());
    vm.reset();
    CHECK(messages(vm, ps[0], *second.tmpl) == List{"buckets:B9"});
    CHECK(messages(vm, ps[1], *second.tmpl) == List{"iam:U9"});
    CHECK(messages(vm, ps[2], *second.tmpl) == List{"buckets-again:B9"});
    CHECK(messages(vm, ps[3], *second.tmpl) == List{"all:U9", "all:B9"});
    CHECK(messages(vm, ps[4], *second.tmpl).empty());
    vm.reset();
  }

  // A copy of a policy, not one of the set's: its rules match types without the index.
  for (const CompiledPolicy& p : ps) {
    const CompiledPolicy copy = p;
    Vm fresh(*set);
    CHECK(messages(fresh, copy, *first.tmpl) == messages(vm, p, *first.tmpl));
    CHECK(messages(fresh, copy, *second.tmpl) == messages(vm, p, *second.tmpl));
  }
}
