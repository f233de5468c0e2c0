#include "cli/lsp/server.h"

#include <cctype>
#include <exception>
#include <filesystem>
#include <map>
#include <new>

#include "cli/lsp/features.h"
#include "cli/lsp/json_rpc.h"
#include "cli/lsp/lsp_limits.h"
#include "cli/lsp/test_runner.h"

namespace polc::lsp {
namespace {

/// A request that cannot be answered: becomes a JSON-RPC error response.
struct RequestError {
  int code;
  std::string message;
};

const OpenDocument& document_of(const Workspace& ws, const Value* params) {
  auto uri = string_member(member(params, "textDocument"), "uri");
  if (!uri) throw RequestError{kInvalidParams, "params.textDocument.uri must be a string"};
  const OpenDocument* doc = ws.find(std::string(*uri));
  if (!doc) throw RequestError{kRequestFailed, "the document is not open: " + std::string(*uri)};
  return *doc;
}

std::uint32_t offset_of(const OpenDocument& doc, const Value* params) {
  const Value* pos = member(params, "position");
  auto line = uint_member(pos, "line");
  auto character = uint_member(pos, "character");
  if (!line || !character)
    throw RequestError{kInvalidParams,
                       "params.position must have line and character (non-negative integers)"};
  return doc.lines.offset(*line, *character);
}

/// The byte offset in `doc` of a diagnostic's 1-based line and column.
std::uint32_t diagnostic_offset(const OpenDocument& doc, const Location& loc) {
  if (loc.line == 0) return 0;
  std::uint32_t bom = doc.text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  return std::min<std::uint32_t>(loc.offset + bom, static_cast<std::uint32_t>(doc.text.size()));
}

std::string diagnostics_json(const OpenDocument& doc, const std::vector<Diagnostic>& diags) {
  std::string out = "[";
  for (const Diagnostic& d : diags) {
    std::uint32_t begin = 0, end = 0;
    std::string message = d.message;
    if (d.location.file == doc.path || d.location.file.empty()) {
      begin = diagnostic_offset(doc, d.location);
      end = begin;
      const std::string& t = doc.text;
      while (end < t.size() &&
             (std::isalnum(static_cast<unsigned char>(t[end])) || t[end] == '_' || t[end] == ':'))
        ++end;
      if (end == begin && end < t.size() && t[end] != '\n' && t[end] != '\r') ++end;
    } else {
      // In a module this document imports: shown at the top, saying where.
      std::string where;
      append_location(where, d.location);
      message = where + ": " + message;
    }
    std::string related;
    for (const DiagNote& n : d.notes) {
      std::string where;
      append_location(where, n.location);
      if (n.location.file == doc.path && n.location.line > 0) {
        const std::uint32_t o = diagnostic_offset(doc, n.location);
        related += (related.empty() ? "" : ",") + std::string("{\"location\":{\"uri\":") +
                   json_string(doc.uri) + ",\"range\":" + doc.lines.range_json(o, o) +
                   "},\"message\":" + json_string(n.message) + "}";
      } else {
        message += "\n" + where + ": note: " + n.message;
      }
    }
    const int severity = d.severity == DiagSeverity::kError     ? 1
                         : d.severity == DiagSeverity::kWarning ? 2
                                                                : 3;
    out += out.size() > 1 ? "," : "";
    out += "{\"range\":" + doc.lines.range_json(begin, end) +
           ",\"severity\":" + std::to_string(severity) + ",\"source\":\"polc\"";
    if (!d.code.empty()) out += ",\"code\":" + json_string(d.code);
    out += ",\"message\":" + json_string(message);
    if (!related.empty()) out += ",\"relatedInformation\":[" + related + "]";
    out += "}";
  }
  return out + "]";
}

bool offers_utf8(const Value* params) {
  const Value* encodings =
      member(member(member(params, "capabilities"), "general"), "positionEncodings");
  if (!encodings) return false;
  for (const Value* e : encodings->list())
    if (e->is_string() && e->str() == "utf-8") return true;
  return false;
}

}  // namespace

void Server::framing_error(std::string_view message, std::vector<std::string>& out) {
  out.push_back(error_response("", kParseError, message));
}

void Server::handle(std::string_view body, std::vector<std::string>& out) {
  std::string id;
  try {
    std::string error;
    auto doc = parse_message(std::string(body), error);
    if (!doc) {
      out.push_back(error_response("", kParseError, error));
      return;
    }
    const Value* root = doc->root;
    if (!root->is_map()) {
      out.push_back(error_response(
          "", kInvalidRequest, "a message must be a JSON object (batches are not used by LSP)"));
      return;
    }
    const Value* id_value = root->get("id");
    id = id_json(id_value);
    if (id_value && id.empty() && !id_value->is_null()) {
      out.push_back(error_response("", kInvalidRequest, "the id must be an integer or a string"));
      return;
    }
    auto version = string_member(root, "jsonrpc");
    if (!version || *version != "2.0") {
      if (id_value) out.push_back(error_response(id, kInvalidRequest, "jsonrpc must be \"2.0\""));
      return;
    }
    const Value* method_value = root->get("method");
    if (!method_value) {
      // A response to a request of ours (we send none that need one): nothing to do.
      if (id_value && (root->get("result") || root->get("error"))) return;
      out.push_back(error_response(id, kInvalidRequest, "a message needs a method"));
      return;
    }
    if (!method_value->is_string()) {
      if (id_value) out.push_back(error_response(id, kInvalidRequest, "method must be a string"));
      return;
    }
    const std::string_view method = method_value->str();
    const Value* params = root->get("params");
    if (params && params->is_null()) params = nullptr;  // as if left out
    if (params && !params->is_map() && !params->is_list()) {
      if (id_value)
        out.push_back(error_response(id, kInvalidParams, "params must be an object or an array"));
      return;
    }
    if (!id_value) {
      notify(method, params, out);
      return;
    }
    if (id_value->is_null()) {
      out.push_back(error_response("", kInvalidRequest, "a request id must not be null"));
      return;
    }
    dispatch(id, method, params, out);
  } catch (const RequestError& e) {
    out.push_back(error_response(id, e.code, e.message));
  } catch (const std::bad_alloc&) {
    out.push_back(error_response(id, kInternalError, "out of memory"));
  } catch (const std::exception& e) {
    out.push_back(error_response(id, kInternalError, std::string("internal error: ") + e.what()));
  }
}

std::string Server::initialize(const Value* params) {
  ws_.utf16 = !offers_utf8(params);
  const Value* refresh = member(
      member(member(member(params, "capabilities"), "workspace"), "codeLens"), "refreshSupport");
  refresh_lenses_ = refresh && refresh->kind == ValueKind::kBool && refresh->boolean;
  ws_.roots.clear();
  if (const Value* folders = member(params, "workspaceFolders"); folders && folders->is_list()) {
    for (const Value* f : folders->list())
      if (auto uri = string_member(f, "uri"))
        if (std::string p = uri_to_path(*uri); !p.empty()) ws_.roots.push_back(p);
  }
  if (ws_.roots.empty())
    if (auto uri = string_member(params, "rootUri"))
      if (std::string p = uri_to_path(*uri); !p.empty()) ws_.roots.push_back(p);
  if (ws_.roots.empty())
    if (auto path = string_member(params, "rootPath"); path && path->starts_with("/"))
      ws_.roots.emplace_back(*path);
  std::string caps = "{\"capabilities\":{\"positionEncoding\":";
  caps += ws_.utf16 ? "\"utf-16\"" : "\"utf-8\"";
  caps +=
      ",\"textDocumentSync\":{\"openClose\":true,\"change\":1,\"save\":{\"includeText\":false}},"
      "\"hoverProvider\":true,\"completionProvider\":{\"triggerCharacters\":[\".\",\"\\\"\",\":\"]}"
      ","
      "\"definitionProvider\":true,\"referencesProvider\":true,\"documentSymbolProvider\":true,"
      "\"codeLensProvider\":{\"resolveProvider\":false},"
      "\"executeCommandProvider\":{\"commands\":[\"polc.runTests\"]}";
  if (options_.format) caps += ",\"documentFormattingProvider\":true";
  caps += "},\"serverInfo\":{\"name\":\"polc\",\"version\":\"" POLC_VERSION "\"}}";
  return caps;
}

void Server::dispatch(const std::string& id, std::string_view method, const Value* params,
                      std::vector<std::string>& out) {
  if (method == "initialize") {
    if (state_ != State::kUninitialized)
      throw RequestError{kInvalidRequest, "initialize was already called"};
    state_ = State::kRunning;
    out.push_back(response(id, initialize(params)));
    return;
  }
  if (state_ == State::kUninitialized)
    throw RequestError{kServerNotInitialized, "the server is not initialized"};
  if (shutdown_)
    throw RequestError{kInvalidRequest, "the server is shut down; only exit is accepted"};
  std::string result;
  if (method == "shutdown") {
    shutdown_ = true;
    result = "null";
  } else if (method == "textDocument/hover") {
    const OpenDocument& doc = document_of(ws_, params);
    result = hover(ws_, doc, offset_of(doc, params));
  } else if (method == "textDocument/completion") {
    const OpenDocument& doc = document_of(ws_, params);
    result = completion(ws_, doc, offset_of(doc, params));
  } else if (method == "textDocument/definition") {
    const OpenDocument& doc = document_of(ws_, params);
    result = definition(ws_, doc, offset_of(doc, params));
  } else if (method == "textDocument/references") {
    const OpenDocument& doc = document_of(ws_, params);
    const Value* context = member(params, "context");
    const Value* include = member(context, "includeDeclaration");
    result = references(ws_, doc, offset_of(doc, params),
                        include && include->kind == ValueKind::kBool && include->boolean);
  } else if (method == "textDocument/documentSymbol") {
    result = document_symbols(document_of(ws_, params));
  } else if (method == "textDocument/codeLens") {
    result = code_lenses(ws_, document_of(ws_, params));
  } else if (method == "textDocument/formatting" && options_.format) {
    std::string error;
    result = format(document_of(ws_, params), error);
    if (!error.empty()) throw RequestError{kRequestFailed, error};
  } else if (method == "workspace/executeCommand") {
    std::string error;
    result = run_tests(params, out, error);
    if (!error.empty()) throw RequestError{kRequestFailed, error};
  } else {
    throw RequestError{kMethodNotFound, "polc lsp does not handle " + std::string(method)};
  }
  out.push_back(response(id, result));
}

void Server::notify(std::string_view method, const Value* params, std::vector<std::string>& out) {
  if (method == "exit") {
    exited_ = true;
    return;
  }
  if (state_ == State::kUninitialized || shutdown_) return;  // dropped, as the protocol says
  const Value* td = member(params, "textDocument");
  auto uri = string_member(td, "uri");
  if (method == "textDocument/didOpen") {
    auto text = string_member(td, "text");
    if (!uri || !text) return;
    const Value* version = member(td, "version");
    std::string error;
    if (!ws_.open(std::string(*uri), std::string(*text),
                  version && version->kind == ValueKind::kInt ? version->integer : 0, error)) {
      out.push_back(notification("window/showMessage",
                                 "{\"type\":1,\"message\":" + json_string(error) + "}"));
      return;
    }
    publish(*ws_.find(std::string(*uri)), out);
  } else if (method == "textDocument/didChange") {
    if (!uri) return;
    OpenDocument* doc = ws_.find(std::string(*uri));
    const Value* changes = member(params, "contentChanges");
    if (!doc || !changes || !changes->is_list()) return;
    std::string text = doc->text;
    for (const Value* c : changes->list()) {
      auto piece = string_member(c, "text");
      if (!piece) return;
      if (const Value* range = member(c, "range")) {
        // An incremental change (we ask for whole documents, but a client may send ranges).
        LineMap lines(text, ws_.utf16);
        const Value* s = member(range, "start");
        const Value* e = member(range, "end");
        auto sl = uint_member(s, "line"), sc = uint_member(s, "character");
        auto el = uint_member(e, "line"), ec = uint_member(e, "character");
        if (!sl || !sc || !el || !ec) return;
        std::uint32_t b = lines.offset(*sl, *sc), en = lines.offset(*el, *ec);
        if (en < b) std::swap(b, en);
        if (text.size() - (en - b) + piece->size() > kMaxLspOpenBytes) return;
        text.replace(b, en - b, *piece);
      } else {
        text.assign(*piece);
      }
    }
    const Value* version = member(td, "version");
    std::string error;
    if (!ws_.open(std::string(*uri), std::move(text),
                  version && version->kind == ValueKind::kInt ? version->integer : doc->version,
                  error)) {
      out.push_back(notification("window/showMessage",
                                 "{\"type\":1,\"message\":" + json_string(error) + "}"));
      return;
    }
    ws_.test_diagnostics.erase(std::string(*uri));  // stale once the text changed
    publish(*ws_.find(std::string(*uri)), out);
  } else if (method == "textDocument/didSave") {
    if (const OpenDocument* doc = uri ? ws_.find(std::string(*uri)) : nullptr) publish(*doc, out);
  } else if (method == "textDocument/didClose") {
    if (!uri || !ws_.find(std::string(*uri))) return;
    ws_.close(std::string(*uri));
    out.push_back(notification("textDocument/publishDiagnostics",
                               "{\"uri\":" + json_string(*uri) + ",\"diagnostics\":[]}"));
  }
  // initialized, $/cancelRequest, $/setTrace, workspace/didChange*: nothing to do.
}

void Server::publish(const OpenDocument& doc, std::vector<std::string>& out) {
  const std::vector<Diagnostic> diags = document_diagnostics(ws_, doc);
  std::string list = diagnostics_json(doc, diags);
  // The last test run's problems in this file, until it changes.
  if (auto it = ws_.test_diagnostics.find(doc.uri); it != ws_.test_diagnostics.end())
    list = list.size() > 2 ? list.substr(0, list.size() - 1) + "," + it->second + "]"
                           : "[" + it->second + "]";
  out.push_back(notification("textDocument/publishDiagnostics",
                             "{\"uri\":" + json_string(doc.uri) + ",\"version\":" +
                                 std::to_string(doc.version) + ",\"diagnostics\":" + list + "}"));
}

// Publishes the problems of a test run where they are (the test file, mostly), replacing those
// of the previous run.
void Server::publish_test_problems(const TestRun& run, std::vector<std::string>& out) {
  std::map<std::string, std::string> by_uri;
  for (const TestProblem& p : run.problems) {
    std::error_code ec;
    const auto abs = std::filesystem::absolute(p.path, ec).lexically_normal().string();
    if (ec) continue;
    const std::string uri = path_to_uri(abs);
    std::string range;
    if (const OpenDocument* open = ws_.find(uri)) {
      const std::uint32_t o = open->lines.byte_offset(p.line, p.column);
      range = open->lines.range_json(o, o);
    } else {
      // A file that is not open is not read: its column is taken as it is (bytes).
      const std::string pos = "{\"line\":" + std::to_string(p.line > 0 ? p.line - 1 : 0) +
                              ",\"character\":" + std::to_string(p.column > 0 ? p.column - 1 : 0) +
                              "}";
      range = "{\"start\":" + pos + ",\"end\":" + pos + "}";
    }
    std::string& list = by_uri[uri];
    list += list.empty() ? "" : ",";
    list += "{\"range\":" + range + ",\"severity\":" + (p.error ? "1" : "2") +
            ",\"source\":\"polc test\",\"message\":" + json_string(p.message) + "}";
  }
  for (const auto& [uri, list] : ws_.test_diagnostics) by_uri.try_emplace(uri);  // cleared
  ws_.test_diagnostics.clear();
  for (const auto& [uri, list] : by_uri) {
    if (!list.empty()) ws_.test_diagnostics[uri] = list;
    if (const OpenDocument* open = ws_.find(uri)) {
      publish(*open, out);
    } else {
      out.push_back(
          notification("textDocument/publishDiagnostics",
                       "{\"uri\":" + json_string(uri) + ",\"diagnostics\":[" + list + "]}"));
    }
  }
}

std::string Server::run_tests(const Value* params, std::vector<std::string>& out,
                              std::string& error) {
  auto command = string_member(params, "command");
  if (!command) throw RequestError{kInvalidParams, "params.command must be a string"};
  if (*command != "polc.runTests")
    throw RequestError{kInvalidParams, "unknown command " + std::string(*command)};
  const Value* args = member(params, "arguments");
  const Value* first = args && args->is_list() && args->size > 0 ? args->list()[0] : nullptr;
  if (!first || !first->is_string())
    throw RequestError{kInvalidParams, "polc.runTests takes a document URI"};
  const std::string uri(first->str());
  const std::string path = uri_to_path(uri);
  if (path.empty()) throw RequestError{kInvalidParams, "polc.runTests needs a file:// URI"};
  if (options_.polc_binary.empty()) {
    error = "this server cannot run polc test";
    return {};
  }
  TestRun run = run_policy_tests(options_.polc_binary, path);
  publish_test_problems(run, out);
  const bool ok = run.exit_code == 0;
  out.push_back(notification("window/showMessage",
                             std::string("{\"type\":") + (ok ? "3" : "1") + ",\"message\":" +
                                 json_string("polc test " + path + ": " + run.summary) + "}"));
  std::string result =
      "{\"exitCode\":" + std::to_string(run.exit_code) +
      ",\"passed\":" + std::to_string(run.passed) + ",\"failed\":" + std::to_string(run.failed) +
      ",\"summary\":" + json_string(run.summary) + ",\"output\":" + json_string(run.output) + "}";
  ws_.test_runs[uri] = std::move(run);
  // The lenses now show the result: ask the client to fetch them again (its answer is ignored).
  if (refresh_lenses_)
    out.push_back("{\"jsonrpc\":\"2.0\",\"id\":\"polc-refresh-" + std::to_string(++refreshes_) +
                  "\",\"method\":\"workspace/codeLens/refresh\"}");
  return result;
}

std::string Server::format(const OpenDocument& doc, std::string& error) {
  if (doc.tests_file) return "[]";
  std::optional<std::string> formatted = options_.format(doc.text);
  if (!formatted) {
    error = "the document does not parse; fix its errors to format it";
    return {};
  }
  if (*formatted == doc.text) return "[]";
  // One edit replacing the whole document.
  return "[{\"range\":" + doc.lines.range_json(0, static_cast<std::uint32_t>(doc.text.size())) +
         ",\"newText\":" + json_string(*formatted) + "}]";
}

}  // namespace polc::lsp
