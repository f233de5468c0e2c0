// libFuzzer target: `polc merge` over shard reports (engine/report/report_merge.h), inputs that
// CI artifacts carry (D11). The input is up to 8 reports separated by NUL bytes; merging them as
// JSON and as SARIF must refuse with a reason or succeed, never crash.
#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  polc::fuzz::run_merge(data, size);
  return 0;
}
