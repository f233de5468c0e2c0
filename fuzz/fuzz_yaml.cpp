// libFuzzer target: the YAML template loader (parse, normalize, build the model) on arbitrary
// bytes, forced to YAML. Every input must give a result without crashing, leaking or hanging.
#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  polc::fuzz::run_loader(data, size, polc::FileFormat::kYaml);
  return 0;
}
