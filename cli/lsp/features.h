// The language features of `polc lsp` over one open document: each takes the document, the
// workspace and a byte offset, and returns the LSP result as JSON text ("null" when there is
// nothing to say). They read the document's `TextIndex` (cli/lsp/text_index.h), the builtin
// table (engine/program/builtins.h), the modules imports name and the resource schemas
// (engine/schema/schema.h), so they answer on text that does not parse. Used by one thread.
#pragma once
#include <cstdint>
#include <string>

#include "cli/lsp/workspace.h"

namespace polc::lsp {

/// Hover (textDocument/hover): a builtin's signature and doc, a function's or constant's doc
/// comment (also of an imported module), a policy's header, a resource type's or property's
/// type and flags with its AWS reference page.
std::string hover(const Workspace& ws, const OpenDocument& doc, std::uint32_t offset);
/// Completion (textDocument/completion): resource types inside resources("…"), properties after
/// `x.Properties.` for a subject of a known type, module members after `alias.`, else
/// keywords, builtins and the names in scope.
std::string completion(const Workspace& ws, const OpenDocument& doc, std::uint32_t offset);
/// Go to definition: functions, constants, imports (the module file), policies, parameters,
/// `let`s and loop variables, and members of imported modules.
std::string definition(const Workspace& ws, const OpenDocument& doc, std::uint32_t offset);
/// Find references in the document (with the declaration when `include_declaration`).
std::string references(const Workspace& ws, const OpenDocument& doc, std::uint32_t offset,
                       bool include_declaration);
/// Document symbols: imports, constants, functions, and policies with their parameters.
std::string document_symbols(const OpenDocument& doc);
/// Code lenses: one "Run tests" per policy, titled with the last run's result.
std::string code_lenses(const Workspace& ws, const OpenDocument& doc);

}  // namespace polc::lsp
