// The AWS SAM policy templates (`S3ReadPolicy`, `DynamoDBCrudPolicy`, ...) that a SAM function's
// or state machine's `Policies` may name, as the SAM translator expands them.
//
// Source of facts: aws-sam-translator's `policy_templates_data/policy_templates.json` (AWS SAM
// Developer Guide, "AWS SAM policy templates"), committed as data/sam/policy-templates.json by
// scripts/update-sam-policy-templates.py (version and licence in data/sam/README.md and NOTICE)
// and linked into the binary; the build never downloads it. Parsed once, on first use
// (thread-safe); the table is immutable afterwards and may be read from any thread.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace polc::internal {

/// One node of a template's policy document: a JSON value. Scalars other than strings do not
/// occur in the table and are kept as their JSON text in `text` with kind kScalar.
struct PolicyTemplateEntry;
struct PolicyTemplateNode {
  enum class Kind { kString, kScalar, kList, kMap };
  Kind kind = Kind::kString;
  std::string text;                          // kString, kScalar
  std::vector<PolicyTemplateNode> items;     // kList
  std::vector<PolicyTemplateEntry> entries;  // kMap, in table order
};
/// One key of a kMap node. A struct rather than std::pair: a pair of an incomplete type (the
/// node inside its own definition) is rejected by clang with libstdc++, which builds the fuzzers.
struct PolicyTemplateEntry {
  std::string first;  // the key
  PolicyTemplateNode second;
};

struct PolicyTemplate {
  std::string name;                     // e.g. "S3ReadPolicy"
  std::vector<std::string> parameters;  // e.g. {"BucketName"}; a `Ref` to one of these names in
                                        // `definition` is replaced by the value given
  PolicyTemplateNode definition;        // the policy document ({"Statement": [...]})
};

/// The template named `name` (case-sensitive, as the translator matches it), or nullptr.
const PolicyTemplate* find_policy_template(std::string_view name);

/// The number of templates in the table, and its source ("aws-sam-translator 1.110.0"). When the
/// embedded table cannot be parsed (a broken build), the count is 0 and the source says why.
std::size_t policy_template_count();

/// For an AWS managed policy name SAM knows (`AWSLambdaExecute`,
/// `AWSLambdaVPCAccessExecutionRole`), the path of its ARN between `policy/` and the name: "" or
/// e.g. "service-role/"; nullopt for a name not in the translator's bundled map
/// (data/sam/managed-policies.txt, partition aws), which SAM leaves as written. Thread-safe.
std::optional<std::string_view> managed_policy_path(std::string_view name);
std::string_view policy_templates_source();
/// The embedded tables' bytes as built in (data/sam/policy-templates.json, then
/// data/sam/managed-policies.txt); valid for the life of the process. The result cache's
/// context hashes them (engine/scan/cache.h).
std::string_view embedded_policy_templates();
std::string_view embedded_managed_policies();

}  // namespace polc::internal
