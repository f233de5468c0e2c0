// Streaming: the file walker's order, the report spool, and report writers fed file by file
// (what `polc check` does so memory stays flat however many templates it scans).
#include <fcntl.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <climits>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/limits.h"
#include "engine/report/report.h"
#include "engine/report/spool.h"
#include "engine/scan/discovery.h"
#include "engine/triage/baseline.h"
#include "engine/triage/waivers.h"
#include "tests/robust_util.h"

using namespace polc;
using polc::test::TempDir;
namespace fs = std::filesystem;

namespace {

/// Every file under `root` with a discoverable name, sorted as strings: what the walker must
/// produce, computed the obvious way (collect everything, then sort).
std::vector<std::string> sorted_listing(const fs::path& root) {
  std::set<std::string> all;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && (name == ".git" || name == "node_modules")) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) {
      const std::string p = it->path().string();
      for (const char* ext : {".yaml", ".yml", ".json", ".template", ".polc", ".polcb"})
        if (p.size() > std::string(ext).size() && p.ends_with(ext)) all.insert(p);
    }
  }
  return {all.begin(), all.end()};
}

std::vector<std::string> walk(const std::vector<std::string>& args) {
  FileWalker walker(args, {});
  std::vector<std::string> out;
  std::string path;
  FileKind kind;
  while (walker.next(path, kind)) out.push_back(path);
  return out;
}

Finding finding_at(const std::string& file, std::uint32_t line, const std::string& resource) {
  Finding f;
  f.policy_id = "T-1";
  f.policy_name = "t";
  f.severity = Severity::kHigh;
  f.resource = resource;
  f.location.file = file;
  f.location.line = line;
  f.location.column = 3;
  f.location.source_line = "  " + resource + ":";
  f.message = "message for " + resource +
              " with some text to make the report larger than a "
              "spool's memory when there are thousands of findings";
  f.remediation = "fix it\nsecond line";
  f.fingerprint = compute_fingerprint(f.policy_id, file, resource, "");
  return f;
}

Diagnostic warning_at(const std::string& file, std::uint32_t line) {
  Diagnostic d;
  d.severity = DiagSeverity::kWarning;
  d.code = "unknown-reference";
  d.message = "Ref to unknown logical ID 'X" + std::to_string(line) + "'";
  d.location.file = file;
  d.location.line = line;
  d.location.column = 5;
  d.location.source_line = "    Ref: X";
  return d;
}

/// A result over `files` files, each with two findings and one warning, sorted as reports are.
ScanResult many_files_result(int files) {
  ScanResult r;
  PolicyInfo p;
  p.id = "T-1";
  p.name = "t";
  p.title = "test policy";
  r.policies.push_back(p);
  for (int i = 0; i < files; ++i) {
    const std::string file = "dir/t" + std::to_string(100000 + i) + ".yaml";
    r.findings.push_back(finding_at(file, 4, "A"));
    r.findings.push_back(finding_at(file, 9, "B"));
    r.findings.back().suppressed = i % 3 == 0;
    r.errors.push_back(warning_at(file, 7));
    ++r.summary.templates_checked;
  }
  r.summary.findings_by_severity[static_cast<int>(Severity::kHigh)] =
      static_cast<std::uint64_t>(files) * 2;
  r.exit_code = 1;
  return r;
}

/// Feeds `r` to a writer one file at a time, as `polc check` does. `prerender`: first, as
/// `polc check`'s workers do, two threads pre-render every other finding (`ReportWriter::
/// prerender`), and the rest are marked as rendered by another writer (which must be ignored).
std::string stream_by_file(const ScanResult& r, ReportFormat format, bool prerender = false) {
  std::string out;
  StringSink sink(out);
  auto writer = make_report_writer(format, {}, sink);
  ReportFrame frame;
  frame.policies = r.policies;
  writer->begin(frame);
  std::vector<Finding> findings = r.findings;
  if (prerender) {
    std::string other_out;
    StringSink other_sink(other_out);
    auto other = make_report_writer(format, {}, other_sink);
    auto work = [&](std::size_t first) {
      for (std::size_t i = first; i < findings.size(); i += 4) writer->prerender(findings[i]);
    };
    std::thread a(work, 0), b(work, 2);
    a.join();
    b.join();
    // JSON and SARIF pre-render (the text of the finding, as `add` splices it in).
    if (format == ReportFormat::kJson || format == ReportFormat::kSarif) {
      CHECK(findings.at(0).rendered_by == writer.get());
      CHECK(findings.at(0).rendered.find(findings.at(0).message) != std::string::npos);
    }
    for (std::size_t i = 1; i < findings.size(); i += 2) {
      findings[i].rendered = "not this writer's";
      findings[i].rendered_by = other.get();
    }
  }
  std::size_t f = 0, e = 0;
  while (f < r.findings.size() || e < r.errors.size()) {
    const std::string& file =
        f < r.findings.size() ? r.findings[f].location.file : r.errors[e].location.file;
    std::vector<Finding> fs;
    std::vector<Diagnostic> ds;
    while (f < r.findings.size() && r.findings[f].location.file == file)
      fs.push_back(findings[f++]);
    while (e < r.errors.size() && r.errors[e].location.file == file) ds.push_back(r.errors[e++]);
    writer->add(fs, ds);
  }
  writer->finish(r.summary, r.exit_code);
  return out;
}

}  // namespace

TEST_CASE("walker: streams files in sorted path order, as discover_files lists them", "[stream]") {
  TempDir dir("walker");
  // Names chosen where directory-by-directory order and whole-path order could differ:
  // "b/" against "b.yaml" and "b-x/", digits, case, dots.
  for (const char* name :
       {"b/inner.yaml", "b.yaml", "b-x/z.yaml", "b0.json", "B.yaml", "a/b/c.yml", "a/b.yaml",
        "a/b-c/d.yaml", "a.b/x.template", ".hidden/y.yaml", "p/rule.polc", "c/.git/no.yaml",
        "c/node_modules/no.yaml", "c/yes.yaml", "deep/1/2/3/4/5/t.json", "notes.txt"})
    dir.write(name, "Resources: {}\n");
  const std::string root = dir.path().string();
  const std::vector<std::string> expected = sorted_listing(dir.path());
  REQUIRE(expected.size() == 13);
  CHECK(walk({root}) == expected);

  DiscoveredFiles found = discover_files({root}, {});
  CHECK(found.templates.size() == 12);
  CHECK(found.policies == std::vector<std::string>{(dir.path() / "p/rule.polc").string()});
  CHECK(std::is_sorted(found.templates.begin(), found.templates.end()));

  // Overlapping arguments, in any order: one sorted stream, each path once.
  CHECK(walk({(dir.path() / "b").string(), root, (dir.path() / "b.yaml").string()}) == expected);
}

TEST_CASE("walker: a missing argument is a diagnostic and the rest is still walked", "[stream]") {
  TempDir dir("walker-missing");
  dir.write("t.yaml", "Resources: {}\n");
  FileWalker walker({(dir.path() / "nope").string(), dir.path().string()}, {});
  std::string path;
  FileKind kind;
  REQUIRE(walker.next(path, kind));
  CHECK(kind == FileKind::kTemplate);
  CHECK_FALSE(walker.next(path, kind));
  auto errors = walker.take_errors();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].code == "no-such-file");
}

/// Open fds of this process (the listing's own fd is counted every time, so differences hold).
std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

TEST_CASE("kMaxWalkDirFds: a tree deeper than the walker's fd budget is walked whole, no fd kept",
          "[stream][limits]") {
  TempDir dir("walker-fds");
  // A chain deeper than the budget, a file at each level named after the subdirectory (so the
  // walk reaches the deepest file first, with every parent on the stack), and side branches.
  const std::size_t depth = kMaxWalkDirFds + 8;
  std::string rel;
  for (std::size_t i = 0; i < depth; ++i) {
    rel += "d" + std::to_string(i) + "/";
    dir.write(rel + "z.yaml", "Resources: {}\n");
    if (i % 5 == 0) dir.write(rel + "side/s.json", "{}\n");
  }
  const std::string root = dir.path().string();
  const std::vector<std::string> expected = sorted_listing(dir.path());
  REQUIRE(expected.size() == depth + (depth + 4) / 5);

  const std::size_t before = open_fds();
  {
    FileWalker walker({root}, {});
    std::string path;
    FileKind kind;
    REQUIRE(walker.next(path, kind));
    CHECK(path.ends_with("d" + std::to_string(depth - 1) + "/z.yaml"));
    // Parents are held open up to the budget, and past it opened by path.
    CHECK(open_fds() == before + kMaxWalkDirFds);
    std::vector<std::string> got{path};
    while (walker.next(path, kind)) got.push_back(path);
    CHECK(got == expected);
    CHECK(walker.take_errors().empty());
    CHECK(open_fds() == before);
  }
  {
    // Several arguments walked side by side share the budget; a walker dropped mid-walk closes
    // what it held.
    FileWalker walker({root + "/d0/d1", root, root + "/d0/"}, {});
    std::string path;
    FileKind kind;
    REQUIRE(walker.next(path, kind));
    CHECK(open_fds() <= before + kMaxWalkDirFds);
  }
  CHECK(open_fds() == before);
  CHECK(walk({root + "/d0/d1", root, root + "/d0/"}) == expected);
}

TEST_CASE("walker: each argument is normalized once, and walked once", "[stream]") {
  TempDir dir("walker-join");
  dir.write("a/t.yaml", "Resources: {}\n");
  const std::string root = dir.path().string();
  CHECK(walk({root + "/"}) == std::vector<std::string>{root + "/a/t.yaml"});
  CHECK(walk({root + "//"}) == std::vector<std::string>{root + "/a/t.yaml"});
  CHECK(walk({root + "/a/."}) == std::vector<std::string>{root + "/a/t.yaml"});
  // The same directory or file under several spellings is listed once (issue 15).
  CHECK(walk({root + "/a", root + "/./a/", root + "//a/t.yaml", root + "/a/../a"}) ==
        std::vector<std::string>{root + "/a/t.yaml"});
  CHECK(normalize_path_argument("./a//b/") == "a/b");
  CHECK(normalize_path_argument("./") == ".");
  CHECK(normalize_path_argument("/") == "/");
  CHECK(normalize_path_argument("../x/./y") == "../x/y");
}

TEST_CASE("walker: a directory whose path passes PATH_MAX is an error, the rest is walked",
          "[stream]") {
  TempDir dir("walker-long");
  dir.write("t.yaml", "Resources: {}\n");
  // Built relative to each parent (the path is too long to use), removed the same way.
  std::vector<int> fds{::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  REQUIRE(fds.back() >= 0);
  std::size_t length = dir.path().string().size();
  std::size_t reachable = 0;  // levels whose path is short enough to open
  const std::string name(200, 'x');
  while (length < PATH_MAX + 300) {
    REQUIRE(::mkdirat(fds.back(), name.c_str(), 0755) == 0);
    fds.push_back(::openat(fds.back(), name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(fds.back() >= 0);
    length += 1 + name.size();
    if (length < PATH_MAX) ++reachable;
    ::close(::openat(fds.back(), "deep.yaml", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
  }
  FileWalker walker({dir.path().string()}, {});
  std::vector<std::string> got;
  std::string p;
  FileKind kind;
  while (walker.next(p, kind)) got.push_back(p);
  auto errors = walker.take_errors();
  for (std::size_t i = fds.size() - 1; i > 0; --i) {
    ::unlinkat(fds[i], "deep.yaml", 0);
    ::close(fds[i]);
    ::unlinkat(fds[i - 1], name.c_str(), AT_REMOVEDIR);
  }
  ::close(fds[0]);

  REQUIRE(got.size() == 1 + reachable);
  CHECK(got.front() == dir.path().string() + "/t.yaml");
  REQUIRE(errors.size() == 1);
  // An error (D5): the templates below were not checked, so the run cannot pass.
  CHECK(errors[0].severity == DiagSeverity::kError);
  CHECK(errors[0].code == "unreadable");
  CHECK(errors[0].location.file.size() >= PATH_MAX);
  CHECK(errors[0].message.ends_with(std::strerror(ENAMETOOLONG)));
}

TEST_CASE("spool: kReportSpoolMemoryBytes in memory, the rest in a temporary file", "[stream]") {
  internal::Spool small;
  small.append("abc");
  CHECK_FALSE(small.spilled());
  std::string out;
  StringSink sink(out);
  small.copy_to(sink);
  CHECK(out == "abc");
  CHECK(small.size() == 0);

  internal::Spool big;
  std::string expected;
  for (int i = 0; expected.size() <= kReportSpoolMemoryBytes; ++i) {
    const std::string piece = "piece " + std::to_string(i) + "\n";
    big.append(piece);
    expected += piece;
  }
  CHECK(big.spilled());
  CHECK(big.size() == expected.size());
  out.clear();
  big.copy_to(sink);
  CHECK(out == expected);
}

TEST_CASE("spool: a full disk keeps the rest in memory, the section stays complete", "[stream]") {
  // A file size limit makes writes to the temporary file fail (EFBIG) partway, as a full disk
  // would; SIGXFSZ is ignored so the write returns an error instead of killing the process.
  rlimit old{};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old;
  small.rlim_cur = kReportSpoolMemoryBytes + kReportSpoolMemoryBytes / 2;
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string expected;
  {
    internal::Spool spool;
    for (int i = 0; expected.size() < 4 * kReportSpoolMemoryBytes; ++i) {
      const std::string piece = "line " + std::to_string(i) + "\n";
      spool.append(piece);
      expected += piece;
    }
    std::string out;
    StringSink sink(out);
    CHECK(spool.copy_to(sink));
    CHECK(sink.ok());
    CHECK(out == expected);
  }
  setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
}

TEST_CASE("report writers: file-by-file output equals the whole report, past the spool limit",
          "[stream]") {
  // 2,000 files: each format's spooled section is several times kReportSpoolMemoryBytes.
  const ScanResult r = many_files_result(2000);
  for (ReportFormat format : {ReportFormat::kText, ReportFormat::kJson, ReportFormat::kSarif,
                              ReportFormat::kJunit, ReportFormat::kGithub}) {
    INFO(report_format_name(format));
    const std::string whole = render_report(r, format, {});
    CHECK(whole.size() > 2 * kReportSpoolMemoryBytes);
    CHECK(stream_by_file(r, format) == whole);
    CHECK(stream_by_file(r, format, true) == whole);
  }
  // And the spliced documents are well formed, with every element.
  simdjson::dom::parser parser;
  const std::string json = render_report(r, ReportFormat::kJson, {});
  simdjson::dom::element doc;
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  CHECK(doc["findings"].get_array().size() == 4000);
  CHECK(doc["errors"].get_array().size() == 2000);
  const std::string sarif = render_report(r, ReportFormat::kSarif, {});
  REQUIRE(parser.parse(sarif).get(doc) == simdjson::SUCCESS);
  CHECK(doc["runs"].at(0)["results"].get_array().size() == 4000);
  CHECK(doc["runs"].at(0)["invocations"].at(0)["toolExecutionNotifications"].get_array().size() ==
        2000);
}

TEST_CASE("baseline matcher: a file's unmatched entries are known when the file is done",
          "[stream]") {
  Baseline b;
  b.path = "base.json";
  for (const char* file : {"a.yaml", "b.yaml"})
    for (const char* res : {"X", "Y"}) {
      BaselineEntry e;
      e.file = file;
      e.resource = res;
      e.policy_id = "T-1";
      e.fingerprint = compute_fingerprint("T-1", file, res, "");
      b.entries.push_back(e);
    }
  BaselineMatcher m(b);
  std::vector<Finding> a = {finding_at("a.yaml", 3, "X")};
  m.apply(a);
  CHECK(a[0].baselined);
  auto fixed = m.unmatched_in("a.yaml");
  REQUIRE(fixed.size() == 1);
  CHECK(fixed[0].resource == "Y");
  CHECK(m.unmatched_in("b.yaml").size() == 2);
  CHECK(m.unmatched().size() == 3);
}

TEST_CASE("waiver applier: expired-waiver counts add up over files", "[stream]") {
  Waiver w;
  w.rule = "T-1";
  w.path = "**";
  w.reason = "legacy";
  w.expires = CivilDate{2024, 1, 31};
  std::vector<Waiver> waivers = {w};
  PolicyInfo p;
  p.id = "T-1";
  std::vector<PolicyInfo> known = {p};
  WaiverApplier applier(waivers, CivilDate{2024, 2, 1}, known);
  for (const char* file : {"a.yaml", "b.yaml", "c.yaml"}) {
    std::vector<Finding> fs = {finding_at(file, 1, "X")};
    applier.apply(fs);
    CHECK_FALSE(fs[0].suppressed);
  }
  std::vector<Diagnostic> diags;
  applier.finish(diags);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].code == "waiver-expired");
  CHECK(diags[0].message.find("3 findings matched it") != std::string::npos);
}
