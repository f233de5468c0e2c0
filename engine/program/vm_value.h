// Val: the values the VM computes with.
//
// A Val is a 16-byte POD. Template data is not copied: a `kNode` Val points into the loaded
// template's value tree and is resolved lazily (intrinsic functions, `Fn::If` branches,
// `AWS::NoValue`) when an operation looks at it. Lists, maps and strings the VM creates live in
// the evaluation arena, which is reset after each template; constants live in the `PolicySet`.
//
// `kUnknown` is a value polc cannot compute offline (`Fn::ImportValue`, a parameter without a
// default, `Fn::GetAZs`, ...). Operations on it yield unknown; a check that needs it reports
// an "unknown" outcome, never a pass.
#pragma once
#include <cstdint>
#include <string_view>

#include "engine/model/value.h"

namespace polc {

enum class VKind : std::uint8_t {
  kNull,      // absent: a missing property, null or `AWS::NoValue`
  kBool,
  kInt,
  kFloat,
  kString,
  kList,      // a list the VM built (or a constant list)
  kMap,       // a map the VM built (or a constant map)
  kNode,      // a list or map (or intrinsic) of the template's value tree, unresolved
  kResource,  // a resource of the template, by index
  kUnknown,   // a value that cannot be computed offline; `str` holds the reason
  /// Resources (from `referrers`) some of which exist only under conditions the run has not
  /// decided: `list` holds every candidate, `len` indexes the VM's record of each one's
  /// condition. Emptiness questions (`count(x) > 0`, `empty(x)`) are answered with one
  /// condition, the disjunction of the candidates'; anything else resolves it into a list
  /// (forking on the candidates' conditions), except the text of a report, which names every
  /// candidate. Never stored in a constant or a result.
  kPending,
};

struct Val;

struct VList {
  Val* items;
  std::uint32_t size;
  std::uint32_t capacity;
};

struct VMap {
  Val* keys;  // strings
  Val* values;
  std::uint32_t size;
};

struct Val {
  VKind kind = VKind::kNull;
  std::uint32_t len = 0;  // string length / resource index
  union {
    bool boolean;
    std::int64_t integer;
    double number;
    const char* chars;  // kString, kUnknown (reason)
    const Value* node;  // kNode
    VList* list;        // kList
    VMap* map;          // kMap
  };
  Val() : integer(0) {}

  static Val null() { return Val(); }
  static Val of_bool(bool b) { Val v; v.kind = VKind::kBool; v.boolean = b; return v; }
  static Val of_int(std::int64_t i) { Val v; v.kind = VKind::kInt; v.integer = i; return v; }
  static Val of_float(double d) { Val v; v.kind = VKind::kFloat; v.number = d; return v; }
  static Val of_string(std::string_view s) {
    Val v; v.kind = VKind::kString; v.chars = s.data(); v.len = static_cast<std::uint32_t>(s.size()); return v;
  }
  static Val of_node(const Value* n) { Val v; v.kind = VKind::kNode; v.node = n; return v; }
  static Val of_resource(std::uint32_t index) { Val v; v.kind = VKind::kResource; v.len = index; return v; }
  static Val unknown(std::string_view reason) {
    Val v; v.kind = VKind::kUnknown; v.chars = reason.data(); v.len = static_cast<std::uint32_t>(reason.size()); return v;
  }
  static Val of_list(VList* l) { Val v; v.kind = VKind::kList; v.list = l; return v; }
  static Val of_map(VMap* m) { Val v; v.kind = VKind::kMap; v.map = m; return v; }

  bool is_null() const { return kind == VKind::kNull; }
  bool is_unknown() const { return kind == VKind::kUnknown; }
  bool is_true() const { return kind == VKind::kBool && boolean; }
  bool is_false() const { return kind == VKind::kBool && !boolean; }
  std::string_view str() const { return std::string_view(chars, len); }
};

}  // namespace polc
