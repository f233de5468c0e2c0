// libFuzzer target: the JSON template loader on arbitrary bytes, forced to JSON.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  polc::LoadResult r = polc::load_template_bytes("fuzz.json", std::move(bytes), polc::FileFormat::kJson);
  if (r.status == polc::LoadStatus::kTemplate && !r.tmpl) __builtin_trap();
  if (r.status == polc::LoadStatus::kError && !r.diagnostics.has_errors()) __builtin_trap();
  return 0;
}
