// Formatter tests (dsl/format.h, `polc fmt`): golden input -> output pairs (tests/data/fmt/
// *.in.polc -> *.out.polc; comments in awkward places, long requires, header alignment, nested
// blocks, string escapes, CRLF and tabs), re-formatting the output is a no-op, every .polc file
// of the repository keeps its AST and is stable, and the command line (--check, in place,
// errors, directories). POLC_UPDATE_GOLDEN=1 rewrites the golden outputs.
#include "dsl/format.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/parser.h"
#include "engine/base/text_diff.h"
#include "tests/cli_run.h"

namespace fs = std::filesystem;
using namespace polc;

namespace {

const fs::path kSource = POLC_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void spill(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
}

std::optional<std::string> format(const std::string& text, Diagnostics& diags,
                                  const std::string& path = "t.polc") {
  return format_policy_source(SourceFile(path, text), diags);
}

std::string formatted(const std::string& text) {
  Diagnostics diags;
  auto out = format(text, diags);
  INFO(text);
  for (const Diagnostic& d : diags.items()) INFO(render_diagnostic(d));
  REQUIRE(out);
  CHECK(diags.empty());
  return *out;
}

// The AST without positions, or "" with the diagnostics when `text` does not parse.
std::string ast_of(const std::string& text) {
  SourceFile src("t.polc", text);
  Diagnostics diags;
  auto file = parse_policy_source(src, diags);
  if (diags.has_errors() || !file) return "";
  return ast_dump_without_positions(*file, src);
}

}  // namespace

TEST_CASE("fmt: golden input and output pairs", "[fmt]") {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(kSource / "tests/data/fmt")) {
    const std::string name = e.path().filename().string();
    if (!name.ends_with(".in.polc")) continue;
    ++n;
    const std::string stem = name.substr(0, name.size() - 8);
    const fs::path golden = e.path().parent_path() / (stem + ".out.polc");
    const std::string in = slurp(e.path());
    const std::string out = formatted(in);
    INFO(name);
    if (const char* u = std::getenv("POLC_UPDATE_GOLDEN"); u && std::string(u) == "1")
      spill(golden, out);
    CHECK(out == slurp(golden));
    CHECK(ast_of(out) == ast_of(in));
    CHECK(!ast_of(in).empty());
    CHECK(formatted(out) == out);                       // idempotent
    for (std::size_t start = 0; start < out.size();) {  // no line passes the width, but strings
      const std::size_t end = out.find('\n', start);
      const std::string line = out.substr(start, end - start);
      if (line.find('"') == std::string::npos && line.find('#') == std::string::npos)
        CHECK(line.size() <= kFormatWidth);
      CHECK((line.empty() || line.back() != ' '));  // no trailing spaces
      start = end + 1;
    }
  }
  CHECK(n >= 6);
}

TEST_CASE("fmt: every comment is kept, in order", "[fmt]") {
  const std::string in = slurp(kSource / "tests/data/fmt/comments.in.polc");
  const std::string out = formatted(in);
  auto comments = [](const std::string& text) {
    std::vector<std::string> all;
    std::istringstream s(text);
    for (std::string line; std::getline(s, line);) {
      const auto hash = line.find('#');
      if (hash == std::string::npos) continue;
      std::string c = line.substr(hash);
      while (!c.empty() && (c.back() == ' ' || c.back() == '\r')) c.pop_back();
      all.push_back(c);
    }
    return all;
  };
  CHECK(comments(in).size() == 22);
  CHECK(comments(out) == comments(in));
}

TEST_CASE("fmt: every .polc file of the repository keeps its AST and is stable", "[fmt]") {
  std::size_t parsed = 0, refused = 0;
  for (const char* dir : {"policies", "stdlib", "tests", "examples"}) {
    if (!fs::exists(kSource / dir)) continue;
    for (const auto& e : fs::recursive_directory_iterator(kSource / dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".polc") continue;
      const std::string text = slurp(e.path());
      INFO(e.path().string());
      Diagnostics diags;
      auto out = format(text, diags, e.path().string());
      const std::string before = ast_of(text);
      if (before.empty()) {  // does not parse: refused with the parser's errors
        CHECK(!out);
        REQUIRE(!diags.items().empty());
        CHECK(diags.items()[0].location.line >= 1);
        CHECK(diags.items()[0].location.column >= 1);
        CHECK(diags.items()[0].code != "format-internal");
        ++refused;
        continue;
      }
      REQUIRE(out);
      CHECK(ast_of(*out) == before);
      Diagnostics again;
      auto twice = format(*out, again);
      REQUIRE(twice);
      CHECK(*twice == *out);
      ++parsed;
    }
  }
  CHECK(parsed >= 230);
  CHECK(refused >= 10);
}

TEST_CASE("fmt: the pack and the standard library are formatted", "[fmt]") {
  for (const char* dir : {"policies", "stdlib"})
    for (const auto& e : fs::recursive_directory_iterator(kSource / dir)) {
      if (e.path().extension() != ".polc") continue;
      INFO(e.path().string());
      const std::string text = slurp(e.path());
      CHECK(formatted(text) == text);
    }
}

TEST_CASE("fmt: small layouts", "[fmt]") {
  CHECK(formatted("") == "");
  CHECK(formatted("\n\n  \n") == "");
  CHECK(formatted("# only a comment") == "# only a comment\n");
  CHECK(formatted("const A=1") == "const A = 1\n");
  CHECK(formatted("const A = [1,2,]") == "const A = [1, 2]\n");  // a trailing comma goes
  CHECK(formatted("const A = f(1,)") == "const A = f(1)\n");
  CHECK(formatted("const A = a.b(1)") == "const A = a.b(1)\n");
  CHECK(formatted("const A = - -1") == "const A = --1\n");
  CHECK(formatted("const A = a not   in b") == "const A = a not in b\n");
  CHECK(formatted("const A = 1.5e3*2%3") == "const A = 1.5e3 * 2 % 3\n");
  CHECK(formatted("policy p{id=\"X\"}") == "policy p {\n  id = \"X\"\n}\n");
  CHECK(formatted("policy p{}") == "policy p {}\n");
  CHECK(formatted("const A = 1\n\n\n\nconst B = 2") == "const A = 1\n\nconst B = 2\n");
  // A trailing comment on the last token of a group does not break the group.
  CHECK(formatted("const A = f(x)  # why") == "const A = f(x)  # why\n");
  // One inside it does, and stays at the end of its line.
  CHECK(formatted("const A = f(x, # why\n y)") == "const A = f(\n  x,  # why\n  y\n)\n");
}

TEST_CASE("fmt: a file that does not parse is refused with file:line:col", "[fmt]") {
  Diagnostics diags;
  auto out = format("policy p {\n  id = \n}\n", diags, "broken.polc");
  CHECK(!out);
  REQUIRE(diags.has_errors());
  CHECK(diags.items()[0].location.file == "broken.polc");
  CHECK(diags.items()[0].location.line == 3);
  CHECK(diags.items()[0].location.column == 1);
}

TEST_CASE("fmt: unified diff", "[fmt]") {
  CHECK(unified_diff("f", "a\nb\nc\n", "a\nB\nc\n") ==
        "--- f\n+++ f (formatted)\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
  CHECK(unified_diff("f", "", "x\n") == "--- f\n+++ f (formatted)\n@@ -0,0 +1,1 @@\n+x\n");
  // Two changes far apart are two hunks with three lines of context each.
  std::string a, b;
  for (int i = 0; i < 20; ++i) {
    a += std::to_string(i) + "\n";
    b += (i == 2 || i == 17 ? "x" : std::to_string(i)) + "\n";
  }
  const std::string d = unified_diff("f", a, b);
  CHECK(d.find("@@ -1,6 +1,6 @@\n 0\n 1\n-2\n+x\n 3\n 4\n 5\n") != std::string::npos);
  CHECK(d.find("@@ -15,6 +15,6 @@\n 14\n 15\n 16\n-17\n+x\n 18\n 19\n") != std::string::npos);
  // Past kMaxDiffCells the file is shown as replaced whole (still a correct diff).
  const std::size_t lines = 2100;
  static_assert(2101 * 2101 > kMaxDiffCells);
  std::string big_a, big_b;
  for (std::size_t i = 0; i < lines; ++i) {
    big_a += "a" + std::to_string(i) + "\n";
    big_b += (i == 5 ? "b" : "a") + std::to_string(i) + "\n";
  }
  const std::string big = unified_diff("f", big_a, big_b);
  CHECK(big.find("@@ -1,2100 +1,2100 @@\n") != std::string::npos);
}

TEST_CASE("fmt: polc fmt --check, in place, errors and directories", "[fmt][cli]") {
  const fs::path dir = fs::temp_directory_path() / ("polc-fmt-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  const std::string ugly = "const  A=1\n";
  spill(dir / "sub/a.polc", ugly);
  spill(dir / "b.polc", "const B = 2\n");
  spill(dir / "broken.polc", "policy p {\n  id = \n}\n");
  spill(dir / "notes.txt", "not a policy");

  auto r = test::run_polc(dir, "fmt --check sub b.polc");
  CHECK(r.exit_code == 1);
  CHECK(r.out ==
        "--- sub/a.polc\n+++ sub/a.polc (formatted)\n@@ -1,1 +1,1 @@\n-const  A=1\n+const A = 1\n");
  CHECK(slurp(dir / "sub/a.polc") == ugly);  // --check changes nothing

  r = test::run_polc(dir, "fmt --check broken.polc");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("broken.polc:3:1: error") != std::string::npos);

  r = test::run_polc(dir, "fmt .");
  CHECK(r.exit_code == 2);  // broken.polc does not parse
  CHECK(r.out == "sub/a.polc\n");
  CHECK(slurp(dir / "sub/a.polc") == "const A = 1\n");
  CHECK(slurp(dir / "broken.polc") == "policy p {\n  id = \n}\n");  // never rewritten
  fs::remove(dir / "broken.polc");

  r = test::run_polc(dir, "fmt --check .");
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());

  fs::create_directories(dir / "empty");
  r = test::run_polc(dir, "fmt empty");
  CHECK(r.exit_code == 2);  // nothing to format is not a pass
  CHECK(r.err.find("no policy file") != std::string::npos);

  r = test::run_polc(dir, "fmt missing.polc");
  CHECK(r.exit_code == 2);
  fs::remove_all(dir);
}

TEST_CASE("fmt: the deepest nesting the parser accepts is formatted", "[fmt]") {
  for (const auto& [open, close] :
       {std::pair{"(", ")"}, std::pair{"[", "]"}, std::pair{"f(", ")"}, std::pair{"not (", ")"}}) {
    std::string deepest;
    for (int n = 1; n < 300; ++n) {
      std::string text = "const A = ";
      for (int i = 0; i < n; ++i) text += open;
      text += "x";
      for (int i = 0; i < n; ++i) text += close;
      if (ast_of(text).empty()) break;
      deepest = text;
    }
    INFO(open);
    REQUIRE(!deepest.empty());
    const std::string out = formatted(deepest);
    CHECK(ast_of(out) == ast_of(deepest));
    CHECK(formatted(out) == out);
  }
}
