// libFuzzer target: the bytecode verifier (`verify_policy_set`) on arbitrary policy sets, and
// the VM on every set the verifier accepts. The verifier is the only gate between bundle bytes
// and the VM, so "verified" must imply "safe to run": no out-of-range access, no stack
// overflow, bounded time. Inputs use the fuzzing encoding of fuzz/policyset_codec.h.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/builtins.h"
#include "fuzz/fuzz_common.h"
#include "fuzz/policyset_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string source = "policy fuzz {\n  id = \"F-1\"\n}\n";
  auto set = polc::fuzz::decode(data, size, source);
  std::string err = polc::verify_policy_set(*set, polc::builtin_count());
  if (!err.empty()) return 0;
  set->freeze();
  polc::fuzz::run_all(*set);
  return 0;
}
