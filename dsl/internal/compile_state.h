#pragma once
// What the compiler's passes share (dsl/compiler.cpp emits bytecode, dsl/fold.cpp folds
// constants): the program being built across modules, and the error that stops a compilation.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "dsl/ast.h"
#include "dsl/module.h"
#include "engine/program/bytecode.h"

namespace polc::dsl {

struct CompileError {
  ast::Span span;
  std::string message;
};

// Everything the compiler knows across modules.
struct Program {
  PolicySet* set = nullptr;
  std::map<std::pair<const Module*, std::string>, std::uint32_t> functions;  // (module, fn) -> chunk
  std::map<const Module*, std::uint32_t> source_index;
  std::map<std::pair<const Module*, std::string>, Constant> consts;
  bool optimize = true;
};

/// A boolean constant.
Constant make_bool(bool b);

/// Folds a literal expression; `prog.consts` resolves names of constants. With `deep` false only
/// leaves and literal containers fold (the unoptimized compiler uses this for constants only).
/// Returns nothing when `e` is not constant (or nests past twice `kMaxExpressionDepth`).
std::optional<Constant> fold(const ast::Expr& e, const Module* m, const Program& prog, bool deep, int depth = 0);

}  // namespace polc::dsl
