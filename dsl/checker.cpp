#include "dsl/checker.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "dsl/internal/policy_header.h"
#include "dsl/internal/schema_types.h"
#include "dsl/internal/typing_context.h"
#include "engine/program/builtins.h"
#include "engine/schema/iam_actions.h"
#include "engine/schema/schema.h"

namespace polc {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

class Checker {
 public:
  Checker(const Module& m, Diagnostics& d, TypingContext& ctx) : m_(m), diags_(d), ctx_(ctx) {}

  // Declares the module's constants and functions (what `run` and `infer_call` need).
  void declare() {
    for (const auto& c : m_.ast->consts) consts_.insert(c.name);
    for (const auto& fn : m_.ast->functions) functions_[fn.name] = fn.params.size();
  }

  // The type of `f(args)` for arguments of the given types: the body checked with its
  // parameters typed by use. Name errors were reported by the module's own run; schema errors
  // in the body are reported once, with a note naming the call.
  SType infer_call(const ast::Function& f, const std::vector<SType>& args, const Location& call_site) {
    typing_only_ = true;
    call_site_ = call_site;
    declare();
    scopes_.clear();
    scopes_.emplace_back();
    for (std::size_t i = 0; i < f.params.size(); ++i) scopes_.back()[f.params[i]] = i < args.size() ? args[i] : SType{};
    SType out = check_expr(*f.body, 0);
    // Guarded reads of names the call's types lack are dispatch on other types, unless the
    // helper reads nothing these types have: then the call passes the wrong type.
    if (found_ == 0)
      for (auto& p : guarded_missing_) ctx_.pending.push_back(std::move(p));
    return out;
  }

  void run() {
    const ast::File& f = *m_.ast;
    std::set<std::string> names;
    for (const auto& c : f.consts) {
      if (!names.insert(c.name).second) error(c.span, "'" + c.name + "' is declared twice in this file");
      consts_.insert(c.name);
    }
    for (const auto& fn : f.functions) {
      if (!names.insert(fn.name).second) error(fn.span, "'" + fn.name + "' is declared twice in this file");
      if (find_builtin(fn.name) >= 0)
        warn(fn.span, "function '" + fn.name + "' hides the builtin of the same name");
      functions_[fn.name] = fn.params.size();
    }
    for (const auto& c : f.consts) check_const(*c.value);
    for (const auto& fn : f.functions) {
      scopes_.clear();
      scopes_.emplace_back();
      for (const auto& p : fn.params) scopes_.back()[p] = SType{};
      check_expr(*fn.body, 0);
    }
    for (const auto& p : f.policies) check_policy(p);
  }

 private:
  void error(ast::Span s, std::string msg) {
    if (!typing_only_) diags_.error("check", Location::at(*m_.source, s.begin), std::move(msg));
  }
  void warn(ast::Span s, std::string msg) {
    if (!typing_only_) diags_.warning("check", Location::at(*m_.source, s.begin), std::move(msg));
  }
  std::string where_of(std::uint32_t offset) const {
    Location loc = Location::at(*m_.source, offset);
    return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.column);
  }
  // A schema diagnostic (code `schema`), given once per location and message. Inside a
  // function typed by use it is held back until every call has been checked (TypingContext).
  void schema_diag(bool is_error, std::uint32_t offset, std::string msg) {
    Location loc = Location::at(*m_.source, offset);
    std::string where = where_of(offset);
    Diagnostic d;
    d.severity = is_error ? DiagSeverity::kError : DiagSeverity::kWarning;
    d.code = "schema";
    d.location = loc;
    d.message = std::move(msg);
    if (typing_only_) {
      if (!call_site_.file.empty())
        d.notes.push_back(
            {call_site_,
             "in this call, which passes that type (no call of this function from this "
             "file passes a type that has it)"});
      ctx_.pending.emplace_back(where + "\n" + call_site_.file, std::move(d));
      return;
    }
    if (!ctx_.reported.insert({where, d.message}).second) return;
    diags_.add(std::move(d));
  }
  // Inside a function typed by use: this call's types have the path read at `offset`.
  void schema_ok(std::uint32_t offset) {
    if (typing_only_) ctx_.satisfied.insert(where_of(offset) + "\n" + call_site_.file);
  }

  bool is_local(const std::string& n) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
      if (it->count(n)) return true;
    return false;
  }
  SType local_type(const std::string& n) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
      if (auto f = it->find(n); f != it->end()) return f->second;
    return {};
  }

  // Where a field name starts: the end of the field expression minus the name (or the
  // expression's start when the name was quoted).
  std::uint32_t name_offset(const Expr& e) const {
    std::string_view text = m_.source->text();
    if (e.span.end >= e.name.size() && e.span.end <= text.size() &&
        text.substr(e.span.end - e.name.size(), e.name.size()) == e.name)
      return static_cast<std::uint32_t>(e.span.end - e.name.size());
    return e.span.begin;
  }

  // A resource type named in resources(), referrers(), applies_to or a type comparison.
  void check_type_name(const Expr& lit, bool allow_pattern) {
    if (lit.kind != ExprKind::kString) return;
    const std::string& t = lit.string_value;
    const schema::SchemaSet& sc = ctx_.schemas;
    bool pattern = t.find('*') != std::string::npos;
    if (pattern && allow_pattern) {
      if (t == "*" || !sc.match(t).empty()) return;
      std::string prefix = t.substr(0, t.find('*'));
      if (sc.is_open(prefix + "X::Y")) return;
      schema_diag(true, lit.span.begin, "resource type pattern '" + t + "' matches no known resource type");
      return;
    }
    if (sc.is_open(t) || sc.find(t)) return;
    auto names = sc.type_names();
    schema_diag(true, lit.span.begin, "unknown resource type '" + t + "'" + suggestion(t, names));
  }

  // A `referrers()` path ("Properties.SecurityGroupIds") read from resources of type `t`.
  void check_path_literal(const Expr& lit, const SType& t) {
    if (lit.kind != ExprKind::kString || t.kind != SType::kResources || t.any || t.res.empty()) return;
    std::string_view path = lit.string_value;
    if (!path.starts_with("Properties.")) return;
    SType cur;
    cur.kind = SType::kValue;
    for (const auto* r : t.res) cur.vals.push_back({r, "@"});
    cur.where = describe_types(t.res) + " Properties";
    path.remove_prefix(11);
    std::uint32_t at = lit.span.begin + 1 + 11;
    while (!path.empty() && cur.kind == SType::kValue) {
      std::size_t dot = path.find('.');
      std::string_view seg = path.substr(0, dot);
      cur = read_field(cur, std::string(seg), at);
      if (dot == std::string_view::npos) break;
      at += static_cast<std::uint32_t>(dot + 1);
      path.remove_prefix(dot + 1);
    }
  }

  // `.name` of a value typed `in` (offset: where the name is written).
  SType read_field(const SType& in, const std::string& name, std::uint32_t offset) {
    if (in.kind == SType::kResources) {
      if (in.any || in.res.empty()) return name == "type" ? type_name_type() : SType{};
      if (name == "Properties") {
        SType v;
        v.kind = SType::kValue;
        for (const auto* r : in.res) v.vals.push_back({r, "@"});
        v.where = describe_types(in.res) + " Properties";
        return v;
      }
      if (name == "type") return type_name_type();
      return {};
    }
    if (in.kind == SType::kEdges) {
      if (name != "attribute" || in.res.empty()) return {};
      SType a;
      a.kind = SType::kAttrName;
      a.res = in.res;
      return a;
    }
    if (in.kind != SType::kValue) return {};
    schema::FieldLookup r = schema::lookup_field(in.vals, name);
    switch (r.result) {
      case schema::FieldLookup::kOpen:
        schema_ok(offset);
        return {};
      case schema::FieldLookup::kMissing:
        if (typing_only_ && guarded_ > 0 && !r.on_scalar && ctx_.is_schema_name(name)) {
          // Read under an existence test (exists(), default(), if exists(...) then): another
          // caller's type may have it. Held aside for the wrong-type rule (infer_call).
          Diagnostic d;
          d.code = "schema";
          d.location = Location::at(*m_.source, offset);
          d.message = in.where + " has no field '" + name + "'";
          if (!call_site_.file.empty())
            d.notes.push_back({call_site_,
                               "in this call, which passes that type (the function reads nothing "
                               "this type has)"});
          guarded_missing_.emplace_back(where_of(offset) + "\n" + call_site_.file, std::move(d));
          return {};
        }
        if (r.on_scalar)
          schema_diag(true, offset, "'" + name + "' is read from " + in.where + ", which is a scalar value with no fields");
        else
          schema_diag(true, offset, in.where + " has no field '" + name + "'" + suggestion(name, r.candidates));
        return {};
      case schema::FieldLookup::kFound:
        ++found_;
        break;
    }
    if (r.read_only)
      schema_diag(false, offset, "'" + name + "' of " + in.where + " is read-only: CloudFormation sets it (read it with Fn::GetAtt); a template never writes it, so this reads null");
    else if (r.deprecated)
      schema_diag(false, offset, "'" + name + "' of " + in.where + " is deprecated");
    else
      schema_ok(offset);
    SType out;
    out.kind = SType::kValue;
    out.vals = std::move(r.types);
    out.where = in.where + "." + name;
    return out;
  }

  // A comparison of `.type` or `.attribute` with string literals.
  void check_comparison(const SType& side, const Expr& other) {
    std::vector<const Expr*> lits;
    if (other.kind == ExprKind::kString) lits.push_back(&other);
    if (other.kind == ExprKind::kList)
      for (const auto& a : other.args)
        if (a->kind == ExprKind::kString) lits.push_back(a.get());
    for (const Expr* lit : lits) {
      if (side.kind == SType::kTypeName) check_type_name(*lit, false);
      if (side.kind == SType::kAttrName) {
        std::vector<std::string_view> names;
        bool found = false;
        for (const auto* r : side.res)
          for (const auto& a : r->attributes()) {
            names.push_back(a.name);
            found |= a.name == lit->string_value;
          }
        if (found) schema_ok(lit->span.begin);
        if (!found)
          schema_diag(true, lit->span.begin, describe_types(side.res) + " has no attribute '" + lit->string_value +
                                                 "' for Fn::GetAtt" + suggestion(lit->string_value, names));
      }
    }
  }

  void check_const(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kNull:
      case ExprKind::kBool:
      case ExprKind::kInt:
      case ExprKind::kFloat:
      case ExprKind::kString: return;
      case ExprKind::kUnary:
        if (e.lhs && (e.lhs->kind == ExprKind::kInt || e.lhs->kind == ExprKind::kFloat)) return;
        break;
      case ExprKind::kList:
        for (const auto& a : e.args) check_const(*a);
        return;
      case ExprKind::kMap:
        for (const auto& a : e.args) check_const(*a);
        return;
      case ExprKind::kName:
        if (consts_.count(e.name)) return;
        break;
      case ExprKind::kNot: check_const(*e.lhs); return;
      case ExprKind::kBinary:
      case ExprKind::kAnd:
      case ExprKind::kOr:
        check_const(*e.lhs);
        check_const(*e.rhs);
        return;
      default: break;
    }
    error(e.span, "a constant or parameter value must be computable from literals (strings, numbers, bools, null, lists, maps, other constants and operators)");
  }

  void check_policy(const ast::Policy& p) {
    if (!is_kebab(p.name)) error(p.name_span, "policy name '" + p.name + "' is not kebab-case (like 'my-policy-name')");
    std::set<std::string> seen;
    for (const auto& a : p.attributes) {
      if (!is_known_attribute(a.key)) {
        error(a.span, "unknown policy attribute '" + a.key +
                          "'; known: id, title, severity, description, remediation, docs, tags, aliases, applies_to");
        continue;
      }
      if (!seen.insert(a.key).second) error(a.span, "attribute '" + a.key + "' is given twice");
      const Expr* v = a.value.get();
      if (!v) continue;
      if (a.key == "severity") {
        Severity s;
        std::string text = v->kind == ExprKind::kName ? v->name : v->kind == ExprKind::kString ? v->string_value : "";
        if (!parse_severity(text, s)) error(v->span, "severity must be one of critical, high, medium, low, info");
      } else if (a.key == "tags" || a.key == "aliases" || a.key == "applies_to") {
        bool ok = v->kind == ExprKind::kList;
        if (ok)
          for (const auto& item : v->args) ok = ok && item->kind == ExprKind::kString;
        if (!ok) error(v->span, "'" + a.key + "' must be a list of strings");
        if (ok && a.key == "applies_to")
          for (const auto& item : v->args) check_type_name(*item, true);
      } else if (v->kind != ExprKind::kString) {
        error(v->span, "'" + a.key + "' must be a string");
      }
    }
    for (const char* req : {"id", "title", "severity"})
      if (!seen.count(req)) error(p.span, std::string("policy '") + p.name + "' has no '" + req + "' attribute");
    params_.clear();
    for (const auto& b : p.params) {
      if (!params_.insert(b.name).second) error(b.span, "parameter '" + b.name + "' is declared twice");
      check_const(*b.value);
    }
    scopes_.clear();
    scopes_.emplace_back();
    in_policy_ = true;
    check_block(p.body);
    in_policy_ = false;
  }

  void check_block(const std::vector<ast::StmtPtr>& body) {
    scopes_.emplace_back();
    for (const auto& s : body) check_stmt(*s);
    scopes_.pop_back();
  }

  void check_report(const ast::Report& r) {
    if (r.message) check_expr(*r.message, 0);
    if (r.at) check_expr(*r.at, 0);
    for (const auto& rel : r.related) {
      SType t = check_expr(*rel.target, 0);
      scopes_.emplace_back();
      if (!rel.name.empty()) scopes_.back()[rel.name] = t;
      if (rel.message) check_expr(*rel.message, 0);
      scopes_.pop_back();
    }
  }

  void check_stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::kFor: {
        SType t = check_expr(*s.expr, 0);
        scopes_.emplace_back();
        scopes_.back()[s.name] = t;
        check_block(s.body);
        scopes_.pop_back();
        break;
      }
      case StmtKind::kLet: {
        SType t = check_expr(*s.expr, 0);
        scopes_.back()[s.name] = t;
        break;
      }
      case StmtKind::kWhen: check_expr(*s.expr, 0); break;
      case StmtKind::kRequire:
        check_expr(*s.expr, 0);
        check_report(s.report);
        break;
      case StmtKind::kReport: check_report(s.report); break;
      case StmtKind::kIf:
        check_expr(*s.expr, 0);
        check_block(s.body);
        check_block(s.else_body);
        break;
    }
  }

  // Resolves `module.name` for a field access on a module alias. Returns true when handled.
  bool check_module_member(const Expr& e) {
    if (e.kind != ExprKind::kField || !e.lhs || e.lhs->kind != ExprKind::kName) return false;
    const std::string& mod = e.lhs->name;
    if (is_local(mod) || params_.count(mod) || consts_.count(mod)) return false;
    auto it = m_.imports.find(mod);
    if (it == m_.imports.end()) return false;
    const Module* target = it->second;
    bool found = false;
    if (target->ast)
      for (const auto& c : target->ast->consts) found |= c.name == e.name;
    if (!found) error(e.span, "module '" + mod + "' has no constant '" + e.name + "'");
    return true;
  }

  // The result type of a call to `f` (of module `target`) with arguments typed `args`.
  SType typed_call(const Module& target, const ast::Function& f, const std::vector<SType>& args, const Expr& call) {
    bool any_known = false;
    for (const auto& a : args) any_known |= a.kind != SType::kUnknown && a.kind != SType::kNone;
    if (!any_known || ctx_.active.count(&f) || ctx_.depth >= kMaxTypedCallDepth) return {};
    // The calling policy file is part of the key: its calls are weighed on their own
    // (TypingContext), so another file's identical call must not stand in for them.
    Location site = typing_only_ && !call_site_.file.empty()
                        ? call_site_
                        : Location::at(*m_.source, call.span.begin);
    std::string key = target.key + "\n" + f.name + "\n" + site.file;
    for (const auto& a : args) key += "\n" + a.key();
    if (auto it = ctx_.memo.find(key); it != ctx_.memo.end()) return it->second;
    ctx_.active.insert(&f);
    ++ctx_.depth;
    Checker sub(target, diags_, ctx_);
    SType out = sub.infer_call(f, args, site);
    --ctx_.depth;
    ctx_.active.erase(&f);
    ctx_.memo[key] = out;
    return out;
  }

  SType check_call(const Expr& e, int depth) {
    std::vector<SType> args;
    bool guard = e.name == "exists" || e.name == "default";
    for (std::size_t i = 0; i < e.args.size(); ++i) {
      guarded_ += guard && i == 0;
      args.push_back(check_expr(*e.args[i], depth + 1));
      guarded_ -= guard && i == 0;
    }
    std::size_t dot = e.name.find('.');
    if (dot != std::string::npos) {
      std::string mod = e.name.substr(0, dot), fn = e.name.substr(dot + 1);
      auto it = m_.imports.find(mod);
      if (it == m_.imports.end()) {
        error(e.span, "unknown module '" + mod + "' (import it first: import \"stdlib/" + mod + "\")");
        return {};
      }
      const Module* target = it->second;
      const ast::Function* f = nullptr;
      if (target->ast)
        for (const auto& cand : target->ast->functions)
          if (cand.name == fn) f = &cand;
      if (!f) {
        error(e.span, "module '" + mod + "' has no function '" + fn + "'");
        return {};
      }
      if (f->params.size() != e.args.size()) {
        error(e.span, "'" + e.name + "' takes " + std::to_string(f->params.size()) + " argument(s), " +
                          std::to_string(e.args.size()) + " given");
        return {};
      }
      return typed_call(*target, *f, args, e);
    }
    if (auto it = functions_.find(e.name); it != functions_.end()) {
      if (it->second != e.args.size()) {
        error(e.span, "'" + e.name + "' takes " + std::to_string(it->second) + " argument(s), " +
                          std::to_string(e.args.size()) + " given");
        return {};
      }
      for (const auto& cand : m_.ast->functions)
        if (cand.name == e.name) return typed_call(m_, cand, args, e);
      return {};
    }
    int b = find_builtin(e.name);
    if (b < 0) {
      error(e.span, "unknown function '" + e.name + "'");
      return {};
    }
    const BuiltinInfo& info = builtin_info(static_cast<std::size_t>(b));
    int n = static_cast<int>(e.args.size());
    if (n < info.min_arity || n > info.max_arity) {
      error(e.span, "wrong number of arguments to '" + e.name + "': " + std::string(info.signature));
      return {};
    }
    return builtin_type(e, args);
  }

  SType builtin_type(const Expr& e, const std::vector<SType>& args) {
    const std::string& n = e.name;
    if (n == "resources") {
      check_type_name(*e.args[0], true);
      if (e.args[0]->kind != ExprKind::kString) return {};
      return resources_of(ctx_.schemas, e.args[0]->string_value);
    }
    if (n == "referrers") {
      if (e.args.size() < 2) return any_resource();
      check_type_name(*e.args[1], true);
      if (e.args[1]->kind != ExprKind::kString) return any_resource();
      SType t = resources_of(ctx_.schemas, e.args[1]->string_value);
      if (e.args.size() >= 3) check_path_literal(*e.args[2], t);
      return t;
    }
    if (n == "ref" || n == "resource" || n == "refs") return any_resource();
    if (n == "references") {
      if (args[0].kind != SType::kResources || args[0].any || args[0].res.empty()) return {};
      SType t;
      t.kind = SType::kEdges;
      t.res = args[0].res;
      return t;
    }
    if (n == "iam_actions") {
      // A misspelt level would match no action, and the policy would pass everything.
      const Expr& lv = *e.args[1];
      if (lv.kind == ExprKind::kString && !schema::iam_access_level_from_name(lv.string_value))
        error(lv.span,
              "unknown IAM access level '" + lv.string_value +
                  "': iam_actions() takes \"Write\", \"Permissions management\" or \"Tagging\"");
      return {};
    }
    if (n == "default") return type_union(args[0], args[1]);
    if (n == "flatten" || n == "distinct" || n == "sort") return args[0];
    if (n == "values") return element_of(args[0]);
    return {};
  }

  // Whether `cond` is `x.type == "T"` (or `!=`, or `in [...]`/`not in`) for a local `x` of known
  // resource types; `yes` and `no` split x's types by which branch they take.
  bool narrowing(const Expr& cond, std::string& var,
                 std::vector<const schema::ResourceSchema*>& yes,
                 std::vector<const schema::ResourceSchema*>& no) const {
    using ast::BinaryOp;
    if (cond.kind != ExprKind::kBinary) return false;
    bool eq = cond.op == BinaryOp::kEq || cond.op == BinaryOp::kIn;
    if (!eq && cond.op != BinaryOp::kNe && cond.op != BinaryOp::kNotIn) return false;
    const Expr* side = cond.lhs.get();
    const Expr* lit = cond.rhs.get();
    if (!side || !lit || side->kind != ExprKind::kField || side->name != "type" || !side->lhs ||
        side->lhs->kind != ExprKind::kName || !is_local(side->lhs->name))
      return false;
    std::vector<std::string_view> names;
    if ((cond.op == BinaryOp::kEq || cond.op == BinaryOp::kNe) && lit->kind == ExprKind::kString)
      names.push_back(lit->string_value);
    else if ((cond.op == BinaryOp::kIn || cond.op == BinaryOp::kNotIn) &&
             lit->kind == ExprKind::kList) {
      for (const auto& a : lit->args) {
        if (a->kind != ExprKind::kString) return false;
        names.push_back(a->string_value);
      }
    } else {
      return false;
    }
    SType t = local_type(side->lhs->name);
    if (t.kind != SType::kResources || t.any || t.res.empty()) return false;
    var = side->lhs->name;
    for (const auto* r : t.res) {
      bool match = false;
      for (auto n : names) match |= r->name() == n;
      (match == eq ? yes : no).push_back(r);
    }
    return true;
  }

  SType check_expr(const Expr& e, int depth) {
    if (depth > 200) return {};  // the parser bounds depth; this is a second guard
    switch (e.kind) {
      case ExprKind::kNull: return SType::none();
      case ExprKind::kBool:
      case ExprKind::kInt:
      case ExprKind::kFloat:
      case ExprKind::kString: return {};
      case ExprKind::kTemplate:
        for (const auto& a : e.args) check_expr(*a, depth + 1);
        return {};
      case ExprKind::kName:
        if (is_local(e.name)) return local_type(e.name);
        if (params_.count(e.name) || consts_.count(e.name) || e.name == "template") return {};
        if (m_.imports.count(e.name)) {
          error(e.span, "'" + e.name + "' is a module; use " + e.name + ".function(...) or " + e.name + ".CONSTANT");
          return {};
        }
        error(e.span, "unknown name '" + e.name + "'");
        return {};
      case ExprKind::kField: {
        if (check_module_member(e)) return {};
        SType base = check_expr(*e.lhs, depth + 1);
        return read_field(base, e.name, name_offset(e));
      }
      case ExprKind::kIndex: {
        SType base = check_expr(*e.lhs, depth + 1);
        check_expr(*e.rhs, depth + 1);
        if (base.kind == SType::kValue && e.rhs->kind == ExprKind::kString)
          return read_field(base, e.rhs->string_value, e.rhs->span.begin);
        return element_of(base);
      }
      case ExprKind::kWildcard: return element_of(check_expr(*e.lhs, depth + 1));
      case ExprKind::kCall: return check_call(e, depth);
      case ExprKind::kUnary:
        check_expr(*e.lhs, depth + 1);
        if (e.lhs->kind == ExprKind::kString || e.lhs->kind == ExprKind::kBool)
          error(e.span, "unary minus needs a number");
        return {};
      case ExprKind::kNot:
        check_expr(*e.lhs, depth + 1);
        if (e.lhs->kind == ExprKind::kInt || e.lhs->kind == ExprKind::kFloat || e.lhs->kind == ExprKind::kString)
          error(e.span, "'not' needs a boolean");
        return {};
      case ExprKind::kBinary: {
        SType l = check_expr(*e.lhs, depth + 1);
        SType r = check_expr(*e.rhs, depth + 1);
        using ast::BinaryOp;
        bool arith = e.op == BinaryOp::kSub || e.op == BinaryOp::kMul || e.op == BinaryOp::kDiv || e.op == BinaryOp::kMod;
        auto is_str = [](const Expr& x) { return x.kind == ExprKind::kString || x.kind == ExprKind::kBool; };
        if (arith && (is_str(*e.lhs) || is_str(*e.rhs))) error(e.span, "arithmetic on a non-number literal");
        if (e.op == BinaryOp::kEq || e.op == BinaryOp::kNe || e.op == BinaryOp::kIn || e.op == BinaryOp::kNotIn) {
          check_comparison(l, *e.rhs);
          if (e.op == BinaryOp::kEq || e.op == BinaryOp::kNe) check_comparison(r, *e.lhs);
        }
        if (e.op == BinaryOp::kAdd) return type_union(l, r);
        return {};
      }
      case ExprKind::kAnd:
      case ExprKind::kOr:
        check_expr(*e.lhs, depth + 1);
        check_expr(*e.rhs, depth + 1);
        return {};
      case ExprKind::kIf: {
        check_expr(*e.args[0], depth + 1);
        // `if x.type == "AWS::..." then A else B`: x has that type in A and the others in B; a
        // branch no type of x can take is not checked (a generic helper's other cases).
        std::string var;
        std::vector<const schema::ResourceSchema*> yes, no;
        if (narrowing(*e.args[0], var, yes, no)) {
          SType saved = local_type(var);
          SType out = SType::none();
          for (int branch = 0; branch < 2; ++branch) {
            const auto& res = branch == 0 ? yes : no;
            if (res.empty()) continue;
            SType t = saved;
            t.res = res;
            scopes_.emplace_back();
            scopes_.back()[var] = t;
            out = type_union(out, check_expr(*e.args[1 + branch], depth + 1));
            scopes_.pop_back();
          }
          return out;
        }
        bool guard = tests_existence(*e.args[0]);
        guarded_ += guard;
        SType then_t = check_expr(*e.args[1], depth + 1);
        guarded_ -= guard;
        return type_union(then_t, check_expr(*e.args[2], depth + 1));
      }
      case ExprKind::kLet: {
        SType v = check_expr(*e.lhs, depth + 1);
        scopes_.emplace_back();
        scopes_.back()[e.name] = v;
        SType out = check_expr(*e.rhs, depth + 1);
        scopes_.pop_back();
        return out;
      }
      case ExprKind::kQuantifier: {
        SType coll = check_expr(*e.lhs, depth + 1);
        scopes_.emplace_back();
        scopes_.back()[e.name] = coll;
        check_expr(*e.rhs, depth + 1);
        scopes_.pop_back();
        return {};
      }
      case ExprKind::kList: {
        SType out = SType::none();
        for (const auto& a : e.args) out = type_union(out, check_expr(*a, depth + 1));
        return out;
      }
      case ExprKind::kMap:
        for (const auto& a : e.args) check_expr(*a, depth + 1);
        return e.args.empty() ? SType::none() : SType{};
      case ExprKind::kComprehension: {
        SType coll = check_expr(*e.rhs, depth + 1);
        scopes_.emplace_back();
        scopes_.back()[e.name] = coll;
        if (e.cond) check_expr(*e.cond, depth + 1);
        SType out = check_expr(*e.lhs, depth + 1);
        scopes_.pop_back();
        return out;
      }
    }
    return {};
  }

  const Module& m_;
  Diagnostics& diags_;
  TypingContext& ctx_;
  bool typing_only_ = false;
  Location call_site_;
  std::set<std::string> consts_;
  std::map<std::string, std::size_t> functions_;
  std::set<std::string> params_;
  std::vector<std::map<std::string, SType>> scopes_;
  bool in_policy_ = false;
  int guarded_ =
      0;           // > 0 inside an existence test (exists(x), default(x, ...), if exists(...) then)
  int found_ = 0;  // schema lookups that found their field, in this typed call
  std::vector<std::pair<std::string, Diagnostic>> guarded_missing_;
};

std::string literal_attr(const ast::Policy& p, std::string_view key) {
  for (const auto& a : p.attributes)
    if (a.key == key && a.value && a.value->kind == ExprKind::kString) return a.value->string_value;
  return {};
}

}  // namespace

std::size_t check_modules(const ModuleSet& modules, Diagnostics& diags,
                          const schema::SchemaSet* schemas, bool trust_builtin) {
  TypingContext ctx{
      schemas ? *schemas : schema::SchemaSet::builtin(), {}, {}, {}, {}, {}, false, {}, 0};
  std::size_t before = 0;
  for (const auto& d : diags.items()) before += d.severity == DiagSeverity::kError;
  std::map<std::string, const ast::Policy*> ids, names;
  std::map<const ast::Policy*, const Module*> owner;
  const bool skip_pass = trust_builtin && schemas == nullptr &&
                         std::all_of(modules.modules().begin(), modules.modules().end(),
                                     [](const auto& m) { return m->builtin; });
  for (const auto& m : modules.modules()) {
    if (!m->ast) continue;
    if (!skip_pass) Checker(*m, diags, ctx).run();
    if (!m->root) {
      if (!m->ast->policies.empty())
        diags.warning("check", Location::at(*m->source, m->ast->policies.front().span.begin),
                      "policies in an imported file are ignored; only its functions and constants are used");
      continue;
    }
    for (const auto& p : m->ast->policies) {
      std::string id = literal_attr(p, "id");
      if (!id.empty()) {
        auto [it, ok] = ids.emplace(id, &p);
        if (!ok) {
          Diagnostic d;
          d.code = "check";
          d.location = Location::at(*m->source, p.span.begin);
          d.message = "policy id '" + id + "' is already used by policy '" + it->second->name + "'";
          const Module* om = owner[it->second];
          d.notes.push_back({Location::at(*om->source, it->second->span.begin), "first used here"});
          diags.add(std::move(d));
        }
      }
      auto [it, ok] = names.emplace(p.name, &p);
      if (!ok) {
        Diagnostic d;
        d.code = "check";
        d.location = Location::at(*m->source, p.name_span.begin);
        d.message = "policy name '" + p.name + "' is already used";
        const Module* om = owner[it->second];
        d.notes.push_back({Location::at(*om->source, it->second->span.begin), "first used here"});
        diags.add(std::move(d));
      }
      owner[&p] = m.get();
    }
  }
  // Held-back diagnostics of functions typed by use: one per location that no call's types have.
  std::set<std::string> given;
  for (auto& [key, d] : ctx.pending) {
    if (ctx.satisfied.count(key)) continue;
    std::string where = key.substr(0, key.find('\n'));
    if (!given.insert(where).second || !ctx.reported.insert({where, d.message}).second) continue;
    diags.add(std::move(d));
  }
  std::size_t after = 0;
  for (const auto& d : diags.items()) after += d.severity == DiagSeverity::kError;
  return after - before;
}

}  // namespace polc
