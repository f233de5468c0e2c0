// libFuzzer target: the bytecode verifier (`verify_policy_set`) on arbitrary policy sets, and
// the VM on every set the verifier accepts. The verifier is the only gate between bundle bytes
// and the VM, so "verified" must imply "safe to run": no out-of-range access, no stack
// overflow, bounded time. Inputs use the fuzzing encoding of fuzz/policyset_codec.h (the
// bundle format itself gets its own target once engine/program/bundle.h exists).
#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  polc::fuzz::run_policy_set(data, size);
  return 0;
}
