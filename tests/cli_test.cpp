// End-to-end tests of the polc binary: each line of tests/data/cli/cases.txt runs polc from
// the repository root; stdout, stderr and the exit code are compared with golden files
// (tests/data/cli/NAME.stdout, .stderr, .rc). Elapsed times are normalized to 0.00s.
// POLC_UPDATE_GOLDEN=1 rewrites the goldens.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string normalize(std::string s) {
  static const std::regex elapsed_text(R"(; [0-9]+\.[0-9]+s)");
  static const std::regex elapsed_json(R"("elapsed_seconds": [0-9.e+-]+)");
  s = std::regex_replace(s, elapsed_text, "; 0.00s");
  s = std::regex_replace(s, elapsed_json, "\"elapsed_seconds\": 0");
  return s;
}

void compare(const fs::path& golden, const std::string& actual) {
  if (std::getenv("POLC_UPDATE_GOLDEN")) {
    std::ofstream(golden, std::ios::binary) << actual;
    return;
  }
  INFO("golden " << golden.string() << "\n--- actual ---\n" << actual);
  REQUIRE(fs::exists(golden));
  CHECK(slurp(golden) == actual);
}

}  // namespace

TEST_CASE("CLI golden tests", "[cli]") {
  fs::path root = POLC_SOURCE_DIR;
  fs::path dir = root / "tests" / "data" / "cli";
  fs::path tmp = fs::temp_directory_path() / ("polc-cli-" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  // Git cannot track a `.git` folder inside the repository: make the one the walk must skip.
  fs::create_directories(dir / "tree" / ".git");
  fs::copy_file(dir / "tree" / "stacks" / "app.yaml", dir / "tree" / ".git" / "ignored.yaml",
                fs::copy_options::overwrite_existing);
  std::ifstream cases(dir / "cases.txt");
  std::string line;
  int n = 0;
  while (std::getline(cases, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto bar = line.find('|');
    std::string name = line.substr(0, bar);
    std::string args = line.substr(bar + 1);
    while (!name.empty() && name.back() == ' ') name.pop_back();
    std::string cmd = "cd '" + root.string() + "' && NO_COLOR=1 '" + std::string(POLC_BINARY) + "'" + args + " >'" +
                      (tmp / "out").string() + "' 2>'" + (tmp / "err").string() + "' </dev/null";
    int status = std::system(cmd.c_str());
    int rc = WEXITSTATUS(status);
    INFO("case " << name << ": polc" << args);
    compare(dir / (name + ".stdout"), normalize(slurp(tmp / "out")));
    compare(dir / (name + ".stderr"), normalize(slurp(tmp / "err")));
    compare(dir / (name + ".rc"), std::to_string(rc) + "\n");
    ++n;
  }
  CHECK(n >= 10);
  fs::remove_all(tmp);
}
