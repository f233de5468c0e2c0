// The checker: the semantic pass between parsing and compiling.
//
// It resolves every name (locals, policy parameters, constants, imported modules and their
// functions and constants, builtins), checks call arities, policy header attributes
// (required `id`, `title`, `severity`; kebab-case names; known attribute keys; literal values),
// duplicate declarations and duplicate policy ids or names across the whole set, and catches
// obviously mistyped operations on literals (`"a" - 1`, `not 3`). Diagnostics are positioned
// (`file:line:col`) errors. Only a module set without errors is compiled.
#pragma once
#include "dsl/module.h"
#include "engine/base/diagnostic.h"
#include "engine/schema/schema.h"

namespace polc {

/// Checks every module of `modules`. Returns the number of errors added to `diags`.
///
/// With resource schemas (`schemas`, or the embedded table when null) it also rejects what no
/// template can have (code `schema`): unknown resource types in resources(), referrers(),
/// applies_to and `.type` comparisons (with a did-you-mean; a wildcard must match a type);
/// property paths read from resources of known types that the schema lacks, also through
/// lists, let bindings, loops, `if`, default() and functions whose parameters are typed by
/// use (each call checks the body with its argument types); `.attribute` comparisons of
/// references() items against the attributes Fn::GetAtt can read. Several possible types are
/// checked as a union; unknown, free-form (json, map keys) and open types (Custom::*,
/// third-party, modules) are never errors. Reading a read-only or deprecated property is a
/// warning. docs/language.md ("What the checker knows") is the user-facing description.
///
/// With `trust_builtin`, when `schemas` is null and every module is embedded (the standard pack
/// and stdlib alone, as a plain `polc check` compiles them), the per-module pass is skipped: the
/// embedded sources are fixed at build time and the `[schema][check]` test proves they compile
/// with no diagnostic at all against the embedded table, so the pass could only repeat that on
/// every run. Policy ids and names are still checked for duplicates.
std::size_t check_modules(const ModuleSet& modules, Diagnostics& diags,
                          const schema::SchemaSet* schemas = nullptr, bool trust_builtin = false);

/// Policy header attribute keys the language knows.
bool is_known_attribute(std::string_view key);

}  // namespace polc
