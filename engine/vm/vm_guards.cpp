// Guarded values: template lists whose items exist under conditions (`Fn::If [C, Item,
// AWS::NoValue]`) read as pending lists, their concatenation, and statement loops that visit a
// pending list's items one by one under the conditions each needs, instead of forking the whole
// evaluation per condition. See engine/vm/vm_impl.h.
#include "engine/vm/vm_impl.h"

namespace polc {

namespace {

// `Fn::If [C, A, B]` with one branch AWS::NoValue and the other a plain map (a rule, a tag):
// the condition, the branch that exists and its value. False for other items.
bool guarded_item(const Value* item, std::string_view& cond, bool& branch, const Value*& value) {
  if (!item || item->kind != ValueKind::kMap || item->size != 1) return false;
  Intrinsic fn = item->intrinsic != Intrinsic::kNone ? item->intrinsic
                                                     : intrinsic_from_key(item->entries[0].key);
  const Value* arg = item->entries[0].value;
  if (fn != Intrinsic::kIf || !arg || arg->kind != ValueKind::kList || arg->size != 3 ||
      arg->items[0]->kind != ValueKind::kString)
    return false;
  auto no_value = [](const Value* v) {
    if (!v || v->kind != ValueKind::kMap || v->size != 1) return false;
    const Value* a = v->entries[0].value;
    return v->entries[0].key == "Ref" && a && a->kind == ValueKind::kString &&
           a->str() == "AWS::NoValue";
  };
  auto plain_map = [](const Value* v) {
    return v && v->kind == ValueKind::kMap && !v->is_intrinsic();
  };
  cond = arg->items[0]->str();
  if (no_value(arg->items[2]) && plain_map(arg->items[1])) {
    branch = true;
    value = arg->items[1];
    return true;
  }
  if (no_value(arg->items[1]) && plain_map(arg->items[2])) {
    branch = false;
    value = arg->items[2];
    return true;
  }
  return false;
}

}  // namespace

Val Vm::Impl::guarded_list(const Value* list) {
  if (ctx != 0 || reporting || !list || list->kind != ValueKind::kList) return node_val(list);
  // Only lists whose every item is a plain value or a guarded plain map: another intrinsic
  // (a nested Fn::If, a Ref to a parameter) is resolved the exact way, by the caller.
  bool any = false;
  for (const Value* item : list->list()) {
    std::string_view c;
    bool b;
    const Value* v;
    if (guarded_item(item, c, b, v)) {
      any = true;
      continue;
    }
    if (item && item->kind == ValueKind::kMap && item->is_intrinsic()) return node_val(list);
    if (item && item->kind == ValueKind::kMap && item->size == 1 &&
        intrinsic_from_key(item->entries[0].key) != Intrinsic::kNone)
      return node_val(list);
  }
  if (!any) return node_val(list);
  std::vector<Candidate> cands;
  bool conditional = false;
  for (const Value* item : list->list()) {
    std::string_view c;
    bool want = true;
    const Value* v = item;
    CondClause needs;
    if (guarded_item(item, c, want, v)) {
      const int r = peek_cond(c);
      if (r == -2) return Val::null();
      if (r >= 0 && (r == 1) != want) continue;  // the branch that exists is AWS::NoValue
      if (r < 0) {
        const ConditionDecl* decl = tmpl->find_condition(c);
        needs.emplace_back(decl ? decl->name : c, want);
        conditional = true;
      }
    } else if (item && item->kind == ValueKind::kNull) {
      continue;
    }
    cands.push_back({node_val(v), std::move(needs)});
  }
  // Every condition decided: the list as written, resolved by the caller as before.
  if (!conditional) return node_val(list);
  Val out;
  out.kind = VKind::kPending;
  out.len = static_cast<std::uint32_t>(pending.size());
  out.list = nullptr;
  pending.push_back(std::move(cands));
  return out;
}

Val Vm::Impl::concat_pending(Val a, Val b) {
  // The candidates of one side: a pending list's, or a list's items (needing nothing).
  std::vector<Candidate> cands;
  for (Val side : {a, b}) {
    if (side.kind == VKind::kPending) {
      if (side.len < pending.size())
        cands.insert(cands.end(), pending[side.len].begin(), pending[side.len].end());
      continue;
    }
    Val r = resolve(side);
    if (status != VmStatus::kOk) return Val::null();
    if (r.kind != VKind::kList && !(r.kind == VKind::kNode && r.node->kind == ValueKind::kList))
      return arith(Opcode::kAdd, a, b);  // not two lists: the ordinary `+` (which settles)
    VList* l = to_list(r, false);
    if (!l) return Val::null();
    for (std::uint32_t i = 0; i < l->size; ++i) cands.push_back({l->items[i], {}});
  }
  Val out;
  out.kind = VKind::kPending;
  out.len = static_cast<std::uint32_t>(pending.size());
  out.list = nullptr;
  pending.push_back(std::move(cands));
  return out;
}

void Vm::Impl::iter_init_guarded(std::size_t base, std::uint8_t slot, Val coll) {
  if (coll.kind != VKind::kPending || reporting) {
    VList* l = to_list(coll, true);
    if (!l) l = new_list(0);
    stack[base + slot] = Val::of_list(l);
    stack[base + slot + 1] = Val::of_int(0);
    return;
  }
  stack[base + slot] = coll;
  stack[base + slot + 1] = Val::of_int(0);
  guard_loops.push_back({frames.size(), slot, assignment.size(), decided.size()});
}

bool Vm::Impl::iter_next_guarded(std::size_t base, std::uint8_t slot, Val& item) {
  Val& lv = stack[base + slot];
  Val& iv = stack[base + slot + 1];
  if (guard_loops.empty() || guard_loops.back().frame != frames.size() ||
      guard_loops.back().slot != slot || lv.len >= pending.size() || iv.kind != VKind::kInt)
    return false;
  const GuardLoop g = guard_loops.back();
  while (true) {
    // The previous item's literals no longer hold.
    assignment.resize(g.literals);
    decided.resize(g.decided);
    const std::vector<Candidate>& cands = pending[lv.len];
    if (iv.integer < 0 || static_cast<std::size_t>(iv.integer) >= cands.size()) {
      guard_loops.pop_back();
      return false;
    }
    const Candidate c = cands[static_cast<std::size_t>(iv.integer)];
    iv.integer++;
    bool holds = true;
    for (const auto& [name, want] : c.needs) {
      const int r = peek_cond(name);
      if (r == -2) return false;  // error: the run stops
      if (r < 0) {
        // Undecided: both values are possible with the literals before it, so the item's
        // body runs under this one too (its findings hold under it).
        assignment.emplace_back(name, want);
      } else if ((r == 1) != want) {
        holds = false;
        break;
      }
    }
    if (!holds) continue;
    item = c.resource;
    return true;
  }
}

}  // namespace polc
