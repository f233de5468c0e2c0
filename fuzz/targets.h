// The bodies of the fuzz targets, shared by the libFuzzer entry points (fuzz_*.cpp) and by the
// regression test that replays every saved reproducer (tests/robustness_test.cpp, inputs in
// tests/data/robust/TARGET/). Each function must return normally for every input; a broken
// invariant traps, which both libFuzzer and the test report as a crash.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "dsl/compiler.h"
#include "engine/load/loader.h"
#include "engine/program/builtins.h"
#include "engine/program/bundle.h"
#include "fuzz/fuzz_common.h"
#include "fuzz/policyset_codec.h"

namespace polc::fuzz {

/// The template loader on `data`, forced to `format`.
inline void run_loader(const std::uint8_t* data, std::size_t size, FileFormat format) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  LoadResult r = load_template_bytes(format == FileFormat::kJson ? "fuzz.json" : "fuzz.yaml",
                                     std::move(bytes), format);
  // A template result carries a model; an error carries at least one error diagnostic.
  if (r.status == LoadStatus::kTemplate && !r.tmpl) __builtin_trap();
  if (r.status == LoadStatus::kError && !r.diagnostics.has_errors()) __builtin_trap();
}

/// Policy source: parse, check, compile (optimized and not), verify, run over the fixed template.
inline void run_policy_source(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  for (bool optimize : {true, false}) {
    Diagnostics diags;
    CompileOptions options;
    options.optimize = optimize;
    auto set = compile_policy_text("fuzz.polc", text, diags, options);
    if (!set) {
      if (!diags.has_errors()) __builtin_trap();  // a refusal always says why
      return;
    }
    if (!verify_policy_set(*set, builtin_count()).empty()) __builtin_trap();
    set->freeze();
    run_all(*set);
  }
}

/// A policy set in the fuzzing encoding: verify it, and run it when the verifier accepts it.
inline void run_policy_set(const std::uint8_t* data, std::size_t size) {
  static const std::string source = "policy fuzz {\n  id = \"F-1\"\n}\n";
  auto set = decode(data, size, source);
  if (!verify_policy_set(*set, builtin_count()).empty()) return;
  set->freeze();
  run_all(*set);
}

/// Bundle bytes: `load_bundle` must reject them with a reason or return a verified set, which
/// then runs over the fixed template.
inline void run_bundle(const std::uint8_t* data, std::size_t size) {
  std::string error;
  auto set = load_bundle(std::string_view(reinterpret_cast<const char*>(data), size), error);
  if (!set) {
    if (error.empty()) __builtin_trap();  // a refusal always says why
    return;
  }
  if (!verify_policy_set(*set, builtin_count()).empty()) __builtin_trap();
  set->freeze();
  run_all(*set);
}

}  // namespace polc::fuzz
