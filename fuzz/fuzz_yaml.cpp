// libFuzzer target: the YAML template loader (parse, normalize, build the model) on arbitrary
// bytes, forced to YAML. Every input must give a result without crashing, leaking or hanging.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  polc::LoadResult r = polc::load_template_bytes("fuzz.yaml", std::move(bytes), polc::FileFormat::kYaml);
  // A template result carries a model; an error carries at least one diagnostic.
  if (r.status == polc::LoadStatus::kTemplate && !r.tmpl) __builtin_trap();
  if (r.status == polc::LoadStatus::kError && !r.diagnostics.has_errors()) __builtin_trap();
  return 0;
}
