// Tests of "beyond one machine" (issue 7): `--shard K/N` (engine/scan/shard.h), `polc merge`
// (engine/report/report_merge.h) and the result cache `--cache DIR` (engine/scan/cache.h). Unit tests pin
// the shard hash, the cache entry format and the merge rules; end-to-end tests run the built
// binary (POLC_BINARY) on tests/data/scale/tree and require that three shards merged give
// exactly the unsharded report (elapsed time aside) in every format, and that a warm cache
// serves every file without checking any.
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "engine/base/limits.h"
#include "engine/base/source_file.h"
#include "engine/report/merge_util.h"
#include "engine/report/report_merge.h"
#include "engine/scan/cache.h"
#include "engine/scan/shard.h"
#include "engine/triage/fingerprint.h"
#include "tests/cli_run.h"
#include "tests/model_test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = POLC_SOURCE_DIR;
const fs::path kScale = kSource / "tests/data/scale";

using test::Run;
using test::run_polc;
const auto quote = test::shell_quote;

/// A fresh temporary directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("polc-scale-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

/// Runs `polc ARGS` in `cwd` with a fixed date (waiver expiry) and no colours.
Run polc(const fs::path& cwd, const std::string& args) {
  return run_polc(cwd, args, "POLC_TODAY=2025-06-01 NO_COLOR=1");
}

/// Blanks what legitimately differs between runs: elapsed times in every format.
std::string without_elapsed(std::string s) {
  s = std::regex_replace(s, std::regex(R"("elapsed_seconds": [0-9.]+)"), "\"elapsed_seconds\": X");
  s = std::regex_replace(s, std::regex(R"(; [0-9]+\.[0-9]+s)"), "; Xs");
  s = std::regex_replace(s, std::regex(R"(time="[0-9.]+")"), "time=\"X\"");
  return s;
}

// The common arguments of every end-to-end run: the fixture tree, with waivers (one live, one
// expired: a diagnostic every shard repeats) and the built-in pack.
const std::string kTreeArgs =
    "check --no-config -q --waivers tests/data/scale/waivers.yaml tests/data/scale/tree";

// ---- shards

TEST_CASE("shard specs parse K/N and reject everything else with a reason", "[scale]") {
  ShardSpec s;
  std::string error;
  REQUIRE(parse_shard_spec("2/4", s, error));
  CHECK(s.index == 2);
  CHECK(s.count == 4);
  REQUIRE(parse_shard_spec("1/1", s, error));
  CHECK(s.active());
  for (const char* bad : {"", "3", "0/3", "4/3", "1/0", "-1/2", "+1/2", " 1/2", "1/2/3", "a/b",
                          "1/100001", "99999999/99999999"}) {
    INFO(bad);
    CHECK_FALSE(parse_shard_spec(bad, s, error));
    CHECK(error.find("--shard") != std::string::npos);
  }
  CHECK_FALSE(parse_shard_spec("5/3", s, error));
  CHECK(error ==
        "--shard 5/3: the shard number 5 is larger than the shard count 3; shards are "
        "numbered 1 to 3");
}

TEST_CASE("the shard of a path is FNV-1a of its normalized form, stable and a partition",
          "[scale]") {
  // Pinned: changing the hash would move files between CI shards (and caches) silently.
  CHECK(shard_of("stacks/app.yaml", 1) == 1);
  CHECK(shard_of("stacks/app.yaml", 7) == shard_of("./stacks//app.yaml", 7));
  CHECK(shard_of("stacks\\app.yaml", 7) == shard_of("stacks/app.yaml", 7));
  CHECK(fnv1a64(kFnv64Offset, "stacks/app.yaml") % 7 + 1 == shard_of("stacks/app.yaml", 7));

  std::vector<std::string> files;
  for (int i = 0; i < 500; ++i)
    files.push_back("dir" + std::to_string(i % 13) + "/t" + std::to_string(i) + ".yaml");
  for (std::uint32_t n : {1u, 2u, 3u, 8u}) {
    std::multiset<std::string> seen;
    for (std::uint32_t k = 1; k <= n; ++k) {
      auto part = select_shard(files, {k, n});
      if (n <= 8) CHECK(part.size() > 500 / n / 2);  // roughly balanced
      seen.insert(part.begin(), part.end());
    }
    CHECK(seen == std::multiset<std::string>(files.begin(), files.end()));
  }
  // Independent of order: reversing the list selects the same files.
  std::vector<std::string> reversed(files.rbegin(), files.rend());
  auto a = select_shard(files, {2, 3});
  auto b = select_shard(reversed, {2, 3});
  CHECK(std::set<std::string>(a.begin(), a.end()) == std::set<std::string>(b.begin(), b.end()));
}

TEST_CASE("the fixture tree's shard assignment is pinned", "[scale]") {
  std::vector<std::string> paths;
  for (auto& e : fs::recursive_directory_iterator(kScale / "tree"))
    if (e.is_regular_file())
      paths.push_back("tests/data/scale/tree/" +
                      fs::relative(e.path(), kScale / "tree").generic_string());
  std::sort(paths.begin(), paths.end());
  std::string actual;
  for (const auto& p : paths) actual += p + " " + std::to_string(shard_of(p, 3)) + "\n";
  test::check_golden(kScale / "shards-3.txt", actual);
}

// ---- merge rules

TEST_CASE("uniting diagnostics keeps each as often as one shard has it", "[scale]") {
  // Input 0: a (global), x; input 1: a (global), y, y; input 2: a.
  auto kept = internal::unite_by_max_multiplicity({{"a", "x"}, {"a", "y", "y"}, {"a"}});
  std::vector<std::pair<std::size_t, std::size_t>> expected{{0, 0}, {0, 1}, {1, 1}, {1, 2}};
  CHECK(kept == expected);
}

TEST_CASE("expired-waiver match counts are split out and summed", "[scale]") {
  std::string shape;
  std::uint64_t n = 0;
  const std::string msg =
      "waiver for 'X' on '**' expired on 2024-01-31 and no longer suppresses; "
      "1 finding matched it. Fix the findings, or renew 'expires' with a reason";
  REQUIRE(internal::split_match_count(msg, shape, n));
  CHECK(n == 1);
  CHECK(internal::join_match_count(shape, 1) == msg);
  CHECK(internal::join_match_count(shape, 3).find("suppresses; 3 findings matched it. Fix") !=
        std::string::npos);
  CHECK_FALSE(internal::split_match_count("no longer suppresses; many findings", shape, n));
  CHECK(internal::combine_exit_codes(0, 4) == 4);
  CHECK(internal::combine_exit_codes(3, 4) == 3);
  CHECK(internal::combine_exit_codes(3, 1) == 1);
  CHECK(internal::combine_exit_codes(1, 2) == 2);
}

std::string shard_report(std::uint32_t index, std::uint32_t count) {
  return R"({"version": 1, "tool": {"name": "polc", "version": "0.1.0"}, "findings": [], "errors": [],
    "summary": {"templates_checked": 1, "files_skipped": 0, "templates_failed": 0, "incomplete": 0,
    "elapsed_seconds": 0.5, "exit_code": 0}, "shard": {"index": )" +
         std::to_string(index) + R"(, "count": )" + std::to_string(count) + "}}";
}

TEST_CASE("merge refuses incomplete, repeated or mixed shard sets", "[scale]") {
  ScanResult out;
  {
    Diagnostics d;
    CHECK_FALSE(
        merge_json_reports({{"a", shard_report(1, 3)}, {"b", shard_report(3, 3)}}, {}, out, d));
    REQUIRE(d.size() == 1);
    CHECK(d.items()[0].message.find("shard(s) 2 of 3 missing") != std::string::npos);
  }
  {
    Diagnostics d;
    CHECK_FALSE(
        merge_json_reports({{"a", shard_report(1, 2)}, {"b", shard_report(1, 2)}}, {}, out, d));
    CHECK(d.items().at(0).message.find("again") != std::string::npos);
  }
  {
    Diagnostics d;
    CHECK_FALSE(
        merge_json_reports({{"a", shard_report(1, 2)}, {"b", shard_report(2, 3)}}, {}, out, d));
  }
  {
    Diagnostics d;
    CHECK_FALSE(merge_json_reports({{"a", "{\"version\": 1"}}, {}, out, d));
    CHECK(d.items().at(0).message.find("not valid JSON") != std::string::npos);
    CHECK_FALSE(merge_json_reports({{"a", "[1, 2]"}}, {}, out, d));
    CHECK_FALSE(merge_json_reports(
        {{"a", R"({"version": 1, "findings": [{"policy_id": 3}], "errors": []})"}}, {}, out, d));
  }
  Diagnostics d;
  REQUIRE(merge_json_reports({{"a", shard_report(2, 2)}, {"b", shard_report(1, 2)}}, {}, out, d));
  CHECK(out.summary.templates_checked == 2);
  CHECK(out.summary.elapsed_seconds == 0.5);
  CHECK(out.exit_code == 0);
  CHECK(detect_report_kind(shard_report(1, 1)) == ReportKind::kJson);
  CHECK(detect_report_kind("{\"$schema\": \"x\", \"runs\": []}") == ReportKind::kSarif);
  CHECK(detect_report_kind("hello") == ReportKind::kUnknown);
}

// ---- cache units

FileOutcome sample_outcome() {
  FileOutcome o;
  o.status = FileOutcome::Status::kChecked;
  o.incomplete = true;
  Finding f;
  f.policy_id = "POLC-NET-001";
  f.policy_name = "vpce-sg-no-implicit-egress";
  f.severity = Severity::kHigh;
  f.outcome = Outcome::kUnknown;
  f.resource = "Sg";
  f.property_path = "Properties.SecurityGroupEgress";
  f.location = {"a/b.yaml", 42, 3, 5, "  Sg:\t\xc3\xa9"};
  f.message = "line one\nline two";
  f.conditions = {{{"IsProd", true}, {"Legacy", false}}, {{"Other", true}}};
  f.related = {{{"a/b.yaml", 50, 9, 3, "  Ep:"}, "used here"}};
  f.remediation = "fix it";
  f.suppressed = true;
  f.suppression_reason = "because";
  f.suppression_source = "metadata";
  o.findings.push_back(f);
  Diagnostic d;
  d.severity = DiagSeverity::kWarning;
  d.code = "suppression";
  d.message = "m";
  d.location = {"a/b.yaml", 7, 2, 1, "x"};
  d.notes = {{{"a/b.yaml", 8, 1, 1, "y"}, "note"}};
  d.policy_id = "POLC-X";
  o.diagnostics.push_back(d);
  return o;
}

TEST_CASE("cache entries round-trip every field of an outcome", "[scale]") {
  const FileOutcome o = sample_outcome();
  const std::string text = encode_cache_entry("k1", o);
  FileOutcome back;
  std::string error;
  REQUIRE(decode_cache_entry(text, "k1", back, error));
  CHECK(encode_cache_entry("k1", back) == text);
  const Finding& f = back.findings.at(0);
  CHECK(f.location.source_line == "  Sg:\t\xc3\xa9");
  CHECK(f.location.offset == 42);
  CHECK(f.location.line == 3);
  CHECK(f.conditions == o.findings[0].conditions);
  CHECK(f.suppression_source == "metadata");
  CHECK(back.diagnostics.at(0).notes.at(0).message == "note");
  CHECK(back.incomplete);
  CHECK_FALSE(decode_cache_entry(text, "k2", back, error));  // another key
  CHECK_FALSE(decode_cache_entry(text.substr(0, text.size() / 2), "k1", back, error));
  CHECK_FALSE(decode_cache_entry("{}", "k1", back, error));
}

TEST_CASE("damaged cache entries are rejected, never crash", "[scale]") {
  const std::string text = encode_cache_entry("k1", sample_outcome());
  FileOutcome back;
  std::string error;
  for (std::size_t n = 1; n < text.size(); ++n) {  // every truncation
    INFO(n);
    CHECK_FALSE(decode_cache_entry(text.substr(0, n), "k1", back, error));
  }
  CHECK_FALSE(decode_cache_entry(text + "x", "k1", back, error));  // trailing bytes
  CHECK(error.find("after the last") != std::string::npos);
  for (std::size_t i = 0; i < text.size(); ++i) {  // every byte flipped: no crash
    std::string bad = text;
    bad[i] = static_cast<char>(bad[i] ^ 0xff);
    decode_cache_entry(bad, "k1", back, error);
  }
  // An out-of-range status (the byte after the format tag and the key).
  std::string bad = text;
  const std::size_t status_at = 1 + std::string("polc-cache-v2").size() + 1 + 2;
  REQUIRE(bad[status_at] == 0);  // kChecked
  bad[status_at] = 7;
  CHECK_FALSE(decode_cache_entry(bad, "k1", back, error));
  CHECK(error.find("out-of-range") != std::string::npos);
}

TEST_CASE("the common outcome is an empty cache entry", "[scale]") {
  FileOutcome clean;
  clean.status = FileOutcome::Status::kChecked;
  CHECK(encode_cache_entry("k1", clean).empty());
  FileOutcome back = sample_outcome();
  std::string error;
  REQUIRE(decode_cache_entry("", "k1", back, error));
  CHECK(back.status == FileOutcome::Status::kChecked);
  CHECK(back.findings.empty());
  CHECK(back.diagnostics.empty());
  CHECK_FALSE(back.incomplete);
  // Anything else is spelled out.
  FileOutcome skipped;
  skipped.status = FileOutcome::Status::kSkipped;
  CHECK_FALSE(encode_cache_entry("k1", skipped).empty());
  FileOutcome incomplete = clean;
  incomplete.incomplete = true;
  CHECK_FALSE(encode_cache_entry("k1", incomplete).empty());
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

/// A 32-digit key for direct `store` calls.
std::string test_key(int i) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032x", i);
  return buf;
}

TEST_CASE("the disk cache serves stored outcomes, ignores corrupt entries and evicts", "[scale]") {
  TempDir tmp;
  const fs::path tmpl = tmp.path / "t.yaml";
  std::ofstream(tmpl) << "Resources: {}\n";
  const std::string dir = (tmp.path / "c").string();
  std::string error;
  std::string key;
  FileOutcome out;
  {
    auto cache = DiskCache::open(dir, "ctx", 1u << 20, error);
    REQUIRE(cache);
    CHECK_FALSE(cache->lookup(tmpl.string(), read_bytes(tmpl), key, out));
    REQUIRE(key.size() == 32);
    cache->store(key, sample_outcome());
    CHECK(cache->segment_paths().empty());  // buffered until flush
    CHECK(cache->take_warnings().empty());  // flushes
    CHECK(cache->segment_paths().size() == 1);
    CHECK(cache->misses() == 1);
  }
  std::string key2;
  {
    auto cache = DiskCache::open(dir, "ctx", 1u << 20, error);
    REQUIRE(cache->lookup(tmpl.string(), read_bytes(tmpl), key2, out));
    CHECK(key2 == key);
    CHECK(out.findings.at(0).resource == "Sg");
    CHECK(cache->hits() == 1);
    CHECK(cache->misses() == 0);
    CHECK(cache->evict() == 0);
    CHECK(cache->segment_paths().size() == 1);  // nothing new: nothing written
  }

  // Another context (policy set) or other bytes: another key.
  auto other = DiskCache::open(dir, "ctx2", 1u << 20, error);
  CHECK_FALSE(other->lookup(tmpl.string(), read_bytes(tmpl), key2, out));
  CHECK(key2 != key);
  {
    auto cache = DiskCache::open(dir, "ctx", 1u << 20, error);
    std::ofstream(tmpl) << "Resources: {A: {Type: X}}\n";
    CHECK_FALSE(cache->lookup(tmpl.string(), read_bytes(tmpl), key2, out));
    std::ofstream(tmpl) << "Resources: {}\n";
  }

  // A corrupt entry (a byte of its payload changed): a warning, then a miss.
  {
    auto cache = DiskCache::open(dir, "ctx", 1u << 20, error);
    const fs::path seg = cache->segment_paths().at(0);
    cache.reset();
    std::string b = read_bytes(seg);
    b[b.size() - 3] ^= 0x20;
    write_bytes(seg, b);
    cache = DiskCache::open(dir, "ctx", 1u << 20, error);
    CHECK_FALSE(cache->lookup(tmpl.string(), read_bytes(tmpl), key2, out));
    auto warnings = cache->take_warnings();
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].severity == DiagSeverity::kWarning);
    CHECK(warnings[0].message.find("corrupt cache entry for " + tmpl.string()) == 0);
    CHECK(out.findings.empty());
    CHECK(cache->misses() == 1);
  }
  // A corrupt segment (truncated inside an entry): a warning at open, removed, all misses.
  {
    auto cache = DiskCache::open(dir, "ctx", 1u << 20, error);
    const fs::path seg = cache->segment_paths().at(0);
    cache.reset();
    write_bytes(seg, read_bytes(seg).substr(0, 20));
    cache = DiskCache::open(dir, "ctx", 1u << 20, error);
    auto warnings = cache->take_warnings();
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0].message.find("corrupt cache segment") == 0);
    CHECK_FALSE(fs::exists(seg));
    CHECK_FALSE(cache->lookup(tmpl.string(), read_bytes(tmpl), key2, out));
  }

  // Eviction: with room for one segment of two, the older goes.
  {
    auto a = DiskCache::open((tmp.path / "s").string(), "ctx", 0, error);
    a->store(test_key(1), sample_outcome());
    a->flush();
    const fs::path first = a->segment_paths().at(0);
    fs::last_write_time(first, fs::file_time_type::clock::now() - std::chrono::hours(1));
    a->store(test_key(2), sample_outcome());
    a->flush();
    REQUIRE(a->segment_paths().size() == 2);
    const fs::path second = a->segment_paths().at(0) == first.string() ? a->segment_paths().at(1)
                                                                       : a->segment_paths().at(0);
    auto sized = DiskCache::open((tmp.path / "s").string(), "ctx", fs::file_size(second), error);
    CHECK(sized->evict() == 1);
    CHECK_FALSE(fs::exists(first));
    CHECK(fs::exists(second));
  }

  CHECK_FALSE(DiskCache::open((tmpl / "sub").string(), "ctx", 1, error));  // under a file
  CHECK(error.find("--cache") != std::string::npos);
}

TEST_CASE("concurrent caches on one directory share their entries", "[scale]") {
  TempDir tmp;
  const std::string dir = (tmp.path / "c").string();
  std::string error;
  auto a = DiskCache::open(dir, "ctx", 1u << 30, error);
  auto b = DiskCache::open(dir, "ctx", 1u << 30, error);
  std::vector<fs::path> files;
  for (int i = 0; i < 4; ++i) {
    files.push_back(tmp.path / ("t" + std::to_string(i) + ".yaml"));
    std::ofstream(files.back()) << "Resources: {B" << i << ": {Type: AWS::S3::Bucket}}\n";
  }
  // Both miss everything (as two runs started at once), both store; duplicates are harmless.
  for (DiskCache* c : {a.get(), b.get()})
    for (const fs::path& f : files) {
      std::string key;
      FileOutcome out;
      REQUIRE_FALSE(c->lookup(f.string(), read_bytes(f), key, out));
      FileOutcome clean;
      clean.status = FileOutcome::Status::kChecked;
      c->store(key, f == files[0] ? sample_outcome() : clean);
    }
  a->flush();
  b->flush();
  auto c = DiskCache::open(dir, "ctx", 1u << 30, error);
  CHECK(c->segment_paths().size() == 2);
  for (const fs::path& f : files) {
    std::string key;
    FileOutcome out;
    CHECK(c->lookup(f.string(), read_bytes(f), key, out));
    CHECK(out.findings.size() == (f == files[0] ? 1u : 0u));
  }
  CHECK(c->take_warnings().empty());
  CHECK(std::none_of(fs::directory_iterator(fs::path(c->segment_paths().at(0)).parent_path()),
                     fs::directory_iterator(), [](const fs::directory_entry& e) {
                       return e.path().filename().string().rfind("tmp-", 0) == 0;
                     }));
}

TEST_CASE("kMaxCacheSegments", "[scale][limits]") {
  TempDir tmp;
  const std::string dir = (tmp.path / "c").string();
  std::string error;
  const fs::path tmpl = tmp.path / "t.yaml";
  std::ofstream(tmpl) << "Resources: {}\n";
  std::string used_key;
  {
    auto c = DiskCache::open(dir, "ctx", 1u << 30, error);
    FileOutcome out;
    c->lookup(tmpl.string(), read_bytes(tmpl), used_key, out);
    c->store(used_key, sample_outcome());
  }
  // One segment per run, up to the bound: no compaction.
  for (std::size_t i = 1; i < kMaxCacheSegments; ++i) {
    auto c = DiskCache::open(dir, "ctx", 1u << 30, error);
    c->store(test_key(static_cast<int>(i)), sample_outcome());
  }
  auto full = DiskCache::open(dir, "ctx", 1u << 30, error);
  REQUIRE(full->segment_paths().size() == kMaxCacheSegments);
  full.reset();
  // One more: the run compacts into the entries it used or wrote, and the others.
  {
    auto c = DiskCache::open(dir, "ctx", 1u << 30, error);
    std::string key;
    FileOutcome out;
    REQUIRE(c->lookup(tmpl.string(), read_bytes(tmpl), key, out));
    c->store(test_key(1000), sample_outcome());
    CHECK(c->take_warnings().empty());
    CHECK(c->segment_paths().size() == 2);
  }
  // Nothing lost.
  auto c = DiskCache::open(dir, "ctx", 1u << 30, error);
  std::string key;
  FileOutcome out;
  CHECK(c->lookup(tmpl.string(), read_bytes(tmpl), key, out));
  CHECK(out.findings.size() == 1);
  // Unused entries sort before used ones for eviction: the older-dated segment holds them.
  const auto paths = c->segment_paths();
  const auto t0 = fs::last_write_time(paths.at(0)), t1 = fs::last_write_time(paths.at(1));
  const fs::path rest = t0 < t1 ? paths[0] : paths[1];
  const fs::path live = t0 < t1 ? paths[1] : paths[0];
  CHECK(fs::file_size(rest) > fs::file_size(live));  // 15 entries against 2
}

/// An outcome whose JSON entry is about `bytes` long.
FileOutcome outcome_of_size(std::size_t bytes) {
  FileOutcome o = sample_outcome();
  o.findings[0].message = std::string(bytes, 'm');
  return o;
}

TEST_CASE("kCacheSegmentBytes", "[scale][limits]") {
  TempDir tmp;
  std::string error;
  auto c = DiskCache::open((tmp.path / "c").string(), "ctx", 1u << 30, error);
  const std::size_t each = kCacheSegmentBytes / 4;
  for (int i = 0; i < 4; ++i) c->store(test_key(i), outcome_of_size(each));
  // The buffer passed the bound with the fourth entry: written before any flush.
  CHECK(c->segment_paths().size() == 1);
  c->store(test_key(4), outcome_of_size(10));
  c->flush();
  CHECK(c->segment_paths().size() == 2);
  CHECK(c->take_warnings().empty());
}

TEST_CASE("kMaxCacheEntryBytes", "[scale][limits]") {
  TempDir tmp;
  std::string error;
  auto c = DiskCache::open((tmp.path / "c").string(), "ctx", 1u << 30, error);
  c->store(test_key(1), outcome_of_size(kMaxCacheEntryBytes));  // too large: not cached
  c->flush();
  CHECK(c->segment_paths().empty());
  // A record claiming more than the bound makes its segment corrupt.
  std::string seg = "polcseg2" + std::string(16, '\0');
  const std::uint32_t len = kMaxCacheEntryBytes + 1;
  for (int i = 0; i < 4; ++i) seg.push_back(static_cast<char>((len >> (8 * i)) & 0xff));
  seg += std::string(8, '\0');
  c.reset();
  auto probe = DiskCache::open((tmp.path / "c").string(), "ctx", 1u << 30, error);
  probe->store(test_key(2), sample_outcome());
  probe->flush();
  const fs::path dir = fs::path(probe->segment_paths().at(0)).parent_path();
  probe.reset();
  write_bytes(dir / "0-claims-too-much.seg", seg);
  auto again = DiskCache::open((tmp.path / "c").string(), "ctx", 1u << 30, error);
  auto warnings = again->take_warnings();
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].message.find("runs past the end") != std::string::npos);
  CHECK(again->segment_paths().size() == 1);
}

TEST_CASE("kMaxCacheSegmentBytes", "[scale][limits]") {
  TempDir tmp;
  std::string error;
  auto c = DiskCache::open((tmp.path / "c").string(), "ctx", 1u << 30, error);
  c->store(test_key(1), sample_outcome());
  c->flush();
  const fs::path dir = fs::path(c->segment_paths().at(0)).parent_path();
  c.reset();
  const fs::path big = dir / "0-big.seg";
  write_bytes(big, "polcseg2");
  fs::resize_file(big, kMaxCacheSegmentBytes + 1);  // sparse: nothing is written
  auto again = DiskCache::open((tmp.path / "c").string(), "ctx", 1u << 30, error);
  auto warnings = again->take_warnings();
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].message.find("kMaxCacheSegmentBytes") != std::string::npos);
  CHECK_FALSE(fs::exists(big));
  CHECK(kMaxCacheSegmentBytes > kCacheSegmentBytes + kMaxCacheEntryBytes);
}

// ---- end to end

TEST_CASE("three shards merged give exactly the unsharded report, in every format", "[scale]") {
  TempDir tmp;
  const Run whole = polc(kSource, kTreeArgs + " --format json");
  REQUIRE(whole.err.empty());
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(whole.out).get(doc) == simdjson::SUCCESS);
  // The fixture exercises findings, a suppression, a waiver, a load failure, a skipped file.
  CHECK(whole.exit_code == 1);
  CHECK(doc["summary"]["templates_checked"].get_uint64().value() == 8);
  CHECK(doc["summary"]["files_skipped"].get_uint64().value() == 1);
  CHECK(doc["summary"]["templates_failed"].get_uint64().value() == 1);
  CHECK(doc["summary"]["suppressed"].get_uint64().value() == 2);
  CHECK(doc["findings"].get_array().size() > 8);

  std::string jsons, sarifs;
  std::uint64_t checked = 0;
  for (int k = 1; k <= 3; ++k) {
    const std::string json = (tmp.path / ("s" + std::to_string(k) + ".json")).string();
    const std::string sarif = (tmp.path / ("s" + std::to_string(k) + ".sarif")).string();
    const Run r = polc(kSource, kTreeArgs + " --shard " + std::to_string(k) +
                                    "/3 --format json -o sarif=" + sarif);
    INFO(r.err);
    REQUIRE(r.err.empty());
    std::ofstream(json) << r.out;
    simdjson::dom::element sd;
    REQUIRE(parser.parse(r.out).get(sd) == simdjson::SUCCESS);
    CHECK(sd["shard"]["index"].get_uint64().value() == static_cast<std::uint64_t>(k));
    CHECK(sd["shard"]["count"].get_uint64().value() == 3);
    checked += sd["summary"]["templates_checked"].get_uint64().value();
    // Each shard's exit code reflects only its files.
    CHECK(sd["summary"]["exit_code"].get_int64().value() == r.exit_code);
    jsons += " " + quote(json);
    sarifs += " " + quote(sarif);
  }
  CHECK(checked == 8);

  for (const char* format : {"json", "text", "sarif", "junit", "github"}) {
    INFO(format);
    const Run one = polc(kSource, kTreeArgs + " --format " + format);
    const Run merged = polc(kSource, "merge --format " + std::string(format) + jsons);
    INFO(merged.err);
    CHECK(merged.err.empty());
    CHECK(merged.exit_code == one.exit_code);
    CHECK(without_elapsed(merged.out) == without_elapsed(one.out));
  }
  // SARIF shards merge into the unsharded SARIF too.
  const Run one = polc(kSource, kTreeArgs + " --format sarif");
  const Run merged = polc(kSource, "merge" + sarifs);
  INFO(merged.err);
  CHECK(merged.exit_code == one.exit_code);
  CHECK(merged.out == one.out);

  // A fail threshold given to merge recomputes the exit code, as `check --fail-threshold` does.
  for (const char* t : {"critical", "high", "info"}) {
    INFO(t);
    const Run c = polc(kSource, kTreeArgs + " --format json --fail-threshold " + std::string(t));
    CHECK(
        polc(kSource, "merge --format json --fail-threshold " + std::string(t) + jsons).exit_code ==
        c.exit_code);
    CHECK(polc(kSource, "merge --fail-threshold " + std::string(t) + sarifs).exit_code ==
          c.exit_code);
  }
  // Missing a shard is an error, never a silently smaller report.
  const Run partial = polc(kSource, "merge " + quote((tmp.path / "s1.json").string()));
  CHECK(partial.exit_code == 2);
  CHECK(partial.err.find("shard(s) 2, 3 of 3 missing") != std::string::npos);
  CHECK(polc(kSource, "merge --format junit" + sarifs).exit_code == 2);
}

TEST_CASE("bad --shard values and --write-baseline with --shard are usage errors", "[scale]") {
  for (const char* bad : {"0/3", "4/3", "x", "1/0"}) {
    INFO(bad);
    const Run r = polc(kSource, kTreeArgs + " --shard " + std::string(bad));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("polc: --shard") == 0);
    CHECK(r.out.empty());
  }
  const Run r = polc(kSource, kTreeArgs + " --shard 1/2 --write-baseline /dev/null");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--write-baseline cannot be combined with --shard") != std::string::npos);
}

/// "N hits, M misses" from the cache line on stderr.
std::pair<int, int> cache_counts(const std::string& err) {
  std::smatch m;
  REQUIRE(std::regex_search(err, m, std::regex(R"(: ([0-9]+) hits?, ([0-9]+) miss(es)?)")));
  return {std::stoi(m[1]), std::stoi(m[2])};
}

TEST_CASE("a warm cache serves every file and gives the same report", "[scale]") {
  TempDir tmp;
  const fs::path tree = tmp.path / "tree";
  fs::copy(kScale / "tree", tree, fs::copy_options::recursive);
  fs::copy_file(kScale / "waivers.yaml", tmp.path / "waivers.yaml");
  const std::string args =
      "check --no-config --waivers waivers.yaml --format json --cache cache tree";
  const Run plain =
      polc(tmp.path, "check --no-config -q --waivers waivers.yaml --format json tree");
  const Run cold = polc(tmp.path, args);
  const Run warm = polc(tmp.path, args);
  INFO(cold.err);
  INFO(warm.err);
  // 10 files: 8 templates, 1 broken, 1 skipped. Cold: all computed; warm: none (the work of a
  // warm run is reading and hashing only; bench/cache_bench.sh measures the time).
  const auto [cold_hits, cold_misses] = cache_counts(cold.err);
  const auto [warm_hits, warm_misses] = cache_counts(warm.err);
  CHECK(cold_hits == 0);
  CHECK(cold_misses == 10);
  CHECK(warm_hits == 10);
  CHECK(warm_misses == 0);
  CHECK(warm.exit_code == plain.exit_code);
  CHECK(cold.exit_code == plain.exit_code);
  CHECK(without_elapsed(warm.out) == without_elapsed(plain.out));
  CHECK(without_elapsed(cold.out) == without_elapsed(plain.out));

  // Waivers and the severity threshold apply after the cache: same cache, other settings.
  const Run crit =
      polc(tmp.path, "check --no-config --format json --severity critical --cache cache tree");
  const Run crit_plain =
      polc(tmp.path, "check --no-config -q --format json --severity critical tree");
  CHECK(cache_counts(crit.err) == std::make_pair(10, 0));
  CHECK(without_elapsed(crit.out) == without_elapsed(crit_plain.out));

  // Other policies or suppression options: another context, all misses.
  CHECK(cache_counts(polc(tmp.path, args + " --only POLC-NET-001").err).second == 10);
  CHECK(cache_counts(polc(tmp.path, args + " --no-inline-suppressions").err).second == 10);

  // One edited file: one miss.
  std::ofstream(tree / "data/clean.yaml", std::ios::app) << "# edited\n";
  CHECK(cache_counts(polc(tmp.path, args).err) == std::make_pair(9, 1));

  // Corrupt every entry: warnings, recomputed, same report.
  for (auto& e : fs::recursive_directory_iterator(tmp.path / "cache"))
    if (e.is_regular_file()) std::ofstream(e.path()) << "garbage";
  const Run healed = polc(tmp.path, args);
  CHECK(healed.err.find("warning: corrupt cache segment") != std::string::npos);
  CHECK(cache_counts(healed.err).second == 10);
  CHECK(without_elapsed(healed.out).size() > 100);
  CHECK(cache_counts(polc(tmp.path, args).err) == std::make_pair(10, 0));

  // A cache inside the scanned tree is not scanned itself.
  const std::string inside = "check --no-config --format json --cache tree/.polc-cache tree";
  polc(tmp.path, inside);
  const Run again = polc(tmp.path, inside);
  CHECK(cache_counts(again.err) == std::make_pair(10, 0));
  CHECK(again.out.find("\"files_skipped\": 1,") != std::string::npos);

  // Shards and the cache combine.
  CHECK(polc(tmp.path, args + " --shard 1/2").exit_code ==
        polc(tmp.path, args + " -q --shard 1/2").exit_code);
  const Run bad = polc(tmp.path, args + " --cache-max-mb 0");
  CHECK(bad.exit_code == 2);
  const Run unwritable = polc(tmp.path, "check --no-config --cache waivers.yaml/x tree");
  CHECK(unwritable.exit_code == 2);
  CHECK(unwritable.err.find("cannot create or write the cache directory") != std::string::npos);
}

}  // namespace
}  // namespace polc
