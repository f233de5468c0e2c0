#include "engine/program/bundle.h"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/compiler.h"
#include "tests/cli_run.h"

using namespace polc;

TEST_CASE("a bundle round-trips the compiled pack exactly", "[bundle]") {
  Diagnostics diags;
  auto set = compile_policy_files({}, true, diags);
  REQUIRE(set);
  std::string bytes = save_bundle(*set);
  std::string error;
  auto back = load_bundle(bytes, error);
  INFO(error);
  REQUIRE(back);
  CHECK(save_bundle(*back) == bytes);
  CHECK(disassemble(*back) == disassemble(*set));
  REQUIRE(back->policies.size() == set->policies.size());
  CHECK(back->policies[0].info.name == set->policies[0].info.name);
}

TEST_CASE("the pack built into polc is the pack compiled from today's sources", "[bundle][cli]") {
  // `polc check` with the pack alone loads the bundle the build made (cli/pack_bundle.h). The
  // same check with a bundle compiled here from the embedded sources must report the same
  // policies (SARIF lists every rule with its text) and the same findings: a stale or wrong
  // built-in bundle fails this.
  namespace fs = std::filesystem;
  Diagnostics diags;
  auto set = compile_policy_files({}, true, diags);
  REQUIRE(set);
  const fs::path dir =
      fs::temp_directory_path() / ("polc-pack-bundle-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "t");
  {
    std::ofstream(dir / "fresh.polcb", std::ios::binary) << save_bundle(*set);
  }
  fs::copy_file(fs::path(POLC_SOURCE_DIR) / "examples/templates/article-before.yaml",
                dir / "t" / "a.yaml", fs::copy_options::overwrite_existing);
  auto strip = [](std::string s) {  // the run's own duration
    std::string out;
    std::istringstream in(s);
    for (std::string line; std::getline(in, line);)
      if (line.find("elapsed") == std::string::npos) out += line + "\n";
    return out;
  };
  const test::Run built_in = test::run_polc(dir, "check --no-config --format sarif t");
  const test::Run fresh = test::run_polc(dir, "check --no-config --format sarif fresh.polcb t");
  CHECK(built_in.exit_code == fresh.exit_code);
  CHECK(built_in.out.find("vpce-sg-no-implicit-egress") != std::string::npos);
  CHECK(strip(built_in.out) == strip(fresh.out));
  fs::remove_all(dir);
}

TEST_CASE("bundles from another version, truncated or corrupted bundles are rejected", "[bundle]") {
  Diagnostics diags;
  auto set = compile_policy_files({}, true, diags);
  REQUIRE(set);
  std::string bytes = save_bundle(*set);
  std::string error;
  CHECK_FALSE(load_bundle("not a bundle", error));
  CHECK(error.find("not a polc bundle") != std::string::npos);
  std::string other = bytes;
  other[8] = 99;  // format version
  CHECK_FALSE(load_bundle(other, error));
  CHECK(error.find("recompile it with 'polc compile'") != std::string::npos);
  for (std::size_t cut : {bytes.size() - 1, bytes.size() / 2, std::size_t{20}}) {
    CHECK_FALSE(load_bundle(std::string_view(bytes).substr(0, cut), error));
  }
  // Flip bytes across the whole bundle: every result is either rejected or verified; none crashes.
  // Each probe loads the whole bundle, so the stride grows with the pack to keep about
  // kFlipProbes probes (an odd stride, so that flips fall on every byte offset modulo small
  // record sizes).
  constexpr std::size_t kFlipProbes = 3000;
  const std::size_t stride = std::max<std::size_t>(7, bytes.size() / kFlipProbes) | 1;
  std::size_t accepted = 0, probes = 0;
  for (std::size_t i = 12; i < bytes.size(); i += stride, ++probes) {
    std::string mutated = bytes;
    mutated[i] = static_cast<char>(mutated[i] ^ 0x5A);
    if (auto s = load_bundle(mutated, error)) ++accepted;
  }
  CHECK(accepted == 0);
}

TEST_CASE("the bundle built into polc has a true digest; embedded loading skips only that check",
          "[bundle]") {
  // The bytes polc carries (cmake/embed_bundle.cmake) are this file's: its digest is checked
  // here once, so that `polc check` need not compute it at every start (BundleOrigin).
  std::ifstream in(POLC_PACK_BUNDLE, std::ios::binary);
  REQUIRE(in);
  const std::string built((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string error;
  auto from_file = load_bundle(built, error, BundleOrigin::kFile);
  INFO(error);
  REQUIRE(from_file);
  auto embedded = load_bundle(built, error, BundleOrigin::kEmbedded);
  REQUIRE(embedded);
  CHECK(embedded->policies.size() == from_file->policies.size());
  // Every other check still runs: the magic, the version, the bounds of every read, the
  // bytecode verifier.
  CHECK_FALSE(load_bundle("not a bundle", error, BundleOrigin::kEmbedded));
  std::string other = built;
  other[8] = 99;  // format version
  CHECK_FALSE(load_bundle(other, error, BundleOrigin::kEmbedded));
  for (std::size_t cut : {built.size() / 2, std::size_t{20}})
    CHECK_FALSE(load_bundle(std::string_view(built).substr(0, cut), error, BundleOrigin::kEmbedded));
  // And a changed byte is caught by the digest when the bytes come from a file.
  std::string flipped = built;
  flipped[built.size() / 3] ^= 0x01;
  CHECK_FALSE(load_bundle(flipped, error, BundleOrigin::kFile));
}

// D10: a bundle carries the SHA-256 of its contents, so every single-bit flip anywhere (header,
// sources, constants, code, metadata, the digest itself) is a load error. Without the digest,
// 89% of flips were accepted and some turned a violating template into "no findings".
TEST_CASE("every single-bit flip of a bundle is rejected", "[bundle]") {
  Diagnostics diags;
  auto set = compile_policy_files(
      {std::string(POLC_SOURCE_DIR) + "/policies/network/vpce_sg_no_implicit_egress.polc"}, false, diags);
  REQUIRE(set);
  const std::string bytes = save_bundle(*set);
  REQUIRE(bytes.size() > kBundleDigestBytes + 100);
  std::string error;
  REQUIRE(load_bundle(bytes, error));
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string mutated = bytes;
      mutated[i] = static_cast<char>(mutated[i] ^ (1 << bit));
      if (load_bundle(mutated, error)) ++accepted;
      else if (i >= 8 && error.find("SHA-256") == std::string::npos) FAIL("flip at " << i << ": " << error);
    }
  }
  CHECK(accepted == 0);
  // Appending or removing bytes is rejected too.
  CHECK_FALSE(load_bundle(bytes + '\0', error));
  CHECK_FALSE(load_bundle(std::string_view(bytes).substr(1), error));
}

TEST_CASE("the verifier rejects bad jumps, stack underflow and bad operands",
          "[bundle][verifier]") {
  PolicySet set;
  set.sources.push_back(std::make_unique<SourceFile>("x.polc", ""));
  Chunk c;
  c.name = "f";
  c.arity = 0;
  c.num_locals = 1;
  auto emit = [&](std::initializer_list<std::uint8_t> bytes) {
    for (auto b : bytes) {
      c.code.push_back(b);
      c.offsets.push_back(0);
    }
  };
  const auto op = [](Opcode o) { return static_cast<std::uint8_t>(o); };
  SECTION("underflow") {
    emit({op(Opcode::kPop), op(Opcode::kNull), op(Opcode::kReturn)});
    set.chunks.push_back(c);
    CHECK(verify_policy_set(set, 10).find("underflow") != std::string::npos);
  }
  SECTION("jump into an operand") {
    emit({op(Opcode::kJump), 1, 0, op(Opcode::kConst), 0, 0, op(Opcode::kReturn)});
    set.chunks.push_back(c);
    CHECK(verify_policy_set(set, 10).find("boundary") != std::string::npos);
  }
  SECTION("constant out of range") {
    emit({op(Opcode::kConst), 5, 0, op(Opcode::kReturn)});
    set.chunks.push_back(c);
    CHECK(verify_policy_set(set, 10).find("constant index") != std::string::npos);
  }
  SECTION("local out of range") {
    emit({op(Opcode::kGetLocal), 9, op(Opcode::kReturn)});
    set.chunks.push_back(c);
    CHECK(verify_policy_set(set, 10).find("local slot") != std::string::npos);
  }
  SECTION("unknown opcode") {
    emit({250});
    set.chunks.push_back(c);
    CHECK(verify_policy_set(set, 10).find("unknown opcode") != std::string::npos);
  }
  SECTION("inconsistent depth at a join") {
    emit({op(Opcode::kTrue), op(Opcode::kJumpIfFalse), 1, 0, op(Opcode::kNull), op(Opcode::kNull),
          op(Opcode::kReturn)});
    set.chunks.push_back(c);
    CHECK_FALSE(verify_policy_set(set, 10).empty());
  }
  SECTION("a valid chunk passes") {
    emit({op(Opcode::kNull), op(Opcode::kReturn)});
    set.chunks.push_back(c);
    CHECK(verify_policy_set(set, 10).empty());
  }
}
