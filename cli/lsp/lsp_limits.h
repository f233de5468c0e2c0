// The bounds of `polc lsp` (cli/lsp/): every input the editor sends is bounded here, so a
// client that misbehaves costs at most these bytes and never crashes the server. Each limit has
// a test in tests/lsp_test.cpp.
#pragma once
#include <cstddef>

#include "engine/base/limits.h"

namespace polc::lsp {

/// Bytes of one message's header block (the `Name: value` lines up to the blank line). A longer
/// header is answered with a JSON-RPC parse error and skipped up to its blank line.
inline constexpr std::size_t kMaxLspHeaderBytes = 8u << 10;

/// Bytes of one message body (`Content-Length`). A document of kMaxPolicyBytes written as a
/// JSON string can take up to 6 bytes per byte (`\u00XX`), plus the rest of the message. A
/// longer body is skipped unread and answered with an error.
inline constexpr std::size_t kMaxLspMessageBytes = 6 * kMaxPolicyBytes + (64u << 10);

/// Documents open at once. One more `didOpen` is refused with a message to the user.
inline constexpr std::size_t kMaxLspOpenDocuments = 512;

/// Bytes of all open documents together.
inline constexpr std::size_t kMaxLspOpenBytes = 64u << 20;

/// Items in one completion list (the resource type names alone are over a thousand); the list
/// is marked incomplete past it, so the editor asks again as the user types.
inline constexpr std::size_t kMaxLspCompletionItems = 500;

/// Seconds a `polc test` run started by the `polc.runTests` command may take before it is
/// killed (and reported as such).
inline constexpr int kLspTestTimeoutSeconds = 120;

/// Bytes of a `polc test` run's output kept for the editor; the rest is dropped (and said so).
inline constexpr std::size_t kMaxLspTestOutputBytes = 256u << 10;

}  // namespace polc::lsp
