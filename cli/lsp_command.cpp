// `polc lsp`: the language server over stdin/stdout (cli/lsp/server.h; docs/editors.md).
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <iostream>

#include "cli/commands.h"
#include "cli/lsp/server.h"
#include "cli/lsp/transport.h"
#include "dsl/format.h"

namespace polc::cli {
namespace {

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string self_path() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

int run_lsp() {
  std::signal(SIGPIPE, SIG_IGN);  // a client gone away is a failed write, not a signal
  lsp::ServerOptions options;
  options.polc_binary = self_path();
  // The formatter of `polc fmt` (dsl/format.h): nullopt when the text does not parse.
  options.format = [](std::string_view text) -> std::optional<std::string> {
    SourceFile source("<lsp>", std::string(text));
    Diagnostics diags;
    return format_policy_source(source, diags);
  };
  lsp::Server server(std::move(options));
  lsp::MessageReader reader;
  std::vector<std::string> out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(0, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the client closed the stream without `exit`
    reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
    for (;;) {
      lsp::MessageReader::Result r = reader.next();
      if (r.status == lsp::MessageReader::Status::kNeedMore) break;
      out.clear();
      if (r.status == lsp::MessageReader::Status::kError) {
        std::cerr << "polc lsp: " << r.error << "\n";
        server.framing_error(r.error, out);
      } else {
        server.handle(r.body, out);
      }
      for (const std::string& body : out)
        if (!write_all(1, lsp::frame_message(body))) return 1;
      if (server.exited()) return server.exit_code();
    }
  }
  return server.exited() ? server.exit_code() : 1;
}

}  // namespace polc::cli
