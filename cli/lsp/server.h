// `polc lsp`: a Language Server Protocol 3.17 server for `.polc` and `*.tests.yaml` files.
//
// `Server` is the protocol without the stream: `handle` takes one message body (JSON-RPC 2.0)
// and appends the bodies to send back (responses and notifications such as
// textDocument/publishDiagnostics); cli/lsp_command.cpp runs it over stdin/stdout with the
// framing of cli/lsp/transport.h. Every input is answered or dropped as JSON-RPC says: bad JSON
// is a parse error, a message that is not a request or notification an invalid request, an
// unknown request method "method not found", parameters of the wrong shape invalid params,
// requests before `initialize` "server not initialized" and after `shutdown` invalid requests.
// Nothing a client sends can make it throw or crash (the fuzz target fuzz/fuzz_lsp.cpp drives
// the reader and `handle` together). Used by one thread.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/lsp/workspace.h"

namespace polc::lsp {

struct ServerOptions {
  /// The polc executable that `polc.runTests` runs as `polc test FILE`; empty: the command
  /// answers that it cannot run tests (the unit tests and the fuzz target).
  std::string polc_binary;
  /// The formatter for textDocument/formatting: the formatted text, or nullopt when the source
  /// cannot be formatted (it does not parse). Null: formatting is not offered.
  std::function<std::optional<std::string>(std::string_view)> format;
};

class Server {
 public:
  explicit Server(ServerOptions options = {}) : options_(std::move(options)) {}

  /// Handles one message body; appends the message bodies to send, in order.
  void handle(std::string_view body, std::vector<std::string>& out);
  /// Answers a framing error of the stream (a JSON-RPC parse error with a null id).
  void framing_error(std::string_view message, std::vector<std::string>& out);

  /// True after the `exit` notification; then the process ends with `exit_code()`: 0 when
  /// `shutdown` came first, 1 otherwise (as the protocol says).
  bool exited() const { return exited_; }
  int exit_code() const { return shutdown_ ? 0 : 1; }
  const Workspace& workspace() const { return ws_; }

 private:
  enum class State { kUninitialized, kRunning };
  void dispatch(const std::string& id, std::string_view method, const Value* params,
                std::vector<std::string>& out);
  void notify(std::string_view method, const Value* params, std::vector<std::string>& out);
  std::string initialize(const Value* params);
  void publish(const OpenDocument& doc, std::vector<std::string>& out);
  std::string run_tests(const Value* params, std::vector<std::string>& out, std::string& error);
  std::string format(const OpenDocument& doc, std::string& error);
  void publish_test_problems(const TestRun& run, std::vector<std::string>& out);

  ServerOptions options_;
  Workspace ws_;
  State state_ = State::kUninitialized;
  bool shutdown_ = false;
  bool exited_ = false;
  bool refresh_lenses_ = false;  // the client takes workspace/codeLens/refresh
  int refreshes_ = 0;
};

}  // namespace polc::lsp
