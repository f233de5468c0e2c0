// libFuzzer target: policy source → parser, checker, compiler (optimized and not), verifier,
// then the VM over a fixed template. Any text must compile or give diagnostics, and a compiled
// set must pass the verifier and run without crashing. The formatter runs on the same text: its
// output must parse to the same AST and be stable (fuzz/targets.h run_policy_format).
#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  polc::fuzz::run_policy_source(data, size);
  return 0;
}
