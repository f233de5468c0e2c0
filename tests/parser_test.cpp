// Parser tests: golden AST dumps (tests/data/parser/*.polc -> *.ast), golden diagnostics for
// broken inputs (*.polc -> *.errors), nesting and size limits, and every shipped policy file.
// POLC_UPDATE_GOLDEN=1 rewrites the golden files from the current output.
#include "dsl/parser.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "dsl/ast.h"
#include "engine/base/limits.h"

namespace fs = std::filesystem;
using namespace polc;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool update_golden() {
  const char* v = std::getenv("POLC_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

struct Parsed {
  std::unique_ptr<ast::File> file;
  Diagnostics diags;
  std::string rendered;  // every diagnostic, rendered
};

Parsed parse(std::string path, std::string text) {
  Parsed r;
  SourceFile src(std::move(path), std::move(text));
  r.file = parse_policy_source(src, r.diags);
  for (const Diagnostic& d : r.diags.items()) r.rendered += render_diagnostic(d);
  return r;
}

std::size_t count_code(const Diagnostics& diags, const std::string& code) {
  std::size_t n = 0;
  for (const Diagnostic& d : diags.items()) n += d.code == code;
  return n;
}

std::string dump_of(const std::string& text) {
  SourceFile src("t.polc", text);
  Diagnostics diags;
  auto file = parse_policy_source(src, diags);
  std::string out = ast::dump(*file, src);
  for (const Diagnostic& d : diags.items()) out += render_diagnostic(d);
  return out;
}

const fs::path kDataDir = fs::path(POLC_SOURCE_DIR) / "tests" / "data" / "parser";

}  // namespace

TEST_CASE("grammar has no rule that loops without consuming input", "[parser]") {
  CHECK(analyze_grammar() == 0);
}

TEST_CASE("golden files: valid inputs give the expected AST, broken ones the expected errors",
          "[parser]") {
  REQUIRE(fs::is_directory(kDataDir));
  std::vector<fs::path> inputs;
  for (const auto& entry : fs::directory_iterator(kDataDir))
    if (entry.path().extension() == ".polc") inputs.push_back(entry.path());
  std::sort(inputs.begin(), inputs.end());
  std::size_t ast_count = 0, error_count = 0;
  for (const fs::path& input : inputs) {
    // The file name alone is the path in diagnostics, so goldens carry no machine paths.
    Parsed r = parse(input.filename().string(), read_file(input));
    fs::path ast_path = fs::path(input).replace_extension(".ast");
    fs::path err_path = fs::path(input).replace_extension(".errors");
    const bool broken = input.filename().string().rfind("err_", 0) == 0;
    INFO("input: " << input.filename().string());
    if (broken) {
      ++error_count;
      CHECK(r.diags.has_errors());
      if (update_golden()) std::ofstream(err_path, std::ios::binary) << r.rendered;
      REQUIRE(fs::exists(err_path));
      std::string expected = read_file(err_path);
      if (expected != r.rendered) FAIL("diagnostics differ; actual:\n" << r.rendered);
    } else {
      ++ast_count;
      CHECK(r.rendered == "");
      std::string actual =
          ast::dump(*r.file, SourceFile(input.filename().string(), read_file(input)));
      if (update_golden()) std::ofstream(ast_path, std::ios::binary) << actual;
      REQUIRE(fs::exists(ast_path));
      std::string expected = read_file(ast_path);
      if (expected != actual) FAIL("AST dump differs; actual:\n" << actual);
    }
  }
  CHECK(ast_count >= 12);
  CHECK(error_count >= 8);
}

TEST_CASE("garbage gives a positioned error on line 1", "[parser]") {
  Parsed r = parse("g.polc", "this is ( not a policy {{");
  REQUIRE(r.diags.size() == 1);
  const Diagnostic& d = r.diags.items()[0];
  CHECK(d.code == "syntax");
  CHECK(d.location.line == 1);
  CHECK(d.location.column == 1);
  CHECK(d.message == "expected a declaration ('import', 'const', 'fn' or 'policy'), found 'this'");
  CHECK(r.file->policies.empty());
}

TEST_CASE("recovery reports one error per broken declaration", "[parser]") {
  Parsed r = parse("r.polc",
                   "const A = (1 +\n"
                   "fn f(x) = x +\n"
                   "fn g(x) = x\n"
                   "policy p {\n"
                   "  id = \"P\"\n"
                   "  let a = \n"
                   "  when a ==\n"
                   "  require a message \"ok\"\n"
                   "}\n"
                   "policy q { id = }\n");
  std::vector<std::uint32_t> lines;
  for (const Diagnostic& d : r.diags.items()) lines.push_back(d.location.line);
  CHECK(lines == std::vector<std::uint32_t>{2, 3, 7, 8, 10});
  REQUIRE(r.file->functions.size() == 1);
  CHECK(r.file->functions[0].name == "g");
  REQUIRE(r.file->policies.size() == 2);
  REQUIRE(r.file->policies[0].body.size() == 1);
  CHECK(r.file->policies[0].body[0]->kind == ast::StmtKind::kRequire);
}

TEST_CASE("nesting deeper than kMaxExpressionDepth is an error, not a crash", "[parser]") {
  const std::size_t n = 10'000;
  auto expect_depth_error = [](const std::string& text) {
    Parsed r = parse("deep.polc", text);
    CHECK(count_code(r.diags, "expression-depth") == 1);
    CHECK(r.diags.size() < 4);
  };
  std::string parens = "const X = " + std::string(n, '(') + "1" + std::string(n, ')') + "\n";
  expect_depth_error(parens);
  std::string nots = "const X = ";
  for (std::size_t i = 0; i < n; ++i) nots += "not ";
  expect_depth_error(nots + "true\n");
  expect_depth_error("const X = " + std::string(n, '-') + "1\n");
  expect_depth_error("const X = " + std::string(n, '[') + std::string(n, ']') + "\n");
  std::string chain = "const X = 1";
  for (std::size_t i = 0; i < n; ++i) chain += " + 1";
  expect_depth_error(chain + "\n");
  std::string fields = "const X = a";
  for (std::size_t i = 0; i < n; ++i) fields += ".b";
  expect_depth_error(fields + "\n");
  std::string blocks = "policy p {\n";
  for (std::size_t i = 0; i < n; ++i) blocks += "for x in y {\n";
  expect_depth_error(blocks + std::string(n, '}') + "}\n");
  std::string elifs = "policy p {\n if a { }";
  for (std::size_t i = 0; i < n; ++i) elifs += " else if a { }";
  expect_depth_error(elifs + "\n}\n");
  std::string lits = "policy p {\n tags = " + std::string(n, '[') + std::string(n, ']') + "\n}\n";
  expect_depth_error(lits);
  // At the limit itself everything parses.
  std::string ok = "const X = " + std::string(100, '(') + "1" + std::string(100, ')') + "\n";
  CHECK(parse("ok.polc", ok).rendered == "");
}

TEST_CASE("a source larger than kMaxPolicyBytes is refused", "[parser]") {
  std::string big(kMaxPolicyBytes + 1, '\n');
  Parsed r = parse("big.polc", big);
  REQUIRE(r.diags.size() == 1);
  CHECK(r.diags.items()[0].code == "policy-too-large");
}

TEST_CASE("string literals: escapes, raw strings, long strings", "[parser]") {
  Parsed r = parse("s.polc",
                   "const A = \"q\\\" b\\\\ n\\n t\\t \\{\\}\"\n"
                   "const B = 'a\\d+{x}'\n"
                   "const C = \"\"\"\n"
                   "    first\n"
                   "      indented \"quoted\"\n"
                   "\n"
                   "    last\n"
                   "    \"\"\"\n");
  REQUIRE(r.rendered == "");
  REQUIRE(r.file->consts.size() == 3);
  CHECK(r.file->consts[0].value->string_value == "q\" b\\ n\n t\t {}");
  CHECK(r.file->consts[1].value->string_value == "a\\d+{x}");
  CHECK(r.file->consts[2].value->string_value == "first\n  indented \"quoted\"\n\nlast");
}

TEST_CASE("message templates split into literal and expression parts", "[parser]") {
  Parsed r = parse("t.polc",
                   "policy p {\n"
                   "  report message \"a {x.id} {{b}} {f(\"}\")}\"\n"
                   "  report message \"plain {{x}}\"\n"
                   "}\n");
  REQUIRE(r.rendered == "");
  const auto& body = r.file->policies.at(0).body;
  const ast::Expr& t = *body.at(0)->report.message;
  REQUIRE(t.kind == ast::ExprKind::kTemplate);
  REQUIRE(t.args.size() == 4);
  CHECK(t.args[0]->string_value == "a ");
  CHECK(t.args[1]->kind == ast::ExprKind::kField);
  CHECK(t.args[2]->string_value == " {b} ");
  CHECK(t.args[3]->kind == ast::ExprKind::kCall);
  const ast::Expr& plain = *body.at(1)->report.message;
  CHECK(plain.kind == ast::ExprKind::kString);
  CHECK(plain.string_value == "plain {x}");
}

TEST_CASE("spans are byte offsets of each node", "[parser]") {
  std::string text = "const A = x.y + f(1)\n";
  Parsed r = parse("sp.polc", text);
  REQUIRE(r.rendered == "");
  const ast::Expr& add = *r.file->consts.at(0).value;
  auto slice = [&](ast::Span s) { return text.substr(s.begin, s.end - s.begin); };
  CHECK(slice(add.span) == "x.y + f(1)");
  CHECK(slice(add.lhs->span) == "x.y");
  CHECK(slice(add.lhs->lhs->span) == "x");
  CHECK(slice(add.rhs->span) == "f(1)");
  CHECK(slice(add.rhs->args.at(0)->span) == "1");
  CHECK(slice(r.file->consts[0].span) == "const A = x.y + f(1)");
}

TEST_CASE("calls need a name or module.name callee", "[parser]") {
  CHECK(dump_of("const A = m.f(1)\n").find("(call m.f") != std::string::npos);
  for (const char* bad : {"const A = a.b.c(1)\n", "const A = (f)(1)\n", "const A = f(1)(2)\n",
                          "const A = a.\"f\"(1)\n"}) {
    Parsed r = parse("c.polc", bad);
    INFO(bad);
    REQUIRE(r.diags.size() == 1);
    CHECK(r.diags.items()[0].message.rfind("a call needs a function name", 0) == 0);
  }
}

TEST_CASE("every .polc under stdlib/ and policies/ parses without errors", "[parser]") {
  std::size_t files = 0;
  for (const char* dir : {"stdlib", "policies"}) {
    fs::path root = fs::path(POLC_SOURCE_DIR) / dir;
    if (!fs::is_directory(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      if (entry.path().extension() != ".polc") continue;
      ++files;
      Parsed r =
          parse(fs::relative(entry.path(), POLC_SOURCE_DIR).string(), read_file(entry.path()));
      INFO(entry.path().string());
      CHECK(r.rendered == "");
    }
  }
  if (files == 0) WARN("no .polc files under stdlib/ or policies/ yet");
}

namespace {

void check_span(ast::Span s, std::size_t size) {
  CHECK(s.begin <= s.end);
  CHECK(s.end <= size);
}

void check_expr(const ast::Expr* e, std::size_t size) {
  if (e == nullptr) return;
  check_span(e->span, size);
  check_expr(e->lhs.get(), size);
  check_expr(e->rhs.get(), size);
  check_expr(e->cond.get(), size);
  for (const auto& a : e->args) check_expr(a.get(), size);
}

void check_stmts(const std::vector<ast::StmtPtr>& stmts, std::size_t size) {
  for (const auto& s : stmts) {
    check_span(s->span, size);
    check_expr(s->expr.get(), size);
    check_expr(s->report.message.get(), size);
    check_expr(s->report.at.get(), size);
    for (const auto& r : s->report.related) {
      check_span(r.span, size);
      check_expr(r.target.get(), size);
      check_expr(r.message.get(), size);
    }
    check_stmts(s->body, size);
    check_stmts(s->else_body, size);
  }
}

}  // namespace

TEST_CASE("mutated inputs never crash and keep spans inside the source", "[parser]") {
  std::vector<std::string> seeds;
  for (const auto& entry : fs::directory_iterator(kDataDir))
    if (entry.path().extension() == ".polc") seeds.push_back(read_file(entry.path()));
  std::sort(seeds.begin(), seeds.end());
  const std::string alphabet = "{}[]()\"'#:,.=-+*/%<>!\n \t\r\\abz09_\x01\xc3";
  std::uint64_t rng = 0x9e3779b97f4a7c15ull;
  auto next = [&rng]() {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
  };
  for (const std::string& seed : seeds) {
    for (int round = 0; round < 150; ++round) {
      std::string text = seed;
      const int edits = 1 + static_cast<int>(next() % 4);
      for (int k = 0; k < edits && !text.empty(); ++k) {
        std::size_t at = next() % text.size();
        char c = alphabet[next() % alphabet.size()];
        switch (next() % 3) {
          case 0:
            text.erase(at, 1 + next() % 8);
            break;
          case 1:
            text.insert(at, 1 + next() % 3, c);
            break;
          default:
            text[at] = c;
        }
      }
      Parsed r = parse("m.polc", text);
      for (const Diagnostic& d : r.diags.items()) CHECK(d.location.offset <= text.size());
      for (const auto& c : r.file->consts) check_expr(c.value.get(), text.size());
      for (const auto& f : r.file->functions) check_expr(f.body.get(), text.size());
      for (const auto& p : r.file->policies) {
        check_span(p.span, text.size());
        for (const auto& a : p.attributes) check_expr(a.value.get(), text.size());
        check_stmts(p.body, text.size());
      }
      (void)ast::dump(*r.file, SourceFile("m.polc", text));
    }
  }
}

// A debugging aid, hidden from normal runs: POLC_DUMP_FILE=x.polc polc_tests "[.dump]".
TEST_CASE("dump one file", "[.dump]") {
  const char* path = std::getenv("POLC_DUMP_FILE");
  if (path == nullptr) return;
  std::cout << dump_of(read_file(path));
}
