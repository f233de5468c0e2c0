// Documentation that must not drift from the code.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

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
    CHECK(doc.find("| `" + std::string(polc::builtin_info(i).signature) + "` |") !=
          std::string::npos);
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
