// libFuzzer target: policy source → parser, checker, compiler (optimized and not), then the VM
// over a fixed template. Any text must compile or give diagnostics, and a compiled set must
// pass the verifier and run without crashing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "dsl/compiler.h"
#include "engine/builtins.h"
#include "fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (bool optimize : {true, false}) {
    polc::Diagnostics diags;
    polc::CompileOptions options;
    options.optimize = optimize;
    auto set = polc::compile_policy_text("fuzz.polc", text, diags, options);
    if (!set) {
      if (!diags.has_errors()) __builtin_trap();  // a refusal always says why
      return 0;
    }
    if (!polc::verify_policy_set(*set, polc::builtin_count()).empty()) __builtin_trap();
    set->freeze();
    polc::fuzz::run_all(*set);
  }
  return 0;
}
