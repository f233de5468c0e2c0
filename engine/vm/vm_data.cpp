// Template values as the VM sees them: resolution of intrinsic functions, field access,
// comparisons and text. See engine/program/vm_value.h for the value model.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "engine/base/limits.h"
#include "engine/vm/vm_impl.h"

namespace polc {

VList* Vm::Impl::new_list(std::uint32_t capacity) {
  auto* l = arena.make<VList>();
  if (capacity < 4) capacity = 4;
  l->items = arena.array<Val>(capacity).data();
  l->size = 0;
  l->capacity = capacity;
  return l;
}

void Vm::Impl::list_push(VList* l, Val v) {
  if (l->size == l->capacity) {
    std::uint32_t cap = l->capacity * 2;
    Val* items = arena.array<Val>(cap).data();
    std::memcpy(static_cast<void*>(items), l->items, sizeof(Val) * l->size);
    l->items = items;
    l->capacity = cap;
  }
  l->items[l->size++] = v;
}

namespace {

// Parses a CloudFormation-style number held in a string ("443", "-1", "1.5").
bool parse_number_text(std::string_view s, double& out) {
  if (s.empty() || s.size() > 40) return false;
  char buf[48];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  char* end = nullptr;
  double d = std::strtod(buf, &end);
  if (end != buf + s.size()) return false;
  if (!std::isfinite(d)) return false;
  // Reject hex, inf, nan spellings strtod accepts.
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
      return false;
  out = d;
  return true;
}

}  // namespace

bool Vm::Impl::number_of(Val v, double& out) {
  v = resolve(v);
  switch (v.kind) {
    case VKind::kInt:
      out = static_cast<double>(v.integer);
      return true;
    case VKind::kFloat:
      out = v.number;
      return true;
    case VKind::kString:
      return parse_number_text(v.str(), out);
    default:
      return false;
  }
}

Val Vm::Impl::resolve_node(const Value* n) {
  for (int hops = 0; n && hops < 64; ++hops) {
    switch (n->kind) {
      case ValueKind::kNull:
        return Val::null();
      case ValueKind::kBool:
        return Val::of_bool(n->boolean);
      case ValueKind::kInt:
        return Val::of_int(n->integer);
      case ValueKind::kFloat:
        return Val::of_float(n->number);
      case ValueKind::kString:
        return Val::of_string(n->str());
      case ValueKind::kList:
        return node_val(n);
      case ValueKind::kMap:
        break;
    }
    if (n->size != 1) return node_val(n);
    std::string_view key = n->entries[0].key;
    const Value* arg = n->entries[0].value;
    Intrinsic fn = n->intrinsic != Intrinsic::kNone ? n->intrinsic : intrinsic_from_key(key);
    switch (fn) {
      case Intrinsic::kNone:
        return node_val(n);
      case Intrinsic::kIf: {
        // A linked template's conditions are not explored: its value is unknown.
        if (ctx != 0) return Val::unknown("Fn::If in a linked template");
        if (!arg || arg->kind != ValueKind::kList || arg->size != 3 ||
            arg->items[0]->kind != ValueKind::kString)
          return Val::unknown("malformed Fn::If");
        int c = cond_value(arg->items[0]->str());
        if (c < 0) return Val::null();
        n = arg->items[c == 1 ? 1 : 2];
        continue;
      }
      case Intrinsic::kRef: {
        if (!arg || arg->kind != ValueKind::kString) return Val::unknown("malformed Ref");
        std::string_view target = arg->str();
        if (target == "AWS::NoValue") return Val::null();
        std::uint32_t pi = tmpl->find_parameter(target);
        const bool pseudo = pi == kNoIndex && is_pseudo_parameter(target);
        // A parameter a parent stack passes (linked stacks): the parent's value.
        if (pi != kNoIndex && world)
          if (LinkTarget passed = world->parameter(*tmpl, target)) return resolve_linked(passed);
        if (pi != kNoIndex || pseudo) {
          const Parameter* p = pi != kNoIndex ? &tmpl->parameters()[pi] : nullptr;
          // A value given for the deployment.
          if (const DeploymentValues* d = tmpl->deployment()) {
            auto it = d->values.find(target);
            if (it != d->values.end()) return parameter_text(p, it->second);
          }
          // What the condition assignment implies (the solver knows every parameter that a
          // condition compares): one value, or not the default.
          if (!tmpl->conditions().empty()) ++impure;  // depends on the assignment
          if (!assignment.empty()) {
            std::string dtext;
            const bool has_default = p && p->default_value && scalar_text(p->default_value, dtext);
            if (!spend_condition_work()) return Val::null();
            ConditionModel& cm = conditions();
            cm.set_assignment(assignment);
            std::string v;
            auto fact = cm.parameter(
                target, has_default ? std::string_view(dtext) : std::string_view("\x01no default"),
                v);
            if (fact == ConditionModel::ParamFact::kFixed) return parameter_text(p, v);
            if (fact == ConditionModel::ParamFact::kExcluded && has_default)
              return Val::unknown("parameter value implied by a condition");
          }
          if (pseudo) return pseudo_value(target);
          if (const Value* implied = implied_parameter(target, *p)) {
            if (implied == &kUnknownParameter)
              return Val::unknown("parameter value implied by a condition");
            n = implied;
            continue;
          }
          if (!p->default_value) return Val::unknown("parameter without a default");
          // A CommaDelimitedList default is a list at deploy time.
          if ((p->type == "CommaDelimitedList" || p->type.starts_with("List<")) &&
              p->default_value->kind == ValueKind::kString)
            return parameter_text(p, p->default_value->str());
          n = p->default_value;
          continue;
        }
        return node_val(n);  // a reference to a resource (or to an unknown name)
      }
      case Intrinsic::kGetAtt:
        if (world && arg && arg->kind == ValueKind::kList && arg->size >= 2 &&
            arg->items[0]->kind == ValueKind::kString &&
            arg->items[1]->kind == ValueKind::kString) {
          const std::uint32_t r = tmpl->find_resource(arg->items[0]->str());
          if (r != kNoIndex)
            if (LinkTarget out = world->stack_output(*tmpl, r, arg->items[1]->str()))
              return resolve_linked(out);
        }
        return node_val(n);
      case Intrinsic::kCondition: {
        if (!arg || arg->kind != ValueKind::kString) return node_val(n);
        if (ctx != 0) return Val::unknown("condition of a linked template");
        int c = cond_value(arg->str());
        if (c < 0) return Val::null();
        return Val::of_bool(c == 1);
      }
      case Intrinsic::kSub: {
        // `${Name}` is a parameter, a pseudo parameter or a variable of the second argument;
        // `${!Text}` is the literal `${Text}`. A resource or an attribute (`${R.Attr}`), or any
        // variable not known offline, makes the whole string unknown.
        const Value* s = arg;
        const Value* vars = nullptr;
        if (s && s->kind == ValueKind::kList && s->size >= 1) {
          if (s->size > 1) vars = s->items[1];
          s = s->items[0];
        }
        if (!s || s->kind != ValueKind::kString) return Val::unknown("malformed Fn::Sub");
        std::string_view t = s->str();
        std::string outs;
        for (std::size_t i = 0; i < t.size(); ++i) {
          if (t[i] == '$' && i + 1 < t.size() && t[i + 1] == '{') {
            if (i + 2 < t.size() && t[i + 2] == '!') {
              outs += "${";
              i += 2;
              continue;
            }
            std::size_t end = t.find('}', i + 2);
            if (end == std::string_view::npos) {
              outs += t.substr(i);
              break;
            }
            std::string_view name = t.substr(i + 2, end - i - 2);
            Val r;
            if (const Value* v = vars && vars->kind == ValueKind::kMap ? vars->get(name) : nullptr)
              r = resolve_node(v);
            else if (name.find('.') == std::string_view::npos)
              r = ref_value(name);
            else
              return Val::unknown("Fn::Sub of a resource attribute");
            if (status != VmStatus::kOk) return Val::null();
            if (r.kind != VKind::kString && r.kind != VKind::kInt && r.kind != VKind::kFloat &&
                r.kind != VKind::kBool)
              return Val::unknown("Fn::Sub with a variable not known offline");
            outs += text(r);
            if (outs.size() > kMaxStringBytes) return Val::unknown("Fn::Sub result too long");
            i = end;
            continue;
          }
          outs += t[i];
        }
        return make_string(outs);
      }
      case Intrinsic::kJoin: {
        if (!arg || arg->kind != ValueKind::kList || arg->size != 2 ||
            arg->items[0]->kind != ValueKind::kString)
          return Val::unknown("Fn::Join");
        VList* parts = to_list(node_val(arg->items[1]), false);
        if (status != VmStatus::kOk) return Val::null();
        if (!parts) return Val::unknown("Fn::Join");
        std::string outs;
        for (std::uint32_t i = 0; i < parts->size; ++i) {
          Val part = resolve(parts->items[i]);
          if (part.kind == VKind::kString)
            outs += part.str();
          else if (part.kind == VKind::kInt || part.kind == VKind::kFloat ||
                   part.kind == VKind::kBool)
            outs += text(part);
          else
            return Val::unknown("Fn::Join of a value not known offline");
          if (i + 1 < parts->size) outs += arg->items[0]->str();
        }
        return make_string(outs);
      }
      case Intrinsic::kSelect: {
        if (!arg || arg->kind != ValueKind::kList || arg->size != 2)
          return Val::unknown("Fn::Select");
        double idx = 0;
        Val iv = resolve_node(arg->items[0]);
        if (status != VmStatus::kOk) return Val::null();
        if (!number_of(iv, idx)) return Val::unknown("Fn::Select index not known offline");
        VList* items = to_list(node_val(arg->items[1]), false);
        if (status != VmStatus::kOk) return Val::null();
        Val whole = resolve_node(arg->items[1]);
        if (whole.kind == VKind::kUnknown) return whole;
        if (!items || !(idx >= 0 && idx < items->size))
          return Val::unknown("Fn::Select out of range");  // NaN too
        return resolve(items->items[static_cast<std::uint32_t>(idx)]);
      }
      case Intrinsic::kFindInMap: {
        if (!arg || arg->kind != ValueKind::kList || arg->size < 3)
          return Val::unknown("Fn::FindInMap");
        const Value* cur = tmpl->mappings();
        for (int k = 0; k < 3 && cur; ++k) {
          Val key = resolve_node(arg->items[k]);
          if (status != VmStatus::kOk) return Val::null();
          if (key.kind != VKind::kString && key.kind != VKind::kInt)
            return Val::unknown("Fn::FindInMap key not known offline");
          cur = cur->get(text(key));
        }
        if (!cur) {
          if (arg->size == 4 && arg->items[3]->kind == ValueKind::kMap)
            if (const Value* dv = arg->items[3]->get("DefaultValue")) {
              n = dv;
              continue;
            }
          return Val::unknown("Fn::FindInMap key not in Mappings");
        }
        n = cur;
        continue;
      }
      case Intrinsic::kImportValue:
        if (world)
          if (LinkTarget exported = world->import_value(n)) return resolve_linked(exported);
        return Val::unknown("Fn::ImportValue");
      default:
        return Val::unknown(intrinsic_name(fn));
    }
  }
  return n ? Val::unknown("intrinsic nesting too deep") : Val::null();
}

Val Vm::Impl::located(const Value* v) {
  if (!v) return Val::null();
  switch (v->kind) {
    case ValueKind::kList:
      return guarded_list(v);
    case ValueKind::kNull:
      return Val::null();
    case ValueKind::kBool:
    case ValueKind::kInt:
    case ValueKind::kFloat:
    case ValueKind::kString:
      return node_val(v);  // a scalar written in the template (see below)
    case ValueKind::kMap:
      break;
  }
  Val r = resolve_node(v);
  if (status != VmStatus::kOk) return Val::null();
  // A scalar written in the template, or a value that cannot be computed offline, stays a node:
  // `at` can then point at it, and two identical intrinsic expressions still compare equal.
  bool scalar = r.kind == VKind::kBool || r.kind == VKind::kInt || r.kind == VKind::kFloat ||
                r.kind == VKind::kString;
  if ((scalar && v->kind != ValueKind::kMap) ||
      (r.kind == VKind::kUnknown && v->kind == ValueKind::kMap))
    return node_val(v);
  return r;
}

namespace {
// Structural equality of two raw template values (intrinsic functions compared as written).
bool raw_equal(const Value* a, const Value* b, int depth) {
  if (a == b) return true;
  if (!a || !b || depth > 64 || a->kind != b->kind) return false;
  switch (a->kind) {
    case ValueKind::kNull:
      return true;
    case ValueKind::kBool:
      return a->boolean == b->boolean;
    case ValueKind::kInt:
      return a->integer == b->integer;
    case ValueKind::kFloat:
      return a->number == b->number;
    case ValueKind::kString:
      return a->str() == b->str();
    case ValueKind::kList:
      if (a->size != b->size) return false;
      for (std::uint32_t i = 0; i < a->size; ++i)
        if (!raw_equal(a->items[i], b->items[i], depth + 1)) return false;
      return true;
    case ValueKind::kMap:
      if (a->size != b->size) return false;
      for (std::uint32_t i = 0; i < a->size; ++i)
        if (a->entries[i].key != b->entries[i].key ||
            !raw_equal(a->entries[i].value, b->entries[i].value, depth + 1))
          return false;
      return true;
  }
  return false;
}
}  // namespace

VList* Vm::Impl::to_list(Val v, bool map_keys) {
  v = resolve(v);
  if (status != VmStatus::kOk) return nullptr;
  Context context(*this, context_of(v));
  if (v.kind == VKind::kList) {
    // Drop absent items of VM lists lazily built from nodes? VM lists hold resolved items.
    return v.list;
  }
  if (v.kind == VKind::kMap) {
    VList* l = new_list(v.map->size);
    for (std::uint32_t i = 0; i < v.map->size; ++i)
      list_push(l, map_keys ? v.map->keys[i] : v.map->values[i]);
    return l;
  }
  if (v.kind != VKind::kNode) return nullptr;
  const Value* n = v.node;
  if (n->kind == ValueKind::kList) {
    VList* l = new_list(n->size);
    for (const Value* item : n->list()) {
      // Like a map field, an item keeps its node when it is a scalar or cannot be computed
      // offline: `at` points at it, and intrinsic(), ref_name() and text_template() see its form.
      Val r = located(item);
      if (status != VmStatus::kOk) return nullptr;
      if (r.is_null()) continue;  // AWS::NoValue and Fn::If branches to it drop out
      // An unknown item stays a template value (its location, and what builtins know of
      // template values: it exists, it is no map).
      list_push(l, r.kind == VKind::kUnknown ? Val::of_node(item) : r);
    }
    return l;
  }
  if (n->kind == ValueKind::kMap && !n->is_intrinsic()) {
    VList* l = new_list(n->size);
    for (const MapEntry& e : n->map()) {
      if (map_keys) {
        list_push(l, Val::of_string(e.key));
      } else {
        Val r = resolve_node(e.value);
        if (status != VmStatus::kOk) return nullptr;
        if (!r.is_null()) list_push(l, r.kind == VKind::kUnknown ? Val::of_node(e.value) : r);
      }
    }
    return l;
  }
  return nullptr;
}

Val Vm::Impl::field(Val base, std::string_view name) {
  // The common case first: a property of a template map of the current template. A map of more
  // than one key is never an intrinsic function, so resolving it would give it back.
  if (base.kind == VKind::kNode && base.len == ctx && status == VmStatus::kOk &&
      base.node->kind == ValueKind::kMap && base.node->size != 1 && !base.node->is_intrinsic()) {
    const Value* v = base.node->get(name);
    return v ? located(v) : Val::null();
  }
  base = resolve(base);
  if (status != VmStatus::kOk) return Val::null();
  Context context(*this, context_of(base));
  switch (base.kind) {
    case VKind::kResource: {
      const Resource& r = tmpl->resources()[base.len];
      if (name == "id" || name == "logical_id") return Val::of_string(r.logical_id);
      if (name == "type" || name == "Type") return Val::of_string(r.type);
      if (name == "Condition" || name == "condition")
        return r.condition.empty() ? Val::null() : Val::of_string(r.condition);
      if (name == "cdk_path") return r.cdk_path.empty() ? Val::null() : Val::of_string(r.cdk_path);
      if (name == "generated_by")
        return r.generated_by.empty() ? Val::null() : Val::of_string(r.generated_by);
      if (name == "Properties" || name == "properties")
        return r.properties ? located(r.properties) : Val::null();
      if (name == "Metadata" || name == "metadata")
        return r.metadata ? located(r.metadata) : Val::null();
      const Value* v = r.node ? r.node->get(name) : nullptr;
      return v ? located(v) : Val::null();
    }
    case VKind::kNode: {
      const Value* n = base.node;
      if (n->kind == ValueKind::kMap && !n->is_intrinsic()) {
        const Value* v = n->get(name);
        return v ? located(v) : Val::null();
      }
      if (n->kind == ValueKind::kList) {
        VList* items = to_list(base, false);
        if (!items) return Val::null();
        VList* out = new_list(items->size);
        for (std::uint32_t i = 0; i < items->size; ++i) {
          Val fv = field(items->items[i], name);
          if (status != VmStatus::kOk) return Val::null();
          if (!fv.is_null()) list_push(out, fv);
        }
        return Val::of_list(out);
      }
      return Val::null();  // a field of a Ref/GetAtt value: absent
    }
    case VKind::kMap:
      for (std::uint32_t i = 0; i < base.map->size; ++i)
        if (base.map->keys[i].str() == name) return resolve(base.map->values[i]);
      return Val::null();
    case VKind::kList: {
      VList* out = new_list(base.list->size);
      for (std::uint32_t i = 0; i < base.list->size; ++i) {
        Val fv = field(base.list->items[i], name);
        if (status != VmStatus::kOk) return Val::null();
        if (!fv.is_null()) list_push(out, fv);
      }
      return Val::of_list(out);
    }
    case VKind::kUnknown:
      return base;
    default:
      return Val::null();
  }
}

Val Vm::Impl::index(Val base, Val idx) {
  idx = resolve(idx);
  if (idx.kind == VKind::kUnknown) return idx;
  if (idx.kind == VKind::kString) return field(base, idx.str());
  double d;
  if (!number_of(idx, d)) return Val::null();
  base = resolve(base);
  if (base.kind == VKind::kUnknown) return base;
  VList* l = to_list(base, false);
  if (!l) return Val::null();
  if (!(d > -4e9 && d < 4e9)) return Val::null();  // also NaN; keeps the cast below defined
  long i = static_cast<long>(d);
  if (i < 0) i += l->size;
  if (i < 0 || i >= static_cast<long>(l->size)) return Val::null();
  return l->items[i];  // as to_list gave it: a located node or a resolved value
}

Val Vm::Impl::wildcard(Val base) {
  base = resolve(base);
  if (base.kind == VKind::kUnknown) return base;
  VList* l = to_list(base, false);
  return l ? Val::of_list(l) : Val::of_list(new_list(0));
}

int Vm::Impl::truth(Val v) {
  const bool template_value = v.kind == VKind::kNode;
  v = resolve(v);
  // Evaluation is total on template data: a template value that is not a truth value (a
  // number, a list, a map, "yes") is not true. A non-boolean the policy computed itself stays a
  // type error (a bug of the policy, reported where it is).
  if (template_value && v.kind != VKind::kBool && v.kind != VKind::kNull &&
      v.kind != VKind::kUnknown &&
      !(v.kind == VKind::kString && (v.str() == "true" || v.str() == "True" || v.str() == "TRUE")))
    return 0;
  switch (v.kind) {
    case VKind::kBool:
      return v.boolean ? 1 : 0;
    case VKind::kNull:
      return 0;
    case VKind::kUnknown:
      return -1;
    case VKind::kString: {
      std::string_view s = v.str();
      if (s == "true" || s == "True" || s == "TRUE") return 1;
      if (s == "false" || s == "False" || s == "FALSE") return 0;
      return -2;
    }
    default:
      return -2;
  }
}

int Vm::Impl::equals(Val a, Val b, int depth) {
  if (a.kind == VKind::kNode && b.kind == VKind::kNode && a.node->kind == ValueKind::kMap &&
      a.node->is_intrinsic() && raw_equal(a.node, b.node, 0))
    return 1;
  a = resolve(a);
  b = resolve(b);
  if (status != VmStatus::kOk) return 0;
  if (a.kind == VKind::kUnknown || b.kind == VKind::kUnknown) return -1;
  if (depth > static_cast<int>(kMaxNestingDepth)) return 0;
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null() ? 1 : 0;
  double x, y;
  bool an = a.kind == VKind::kInt || a.kind == VKind::kFloat;
  bool bn = b.kind == VKind::kInt || b.kind == VKind::kFloat;
  if (an || bn) {
    // CloudFormation accepts "443" and 443 alike.
    if (number_of(a, x) && number_of(b, y)) return x == y ? 1 : 0;
    return 0;
  }
  if (a.kind == VKind::kBool || b.kind == VKind::kBool) {
    int ta = truth(a), tb = truth(b);
    if (ta < 0 || tb < 0) return 0;
    return ta == tb ? 1 : 0;
  }
  if (a.kind == VKind::kString && b.kind == VKind::kString) {
    if (a.len == b.len && !charge(a.len)) return 0;
    return a.str() == b.str() ? 1 : 0;
  }
  if (a.kind == VKind::kResource && b.kind == VKind::kResource)
    return a.len == b.len && a.integer == b.integer ? 1 : 0;
  if (a.kind == VKind::kString || b.kind == VKind::kString || a.kind == VKind::kResource ||
      b.kind == VKind::kResource)
    return 0;
  // Collections: lists compare item by item, maps key by key.
  bool a_map = a.kind == VKind::kMap || (a.kind == VKind::kNode && a.node->kind == ValueKind::kMap);
  bool b_map = b.kind == VKind::kMap || (b.kind == VKind::kNode && b.node->kind == ValueKind::kMap);
  if (a_map != b_map) return 0;
  if (a_map) {
    if (a.kind == VKind::kNode && b.kind == VKind::kNode) {
      if (a.node == b.node) return 1;
      if (a.node->size != b.node->size || a.node->intrinsic != b.node->intrinsic) return 0;
      for (const MapEntry& e : a.node->map()) {
        const Value* other = b.node->get(e.key);
        if (!other) return 0;
        Val x = Val::of_node(e.value), y = Val::of_node(other);
        x.len = a.len;
        y.len = b.len;
        int r = equals(x, y, depth + 1);
        if (r != 1) return r;
      }
      return 1;
    }
    VList* ak = to_list(a, true);
    VList* bk = to_list(b, true);
    if (!ak || !bk || ak->size != bk->size) return 0;
    for (std::uint32_t i = 0; i < ak->size; ++i) {
      Val key = ak->items[i];
      int r = equals(field(a, key.str()), field(b, key.str()), depth + 1);
      if (r != 1) return r;
    }
    return 1;
  }
  VList* al = to_list(a, false);
  VList* bl = to_list(b, false);
  if (!al || !bl) return 0;
  if (al->size != bl->size) return 0;
  for (std::uint32_t i = 0; i < al->size; ++i) {
    int r = equals(al->items[i], bl->items[i], depth + 1);
    if (r != 1) return r;
  }
  return 1;
}

int Vm::Impl::compare(Val a, Val b) {
  a = resolve(a);
  b = resolve(b);
  if (a.kind == VKind::kUnknown || b.kind == VKind::kUnknown) return 3;
  double x, y;
  if ((a.kind == VKind::kInt || a.kind == VKind::kFloat || b.kind == VKind::kInt ||
       b.kind == VKind::kFloat) &&
      number_of(a, x) && number_of(b, y))
    return x < y ? -1 : x > y ? 1 : 0;
  if (a.kind == VKind::kString && b.kind == VKind::kString) {
    if (!charge(std::min(a.len, b.len))) return 2;
    int c = a.str().compare(b.str());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return 2;
}

Val Vm::Impl::member(Val needle, Val haystack) {
  haystack = resolve(haystack);
  needle = resolve(needle);
  if (haystack.kind == VKind::kUnknown) return haystack;
  if (haystack.kind == VKind::kString) {
    if (needle.kind == VKind::kUnknown) return needle;
    if (needle.kind != VKind::kString) return Val::of_bool(false);
    // Linear time (glibc's memmem is the two-way algorithm), charged as such.
    if (!charge(std::uint64_t{haystack.len} + needle.len)) return Val::null();
    return Val::of_bool(find_linear(haystack.str(), needle.str(), 0) != std::string_view::npos);
  }
  // A string in a template list of plain strings (an IAM statement's Action or Resource list,
  // "*" in it): compared in place, as the loop below would after `to_list` (which drops the
  // absent items and keeps the strings as nodes, which `equals` resolves back), without the copy.
  if (needle.kind == VKind::kString && haystack.kind == VKind::kNode && haystack.len == ctx &&
      haystack.node->kind == ValueKind::kList) {
    bool plain = true;
    for (const Value* item : haystack.node->list())
      plain = plain && item && (item->kind == ValueKind::kString || item->kind == ValueKind::kNull);
    if (plain) {
      for (const Value* item : haystack.node->list()) {
        if (item->kind != ValueKind::kString || item->size != needle.len) continue;
        if (!charge(needle.len)) return Val::null();
        if (item->str() == needle.str()) return Val::of_bool(true);
      }
      return Val::of_bool(false);
    }
  }
  VList* l = to_list(haystack, true);
  if (!l) return Val::of_bool(false);
  bool saw_unknown = needle.kind == VKind::kUnknown;
  for (std::uint32_t i = 0; i < l->size; ++i) {
    const Val item = l->items[i];
    // Two strings (a name looked up in a list of names, the common case): what `equals` does
    // for them, without its dispatch.
    const int e = needle.kind == VKind::kString && item.kind == VKind::kString
                      ? (item.len == needle.len && charge(needle.len) &&
                         (needle.len == 0 ||
                          std::memcmp(item.chars, needle.chars, needle.len) == 0))
                      : equals(needle, item);
    if (e == 1) return Val::of_bool(true);
    if (e < 0) saw_unknown = true;
  }
  return saw_unknown ? Val::unknown("membership of an unknown value") : Val::of_bool(false);
}

Val Vm::Impl::arith(Opcode op, Val a, Val b) {
  a = resolve(a);
  b = resolve(b);
  if (a.kind == VKind::kUnknown) return a;
  if (b.kind == VKind::kUnknown) return b;
  if (op == Opcode::kAdd) {
    if (a.kind == VKind::kString || b.kind == VKind::kString) {
      if (a.kind == VKind::kString && b.kind == VKind::kString) {
        if (a.str().size() + b.str().size() > kMaxStringBytes) {
          fail("string-length", "string concatenation exceeds " + std::to_string(kMaxStringBytes) +
                                    " bytes (kMaxStringBytes)");
          return Val::null();
        }
        return make_string(std::string(a.str()) + std::string(b.str()));
      }
      return Val::null();
    }
    bool al =
        a.kind == VKind::kList || (a.kind == VKind::kNode && a.node->kind == ValueKind::kList);
    bool bl =
        b.kind == VKind::kList || (b.kind == VKind::kNode && b.node->kind == ValueKind::kList);
    if (al && bl) {
      VList* x = to_list(a, false);
      VList* y = to_list(b, false);
      if (!x || !y) return Val::null();  // a fork was requested while resolving the items
      if (static_cast<std::uint64_t>(x->size) + y->size > kMaxVmMemoryBytes / sizeof(Val)) {
        fail("vm-memory", "list concatenation exceeds kMaxVmMemoryBytes");
        return Val::null();
      }
      VList* out = new_list(x->size + y->size);
      for (std::uint32_t i = 0; i < x->size; ++i) list_push(out, x->items[i]);
      for (std::uint32_t i = 0; i < y->size; ++i) list_push(out, y->items[i]);
      return Val::of_list(out);
    }
  }
  if (a.kind == VKind::kInt && b.kind == VKind::kInt) {
    std::int64_t x = a.integer, y = b.integer, r = 0;
    switch (op) {
      case Opcode::kAdd:
        if (__builtin_add_overflow(x, y, &r)) return Val::unknown("integer overflow");
        return Val::of_int(r);
      case Opcode::kSub:
        if (__builtin_sub_overflow(x, y, &r)) return Val::unknown("integer overflow");
        return Val::of_int(r);
      case Opcode::kMul:
        if (__builtin_mul_overflow(x, y, &r)) return Val::unknown("integer overflow");
        return Val::of_int(r);
      case Opcode::kDiv:
        // INT64_MIN / -1 is the one quotient that does not fit (and traps in hardware, as does
        // INT64_MIN % -1): test it before any division is done.
        if (y == 0) return Val::null();
        if (x == INT64_MIN && y == -1) return Val::unknown("integer overflow");
        if (x % y == 0) return Val::of_int(x / y);
        return Val::of_float(static_cast<double>(x) / static_cast<double>(y));
      case Opcode::kMod:
        if (y == 0) return Val::null();
        if (y == -1) return Val::of_int(0);  // INT64_MIN % -1 traps; every x % -1 is 0
        return Val::of_int(x % y);
      default:
        return Val::null();
    }
  }
  double x, y;
  if (!number_of(a, x) || !number_of(b, y)) return Val::null();
  switch (op) {
    case Opcode::kAdd:
      return Val::of_float(x + y);
    case Opcode::kSub:
      return Val::of_float(x - y);
    case Opcode::kMul:
      return Val::of_float(x * y);
    case Opcode::kDiv:
      return y == 0 ? Val::null() : Val::of_float(x / y);
    case Opcode::kMod:
      return y == 0 ? Val::null() : Val::of_float(std::fmod(x, y));
    default:
      return Val::null();
  }
}

std::string Vm::Impl::text(Val v, int depth) {
  if (v.kind == VKind::kNode) {
    const Value* n = v.node;
    if (n->kind == ValueKind::kMap && n->is_intrinsic() && n->size == 1) {
      const Value* arg = n->entries[0].value;
      if (n->intrinsic == Intrinsic::kRef && arg && arg->kind == ValueKind::kString)
        return "!Ref " + std::string(arg->str());
      if (n->intrinsic == Intrinsic::kGetAtt && arg && arg->kind == ValueKind::kList &&
          arg->size == 2 && arg->items[0]->kind == ValueKind::kString &&
          arg->items[1]->kind == ValueKind::kString)
        return "!GetAtt " + std::string(arg->items[0]->str()) + "." +
               std::string(arg->items[1]->str());
      return std::string(n->entries[0].key) + "(...)";
    }
  }
  v = resolve(v);
  if (depth > 8) return "...";
  switch (v.kind) {
    case VKind::kNull:
      return "null";
    case VKind::kBool:
      return v.boolean ? "true" : "false";
    case VKind::kInt:
      return std::to_string(v.integer);
    case VKind::kFloat: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%g", v.number);
      return buf;
    }
    case VKind::kString:
      return std::string(v.str());
    case VKind::kResource:
      return std::string(contexts[context_of(v)]->resources()[v.len].logical_id);
    case VKind::kUnknown:
      return "<unknown: " + std::string(v.str()) + ">";
    case VKind::kPending:  // resolved above
      return "null";
    case VKind::kList:
    case VKind::kNode:
    case VKind::kMap: {
      bool is_map =
          v.kind == VKind::kMap || (v.kind == VKind::kNode && v.node->kind == ValueKind::kMap);
      std::string out = is_map ? "{" : "[";
      if (is_map) {
        VList* ks = to_list(v, true);
        for (std::uint32_t i = 0; ks && i < ks->size && i < 20 && out.size() <= kMaxStringBytes;
             ++i) {
          if (i) out += ", ";
          out += std::string(ks->items[i].str()) + ": " +
                 text(field(v, ks->items[i].str()), depth + 1);
        }
      } else {
        VList* l = to_list(v, false);
        for (std::uint32_t i = 0; l && i < l->size && i < 20 && out.size() <= kMaxStringBytes;
             ++i) {
          if (i) out += ", ";
          out += text(l->items[i], depth + 1);
        }
      }
      return out + (is_map ? "}" : "]");
    }
  }
  return "?";
}


}  // namespace polc
