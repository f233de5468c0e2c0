// JSON-RPC 2.0 messages for `polc lsp`, read with the engine's JSON parser
// (engine/load/json_parser.h: simdjson, depth-bounded, into the model's value tree) and written
// with engine/base/json_writer.h; LSP positions (0-based line, character in UTF-16 code units
// or, when the client accepts it, UTF-8 bytes) to byte offsets and back. Not thread-safe.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/document.h"

namespace polc::lsp {

/// JSON-RPC and LSP error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
inline constexpr int kServerNotInitialized = -32002;
inline constexpr int kRequestFailed = -32803;

/// Parses a message body. Null with `error` set when it is not JSON.
std::unique_ptr<Document> parse_message(std::string body, std::string& error);

/// `obj[key]`, or null when `obj` is not an object or has no such member.
const Value* member(const Value* obj, std::string_view key);
/// `obj[key]` when it is a string / a non-negative integer that fits `uint32_t`.
std::optional<std::string_view> string_member(const Value* obj, std::string_view key);
std::optional<std::uint32_t> uint_member(const Value* obj, std::string_view key);

/// A request id as JSON text (`7`, `"abc"`), or empty when `id` is not a valid id.
std::string id_json(const Value* id);

/// `{"jsonrpc":"2.0","id":ID,"result":RESULT}`; `result_json` is JSON text.
std::string response(std::string_view id_json, std::string_view result_json);
/// `{"jsonrpc":"2.0","id":ID,"error":{"code":C,"message":M}}`; empty id: null.
std::string error_response(std::string_view id_json, int code, std::string_view message);
/// `{"jsonrpc":"2.0","method":M,"params":PARAMS}`.
std::string notification(std::string_view method, std::string_view params_json);
/// `text` as a JSON string.
std::string json_string(std::string_view text);

/// A document's lines, for converting LSP positions.
class LineMap {
 public:
  LineMap() = default;
  LineMap(std::string_view text, bool utf16);
  /// 0-based line and character of byte `offset` (clamped to the text).
  std::pair<std::uint32_t, std::uint32_t> position(std::uint32_t offset) const;
  /// The byte offset of a position (clamped to its line, and to the text).
  std::uint32_t offset(std::uint32_t line, std::uint32_t character) const;
  /// The byte offset of a 1-based line and 1-based byte column (clamped to the text).
  std::uint32_t byte_offset(std::uint32_t line, std::uint32_t column) const;
  /// `{"start":{...},"end":{...}}` for a byte range.
  std::string range_json(std::uint32_t begin, std::uint32_t end) const;

 private:
  std::string_view text_;
  std::vector<std::uint32_t> starts_;
  bool utf16_ = true;
};

/// A `file://` URI's path (percent-decoding), or empty for another scheme.
std::string uri_to_path(std::string_view uri);
/// The `file://` URI of an absolute path (percent-encoding what needs it).
std::string path_to_uri(std::string_view path);

}  // namespace polc::lsp
