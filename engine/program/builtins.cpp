#include "engine/program/builtins.h"

#include <array>

namespace polc {
namespace {

constexpr BuiltinInfo kBuiltins[] = {
#define BUILTIN(name, lo, hi, sig, doc) {#name, lo, hi, sig, doc},
#include "engine/program/builtins.def"
#undef BUILTIN
};

}  // namespace

std::size_t builtin_count() { return sizeof(kBuiltins) / sizeof(kBuiltins[0]); }
const BuiltinInfo& builtin_info(std::size_t id) { return kBuiltins[id]; }
std::string_view builtin_name(std::size_t id) { return id < builtin_count() ? kBuiltins[id].name : "?"; }
int find_builtin(std::string_view name) {
  for (std::size_t i = 0; i < builtin_count(); ++i)
    if (kBuiltins[i].name == name) return static_cast<int>(i);
  return -1;
}

}  // namespace polc
