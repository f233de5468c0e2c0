// libFuzzer target: `polc lsp`'s message reader and JSON-RPC dispatch (cli/lsp/), on what an
// editor (or anything on the other end of the pipe) may write: framing, JSON, methods, params.
#include "fuzz/lsp_target.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  polc::fuzz::run_lsp_stream(data, size);
  return 0;
}
