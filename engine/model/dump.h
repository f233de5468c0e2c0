// Dump: the normalized template model and value trees rendered as deterministic JSON.
//
// Used by golden tests (template → model dump) and by `polc` debugging commands. Output is
// stable: sections and references are printed in document order, maps keep their key order,
// intrinsics print in their long form (`{"Fn::GetAtt": ["A", "B"]}`). Positions are printed
// only on resources, parameters, conditions and references (1-based line and column), not on
// every value, so goldens stay readable. Pure functions, thread-safe on distinct inputs.
#pragma once
#include <string>

#include "engine/model/template.h"

namespace polc {

/// Renders `v` as compact JSON (no whitespace). Strings are escaped (`"`, `\`, control
/// characters as `\uXXXX`); non-ASCII UTF-8 is printed as is; floats use the shortest text that
/// round-trips; non-finite floats print as the strings `".inf"`, `"-.inf"`, `".nan"`.
/// A null `v` prints `null`.
std::string value_to_json(const Value* v);

/// Renders the model of `t` as pretty-printed JSON (2-space indentation, trailing newline):
/// file, parameters, conditions, resources, outputs and the reference graph.
std::string dump_template_json(const Template& t);

}  // namespace polc
