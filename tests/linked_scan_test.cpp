// The one-pass linked scan (`scan_linked`, engine/scan/scanner.h): every file read once,
// outcomes held until the link plan is complete (engine/scan/held_outcomes.h), linked
// templates checked again. Files that link to later ones (a nested template before its parent,
// an importer before its exporter), any number of workers, shards and the result cache give
// what a scan with the complete plan gives. Also run under ThreadSanitizer (polc_scanner_tests).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "engine/scan/held_outcomes.h"
#include "engine/scan/scanner.h"
#include "tests/link_templates.h"
#include "tests/robust_util.h"

namespace polc {
namespace {

using test::TempDir;

// Sorted by path as the walk gives them: each linked file comes before what it links to.
// a-groups.yaml: a nested template without any link bytes, before its parent (c-parent.yaml);
// b-app.yaml imports what network.yaml, later, exports.
struct Tree {
  TempDir dir{"linked-scan"};
  std::vector<std::string> files;  // sorted
  Tree() {
    for (int i = 0; i < 40; ++i)  // unlinked files around the linked ones
      files.push_back(dir.write("f" + std::to_string(100 + i) + ".yaml",
                                "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"));
    files.push_back(dir.write("a-groups.yaml", test::kGroupsChild));
    files.push_back(dir.write("b-app.yaml", test::kApp));
    files.push_back(
        dir.write("c-parent.yaml", test::nested_parent("a-groups.yaml", "d-endpoints.yaml")));
    files.push_back(dir.write("d-endpoints.yaml", test::kEndpointsChild));
    files.push_back(dir.write("network.yaml", test::kNetwork));
    std::sort(files.begin(), files.end());
  }
};

/// The headline policy of the standard pack.
const test::Pack& headline() {
  static const test::Pack pack = [] {
    test::Pack p = test::make_pack("", true);
    p.active.clear();
    for (std::uint32_t i = 0; i < p.set->policies.size(); ++i)
      if (p.set->policies[i].info.name == "vpce-sg-no-implicit-egress") p.active.push_back(i);
    return p;
  }();
  return pack;
}

struct Run {
  std::vector<std::string> order;              // paths passed on
  std::map<std::string, std::string> results;  // path -> findings and diagnostics, in words
  std::size_t checked = 0;
};

std::string describe(const FileOutcome& o) {
  std::string s = std::to_string(static_cast<int>(o.status));
  for (const Finding& f : o.findings) {
    s += " " + f.resource + "@" + std::to_string(f.location.line);
    for (const RelatedLocation& r : f.related) s += "<" + r.location.file;
  }
  for (const Diagnostic& d : o.diagnostics) s += " " + d.code;
  return s;
}

/// `scan_linked` over `files`, checking those `mine` selects.
Run run_linked(const std::vector<std::string>& files, unsigned jobs,
               const std::function<bool(std::size_t)>& mine, OutcomeCache* cache = nullptr,
               const OutcomePreparer& prepare = {}) {
  const test::Pack& pack = headline();
  REQUIRE(pack.active.size() == 1);
  Run run;
  std::size_t next = 0;
  ScanOptions o;
  o.jobs = jobs;
  o.cache = cache;
  o.expected_files = files.size();
  scan_linked(
      *pack.set, pack.active, pack.known,
      [&](std::string& path, bool& regular, bool& selected) {
        if (next == files.size()) return false;
        selected = mine(next);
        regular = true;  // written by the test: regular files
        path = files[next++];
        return true;
      },
      [&](const std::string& key) {
        for (const std::string& f : files)
          if (f == key) return f;
        return std::string();
      },
      prepare,
      [&](const std::string& path, FileOutcome& outcome) {
        run.order.push_back(path);
        run.results[path] = describe(outcome);
      },
      o, [&] { ++run.checked; });
  return run;
}

/// A cache that never hits and counts what the scan does with it.
class CountingCache : public OutcomeCache {
 public:
  bool lookup(const std::string& path, std::string_view, std::string& key, FileOutcome&) override {
    std::lock_guard lock(mutex);
    key = path;  // the path, and for a linked template its neighbourhood's digest
    ++lookups;
    return false;
  }
  void store(const std::string& key, const FileOutcome&) override {
    std::lock_guard lock(mutex);
    stored.push_back(key);
  }
  void retract(bool hit) override {
    std::lock_guard lock(mutex);
    CHECK_FALSE(hit);
    ++retracted;
  }
  std::mutex mutex;
  int lookups = 0, retracted = 0;
  std::vector<std::string> stored;
};

}  // namespace

TEST_CASE("scanner: scan_linked links files to later ones, in order, at any -j", "[scanner]") {
  Tree t;
  const auto all = [](std::size_t) { return true; };
  const Run one = run_linked(t.files, 1, all);
  CHECK(one.order == t.files);
  CHECK(one.checked == t.files.size());
  // The nested group is reported with the endpoint its sibling declares; the exported group
  // with the endpoint of the stack that imports it, listed before the exporter.
  const std::string dir = t.dir.path().string() + "/";
  CHECK(one.results.at(dir + "a-groups.yaml") == "0 Sg@2<" + dir + "d-endpoints.yaml");
  CHECK(one.results.at(dir + "network.yaml") == "0 EndpointSg@3<" + dir + "b-app.yaml");
  CHECK(one.results.at(dir + "b-app.yaml") == "0");
  CHECK(one.results.at(dir + "f100.yaml") == "0");
  for (unsigned jobs : {2u, 4u}) {
    const Run many = run_linked(t.files, jobs, all);
    CHECK(many.order == one.order);
    CHECK(many.results == one.results);
  }

  // Shards: each checks its files with the links of all of them.
  std::map<std::string, std::string> merged;
  for (std::size_t k = 0; k < 3; ++k) {
    const Run part = run_linked(t.files, 2, [&](std::size_t i) { return i % 3 == k; });
    std::vector<std::string> mine;
    for (std::size_t i = k; i < t.files.size(); i += 3) mine.push_back(t.files[i]);
    CHECK(part.order == mine);
    CHECK(part.checked == mine.size());
    merged.insert(part.results.begin(), part.results.end());
  }
  CHECK(merged == one.results);

  // The cache: one lookup and one store per file; a linked template's first outcome (keyed as
  // if it linked to nothing) is taken back and not stored; its final one is keyed with its
  // neighbourhood.
  CountingCache cache;
  const Run cached = run_linked(t.files, 2, all, &cache);
  CHECK(cached.results == one.results);
  CHECK(cache.lookups - cache.retracted == static_cast<int>(t.files.size()));
  CHECK(cache.retracted == 5);  // the five linked templates
  std::set<std::string> stored_paths;
  for (const std::string& key : cache.stored) {
    const std::string path = key.substr(0, key.find('\n'));
    CHECK(stored_paths.insert(path).second);
    const bool linked = path.find("/f1") == std::string::npos;
    CHECK((key.find('\n') != std::string::npos) == linked);
  }
  CHECK(stored_paths.size() == t.files.size());
}

TEST_CASE("scanner: scan_linked prepares every outcome once, before it is consumed, at any -j",
          "[scanner]") {
  Tree t;
  const auto all = [](std::size_t) { return true; };
  const Run plain = run_linked(t.files, 1, all);
  for (unsigned jobs : {1u, 2u, 4u}) {
    std::mutex mutex;
    std::map<std::string, int> prepared;  // path -> calls
    // Marks each finding as the consumer sees it: the mark must be there, once.
    const OutcomePreparer prepare = [&](const std::string& path, FileOutcome& o) {
      for (Finding& f : o.findings) f.resource += "+prepared";
      std::lock_guard lock(mutex);
      ++prepared[path];
    };
    const Run run = run_linked(t.files, jobs, all, nullptr, prepare);
    CHECK(run.order == plain.order);
    REQUIRE(prepared.size() == t.files.size());
    for (const auto& [path, calls] : prepared) CHECK(calls == 1);
    for (const auto& [path, result] : plain.results) {
      std::string expected = result;
      for (std::size_t at = expected.find('@'); at != std::string::npos;
           at = expected.find('@', at + 10))
        expected.insert(at, "+prepared");
      CHECK(run.results.at(path) == expected);
    }
  }
}

TEST_CASE("scanner: held outcomes come back in order, from memory and from the temporary file",
          "[scanner]") {
  auto make = [](int i) {
    internal::HeldOutcome h;
    h.path = "dir/template-" + std::to_string(i) + ".yaml";
    h.cache_key = i % 2 ? "" : "key" + std::to_string(i);
    h.cache_hit = i % 4 == 0;
    h.read = i % 5 != 0;
    h.outcome.status = static_cast<FileOutcome::Status>(i % 3);
    h.outcome.incomplete = i % 7 == 0;
    h.outcome.incomplete_runs = static_cast<std::uint32_t>(i % 7 == 0 ? 2 : 0);
    h.outcome.skip_reason = i % 3 == 1 ? "no template sections" : "";
    for (int k = 0; k < i % 4; ++k) {
      Finding f;
      f.policy_id = "POLC-T-00" + std::to_string(k);
      f.resource = "R" + std::to_string(i);
      f.location = Location::whole(h.path);
      f.location.line = static_cast<std::uint32_t>(k + 1);
      f.message = std::string(static_cast<std::size_t>(40 * k), 'm');
      f.conditions = {{{"IsProd", k % 2 == 0}}};
      f.deployments = {"dev", "prod-" + std::to_string(k)};
      f.related.push_back({Location::whole("other.yaml"), "used by"});
      h.outcome.findings.push_back(std::move(f));
    }
    if (i % 6 == 0) {
      Diagnostic d;
      d.code = "import-unresolved";
      d.location = Location::whole(h.path);
      d.message = "no template of this run exports 'x'";
      d.notes.push_back({Location::whole("n.yaml"), "here"});
      h.outcome.diagnostics.push_back(std::move(d));
    }
    return h;
  };
  auto same = [](const internal::HeldOutcome& a, const internal::HeldOutcome& b) {
    REQUIRE(a.outcome.findings.size() == b.outcome.findings.size());
    for (std::size_t k = 0; k < a.outcome.findings.size(); ++k) {
      const Finding& x = a.outcome.findings[k];
      const Finding& y = b.outcome.findings[k];
      CHECK(x.policy_id == y.policy_id);
      CHECK(x.message == y.message);
      CHECK(x.location.line == y.location.line);
      CHECK(x.conditions == y.conditions);
      CHECK(x.deployments == y.deployments);
      CHECK(x.related.size() == y.related.size());
    }
    REQUIRE(a.outcome.diagnostics.size() == b.outcome.diagnostics.size());
    for (std::size_t k = 0; k < a.outcome.diagnostics.size(); ++k) {
      CHECK(a.outcome.diagnostics[k].code == b.outcome.diagnostics[k].code);
      CHECK(a.outcome.diagnostics[k].notes.size() == b.outcome.diagnostics[k].notes.size());
    }
    CHECK(a.path == b.path);
    CHECK(a.cache_key == b.cache_key);
    CHECK(a.cache_hit == b.cache_hit);
    CHECK(a.read == b.read);
    CHECK(a.outcome.status == b.outcome.status);
    CHECK(a.outcome.incomplete == b.outcome.incomplete);
    CHECK(a.outcome.incomplete_runs == b.outcome.incomplete_runs);
    CHECK(a.outcome.skip_reason == b.outcome.skip_reason);
  };
  // Budgets: nothing in memory, some, everything.
  for (std::size_t budget : {std::size_t{0}, std::size_t{20'000}, kHeldOutcomeMemoryBytes}) {
    internal::HeldOutcomes held(budget);
    std::size_t charged = 0;
    for (int i = 0; i < 200; ++i) {
      const internal::HeldOutcome h = make(i);
      charged += internal::HeldOutcomes::charge(h);
      held.push(make(i));
    }
    CHECK(held.size() == 200);
    CHECK(held.spilled() == (charged > budget));
    internal::HeldOutcome out;
    for (int i = 0; i < 200; ++i) {
      REQUIRE(held.pop(out));
      same(out, make(i));
    }
    CHECK_FALSE(held.pop(out));
    CHECK(held.size() == 0);
  }
  // kHeldOutcomeMemoryBytes: outcomes past it go to the temporary file.
  internal::HeldOutcomes held;
  internal::HeldOutcome small = make(3);
  CHECK(internal::HeldOutcomes::charge(small) > small.path.size());
  held.push(std::move(small));
  CHECK_FALSE(held.spilled());
  internal::HeldOutcome large = make(2);
  large.outcome.findings[0].message.assign(kHeldOutcomeMemoryBytes, 'x');
  held.push(std::move(large));
  CHECK(held.spilled());
  internal::HeldOutcome out;
  REQUIRE(held.pop(out));
  CHECK(out.path == make(3).path);
  REQUIRE(held.pop(out));
  CHECK(out.outcome.findings[0].message.size() == kHeldOutcomeMemoryBytes);
  CHECK_FALSE(held.pop(out));
}

}  // namespace polc
