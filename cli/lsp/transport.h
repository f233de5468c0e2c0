// The base protocol of the Language Server Protocol: messages framed by a `Content-Length`
// header
// (https://microsoft.github.io/language-server-protocol/specifications/lsp/3.17/specification/#baseProtocol).
//
// `MessageReader` takes bytes in whatever pieces they arrive and gives back whole message
// bodies. It never grows past kMaxLspHeaderBytes of header or kMaxLspMessageBytes of body
// (cli/lsp/lsp_limits.h): a header without a valid Content-Length, or too long, or a body too
// long, is a framing error that the reader reports once and then skips (the header up to its
// blank line, the body by its declared length), so the stream stays in step. Not thread-safe.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace polc::lsp {

class MessageReader {
 public:
  enum class Status { kNeedMore, kMessage, kError };
  struct Result {
    Status status = Status::kNeedMore;
    std::string body;   // kMessage: the message body (bytes, not yet parsed)
    std::string error;  // kError: what was wrong with the framing
  };

  /// Appends bytes read from the stream.
  void feed(std::string_view bytes);
  /// The next message or framing error, or kNeedMore when the bytes fed so far hold neither.
  Result next();
  /// Bytes held (for the limit tests): never more than kMaxLspHeaderBytes + kMaxLspMessageBytes
  /// plus the last piece fed.
  std::size_t buffered() const { return buffer_.size() - start_; }

 private:
  void compact();
  std::string buffer_;
  std::size_t start_ = 0;      // bytes of buffer_ already consumed
  std::size_t skip_body_ = 0;  // body bytes still to drop after an oversized Content-Length
  bool resync_ = false;        // dropping bytes up to the next blank line after a long header
  bool have_length_ = false;   // a header was read; waiting for `length_` body bytes
  std::size_t length_ = 0;
};

/// `Content-Length: N\r\n\r\n` followed by `body`.
std::string frame_message(std::string_view body);

}  // namespace polc::lsp
