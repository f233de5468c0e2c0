#include "engine/model/intrinsics.h"

#include <utility>
#include <vector>

namespace polc::internal {
namespace {

Value* make_string(Arena& arena, std::string_view s, std::uint32_t offset) {
  Value* v = arena.make<Value>();
  v->kind = ValueKind::kString;
  v->quoted = true;
  v->offset = offset;
  s = arena.copy(s);
  v->chars = s.data();
  v->size = static_cast<std::uint32_t>(s.size());
  return v;
}

/// `Fn::GetAtt` canonical form: `[LogicalId, "Attr.Name"]`.
void canonical_getatt(Arena& arena, Value* node) {
  MapEntry& e = node->entries[0];
  Value* arg = e.value;
  if (arg == nullptr) return;
  if (arg->is_string()) {
    std::string_view s = arg->str();
    std::size_t dot = s.find('.');
    if (dot == std::string_view::npos) return;
    auto items = arena.array<Value*>(2);
    // Offsets: the string's own start; for the attribute, a best effort inside the string.
    std::uint32_t attr_offset =
        arg->offset + static_cast<std::uint32_t>(dot) + 1 + (arg->quoted ? 1 : 0);
    items[0] = make_string(arena, s.substr(0, dot), arg->offset);
    items[1] = make_string(arena, s.substr(dot + 1), attr_offset);
    Value* list = arena.make<Value>();
    list->kind = ValueKind::kList;
    list->offset = arg->offset;
    list->size = 2;
    list->items = items.data();
    e.value = list;
    return;
  }
  if (arg->is_list() && arg->size >= 1) {
    Value* first = arg->items[0];
    // After ForEach expansion `!Sub "Sg${Svc}"` is `{"Fn::Sub": "SgSsm"}`: a literal.
    if (first && first->is_map() && first->size == 1 && first->entries[0].key == "Fn::Sub") {
      const Value* sub = first->entries[0].value;
      if (sub && sub->is_string() && sub->str().find("${") == std::string_view::npos)
        arg->items[0] = make_string(arena, sub->str(), first->offset);
    }
  }
}

bool takes_conditions(Intrinsic fn) {
  return fn == Intrinsic::kIf || fn == Intrinsic::kAnd || fn == Intrinsic::kOr ||
         fn == Intrinsic::kNot;
}

}  // namespace

void canonicalize_intrinsics(Arena& arena, Value* root) {
  if (root == nullptr) return;
  // (node, is a condition position)
  std::vector<std::pair<Value*, bool>> stack;
  if (root->is_map()) {
    for (std::uint32_t i = 0; i < root->size; ++i) {
      Value* v = root->entries[i].value;
      if (v == nullptr) continue;
      if (root->entries[i].key == "Conditions" && v->is_map()) {
        for (std::uint32_t j = 0; j < v->size; ++j) stack.emplace_back(v->entries[j].value, true);
      } else {
        stack.emplace_back(v, false);
      }
    }
  } else {
    stack.emplace_back(root, false);
  }
  while (!stack.empty()) {
    auto [node, cond_ctx] = stack.back();
    stack.pop_back();
    if (node == nullptr) continue;
    if (node->is_list()) {
      for (std::uint32_t i = 0; i < node->size; ++i) stack.emplace_back(node->items[i], false);
      continue;
    }
    if (!node->is_map()) continue;
    if (node->size == 1) {
      Intrinsic fn = intrinsic_from_key(node->entries[0].key);
      if (fn == Intrinsic::kCondition) {
        const Value* arg = node->entries[0].value;
        if (!cond_ctx || arg == nullptr || !arg->is_string()) fn = Intrinsic::kNone;
      }
      node->intrinsic = fn;
      if (fn == Intrinsic::kGetAtt) canonical_getatt(arena, node);
      Value* arg = node->entries[0].value;
      if (arg != nullptr && takes_conditions(fn) && arg->is_list()) {
        for (std::uint32_t i = 0; i < arg->size; ++i) stack.emplace_back(arg->items[i], true);
        continue;
      }
      stack.emplace_back(arg, false);
      continue;
    }
    for (std::uint32_t i = 0; i < node->size; ++i)
      stack.emplace_back(node->entries[i].value, false);
  }
}

void for_each_sub_variable(std::string_view text,
                           const std::function<void(std::string_view, std::size_t)>& fn) {
  std::size_t i = 0;
  while (true) {
    std::size_t start = text.find("${", i);
    if (start == std::string_view::npos) return;
    std::size_t close = text.find('}', start + 2);
    if (close == std::string_view::npos) return;
    i = close + 1;
    std::string_view name = text.substr(start + 2, close - start - 2);
    if (!name.empty() && name[0] == '!') continue;  // `${!Literal}` prints `${Literal}`
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (name.empty()) continue;
    fn(name, start);
  }
}

}  // namespace polc::internal
