// The compiler: checked ASTs → bytecode (`PolicySet`).
//
// Each function becomes a chunk; each policy becomes subject-rule chunks (one per top-level
// `for x in resources("Type")` loop, run by the engine once per resource of that type) and at
// most one template-rule chunk for its other top-level statements. Constants are folded into
// constant pools. With `optimize`, literal sub-expressions are folded and `and`/`or`/`not` on
// literals simplified; findings must be identical either way (the differential test checks).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "dsl/module.h"
#include "engine/base/diagnostic.h"
#include "engine/program/bytecode.h"
#include "engine/schema/schema.h"

namespace polc {

struct CompileOptions {
  bool optimize = true;
  /// For `compile_policy_files`: the directories imports must stay inside
  /// (`ModuleSet::set_import_roots`); empty: the directories of the files given.
  std::vector<std::string> import_roots;
  /// Resource schemas the checker uses (the embedded table plus `.polc.yaml` overlays); null:
  /// the embedded table alone. Not owned; must outlive the call.
  const schema::SchemaSet* schemas = nullptr;
  /// Skip the checker's pass over the embedded pack and stdlib when they are all there is to
  /// compile and `schemas` is null (`check_modules`, `trust_builtin`). For `polc check`.
  bool trust_builtin = false;
  /// Run the strict checks (dsl/lint.h) on the modules that are not embedded: warnings...
  bool lint = false;
  /// ...which are errors (the set is then not compiled) with `strict` (`--strict`).
  bool strict = false;
};

/// Compiles every root module's policies (and every function of every module). Returns nullptr
/// when `modules` has errors or compilation fails (diagnostics in `diags`). The returned set is
/// verified but not frozen: apply parameters, then call `freeze()`.
std::unique_ptr<PolicySet> compile_modules(ModuleSet& modules, Diagnostics& diags, const CompileOptions& options = {});

/// Parses, checks and compiles: the builtin pack (when `builtin_pack`) plus the policy files in
/// `paths`. Convenience for the CLI and tests.
std::unique_ptr<PolicySet> compile_policy_files(const std::vector<std::string>& paths, bool builtin_pack,
                                                Diagnostics& diags, const CompileOptions& options = {});

/// Compiles policy source `text` (named `name`) alone, without the pack. For tests.
std::unique_ptr<PolicySet> compile_policy_text(const std::string& name, const std::string& text, Diagnostics& diags,
                                               const CompileOptions& options = {});

}  // namespace polc
