// The bodies of the fuzz targets, shared by the libFuzzer entry points (fuzz_*.cpp) and by the
// regression test that replays every saved reproducer (tests/robustness_test.cpp, inputs in
// tests/data/robust/TARGET/). Each function must return normally for every input; a broken
// invariant traps, which both libFuzzer and the test report as a crash.
#pragma once
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "dsl/compiler.h"
#include "dsl/format.h"
#include "dsl/parser.h"
#include "engine/base/digest.h"
#include "engine/load/loader.h"
#include "engine/program/builtins.h"
#include "engine/program/bundle.h"
#include "engine/report/report_merge.h"
#include "engine/scan/cache.h"
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

/// `polc fmt` on policy source: a file that parses is formatted (never refused for an internal
/// reason), its formatted text parses to the same AST (without positions), and formatting that
/// text again changes nothing. A file that does not parse is refused with an error.
inline void run_policy_format(const std::string& text) {
  SourceFile src("fuzz.polc", text);
  Diagnostics diags;
  const auto out = format_policy_source(src, diags);
  if (!out) {
    if (!diags.has_errors()) __builtin_trap();  // a refusal always says why
    for (const Diagnostic& d : diags.items())
      if (d.code == "format-internal") __builtin_trap();  // the formatter failed on valid input
    return;
  }
  SourceFile formatted("fuzz.polc", *out);
  Diagnostics before_diags, after_diags;
  const auto before = parse_policy_source(src, before_diags);
  const auto after = parse_policy_source(formatted, after_diags);
  if (!before || !after || after_diags.has_errors()) __builtin_trap();
  if (ast_dump_without_positions(*before, src) != ast_dump_without_positions(*after, formatted))
    __builtin_trap();
  Diagnostics again;
  const auto twice = format_policy_source(formatted, again);
  if (!twice || *twice != *out) __builtin_trap();  // idempotent
}

/// Policy source: parse, check, compile (optimized and not), verify, run over the fixed template;
/// and the formatter (run_policy_format).
inline void run_policy_source(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  run_policy_format(text);
  for (bool optimize : {true, false}) {
    Diagnostics diags;
    CompileOptions options;
    options.optimize = optimize;
    options.lint = true;  // the strict checks (dsl/lint.h) over whatever the checker accepts
    auto set = compile_policy_text("fuzz.polc", text, diags, options);
    if (!set) {
      if (!diags.has_errors()) __builtin_trap();  // a refusal always says why
      return;
    }
    if (!verify_policy_set(*set, builtin_count()).empty()) __builtin_trap();
    set->freeze();
    run_all(*set, !optimize);  // the unoptimized pass counts coverage
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

/// A bundle body (a bundle without its SHA-256 trailer): the trailer is appended here, so the
/// mutations reach the decoder and the verifier behind the digest check (D10: bundles with
/// valid framing). `load_bundle` must reject the result with a reason or return a verified set,
/// which then runs over the fixed template; a bundle whose digest does not match (the same body
/// with its last byte changed) must always be rejected.
inline void run_bundle(const std::uint8_t* data, std::size_t size) {
  std::string error;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  const Digest256 d = sha256(bytes);
  bytes.append(reinterpret_cast<const char*>(d.data()), d.size());
  if (size >= 8) {
    std::string bad = bytes;
    bad.back() = static_cast<char>(bad.back() ^ 1);
    if (load_bundle(bad, error)) __builtin_trap();  // a wrong digest is never accepted
  }
  auto set = load_bundle(bytes, error);
  if (!set) {
    if (error.empty()) __builtin_trap();  // a refusal always says why
    return;
  }
  if (!verify_policy_set(*set, builtin_count()).empty()) __builtin_trap();
  set->freeze();
  run_all(*set);
}

/// Cache payloads and segments (fuzz_cache.cpp).
inline void run_cache(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  FileOutcome out;
  std::string error;
  if (decode_cache_entry(bytes, "fuzz-key", out, error)) {
    FileOutcome again;
    if (!decode_cache_entry(encode_cache_entry("fuzz-key", out), "fuzz-key", again, error))
      __builtin_trap();  // what was accepted must survive a round trip
  } else if (error.empty()) {
    __builtin_trap();  // a refusal always says why
  }
  // The same bytes as a segment file, after a valid header: read, never served.
  static const std::string dir = [] {
    char tmpl[] = "/tmp/polc-fuzz-cache-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    return std::string(made ? made : "/tmp/polc-fuzz-cache");
  }();
  std::error_code ec;
  std::filesystem::remove_all(dir + "/c", ec);
  auto probe = DiskCache::open(dir + "/c", "ctx", 1u << 30, "fuzz-cache-key-0123456789", error);
  if (!probe) return;
  std::string key;
  probe->lookup("t.yaml", "Resources: {}\n", key, out);
  probe->store(key, FileOutcome{});
  probe->flush();
  const auto segs = probe->segment_paths();
  probe.reset();
  if (segs.empty()) __builtin_trap();
  {
    std::ofstream seg(segs[0], std::ios::binary | std::ios::trunc);
    seg << "polcseg3";
    seg.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto c = DiskCache::open(dir + "/c", "ctx", 1u << 30, "fuzz-cache-key-0123456789", error);
  if (!c) return;
  if (c->lookup("t.yaml", "Resources: {}\n", key, out)) __builtin_trap();  // forged: never a hit
  c->take_warnings();
}

/// Shard reports for `polc merge` (fuzz_merge.cpp), an input CI artifacts carry (D11): the
/// bytes split at NUL bytes into up to 8 reports, merged as JSON and as SARIF. A merge either
/// succeeds or says why; it never crashes.
inline void run_merge(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::vector<MergeInput> inputs;
  std::size_t start = 0;
  while (start <= bytes.size() && inputs.size() < 8) {
    std::size_t end = bytes.find('\0', start);
    if (end == std::string_view::npos) end = bytes.size();
    inputs.push_back({"shard-" + std::to_string(inputs.size()) + ".json",
                      std::string(bytes.substr(start, end - start))});
    start = end + 1;
  }
  for (const MergeInput& in : inputs) (void)detect_report_kind(in.text);
  {
    ScanResult out;
    Diagnostics diags;
    if (!merge_json_reports(inputs, MergeOptions{}, out, diags) && !diags.has_errors())
      __builtin_trap();  // a refusal always says why
  }
  {
    std::string out;
    int exit_code = 0;
    Diagnostics diags;
    if (!merge_sarif_reports(inputs, MergeOptions{}, out, exit_code, diags) && !diags.has_errors())
      __builtin_trap();
  }
}

}  // namespace polc::fuzz
