// Runs the network pack's policy test files (policies/network/*.tests.yaml) through `polc test`,
// so the policies' cases are part of the unit test run. On failure the runner's output, which
// names each failing expectation, is printed.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

TEST_CASE("network pack: every policy test file passes", "[pack]") {
  fs::path root = POLC_SOURCE_DIR;
  fs::path out = fs::temp_directory_path() / ("polc-pack-network-" + std::to_string(::getpid()));
  std::string cmd = "cd '" + root.string() + "' && NO_COLOR=1 '" + std::string(POLC_BINARY) +
                    "' test policies/network >'" + out.string() + "' 2>&1 </dev/null";
  int status = std::system(cmd.c_str());
  std::ifstream in(out);
  std::ostringstream ss;
  ss << in.rdbuf();
  fs::remove(out);
  std::string text = ss.str();
  INFO("polc test policies/network\n" << text);
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(text.find(" passed, 0 failed") != std::string::npos);
  CHECK(text.find("0 passed") != 0);  // at least one case ran
}
