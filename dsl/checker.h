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

namespace polc {

/// Checks every module of `modules`. Returns the number of errors added to `diags`.
std::size_t check_modules(const ModuleSet& modules, Diagnostics& diags);

/// Policy header attribute keys the language knows.
bool is_known_attribute(std::string_view key);

}  // namespace polc
