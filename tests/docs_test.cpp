// Documentation that must not drift from the code.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include "engine/program/builtins.h"
#include "engine/program/bytecode.h"

namespace {
std::string read(const char* rel) {
  std::ifstream in(std::filesystem::path(POLC_SOURCE_DIR) / rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("docs/language.md lists every builtin with its signature", "[docs]") {
  std::string doc = read("docs/language.md");
  REQUIRE_FALSE(doc.empty());
  for (std::size_t i = 0; i < polc::builtin_count(); ++i) {
    INFO(polc::builtin_info(i).signature);
    // The row says what engine/builtins.def says, word for word.
    CHECK(doc.find("| `" + std::string(polc::builtin_info(i).signature) + "` | " +
                   std::string(polc::builtin_info(i).doc) + " |") != std::string::npos);
  }
}

TEST_CASE("docs/bytecode.md lists every opcode", "[docs]") {
  std::string doc = read("docs/bytecode.md");
  REQUIRE_FALSE(doc.empty());
  for (int i = 0; i < static_cast<int>(polc::Opcode::kCount_); ++i) {
    std::string name(polc::opcode_info(static_cast<polc::Opcode>(i)).name);
    INFO(name);
    CHECK(doc.find("| `" + name + "` |") != std::string::npos);
  }
}

TEST_CASE("docs/policies is generated from the current policy sources", "[docs]") {
  namespace fs = std::filesystem;
  fs::path root = POLC_SOURCE_DIR;
  fs::path tmp = fs::temp_directory_path() / ("polc-doc-" + std::to_string(::getpid()));
  std::string cmd = "cd '" + root.string() + "' && '" + std::string(POLC_BINARY) +
                    "' doc policies -o '" + tmp.string() + "' 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::size_t pages = 0;
  for (const auto& e : fs::directory_iterator(tmp)) {
    ++pages;
    std::ifstream a(e.path()), b(root / "docs" / "policies" / e.path().filename());
    std::stringstream sa, sb;
    sa << a.rdbuf();
    sb << b.rdbuf();
    std::string want = sb.str();
    if (e.path().filename() == "README.md") {
      // The hand-written part (rubric, disagreements) is kept by `polc doc`, not generated.
      auto at = want.find("\n<!-- Hand-written below; polc doc keeps it. -->");
      if (at != std::string::npos) want.resize(at);
    }
    INFO(e.path().filename().string() << " is stale: run `polc doc policies -o docs/policies`");
    CHECK(sa.str() == want);
  }
  CHECK(pages >= 2);
  fs::remove_all(tmp);
}

// Command examples with their output: in a fenced block of README.md or docs/*.md, a line
// `$ COMMAND` (run from the repository root with `polc` and `./build/polc` being the built
// binary, standard error merged) is followed by exactly what it prints. Elapsed times ("0.01s")
// are compared as such, not by value.
namespace {
struct Example {
  std::string file;
  int line = 0;
  std::string command;
  std::string output;
};

std::vector<Example> examples_of(const std::string& rel) {
  std::vector<Example> out;
  std::istringstream in(read(rel.c_str()));
  std::string line;
  bool fenced = false;
  int n = 0;
  Example* cur = nullptr;
  while (std::getline(in, line)) {
    ++n;
    if (line.starts_with("```")) {
      fenced = !fenced;
      cur = nullptr;
      continue;
    }
    if (!fenced) continue;
    if (line.starts_with("$ ")) {
      out.push_back({rel, n, line.substr(2), ""});
      cur = &out.back();
    } else if (cur) {
      cur->output += line + "\n";
    }
  }
  return out;
}

std::string normalize_times(const std::string& s) {
  return std::regex_replace(s, std::regex("[0-9]+\\.[0-9]+s\\b"), "T.TTs");
}
}  // namespace

TEST_CASE("command examples in README.md and docs/ print what they show", "[docs]") {
  namespace fs = std::filesystem;
  fs::path root = POLC_SOURCE_DIR;
  std::vector<std::string> files{"README.md"};
  for (const auto& e : fs::directory_iterator(root / "docs"))
    if (e.path().extension() == ".md") files.push_back("docs/" + e.path().filename().string());
  std::sort(files.begin(), files.end());
  fs::path bin = fs::temp_directory_path() / ("polc-doc-bin-" + std::to_string(::getpid()));
  fs::create_directories(bin);
  fs::remove(bin / "polc");
  fs::create_symlink(POLC_BINARY, bin / "polc");
  std::size_t count = 0;
  for (const auto& f : files) {
    for (const Example& ex : examples_of(f)) {
      ++count;
      std::string cmd = ex.command;
      for (std::size_t at; (at = cmd.find("./build/polc")) != std::string::npos;)
        cmd.replace(at, 12, "polc");
      fs::path out_file = bin / "out.txt";
      std::string sh = "cd '" + root.string() + "' && PATH='" + bin.string() +
                       "':\"$PATH\" NO_COLOR=1 sh -c '" + cmd + "' >'" + out_file.string() +
                       "' 2>&1";
      (void)std::system(sh.c_str());
      std::ifstream in(out_file);
      std::stringstream got;
      got << in.rdbuf();
      INFO(ex.file << ":" << ex.line << ": $ " << ex.command);
      CHECK(normalize_times(got.str()) == normalize_times(ex.output));
    }
  }
  CHECK(count >= 3);
  fs::remove_all(bin);
}

TEST_CASE("docs/language.md lists every stdlib function", "[docs]") {
  namespace fs = std::filesystem;
  std::string doc = read("docs/language.md");
  std::size_t modules = 0;
  for (const auto& e : fs::directory_iterator(fs::path(POLC_SOURCE_DIR) / "stdlib")) {
    if (e.path().extension() != ".polc") continue;
    ++modules;
    std::string mod = "stdlib/" + e.path().stem().string();
    std::size_t row = doc.find("| `" + mod + "` |");
    INFO(mod);
    REQUIRE(row != std::string::npos);
    std::string cells = doc.substr(row, doc.find('\n', row) - row);
    std::ifstream in(e.path());
    std::string line;
    while (std::getline(in, line)) {
      if (!line.starts_with("fn ")) continue;
      std::string sig = line.substr(3, line.find(')') - 2);
      INFO(sig);
      CHECK(cells.find("`" + sig + "`") != std::string::npos);
    }
  }
  CHECK(modules >= 4);
}

TEST_CASE("polc doc keeps the hand-written part of the index", "[docs]") {
  namespace fs = std::filesystem;
  fs::path root = POLC_SOURCE_DIR;
  fs::path tmp = fs::temp_directory_path() / ("polc-doc-keep-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  std::string kept =
      "<!-- Hand-written below; polc doc keeps it. -->\n\n## Severity rubric\n\ntext\n";
  std::ofstream(tmp / "README.md") << "# old generated table\n\n" << kept;
  std::string cmd = "cd '" + root.string() + "' && '" + std::string(POLC_BINARY) +
                    "' doc policies -o '" + tmp.string() + "' 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(tmp / "README.md");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  CHECK(text.find("# old generated table") == std::string::npos);
  CHECK(text.find("| `POLC-NET-001` |") != std::string::npos);
  CHECK(text.size() >= kept.size());
  CHECK(text.substr(text.size() - kept.size()) == kept);
  fs::remove_all(tmp);
}
