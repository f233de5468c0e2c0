#include "engine/program/builtins.h"

#include <re2/re2.h>

#include <array>

#include "engine/base/limits.h"

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

std::unique_ptr<re2::RE2> compile_regex(std::string_view pattern, std::string& error) {
  RE2::Options o;
  o.set_max_mem(kMaxRegexMemory);
  o.set_log_errors(false);
  auto re = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()), o);
  if (re->ok()) return re;
  if (re->error_code() == RE2::ErrorPatternTooLarge)
    error = "regular expression needs more than " + std::to_string(kMaxRegexMemory) +
            " bytes of RE2 program memory (kMaxRegexMemory)";
  else
    error = "invalid regular expression: " + re->error();
  return nullptr;
}

}  // namespace polc
