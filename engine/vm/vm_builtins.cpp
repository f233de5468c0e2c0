// The builtin functions of the policy language (engine/program/builtins.def lists them).
#include <re2/re2.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>

#include "engine/base/limits.h"
#include "engine/program/builtins.h"
#include "engine/vm/net.h"
#include "engine/vm/vm_impl.h"

namespace polc {
namespace {

// A number computed in double precision from template data (ports can be any number, also
// NaN or infinite): an integer when it is one and fits in int64, else a float. Converting an
// out-of-range double to an integer is undefined behaviour, so it is never done blindly.
Val number_val(double d) {
  if (std::isfinite(d) && d == std::floor(d) && d >= -9223372036854775808.0 &&
      d < 9223372036854775808.0)
    return Val::of_int(static_cast<std::int64_t>(d));
  return Val::of_float(d);
}

// A resolved node that is a map with one intrinsic key (Ref or Fn::GetAtt to a resource: a
// reference value), not a map of properties.
bool is_reference_node(const Value* n) {
  if (n->kind != ValueKind::kMap) return false;
  if (n->is_intrinsic()) return true;
  return n->size == 1 && intrinsic_from_key(n->entries[0].key) != Intrinsic::kNone;
}

// The intrinsic function a raw template value is (kNone for a resolved value or anything else),
// and its single argument in `arg` (nullptr when none).
Intrinsic raw_intrinsic(Val v, const Value*& arg) {
  arg = nullptr;
  if (v.kind != VKind::kNode || v.node->kind != ValueKind::kMap || v.node->size != 1)
    return Intrinsic::kNone;
  arg = v.node->entries[0].value;
  return v.node->intrinsic != Intrinsic::kNone ? v.node->intrinsic
                                               : intrinsic_from_key(v.node->entries[0].key);
}

// Per-thread cache of compiled regular expressions (the VM is per thread), looked up by
// string_view (no copy of the pattern per call).
struct PatternHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
thread_local std::unordered_map<std::string, std::unique_ptr<RE2>, PatternHash, std::equal_to<>>
    t_regex_cache;

}  // namespace

bool Vm::Impl::is_count_builtin(std::uint8_t id) { return id == kB_count; }

namespace {
// Whether a template list item exists whatever the conditions: not null, not AWS::NoValue, and
// for Fn::If both branches (recursively, to a bounded depth).
bool always_present(const Value* n, int depth) {
  if (!n || n->kind == ValueKind::kNull || depth > 64) return false;
  if (n->kind != ValueKind::kMap || n->size != 1) return true;
  const Value* arg = n->entries[0].value;
  Intrinsic fn =
      n->intrinsic != Intrinsic::kNone ? n->intrinsic : intrinsic_from_key(n->entries[0].key);
  if (fn == Intrinsic::kRef)
    return !(arg && arg->kind == ValueKind::kString && arg->str() == "AWS::NoValue");
  if (fn != Intrinsic::kIf) return true;
  if (!arg || arg->kind != ValueKind::kList || arg->size != 3) return true;  // malformed: unknown
  return always_present(arg->items[1], depth + 1) && always_present(arg->items[2], depth + 1);
}
}  // namespace

Val Vm::Impl::call_builtin(std::uint8_t id, Val* args, int argc) {
  auto arg_string = [&](int i, std::string_view& out) {
    Val v = resolve(args[i]);
    if (v.kind != VKind::kString) return false;
    out = v.str();
    return true;
  };
  auto bool_or_unknown = [&](Val v, auto&& pred) -> Val {
    v = resolve(v);
    if (v.kind == VKind::kUnknown) return v;
    return Val::of_bool(pred(v));
  };
  // Strict builtins: an argument that is unknown makes the result unknown (a list builtin must
  // not read an unknown list as empty). The others decide for themselves: exists, empty,
  // type_of, is_unknown and default answer for unknown values; contains is Kleene membership;
  // ref, refs, intrinsic, ref_name and text_template read the raw template value (its form is
  // known when its value is not).
  // A pending list is a list whose items exist under conditions: what kind of value it is needs
  // no decision on them.
  // The type tests and `default` (the interpreter answers them first, without this call).
  if (Val quick; argc >= 1 && quick_builtin(id, args, quick)) return quick;
  if (argc >= 1 && args[0].kind == VKind::kPending && id == kB_is_map) return Val::of_bool(false);
  switch (static_cast<BuiltinId>(id)) {
    case kB_exists:
    case kB_empty:
    case kB_type_of:
    case kB_is_unknown:
    case kB_default:
    case kB_contains:
    case kB_ref:
    case kB_refs:
    case kB_intrinsic:
    case kB_ref_name:
    case kB_text_template:
    case kB_to_string:
    case kB_is_map:
    case kB_keys:
    case kB_values:
    case kB_list_of:
    case kB_iam_match:
      break;
    default:
      for (int i = 0; i < argc; ++i) {
        Val v = resolve(args[i]);
        if (status != VmStatus::kOk) return Val::null();
        if (v.kind == VKind::kUnknown) return v;
      }
  }
  switch (static_cast<BuiltinId>(id)) {
    case kB_resources: {
      std::string_view type;
      if (!arg_string(0, type)) return Val::of_list(new_list(0));
      // Resources whose conditions the run has not decided make the list pending (as
      // referrers' do): emptiness is one condition and a statement loop visits each resource
      // under its own, instead of a fork per resource (2^n runs for n independent ones).
      if (!reporting && ctx == 0) {
        std::vector<Candidate> cands;
        bool conditional = false;
        for (std::uint32_t i = 0; i < tmpl->resources().size(); ++i) {
          const Resource& r = tmpl->resources()[i];
          if (!type_matches(type, r.type)) continue;
          CondClause needs;
          if (!r.condition.empty()) {
            int c = peek_cond(r.condition);
            if (c == -2) return Val::null();
            if (c == 0) continue;
            if (c < 0) {
              const ConditionDecl* decl = tmpl->find_condition(r.condition);
              needs.emplace_back(decl ? decl->name : r.condition, true);
              conditional = true;
            }
          }
          cands.push_back({resource_val(i), std::move(needs)});
        }
        if (conditional) {
          Val v;
          v.kind = VKind::kPending;
          v.len = static_cast<std::uint32_t>(pending.size());
          v.list = nullptr;
          pending.push_back(std::move(cands));
          return v;
        }
      }
      VList* out = new_list(8);
      for (std::uint32_t i = 0; i < tmpl->resources().size(); ++i) {
        const Resource& r = tmpl->resources()[i];
        if (!type_matches(type, r.type)) continue;
        if (!r.condition.empty()) {
          int c = cond_value(r.condition);
          if (c < 0) return Val::null();
          if (c == 0) continue;
        }
        list_push(out, resource_val(i));
      }
      return Val::of_list(out);
    }
    case kB_resource: {
      std::string_view idv;
      if (!arg_string(0, idv)) return Val::null();
      std::uint32_t i = tmpl->find_resource(idv);
      return i == kNoIndex ? Val::null() : resource_val(i);
    }
    case kB_ref: {
      // A Ref or Fn::GetAtt read from the template names its target whatever the value: a
      // parameter (with or without a default) or an import is no resource of this template.
      if (args[0].kind == VKind::kNode && args[0].node->kind == ValueKind::kMap &&
          args[0].node->size == 1) {
        const Value* n = args[0].node;
        Intrinsic fn =
            n->intrinsic != Intrinsic::kNone ? n->intrinsic : intrinsic_from_key(n->entries[0].key);
        if (fn == Intrinsic::kRef || fn == Intrinsic::kGetAtt || fn == Intrinsic::kImportValue) {
          std::uint32_t i = ref_target(n);
          return i == kNoIndex ? Val::null() : Val::of_resource(i);
        }
      }
      Val v = resolve(args[0]);
      if (v.kind == VKind::kResource) return v;
      if (v.kind != VKind::kNode) return v.kind == VKind::kUnknown ? v : Val::null();
      Context c(*this, v.len);
      std::uint32_t i = ref_target(v.node);
      return i == kNoIndex ? Val::null() : resource_val(i);
    }
    case kB_refs: {
      VList* out = new_list(4);
      Val v = args[0];
      if (v.kind == VKind::kNode) {
        Context c(*this, v.len);
        collect_refs(v.node, out, 0);
      } else {
        VList* l = to_list(v, false);
        for (std::uint32_t i = 0; l && i < l->size; ++i) {
          Val item = l->items[i];
          if (item.kind == VKind::kResource) {
            list_push(out, item);
          } else if (item.kind == VKind::kNode) {
            Context c(*this, item.len);
            collect_refs(item.node, out, 0);
          }
        }
      }
      return Val::of_list(out);
    }
    case kB_referrers: {
      Val r = resolve(args[0]);
      if (r.kind != VKind::kResource) return Val::of_list(new_list(0));
      std::string_view type, path;
      if (argc > 1) arg_string(1, type);
      if (argc > 2) arg_string(2, path);
      Context c(*this, context_of(r));
      return referrers(r.len, type, path);
    }
    case kB_references: {
      Val r = resolve(args[0]);
      VList* out = new_list(4);
      if (r.kind != VKind::kResource) return Val::of_list(out);
      Context c(*this, context_of(r));
      for (std::uint32_t ri : tmpl->references_to(r.len)) {
        const Reference& ref = tmpl->references()[ri];
        if (ref.from == kNoIndex) continue;
        auto* m = arena.make<VMap>();
        auto keys = arena.array<Val>(4);
        auto vals = arena.array<Val>(4);
        keys[0] = Val::of_string("resource");
        vals[0] = resource_val(ref.from);
        keys[1] = Val::of_string("path");
        vals[1] = make_string(ref.path);
        keys[2] = Val::of_string("kind");
        vals[2] = Val::of_string(ref.kind == RefKind::kRef      ? "Ref"
                                 : ref.kind == RefKind::kGetAtt ? "Fn::GetAtt"
                                 : ref.kind == RefKind::kSub    ? "Fn::Sub"
                                                                : "DependsOn");
        keys[3] = Val::of_string("attribute");
        vals[3] = ref.attribute.empty() ? Val::null() : Val::of_string(ref.attribute);
        m->keys = keys.data();
        m->values = vals.data();
        m->size = 4;
        list_push(out, Val::of_map(m));
      }
      return Val::of_list(out);
    }
    case kB_count: {
      Val v = resolve(args[0]);
      if (v.kind == VKind::kUnknown) return v;
      if (v.kind == VKind::kString) return Val::of_int(v.len);
      if (v.kind == VKind::kNull) return Val::of_int(0);
      VList* l = to_list(v, true);
      return Val::of_int(l ? l->size : 1);
    }
    case kB_exists:
    case kB_is_unknown:
    case kB_is_list:
      return Val::null();  // quick_builtin answered above
    case kB_empty: {
      if (args[0].kind == VKind::kPending) {
        int r = pending_nonempty(args[0]);
        return r < 0 ? Val::null() : Val::of_bool(r == 0);
      }
      // A template list with an item that exists whichever branches its Fn::Ifs take is not
      // empty: no condition needs deciding (a nested Fn::If chain choosing among groups).
      if (args[0].kind == VKind::kNode && args[0].node->kind == ValueKind::kList)
        for (const Value* item : args[0].node->list())
          if (always_present(item, 0)) return Val::of_bool(false);
      Val v = resolve(args[0]);
      if (v.kind == VKind::kUnknown) {
        if (args[0].kind == VKind::kNode && !unknown_may_be_empty(args[0].node))
          return Val::of_bool(false);
        return v;
      }
      if (v.is_null()) return Val::of_bool(true);
      if (v.kind == VKind::kString) return Val::of_bool(v.len == 0);
      VList* l = to_list(v, true);
      if (status != VmStatus::kOk) return Val::null();
      if (l && v.kind == VKind::kNode && v.node->kind == ValueKind::kList)
        return Val::of_bool(l->size == 0);
      if (l && v.kind == VKind::kList) return Val::of_bool(l->size == 0);
      if (l) return Val::of_bool(l->size == 0);
      return Val::of_bool(false);
    }
    case kB_keys: {
      VList* l = nullptr;
      Val v = resolve(args[0]);
      if (v.kind == VKind::kUnknown)
        return args[0].kind == VKind::kNode ? Val::of_list(new_list(0)) : v;  // see is_map
      if (v.kind == VKind::kMap || (v.kind == VKind::kNode && v.node->kind == ValueKind::kMap)) l = to_list(v, true);
      return Val::of_list(l ? l : new_list(0));
    }
    case kB_values: {
      VList* l = nullptr;
      Val v = resolve(args[0]);
      if (v.kind == VKind::kUnknown)
        return args[0].kind == VKind::kNode ? Val::of_list(new_list(0)) : v;  // see is_map
      if (v.kind == VKind::kMap || (v.kind == VKind::kNode && v.node->kind == ValueKind::kMap)) l = to_list(v, false);
      return Val::of_list(l ? l : new_list(0));
    }
    case kB_type_of: {
      Val v = resolve(args[0]);
      switch (v.kind) {
        case VKind::kNull: return Val::of_string("null");
        case VKind::kBool: return Val::of_string("bool");
        case VKind::kInt: return Val::of_string("int");
        case VKind::kFloat: return Val::of_string("float");
        case VKind::kString: return Val::of_string("string");
        case VKind::kList:
        case VKind::kPending: return Val::of_string("list");
        case VKind::kMap: return Val::of_string("map");
        case VKind::kResource: return Val::of_string("resource");
        case VKind::kUnknown: return Val::of_string("unknown");
        case VKind::kNode:
          // A Ref or Fn::GetAtt that stays a reference value (`ref(v)` gives its resource): not a
          // map, so `is_map` is false and `keys` is [], as for any scalar.
          if (v.node->kind == ValueKind::kList) return Val::of_string("list");
          return Val::of_string(is_reference_node(v.node) ? "reference" : "map");
      }
      return Val::null();
    }
    case kB_default: {  // of a pending value (quick_builtin answers the others)
      Val v = resolve(args[0]);
      return v.is_null() ? args[1] : args[0];
    }
    case kB_lower:
    case kB_upper: {
      std::string_view s;
      Val v = resolve(args[0]);
      if (v.kind == VKind::kUnknown) return v;
      if (!arg_string(0, s)) return Val::null();
      if (!charge(s.size())) return Val::null();
      std::string o(s);
      for (char& c : o) {
        if (id == kB_lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (id == kB_upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
      return make_string(o);
    }
    case kB_starts_with:
    case kB_ends_with: {
      Val a = resolve(args[0]), b = resolve(args[1]);
      if (a.kind == VKind::kUnknown) return a;
      if (b.kind == VKind::kUnknown) return b;
      if (a.kind != VKind::kString || b.kind != VKind::kString) return Val::of_bool(false);
      if (!charge(std::min(a.len, b.len))) return Val::null();
      return Val::of_bool(id == kB_starts_with ? a.str().starts_with(b.str()) : a.str().ends_with(b.str()));
    }
    case kB_contains:
      return member(args[1], args[0]);
    case kB_split: {
      Val a = resolve(args[0]), b = resolve(args[1]);
      if (a.kind == VKind::kUnknown) return a;
      if (a.kind != VKind::kString || b.kind != VKind::kString || b.len == 0) return Val::null();
      if (!charge(std::uint64_t{a.len} + b.len)) return Val::null();
      VList* out = new_list(4);
      std::string_view s = a.str(), sep = b.str();
      std::size_t start = 0;
      while (true) {
        std::size_t at = find_linear(s, sep, start);
        list_push(out, Val::of_string(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start)));
        if (at == std::string_view::npos) break;
        start = at + sep.size();
      }
      return Val::of_list(out);
    }
    case kB_join: {
      VList* l = to_list(args[0], false);
      Val sep = resolve(args[1]);
      if (!l || sep.kind != VKind::kString) return Val::null();
      std::string o;
      for (std::uint32_t i = 0; i < l->size; ++i) {
        const std::size_t before = o.size();
        if (i) o += sep.str();
        if (Val item = resolve(l->items[i]); item.kind == VKind::kUnknown) return item;
        o += text(l->items[i]);
        if (!charge(o.size() - before + 1)) return Val::null();
        if (o.size() > kMaxStringBytes) {
          fail("string-length", "join() result exceeds " + std::to_string(kMaxStringBytes) +
                                    " bytes (kMaxStringBytes)");
          return Val::null();
        }
      }
      return make_string(o);
    }
    case kB_trim: {
      Val v = resolve(args[0]);
      if (v.kind != VKind::kString) return v.kind == VKind::kUnknown ? v : Val::null();
      std::string_view s = v.str();
      while (!s.empty() &&
             (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
      while (!s.empty() &&
             (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
      return Val::of_string(s);
    }
    case kB_replace: {
      Val v = resolve(args[0]), a = resolve(args[1]), b = resolve(args[2]);
      if (v.kind == VKind::kUnknown) return v;
      if (v.kind != VKind::kString || a.kind != VKind::kString || b.kind != VKind::kString || a.len == 0) return Val::null();
      if (!charge(std::uint64_t{v.len} + a.len)) return Val::null();
      std::string o;
      std::string_view s = v.str();
      std::size_t start = 0;
      while (true) {
        std::size_t at = find_linear(s, a.str(), start);
        if (at == std::string_view::npos) break;
        o.append(s.substr(start, at - start));
        o.append(b.str());
        start = at + a.len;
        if (o.size() > kMaxStringBytes) {
          fail("string-length", "replace() result exceeds kMaxStringBytes");
          return Val::null();
        }
      }
      o.append(s.substr(start));
      return make_string(o);
    }
    case kB_matches: {
      // Total on template data: an unknown string or pattern is unknown; an absent one, or one
      // that is not text, does not match; a pattern that does not compile (from the template,
      // or built at run time) is unknown, with RE2's message as the reason.
      Val s = resolve(args[0]), re = resolve(args[1]);
      if (s.kind == VKind::kUnknown) return s;
      if (re.kind == VKind::kUnknown) return re;
      auto as_text = [&](Val& v) {
        if (v.kind == VKind::kString) return true;
        if (v.kind != VKind::kInt && v.kind != VKind::kFloat && v.kind != VKind::kBool)
          return false;
        v = make_string(text(v));
        return true;
      };
      if (!as_text(re) || !as_text(s)) return Val::of_bool(false);
      auto it = t_regex_cache.find(re.str());
      if (it == t_regex_cache.end()) {
        std::string pattern(re.str());
        std::string error;
        auto compiled = compile_regex(pattern, error);
        if (!compiled) return Val::unknown(arena.copy(error));
        if (t_regex_cache.size() > 1024) t_regex_cache.clear();
        it = t_regex_cache.emplace(pattern, std::move(compiled)).first;
      }
      // RE2 is linear in the input for a fixed pattern, but the factor is the pattern's program
      // size when its DFA outgrows kMaxRegexMemory and RE2 falls back to the NFA: charge the
      // worst case before matching.
      const std::uint64_t program = static_cast<std::uint64_t>(std::max(1, it->second->ProgramSize()));
      if (!charge((std::uint64_t{s.len} + 1) * program)) return Val::null();
      return Val::of_bool(RE2::PartialMatch(re2::StringPiece(s.chars, s.len), *it->second));
    }
    case kB_to_number: {
      Val v = resolve(args[0]);
      if (v.kind == VKind::kUnknown) return v;
      if (v.kind == VKind::kInt || v.kind == VKind::kFloat) return v;
      double d;
      if (!number_of(v, d)) return Val::null();
      if (d == std::floor(d) && std::fabs(d) < 9e15)
        return Val::of_int(static_cast<std::int64_t>(d));
      return Val::of_float(d);
    }
    case kB_to_string: {
      Val v = resolve(args[0]);
      if (v.kind == VKind::kString || v.kind == VKind::kUnknown) return v;
      return make_string(text(v));
    }
    case kB_cidr_contains: {
      Val a = resolve(args[0]), b = resolve(args[1]);
      if (a.kind == VKind::kUnknown) return a;
      if (b.kind == VKind::kUnknown) return b;
      IpNetwork x, y;
      if (a.kind != VKind::kString || b.kind != VKind::kString || !parse_network(a.str(), x) ||
          !parse_network(b.str(), y))
        return Val::of_bool(false);
      return Val::of_bool(network_contains(x, y));
    }
    case kB_cidr_is_public:
    case kB_cidr_is_any:
    case kB_cidr_prefix:
    case kB_is_cidr: {
      Val a = resolve(args[0]);
      if (a.kind == VKind::kUnknown) return a;
      IpNetwork x;
      bool ok = a.kind == VKind::kString && parse_network(a.str(), x);
      if (id == kB_is_cidr) return Val::of_bool(ok);
      if (!ok) return id == kB_cidr_prefix ? Val::null() : Val::of_bool(false);
      if (id == kB_cidr_is_public) return Val::of_bool(network_is_public(x));
      if (id == kB_cidr_is_any) return Val::of_bool(network_is_any(x));
      return Val::of_int(x.prefix);
    }
    case kB_port_range:
    case kB_port_in_range:
    case kB_range_width: {
      Val rule = resolve(args[id == kB_port_in_range ? 1 : 0]);
      if (rule.kind == VKind::kUnknown) return rule;
      Val proto = field(rule, "IpProtocol");
      Val from = field(rule, "FromPort");
      Val to = field(rule, "ToPort");
      if (proto.kind == VKind::kUnknown) return proto;
      double lo = 0, hi = 65535;
      std::string p = proto.is_null() ? "" : text(proto);
      bool all = p == "-1" || p == "all";
      if (!all) {
        if (from.kind == VKind::kUnknown) return from;
        if (to.kind == VKind::kUnknown) return to;
        double f, t;
        if (number_of(from, f) && number_of(to, t)) {
          if (f == -1 && t == -1) {
            lo = 0;
            hi = 65535;
          } else {
            lo = f;
            hi = t;
          }
        }
      }
      if (id == kB_range_width) return number_val(hi - lo + 1);
      if (id == kB_port_in_range) {
        double port;
        Val pv = resolve(args[0]);
        if (pv.kind == VKind::kUnknown) return pv;
        if (!number_of(pv, port)) return Val::of_bool(false);
        return Val::of_bool(port >= lo && port <= hi);
      }
      VList* out = new_list(2);
      list_push(out, number_val(lo));
      list_push(out, number_val(hi));
      return Val::of_list(out);
    }
    case kB_flatten: {
      VList* l = to_list(args[0], false);
      VList* out = new_list(l ? l->size : 0);
      for (std::uint32_t i = 0; l && i < l->size; ++i) {
        Val item = resolve(l->items[i]);
        bool is_list = item.kind == VKind::kList ||
                       (item.kind == VKind::kNode && item.node->kind == ValueKind::kList);
        if (is_list) {
          VList* inner = to_list(item, false);
          for (std::uint32_t j = 0; inner && j < inner->size; ++j) list_push(out, inner->items[j]);
        } else {
          list_push(out, item);
        }
      }
      return Val::of_list(out);
    }
    case kB_distinct: {
      VList* l = to_list(args[0], false);
      VList* out = new_list(l ? l->size : 0);
      for (std::uint32_t i = 0; l && i < l->size; ++i) {
        bool seen = false;
        for (std::uint32_t j = 0; j < out->size && !seen; ++j)
          seen = equals(out->items[j], l->items[i]) == 1;
        if (!seen) list_push(out, l->items[i]);
      }
      return Val::of_list(out);
    }
    case kB_sum:
    case kB_min:
    case kB_max: {
      VList* l = to_list(args[0], false);
      if (!l) return Val::null();
      double acc = id == kB_sum ? 0 : NAN;
      bool all_int = true;
      for (std::uint32_t i = 0; i < l->size; ++i) {
        Val item = resolve(l->items[i]);
        if (item.kind == VKind::kUnknown) return item;
        double d;
        if (!number_of(item, d)) continue;
        if (item.kind != VKind::kInt) all_int = false;
        if (id == kB_sum)
          acc += d;
        else if (std::isnan(acc) || (id == kB_min ? d < acc : d > acc))
          acc = d;
      }
      if (std::isnan(acc)) return Val::null();
      if (all_int && std::fabs(acc) < 9e15) return Val::of_int(static_cast<std::int64_t>(acc));
      return Val::of_float(acc);
    }
    case kB_parameter: {
      std::string_view name;
      if (!arg_string(0, name)) return Val::null();
      std::uint32_t i = tmpl->find_parameter(name);
      return i == kNoIndex ? Val::null() : node_val(tmpl->parameters()[i].node);
    }
    case kB_mapping: {
      std::string_view name;
      if (!arg_string(0, name) || !tmpl->mappings()) return Val::null();
      const Value* v = tmpl->mappings()->get(name);
      return v ? node_val(v) : Val::null();
    }
    case kB_output: {
      std::string_view name;
      if (!arg_string(0, name)) return Val::null();
      for (const Output& o : tmpl->outputs())
        if (o.name == name) return node_val(o.node);
      return Val::null();
    }
    case kB_is_string:
      return bool_or_unknown(args[0], [](Val v) { return v.kind == VKind::kString; });
    case kB_is_number:
      return bool_or_unknown(
          args[0], [](Val v) { return v.kind == VKind::kInt || v.kind == VKind::kFloat; });
    case kB_is_bool:
      return bool_or_unknown(args[0], [](Val v) { return v.kind == VKind::kBool; });
    case kB_is_map:
      // An intrinsic function's result is never a map (CloudFormation's functions give strings,
      // numbers and lists; Fn::If is resolved), so a template value that is unknown is no map.
      if (args[0].kind == VKind::kNode && resolve(args[0]).kind == VKind::kUnknown)
        return Val::of_bool(false);
      return bool_or_unknown(args[0], [](Val v) {
        return v.kind == VKind::kMap ||
               (v.kind == VKind::kNode && v.node->kind == ValueKind::kMap &&
                !is_reference_node(v.node));
      });
    case kB_intrinsic: {
      const Value* a;
      Intrinsic fn = raw_intrinsic(args[0], a);
      return fn == Intrinsic::kNone ? Val::null() : Val::of_string(intrinsic_name(fn));
    }
    case kB_ref_name: {
      const Value* a;
      Intrinsic fn = raw_intrinsic(args[0], a);
      if (fn != Intrinsic::kRef || !a || !a->is_string()) return Val::null();
      return Val::of_string(a->str());
    }
    case kB_text_template: {
      const Value* a;
      Intrinsic fn = raw_intrinsic(args[0], a);
      if (!a) return Val::null();
      if (fn == Intrinsic::kSub) {
        if (a->is_list() && a->size > 0) a = a->list()[0];
        return a->is_string() ? Val::of_string(a->str()) : Val::null();
      }
      if (fn != Intrinsic::kJoin || !a->is_list() || a->size != 2) return Val::null();
      const Value* sep = a->list()[0];
      const Value* parts = a->list()[1];
      if (!sep->is_string() || !parts->is_list()) return Val::null();
      std::string text;
      for (std::uint32_t i = 0; i < parts->size; ++i) {
        if (i > 0) text += sep->str();
        const Value* p = parts->list()[i];
        text += p->is_string() ? std::string(p->str()) : std::string("${?}");
      }
      return make_string(text);
    }
    case kB_parse_json: {
      Val v = resolve(args[0]);
      if (v.kind == VKind::kUnknown) return v;
      if (v.kind != VKind::kString) return Val::null();
      simdjson::dom::parser parser;
      simdjson::dom::element root;
      if (parser.parse(std::string(v.str())).get(root) != simdjson::SUCCESS) return Val::null();
      // Depth is bounded by simdjson's parser (its default maximum of 1024 levels), size by the
      // template the string came from; the recursion below follows the parsed depth.
      auto convert = [&](auto&& self, simdjson::dom::element e) -> Val {
        switch (e.type()) {
          case simdjson::dom::element_type::OBJECT: {
            simdjson::dom::object o = e.get_object().value_unsafe();
            std::uint32_t n = static_cast<std::uint32_t>(o.size());
            auto* m = arena.make<VMap>();
            auto keys = arena.array<Val>(n);
            auto vals = arena.array<Val>(n);
            std::uint32_t i = 0;
            for (auto field : o) {
              keys[i] = make_string(field.key);
              vals[i] = self(self, field.value);
              ++i;
            }
            m->keys = keys.data();
            m->values = vals.data();
            m->size = i;
            return Val::of_map(m);
          }
          case simdjson::dom::element_type::ARRAY: {
            simdjson::dom::array a = e.get_array().value_unsafe();
            VList* l = new_list(static_cast<std::uint32_t>(a.size()));
            for (auto item : a) list_push(l, self(self, item));
            return Val::of_list(l);
          }
          case simdjson::dom::element_type::STRING:
            return make_string(e.get_string().value_unsafe());
          case simdjson::dom::element_type::INT64:
            return Val::of_int(e.get_int64().value_unsafe());
          case simdjson::dom::element_type::UINT64:
            return Val::of_float(static_cast<double>(e.get_uint64().value_unsafe()));
          case simdjson::dom::element_type::DOUBLE:
            return Val::of_float(e.get_double().value_unsafe());
          case simdjson::dom::element_type::BOOL:
            return Val::of_bool(e.get_bool().value_unsafe());
          default:
            return Val::null();
        }
      };
      return convert(convert, root);
    }
    case kB_to_bool: {
      Val v = resolve(args[0]);
      if (v.kind == VKind::kUnknown) return v;
      int t = truth(v);
      if (t == 0 || t == 1) return v.is_null() ? Val::null() : Val::of_bool(t == 1);
      return Val::null();
    }
    case kB_sort: {
      VList* l = to_list(args[0], false);
      if (!l) return Val::null();
      VList* out = new_list(l->size);
      for (std::uint32_t i = 0; i < l->size; ++i) list_push(out, resolve(l->items[i]));
      std::stable_sort(out->items, out->items + out->size, [&](const Val& a, const Val& b) {
        int c = compare(a, b);
        if (c == 2) return a.kind < b.kind;
        return c == -1;
      });
      return Val::of_list(out);
    }
    case kB_iam_actions:
      return builtin_iam_actions(args, argc);
    case kB_iam_match:
      return builtin_iam_match(args, argc);
    case kB_list_of:
      return builtin_list_of(args[0]);
  }
  fail("internal", "unknown builtin");
  return Val::null();
}

}  // namespace polc
