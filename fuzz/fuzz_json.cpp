// libFuzzer target: the JSON template loader on arbitrary bytes, forced to JSON.
#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  polc::fuzz::run_loader(data, size, polc::FileFormat::kJson);
  return 0;
}
