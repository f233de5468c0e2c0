// The policy parser: PEGTL actions that build the AST of dsl/ast.h, and the control class that
// reports errors, recovers from them and bounds nesting.
//
// Actions work on a `ParseState`: an operand stack of expressions (with the depth of each tree),
// a stack of marks (where a list, call, map, template or parameter list began) and a stack of
// statements under construction. Every `must<>` failure throws a `parse_error` with the message
// of dsl/internal/grammar_errors.h; the control class catches it at `decl_item`, `policy_item`
// and `stmt_item`, records a diagnostic, rolls the stacks back and skips to the next line that
// starts a declaration (or a statement), so one run reports several errors. Nesting is bounded by
// `kMaxExpressionDepth` twice: per grammar recursion (so PEGTL's recursion stays shallow) and per
// AST depth (so left-deep chains such as `a + b + ... ` cannot make deep trees).
#include "dsl/parser.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <optional>
#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze.hpp>

#include "dsl/internal/grammar.h"
#include "dsl/internal/grammar_errors.h"
#include "dsl/internal/parse_control.h"
#include "dsl/internal/parse_state.h"
#include "dsl/internal/string_text.h"
#include "engine/base/limits.h"

namespace polc {
namespace {

namespace pegtl = tao::pegtl;
namespace g = dsl::grammar;
using namespace dsl;  // NOLINT: the parser's own internals
using ast::BinaryOp;
using ast::Quantifier;

// ---- Actions: build the AST bottom-up on the operand stack

template <typename Rule>
struct action : pegtl::nothing<Rule> {};

BinaryOp binary_op_at(const char* p) {
  switch (p[0]) {
    case '*':
      return BinaryOp::kMul;
    case '/':
      return BinaryOp::kDiv;
    case '%':
      return BinaryOp::kMod;
    case '+':
      return BinaryOp::kAdd;
    case '-':
      return BinaryOp::kSub;
    case '=':
      return BinaryOp::kEq;
    case '!':
      return BinaryOp::kNe;
    case '<':
      return p[1] == '=' ? BinaryOp::kLe : BinaryOp::kLt;
    case '>':
      return p[1] == '=' ? BinaryOp::kGe : BinaryOp::kGt;
    case 'i':
      return BinaryOp::kIn;
    default:
      return BinaryOp::kNotIn;  // "not in"
  }
}

struct push_name {  // an identifier: a name reference or a name being bound
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr e = st.make(ExprKind::kName, st.span(in));
    e->name = in.string();
    st.push(std::move(e));
  }
};
// clang-format off
template <> struct action<g::name_ref> : push_name {};
template <> struct action<g::lit_name> : push_name {};
template <> struct action<g::let_name> : push_name {};
template <> struct action<g::quant_name> : push_name {};
template <> struct action<g::comp_name> : push_name {};
template <> struct action<g::for_name> : push_name {};
template <> struct action<g::related_name> : push_name {};
template <> struct action<g::import_alias> : push_name {};
template <> struct action<g::const_name> : push_name {};
template <> struct action<g::fn_name> : push_name {};
template <> struct action<g::fn_param> : push_name {};
template <> struct action<g::attr_key> : push_name {};
template <> struct action<g::param_name> : push_name {};
// clang-format on

struct push_word {  // a field name or map key written as a word
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr e = st.make(ExprKind::kString, st.span(in));
    e->string_value = in.string();
    st.push(std::move(e));
  }
};
// clang-format off
template <> struct action<g::field_word> : push_word {};
template <> struct action<g::map_key_word> : push_word {};
// clang-format on

template <bool V>
struct push_bool {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr e = st.make(ExprKind::kBool, st.span(in));
    e->bool_value = V;
    st.push(std::move(e));
  }
};
// clang-format off
template <> struct action<g::true_lit> : push_bool<true> {};
template <> struct action<g::false_lit> : push_bool<false> {};
// clang-format on
template <>
struct action<g::null_lit> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    st.push(st.make(ExprKind::kNull, st.span(in)));
  }
};

template <>
struct action<g::int_lit> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr e = st.make(ExprKind::kInt, st.span(in));
    auto r = std::from_chars(in.begin(), in.end(), e->int_value);
    if (r.ec != std::errc())
      st.error("syntax", e->span.begin,
               "integer literal out of range (the largest is 9223372036854775807)");
    st.push(std::move(e));
  }
};
template <>
struct action<g::float_lit> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr e = st.make(ExprKind::kFloat, st.span(in));
    auto r = std::from_chars(in.begin(), in.end(), e->float_value);
    if (r.ec != std::errc()) st.error("syntax", e->span.begin, "number literal out of range");
    st.push(std::move(e));
  }
};

// ---- Strings and templates

template <>
struct action<g::plain_string> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr e = st.make(ExprKind::kString, st.span(in));
    e->string_value = dsl::cook_string(in.begin() + 1, in.end() - 1, {});
    st.push(std::move(e));
  }
};
template <>
struct action<g::raw_string> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr e = st.make(ExprKind::kString, st.span(in));
    e->string_value.assign(in.begin() + 1, in.end() - 1);
    st.push(std::move(e));
  }
};
template <>
struct action<g::long_string> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr e = st.make(ExprKind::kString, st.span(in));
    const char* b = in.begin() + 3;
    const char* end = in.end() - 3;
    dsl::DedentMask mask(std::string_view(b, static_cast<std::size_t>(end - b)));
    dsl::CookOptions o;
    o.normalize_crlf = true;
    o.mask = &mask;
    o.mask_origin = b;
    e->string_value = dsl::cook_string(b, end, o);
    st.push(std::move(e));
  }
};

struct open_mark {  // remembers where a list, map, template or parameter list began
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    st.mark(st.offset(in.begin()));
  }
};
// clang-format off
template <> struct action<g::tmpl_quote> : open_mark {};
template <> struct action<g::long_tmpl_quote> : open_mark {};
template <> struct action<g::list_open> : open_mark {};
template <> struct action<g::map_open> : open_mark {};
template <> struct action<g::fn_open> : open_mark {};
// clang-format on

struct push_piece {  // literal text of a template, cooked when the template is complete
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr e = st.make(ExprKind::kString, st.span(in));
    e->bool_value = true;  // marks a raw piece (an interpolated string literal has false)
    st.push(std::move(e));
  }
};
// clang-format off
template <> struct action<g::tmpl_text> : push_piece {};
template <> struct action<g::long_tmpl_text> : push_piece {};
// clang-format on

template <std::size_t Quote>
struct build_template {  // a kString when nothing is interpolated, else a kTemplate
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0, begin = 0;
    std::vector<ExprPtr> parts = st.pop_to_mark(&depth, &begin);
    const char* b = in.begin() + Quote;
    const char* end = in.end() - Quote;
    std::optional<dsl::DedentMask> mask;
    dsl::CookOptions o;
    o.template_braces = true;
    if (Quote == 3) {
      mask.emplace(std::string_view(b, static_cast<std::size_t>(end - b)));
      o.normalize_crlf = true;
      o.mask = &*mask;
      o.mask_origin = b;
    }
    std::vector<ExprPtr> out;
    bool interpolated = false;
    std::string text;
    for (ExprPtr& p : parts) {
      if (p->kind == ExprKind::kString && p->bool_value) {
        p->bool_value = false;
        p->string_value = dsl::cook_string(st.base() + p->span.begin, st.base() + p->span.end, o);
        text += p->string_value;
        if (!p->string_value.empty()) out.push_back(std::move(p));
      } else {
        interpolated = true;
        out.push_back(std::move(p));
      }
    }
    if (!interpolated) {
      ExprPtr e = st.make(ExprKind::kString, st.span(in));
      e->string_value = std::move(text);
      st.push(std::move(e));
      return;
    }
    ExprPtr e = st.make(ExprKind::kTemplate, st.span(in));
    e->args = std::move(out);
    st.push_node(std::move(e), depth, in.begin());
  }
};
// clang-format off
template <> struct action<g::template_string> : build_template<1> {};
template <> struct action<g::long_template> : build_template<3> {};
// clang-format on

// ---- Expressions

template <>
struct action<g::paren_expr> {  // the inner node's span grows to the parentheses
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    st.set_top_span(st.span(in));
  }
};

template <>
struct action<g::call_head> {  // pushes the callee name, then a mark for the args
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    const char* p = in.begin();
    const char* end = in.end();
    std::string_view first = word_at(p, end);
    std::string name(first);
    const char* name_end = p + first.size();
    const char* q = skip_sep(name_end, end);
    if (q < end && *q == '.') {
      q = skip_sep(q + 1, end);
      std::string_view second = word_at(q, end);
      name += '.';
      name += second;
      name_end = q + second.size();
    }
    ExprPtr e = st.make(ExprKind::kName, {st.offset(p), st.offset(name_end)});
    e->name = std::move(name);
    st.push(std::move(e));
    st.mark(st.offset(p));
  }
};
template <>
struct action<g::call> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0, begin = 0;
    std::vector<ExprPtr> args = st.pop_to_mark(&depth, &begin);
    ExprPtr callee = st.pop(&depth);
    ExprPtr e = st.make(ExprKind::kCall, {begin, st.offset(in.end())});
    e->name = std::move(callee->name);
    e->args = std::move(args);
    st.push_node(std::move(e), depth, in.begin());
  }
};

struct build_list {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0, begin = 0;
    std::vector<ExprPtr> items = st.pop_to_mark(&depth, &begin);
    ExprPtr e = st.make(ExprKind::kList, {begin, st.offset(in.end())});
    e->args = std::move(items);
    st.push_node(std::move(e), depth, st.base() + begin);
  }
};
// clang-format off
template <> struct action<g::empty_list_close> : build_list {};
template <> struct action<g::list_items> : build_list {};
template <> struct action<g::lit_list_items> : build_list {};
// clang-format on

struct build_map {  // the stack holds key (kString), value, key, value, ...
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0, begin = 0;
    std::vector<ExprPtr> parts = st.pop_to_mark(&depth, &begin);
    ExprPtr e = st.make(ExprKind::kMap, {begin, st.offset(in.end())});
    for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
      e->keys.push_back(std::move(parts[i]->string_value));
      e->args.push_back(std::move(parts[i + 1]));
    }
    st.push_node(std::move(e), depth, st.base() + begin);
  }
};
// clang-format off
template <> struct action<g::empty_map_close> : build_map {};
template <> struct action<g::map_items> : build_map {};
template <> struct action<g::lit_map_items> : build_map {};
// clang-format on

template <>
struct action<g::comp_tail> {  // the stack holds elem, name, coll [, cond]
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0, begin = 0;
    std::vector<ExprPtr> parts = st.pop_to_mark(&depth, &begin);
    ExprPtr e = st.make(ExprKind::kComprehension, {begin, st.offset(in.end())});
    if (parts.size() >= 3) {
      e->lhs = std::move(parts[0]);
      e->name = std::move(parts[1]->name);
      e->rhs = std::move(parts[2]);
      if (parts.size() >= 4) e->cond = std::move(parts[3]);
    }
    st.push_node(std::move(e), depth, st.base() + begin);
  }
};

template <ExprKind Kind>
struct build_postfix {  // base.name, base[index], base[*]
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0;
    ExprPtr arg = Kind == ExprKind::kWildcard ? nullptr : st.pop(&depth);
    ExprPtr base = st.pop(&depth);
    ExprPtr e = st.make(Kind, {base->span.begin, st.offset(in.end())});
    if (Kind == ExprKind::kField) e->name = std::move(arg->string_value);
    if (Kind == ExprKind::kIndex) e->rhs = std::move(arg);
    e->lhs = std::move(base);
    st.push_node(std::move(e), depth, in.begin());
  }
};
// clang-format off
template <> struct action<g::field_suffix> : build_postfix<ExprKind::kField> {};
template <> struct action<g::index_suffix> : build_postfix<ExprKind::kIndex> {};
template <> struct action<g::wildcard_suffix> : build_postfix<ExprKind::kWildcard> {};
// clang-format on

struct build_negation {  // -literal folds into the literal; -e is kUnary
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0;
    ExprPtr operand = st.pop(&depth);
    const std::uint32_t begin = st.offset(in.begin());
    if (operand->kind == ExprKind::kInt || operand->kind == ExprKind::kFloat) {
      operand->int_value = -operand->int_value;
      operand->float_value = -operand->float_value;
      operand->span.begin = begin;
      st.push_at_depth(std::move(operand), depth);
      return;
    }
    ExprPtr e = st.make(ExprKind::kUnary, {begin, operand->span.end});
    e->op = BinaryOp::kSub;
    e->lhs = std::move(operand);
    st.push_node(std::move(e), depth, in.begin());
  }
};
// clang-format off
template <> struct action<g::neg_prefix> : build_negation {};
template <> struct action<g::lit_negative> : build_negation {};
// clang-format on

struct build_not {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0;
    ExprPtr operand = st.pop(&depth);
    ExprPtr e = st.make(ExprKind::kNot, {st.offset(in.begin()), operand->span.end});
    e->lhs = std::move(operand);
    st.push_node(std::move(e), depth, in.begin());
  }
};
// clang-format off
template <> struct action<g::not_prefix> : build_not {};
template <> struct action<g::not_prefix_plain> : build_not {};
// clang-format on

template <ExprKind Kind>
struct build_binary {  // the tail's text starts with its operator
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0;
    ExprPtr rhs = st.pop(&depth);
    ExprPtr lhs = st.pop(&depth);
    ExprPtr e = st.make(Kind, {lhs->span.begin, rhs->span.end});
    if (Kind == ExprKind::kBinary) e->op = binary_op_at(in.begin());
    e->lhs = std::move(lhs);
    e->rhs = std::move(rhs);
    st.push_node(std::move(e), depth, in.begin());
  }
};
// clang-format off
template <> struct action<g::mul_tail> : build_binary<ExprKind::kBinary> {};
template <> struct action<g::add_tail> : build_binary<ExprKind::kBinary> {};
template <> struct action<g::cmp_tail> : build_binary<ExprKind::kBinary> {};
template <> struct action<g::cmp_tail_plain> : build_binary<ExprKind::kBinary> {};
template <> struct action<g::and_tail> : build_binary<ExprKind::kAnd> {};
template <> struct action<g::and_tail_plain> : build_binary<ExprKind::kAnd> {};
template <> struct action<g::or_tail> : build_binary<ExprKind::kOr> {};
template <> struct action<g::or_tail_plain> : build_binary<ExprKind::kOr> {};
// clang-format on

template <>
struct action<g::if_expr> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0;
    ExprPtr otherwise = st.pop(&depth);
    ExprPtr then = st.pop(&depth);
    ExprPtr cond = st.pop(&depth);
    ExprPtr e = st.make(ExprKind::kIf, st.span(in));
    e->args.push_back(std::move(cond));
    e->args.push_back(std::move(then));
    e->args.push_back(std::move(otherwise));
    st.push_node(std::move(e), depth, in.begin());
  }
};
template <>
struct action<g::let_expr> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0;
    ExprPtr body = st.pop(&depth);
    ExprPtr value = st.pop(&depth);
    ExprPtr name = st.pop(&depth);
    ExprPtr e = st.make(ExprKind::kLet, st.span(in));
    e->name = std::move(name->name);
    e->lhs = std::move(value);
    e->rhs = std::move(body);
    st.push_node(std::move(e), depth, in.begin());
  }
};
template <>
struct action<g::quant_expr> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    std::uint32_t depth = 0;
    ExprPtr pred = st.pop(&depth);
    ExprPtr coll = st.pop(&depth);
    ExprPtr name = st.pop(&depth);
    ExprPtr e = st.make(ExprKind::kQuantifier, st.span(in));
    const char* p = in.begin();
    e->quantifier = p[0] == 'n'   ? Quantifier::kNone
                    : p[1] == 'l' ? Quantifier::kAll
                                  : Quantifier::kAny;
    e->name = std::move(name->name);
    e->lhs = std::move(coll);
    e->rhs = std::move(pred);
    st.push_node(std::move(e), depth, in.begin());
  }
};

// ---- Statements

StmtPtr new_stmt(StmtKind kind, Span span) {
  auto s = std::make_unique<Stmt>();
  s->kind = kind;
  s->span = span;
  return s;
}

template <>
struct action<g::for_head> {
  template <typename In>
  static void apply(const In&, ParseState& st) {
    ExprPtr coll = st.pop();
    ExprPtr name = st.pop();
    st.open_stmt(StmtKind::kFor, std::move(coll), std::move(name->name));
  }
};
template <>
struct action<g::require_head> {
  template <typename In>
  static void apply(const In&, ParseState& st) {
    st.open_stmt(StmtKind::kRequire, st.pop(), {});
  }
};
template <>
struct action<g::report_head> {
  template <typename In>
  static void apply(const In&, ParseState& st) {
    st.open_stmt(StmtKind::kReport, nullptr, {});
  }
};
template <>
struct action<g::if_head> {
  template <typename In>
  static void apply(const In&, ParseState& st) {
    st.open_stmt(StmtKind::kIf, st.pop(), {});
  }
};
template <>
struct action<g::else_kw> {
  template <typename In>
  static void apply(const In&, ParseState& st) {
    st.set_in_else();
  }
};
struct close_statement {  // for, require, report, if: the statement under construction is done
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    st.append_stmt(st.close_stmt(st.span(in)));
  }
};
// clang-format off
template <> struct action<g::for_stmt> : close_statement {};
template <> struct action<g::require_stmt> : close_statement {};
template <> struct action<g::report_stmt> : close_statement {};
template <> struct action<g::if_stmt> : close_statement {};
// clang-format on

template <>
struct action<g::let_stmt> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    StmtPtr s = new_stmt(StmtKind::kLet, st.span(in));
    s->expr = st.pop();
    s->name = std::move(st.pop()->name);
    st.append_stmt(std::move(s));
  }
};
template <>
struct action<g::when_stmt> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    StmtPtr s = new_stmt(StmtKind::kWhen, st.span(in));
    s->expr = st.pop();
    st.append_stmt(std::move(s));
  }
};

template <ExprPtr ast::Report::*Field>
struct set_report_field {  // message / at: once per report
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr value = st.pop();
    Stmt* s = st.open_frame();
    if (s == nullptr) return;
    if (s->report.*Field) {
      st.error("syntax", st.offset(in.begin()),
               Field == &ast::Report::message ? "duplicate 'message' clause in this report"
                                              : "duplicate 'at' clause in this report");
      return;
    }
    s->report.*Field = std::move(value);
  }
};
template <>
struct action<g::message_clause> : set_report_field<&ast::Report::message> {};
template <>
struct action<g::at_clause> : set_report_field<&ast::Report::at> {};

template <>
struct action<g::severity_level> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    Stmt* s = st.open_frame();
    if (s == nullptr) return;
    if (!s->report.severity.empty()) {
      st.error("syntax", st.offset(in.begin()), "duplicate 'severity' clause in this report");
      return;
    }
    s->report.severity = in.string();
    s->report.severity_span = st.span(in);
  }
};

template <bool Named>
struct add_related {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ast::Related r;
    r.message = st.pop();
    r.target = st.pop();
    if (Named) r.name = std::move(st.pop()->name);
    // The clause begins at 'related', just before this rule's text.
    r.span = st.span(in);
    if (Stmt* s = st.open_frame()) s->report.related.push_back(std::move(r));
  }
};
// clang-format off
template <> struct action<g::related_each> : add_related<true> {};
template <> struct action<g::related_single> : add_related<false> {};
// clang-format on
template <>
struct action<g::related_clause> {  // widens the last related span to 'related'
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    Stmt* s = st.open_frame();
    if (s != nullptr && !s->report.related.empty())
      s->report.related.back().span.begin = st.offset(in.begin());
  }
};

// ---- Policies and declarations

template <>
struct action<g::policy_name> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    st.begin_policy(in.string(), st.span(in));
  }
};
template <bool IsParam>
struct add_policy_member {  // `key = literal` or `param name = literal`
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr value = st.pop();
    std::string key = std::move(st.pop()->name);
    ast::Policy* p = st.policy();
    if (p == nullptr) return;
    if (st.policy_has_statements())
      st.error("syntax", st.offset(in.begin()),
               std::string(IsParam ? "parameter '" : "header attribute '") + key +
                   "' must come before the policy's statements");
    if (IsParam) {
      p->params.push_back({st.span(in), std::move(key), std::move(value)});
    } else {
      p->attributes.push_back({st.span(in), std::move(key), std::move(value)});
    }
  }
};
// clang-format off
template <> struct action<g::attribute> : add_policy_member<false> {};
template <> struct action<g::param_decl> : add_policy_member<true> {};
// clang-format on
template <>
struct action<g::policy_decl> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    st.finish_policy(st.span(in));
  }
};

template <>
struct action<g::import_decl> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ast::Import imp;
    imp.span = st.span(in);
    if (st.top_is(ExprKind::kName)) imp.alias = std::move(st.pop()->name);
    imp.path = std::move(st.pop()->string_value);
    st.file().imports.push_back(std::move(imp));
  }
};
template <>
struct action<g::const_decl> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ExprPtr value = st.pop();
    std::string name = std::move(st.pop()->name);
    st.file().consts.push_back({st.span(in), std::move(name), std::move(value)});
  }
};
template <>
struct action<g::fn_decl> {
  template <typename In>
  static void apply(const In& in, ParseState& st) {
    ast::Function fn;
    fn.span = st.span(in);
    fn.body = st.pop();
    std::uint32_t depth = 0, begin = 0;
    for (ExprPtr& p : st.pop_to_mark(&depth, &begin)) fn.params.push_back(std::move(p->name));
    fn.name = std::move(st.pop()->name);
    st.file().functions.push_back(std::move(fn));
  }
};

}  // namespace

std::unique_ptr<ast::File> parse_policy_source(const SourceFile& source, Diagnostics& diags) {
  auto file = std::make_unique<ast::File>();
  std::string_view text = source.text();
  if (text.size() > kMaxPolicyBytes) {
    diags.error("policy-too-large", Location::whole(source.path()),
                "policy source is " + std::to_string(text.size()) + " bytes; the limit is " +
                    std::to_string(kMaxPolicyBytes) + " bytes");
    return file;
  }
  ParseState st(source, diags, *file);
  pegtl::memory_input<> in(text.data(), text.data() + text.size(), source.path());
  try {
    (void)pegtl::parse<g::file, action, control>(in, st);
  } catch (const pegtl::parse_error& e) {  // not expected: every declaration recovers
    auto at = static_cast<std::uint32_t>(e.positions().front().byte);
    st.error("syntax", at, std::string(e.message()));
  } catch (const DepthExceeded& e) {
    st.error("expression-depth", e.offset, kDepthMessage);
  }
  st.finish_policy(
      {static_cast<std::uint32_t>(text.size()), static_cast<std::uint32_t>(text.size())});
  return file;
}

std::size_t analyze_grammar() { return pegtl::analyze<dsl::grammar::file>(1); }

}  // namespace polc
