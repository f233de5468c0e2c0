#include "dsl/compiler.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "dsl/internal/compile_state.h"
#include "dsl/internal/policy_header.h"
#include "dsl/lint.h"
#include "engine/base/limits.h"
#include "engine/program/builtins.h"

namespace polc {
namespace {

using ast::BinaryOp;
using ast::Expr;
using ast::ExprKind;
using ast::Stmt;
using ast::StmtKind;

using dsl::CompileError;
using dsl::fold;
using dsl::make_bool;
using dsl::Program;

class ChunkCompiler {
 public:
  ChunkCompiler(Program& prog, const Module& m, Chunk& chunk, const ast::Policy* policy, CompiledPolicy* cp,
                std::map<std::string, std::uint16_t>* params)
      : prog_(prog), m_(m), chunk_(chunk), policy_(policy), cp_(cp), params_(params) {}

  // ---- emission
  void op(Opcode o) { byte(static_cast<std::uint8_t>(o)); }
  void byte(std::uint8_t b) {
    chunk_.code.push_back(b);
    chunk_.offsets.push_back(span_.begin);
  }
  void u16(std::size_t v) {
    if (v > 0xFFFF) throw CompileError{span_, "operand too large for the bytecode format"};
    byte(static_cast<std::uint8_t>(v & 0xFF));
    byte(static_cast<std::uint8_t>(v >> 8));
  }
  std::size_t jump(Opcode o) {
    op(o);
    u16(0);
    return chunk_.code.size() - 2;
  }
  void patch(std::size_t at) {
    std::size_t dist = chunk_.code.size() - (at + 2);
    if (dist > 0xFFFF) throw CompileError{span_, "rule body too large: a jump exceeds 65535 bytes"};
    chunk_.code[at] = static_cast<std::uint8_t>(dist & 0xFF);
    chunk_.code[at + 1] = static_cast<std::uint8_t>(dist >> 8);
  }
  void loop(std::size_t target) {
    std::size_t here = chunk_.code.size();
    op(Opcode::kLoop);
    std::size_t dist = here - target;
    if (dist > 0xFFFF) throw CompileError{span_, "rule body too large: a loop exceeds 65535 bytes"};
    u16(dist);
  }
  std::uint16_t constant(const Constant& c) {
    for (std::size_t i = 0; i < chunk_.constants.size(); ++i)
      if (chunk_.constants[i] == c) return static_cast<std::uint16_t>(i);
    if (chunk_.constants.size() >= kMaxConstants)
      throw CompileError{span_, "too many constants in one chunk (kMaxConstants)"};
    chunk_.constants.push_back(c);
    return static_cast<std::uint16_t>(chunk_.constants.size() - 1);
  }
  std::uint16_t string_constant(const std::string& s) {
    Constant c;
    c.kind = VKind::kString;
    c.text = s;
    return constant(c);
  }
  void emit_constant(const Constant& c) {
    if (c.kind == VKind::kNull) return op(Opcode::kNull);
    if (c.kind == VKind::kBool) return op(c.boolean ? Opcode::kTrue : Opcode::kFalse);
    op(Opcode::kConst);
    u16(constant(c));
  }

  // ---- locals
  std::uint8_t declare(const std::string& name) {
    std::uint8_t slot = alloc();
    locals_.push_back({name, slot, depth_});
    return slot;
  }
  std::uint8_t alloc() {
    if (next_slot_ >= 250) throw CompileError{span_, "too many local variables in one rule or function (max 250)"};
    std::uint8_t s = static_cast<std::uint8_t>(next_slot_++);
    if (next_slot_ > chunk_.num_locals) chunk_.num_locals = static_cast<std::uint8_t>(next_slot_);
    return s;
  }
  void begin_scope() { ++depth_; }
  void end_scope() {
    while (!locals_.empty() && locals_.back().depth == depth_) locals_.pop_back();
    --depth_;
    // Slots are not reused, which keeps iterator slots stable; 250 is plenty for rules.
  }
  int find_local(const std::string& name) const {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
      if (it->name == name) return it->slot;
    return -1;
  }

  // The head of every loop the compiler emits (for, comprehensions, quantifiers, related):
  // ITER_INIT from the collection on the stack into slots `it`/`it+1`, then ITER_NEXT and the
  // store of the element into a new local `name`. `end_loop` jumps back and patches the exit.
  struct LoopHead {
    std::size_t top;
    std::size_t exit;
    std::uint8_t var;
  };
  LoopHead begin_loop(std::uint8_t it, const std::string& name, Opcode init = Opcode::kIterInit) {
    op(init);
    byte(it);
    LoopHead h;
    h.top = chunk_.code.size();
    op(Opcode::kIterNext);
    byte(it);
    u16(0);
    h.exit = chunk_.code.size() - 2;
    h.var = declare(name);
    op(Opcode::kSetLocal);
    byte(h.var);
    return h;
  }
  void end_loop(const LoopHead& h) {
    loop(h.top);
    patch(h.exit);
  }

  // ---- expressions
  void expr(const Expr& e, int depth = 0) {
    if (depth > static_cast<int>(kMaxExpressionDepth) * 2) throw CompileError{e.span, "expression nests too deeply"};
    ast::Span saved = span_;
    span_ = e.span;
    if (auto folded = fold(e, &m_, prog_, prog_.optimize)) {
      emit_constant(*folded);
      span_ = saved;
      return;
    }
    switch (e.kind) {
      case ExprKind::kTemplate: {
        std::size_t n = 0;
        for (const auto& part : e.args) {
          expr(*part, depth + 1);
          ++n;
        }
        op(Opcode::kConcat);
        u16(n);
        break;
      }
      case ExprKind::kName: {
        int slot = find_local(e.name);
        if (slot >= 0) {
          op(Opcode::kGetLocal);
          byte(static_cast<std::uint8_t>(slot));
        } else if (params_ && params_->count(e.name)) {
          op(Opcode::kGetGlobal);
          u16(params_->at(e.name));
        } else if (e.name == "template") {
          op(Opcode::kTemplate);
        } else {
          throw CompileError{e.span, "unknown name '" + e.name + "'"};
        }
        break;
      }
      case ExprKind::kField:
        expr(*e.lhs, depth + 1);
        op(Opcode::kField);
        u16(string_constant(e.name));
        break;
      case ExprKind::kIndex:
        expr(*e.lhs, depth + 1);
        expr(*e.rhs, depth + 1);
        op(Opcode::kIndex);
        break;
      case ExprKind::kWildcard:
        expr(*e.lhs, depth + 1);
        op(Opcode::kWildcard);
        break;
      case ExprKind::kCall: call(e, depth); break;
      case ExprKind::kUnary:
        expr(*e.lhs, depth + 1);
        op(Opcode::kNeg);
        break;
      case ExprKind::kNot:
        expr(*e.lhs, depth + 1);
        op(Opcode::kNot);
        break;
      case ExprKind::kBinary: {
        expr(*e.lhs, depth + 1);
        expr(*e.rhs, depth + 1);
        span_ = e.span;
        switch (e.op) {
          case BinaryOp::kAdd: op(Opcode::kAdd); break;
          case BinaryOp::kSub: op(Opcode::kSub); break;
          case BinaryOp::kMul: op(Opcode::kMul); break;
          case BinaryOp::kDiv: op(Opcode::kDiv); break;
          case BinaryOp::kMod: op(Opcode::kMod); break;
          case BinaryOp::kEq: op(Opcode::kEq); break;
          case BinaryOp::kNe: op(Opcode::kNe); break;
          case BinaryOp::kLt: op(Opcode::kLt); break;
          case BinaryOp::kLe: op(Opcode::kLe); break;
          case BinaryOp::kGt: op(Opcode::kGt); break;
          case BinaryOp::kGe: op(Opcode::kGe); break;
          case BinaryOp::kIn: op(Opcode::kIn); break;
          case BinaryOp::kNotIn:
            op(Opcode::kIn);
            op(Opcode::kNot);
            break;
        }
        break;
      }
      case ExprKind::kAnd:
      case ExprKind::kOr: {
        expr(*e.lhs, depth + 1);
        span_ = e.span;
        std::size_t j = jump(e.kind == ExprKind::kAnd ? Opcode::kJumpIfFalseKeep : Opcode::kJumpIfTrueKeep);
        expr(*e.rhs, depth + 1);
        span_ = e.span;
        op(e.kind == ExprKind::kAnd ? Opcode::kAnd : Opcode::kOr);
        patch(j);
        break;
      }
      case ExprKind::kIf: {
        // true: a; false or null: b; unknown: the result is that unknown value (neither branch
        // is a safe guess).
        expr(*e.args[0], depth + 1);
        span_ = e.span;
        std::size_t if_unknown = jump(Opcode::kJumpIfUnknownKeep);
        std::size_t to_else = jump(Opcode::kJumpIfFalse);
        expr(*e.args[1], depth + 1);
        std::size_t to_end = jump(Opcode::kJump);
        patch(to_else);
        expr(*e.args[2], depth + 1);
        patch(to_end);
        patch(if_unknown);
        break;
      }
      case ExprKind::kLet: {
        expr(*e.lhs, depth + 1);
        begin_scope();
        std::uint8_t slot = declare(e.name);
        op(Opcode::kSetLocal);
        byte(slot);
        expr(*e.rhs, depth + 1);
        end_scope();
        break;
      }
      case ExprKind::kQuantifier: quantifier(e, depth); break;
      case ExprKind::kList: {
        for (const auto& a : e.args) expr(*a, depth + 1);
        op(Opcode::kList);
        u16(e.args.size());
        break;
      }
      case ExprKind::kMap: {
        for (std::size_t i = 0; i < e.args.size(); ++i) {
          op(Opcode::kConst);
          u16(string_constant(e.keys[i]));
          expr(*e.args[i], depth + 1);
        }
        op(Opcode::kMap);
        u16(e.args.size());
        break;
      }
      case ExprKind::kComprehension: {
        begin_scope();
        std::uint8_t acc = alloc();
        op(Opcode::kList);
        u16(0);
        op(Opcode::kSetLocal);
        byte(acc);
        std::uint8_t it = alloc();
        alloc();
        // An unknown collection makes the result unknown; so does an unknown filter (the item
        // may or may not belong to the list, and dropping it would hide it).
        expr(*e.rhs, depth + 1);
        span_ = e.span;
        std::size_t coll_unknown = jump(Opcode::kJumpIfUnknownKeep);
        LoopHead head = begin_loop(it, e.name);
        std::size_t skip = 0, maybe = 0, kept = 0;
        bool has_cond = e.cond != nullptr;
        if (has_cond) {
          expr(*e.cond, depth + 1);
          span_ = e.span;
          maybe = jump(Opcode::kJumpIfUnknownKeep);
          skip = jump(Opcode::kJumpIfFalse);
        }
        expr(*e.lhs, depth + 1);
        op(Opcode::kAppend);
        byte(acc);
        if (has_cond) {
          kept = jump(Opcode::kJump);
          patch(maybe);
          op(Opcode::kSetLocal);  // the accumulator becomes the unknown filter value
          byte(acc);
          patch(skip);
          patch(kept);
        }
        end_loop(head);
        op(Opcode::kGetLocal);
        byte(acc);
        patch(coll_unknown);
        end_scope();
        break;
      }
      default: throw CompileError{e.span, "cannot compile this expression"};
    }
    span_ = saved;
  }

  void quantifier(const Expr& e, int depth) {
    // acc = (all: true | any/none: false); for x in coll: acc = acc AND/OR pred; stop early.
    bool is_all = e.quantifier == ast::Quantifier::kAll;
    begin_scope();
    std::uint8_t acc = alloc();
    op(is_all ? Opcode::kTrue : Opcode::kFalse);
    op(Opcode::kSetLocal);
    byte(acc);
    std::uint8_t it = alloc();
    alloc();
    expr(*e.lhs, depth + 1);
    span_ = e.span;
    std::size_t coll_unknown = jump(Opcode::kJumpIfUnknownKeep);  // over an unknown: unknown
    LoopHead head = begin_loop(it, e.name);
    expr(*e.rhs, depth + 1);
    span_ = e.span;
    op(Opcode::kGetLocal);
    byte(acc);
    op(is_all ? Opcode::kAnd : Opcode::kOr);
    op(Opcode::kSetLocal);
    byte(acc);
    op(Opcode::kGetLocal);
    byte(acc);
    std::size_t brk = jump(is_all ? Opcode::kJumpIfFalseKeep : Opcode::kJumpIfTrueKeep);
    op(Opcode::kPop);
    loop(head.top);
    patch(brk);
    op(Opcode::kPop);
    patch(head.exit);
    op(Opcode::kGetLocal);
    byte(acc);
    if (e.quantifier == ast::Quantifier::kNone) op(Opcode::kNot);
    patch(coll_unknown);
    end_scope();
  }

  void call(const Expr& e, int depth) {
    std::size_t dot = e.name.find('.');
    const Module* target = &m_;
    std::string fn = e.name;
    if (dot != std::string::npos) {
      auto it = m_.imports.find(e.name.substr(0, dot));
      if (it == m_.imports.end()) throw CompileError{e.span, "unknown module in '" + e.name + "'"};
      target = it->second;
      fn = e.name.substr(dot + 1);
    }
    for (const auto& a : e.args) expr(*a, depth + 1);
    span_ = e.span;
    auto f = prog_.functions.find({target, fn});
    if (f != prog_.functions.end()) {
      op(Opcode::kCall);
      u16(f->second);
      byte(static_cast<std::uint8_t>(e.args.size()));
      return;
    }
    int b = dot == std::string::npos ? find_builtin(fn) : -1;
    if (b < 0) throw CompileError{e.span, "unknown function '" + e.name + "'"};
    if (fn == "matches" && e.args.size() == 2) {
      // A pattern written in the policy (a literal or a constant) must compile: its error is
      // the policy's, found now rather than on the first template that reaches it.
      if (auto pattern = fold(*e.args[1], &m_, prog_, true);
          pattern && pattern->kind == VKind::kString) {
        std::string error;
        if (!compile_regex(pattern->text, error)) throw CompileError{e.args[1]->span, error};
      }
    }
    op(Opcode::kCallBuiltin);
    byte(static_cast<std::uint8_t>(b));
    byte(static_cast<std::uint8_t>(e.args.size()));
  }

  // ---- statements
  void block(const std::vector<ast::StmtPtr>& body) {
    begin_scope();
    std::vector<std::size_t> guards;
    for (const auto& s : body) stmt(*s, guards);
    for (std::size_t g : guards) patch(g);
    end_scope();
  }

  void report(const ast::Report& r, ast::Span at_span) {
    span_ = at_span;
    if (r.message) expr(*r.message);
    else op(Opcode::kNull);
    if (r.at) expr(*r.at);
    else op(Opcode::kNull);
    // Related: a list of [location, message] pairs.
    std::size_t parts = 0;
    for (const auto& rel : r.related) {
      span_ = rel.span;
      if (rel.name.empty()) {
        expr(*rel.target);
        if (rel.message) expr(*rel.message);
        else op(Opcode::kNull);
        op(Opcode::kList);
        u16(2);
        op(Opcode::kList);
        u16(1);
      } else {
        begin_scope();
        std::uint8_t acc = alloc();
        op(Opcode::kList);
        u16(0);
        op(Opcode::kSetLocal);
        byte(acc);
        std::uint8_t it = alloc();
        alloc();
        expr(*rel.target);
        LoopHead head = begin_loop(it, rel.name);
        std::uint8_t var = head.var;
        op(Opcode::kGetLocal);
        byte(var);
        if (rel.message) expr(*rel.message);
        else op(Opcode::kNull);
        op(Opcode::kList);
        u16(2);
        op(Opcode::kAppend);
        byte(acc);
        end_loop(head);
        op(Opcode::kGetLocal);
        byte(acc);
        end_scope();
      }
      if (++parts > 1) op(Opcode::kAdd);
    }
    if (parts == 0) {
      op(Opcode::kList);
      u16(0);
    }
    ReportSite site;
    site.offset = at_span.begin;
    site.has_at = r.at != nullptr;
    site.has_message = r.message != nullptr;
    for (const auto& rel : r.related) site.related.push_back({!rel.name.empty()});
    if (!r.severity.empty()) site.has_severity = parse_severity(r.severity, site.severity);
    cp_->report_sites.push_back(site);
    span_ = at_span;
    op(Opcode::kReport);
    u16(cp_->report_sites.size() - 1);
  }

  void stmt(const Stmt& s, std::vector<std::size_t>& guards) {
    span_ = s.span;
    switch (s.kind) {
      case StmtKind::kFor: {
        // An unknown `when` or `if` inside the body makes only that iteration uncertain.
        begin_scope();
        std::uint8_t flag = alloc();
        op(Opcode::kSaveUncertain);
        byte(flag);
        // A collection that is unknown runs the body once, with the element unknown and the
        // iteration uncertain (its findings are "unknown"): never zero times, a silent pass.
        std::uint8_t it = alloc();
        alloc();
        std::uint8_t held = alloc();
        expr(*s.expr);
        span_ = s.span;
        std::size_t coll_unknown = jump(Opcode::kJumpIfUnknownKeep);
        std::size_t to_init = jump(Opcode::kJump);
        patch(coll_unknown);
        op(Opcode::kSetLocal);
        byte(held);
        op(Opcode::kGetLocal);
        byte(held);
        patch(jump(Opcode::kGuard));  // unknown: marks the iteration uncertain
        op(Opcode::kGetLocal);
        byte(held);
        op(Opcode::kList);
        u16(1);
        patch(to_init);
        // A statement loop visits items that exist under conditions one by one, each under
        // its own (ITER_INIT_GUARDED); comprehensions and quantifiers need the whole list.
        LoopHead head = begin_loop(it, s.name, Opcode::kIterInitGuarded);
        block(s.body);
        span_ = s.span;
        op(Opcode::kRestoreUncertain);
        byte(flag);
        end_loop(head);
        op(Opcode::kRestoreUncertain);
        byte(flag);
        end_scope();
        break;
      }
      case StmtKind::kLet: {
        expr(*s.expr);
        std::uint8_t slot = declare(s.name);
        span_ = s.span;
        op(Opcode::kSetLocal);
        byte(slot);
        break;
      }
      case StmtKind::kWhen:
        expr(*s.expr);
        span_ = s.span;
        guards.push_back(jump(Opcode::kGuard));
        break;
      case StmtKind::kRequire: {
        expr(*s.expr);
        span_ = s.span;
        std::size_t ok = jump(Opcode::kCheck);
        report(s.report, s.span);
        patch(ok);
        break;
      }
      case StmtKind::kReport: report(s.report, s.span); break;
      case StmtKind::kIf: {
        // true: the first block; false or null: the else block; unknown: the first block, whose
        // findings are then "unknown" (never a silent skip).
        std::uint8_t flag = alloc();
        op(Opcode::kSaveUncertain);
        byte(flag);
        expr(*s.expr);
        span_ = s.span;
        if (s.else_body.empty()) {
          std::size_t to_end = jump(Opcode::kGuard);
          block(s.body);
          op(Opcode::kRestoreUncertain);
          byte(flag);
          patch(to_end);
          break;
        }
        // With an else block, an unknown condition runs both blocks, each uncertain.
        std::uint8_t cond = alloc();
        op(Opcode::kSetLocal);
        byte(cond);
        op(Opcode::kGetLocal);
        byte(cond);
        std::size_t to_else = jump(Opcode::kGuard);
        block(s.body);
        op(Opcode::kRestoreUncertain);
        byte(flag);
        patch(to_else);
        span_ = s.span;  // the else block's guard belongs to the `if` (coverage, disassembly)
        op(Opcode::kGetLocal);
        byte(cond);
        op(Opcode::kNot);
        std::size_t to_end = jump(Opcode::kGuard);
        block(s.else_body);
        op(Opcode::kRestoreUncertain);
        byte(flag);
        patch(to_end);
        break;
      }
    }
  }

  void set_span(ast::Span s) { span_ = s; }

 private:
  struct Local {
    std::string name;
    std::uint8_t slot;
    int depth;
  };
  Program& prog_;
  const Module& m_;
  Chunk& chunk_;
  [[maybe_unused]] const ast::Policy* policy_;
  CompiledPolicy* cp_;
  std::map<std::string, std::uint16_t>* params_;
  std::vector<Local> locals_;
  int depth_ = 0;
  int next_slot_ = 0;
  ast::Span span_;
};

// `for x in resources("Type")` with a literal type: the subject loop.
bool subject_loop(const Stmt& s, std::string& type) {
  if (s.kind != StmtKind::kFor || !s.expr || s.expr->kind != ExprKind::kCall || s.expr->name != "resources" ||
      s.expr->args.size() != 1 || s.expr->args[0]->kind != ExprKind::kString)
    return false;
  type = s.expr->args[0]->string_value;
  return true;
}

}  // namespace

std::unique_ptr<PolicySet> compile_modules(ModuleSet& modules, Diagnostics& diags, const CompileOptions& options) {
  if (diags.has_errors()) return nullptr;
  if (check_and_lint(modules, diags, options) > 0) return nullptr;
  auto set = std::make_unique<PolicySet>();
  Program prog;
  prog.set = set.get();
  prog.optimize = options.optimize;
  // Sources and function chunk indices first, so calls can be forward or recursive.
  for (const auto& m : modules.modules()) {
    prog.source_index[m.get()] = static_cast<std::uint32_t>(set->sources.size());
    set->sources.push_back(std::make_unique<SourceFile>(m->source->path(), std::string(m->source->text())));
  }
  // Constants, in declaration order per module (a constant may use earlier ones and imports').
  for (int pass = 0; pass < 4; ++pass) {
    for (const auto& m : modules.modules()) {
      if (!m->ast) continue;
      for (const auto& c : m->ast->consts) {
        if (prog.consts.count({m.get(), c.name})) continue;
        if (auto v = fold(*c.value, m.get(), prog, true)) prog.consts[{m.get(), c.name}] = *v;
      }
    }
  }
  for (const auto& m : modules.modules()) {
    if (!m->ast) continue;
    for (const auto& c : m->ast->consts)
      if (!prog.consts.count({m.get(), c.name})) {
        diags.error("compile", Location::at(*m->source, c.span.begin), "constant '" + c.name + "' is not a literal value");
        return nullptr;
      }
    for (const auto& f : m->ast->functions) {
      prog.functions[{m.get(), f.name}] = static_cast<std::uint32_t>(set->chunks.size());
      Chunk chunk;
      chunk.name = m->stem + "." + f.name;
      chunk.source = prog.source_index[m.get()];
      chunk.arity = static_cast<std::uint8_t>(f.params.size());
      set->chunks.push_back(std::move(chunk));
    }
  }
  const Module* current = nullptr;
  try {
    for (const auto& m : modules.modules()) {
      if (!m->ast) continue;
      current = m.get();
      for (const auto& f : m->ast->functions) {
        Chunk& chunk = set->chunks[prog.functions[{m.get(), f.name}]];
        ChunkCompiler cc(prog, *m, chunk, nullptr, nullptr, nullptr);
        cc.begin_scope();
        for (const auto& p : f.params) cc.declare(p);
        cc.expr(*f.body);
        cc.set_span(f.body->span);
        cc.op(Opcode::kReturn);
      }
    }
    for (const auto& m : modules.modules()) {
      if (!m->ast || !m->root) continue;
      current = m.get();
      for (const auto& p : m->ast->policies) {
        CompiledPolicy cp;
        cp.source = prog.source_index[m.get()];
        cp.builtin = m->builtin;
        PolicyInfo& info = cp.info;
        info.id = attr_string(p, "id");
        info.name = p.name;
        info.title = attr_string(p, "title");
        parse_severity(attr_string(p, "severity"), info.severity);
        info.description = attr_string(p, "description");
        info.remediation = attr_string(p, "remediation");
        info.docs_url = attr_string(p, "docs");
        info.tags = attr_list(p, "tags");
        info.aliases = attr_list(p, "aliases");
        info.applies_to = attr_list(p, "applies_to");
        info.source_file = m->source->path();
        std::map<std::string, std::uint16_t> params;
        for (const auto& b : p.params) {
          auto v = fold(*b.value, m.get(), prog, true);
          params[b.name] = static_cast<std::uint16_t>(set->globals.size());
          set->globals.push_back({p.name + "." + b.name, v ? *v : Constant{}});
        }
        // Partition the body: leading subject loops become subject rules.
        std::vector<const Stmt*> rest;
        bool leading = true;
        for (const auto& s : p.body) {
          std::string type;
          if (leading && subject_loop(*s, type)) {
            Chunk chunk;
            chunk.name = p.name + "/for " + s->name + " in " + type;
            chunk.source = cp.source;
            chunk.arity = 1;
            ChunkCompiler cc(prog, *m, chunk, &p, &cp, &params);
            cc.begin_scope();
            cc.declare(s->name);
            cc.block(s->body);
            cc.set_span(s->span);
            cc.op(Opcode::kEnd);
            cp.subject_rules.push_back({type, static_cast<std::uint32_t>(set->chunks.size())});
            set->chunks.push_back(std::move(chunk));
            if (std::find(info.applies_to.begin(), info.applies_to.end(), type) == info.applies_to.end() &&
                attr_list(p, "applies_to").empty())
              info.applies_to.push_back(type);
            continue;
          }
          leading = false;
          rest.push_back(s.get());
        }
        if (!rest.empty()) {
          Chunk chunk;
          chunk.name = p.name + "/template";
          chunk.source = cp.source;
          chunk.arity = 1;  // local 0 is null: rules run with a uniform frame
          ChunkCompiler cc(prog, *m, chunk, &p, &cp, &params);
          cc.begin_scope();
          cc.declare("");
          std::vector<std::size_t> guards;
          for (const Stmt* s : rest) cc.stmt(*s, guards);
          for (std::size_t g : guards) cc.patch(g);
          cc.op(Opcode::kEnd);
          cp.template_chunk = static_cast<std::int32_t>(set->chunks.size());
          set->chunks.push_back(std::move(chunk));
        }
        set->policies.push_back(std::move(cp));
      }
    }
  } catch (const CompileError& e) {
    diags.error("compile", current ? Location::at(*current->source, e.span.begin) : Location::whole("<compiler>"),
                e.message);
    return nullptr;
  }
  std::sort(set->policies.begin(), set->policies.end(),
            [](const CompiledPolicy& a, const CompiledPolicy& b) { return a.info.id < b.info.id; });
  // Verify once. The one failure valid source can cause is an expression wider than the VM
  // stack (a list literal of thousands of items): report it at the expression, not as internal.
  std::string err = verify_policy_set(*set, builtin_count());
  constexpr std::string_view kTooDeep = ": stack too deep at ";
  if (std::size_t at = err.find(kTooDeep); at != std::string::npos) {
    for (const Chunk& c : set->chunks) {
      if (!err.starts_with(c.name + ": ") || c.source >= set->sources.size()) continue;
      std::size_t pc = std::strtoul(err.c_str() + at + kTooDeep.size(), nullptr, 10);
      std::uint32_t offset = pc < c.offsets.size() ? c.offsets[pc] : 0;
      diags.error("expression-too-large", Location::at(*set->sources[c.source], offset),
                  "this expression needs more than " + std::to_string(kMaxVmStack) +
                      " values on the VM stack at once (kMaxVmStack); split it into smaller parts");
      return nullptr;
    }
  }
  if (!err.empty()) {
    diags.error("verify", Location::whole("<compiler>"), "internal error: compiled bytecode failed verification: " + err);
    return nullptr;
  }
  return set;
}

std::unique_ptr<PolicySet> compile_policy_files(const std::vector<std::string>& paths, bool builtin_pack,
                                                Diagnostics& diags, const CompileOptions& options) {
  ModuleSet modules;
  if (!options.import_roots.empty()) modules.set_import_roots(options.import_roots);
  if (builtin_pack) modules.load_builtin_pack(diags);
  for (const auto& p : paths) modules.load_file(p, diags);
  return compile_modules(modules, diags, options);
}

std::unique_ptr<PolicySet> compile_policy_text(const std::string& name, const std::string& text, Diagnostics& diags,
                                               const CompileOptions& options) {
  ModuleSet modules;
  modules.load_source(name, text, false, diags);
  return compile_modules(modules, diags, options);
}

}  // namespace polc
