// The builtins that read IAM policy documents (engine/program/builtins.def): list_of (a value
// given as one item or a list of items, as IAM's Statement, Action and Resource are),
// iam_actions (the access level table, engine/schema/iam_actions.h) and iam_match (IAM pattern
// matching against the policy's own lists of actions). `Vm::Impl::call_builtin` dispatches here.
#include <optional>
#include <string_view>
#include <vector>

#include "engine/schema/iam_actions.h"
#include "engine/vm/vm_impl.h"

namespace polc {

Val Vm::Impl::builtin_list_of(Val v) {
  // A pending list is a list (its items exist under conditions): kept, as is any list.
  if (v.kind == VKind::kPending) return v;
  const Val r = resolve(v);
  if (status != VmStatus::kOk) return Val::null();
  if (r.kind == VKind::kList || (r.kind == VKind::kNode && r.node->kind == ValueKind::kList))
    return v;
  if (r.is_null()) return Val::of_list(new_list(0));
  // One item, kept as given (a template value keeps its location); an unknown one too, so that
  // what is checked of the list's items stays unknown.
  VList* out = new_list(1);
  list_push(out, v);
  return Val::of_list(out);
}

bool Vm::Impl::iam_patterns(Val v, std::vector<std::string_view>& out, Val& unknown) {
  const Val p = resolve(v);
  if (status != VmStatus::kOk) return false;
  if (p.kind == VKind::kUnknown) {
    unknown = p;
  } else if (p.kind == VKind::kString) {
    out.push_back(p.str());
  } else if (p.kind == VKind::kList ||
             (p.kind == VKind::kNode && p.node->kind == ValueKind::kList)) {
    VList* l = to_list(v, false);
    if (status != VmStatus::kOk) return false;
    for (std::uint32_t i = 0; l && i < l->size; ++i) {
      const Val item = resolve(l->items[i]);
      if (status != VmStatus::kOk) return false;
      if (item.kind == VKind::kString)
        out.push_back(item.str());
      else if (item.kind == VKind::kUnknown && unknown.kind != VKind::kUnknown)
        unknown = item;
    }
  }
  return true;
}

Val Vm::Impl::builtin_iam_actions(Val* args, int argc) {
  Val lv = resolve(args[1]);
  std::optional<schema::IamAccessLevel> level;
  if (lv.kind == VKind::kString) level = schema::iam_access_level_from_name(lv.str());
  if (!level) {
    fail("type", "iam_actions() level is not \"Write\", \"Permissions management\" or \"Tagging\"");
    return Val::null();
  }
  std::vector<std::string_view> patterns;
  Val unknown;
  if (!iam_patterns(args[0], patterns, unknown)) return Val::null();
  if (unknown.kind == VKind::kUnknown) return unknown;
  std::vector<std::string_view> found;
  std::uint64_t work = 0;
  const bool except = argc > 2 && truth(resolve(args[2])) == 1;
  iam_actions_cache.match(patterns, *level, except, found, work);
  if (!charge(work)) return Val::null();
  // Up to every action of a level (thousands, for "*"): written in place, no push per item.
  VList* out = new_list(static_cast<std::uint32_t>(found.size()));
  for (std::size_t i = 0; i < found.size(); ++i) out->items[i] = Val::of_string(found[i]);
  out->size = static_cast<std::uint32_t>(found.size());
  return Val::of_list(out);
}

Val Vm::Impl::builtin_iam_match(Val* args, int argc) {
  // Per thread (a Vm is), reused: the common call (one pattern of a statement against a list of
  // a few dozen names) allocates nothing but its result.
  thread_local std::vector<std::string_view> patterns;
  thread_local schema::IamPatternSet set;
  patterns.clear();
  Val unknown;
  if (!iam_patterns(args[0], patterns, unknown)) return Val::null();
  bool except = false;
  if (argc > 2) {
    const Val e = resolve(args[2]);
    if (status != VmStatus::kOk) return Val::null();
    if (e.kind == VKind::kUnknown) return e;
    except = truth(e) == 1;
  }
  const Val nv = resolve(args[1]);
  if (status != VmStatus::kOk) return Val::null();
  if (nv.kind == VKind::kUnknown) return nv;
  VList* nl = to_list(args[1], false);
  if (status != VmStatus::kOk) return Val::null();
  std::uint64_t work = 0;
  set.assign(patterns, work);
  VList* out = new_list(nl ? nl->size : 0);
  bool unmatched = false;
  for (std::uint32_t i = 0; nl && i < nl->size; ++i) {
    Val item = nl->items[i];
    if (item.kind != VKind::kString) {  // a policy's list of names holds strings: no resolving
      item = resolve(item);
      if (status != VmStatus::kOk) return Val::null();
      if (item.kind == VKind::kUnknown) return item;
      if (item.kind != VKind::kString) continue;  // no IAM name: left out
    }
    const bool m = set.matches(item.str(), work);
    unmatched = unmatched || !m;
    if (m != except) list_push(out, item);
  }
  if (!charge(work)) return Val::null();
  // An unknown pattern may match any name the known ones leave: the answer is unknown unless
  // they match every name.
  if (unknown.kind == VKind::kUnknown && unmatched) return unknown;
  return Val::of_list(out);
}

}  // namespace polc
