// polc lsp (cli/lsp/): the message framing, the JSON-RPC dispatch and the language features,
// driven with scripted messages. tests/lsp/session_test.mjs drives the real binary with an LSP
// client library.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/lsp/json_rpc.h"
#include "cli/lsp/lsp_limits.h"
#include "cli/lsp/server.h"
#include "cli/lsp/text_index.h"
#include "cli/lsp/transport.h"
#include "dsl/compiler.h"
#include "fuzz/lsp_target.h"

using namespace polc;
using namespace polc::lsp;

namespace {

const char* kBroken =
    "policy broken-one {\n  id = \"X-1\"\n  title = \"t\"\n  severity = low\n"
    "  for b in resources(\"AWS::S3::Bucket\") {\n    require b.Properties.\n  }\n}\n";

const char* kGood =
    "# Says hello.\nfn hello(x) = count(x) > 0\nconst LIMIT = 3\n"
    "policy bucket-named {\n  id = \"X-2\"\n  title = \"Buckets are named\"\n  severity = high\n"
    "  for b in resources(\"AWS::S3::Bucket\") {\n    require exists(b.Properties.BucketName) and "
    "hello([LIMIT])\n  }\n}\n";

struct Session {
  Session() = default;
  explicit Session(ServerOptions options) : server(std::move(options)) {}
  Server server;
  std::vector<std::unique_ptr<Document>> kept;
  int next_id = 1;

  std::vector<const Value*> send(const std::string& body) {
    std::vector<std::string> out;
    server.handle(body, out);
    std::vector<const Value*> msgs;
    for (auto& o : out) {
      std::string error;
      auto doc = parse_message(o, error);
      REQUIRE(doc);
      msgs.push_back(doc->root);
      kept.push_back(std::move(doc));
    }
    return msgs;
  }
  const Value* request(const std::string& method, const std::string& params) {
    const int id = next_id++;
    auto msgs = send("{\"jsonrpc\":\"2.0\",\"id\":" + std::to_string(id) + ",\"method\":\"" +
                     method + "\",\"params\":" + params + "}");
    for (const Value* m : msgs)
      if (const Value* i = m->get("id"); i && i->kind == ValueKind::kInt && i->integer == id)
        return m;
    FAIL("no response to " << method);
    return nullptr;
  }
  std::vector<const Value*> notify(const std::string& method, const std::string& params) {
    return send("{\"jsonrpc\":\"2.0\",\"method\":\"" + method + "\",\"params\":" + params + "}");
  }
  void initialize() {
    const Value* r =
        request("initialize", "{\"processId\":null,\"rootUri\":null,\"capabilities\":{}}");
    REQUIRE(member(member(r, "result"), "capabilities"));
    notify("initialized", "{}");
  }
  std::vector<const Value*> open(const std::string& uri, const std::string& text) {
    return notify("textDocument/didOpen", "{\"textDocument\":{\"uri\":\"" + uri +
                                              "\",\"languageId\":\"polc\",\"version\":1,\"text\":" +
                                              json_string(text) + "}}");
  }
  static std::string at(const std::string& uri, int line, int character) {
    return "{\"textDocument\":{\"uri\":\"" + uri +
           "\"},\"position\":{\"line\":" + std::to_string(line) +
           ",\"character\":" + std::to_string(character) + "}}";
  }
};

int error_code(const Value* m) {
  const Value* e = member(m, "error");
  const Value* c = member(e, "code");
  return c && c->kind == ValueKind::kInt ? static_cast<int>(c->integer) : 0;
}

std::vector<std::string> labels(const Value* completion_response) {
  std::vector<std::string> out;
  for (const Value* item : member(member(completion_response, "result"), "items")->list())
    out.emplace_back(*string_member(item, "label"));
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string hover_text(const Value* r) {
  auto v = string_member(member(member(r, "result"), "contents"), "value");
  return v ? std::string(*v) : std::string();
}

}  // namespace

TEST_CASE("lsp framing: messages in any pieces, errors skipped in step", "[lsp]") {
  MessageReader reader;
  const std::string a = frame_message("{\"a\":1}"), b = frame_message("{\"b\":22}");
  const std::string stream = a + b;
  for (char c : stream) reader.feed(std::string_view(&c, 1));
  auto r1 = reader.next();
  REQUIRE(r1.status == MessageReader::Status::kMessage);
  CHECK(r1.body == "{\"a\":1}");
  auto r2 = reader.next();
  REQUIRE(r2.status == MessageReader::Status::kMessage);
  CHECK(r2.body == "{\"b\":22}");
  CHECK(reader.next().status == MessageReader::Status::kNeedMore);

  // Other headers are ignored, the name's case does not matter.
  reader.feed(
      "content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}");
  CHECK(reader.next().body == "{}");
  // A header without Content-Length, or with a bad one, is an error; the next message still reads.
  reader.feed("X-Nothing: 1\r\n\r\n" + a);
  CHECK(reader.next().status == MessageReader::Status::kError);
  CHECK(reader.next().body == "{\"a\":1}");
  reader.feed("Content-Length: 12x\r\n\r\n" + a);
  CHECK(reader.next().error.find("not a number") != std::string::npos);
  CHECK(reader.next().body == "{\"a\":1}");
  reader.feed("Content-Length: 2\r\nContent-Length: 3\r\n\r\n" + a);
  CHECK(reader.next().status == MessageReader::Status::kError);
}

TEST_CASE("lsp framing limits: kMaxLspHeaderBytes and kMaxLspMessageBytes", "[lsp][limits]") {
  MessageReader reader;
  // A header longer than the limit: one error, skipped up to its blank line, held bytes bounded.
  std::string header = "X: " + std::string(kMaxLspHeaderBytes + 1, 'h');
  reader.feed(header);
  auto r = reader.next();
  REQUIRE(r.status == MessageReader::Status::kError);
  CHECK(r.error.find("kMaxLspHeaderBytes") != std::string::npos);
  reader.feed(std::string(3 * kMaxLspHeaderBytes, 'h'));
  CHECK(reader.next().status == MessageReader::Status::kNeedMore);
  CHECK(reader.buffered() <= 3);
  reader.feed("\r\n\r\n" + frame_message("{}"));
  CHECK(reader.next().body == "{}");
  // A header exactly at the limit is read.
  std::string fill =
      "X: " +
      std::string(kMaxLspHeaderBytes - 3 - std::string("\r\nContent-Length: 2").size(), 'h');
  reader.feed(fill + "\r\nContent-Length: 2\r\n\r\n{}");
  CHECK(reader.next().body == "{}");

  // A body over the limit is skipped by its length, never held.
  reader.feed("Content-Length: " + std::to_string(kMaxLspMessageBytes + 1) + "\r\n\r\n");
  r = reader.next();
  REQUIRE(r.status == MessageReader::Status::kError);
  CHECK(r.error.find("kMaxLspMessageBytes") != std::string::npos);
  std::size_t left = kMaxLspMessageBytes + 1;
  const std::string chunk(1 << 20, 'x');
  while (left > 0) {
    const std::size_t n = std::min(left, chunk.size());
    reader.feed(std::string_view(chunk).substr(0, n));
    CHECK(reader.next().status == MessageReader::Status::kNeedMore);
    CHECK(reader.buffered() == 0);
    left -= n;
  }
  reader.feed(frame_message("{\"after\":1}"));
  CHECK(reader.next().body == "{\"after\":1}");
  // A body at the limit is read.
  reader.feed("Content-Length: " + std::to_string(kMaxLspMessageBytes) + "\r\n\r\n" +
              std::string(kMaxLspMessageBytes, ' '));
  r = reader.next();
  REQUIRE(r.status == MessageReader::Status::kMessage);
  CHECK(r.body.size() == kMaxLspMessageBytes);
}

TEST_CASE("lsp dispatch: JSON-RPC errors for every malformed message", "[lsp]") {
  Session s;
  // Before initialize: requests are refused, notifications dropped.
  CHECK(error_code(s.request("textDocument/hover", Session::at("file:///x.polc", 0, 0))) ==
        kServerNotInitialized);
  CHECK(s.open("file:///tmp/x.polc", kBroken).empty());
  auto parse = s.send("{not json");
  REQUIRE(parse.size() == 1);
  CHECK(error_code(parse[0]) == kParseError);
  CHECK(member(parse[0], "id")->is_null());
  CHECK(error_code(s.send("[1,2]")[0]) == kInvalidRequest);
  CHECK(error_code(s.send("{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"initialize\"}")[0]) ==
        kInvalidRequest);
  CHECK(error_code(s.send("{\"jsonrpc\":\"1.0\",\"id\":3,\"method\":\"initialize\"}")[0]) ==
        kInvalidRequest);
  CHECK(error_code(s.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":7}")[0]) == kInvalidRequest);
  CHECK(error_code(
            s.send("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"initialize\",\"params\":5}")[0]) ==
        kInvalidParams);
  CHECK(s.send("{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":null}").empty());  // a response: ignored
  s.initialize();
  CHECK(error_code(s.request("initialize", "{}")) == kInvalidRequest);
  CHECK(error_code(s.request("no/suchMethod", "{}")) == kMethodNotFound);
  CHECK(s.notify("no/suchNotification", "{}").empty());
  CHECK(error_code(s.request("textDocument/hover", "{\"textDocument\":{\"uri\":5}}")) ==
        kInvalidParams);
  CHECK(error_code(s.request("textDocument/hover", Session::at("file:///not/open.polc", 0, 0))) ==
        kRequestFailed);
  s.open("file:///tmp/x.polc", kBroken);
  CHECK(error_code(s.request("textDocument/hover",
                             "{\"textDocument\":{\"uri\":\"file:///tmp/"
                             "x.polc\"},\"position\":{\"line\":-1,\"character\":\"a\"}}")) ==
        kInvalidParams);
  // Positions past the end are clamped, not errors.
  CHECK(member(s.request("textDocument/hover", Session::at("file:///tmp/x.polc", 9999, 9999)),
               "result"));
  // A string id is echoed.
  auto str = s.send("{\"jsonrpc\":\"2.0\",\"id\":\"abc\",\"method\":\"no/such\"}");
  CHECK(string_member(str[0], "id") == std::string_view("abc"));
  // Shutdown: then requests are invalid, and exit ends with 0.
  CHECK(member(s.request("shutdown", "null"), "result")->is_null());
  CHECK(error_code(s.request("textDocument/hover", Session::at("file:///tmp/x.polc", 0, 0))) ==
        kInvalidRequest);
  CHECK_FALSE(s.server.exited());
  s.notify("exit", "null");
  CHECK(s.server.exited());
  CHECK(s.server.exit_code() == 0);

  Session t;
  t.initialize();
  t.notify("exit", "{}");
  CHECK(t.server.exit_code() == 1);  // exit without shutdown
}

TEST_CASE("lsp diagnostics: the compiler's, with line and column", "[lsp]") {
  Session s;
  s.initialize();
  auto msgs = s.open("file:///tmp/lsp-test/broken.polc", kBroken);
  REQUIRE(msgs.size() == 1);
  CHECK(string_member(msgs[0], "method") == std::string_view("textDocument/publishDiagnostics"));
  const Value* diags = member(member(msgs[0], "params"), "diagnostics");
  REQUIRE(diags->size >= 1);
  // The same diagnostics as the compile path the CLI uses, line for line.
  Diagnostics expected;
  ModuleSet modules;
  modules.load_source("/tmp/lsp-test/broken.polc", kBroken, false, expected);
  compile_modules(modules, expected, {});
  REQUIRE(diags->size == expected.size());
  const Value* first = diags->list()[0];
  CHECK(string_member(first, "message") == std::string_view(expected.items()[0].message));
  CHECK(string_member(first, "code") == std::string_view(expected.items()[0].code));
  const Value* start = member(member(first, "range"), "start");
  CHECK(*uint_member(start, "line") == expected.items()[0].location.line - 1);
  CHECK(*uint_member(start, "character") == expected.items()[0].location.column - 1);

  // A fix clears them; a check error (unknown property) is reported with its code.
  msgs = s.notify("textDocument/didChange",
                  "{\"textDocument\":{\"uri\":\"file:///tmp/lsp-test/"
                  "broken.polc\",\"version\":2},\"contentChanges\":[{\"text\":" +
                      json_string(kGood) + "}]}");
  REQUIRE(msgs.size() == 1);
  CHECK(member(member(msgs[0], "params"), "diagnostics")->size == 0);
  std::string bad = kGood;
  bad.replace(bad.find("BucketName"), 10, "BucketNmae");
  msgs = s.notify("textDocument/didChange",
                  "{\"textDocument\":{\"uri\":\"file:///tmp/lsp-test/"
                  "broken.polc\",\"version\":3},\"contentChanges\":[{\"text\":" +
                      json_string(bad) + "}]}");
  const Value* d = member(member(msgs[0], "params"), "diagnostics");
  REQUIRE(d->size == 1);
  CHECK(string_member(d->list()[0], "code") == std::string_view("schema"));
  CHECK(std::string(*string_member(d->list()[0], "message")).find("BucketName") !=
        std::string::npos);  // did you mean
  // The strict checks' warnings too (an unused let).
  std::string unused = kGood;
  unused.insert(unused.find("    require exists"), "    let never_used = 1\n");
  msgs = s.notify("textDocument/didChange",
                  "{\"textDocument\":{\"uri\":\"file:///tmp/lsp-test/broken.polc\",\"version\":4},"
                  "\"contentChanges\":[{\"text\":" +
                      json_string(unused) + "}]}");
  d = member(member(msgs[0], "params"), "diagnostics");
  REQUIRE(d->size == 1);
  CHECK(string_member(d->list()[0], "code") == std::string_view("unused-let"));
  CHECK(*uint_member(d->list()[0], "severity") == 2);
  msgs = s.notify("textDocument/didClose",
                  "{\"textDocument\":{\"uri\":\"file:///tmp/lsp-test/broken.polc\"}}");
  CHECK(member(member(msgs[0], "params"), "diagnostics")->size == 0);
}

TEST_CASE("lsp features: hover, completion, definition, references, symbols", "[lsp]") {
  Session s;
  s.initialize();
  const std::string uri = "file:///tmp/lsp-test/good.polc";
  s.open(uri, kGood);
  // Lines (0-based): 1 fn hello, 2 const LIMIT, 3 policy, 7 for b in resources(...), 8 require ...
  CHECK(hover_text(s.request("textDocument/hover", Session::at(uri, 8, 14)))
            .find("exists(value) -> bool") != std::string::npos);
  // The service spec's description (its first sentence) above the type line.
  CHECK(
      hover_text(s.request("textDocument/hover", Session::at(uri, 7, 25)))
          .starts_with("The `AWS::S3::Bucket` resource creates an Amazon S3 bucket in the same AWS "
                       "Region where you create the AWS CloudFormation stack.\n\n"
                       "**AWS::S3::Bucket** (resource type)\n\n"));
  const std::string prop = hover_text(s.request("textDocument/hover", Session::at(uri, 8, 35)));
  CHECK(prop.starts_with("A name for the bucket.\n\n**BucketName**: string\n\n"));
  CHECK(hover_text(s.request("textDocument/hover", Session::at(uri, 8, 50))).find("Says hello.") !=
        std::string::npos);
  CHECK(hover_text(s.request("textDocument/hover", Session::at(uri, 3, 10)))
            .find("Buckets are named") != std::string::npos);

  auto def = s.request("textDocument/definition", Session::at(uri, 8, 50));
  CHECK(*uint_member(member(member(member(def, "result"), "range"), "start"), "line") == 1);
  auto refs =
      s.request("textDocument/references", "{\"textDocument\":{\"uri\":\"" + uri +
                                               "\"},\"position\":{\"line\":2,\"character\":7},"
                                               "\"context\":{\"includeDeclaration\":true}}");
  CHECK(member(refs, "result")->size == 2);  // const LIMIT and its use
  auto local = s.request("textDocument/definition", Session::at(uri, 8, 19));  // b
  CHECK(*uint_member(member(member(member(local, "result"), "range"), "start"), "line") == 7);

  auto symbols = member(
      s.request("textDocument/documentSymbol", "{\"textDocument\":{\"uri\":\"" + uri + "\"}}"),
      "result");
  REQUIRE(symbols->size == 3);
  CHECK(string_member(symbols->list()[2], "name") == std::string_view("bucket-named"));

  // The broken file: completion of properties after `b.Properties.`, of types in resources("…").
  const std::string broken = "file:///tmp/lsp-test/broken.polc";
  s.open(broken, kBroken);
  auto props = labels(s.request("textDocument/completion", Session::at(broken, 5, 25)));
  CHECK(has(props, "BucketName"));
  CHECK(has(props, "BucketEncryption"));
  CHECK_FALSE(has(props, "count"));
  auto types = labels(s.request("textDocument/completion", Session::at(broken, 4, 29)));
  CHECK(has(types, "AWS::S3::Bucket"));
  CHECK_FALSE(has(types, "AWS::EC2::Instance"));
  auto general = labels(s.request("textDocument/completion", Session::at(uri, 8, 12)));
  CHECK(has(general, "hello"));
  CHECK(has(general, "LIMIT"));
  CHECK(has(general, "b"));
  CHECK(has(general, "resources"));
  auto broken_symbols = member(
      s.request("textDocument/documentSymbol", "{\"textDocument\":{\"uri\":\"" + broken + "\"}}"),
      "result");
  CHECK(broken_symbols->size == 1);
  auto lenses =
      member(s.request("textDocument/codeLens", "{\"textDocument\":{\"uri\":\"" + broken + "\"}}"),
             "result");
  REQUIRE(lenses->size == 1);
  CHECK(string_member(member(lenses->list()[0], "command"), "command") ==
        std::string_view("polc.runTests"));
}

TEST_CASE("lsp stdlib imports: members complete, hover their doc comment", "[lsp]") {
  Session s;
  s.initialize();
  const std::string uri = "file:///tmp/lsp-test/imp.polc";
  s.open(uri, "import \"stdlib/core\" as core\nconst X = core.\n");
  auto members = labels(s.request("textDocument/completion", Session::at(uri, 1, 15)));
  CHECK(has(members, "ids"));
  CHECK(has(members, "present"));
  s.open(uri, "import \"stdlib/core\" as core\nconst X = core.present(1)\n");
  CHECK(hover_text(s.request("textDocument/hover", Session::at(uri, 1, 17)))
            .find("neither absent nor empty") != std::string::npos);
}

TEST_CASE("lsp document limits: kMaxLspOpenDocuments and kMaxLspOpenBytes", "[lsp][limits]") {
  Workspace ws;
  std::string error;
  for (std::size_t i = 0; i < kMaxLspOpenDocuments; ++i)
    REQUIRE(ws.open("file:///d" + std::to_string(i), "x", 1, error));
  CHECK_FALSE(ws.open("file:///one-more", "x", 1, error));
  CHECK(error.find("kMaxLspOpenDocuments") != std::string::npos);
  CHECK(ws.open("file:///d0", "replaced", 2, error));  // replacing an open one is fine
  Workspace big;
  const std::string half(kMaxLspOpenBytes / 2, 'x');
  CHECK(big.open("file:///a", half, 1, error));
  CHECK(big.open("file:///b", half, 1, error));
  CHECK_FALSE(big.open("file:///c", "y", 1, error));
  CHECK(error.find("kMaxLspOpenBytes") != std::string::npos);
  CHECK(big.open_bytes() == kMaxLspOpenBytes);
  big.close("file:///a");
  CHECK(big.open("file:///c", "y", 1, error));
}

TEST_CASE("lsp positions: UTF-16 code units or UTF-8 bytes", "[lsp]") {
  const std::string text = "a\xC3\xA9\xF0\x9F\x98\x80z\nline2";  // a é 😀 z
  LineMap u16(text, true), u8(text, false);
  CHECK(u16.position(1 + 2 + 4).second == 4);  // a, é (1 unit), 😀 (2 units)
  CHECK(u16.offset(0, 4) == 7);
  CHECK(u8.position(7).second == 7);
  CHECK(u16.offset(1, 3) == text.find("line2") + 3);
  CHECK(u16.offset(5, 0) == text.size());
  CHECK(uri_to_path("file:///a%20b/c.polc") == "/a b/c.polc");
  CHECK(path_to_uri("/a b/c.polc") == "file:///a%20b/c.polc");
  CHECK(uri_to_path("untitled:1").empty());
}

TEST_CASE("lsp fuzz target: the seed streams and saved reproducers run clean", "[lsp][robust]") {
  namespace fs = std::filesystem;
  std::size_t ran = 0;
  for (const char* dir : {"tests/data/lsp", "tests/data/robust/lsp"}) {
    const fs::path d = fs::path(POLC_SOURCE_DIR) / dir;
    std::error_code ec;
    if (!fs::is_directory(d, ec)) continue;
    for (const auto& e : fs::directory_iterator(d)) {
      std::ifstream in(e.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      polc::fuzz::run_lsp_stream(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
      ++ran;
    }
  }
  CHECK(ran >= 2);
}

TEST_CASE("lsp test files: the policy a test file names, hover and definition", "[lsp]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("polc-lsp-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  { std::ofstream(dir / "named.polc") << kGood; }
  const std::string tests = "policy: X-2\ncases:\n  - name: one\n    policy: bucket-named\n";
  { std::ofstream(dir / "named.tests.yaml") << tests; }
  Session s;
  s.initialize();
  const std::string uri = path_to_uri((dir / "named.tests.yaml").string());
  auto msgs = s.open(uri, tests);
  CHECK(member(member(msgs[0], "params"), "diagnostics")->size == 0);
  // By id on the first line, by name on the fourth.
  CHECK(hover_text(s.request("textDocument/hover", Session::at(uri, 0, 9)))
            .find("Buckets are named") != std::string::npos);
  auto def = member(s.request("textDocument/definition", Session::at(uri, 3, 16)), "result");
  CHECK(string_member(def, "uri") == std::string_view(path_to_uri((dir / "named.polc").string())));
  CHECK(*uint_member(member(member(def, "range"), "start"), "line") == 3);
  CHECK(member(s.request("textDocument/hover", Session::at(uri, 2, 5)), "result")->is_null());
  CHECK(labels(s.request("textDocument/completion", Session::at(uri, 2, 5))).empty());
  // A YAML error is a diagnostic.
  msgs = s.open(uri, "policy: [\n");
  CHECK(member(member(msgs[0], "params"), "diagnostics")->size >= 1);
  // Without a polc binary to run, the test command answers an error.
  CHECK(error_code(s.request("workspace/executeCommand",
                             "{\"command\":\"polc.runTests\",\"arguments\":[\"" + uri + "\"]}")) ==
        kRequestFailed);
  CHECK(error_code(s.request("workspace/executeCommand", "{\"command\":\"other\"}")) ==
        kInvalidParams);
  fs::remove_all(dir);
}

TEST_CASE("lsp text index: nested interpolations stop at kMaxExpressionDepth", "[lsp][limits]") {
  std::string deep;
  for (int i = 0; i < 200000; ++i) deep += "\"{";
  polc::lsp::TextIndex idx(deep);  // would overflow the stack if the recursion followed the text
  CHECK(idx.tokens().size() > 0);
  std::string ok = "const X = \"a {\"b {1}\"} c\"\n";
  polc::lsp::TextIndex small(ok);
  CHECK(small.decls().size() == 1);
}

TEST_CASE("lsp formatting: one edit with the formatter's text, an error when it cannot", "[lsp]") {
  ServerOptions options;
  options.format = [](std::string_view text) -> std::optional<std::string> {
    if (text.find("broken") != std::string_view::npos) return std::nullopt;
    return std::string(text) + "# formatted\n";
  };
  Session s(options);
  const Value* init = s.request("initialize", "{\"capabilities\":{}}");
  CHECK(member(member(member(init, "result"), "capabilities"), "documentFormattingProvider"));
  const std::string uri = "file:///tmp/lsp-test/f.polc";
  s.open(uri, kGood);
  auto edits = member(s.request("textDocument/formatting",
                                "{\"textDocument\":{\"uri\":\"" + uri +
                                    "\"},\"options\":{\"tabSize\":2,\"insertSpaces\":true}}"),
                      "result");
  REQUIRE(edits->size == 1);
  CHECK(string_member(edits->list()[0], "newText") ==
        std::string_view(std::string(kGood) + "# formatted\n"));
  const Value* end = member(member(edits->list()[0], "range"), "end");
  CHECK(*uint_member(end, "line") == 11);  // the whole document, up to its end
  s.open(uri, kBroken);
  CHECK(error_code(s.request("textDocument/formatting",
                             "{\"textDocument\":{\"uri\":\"" + uri + "\"}}")) == kRequestFailed);
  // Without a formatter, formatting is neither offered nor handled.
  Session plain;
  const Value* caps = member(member(plain.request("initialize", "{}"), "result"), "capabilities");
  CHECK_FALSE(member(caps, "documentFormattingProvider"));
  CHECK(error_code(plain.request("textDocument/formatting", "{\"textDocument\":{\"uri\":\"" + uri +
                                                                "\"}}")) == kMethodNotFound);
}

TEST_CASE("editors/vscode: the grammar is JSON and highlights every keyword", "[lsp][docs]") {
  std::ifstream in(std::string(POLC_SOURCE_DIR) + "/editors/vscode/syntaxes/polc.tmLanguage.json");
  REQUIRE(in);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string error;
  auto doc = parse_message(text, error);
  REQUIRE(doc);
  CHECK(string_member(doc->root, "scopeName") == std::string_view("source.polc"));
  const Value* keyword = member(member(doc->root, "repository"), "keyword");
  std::string words;
  for (const Value* p : member(keyword, "patterns")->list())
    words += std::string(*string_member(p, "match"));
  for (std::string_view k : polc::lsp::keywords()) {
    if (k == "true" || k == "false" || k == "null") continue;  // constants, in "constant"
    INFO(k);
    CHECK(words.find(std::string(k)) != std::string::npos);
  }
}

TEST_CASE("lsp typed names: a let or loop over a property keeps its schema type", "[lsp]") {
  Session s;
  s.initialize();
  const std::string uri = "file:///tmp/lsp-test/cf.polc";
  const std::string text =
      "policy p {\n  id = \"P\"\n  title = \"t\"\n  severity = low\n"
      "  for d in resources(\"AWS::CloudFront::Distribution\") {\n"
      "    let cfg = d.Properties.DistributionConfig\n"
      "    for b in cfg.CacheBehaviors {\n"
      "      require b.ViewerProtocolPolicy == \"x\"\n      require cfg.\n    }\n  }\n}\n";
  s.open(uri, text);
  auto fields = labels(s.request("textDocument/completion", Session::at(uri, 8, 18)));
  CHECK(has(fields, "DefaultCacheBehavior"));
  CHECK(has(fields, "Origins"));
  const std::string h = hover_text(s.request("textDocument/hover", Session::at(uri, 7, 18)));
  // A nested field's description: the field of the nested type CacheBehavior.
  CHECK(
      h.starts_with("The protocol that viewers can use to access the files in the origin specified "
                    "by `TargetOriginId` when a request matches the path pattern in `PathPattern`."
                    "\n\n**ViewerProtocolPolicy**: "));
  CHECK(h.find("Properties.DistributionConfig.CacheBehaviors.ViewerProtocolPolicy") !=
        std::string::npos);
  auto resource_fields = labels(s.request("textDocument/completion", Session::at(uri, 5, 16)));
  CHECK(has(resource_fields, "Properties"));
  CHECK(has(resource_fields, "id"));
}

TEST_CASE("lsp schema overlays: the .polc.yaml schemas polc check uses", "[lsp]") {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("polc-lsp-overlay-" + std::to_string(::getpid()));
  fs::create_directories(dir / "schemas");
  { std::ofstream(dir / ".polc.yaml") << "schemas: [schemas]\n"; }
  {
    std::ofstream(dir / "schemas" / "bucket.json")
        << R"({"typeName": "AWS::S3::Bucket", "properties": {"Other": {"type": "string"}}})";
  }
  Session s;
  s.initialize();
  auto msgs = s.open(path_to_uri((dir / "p.polc").string()), kGood);
  const Value* d = member(member(msgs[0], "params"), "diagnostics");
  REQUIRE(d->size == 1);
  CHECK(std::string(*string_member(d->list()[0], "message")).find("has no field 'BucketName'") !=
        std::string::npos);
  fs::remove(dir / ".polc.yaml");
  msgs = s.open(path_to_uri((dir / "p.polc").string()), kGood);
  CHECK(member(member(msgs[0], "params"), "diagnostics")->size == 0);
  fs::remove_all(dir);
}

TEST_CASE("lsp polc.runTests: polc test's result, its problems where they are", "[lsp]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("polc-lsp-run-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  { std::ofstream(dir / "named.polc") << kGood; }
  const std::string tests =
      "policy: bucket-named\ncases:\n  - name: named\n    template: |\n"
      "      {\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": "
      "{\"BucketName\": \"x\"}}}}\n"
      "    expect: []\n  - name: unnamed\n    template: |\n"
      "      {\"Resources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}}\n    expect: []\n";
  { std::ofstream(dir / "named.tests.yaml") << tests; }
  ServerOptions options;
  options.polc_binary = POLC_BINARY;
  Session s(options);
  s.initialize();
  const std::string policy_uri = path_to_uri((dir / "named.polc").string());
  const std::string tests_uri = path_to_uri((dir / "named.tests.yaml").string());
  s.open(tests_uri, tests);
  auto lenses = member(
      s.request("textDocument/codeLens", "{\"textDocument\":{\"uri\":\"" + tests_uri + "\"}}"),
      "result");
  REQUIRE(lenses->size == 1);
  auto msgs = s.send(
      "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"workspace/"
      "executeCommand\",\"params\":{\"command\":\"polc.runTests\","
      "\"arguments\":[\"" +
      policy_uri + "\"]}}");
  const Value* result = nullptr;
  const Value* diagnostics = nullptr;
  for (const Value* m : msgs) {
    if (member(m, "id") && member(m, "id")->kind == ValueKind::kInt) result = member(m, "result");
    if (string_member(m, "method") == std::string_view("textDocument/publishDiagnostics") &&
        string_member(member(m, "params"), "uri") == std::string_view(tests_uri))
      diagnostics = member(member(m, "params"), "diagnostics");
  }
  REQUIRE(result);
  CHECK(*uint_member(result, "passed") == 1);
  CHECK(*uint_member(result, "failed") == 1);
  CHECK(*uint_member(result, "exitCode") == 1);
  REQUIRE(diagnostics);
  REQUIRE(diagnostics->size == 1);
  CHECK(std::string(*string_member(diagnostics->list()[0], "message")).find("unexpected finding") !=
        std::string::npos);
  CHECK(*uint_member(member(member(diagnostics->list()[0], "range"), "start"), "line") == 9);
  // An edit of the test file drops the stale problems.
  msgs = s.notify("textDocument/didChange", "{\"textDocument\":{\"uri\":\"" + tests_uri +
                                                "\",\"version\":2},\"contentChanges\":[{\"text\":" +
                                                json_string(tests) + "}]}");
  CHECK(member(member(msgs[0], "params"), "diagnostics")->size == 0);
  fs::remove_all(dir);
}
