#include "dsl/internal/schema_types.h"

#include <algorithm>

namespace polc {

using ast::Expr;
using ast::ExprKind;

std::string SType::key() const {
  std::string k(1, static_cast<char>('0' + kind));
  if (any) k += '*';
  for (const auto* r : res) k += "|" + std::string(r->name());
  for (const auto& v : vals) k += "|" + std::string(v.owner->name()) + ":" + std::string(v.type);
  return k;
}

SType type_union(const SType& a, const SType& b) {
  if (a.kind == SType::kNone) return b;
  if (b.kind == SType::kNone) return a;
  if (a.kind != b.kind || a.kind == SType::kUnknown) return SType::unknown();
  SType out = a;
  out.any = a.any || b.any;
  for (const auto* r : b.res)
    if (std::find(out.res.begin(), out.res.end(), r) == out.res.end()) out.res.push_back(r);
  for (const auto& v : b.vals) {
    bool dup = false;
    for (const auto& x : out.vals) dup |= x.owner == v.owner && x.type == v.type;
    if (!dup) out.vals.push_back(v);
  }
  if (out.res.size() > kMaxUnionTypes) return SType::unknown();
  if (a.where != b.where) out.where = a.where + " or " + b.where;
  return out;
}

SType resources_of(const schema::SchemaSet& schemas, std::string_view pattern) {
  SType t;
  t.kind = SType::kResources;
  if (pattern.find('*') == std::string_view::npos) {
    const schema::ResourceSchema* s = schemas.is_open(pattern) ? nullptr : schemas.find(pattern);
    if (!s) {
      t.any = true;  // open or unknown: a resource, of a type nothing is known about
      return t;
    }
    t.res.push_back(s);
    return t;
  }
  auto names = schemas.match(pattern);
  if (names.empty() || names.size() > kMaxUnionTypes) {
    t.any = true;
    return t;
  }
  // Open types (Custom::..., third-party) can match a pattern too: then nothing is known.
  std::string_view before_star = pattern.substr(0, pattern.find('*'));
  if (before_star.empty() || schemas.is_open(std::string(before_star) + "X::Y")) {
    t.any = true;
    return t;
  }
  for (std::string_view n : names) t.res.push_back(schemas.find(n));
  return t;
}

std::string describe_types(const std::vector<const schema::ResourceSchema*>& res) {
  std::string out;
  for (std::size_t i = 0; i < res.size() && i < 3; ++i) out += (i ? " or " : "") + std::string(res[i]->name());
  if (res.size() > 3) out += " or ...";
  return out;
}

std::string suggestion(std::string_view word, const std::vector<std::string_view>& candidates) {
  std::string_view s = schema::did_you_mean(word, candidates);
  return s.empty() ? "" : "; did you mean '" + std::string(s) + "'?";
}

SType type_name_type() {
  SType t;
  t.kind = SType::kTypeName;
  return t;
}

// Whether `cond` is `exists(...)`, or an `and` of conditions one of which is.
bool tests_existence(const Expr& cond) {
  if (cond.kind == ExprKind::kCall && cond.name == "exists") return true;
  if (cond.kind == ExprKind::kAnd)
    return tests_existence(*cond.lhs) || tests_existence(*cond.rhs);
  return false;
}

SType any_resource() {
  SType t;
  t.kind = SType::kResources;
  t.any = true;
  return t;
}

SType element_of(const SType& t) {
  if (t.kind == SType::kResources) return t;
  if (t.kind != SType::kValue) return {};
  SType out;
  out.vals = schema::element_types(t.vals);
  if (out.vals.empty()) return {};
  out.kind = SType::kValue;
  out.where = t.where + "[*]";
  return out;
}

}  // namespace polc
