// Constant folding, the compiler's optimization pass: literal sub-expressions become constants
// (arithmetic, comparison, `and`/`or`/`not` on literals, string concatenation, literal lists and
// maps, names of constants). dsl/compiler.cpp calls it on every expression it emits.
#include <cstdlib>

#include "dsl/internal/compile_state.h"
#include "engine/base/limits.h"

namespace polc::dsl {

using ast::BinaryOp;
using ast::Expr;
using ast::ExprKind;

Constant make_bool(bool b) {
  Constant c;
  c.kind = VKind::kBool;
  c.boolean = b;
  return c;
}

namespace {

bool is_number(const Constant& c) { return c.kind == VKind::kInt || c.kind == VKind::kFloat; }
double as_double(const Constant& c) { return c.kind == VKind::kInt ? static_cast<double>(c.integer) : c.number; }

}  // namespace

std::optional<Constant> fold(const Expr& e, const Module* m, const Program& prog, bool deep, int depth) {
  if (depth > static_cast<int>(kMaxExpressionDepth) * 2) return std::nullopt;
  Constant c;
  switch (e.kind) {
    case ExprKind::kNull: return c;
    case ExprKind::kBool: return make_bool(e.bool_value);
    case ExprKind::kInt:
      c.kind = VKind::kInt;
      c.integer = e.int_value;
      return c;
    case ExprKind::kFloat:
      c.kind = VKind::kFloat;
      c.number = e.float_value;
      return c;
    case ExprKind::kString:
      c.kind = VKind::kString;
      c.text = e.string_value;
      return c;
    case ExprKind::kName: {
      auto it = prog.consts.find({m, e.name});
      if (it != prog.consts.end()) return it->second;
      return std::nullopt;
    }
    case ExprKind::kField: {
      if (e.lhs && e.lhs->kind == ExprKind::kName) {
        auto imp = m->imports.find(e.lhs->name);
        if (imp != m->imports.end()) {
          auto it = prog.consts.find({imp->second, e.name});
          if (it != prog.consts.end()) return it->second;
        }
      }
      return std::nullopt;
    }
    case ExprKind::kUnary: {
      auto v = fold(*e.lhs, m, prog, deep, depth + 1);
      if (!v) return std::nullopt;
      if (v->kind == VKind::kInt && v->integer != INT64_MIN) {
        v->integer = -v->integer;
        return v;
      }
      if (v->kind == VKind::kFloat) {
        v->number = -v->number;
        return v;
      }
      return std::nullopt;
    }
    case ExprKind::kList: {
      c.kind = VKind::kList;
      for (const auto& a : e.args) {
        auto v = fold(*a, m, prog, deep, depth + 1);
        if (!v) return std::nullopt;
        c.items.push_back(std::move(*v));
      }
      return c;
    }
    case ExprKind::kMap: {
      c.kind = VKind::kMap;
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        auto v = fold(*e.args[i], m, prog, deep, depth + 1);
        if (!v) return std::nullopt;
        c.keys.push_back(e.keys[i]);
        c.items.push_back(std::move(*v));
      }
      return c;
    }
    default: break;
  }
  if (!deep) return std::nullopt;
  switch (e.kind) {
    case ExprKind::kNot: {
      auto v = fold(*e.lhs, m, prog, deep, depth + 1);
      if (v && v->kind == VKind::kBool) return make_bool(!v->boolean);
      return std::nullopt;
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      auto a = fold(*e.lhs, m, prog, deep, depth + 1);
      auto b = fold(*e.rhs, m, prog, deep, depth + 1);
      if (!a || !b || a->kind != VKind::kBool || b->kind != VKind::kBool) return std::nullopt;
      return make_bool(e.kind == ExprKind::kAnd ? a->boolean && b->boolean : a->boolean || b->boolean);
    }
    case ExprKind::kBinary: {
      auto a = fold(*e.lhs, m, prog, deep, depth + 1);
      auto b = fold(*e.rhs, m, prog, deep, depth + 1);
      if (!a || !b) return std::nullopt;
      if (is_number(*a) && is_number(*b)) {
        double x = as_double(*a), y = as_double(*b);
        bool ints = a->kind == VKind::kInt && b->kind == VKind::kInt;
        switch (e.op) {
          case BinaryOp::kEq: return make_bool(x == y);
          case BinaryOp::kNe: return make_bool(x != y);
          case BinaryOp::kLt: return make_bool(x < y);
          case BinaryOp::kLe: return make_bool(x <= y);
          case BinaryOp::kGt: return make_bool(x > y);
          case BinaryOp::kGe: return make_bool(x >= y);
          case BinaryOp::kAdd:
          case BinaryOp::kSub:
          case BinaryOp::kMul:
            if (ints) {
              std::int64_t r;
              bool ovf = e.op == BinaryOp::kAdd   ? __builtin_add_overflow(a->integer, b->integer, &r)
                         : e.op == BinaryOp::kSub ? __builtin_sub_overflow(a->integer, b->integer, &r)
                                                  : __builtin_mul_overflow(a->integer, b->integer, &r);
              if (ovf) return std::nullopt;
              c.kind = VKind::kInt;
              c.integer = r;
              return c;
            }
            c.kind = VKind::kFloat;
            c.number = e.op == BinaryOp::kAdd ? x + y : e.op == BinaryOp::kSub ? x - y : x * y;
            return c;
          default: return std::nullopt;
        }
      }
      if (a->kind == VKind::kString && b->kind == VKind::kString) {
        switch (e.op) {
          case BinaryOp::kEq: return make_bool(a->text == b->text);
          case BinaryOp::kNe: return make_bool(a->text != b->text);
          case BinaryOp::kAdd:
            c.kind = VKind::kString;
            c.text = a->text + b->text;
            return c;
          default: return std::nullopt;
        }
      }
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

}  // namespace polc::dsl
