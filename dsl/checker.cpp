#include "dsl/checker.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/program/builtins.h"

namespace polc {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

constexpr const char* kAttributes[] = {"id", "title", "severity", "description", "remediation",
                                       "docs", "tags", "aliases", "applies_to"};

bool is_kebab(std::string_view s) {
  if (s.empty() || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  char prev = 0;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok || (c == '-' && prev == '-')) return false;
    prev = c;
  }
  return s.back() != '-';
}

class Checker {
 public:
  Checker(const Module& m, Diagnostics& d) : m_(m), diags_(d) {}

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
      for (const auto& p : fn.params) scopes_.back().insert(p);
      check_expr(*fn.body, 0);
    }
    for (const auto& p : f.policies) check_policy(p);
  }

 private:
  void error(ast::Span s, std::string msg) { diags_.error("check", Location::at(*m_.source, s.begin), std::move(msg)); }
  void warn(ast::Span s, std::string msg) { diags_.warning("check", Location::at(*m_.source, s.begin), std::move(msg)); }

  bool is_local(const std::string& n) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it)
      if (it->count(n)) return true;
    return false;
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
      check_expr(*rel.target, 0);
      scopes_.emplace_back();
      if (!rel.name.empty()) scopes_.back().insert(rel.name);
      if (rel.message) check_expr(*rel.message, 0);
      scopes_.pop_back();
    }
  }

  void check_stmt(const Stmt& s) {
    switch (s.kind) {
      case StmtKind::kFor:
        check_expr(*s.expr, 0);
        scopes_.emplace_back();
        scopes_.back().insert(s.name);
        check_block(s.body);
        scopes_.pop_back();
        break;
      case StmtKind::kLet:
        check_expr(*s.expr, 0);
        scopes_.back().insert(s.name);
        break;
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

  void check_call(const Expr& e, int depth) {
    for (const auto& a : e.args) check_expr(*a, depth + 1);
    std::size_t dot = e.name.find('.');
    if (dot != std::string::npos) {
      std::string mod = e.name.substr(0, dot), fn = e.name.substr(dot + 1);
      auto it = m_.imports.find(mod);
      if (it == m_.imports.end()) {
        error(e.span, "unknown module '" + mod + "' (import it first: import \"stdlib/" + mod + "\")");
        return;
      }
      const Module* target = it->second;
      const ast::Function* f = nullptr;
      if (target->ast)
        for (const auto& cand : target->ast->functions)
          if (cand.name == fn) f = &cand;
      if (!f) {
        error(e.span, "module '" + mod + "' has no function '" + fn + "'");
        return;
      }
      if (f->params.size() != e.args.size())
        error(e.span, "'" + e.name + "' takes " + std::to_string(f->params.size()) + " argument(s), " +
                          std::to_string(e.args.size()) + " given");
      return;
    }
    if (auto it = functions_.find(e.name); it != functions_.end()) {
      if (it->second != e.args.size())
        error(e.span, "'" + e.name + "' takes " + std::to_string(it->second) + " argument(s), " +
                          std::to_string(e.args.size()) + " given");
      return;
    }
    int b = find_builtin(e.name);
    if (b < 0) {
      error(e.span, "unknown function '" + e.name + "'");
      return;
    }
    const BuiltinInfo& info = builtin_info(static_cast<std::size_t>(b));
    int n = static_cast<int>(e.args.size());
    if (n < info.min_arity || n > info.max_arity)
      error(e.span, "wrong number of arguments to '" + e.name + "': " + std::string(info.signature));
  }

  void check_expr(const Expr& e, int depth) {
    if (depth > 200) return;  // the parser bounds depth; this is a second guard
    switch (e.kind) {
      case ExprKind::kNull:
      case ExprKind::kBool:
      case ExprKind::kInt:
      case ExprKind::kFloat:
      case ExprKind::kString: return;
      case ExprKind::kTemplate:
        for (const auto& a : e.args) check_expr(*a, depth + 1);
        return;
      case ExprKind::kName:
        if (is_local(e.name) || params_.count(e.name) || consts_.count(e.name) || e.name == "template") return;
        if (m_.imports.count(e.name)) {
          error(e.span, "'" + e.name + "' is a module; use " + e.name + ".function(...) or " + e.name + ".CONSTANT");
          return;
        }
        error(e.span, "unknown name '" + e.name + "'");
        return;
      case ExprKind::kField:
        if (check_module_member(e)) return;
        check_expr(*e.lhs, depth + 1);
        return;
      case ExprKind::kIndex:
        check_expr(*e.lhs, depth + 1);
        check_expr(*e.rhs, depth + 1);
        return;
      case ExprKind::kWildcard: check_expr(*e.lhs, depth + 1); return;
      case ExprKind::kCall: check_call(e, depth); return;
      case ExprKind::kUnary:
        check_expr(*e.lhs, depth + 1);
        if (e.lhs->kind == ExprKind::kString || e.lhs->kind == ExprKind::kBool)
          error(e.span, "unary minus needs a number");
        return;
      case ExprKind::kNot:
        check_expr(*e.lhs, depth + 1);
        if (e.lhs->kind == ExprKind::kInt || e.lhs->kind == ExprKind::kFloat || e.lhs->kind == ExprKind::kString)
          error(e.span, "'not' needs a boolean");
        return;
      case ExprKind::kBinary: {
        check_expr(*e.lhs, depth + 1);
        check_expr(*e.rhs, depth + 1);
        using ast::BinaryOp;
        bool arith = e.op == BinaryOp::kSub || e.op == BinaryOp::kMul || e.op == BinaryOp::kDiv || e.op == BinaryOp::kMod;
        auto is_str = [](const Expr& x) { return x.kind == ExprKind::kString || x.kind == ExprKind::kBool; };
        if (arith && (is_str(*e.lhs) || is_str(*e.rhs))) error(e.span, "arithmetic on a non-number literal");
        return;
      }
      case ExprKind::kAnd:
      case ExprKind::kOr:
        check_expr(*e.lhs, depth + 1);
        check_expr(*e.rhs, depth + 1);
        return;
      case ExprKind::kIf:
        for (const auto& a : e.args) check_expr(*a, depth + 1);
        return;
      case ExprKind::kLet:
        check_expr(*e.lhs, depth + 1);
        scopes_.emplace_back();
        scopes_.back().insert(e.name);
        check_expr(*e.rhs, depth + 1);
        scopes_.pop_back();
        return;
      case ExprKind::kQuantifier:
        check_expr(*e.lhs, depth + 1);
        scopes_.emplace_back();
        scopes_.back().insert(e.name);
        check_expr(*e.rhs, depth + 1);
        scopes_.pop_back();
        return;
      case ExprKind::kList:
      case ExprKind::kMap:
        for (const auto& a : e.args) check_expr(*a, depth + 1);
        return;
      case ExprKind::kComprehension:
        check_expr(*e.rhs, depth + 1);
        scopes_.emplace_back();
        scopes_.back().insert(e.name);
        if (e.cond) check_expr(*e.cond, depth + 1);
        check_expr(*e.lhs, depth + 1);
        scopes_.pop_back();
        return;
    }
  }

  const Module& m_;
  Diagnostics& diags_;
  std::set<std::string> consts_;
  std::map<std::string, std::size_t> functions_;
  std::set<std::string> params_;
  std::vector<std::set<std::string>> scopes_;
  bool in_policy_ = false;
};

std::string attr_string(const ast::Policy& p, std::string_view key) {
  for (const auto& a : p.attributes)
    if (a.key == key && a.value && a.value->kind == ExprKind::kString) return a.value->string_value;
  return {};
}

}  // namespace

bool is_known_attribute(std::string_view key) {
  for (const char* k : kAttributes)
    if (key == k) return true;
  return false;
}

std::size_t check_modules(const ModuleSet& modules, Diagnostics& diags) {
  std::size_t before = 0;
  for (const auto& d : diags.items()) before += d.severity == DiagSeverity::kError;
  std::map<std::string, const ast::Policy*> ids, names;
  std::map<const ast::Policy*, const Module*> owner;
  for (const auto& m : modules.modules()) {
    if (!m->ast) continue;
    Checker(*m, diags).run();
    if (!m->root) {
      if (!m->ast->policies.empty())
        diags.warning("check", Location::at(*m->source, m->ast->policies.front().span.begin),
                      "policies in an imported file are ignored; only its functions and constants are used");
      continue;
    }
    for (const auto& p : m->ast->policies) {
      std::string id = attr_string(p, "id");
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
  std::size_t after = 0;
  for (const auto& d : diags.items()) after += d.severity == DiagSeverity::kError;
  return after - before;
}

}  // namespace polc
