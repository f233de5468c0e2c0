// Parsing policy source into an AST, with PEGTL 3.2.7. The grammar lives in
// dsl/internal/grammar.h (rules only), the error messages in dsl/internal/grammar_errors.h, and
// both are included by dsl/parser.cpp alone, so PEGTL is compiled in one translation unit.
#pragma once
#include <memory>

#include "dsl/ast.h"
#include "engine/base/diagnostic.h"
#include "engine/base/source_file.h"

namespace polc {

/// Parses `source`. Syntax errors are added to `diags` as `file:line:col` errors saying what
/// was expected; the parser recovers at declaration and statement boundaries, so one run
/// reports several errors. Always returns a File (possibly partial). Thread-safe.
std::unique_ptr<ast::File> parse_policy_source(const SourceFile& source, Diagnostics& diags);

/// Runs PEGTL's `analyze<grammar>()`; returns the number of problems found (0 when the grammar
/// has no rule that can loop without consuming input). For the unit test.
std::size_t analyze_grammar();

}  // namespace polc
