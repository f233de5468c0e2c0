// Robustness: hostile and odd input (huge, binary, special and vanishing files, symlink loops,
// many files, hostile policies), the parallel scanner's determinism, the whole shared corpus as a
// test, and exit codes of `polc check` when a result is incomplete.
//
// Tags: [robust] hostile input; [scanner] the parallel scanner (also run under ThreadSanitizer);
// [corpus] the shared corpus (skipped when ../shared is absent); [exit] CLI exit codes;
// [many] the 100,000-file directory (skipped when POLC_SKIP_SLOW is set, as in the ASan stage).
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "engine/base/limits.h"
#include "engine/load/batch_read.h"
#include "engine/load/loader.h"
#include "engine/program/builtins.h"
#include "engine/report/report.h"
#include "engine/scan/cache.h"
#include "engine/scan/discovery.h"
#include "fuzz/targets.h"
#include "tests/robust_util.h"

using namespace polc;
using polc::test::codes_of;
using polc::test::find_code;
using polc::test::TempDir;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

constexpr const char* kBucketYaml = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";

constexpr const char* kNeverFires = R"(
policy quiet {
  id = "T-Q-1"
  title = "quiet"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require true
  }
}
)";

constexpr const char* kAlwaysFires = R"(
policy witness {
  id = "T-W-1"
  title = "witness"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require false
  }
}
)";

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// CPU seconds of the whole process (every thread): unlike wall time, not stretched by other
// processes on a loaded machine, so a budget in it fails only when polc itself does the work.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A failed load must say where: a line, or the whole file for problems of the file itself.
bool positioned(const FileOutcome& o) {
  for (const auto& d : o.diagnostics) {
    if (d.severity != DiagSeverity::kError) continue;
    if (d.location.line > 0) return true;
    if (d.code == "unreadable" || d.code == "not-a-regular-file" || d.code == "file-size")
      return true;
  }
  return false;
}

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return false;
    i += n;
  }
  return true;
}

std::string json_report(const test::Pack& pack, std::vector<FileOutcome> outcomes) {
  ScanResult r = test::aggregate(pack, std::move(outcomes));
  r.summary.elapsed_seconds = 0;
  return render_report(r, ReportFormat::kJson, {});
}

// Templates of several shapes, some with findings of the pack, some broken, some not templates.
void generate_templates(const TempDir& dir, int n) {
  for (int i = 0; i < n; ++i) {
    std::string name = "t" + std::to_string(i);
    switch (i % 5) {
      case 0:
        dir.write(
            name + ".yaml",
            "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
            "      GroupDescription: g" +
                std::to_string(i) +
                "\n      VpcId: vpc-1\n  Ep:\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n"
                "      VpcId: vpc-1\n      ServiceName: s3\n      SecurityGroupIds: [!Ref Sg]\n");
        break;
      case 1:
        dir.write(name + ".json", "{\"Resources\": {\"B" + std::to_string(i) +
                                      "\": {\"Type\": \"AWS::S3::Bucket\", \"Properties\": {}}}}");
        break;
      case 2:
        dir.write(name + ".yaml", "Resources:\n  X: [unclosed\n");
        break;
      case 3:
        dir.write(name + ".yml", "name: not a template\nitems: [1, 2]\n");
        break;
      default:
        dir.write(
            "sub/" + name + ".yaml",
            "Conditions:\n  C: !Equals [a, !Ref P]\nParameters:\n  P: {Type: String}\nResources:\n"
            "  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n"
            "      SecurityGroupIngress:\n        - !If [C, {IpProtocol: tcp, FromPort: 22, "
            "ToPort: 22, "
            "CidrIp: 0.0.0.0/0}, !Ref AWS::NoValue]\n");
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Hostile files

TEST_CASE("hostile: a 100 MB file is refused by its size without being read", "[robust]") {
  TempDir dir("huge");
  std::string big = (dir.path() / "huge.yaml").string();
  { std::ofstream(big, std::ios::binary) << kBucketYaml; }
  fs::resize_file(big, 100u << 20);  // sparse
  std::string ok = dir.write("ok.yaml", kBucketYaml);
  auto pack = test::make_pack(kAlwaysFires, false);
  auto start = Clock::now();
  auto out = test::scan(pack, {big, ok});
  CHECK(seconds_since(start) < 1.0);
  CHECK(out[0].status == FileOutcome::Status::kFailed);
  REQUIRE(find_code(out[0].diagnostics, "file-size") != nullptr);
  CHECK(find_code(out[0].diagnostics, "file-size")->message.find("104857600") != std::string::npos);
  CHECK(out[1].findings.size() == 1);
}

TEST_CASE("hostile: NUL bytes and invalid UTF-8", "[robust]") {
  TempDir dir("binary");
  std::string nul = dir.write("nul.yaml", std::string(4096, '\0'));
  std::string nul_tmpl =
      dir.write("nul-template.yaml", std::string(kBucketYaml) + std::string(64, '\0') + "\n");
  std::string nul_json = dir.write("nul.json", "{\"Resources\": {\"B\": \0 }}");
  std::string bad_utf8 =
      dir.write("utf8.yaml",
                "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                "      BucketName: \"caf\xC3\x28 \xff\xfe \xED\xA0\x80\"\n  \xC0\xAF\xff: {Type: "
                "AWS::SNS::Topic}\n");
  std::string bad_utf8_json =
      dir.write("utf8.json", "{\"Resources\": {\"B\xff\xfe\": {\"Type\": \"AWS::S3::Bucket\"}}}");
  auto pack = test::make_pack(kAlwaysFires, false);
  auto out = test::scan(pack, {nul, nul_tmpl, nul_json, bad_utf8, bad_utf8_json});
  // A file of NULs mentions no template key: skipped, not an error.
  CHECK(out[0].status == FileOutcome::Status::kSkipped);
  for (std::size_t i = 1; i < out.size(); ++i) {
    INFO("file " << i << ": " << codes_of(out[i].diagnostics));
    CHECK(out[i].status != FileOutcome::Status::kSkipped);
    if (out[i].status == FileOutcome::Status::kFailed) CHECK(positioned(out[i]));
  }
  // Whatever the bytes, the machine report is valid UTF-8.
  std::string json = json_report(pack, std::move(out));
  CHECK(valid_utf8(json));
}

TEST_CASE("hostile: FIFOs / devices / symlink loops and unreadable files among templates",
          "[robust]") {
  TempDir dir("special");
  dir.write("a-ok.yaml", kBucketYaml);
  REQUIRE(::mkfifo((dir.path() / "fifo.yaml").c_str(), 0600) == 0);
  // Symlinks out of the tree are not followed (D7): reported, never opened.
  fs::create_symlink("/dev/zero", dir.path() / "zero.yaml");
  fs::create_symlink("/dev/urandom", dir.path() / "urandom.json");
  fs::create_symlink("fifo.yaml", dir.path() / "to-fifo.yaml");  // inside: followed
  fs::create_directory(dir.path() / "loop");
  fs::create_directory_symlink("..", dir.path() / "loop" / "up");    // directory loop
  fs::create_symlink("self.yaml", dir.path() / "self.yaml");         // a symlink to itself
  fs::create_symlink("missing.yaml", dir.path() / "dangling.yaml");  // a dangling symlink
  std::string locked = dir.write("locked.yaml", kBucketYaml);
  ::chmod(locked.c_str(), 0);
  bool root = ::geteuid() == 0;

  auto start = Clock::now();
  DiscoveredFiles found = discover_files({dir.path().string()}, {});
  auto pack = test::make_pack(kAlwaysFires, false);
  auto out = test::scan(pack, found.templates, 2);
  CHECK(seconds_since(start) < 5.0);
  std::map<std::string, const FileOutcome*> by_name;
  for (std::size_t i = 0; i < found.templates.size(); ++i)
    by_name[fs::path(found.templates[i]).filename().string()] = &out[i];
  // The loop is not followed: each file appears once.
  CHECK(found.templates.size() == 6);
  REQUIRE(by_name.count("a-ok.yaml"));
  CHECK(by_name["a-ok.yaml"]->findings.size() == 1);
  for (const char* outside : {"zero.yaml", "urandom.json"}) {
    INFO(outside);
    CHECK(!by_name.count(outside));
    const auto it =
        std::find_if(found.errors.begin(), found.errors.end(), [&](const Diagnostic& d) {
          return d.code == "symlink-outside" && d.location.file.ends_with(outside);
        });
    REQUIRE(it != found.errors.end());
    CHECK(it->severity == DiagSeverity::kError);
  }
  for (const char* special : {"fifo.yaml", "to-fifo.yaml"}) {
    INFO(special);
    REQUIRE(by_name.count(special));
    CHECK(by_name[special]->status == FileOutcome::Status::kFailed);
    CHECK(find_code(by_name[special]->diagnostics, "not-a-regular-file") != nullptr);
  }
  for (const char* broken : {"self.yaml", "dangling.yaml"}) {
    INFO(broken);
    REQUIRE(by_name.count(broken));
    CHECK(by_name[broken]->status == FileOutcome::Status::kFailed);
    CHECK(find_code(by_name[broken]->diagnostics, "unreadable") != nullptr);
  }
  REQUIRE(by_name.count("locked.yaml"));
  if (root) {
    WARN(
        "running as root: permissions do not block reads; the unreadable path is covered by "
        "the dangling and self-referencing symlinks");
    CHECK(by_name["locked.yaml"]->status == FileOutcome::Status::kChecked);
  } else {
    CHECK(by_name["locked.yaml"]->status == FileOutcome::Status::kFailed);
    REQUIRE(find_code(by_name["locked.yaml"]->diagnostics, "unreadable") != nullptr);
    CHECK(find_code(by_name["locked.yaml"]->diagnostics, "unreadable")
              ->message.find("Permission denied") != std::string::npos);
  }
}

TEST_CASE("hostile: a file deleted between discovery and scan", "[robust]") {
  TempDir dir("vanish");
  std::string a = dir.write("a.yaml", kBucketYaml);
  std::string b = dir.write("b.yaml", kBucketYaml);
  std::string c = dir.write("c.yaml", kBucketYaml);
  DiscoveredFiles found = discover_files({dir.path().string()}, {});
  REQUIRE(found.templates.size() == 3);
  fs::remove(b);
  auto pack = test::make_pack(kAlwaysFires, false);
  auto out = test::scan(pack, found.templates);
  CHECK(out[0].findings.size() == 1);
  CHECK(out[1].status == FileOutcome::Status::kFailed);
  REQUIRE(find_code(out[1].diagnostics, "unreadable") != nullptr);
  CHECK(find_code(out[1].diagnostics, "unreadable")->message.find("No such file") !=
        std::string::npos);
  CHECK(out[2].findings.size() == 1);
}

TEST_CASE("hostile: a directory of 100000 small files", "[robust][many]") {
  if (std::getenv("POLC_SKIP_SLOW")) {
    WARN("POLC_SKIP_SLOW set: skipping the 100,000-file scan");
    return;
  }
  TempDir dir("many");
  const int n = 100'000;
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    std::string name = std::string(1, 'd');
    name.append(std::to_string(i / 1000))
        .append("/t")
        .append(std::to_string(i))
        .append(i % 2 ? ".yaml" : ".json");
    dir.write(name, i % 2 ? std::string(kBucketYaml)
                          : "{\"Resources\": {\"T\": {\"Type\": \"AWS::SNS::Topic\"}}}");
  }
  double generate = seconds_since(start);
  start = Clock::now();
  DiscoveredFiles found = discover_files({dir.path().string()}, {});
  REQUIRE(found.templates.size() == static_cast<std::size_t>(n));
  auto pack = test::make_pack(kAlwaysFires, false);
  auto out = test::scan(pack, found.templates, 2);
  double scan = seconds_since(start);
  std::size_t findings = 0, checked = 0;
  for (const auto& o : out) {
    findings += o.findings.size();
    checked += o.status == FileOutcome::Status::kChecked;
  }
  CHECK(checked == static_cast<std::size_t>(n));
  CHECK(findings == static_cast<std::size_t>(n / 2));
  struct rusage ru {};
  ::getrusage(RUSAGE_SELF, &ru);
  WARN("100,000 files: generated in " << generate << " s, discovered and scanned in " << scan
                                      << " s; peak RSS " << ru.ru_maxrss / 1024 << " MB");
  CHECK(scan < 120.0);
  CHECK(ru.ru_maxrss < 2L * 1024 * 1024);  // KiB: under 2 GB
}

// ---------------------------------------------------------------------------------------------
// Hostile policies

TEST_CASE("hostile: policies that loop or recurse forever are stopped", "[robust]") {
  auto pack = test::make_pack(std::string(kAlwaysFires) + R"(
fn forever(n) = forever(n + 1)
const TEN = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
policy recursion {
  id = "T-H-1"
  title = "recursion"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require forever(0) == 1
  }
}
policy loop {
  id = "T-H-2"
  title = "loop"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    for a in TEN {
      for c in TEN {
        for d in TEN {
          for e in TEN {
            for f in TEN {
              for g in TEN {
                for h in TEN {
                  require a + c + d + e + f + g + h >= 0
                }
              }
            }
          }
        }
      }
    }
  }
}
)",
                              false);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  TempDir dir("forever");
  std::string a = dir.write("a.yaml", kBucketYaml);
  auto start = Clock::now();
  auto out = test::scan(pack, {a});
  CHECK(seconds_since(start) < (kSanitized ? 20.0 : 5.0));
  INFO(codes_of(out[0].diagnostics));
  CHECK(find_code(out[0].diagnostics, "vm-frames") != nullptr);
  CHECK(find_code(out[0].diagnostics, "vm-steps") != nullptr);
  CHECK(out[0].incomplete);
  REQUIRE(out[0].findings.size() == 1);
  CHECK(out[0].findings[0].policy_name == "witness");
}

TEST_CASE("hostile: catastrophic-backtracking regex runs in linear time", "[robust]") {
  auto pack = test::make_pack(R"(
policy backtrack {
  id = "T-H-3"
  title = "backtracking"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require not matches(b.Properties.BucketName, '(a+)+$')
    require not matches(b.Properties.BucketName, '^(a|a)*$')
    require not matches(b.Properties.BucketName, '(x+x+)+y')
  }
}
)",
                              false);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  TempDir dir("regex");
  std::string name = std::string(100'000, 'a') + "!";
  std::string a = dir.write(
      "a.yaml", std::string(kBucketYaml) + "    Properties:\n      BucketName: " + name + "\n");
  auto start = Clock::now();
  auto out = test::scan(pack, {a});
  CHECK(seconds_since(start) < 1.0);
  INFO(codes_of(out[0].diagnostics));
  CHECK(out[0].diagnostics.empty());
  CHECK(out[0].findings.empty());  // no pattern matches: the name ends in '!'
}

// ---------------------------------------------------------------------------------------------
// The parallel scanner (run under ThreadSanitizer by scripts/test.sh)

TEST_CASE("scanner: -j 4 gives the same report as -j 1 on generated templates", "[scanner]") {
  TempDir dir("parallel");
  generate_templates(dir, 200);
  DiscoveredFiles found = discover_files({dir.path().string()}, {});
  REQUIRE(found.templates.size() == 200);
  auto pack = test::make_pack("", true);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  std::string one = json_report(pack, test::scan(pack, found.templates, 1));
  std::atomic<std::size_t> progress_calls{0};
  ScanOptions o;
  o.jobs = 4;
  o.progress = [&](std::size_t, std::size_t) { progress_calls.fetch_add(1); };
  std::string four =
      json_report(pack, scan_files(*pack.set, pack.active, pack.known, found.templates, o));
  CHECK(progress_calls.load() == 200);
  CHECK(one == four);
  CHECK(one.find("\"templates_checked\": 120") != std::string::npos);
  CHECK(one.find("POLC-NET-001") != std::string::npos);
}

TEST_CASE("scanner: scan_stream passes outcomes on in order, at most kMaxPendingOutcomes ahead",
          "[scanner]") {
  TempDir dir("stream");
  // A large first template: the other workers finish many small files meanwhile, and must
  // wait at the kMaxPendingOutcomes bound instead of running ahead without limit.
  std::string big = "Resources:\n";
  for (int i = 0; i < 20000; ++i)
    big += "  B" + std::to_string(i) + ":\n    Type: AWS::S3::Bucket\n";
  std::vector<std::string> files = {dir.write("a-big.yaml", big)};
  for (int i = 0; i < 300; ++i)
    files.push_back(dir.write("t" + std::to_string(1000 + i) + ".yaml", kBucketYaml));
  auto pack = test::make_pack(kAlwaysFires, false);
  REQUIRE(pack.set);
  // `consumed` is written by the consumer, outside the scanner's lock, while the source reads it.
  std::size_t taken = 0, most_ahead = 0;
  std::atomic<std::size_t> consumed{0};
  std::vector<std::string> order;
  std::vector<std::size_t> findings;
  ScanOptions o;
  o.jobs = 4;
  scan_stream(
      *pack.set, pack.active, pack.known,
      [&](std::string& path, bool&) {
        if (taken == files.size()) return false;
        most_ahead = std::max(most_ahead, taken - consumed);
        path = files[taken++];
        return true;
      },
      [&](const std::string& path, FileOutcome& outcome) {
        order.push_back(path);
        findings.push_back(outcome.findings.size());
        ++consumed;
      },
      o);
  CHECK(order == files);
  CHECK(findings.front() == kMaxFindingsPerTemplate);
  CHECK(std::all_of(findings.begin() + 1, findings.end(), [](std::size_t n) { return n == 1; }));
  CHECK(most_ahead < kMaxPendingOutcomes);

  // Batches: at most kBatchReadFiles, within the kMaxPendingOutcomes window for every worker,
  // smaller towards the end of a scan of known size, down to one file.
  CHECK(scan_batch_files(1, 0, SIZE_MAX) == internal::kBatchReadFiles);
  CHECK(scan_batch_files(2, 0, SIZE_MAX) == internal::kBatchReadFiles);
  CHECK(scan_batch_files(4, 0, SIZE_MAX) == kMaxPendingOutcomes / 8);
  CHECK(scan_batch_files(256, 0, SIZE_MAX) == 1);
  CHECK(scan_batch_files(2, 0, 5600) == internal::kBatchReadFiles);
  CHECK(scan_batch_files(2, 0, 20) == 2);       // 20 files: 2 at a time, not 16 and 4
  CHECK(scan_batch_files(2, 5590, 5600) == 1);  // the last ten, one at a time
  CHECK(scan_batch_files(2, 7000, 5600) == 1);  // a wrong count only shares the work

  // kMaxWorkers: an absurd -j starts at most that many threads, never more than there are
  // files, and the scan still completes.
  CHECK(worker_count(1'000'000, SIZE_MAX) == kMaxWorkers);
  CHECK(worker_count(1'000'000, 3) == 3);
  CHECK(worker_count(4, 0) == 1);
  CHECK(worker_count(0, SIZE_MAX) ==
        std::min<unsigned>(std::max(1u, std::thread::hardware_concurrency()), kMaxWorkers));
  o.jobs = 1'000'000;
  const std::vector<std::string> few(files.begin() + 1, files.begin() + 4);
  auto outcomes = scan_files(*pack.set, pack.active, pack.known, few, o);
  CHECK(outcomes.size() == 3);
  std::size_t next = 0, got = 0;
  scan_stream(
      *pack.set, pack.active, pack.known,
      [&](std::string& path, bool&) {
        if (next == few.size()) return false;
        path = few[next++];
        return true;
      },
      [&](const std::string&, FileOutcome&) { ++got; }, o);
  CHECK(got == 3);
}

TEST_CASE("scanner: batched reads, ordinary reads and the cache give the same outcomes",
          "[scanner]") {
  // The batch reader (io_uring) only accelerates: every file it does not read whole goes to the
  // ordinary reader. Small, empty, slot-sized and large files, special files, broken and
  // non-template files all come out the same either way, cold or warm from the cache.
  TempDir dir("batched");
  std::vector<std::string> files;
  for (int i = 0; i < 40; ++i) {
    const std::string n = std::to_string(100 + i);
    files.push_back(i % 3 ? dir.write("t" + n + ".yaml", kBucketYaml)
                          : dir.write("t" + n + ".json",
                                      R"({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})"));
  }
  std::string big = "Resources:\n";
  for (int i = 0; big.size() < 3 * internal::kBatchReadSlotBytes; ++i)
    big += "  B" + std::to_string(i) + ":\n    Type: AWS::S3::Bucket\n";
  std::string slot = std::string(kBucketYaml) + "# ";
  slot += std::string(internal::kBatchReadSlotBytes - slot.size() - 1, 'x') + "\n";
  REQUIRE(slot.size() == internal::kBatchReadSlotBytes);
  files.push_back(dir.write("u-big.yaml", big));
  files.push_back(dir.write("u-slot.yaml", slot));
  files.push_back(dir.write("u-empty.yaml", ""));
  files.push_back(dir.write("u-broken.yaml", "Resources: [\n"));
  files.push_back(dir.write("u-other.yaml", "name: not a template\n"));
  files.push_back((dir.path() / "v-fifo.yaml").string());
  REQUIRE(::mkfifo(files.back().c_str(), 0600) == 0);
  files.push_back((dir.path() / "v-link.yaml").string());  // a symlink inside the tree
  fs::create_symlink("t101.yaml", files.back());
  // A FIFO whose data is waiting (this test holds it open for reading and writing): listed as
  // a FIFO, it is never read, so its data is still there after the scans.
  files.push_back((dir.path() / "v-full-fifo.yaml").string());
  REQUIRE(::mkfifo(files.back().c_str(), 0600) == 0);
  const int fifo = ::open(files.back().c_str(), O_RDWR | O_NONBLOCK);
  REQUIRE(fifo >= 0);
  REQUIRE(::write(fifo, kBucketYaml, std::strlen(kBucketYaml)) ==
          static_cast<ssize_t>(std::strlen(kBucketYaml)));
  // As `polc check` gives them: each path with its directory listing's type.
  std::vector<std::string> listed;
  std::vector<bool> regular;
  FileWalker walker({dir.path().string()}, {});
  std::string path;
  FileKind kind;
  while (walker.next(path, kind)) {
    listed.push_back(path);
    regular.push_back(walker.listed_regular());
  }
  files.push_back((dir.path() / "v-missing.yaml").string());  // deleted after the walk
  listed.push_back(files.back());
  regular.push_back(true);
  std::sort(files.begin(), files.end());
  std::sort(listed.begin(), listed.end());  // the missing file's place
  REQUIRE(listed == files);
  CHECK(std::count(regular.begin(), regular.end(), true) == 46);  // not the FIFOs, the symlink
  auto pack = test::make_pack(kAlwaysFires, false);
  REQUIRE(pack.set);
  std::atomic<std::uint64_t> batched{0};
  auto report = [&](unsigned jobs, bool batch, OutcomeCache* cache) {
    ScanOptions o;
    o.jobs = jobs;
    o.batch_reads = batch;
    o.cache = cache;
    o.batch_read_files = &batched;
    return json_report(pack, scan_files(*pack.set, pack.active, pack.known, files, o, &regular));
  };
  const std::string ordinary = report(1, false, nullptr);
  CHECK(ordinary.find("\"templates_checked\": 43") != std::string::npos);
  CHECK(batched == 0);
  CHECK(report(1, true, nullptr) == ordinary);
  CHECK(report(2, true, nullptr) == ordinary);
  CHECK(report(3, true, nullptr) == ordinary);
  // Where io_uring is allowed, the small files were read in batches (not the empty, the large
  // or the missing one).
  if (internal::BatchReader().active())
    CHECK(batched > 0);
  else
    WARN("io_uring is not available here: the batched path was not taken");
  char waiting[64];
  CHECK(::read(fifo, waiting, sizeof waiting) == static_cast<ssize_t>(std::strlen(kBucketYaml)));
  ::close(fifo);
  std::string error;
  {
    auto cold = DiskCache::open((dir.path() / "cache").string(), "ctx", 1u << 30,
                                "robustness-test-cache-key-0123456789", error);
    REQUIRE(cold);
    CHECK(report(2, true, cold.get()) == ordinary);
    CHECK(cold->hits() == 0);
  }
  for (bool batch : {true, false}) {
    auto warm = DiskCache::open((dir.path() / "cache").string(), "ctx", 1u << 30,
                                "robustness-test-cache-key-0123456789", error);
    REQUIRE(warm);
    CHECK(report(2, batch, warm.get()) == ordinary);
    // Every file that could be read (all but the FIFOs and the missing file).
    CHECK(warm->hits() == files.size() - 3);
    CHECK(warm->misses() == 0);
  }
}

TEST_CASE("scanner: runtime errors in many workers at once", "[scanner]") {
  // Every worker that hits a runtime error locates it in the shared policy source, whose line
  // table is built lazily. Compiling happens to build it first; a set that was never compiled
  // here (a bundle) would not, so PolicySet::freeze now builds the tables up front.
  TempDir dir("parallel-errors");
  for (int i = 0; i < 64; ++i)
    dir.write(std::string(1, 't').append(std::to_string(i)).append(".yaml"),
              "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
              "    Properties: {BucketName: b" +
                  std::to_string(i) + "}\n");
  auto pack = test::make_pack(std::string(kAlwaysFires) + R"(
policy typeerr {
  id = "T-E-1"
  title = "type error"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    require count(b.Properties.BucketName)
  }
}
)",
                              false);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  DiscoveredFiles found = discover_files({dir.path().string()}, {});
  auto one = test::scan(pack, found.templates, 1);
  auto four = test::scan(pack, found.templates, 4);
  for (const auto& o : four) {
    REQUIRE(o.diagnostics.size() == 1);
    CHECK(o.diagnostics[0].code == "type");
    INFO(o.diagnostics[0].message);
    CHECK(o.diagnostics[0].message.find("(at test.polc:") != std::string::npos);
    CHECK(o.incomplete);
  }
  CHECK(json_report(pack, std::move(one)) == json_report(pack, std::move(four)));
}

// ---------------------------------------------------------------------------------------------
// The shared corpus

TEST_CASE("corpus: every file with the whole pack / timed / positioned / deterministic",
          "[corpus]") {
  fs::path corpus = fs::path(POLC_SOURCE_DIR) / ".." / "shared" / "corpus";
  if (!fs::is_directory(corpus)) {
    WARN("../shared/corpus not found; skipping the corpus robustness test");
    return;
  }
  std::vector<std::string> files;
  for (auto it = fs::recursive_directory_iterator(corpus); it != fs::recursive_directory_iterator();
       ++it)
    if (it->is_regular_file() && it->path().filename() != "MANIFEST.tsv")
      files.push_back(it->path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() > 1000);
  auto pack = test::make_pack("", true);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  const double budget = kSanitized ? 10.0 : 1.0;
  std::vector<FileOutcome> timed;
  std::size_t failed = 0, slow = 0, unpositioned = 0;
  double slowest = 0;
  std::string slowest_file;
  for (const auto& f : files) {
    double start = cpu_seconds();
    auto out = test::scan(pack, {f});
    double t = cpu_seconds() - start;
    if (t > slowest) slowest = t, slowest_file = f;
    if (t > budget) {
      ++slow;
      UNSCOPED_INFO("slow: " << f << " took " << t << " CPU s");
    }
    if (out[0].status == FileOutcome::Status::kFailed) {
      ++failed;
      if (!positioned(out[0])) {
        ++unpositioned;
        UNSCOPED_INFO("no positioned diagnostic: " << f << "\n" << codes_of(out[0].diagnostics));
      }
    }
    timed.push_back(std::move(out[0]));
  }
  WARN(files.size() << " corpus files; " << failed << " failed to load; slowest " << slowest
                    << " CPU s (" << slowest_file << ")");
  CHECK(slow == 0);
  CHECK(unpositioned == 0);
  std::string j1 = json_report(pack, test::scan(pack, files, 1));
  std::string j2 = json_report(pack, test::scan(pack, files, 2));
  CHECK(j1 == j2);
  CHECK(json_report(pack, std::move(timed)) == j1);  // one file at a time gives the same report
}

// ---------------------------------------------------------------------------------------------
// Exit codes of `polc check` (docs/exit-codes.md): an incomplete result is never a pass.

namespace {

int run_polc(const TempDir& dir, const std::string& args, std::string* out = nullptr) {
  std::string cmd = "cd '" + dir.path().string() + "' && NO_COLOR=1 '" + std::string(POLC_BINARY) +
                    "' check -j 1 " + args + " >stdout.txt 2>stderr.txt </dev/null";
  int status = std::system(cmd.c_str());
  if (out) {
    std::ifstream in(dir.path() / "stdout.txt", std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    *out = ss.str();
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

constexpr const char* kSpinPolicy = R"(
const TEN = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
policy spin {
  id = "T-X-1"
  title = "steps"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    for a in TEN {
      for c in TEN {
        for d in TEN {
          for e in TEN {
            for f in TEN {
              for g in TEN {
                when a + c + d + e + f + g < 0
                report message "never"
              }
            }
          }
        }
      }
    }
  }
}
)";

}  // namespace

TEST_CASE("exit codes: load failure / incomplete run / findings / broken policy",
          "[exit][robust]") {
  TempDir dir("exit");
  dir.write("quiet.polc", kNeverFires);
  dir.write("fires.polc", kAlwaysFires);
  dir.write("spin.polc", kSpinPolicy);
  dir.write("broken.polc", "policy broken {\n  id = \"T-B\"\n  require (\n}\n");
  dir.write("ok/t.yaml", kBucketYaml);
  dir.write("bad/t.yaml", "Resources:\n  Bucket: [unclosed\n");
  std::string out;
  SECTION("clean: 0") { CHECK(run_polc(dir, "--no-builtin --policies quiet.polc ok") == 0); }
  SECTION("a load failure only: 3") {
    CHECK(run_polc(dir, "--no-builtin --policies quiet.polc ok bad -f json", &out) == 3);
    CHECK(out.find("\"exit_code\": 3") != std::string::npos);
  }
  SECTION("an incomplete policy run only (kMaxVmSteps): 4") {
    CHECK(run_polc(dir, "--no-builtin --policies spin.polc ok -f json", &out) == 4);
    CHECK(out.find("vm-steps") != std::string::npos);
    CHECK(out.find("\"exit_code\": 4") != std::string::npos);
  }
  SECTION("incomplete plus a load failure: 3") {
    CHECK(run_polc(dir, "--no-builtin --policies spin.polc ok bad") == 3);
  }
  SECTION("findings plus a load failure: 1") {
    CHECK(run_polc(dir, "--no-builtin --policies fires.polc ok bad") == 1);
  }
  SECTION("findings plus an incomplete run: 1") {
    CHECK(run_polc(dir, "--no-builtin --policies fires.polc --policies spin.polc ok") == 1);
  }
  SECTION("a broken policy: 2, whatever else") {
    CHECK(run_polc(dir, "--no-builtin --policies broken.polc --policies fires.polc ok bad") == 2);
  }
}

TEST_CASE("cli: a FIFO given as an argument is checked for its type, never read", "[exit]") {
  // Explicit arguments are never read in batches (which read before knowing the type): the
  // data waiting in this FIFO (held open here for reading and writing) is still there after.
  TempDir dir("fifo-arg");
  // Enough files that the scan reads them in batches of several, the FIFO first.
  std::string args = "--no-config --no-builtin --policies quiet.polc -f json a-fifo.yaml";
  for (int i = 10; i < 50; ++i) {
    const std::string name = "t" + std::to_string(i) + ".yaml";
    dir.write(name, kBucketYaml);
    args += " " + name;
  }
  dir.write("quiet.polc", kNeverFires);
  const std::string fifo = (dir.path() / "a-fifo.yaml").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const int fd = ::open(fifo.c_str(), O_RDWR | O_NONBLOCK);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, kBucketYaml, std::strlen(kBucketYaml)) ==
          static_cast<ssize_t>(std::strlen(kBucketYaml)));
  std::string out;
  CHECK(run_polc(dir, args, &out) == 3);  // a file that cannot be loaded
  CHECK(out.find("not-a-regular-file") != std::string::npos);
  CHECK(out.find("\"templates_checked\": 40") != std::string::npos);
  char waiting[64];
  CHECK(::read(fd, waiting, sizeof waiting) == static_cast<ssize_t>(std::strlen(kBucketYaml)));
  ::close(fd);
}

TEST_CASE("regression: indexing with NaN / infinite or huge numbers", "[robust]") {
  // `static_cast<long>` of NaN or of 1e309 was undefined behaviour in Vm::Impl::index, and a
  // NaN index passed the range check of Fn::Select.
  auto pack = test::make_pack(R"(
policy indexes {
  id = "T-H-4"
  title = "indexes"
  severity = low
  for b in resources("AWS::S3::Bucket") {
    let inf = b.Metadata.Big * 10
    let nan = inf - inf
    require [1, 2][nan] == null and [1, 2][inf] == null and [1, 2][0 - inf] == null
    require [1, 2][b.Metadata.Big * 1] == null and [1, 2][-1] == 2
  }
}
)",
                              false);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  TempDir dir("nan");
  std::string a =
      dir.write("a.yaml", std::string(kBucketYaml) +
                              "    Metadata:\n      Big: 1.0e308\n"
                              "    Properties:\n      BucketName: !Select [1.0e308, [a, b]]\n");
  auto out = test::scan(pack, {a});
  INFO(codes_of(out[0].diagnostics));
  CHECK(out[0].status == FileOutcome::Status::kChecked);
  CHECK(out[0].diagnostics.empty());
  CHECK(out[0].findings.empty());
}

TEST_CASE("regression: verified bytecode that sets a negative iterator index", "[robust]") {
  // The verifier cannot know types, so bytecode (from a bundle) may store -1 in an iterator's
  // index slot; ITER_NEXT then read items[-1]. It must end the loop instead.
  auto set = std::make_unique<PolicySet>();
  set->sources.push_back(std::make_unique<SourceFile>("hand.polc", "policy hand {}\n"));
  Chunk c;
  c.name = "hand/rule";
  c.arity = 1;
  c.num_locals = 3;
  auto op = [&](Opcode o, std::initializer_list<std::uint8_t> operands) {
    c.code.push_back(static_cast<std::uint8_t>(o));
    c.code.insert(c.code.end(), operands);
  };
  op(Opcode::kConst, {0, 0});        // [1, 2]
  op(Opcode::kIterInit, {1});        // locals 1 and 2: the list and the index
  op(Opcode::kConst, {1, 0});        // -1
  op(Opcode::kSetLocal, {2});        // index := -1
  op(Opcode::kIterNext, {1, 1, 0});  // done: jump over the POP
  op(Opcode::kPop, {});
  op(Opcode::kEnd, {});
  c.offsets.assign(c.code.size(), 0);
  Constant list;
  list.kind = VKind::kList;
  list.items.resize(2);
  list.items[0].kind = list.items[1].kind = VKind::kInt;
  list.items[0].integer = 1;
  list.items[1].integer = 2;
  Constant minus_one;
  minus_one.kind = VKind::kInt;
  minus_one.integer = -1;
  c.constants = {list, minus_one};
  set->chunks.push_back(std::move(c));
  CompiledPolicy p;
  p.info.id = "T-HAND";
  p.info.name = "hand";
  p.subject_rules.push_back({"AWS::S3::Bucket", 0});
  set->policies.push_back(std::move(p));
  REQUIRE(verify_policy_set(*set, builtin_count()) == "");
  set->freeze();
  LoadResult lr = load_template_bytes("t.yaml", kBucketYaml);
  REQUIRE(lr.status == LoadStatus::kTemplate);
  Vm vm(*set);
  PolicyOutput out;
  vm.evaluate_policy(set->policies[0], *lr.tmpl, out);
  CHECK(out.diagnostics.empty());
  CHECK(out.findings.empty());
}

TEST_CASE("regression: list concatenation over a list with a conditional item", "[robust]") {
  // Found by fuzz_verifier: `+` on a template list whose items need a condition fork got a null
  // list from to_list (the fork request) and dereferenced it: a segfault from plain source.
  auto pack = test::make_pack(R"(
policy concat {
  id = "T-H-5"
  title = "concat"
  severity = low
  for sg in resources("AWS::EC2::SecurityGroup") {
    require count(sg.Properties.SecurityGroupIngress + [1]) == 1
  }
}
)",
                              false);
  INFO(pack.diagnostics);
  REQUIRE(pack.set);
  TempDir dir("fork");
  std::string a = dir.write(
      "a.yaml",
      "Conditions:\n  C: !Equals [!Ref P, a]\nParameters:\n  P: {Type: String}\nResources:\n"
      "  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: x\n"
      "      SecurityGroupIngress:\n        - !If [C, {IpProtocol: tcp}, !Ref AWS::NoValue]\n");
  auto out = test::scan(pack, {a});
  INFO(codes_of(out[0].diagnostics));
  CHECK(out[0].status == FileOutcome::Status::kChecked);
  CHECK(out[0].diagnostics.empty());
  // When C is true the sum has two items: one finding, under that condition.
  REQUIRE(out[0].findings.size() == 1);
  REQUIRE(out[0].findings[0].conditions.size() == 1);
  CHECK(out[0].findings[0].conditions[0][0].name == "C");
  CHECK(out[0].findings[0].conditions[0][0].value == true);
}

TEST_CASE("fuzz reproducers replay without crashing", "[robust][fuzz]") {
  // Every crash input the fuzzers found is kept in tests/data/robust/TARGET/ and replayed here
  // through the same code as the fuzz target (fuzz/targets.h), under every sanitizer stage.
  fs::path root = fs::path(POLC_SOURCE_DIR) / "tests" / "data" / "robust";
  std::size_t replayed = 0;
  for (const char* target : {"yaml", "json", "policy", "verifier", "bundle", "cache", "merge"}) {
    if (!fs::is_directory(root / target)) continue;
    for (const auto& e : fs::directory_iterator(root / target)) {
      std::ifstream in(e.path(), std::ios::binary);
      std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
      INFO(e.path().string());
      std::string t = target;
      if (t == "yaml")
        fuzz::run_loader(data, bytes.size(), FileFormat::kYaml);
      else if (t == "json")
        fuzz::run_loader(data, bytes.size(), FileFormat::kJson);
      else if (t == "policy")
        fuzz::run_policy_source(data, bytes.size());
      else if (t == "verifier")
        fuzz::run_policy_set(data, bytes.size());
      else if (t == "bundle")
        fuzz::run_bundle(data, bytes.size());
      else if (t == "cache")
        fuzz::run_cache(data, bytes.size());
      else
        fuzz::run_merge(data, bytes.size());
      ++replayed;
    }
  }
  CHECK(replayed >= 1);
}
