// Writes seed inputs for fuzz_verifier: each policy file given on the command line is compiled
// (with its imports) and its set encoded with fuzz/policyset_codec.h into OUT_DIR/NAME.bin.
// Usage: fuzz_verifier_seeds OUT_DIR POLICY.polc...
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "dsl/compiler.h"
#include "fuzz/policyset_codec.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR POLICY.polc...\n", argv[0]);
    return 2;
  }
  std::filesystem::path out = argv[1];
  std::filesystem::create_directories(out);
  int written = 0;
  for (int i = 2; i < argc; ++i) {
    polc::Diagnostics diags;
    auto set = polc::compile_policy_files({argv[i]}, false, diags);
    if (!set) continue;
    auto bytes = polc::fuzz::encode(*set);
    std::ofstream f(
        out / (std::filesystem::path(argv[i]).stem().string() + "-" + std::to_string(i) + ".bin"),
        std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
    ++written;
  }
  std::printf("%d seeds\n", written);
  return 0;
}
