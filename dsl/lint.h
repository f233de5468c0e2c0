// Strict checks: warnings about policy source that is valid but probably wrong, run after the
// checker by `polc check`, `polc compile` and `polc test` (errors with `--strict`).
//
// Codes (docs/authoring.md, "Strict checks", lists them with examples):
// - `unused-let`, `unused-import`, `unused-parameter` (a policy `param` or a function
//   parameter), `unused-function`, `unused-const`: a name bound and never read. A name that
//   starts with `_` is never reported. Functions and constants count as unused only in a file
//   that declares policies (a file without policies is a library: its names are its API) and
//   when no module of the set reads them.
// - `constant-condition`: a `when`, `if` or `require` whose condition does not depend on the
//   template nor on a parameter (literals and constants only).
// - `policy-cannot-report`: a policy none of whose `require` or `report` statements can run
//   (it has none, or each follows a `when false`): it can never produce a finding.
// - `message-names-no-resource`: a `require` or `report` that runs per element of a `for` loop
//   outside a subject loop `for x in resources("T")` (so its finding is at the template), has no
//   `at`, and whose message interpolates no variable bound in the loop: the finding cannot say
//   which element to fix. Rules about the whole template (outside loops) are not reported.
#pragma once
#include <cstddef>

#include "dsl/compiler.h"
#include "dsl/module.h"
#include "engine/base/diagnostic.h"

namespace polc {

/// Adds the strict warnings of the modules of `modules` for which `include` is true
/// (as errors when `strict`). Returns the number of diagnostics added. Pure over the ASTs.
std::size_t lint_modules(const ModuleSet& modules, Diagnostics& diags, bool strict,
                         bool (*include)(const Module&) = nullptr);

/// What `compile_modules` runs before compiling: the checker, then (with `options.lint`) the
/// strict checks on the modules that are not embedded. Returns the number of errors.
std::size_t check_and_lint(const ModuleSet& modules, Diagnostics& diags,
                           const CompileOptions& options);

}  // namespace polc
