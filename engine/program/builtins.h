// The builtin function table of the policy language.
//
// The checker (dsl/checker.cpp) resolves calls against this table by name and arity; the
// compiler emits `CALL_BUILTIN id argc`; the VM dispatches on the id. Ids are positions in the
// table and are part of the bundle format: append new builtins, never reorder.
// docs/language.md lists every builtin with its signature and semantics.
#pragma once
#include <cstddef>
#include <string_view>

namespace polc {

struct BuiltinInfo {
  std::string_view name;
  int min_arity;
  int max_arity;
  std::string_view signature;  // e.g. "referrers(resource, type?, path?) -> list<resource>"
  std::string_view doc;        // one line
};

std::size_t builtin_count();
/// The table row for `id` (< builtin_count()).
const BuiltinInfo& builtin_info(std::size_t id);
std::string_view builtin_name(std::size_t id);
/// The id of builtin `name`, or -1.
int find_builtin(std::string_view name);

}  // namespace polc
