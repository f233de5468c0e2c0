// Parameters, pseudo parameters, linked-stack values, and where a node sits (resource, path).
#include <string>

#include "engine/base/limits.h"
#include "engine/vm/vm_impl.h"

namespace polc {

const Value Vm::Impl::kUnknownParameter{};

const Value* Vm::Impl::implied_parameter(std::string_view name, const Parameter& p) {
  // Under an assignment, a condition `Fn::Equals [Ref P, literal]` (possibly under `Fn::Not`)
  // fixes P: equal to the literal when the condition holds, and different from it otherwise (so
  // a default equal to that literal cannot be used).
  if (ctx != 0) return nullptr;  // the assignment is over the subject's conditions
  for (const auto& [cname, value] : assignment) {
    const ConditionDecl* decl = tmpl->find_condition(cname);
    if (!decl || !decl->expr) continue;
    const Value* e = decl->expr;
    bool want = value;
    for (int i = 0;
         i < 4 && e && e->kind == ValueKind::kMap && e->size == 1 && e->entries[0].key == "Fn::Not";
         ++i) {
      const Value* arg = e->entries[0].value;
      if (!arg || arg->kind != ValueKind::kList || arg->size != 1) {
        e = nullptr;
        break;
      }
      e = arg->items[0];
      want = !want;
    }
    if (!e || e->kind != ValueKind::kMap || e->size != 1 || e->entries[0].key != "Fn::Equals")
      continue;
    const Value* args = e->entries[0].value;
    if (!args || args->kind != ValueKind::kList || args->size != 2) continue;
    for (int side = 0; side < 2; ++side) {
      const Value* ref = args->items[side];
      const Value* lit = args->items[1 - side];
      if (!lit || lit->kind == ValueKind::kMap || lit->kind == ValueKind::kList) continue;
      // `Fn::Join [delim, Ref P]` (how templates test a list parameter for emptiness).
      std::string_view delim;
      bool joined = false;
      if (ref && ref->kind == ValueKind::kMap && ref->size == 1 &&
          ref->entries[0].key == "Fn::Join") {
        const Value* j = ref->entries[0].value;
        if (!j || j->kind != ValueKind::kList || j->size != 2 ||
            j->items[0]->kind != ValueKind::kString)
          continue;
        delim = j->items[0]->str();
        ref = j->items[1];
        joined = true;
      }
      const Value* target =
          ref && ref->kind == ValueKind::kMap && ref->size == 1 && ref->entries[0].key == "Ref"
              ? ref->entries[0].value
              : nullptr;
      if (!target || target->kind != ValueKind::kString || target->str() != name) continue;
      if (want) {
        if (!joined) return lit;
        continue;
      }
      if (!p.default_value) continue;
      if (joined) {
        // The default as the joined text: a CommaDelimitedList default "a,b" joins to "a<delim>b".
        if (p.default_value->kind != ValueKind::kString || lit->kind != ValueKind::kString)
          continue;
        std::string text;
        for (char c : p.default_value->str()) {
          if (c == ',')
            text += delim;
          else if (c != ' ')
            text += c;
        }
        if (text == lit->str()) return &kUnknownParameter;
        continue;
      }
      if (equals(resolve_node(p.default_value), resolve_node(lit)) == 1) return &kUnknownParameter;
    }
  }
  return nullptr;
}

Val Vm::Impl::parameter_text(const Parameter* p, std::string_view s) {
  if (!p || !(p->type == "CommaDelimitedList" || p->type.starts_with("List<")))
    return make_string(s);
  VList* l = new_list(4);
  if (!s.empty()) {
    std::size_t start = 0;
    while (true) {
      std::size_t comma = s.find(',', start);
      std::string_view part = s.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
      list_push(l, make_string(part));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  return Val::of_list(l);
}

Val Vm::Impl::ref_value(std::string_view name) {
  if (name == "AWS::NoValue") return Val::null();
  if (is_pseudo_parameter(name)) return pseudo_value(name);
  std::uint32_t pi = tmpl->find_parameter(name);
  if (pi == kNoIndex) return Val::unknown("Ref to a resource");  // its physical ID
  const Parameter& p = tmpl->parameters()[pi];
  if (const Value* implied = implied_parameter(name, p)) {
    if (implied == &kUnknownParameter)
      return Val::unknown("parameter value implied by a condition");
    return resolve_node(implied);
  }
  if (!p.default_value) return Val::unknown("parameter without a default");
  return resolve_node(p.default_value);
}

Val Vm::Impl::pseudo_value(std::string_view name) {
  for (std::size_t i = 0; i < set.globals.size(); ++i)
    if (set.globals[i].name == name && i < set.global_vals.size()) return set.global_vals[i];
  // One value per partition: the commercial one unless configured (`--pseudo-parameter`); a
  // finding of an evaluation that used it says so.
  if (name == "AWS::Partition") {
    assumed = "AWS::Partition is aws";
    return Val::of_string("aws");
  }
  if (name == "AWS::URLSuffix") {
    assumed = "AWS::URLSuffix is amazonaws.com";
    return Val::of_string("amazonaws.com");
  }
  return Val::unknown("pseudo parameter");
}

Val Vm::Impl::resolve_linked(const LinkTarget& target) {
  if (link_depth >= kMaxLinkDepth) return Val::unknown("links nested too deep (kMaxLinkDepth)");
  Context c(*this, context_of(target.tmpl));
  ++link_depth;
  Val v = resolve_node(target.node);
  --link_depth;
  return v;
}

std::uint32_t Vm::Impl::resource_containing(const Value* node) {
  // Resources expanded from one Fn::ForEach share the loop's offset: every resource starting
  // at the nearest offset is tried.
  const auto& rs = tmpl->resources();
  bool any = false;
  std::uint32_t nearest = 0;
  for (const Resource& r : rs)
    if (r.node && r.offset <= node->offset && (!any || r.offset > nearest)) {
      nearest = r.offset;
      any = true;
    }
  if (!any) return kNoIndex;
  for (std::uint32_t i = 0; i < rs.size(); ++i)
    if (rs[i].node && rs[i].offset == nearest && (rs[i].node == node || !path_of(node, i).empty()))
      return i;
  return kNoIndex;
}

// The property path of a template node below a resource (for a finding located `at` a node).
std::string Vm::Impl::path_of(const Value* node, std::uint32_t resource) {
  if (resource == kNoIndex) return {};
  const Resource& r = tmpl->resources()[resource];
  if (!r.node) return {};
  if (node == r.node) return {};
  // Depth-first from the resource node, children last to first, at most kMaxPathSearchNodes
  // nodes; the path is spelled from the stack only for the node found.
  std::vector<PathStep>& stack = path_stack;
  stack.clear();
  auto branches = [](const Value* v) {
    return v->kind == ValueKind::kMap || v->kind == ValueKind::kList;
  };
  std::size_t visited = 1;
  if (branches(r.node)) stack.push_back({r.node, r.node->size});
  while (!stack.empty()) {
    PathStep& o = stack.back();
    if (o.next == 0 || visited >= kMaxPathSearchNodes) {
      stack.pop_back();
      continue;
    }
    const std::uint32_t i = --o.next;
    const Value* child = o.v->kind == ValueKind::kMap ? o.v->entries[i].value : o.v->items[i];
    if (!child) continue;
    ++visited;
    if (child == node) {
      std::string path;
      for (const PathStep& step : stack) {
        if (step.v->kind == ValueKind::kMap) {
          if (!path.empty()) path += '.';
          path += step.v->entries[step.next].key;
        } else {
          path += '[';
          path += std::to_string(step.next);
          path += ']';
        }
      }
      return path;
    }
    if (branches(child)) stack.push_back({child, child->size});
  }
  return {};
}

}  // namespace polc
