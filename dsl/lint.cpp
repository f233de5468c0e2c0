// Strict checks (see dsl/lint.h): unused names, constant conditions, policies that cannot
// report, messages that name no resource. A walk over the checked ASTs with its own scopes.
#include "dsl/lint.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dsl/checker.h"

namespace polc {
namespace {

using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

// The import alias of `imp`: its `as` name, else the file's stem.
std::string import_alias(const ast::Import& imp) {
  if (!imp.alias.empty()) return imp.alias;
  std::string p = imp.path;
  if (std::size_t slash = p.rfind('/'); slash != std::string::npos) p = p.substr(slash + 1);
  if (p.ends_with(".polc")) p.resize(p.size() - 5);
  return p;
}

// Every function and constant some module of the set reads: (module, name). Shadowing is
// ignored, so a name counts as read whenever it appears (fewer warnings, never a false one).
using Uses = std::set<std::pair<const Module*, std::string>>;

void collect_uses(const Module& m, const Expr* e, Uses& uses) {
  if (!e) return;
  if (e->kind == ExprKind::kName) uses.insert({&m, e->name});
  if (e->kind == ExprKind::kCall) {
    if (std::size_t dot = e->name.find('.'); dot != std::string::npos) {
      auto it = m.imports.find(e->name.substr(0, dot));
      if (it != m.imports.end()) uses.insert({it->second, e->name.substr(dot + 1)});
    } else {
      uses.insert({&m, e->name});
    }
  }
  if (e->kind == ExprKind::kField && e->lhs && e->lhs->kind == ExprKind::kName) {
    auto it = m.imports.find(e->lhs->name);
    if (it != m.imports.end()) uses.insert({it->second, e->name});
  }
  collect_uses(m, e->lhs.get(), uses);
  collect_uses(m, e->rhs.get(), uses);
  collect_uses(m, e->cond.get(), uses);
  for (const auto& a : e->args) collect_uses(m, a.get(), uses);
}

void collect_uses(const Module& m, const std::vector<ast::StmtPtr>& body, Uses& uses) {
  for (const auto& s : body) {
    collect_uses(m, s->expr.get(), uses);
    collect_uses(m, s->report.message.get(), uses);
    collect_uses(m, s->report.at.get(), uses);
    for (const auto& r : s->report.related) {
      collect_uses(m, r.target.get(), uses);
      collect_uses(m, r.message.get(), uses);
    }
    collect_uses(m, s->body, uses);
    collect_uses(m, s->else_body, uses);
  }
}

// 1 / 0 for a condition that is the literal true / false (through `not`, `and`, `or`), else -1.
int literal_truth(const Expr* e) {
  if (!e) return -1;
  switch (e->kind) {
    case ExprKind::kBool:
      return e->bool_value ? 1 : 0;
    case ExprKind::kNull:
      return 0;
    case ExprKind::kNot: {
      int t = literal_truth(e->lhs.get());
      return t < 0 ? -1 : 1 - t;
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      int a = literal_truth(e->lhs.get()), b = literal_truth(e->rhs.get());
      int deciding = e->kind == ExprKind::kAnd ? 0 : 1;
      if (a == deciding || b == deciding) return deciding;
      return a >= 0 && b >= 0 ? 1 - deciding : -1;
    }
    default:
      return -1;
  }
}

class Linter {
 public:
  Linter(const Module& m, const Uses& uses, Diagnostics& diags, bool strict)
      : m_(m), uses_(uses), diags_(diags), strict_(strict) {}

  std::size_t run() {
    const ast::File& f = *m_.ast;
    for (const auto& c : f.consts) consts_.insert(c.name);
    for (const auto& imp : f.imports) imports_[import_alias(imp)] = {imp.span.begin, false};
    for (const auto& c : f.consts) expr(c.value.get());
    for (const auto& fn : f.functions) {
      scopes_.emplace_back();
      std::uint32_t from = fn.span.begin;
      if (std::size_t paren = m_.source->text().find('(', from); paren != std::string_view::npos)
        from = static_cast<std::uint32_t>(paren);
      for (const auto& p : fn.params) {
        from = name_offset(from, p);
        scopes_.back().push_back(
            {p, from, "unused-parameter",
             "parameter '" + p + "' of function '" + fn.name + "' is never used",
             "rename it to _" + p + " (or remove it and its arguments)"});
      }
      expr(fn.body.get());
      close_scope();
    }
    for (const auto& p : f.policies) policy(p);
    for (const auto& [alias, imp] : imports_)
      if (!imp.second && !alias.starts_with("_"))
        warn("unused-import", imp.first, "import '" + alias + "' is never used", "remove it");
    if (!f.policies.empty()) {  // a file without policies is a library: its names are its API
      for (const auto& fn : f.functions)
        if (!uses_.count({&m_, fn.name}) && !fn.name.starts_with("_"))
          warn("unused-function", name_offset(fn.span.begin, fn.name),
               "function '" + fn.name + "' is never called",
               "remove it, or rename it to _" + fn.name);
      for (const auto& c : f.consts)
        if (!uses_.count({&m_, c.name}) && !c.name.starts_with("_"))
          warn("unused-const", name_offset(c.span.begin, c.name),
               "constant '" + c.name + "' is never used", "remove it, or rename it to _" + c.name);
    }
    // In source order (the walk closes scopes from the inside out).
    std::stable_sort(pending_.begin(), pending_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return a.location.offset < b.location.offset;
                     });
    for (Diagnostic& d : pending_) diags_.add(std::move(d));
    return pending_.size();
  }

 private:
  struct Local {
    std::string name;
    std::uint32_t offset;
    const char* code;  // null: never reported (loop and quantifier variables)
    std::string what, fix;
    bool used = false;
    int loops = 0;  // `for` loops around the binding (see `report`)
  };

  void warn(const char* code, std::uint32_t offset, std::string message, const std::string& fix) {
    if (!fix.empty()) message += "; " + fix;
    if (strict_) message += " (--strict)";
    pending_.push_back({strict_ ? DiagSeverity::kError : DiagSeverity::kWarning,
                        code,
                        std::move(message),
                        Location::at(*m_.source, offset),
                        {},
                        {}});
  }

  // The offset of the first whole-word `name` at or after `from` (for a precise column), else
  // `from`.
  std::uint32_t name_offset(std::uint32_t from, const std::string& name) const {
    std::string_view text = m_.source->text();
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    for (std::size_t at = text.find(name, from); at != std::string_view::npos && at < from + 4096;
         at = text.find(name, at + 1)) {
      if ((at == 0 || !word(text[at - 1])) &&
          (at + name.size() >= text.size() || !word(text[at + name.size()])))
        return static_cast<std::uint32_t>(at);
    }
    return from;
  }

  void close_scope() {
    for (const Local& l : scopes_.back())
      if (l.code && !l.used && !l.name.starts_with("_")) warn(l.code, l.offset, l.what, l.fix);
    scopes_.pop_back();
  }
  void bind(const std::string& name, std::uint32_t offset, bool reported) {
    if (reported)
      scopes_.back().push_back({name, offset, "unused-let", "let '" + name + "' is never used",
                                "remove it, or rename it to _" + name, false, loops_});
    else
      scopes_.back().push_back({name, offset, nullptr, {}, {}, false, loops_});
  }
  Local* local(const std::string& name) {
    for (auto s = scopes_.rbegin(); s != scopes_.rend(); ++s)
      for (auto l = s->rbegin(); l != s->rend(); ++l)
        if (l->name == name) return &*l;
    return nullptr;
  }
  bool is_import(const std::string& name) {
    return !local(name) && !params_.count(name) && !consts_.count(name) && imports_.count(name);
  }

  void use(const std::string& name) {
    if (Local* l = local(name)) {
      l->used = true;
    } else if (auto p = params_.find(name); p != params_.end()) {
      p->second.second = true;
    } else if (!consts_.count(name)) {
      if (auto i = imports_.find(name); i != imports_.end()) i->second.second = true;
    }
  }

  void expr(const Expr* e) {
    if (!e) return;
    switch (e->kind) {
      case ExprKind::kName:
        use(e->name);
        return;
      case ExprKind::kCall:
        if (std::size_t dot = e->name.find('.'); dot != std::string::npos)
          use(e->name.substr(0, dot));
        for (const auto& a : e->args) expr(a.get());
        return;
      case ExprKind::kLet:
        expr(e->lhs.get());
        scopes_.emplace_back();
        bind(e->name, name_offset(e->span.begin, e->name), true);
        expr(e->rhs.get());
        close_scope();
        return;
      case ExprKind::kQuantifier:
        expr(e->lhs.get());
        scopes_.emplace_back();
        bind(e->name, e->span.begin, false);
        expr(e->rhs.get());
        close_scope();
        return;
      case ExprKind::kComprehension:
        expr(e->rhs.get());
        scopes_.emplace_back();
        bind(e->name, e->span.begin, false);
        expr(e->lhs.get());
        expr(e->cond.get());
        close_scope();
        return;
      default:
        expr(e->lhs.get());
        expr(e->rhs.get());
        expr(e->cond.get());
        for (const auto& a : e->args) expr(a.get());
    }
  }

  // True when `e` reads neither the template nor a parameter nor a variable: literals and
  // constants only.
  bool constant(const Expr* e) {
    if (!e) return true;
    switch (e->kind) {
      case ExprKind::kNull:
      case ExprKind::kBool:
      case ExprKind::kInt:
      case ExprKind::kFloat:
      case ExprKind::kString:
        return true;
      case ExprKind::kName:
        return !local(e->name) && !params_.count(e->name) && consts_.count(e->name);
      case ExprKind::kField:
        if (e->lhs && e->lhs->kind == ExprKind::kName && is_import(e->lhs->name)) return true;
        return false;
      case ExprKind::kUnary:
      case ExprKind::kNot:
      case ExprKind::kBinary:
      case ExprKind::kAnd:
      case ExprKind::kOr:
      case ExprKind::kIf:
      case ExprKind::kList:
      case ExprKind::kTemplate: {
        bool all = constant(e->lhs.get()) && constant(e->rhs.get());
        for (const auto& a : e->args) all = all && constant(a.get());
        return all;
      }
      default:
        return false;
    }
  }

  // True when `e` reads a variable bound inside a `for` loop (its element, or a `let` in its
  // body): what a finding of one iteration is about.
  bool mentions_variable(const Expr* e) {
    if (!e) return false;
    if (e->kind == ExprKind::kName)
      if (const Local* l = local(e->name); l && l->loops > 0) return true;
    if (mentions_variable(e->lhs.get()) || mentions_variable(e->rhs.get()) ||
        mentions_variable(e->cond.get()))
      return true;
    for (const auto& a : e->args)
      if (mentions_variable(a.get())) return true;
    return false;
  }

  void condition(const Stmt& s, const char* keyword) {
    if (!constant(s.expr.get())) return;
    int t = literal_truth(s.expr.get());
    std::string value = t == 1 ? " (always true)" : t == 0 ? " (always false)" : "";
    warn("constant-condition", s.span.begin,
         std::string("'") + keyword + "' condition is constant" + value +
             ": it reads no template value, parameter or variable",
         std::string("test a value of the template") +
             (std::string_view(keyword) == "require" ? "" : ", or remove the statement"));
  }

  void report(const ast::Report& r, const Stmt& s) {
    // A rule about the template as a whole (outside any loop) has no resource to name.
    if (!in_subject_ && loops_ > 0 && !r.at && !mentions_variable(r.message.get()))
      warn("message-names-no-resource", s.span.begin,
           std::string("this '") + (s.kind == StmtKind::kRequire ? "require" : "report") +
               "' runs once per element of a 'for' loop but reports at the template (not in a "
               "subject loop, no 'at') with a message that interpolates no loop variable, so a "
               "finding cannot say which element to fix",
           "add 'at " + loop_vars_.back() + "', or name it in the message (\"{" + loop_vars_.back() +
               ".id} ...\")");
    expr(r.message.get());
    expr(r.at.get());
    for (const auto& rel : r.related) {
      expr(rel.target.get());
      scopes_.emplace_back();
      if (!rel.name.empty()) bind(rel.name, rel.span.begin, false);
      expr(rel.message.get());
      close_scope();
    }
  }

  void block(const std::vector<ast::StmtPtr>& body) {
    std::vector<const Stmt*> list;
    for (const auto& s : body) list.push_back(s.get());
    block(list);
  }
  void block(const std::vector<const Stmt*>& body) {
    scopes_.emplace_back();
    for (const Stmt* sp : body) {
      const Stmt& s = *sp;
      switch (s.kind) {
        case StmtKind::kFor:
          expr(s.expr.get());
          ++loops_;
          loop_vars_.push_back(s.name);
          scopes_.emplace_back();
          bind(s.name, s.span.begin, false);
          block(s.body);
          close_scope();
          loop_vars_.pop_back();
          --loops_;
          break;
        case StmtKind::kLet:
          expr(s.expr.get());
          bind(s.name, name_offset(s.span.begin + 3, s.name), true);
          break;
        case StmtKind::kWhen:
          expr(s.expr.get());
          condition(s, "when");
          break;
        case StmtKind::kRequire:
          expr(s.expr.get());
          condition(s, "require");
          report(s.report, s);
          break;
        case StmtKind::kReport:
          report(s.report, s);
          break;
        case StmtKind::kIf:
          expr(s.expr.get());
          condition(s, "if");
          block(s.body);
          block(s.else_body);
          break;
      }
    }
    close_scope();
  }

  // True when a `require` or `report` of `body` can run.
  static bool can_report(const std::vector<ast::StmtPtr>& body) {
    for (const auto& s : body) {
      switch (s->kind) {
        case StmtKind::kWhen:
          if (literal_truth(s->expr.get()) == 0) return false;
          break;
        case StmtKind::kRequire:
        case StmtKind::kReport:
          return true;
        case StmtKind::kFor:
          if (s->expr && s->expr->kind == ExprKind::kList && s->expr->args.empty()) break;
          if (can_report(s->body)) return true;
          break;
        case StmtKind::kIf: {
          int t = literal_truth(s->expr.get());
          if ((t != 0 && can_report(s->body)) || (t != 1 && can_report(s->else_body))) return true;
          break;
        }
        case StmtKind::kLet:
          break;
      }
    }
    return false;
  }

  static bool subject_loop(const Stmt& s) {
    return s.kind == StmtKind::kFor && s.expr && s.expr->kind == ExprKind::kCall &&
           s.expr->name == "resources" && s.expr->args.size() == 1 &&
           s.expr->args[0]->kind == ExprKind::kString;
  }

  void policy(const ast::Policy& p) {
    params_.clear();
    for (const auto& b : p.params) {
      expr(b.value.get());
      params_[b.name] = {name_offset(b.span.begin + 5, b.name), false};
    }
    if (!can_report(p.body))
      warn("policy-cannot-report", p.name_span.begin,
           "policy '" + p.name +
               "' has no 'require' or 'report' that can run: it can never produce a finding",
           "add a require, or remove the policy");
    // Leading subject loops run per resource (their findings are at the resource); the rest of
    // the body runs once per template, like the compiler's partition.
    bool leading = true;
    std::vector<const Stmt*> rest;
    for (const auto& s : p.body) {
      leading = leading && subject_loop(*s);
      if (!leading) {
        rest.push_back(s.get());
        continue;
      }
      in_subject_ = true;
      expr(s->expr.get());
      scopes_.emplace_back();
      bind(s->name, s->span.begin, false);
      block(s->body);
      close_scope();
    }
    // The statements after the leading subject loops run once per template, as one block.
    in_subject_ = false;
    block(rest);
    in_subject_ = false;
    for (const auto& [name, param] : params_)
      if (!param.second && !name.starts_with("_"))
        warn("unused-parameter", param.first, "policy parameter '" + name + "' is never used",
             "remove it (and any configuration that sets it)");
    params_.clear();
  }

  const Module& m_;
  const Uses& uses_;
  Diagnostics& diags_;
  bool strict_;
  std::vector<Diagnostic> pending_;
  std::set<std::string> consts_;
  std::map<std::string, std::pair<std::uint32_t, bool>> imports_;  // alias -> (offset, used)
  std::map<std::string, std::pair<std::uint32_t, bool>> params_;   // policy parameters
  std::vector<std::vector<Local>> scopes_;
  bool in_subject_ = false;
  int loops_ = 0;  // `for` loops around the statement being walked
  std::vector<std::string> loop_vars_;  // their variables, innermost last
};

}  // namespace

std::size_t lint_modules(const ModuleSet& modules, Diagnostics& diags, bool strict,
                         bool (*include)(const Module&)) {
  auto linted = [&](const Module& m) { return m.ast && (include ? include(m) : !m.builtin); };
  if (std::none_of(modules.modules().begin(), modules.modules().end(),
                   [&](const auto& m) { return linted(*m); }))
    return 0;  // nothing to check (a run of the built-in pack alone): no walk at all
  Uses uses;
  for (const auto& m : modules.modules()) {
    if (!m->ast) continue;
    for (const auto& c : m->ast->consts) collect_uses(*m, c.value.get(), uses);
    for (const auto& f : m->ast->functions) collect_uses(*m, f.body.get(), uses);
    for (const auto& p : m->ast->policies) {
      for (const auto& b : p.params) collect_uses(*m, b.value.get(), uses);
      collect_uses(*m, p.body, uses);
    }
  }
  std::size_t added = 0;
  for (const auto& m : modules.modules())
    if (linted(*m))
      added += Linter(*m, uses, diags, strict).run();
  return added;
}

std::size_t check_and_lint(const ModuleSet& modules, Diagnostics& diags,
                           const CompileOptions& options) {
  std::size_t errors = check_modules(modules, diags, options.schemas, options.trust_builtin);
  if (errors > 0 || !options.lint) return errors;
  std::size_t added = lint_modules(modules, diags, options.strict);
  return options.strict ? added : 0;
}

}  // namespace polc
