#include "engine/model/value.h"

#include <array>
#include <utility>

namespace polc {
namespace {

constexpr std::array<std::pair<Intrinsic, std::string_view>, 26> kIntrinsics = {{
    {Intrinsic::kRef, "Ref"},
    {Intrinsic::kGetAtt, "Fn::GetAtt"},
    {Intrinsic::kSub, "Fn::Sub"},
    {Intrinsic::kIf, "Fn::If"},
    {Intrinsic::kEquals, "Fn::Equals"},
    {Intrinsic::kAnd, "Fn::And"},
    {Intrinsic::kOr, "Fn::Or"},
    {Intrinsic::kNot, "Fn::Not"},
    {Intrinsic::kCondition, "Condition"},
    {Intrinsic::kSelect, "Fn::Select"},
    {Intrinsic::kJoin, "Fn::Join"},
    {Intrinsic::kSplit, "Fn::Split"},
    {Intrinsic::kFindInMap, "Fn::FindInMap"},
    {Intrinsic::kImportValue, "Fn::ImportValue"},
    {Intrinsic::kBase64, "Fn::Base64"},
    {Intrinsic::kCidr, "Fn::Cidr"},
    {Intrinsic::kGetAZs, "Fn::GetAZs"},
    {Intrinsic::kTransform, "Fn::Transform"},
    {Intrinsic::kLength, "Fn::Length"},
    {Intrinsic::kToJsonString, "Fn::ToJsonString"},
    {Intrinsic::kContains, "Fn::Contains"},
    {Intrinsic::kEachMemberEquals, "Fn::EachMemberEquals"},
    {Intrinsic::kEachMemberIn, "Fn::EachMemberIn"},
    {Intrinsic::kValueOf, "Fn::ValueOf"},
    {Intrinsic::kValueOfAll, "Fn::ValueOfAll"},
    {Intrinsic::kRefAll, "Fn::RefAll"},
}};

}  // namespace

std::string_view intrinsic_name(Intrinsic fn) {
  for (const auto& [k, name] : kIntrinsics)
    if (k == fn) return name;
  return {};
}

Intrinsic intrinsic_from_key(std::string_view key) {
  if (key.empty() || (key[0] != 'R' && key[0] != 'F' && key[0] != 'C')) return Intrinsic::kNone;
  for (const auto& [k, name] : kIntrinsics)
    if (name == key) return k;
  return Intrinsic::kNone;
}

Intrinsic intrinsic_from_tag(std::string_view tag) {
  if (tag.size() < 2 || tag[0] != '!') return Intrinsic::kNone;
  tag.remove_prefix(1);
  if (tag == "Ref") return Intrinsic::kRef;
  if (tag == "Condition") return Intrinsic::kCondition;
  for (const auto& [k, name] : kIntrinsics)
    if (name.size() > 4 && name.substr(4) == tag) return k;
  return Intrinsic::kNone;
}

const MapEntry* Value::find(std::string_view key) const {
  if (kind != ValueKind::kMap) return nullptr;
  for (std::uint32_t i = 0; i < size; ++i)
    if (entries[i].key == key) return &entries[i];
  return nullptr;
}

const Value* Value::get(std::string_view key) const {
  const MapEntry* e = find(key);
  return e ? e->value : nullptr;
}

std::string_view kind_name(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull: return "null";
    case ValueKind::kBool: return "bool";
    case ValueKind::kInt: return "integer";
    case ValueKind::kFloat: return "float";
    case ValueKind::kString: return "string";
    case ValueKind::kList: return "list";
    case ValueKind::kMap: return "map";
  }
  return "?";
}

}  // namespace polc
