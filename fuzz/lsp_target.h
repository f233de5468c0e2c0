// The body of the fuzz target fuzz_lsp (and of its regression test in tests/lsp_test.cpp): bytes
// as the stream a client writes to `polc lsp`, through the message reader and the server's
// dispatch. Every answer must be a JSON-RPC message; nothing may crash, leak or hang.
#pragma once
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/lsp/json_rpc.h"
#include "cli/lsp/server.h"
#include "cli/lsp/transport.h"

namespace polc::fuzz {

inline void check_answers(const std::vector<std::string>& out) {
  for (const std::string& body : out) {
    std::string error;
    auto doc = lsp::parse_message(body, error);
    if (!doc || !lsp::string_member(doc->root, "jsonrpc")) __builtin_trap();
  }
}

/// `data` as a stream (split into pieces at every 0xFF byte, so that the reader sees messages
/// cut anywhere), after an `initialize` so that the fuzzer reaches the features; then the same
/// bytes as one message body, unframed.
inline void run_lsp_stream(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Go to definition writes embedded stdlib modules to the cache directory: not while fuzzing.
  ::setenv("XDG_CACHE_HOME", "/dev/null/polc-fuzz", 1);
  lsp::Server server;  // no polc binary: polc.runTests answers an error, never forks
  std::vector<std::string> out;
  server.handle(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"capabilities":{}}})",
                out);
  lsp::MessageReader reader;
  std::size_t start = 0;
  while (start <= bytes.size() && !server.exited()) {
    std::size_t cut = bytes.find('\xFF', start);
    if (cut == std::string_view::npos) cut = bytes.size();
    reader.feed(bytes.substr(start, cut - start));
    start = cut + 1;
    for (;;) {
      lsp::MessageReader::Result r = reader.next();
      if (r.status == lsp::MessageReader::Status::kNeedMore) break;
      out.clear();
      if (r.status == lsp::MessageReader::Status::kError)
        server.framing_error(r.error, out);
      else
        server.handle(r.body, out);
      check_answers(out);
      if (server.exited()) break;
    }
  }
  lsp::Server direct;
  out.clear();
  direct.handle(bytes, out);
  check_answers(out);
}

}  // namespace polc::fuzz
