// Writes seed inputs for fuzz_verifier and fuzz_bundle: each policy file given on the command
// line is compiled (with its imports), then its set is written encoded with
// fuzz/policyset_codec.h into VERIFIER_DIR/NAME.bin and as a bundle into BUNDLE_DIR/NAME.polcb.
// Usage: fuzz_verifier_seeds VERIFIER_DIR BUNDLE_DIR POLICY.polc...
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "dsl/compiler.h"
#include "engine/program/bundle.h"
#include "fuzz/policyset_codec.h"

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s VERIFIER_DIR BUNDLE_DIR POLICY.polc...\n", argv[0]);
    return 2;
  }
  std::filesystem::path verifier_dir = argv[1], bundle_dir = argv[2];
  std::filesystem::create_directories(verifier_dir);
  std::filesystem::create_directories(bundle_dir);
  int written = 0;
  for (int i = 3; i < argc; ++i) {
    polc::Diagnostics diags;
    auto set = polc::compile_policy_files({argv[i]}, false, diags);
    if (!set) continue;
    std::string stem = std::filesystem::path(argv[i]).stem().string() + "-" + std::to_string(i);
    auto bytes = polc::fuzz::encode(*set);
    std::ofstream(verifier_dir / (stem + ".bin"), std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    std::string bundle = polc::save_bundle(*set);
    std::ofstream(bundle_dir / (stem + ".polcb"), std::ios::binary)
        .write(bundle.data(), static_cast<std::streamsize>(bundle.size()));
    ++written;
  }
  std::printf("%d seeds\n", written);
  return 0;
}
