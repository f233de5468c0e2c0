// Golden disassembly: policy source -> bytecode text (the form `polc disasm` prints), for the
// headline policy and a few language tests. POLC_UPDATE_GOLDEN=1 rewrites the goldens.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/compiler.h"

using namespace polc;
namespace fs = std::filesystem;

TEST_CASE("disassembly goldens", "[disasm]") {
  fs::path root = POLC_SOURCE_DIR;
  const std::pair<const char*, const char*> cases[] = {
      {"policies/network/vpce_sg_no_implicit_egress.polc", "headline.disasm"},
      {"tests/lang/quantifiers.polc", "quantifiers.disasm"},
      {"tests/lang/comprehension_let.polc", "comprehension_let.disasm"},
      {"tests/lang/imports_params.polc", "imports_params.disasm"},
  };
  for (const auto& [src, golden] : cases) {
    Diagnostics diags;
    fs::path full = root / src;
    // Compile with a path relative to the root so goldens do not depend on the checkout path.
    fs::path cwd = fs::current_path();
    fs::current_path(root);
    auto set = compile_policy_files({src}, false, diags);
    fs::current_path(cwd);
    INFO(src);
    REQUIRE(set);
    std::string text = disassemble(*set);
    fs::path g = root / "tests" / "data" / "disasm" / golden;
    if (std::getenv("POLC_UPDATE_GOLDEN")) {
      std::ofstream(g, std::ios::binary) << text;
      continue;
    }
    std::ifstream in(g, std::ios::binary);
    REQUIRE(in);
    std::stringstream ss;
    ss << in.rdbuf();
    INFO("--- actual ---\n" << text);
    CHECK(ss.str() == text);
    // Unoptimized code differs but is valid and verified.
    CompileOptions slow;
    slow.optimize = false;
    fs::current_path(root);
    auto unopt = compile_policy_files({src}, false, diags, slow);
    fs::current_path(cwd);
    REQUIRE(unopt);
    CHECK(verify_policy_set(*unopt, 1000).empty());
  }
}

TEST_CASE("the interpreter's operand-size table matches the opcode table", "[disasm]") {
  for (std::size_t i = 0; i < static_cast<std::size_t>(Opcode::kCount_); ++i)
    CHECK(kOperandBytes[i] == opcode_info(static_cast<Opcode>(i)).operand_bytes);
}
