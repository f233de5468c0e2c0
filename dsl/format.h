// `polc fmt`: the one canonical layout of policy source (docs/authoring.md, "Formatting").
//
// Layout: two-space indentation; one declaration, header field or statement per line; header
// fields (`key = value`) of a policy aligned on their `=`; one space around binary operators
// and after `,` and `:`; a `require`, `when`, `let`, `const` or `fn` whose line would pass
// kFormatWidth columns is broken before its top-level `and`/`or` operators (then inside
// parentheses, lists, maps and calls). At most one blank line is kept between lines, none at
// the start or end of a block. String literals (escapes, long strings and message templates)
// are kept byte for byte. Every comment is kept: an end-of-line comment stays at the end of
// its line, a comment on its own line stays on its own line before what followed it.
//
// Meaning is never changed: the result parses to the same AST as the input (ast::dump without
// positions); `format_policy_source` checks this itself and fails rather than return text
// that would not. Formatting its own output returns that output unchanged.
#pragma once
#include <cstddef>
#include <optional>
#include <string>

#include "dsl/ast.h"
#include "engine/base/diagnostic.h"
#include "engine/base/source_file.h"

namespace polc {

/// The width (in bytes, counting the indentation) past which a breakable line is broken.
inline constexpr std::size_t kFormatWidth = 100;

/// Formats the policy source in `source` (its path is used only in diagnostics).
///
/// Returns the whole formatted file (ending with one '\n'; an empty file stays empty), owned by
/// the caller; compare it with `source.text()` to know whether anything changed (a UTF-8 byte
/// order mark is not part of `text()` and is not kept). Returns
/// std::nullopt when the file does not parse: the syntax errors are appended to `diags` with
/// their 1-based line and column, exactly as `parse_policy_source` reports them (so a language
/// server can publish them). An internal failure to keep the AST identical also returns
/// std::nullopt, with a `format-internal` error at line 1, column 1: the caller must then leave
/// the file unchanged. Warnings are never added. Nesting is bounded by the parser's
/// kMaxExpressionDepth. No global state: calls on different `SourceFile`s may run in parallel
/// (one SourceFile builds its line table lazily, so do not share one between threads).
std::optional<std::string> format_policy_source(const SourceFile& source, Diagnostics& diags);

/// `ast::dump` of `file` (parsed from `source`) without its `@L:C-L:C` positions: what
/// formatting must leave unchanged. For the formatter's own check, its tests and the fuzz target.
std::string ast_dump_without_positions(const ast::File& file, const SourceFile& source);

}  // namespace polc
