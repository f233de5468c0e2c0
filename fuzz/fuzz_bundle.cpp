// libFuzzer target: compiled bundles (engine/program/bundle.h). `load_bundle` reads untrusted bytes:
// it must reject anything malformed with a reason, and every set it returns must be verified
// and safe to run. Seeds are bundles of the repository's policies (fuzz_verifier_seeds).
#include "fuzz/targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  polc::fuzz::run_bundle(data, size);
  return 0;
}
