// What the checker knows statically about a policy expression's value, in terms of resource
// schemas (engine/schema/schema.h): which resource types a resource value can be, where in a
// type's property tree a template value comes from. Lists are not told apart from their items:
// a field of a list maps over the list (docs/language.md), so `rules.CidrIp` and `rule.CidrIp`
// read the same schema field. Used by dsl/checker.cpp only; not thread-safe (one checker).
#pragma once
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "engine/schema/schema.h"

namespace polc {

struct SType {
  enum Kind : std::uint8_t {
    kUnknown,    // nothing known: never an error
    kNone,       // null, [] or {}: adds nothing to a union
    kResources,  // resource values (or lists of them) of the types in `res`; `any`: of any type
    kValue,      // template values typed by `vals`; `where` describes them for messages
    kEdges,      // references(r) items of resources typed `res`
    kTypeName,   // a resource's `.type`
    kAttrName,   // `.attribute` of a references() item of resources typed `res`
  } kind = kUnknown;
  bool any = false;
  std::vector<const schema::ResourceSchema*> res;
  std::vector<schema::TypeRef> vals;
  std::string where;

  static SType unknown() { return {}; }
  static SType none() {
    SType t;
    t.kind = kNone;
    return t;
  }
  /// A stable text for memoizing functions typed by use.
  std::string key() const;
};

/// The union of two types: unknown when either is unknown or their kinds differ.
SType type_union(const SType& a, const SType& b);

/// Resource values of the types a `resources()`/`referrers()` pattern names. Unknown when a
/// type is open or unknown (the checker reports unknown ones separately) or when the pattern
/// matches more than `kMaxUnionTypes` types.
SType resources_of(const schema::SchemaSet& schemas, std::string_view pattern);

/// Largest union of resource types the checker tracks; wider patterns are not checked.
inline constexpr std::size_t kMaxUnionTypes = 64;

/// "AWS::S3::Bucket" or "AWS::A or AWS::B" (at most three names, then "...").
std::string describe_types(const std::vector<const schema::ResourceSchema*>& res);

/// "; did you mean 'X'?" for the closest of `candidates` to `word`, or "".
std::string suggestion(std::string_view word, const std::vector<std::string_view>& candidates);

/// A resource's `.type`.
SType type_name_type();

/// Whether `cond` is `exists(...)`, or an `and` of conditions one of which is.
bool tests_existence(const ast::Expr& cond);

/// Resource values of any type.
SType any_resource();

/// The items of a list typed `t` (a field of a list maps over it, so resources stay resources).
SType element_of(const SType& t);

}  // namespace polc
