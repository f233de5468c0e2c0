// The reference graph of a template: ref_target, collect_refs, referrers, unknown_may_be_empty.
#include <re2/re2.h>

#include <algorithm>
#include <string>

#include "engine/base/limits.h"
#include "engine/program/builtins.h"
#include "engine/vm/vm_impl.h"

namespace polc {
namespace {

bool path_has_prefix(std::string_view path, std::string_view prefix) {
  if (prefix.empty()) return true;
  if (!path.starts_with(prefix)) return false;
  if (path.size() == prefix.size()) return true;
  char c = path[prefix.size()];
  return c == '.' || c == '[';
}

}  // namespace

std::uint32_t Vm::Impl::ref_target(const Value* n) {
  if (!n || n->kind != ValueKind::kMap || n->size != 1) return kNoIndex;
  const Value* arg = n->entries[0].value;
  Intrinsic fn =
      n->intrinsic != Intrinsic::kNone ? n->intrinsic : intrinsic_from_key(n->entries[0].key);
  if (fn == Intrinsic::kRef && arg && arg->kind == ValueKind::kString)
    return tmpl->find_resource(arg->str());
  if (fn == Intrinsic::kGetAtt && arg) {
    if (arg->kind == ValueKind::kList && arg->size >= 1 &&
        arg->items[0]->kind == ValueKind::kString)
      return tmpl->find_resource(arg->items[0]->str());
    if (arg->kind == ValueKind::kString) {
      std::string_view s = arg->str();
      return tmpl->find_resource(s.substr(0, s.find('.')));
    }
  }
  return kNoIndex;
}

void Vm::Impl::collect_refs(const Value* root, VList* out, int) {
  std::vector<const Value*> todo{root};
  std::size_t visited = 0;
  auto add_in = [&](std::uint32_t idx, std::uint32_t k) {
    if (idx == kNoIndex) return;
    for (std::uint32_t i = 0; i < out->size; ++i)
      if (out->items[i].len == idx && context_of(out->items[i]) == k) return;
    list_push(out, resource_val(idx, k));
  };
  auto add = [&](std::uint32_t idx) { add_in(idx, ctx); };
  // A Ref to a parameter a parent stack passes, an output of a nested stack, an import: the
  // resource of a linked template it resolves to, if any.
  auto add_linked = [&](const Value* v) {
    if (!world) return;
    Val r = resolve_node(v);
    if (status != VmStatus::kOk || r.kind != VKind::kNode || r.len == ctx) return;
    Context c(*this, r.len);
    add_in(ref_target(r.node), r.len);
  };
  while (!todo.empty() && visited < 200000) {
    const Value* v = todo.back();
    todo.pop_back();
    ++visited;
    if (!v) continue;
    if (v->kind == ValueKind::kList) {
      for (const Value* item : v->list()) todo.push_back(item);
      continue;
    }
    if (v->kind != ValueKind::kMap) continue;
    if (v->size == 1) {
      Intrinsic fn =
          v->intrinsic != Intrinsic::kNone ? v->intrinsic : intrinsic_from_key(v->entries[0].key);
      const Value* arg = v->entries[0].value;
      if (fn == Intrinsic::kRef || fn == Intrinsic::kGetAtt) {
        const std::uint32_t target = ref_target(v);
        const std::uint32_t before = out->size;
        if (target == kNoIndex || (world && fn == Intrinsic::kGetAtt &&
                                   tmpl->resources()[target].type == "AWS::CloudFormation::Stack"))
          add_linked(v);
        if (status != VmStatus::kOk) return;
        if (out->size == before) add(target);
        continue;
      }
      if (fn == Intrinsic::kImportValue) {
        add_linked(v);
        if (status != VmStatus::kOk) return;
        continue;
      }
      if (fn == Intrinsic::kIf && arg && arg->kind == ValueKind::kList && arg->size == 3 &&
          arg->items[0]->kind == ValueKind::kString) {
        if (ctx != 0) {  // a linked template's conditions are not explored: both branches
          todo.push_back(arg->items[1]);
          todo.push_back(arg->items[2]);
          continue;
        }
        int c = cond_value(arg->items[0]->str());
        if (c < 0) return;
        todo.push_back(arg->items[c == 1 ? 1 : 2]);
        continue;
      }
      if (fn == Intrinsic::kSub && arg) {
        const Value* s = arg->kind == ValueKind::kList && arg->size >= 1 ? arg->items[0] : arg;
        if (arg->kind == ValueKind::kList && arg->size == 2) todo.push_back(arg->items[1]);
        if (s && s->kind == ValueKind::kString) {
          std::string_view t = s->str();
          for (std::size_t i = 0; i + 1 < t.size(); ++i) {
            if (t[i] != '$' || t[i + 1] != '{') continue;
            std::size_t end = t.find('}', i + 2);
            if (end == std::string_view::npos) break;
            std::string_view name = t.substr(i + 2, end - i - 2);
            if (!name.empty() && name[0] != '!')
              add(tmpl->find_resource(name.substr(0, name.find('.'))));
            i = end;
          }
        }
        continue;
      }
    }
    for (const MapEntry& e : v->map()) todo.push_back(e.value);
  }
}

Val Vm::Impl::referrers(std::uint32_t resource, std::string_view type, std::string_view path) {
  VList* out = new_list(4);
  const auto& refs = tmpl->references();
  const bool linked = ctx != 0;  // a linked template's conditions are not explored
  // A referrer that exists only under conditions the run has not decided is a candidate with
  // the literals it needs; the result is then pending (VKind::kPending): emptiness becomes one
  // condition, the disjunction of the candidates', instead of a fork on each.
  std::vector<Candidate> cands;
  bool conditional = false, repeated = false;
  for (std::uint32_t ri : tmpl->references_to(resource)) {
    const Reference& ref = refs[ri];
    if (ref.from == kNoIndex || ref.from == resource) continue;
    const Resource& src = tmpl->resources()[ref.from];
    if (!type.empty() && !type_matches(type, src.type)) continue;
    if (ref.kind == RefKind::kDependsOn && !path.starts_with("DependsOn")) continue;
    if (!path_has_prefix(ref.path, path)) continue;
    CondClause needs;
    bool holds = true;
    // Literals the run has fixed or decided are settled here; the others become the
    // candidate's needs without asking the solver: a guard chain of k literals (a reference in
    // the k-th rung of a nested Fn::If) then costs one query on the candidates' disjunction,
    // not k, and emptiness is one condition whatever the chain's depth.
    auto need = [&](std::string_view name, bool want) {
      int c = known_cond(name);
      if (c < 0)
        needs.emplace_back(name, want);
      else if ((c == 1) != want)
        holds = false;
      return true;
    };
    if (!linked) {
      for (const ConditionGuard& g : ref.guards) {
        if (!need(g.condition, g.branch)) return Val::null();
        if (!holds) break;
      }
      if (holds && !src.condition.empty() && !need(src.condition, true)) return Val::null();
    }
    if (!holds) continue;
    bool dup = false;
    for (const Candidate& c : cands) dup |= c.resource.len == ref.from;
    // A resource reached by two references under different conditions exists when either
    // holds: such a list is resolved the exact way, below, by forking.
    if (dup) {
      repeated |= conditional || !needs.empty();
      continue;
    }
    conditional |= !needs.empty();
    cands.push_back({resource_val(ref.from), std::move(needs)});
  }
  if (repeated) {
    cands.clear();
    for (std::uint32_t ri : tmpl->references_to(resource)) {
      const Reference& ref = refs[ri];
      if (ref.from == kNoIndex || ref.from == resource) continue;
      const Resource& src = tmpl->resources()[ref.from];
      if (!type.empty() && !type_matches(type, src.type)) continue;
      if (ref.kind == RefKind::kDependsOn && !path.starts_with("DependsOn")) continue;
      if (!path_has_prefix(ref.path, path)) continue;
      bool holds = true;
      for (const ConditionGuard& g : linked ? std::span<const ConditionGuard>()
                                            : std::span<const ConditionGuard>(ref.guards)) {
        int c = cond_value(g.condition);
        if (c < 0) return Val::null();
        if ((c == 1) != g.branch) {
          holds = false;
          break;
        }
      }
      if (!holds) continue;
      if (!src.condition.empty() && !linked) {
        int c = cond_value(src.condition);
        if (c < 0) return Val::null();
        if (c == 0) continue;
      }
      bool dup = false;
      for (const Candidate& c : cands) dup |= c.resource.len == ref.from;
      if (!dup) cands.push_back({resource_val(ref.from), {}});
    }
    conditional = false;
  }
  // Resources of linked templates that refer to this one through an export, a parameter or a
  // nested stack's output. Their conditions are not explored: they count as present.
  if (world) {
    for (const ExternalReference& ext : world->referrers(*tmpl, resource)) {
      const Resource& src = ext.from_template->resources()[ext.from];
      if (!type.empty() && !type_matches(type, src.type)) continue;
      if (!path_has_prefix(ext.path, path)) continue;
      const std::uint32_t k = context_of(ext.from_template);
      bool dup = false;
      for (const Candidate& c : cands)
        dup |= c.resource.len == ext.from && context_of(c.resource) == k;
      if (!dup) cands.push_back({resource_val(ext.from, k), {}});
    }
  }
  if (conditional && !reporting) {
    Val v;
    v.kind = VKind::kPending;
    v.len = static_cast<std::uint32_t>(pending.size());
    v.list = nullptr;
    pending.push_back(std::move(cands));
    return v;
  }
  // While reporting, every candidate the assignment does not rule out is named.
  for (const Candidate& c : cands) {
    bool holds = true;
    for (const auto& [name, want] : c.needs) {
      int r = reporting ? peek_cond(name) : cond_value(name);
      if (r == -2 || (r < 0 && !reporting)) return Val::null();
      if (r >= 0 && (r == 1) != want) {
        holds = false;
        break;
      }
    }
    if (holds) list_push(out, c.resource);
  }
  return Val::of_list(out);
}

bool Vm::Impl::unknown_may_be_empty(const Value* n) {
  if (!n || n->kind != ValueKind::kMap || n->size != 1) return true;
  Intrinsic fn =
      n->intrinsic != Intrinsic::kNone ? n->intrinsic : intrinsic_from_key(n->entries[0].key);
  const Value* arg = n->entries[0].value;
  if (!arg) return true;
  switch (fn) {
    case Intrinsic::kRef: {
      if (arg->kind != ValueKind::kString) return true;
      std::string_view target = arg->str();
      if (is_pseudo_parameter(target)) return target == "AWS::NotificationARNs";
      std::uint32_t pi = tmpl->find_parameter(target);
      if (pi == kNoIndex) return true;
      const Parameter& p = tmpl->parameters()[pi];
      // AWS::CloudFormation Parameters page: a Number is a number; an AWS-specific type names
      // an existing resource; MinLength, AllowedValues and AllowedPattern constrain the value.
      if (p.type == "Number" || (p.type.starts_with("AWS::") && !p.type.starts_with("AWS::SSM")))
        return false;
      if (p.type != "String" && !p.type.empty()) return true;
      if (!p.node || p.node->kind != ValueKind::kMap) return true;
      double min_length = 0;
      if (const Value* ml = p.node->get("MinLength")) {
        Val mv = resolve_node(ml);
        if (number_of(mv, min_length) && min_length >= 1) return false;
      }
      if (const Value* av = p.node->get("AllowedValues");
          av && av->kind == ValueKind::kList && av->size > 0) {
        bool all_text = true;
        for (const Value* item : av->list())
          all_text &= item && (item->kind == ValueKind::kInt || item->kind == ValueKind::kFloat ||
                               item->kind == ValueKind::kBool ||
                               (item->kind == ValueKind::kString && item->size > 0));
        if (all_text) return false;
      }
      if (const Value* ap = p.node->get("AllowedPattern"); ap && ap->kind == ValueKind::kString) {
        std::string error;
        if (auto re = compile_regex(ap->str(), error); re && !RE2::FullMatch("", *re)) return false;
      }
      return true;
    }
    case Intrinsic::kSub: {
      const Value* t = arg->kind == ValueKind::kList && arg->size >= 1 ? arg->items[0] : arg;
      if (!t || t->kind != ValueKind::kString) return true;
      std::string_view text = t->str();
      for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{' &&
            (i + 2 >= text.size() || text[i + 2] != '!')) {
          std::size_t end = text.find('}', i + 2);
          if (end == std::string_view::npos) return false;  // literal text to the end
          i = end;
          continue;
        }
        return false;  // a literal character
      }
      return true;
    }
    case Intrinsic::kJoin: {
      if (arg->kind != ValueKind::kList || arg->size != 2 || !arg->items[1] ||
          arg->items[1]->kind != ValueKind::kList)
        return true;
      const Value* sep = arg->items[0];
      if (sep && sep->kind == ValueKind::kString && sep->size > 0 && arg->items[1]->size >= 2)
        return false;
      for (const Value* item : arg->items[1]->list())
        if (item && item->kind == ValueKind::kString && item->size > 0) return false;
      return true;
    }
    default:
      return true;
  }
}

}  // namespace polc
