// Tests of baselines (engine/triage/baseline.h): the written document (golden), reading it back, a
// finding whose line moved stays baselined, a new resource is not, fixed entries are returned.
#include "engine/triage/baseline.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "engine/triage/fingerprint.h"
#include "tests/model_test_util.h"

namespace polc {
namespace {

const std::filesystem::path kData =
    std::filesystem::path(POLC_SOURCE_DIR) / "tests/data/ci/baseline";

Finding make_finding(std::string file, std::string resource, std::uint32_t line) {
  Finding f;
  f.policy_id = "POLC-NET-001";
  f.policy_name = "vpce-sg-no-implicit-egress";
  f.location.file = std::move(file);
  f.location.line = line;
  f.resource = std::move(resource);
  f.property_path = "Properties";
  f.fingerprint = compute_fingerprint(f.policy_id, normalize_report_path(f.location.file),
                                      f.resource, f.property_path);
  return f;
}

}  // namespace

TEST_CASE("a baseline is written sorted and read back", "[baseline]") {
  std::vector<Finding> today = {make_finding("./b.yaml", "SgB", 10),
                                make_finding("a.yaml", "SgA", 4),
                                make_finding("a.yaml", "SgA", 4),  // duplicate fingerprint
                                make_finding("a.yaml", "SgSuppressed", 30)};
  today[3].suppressed = true;
  std::string doc = render_baseline(today);
  test::check_golden(kData / "written.json", doc);

  Baseline b;
  Diagnostics diags;
  REQUIRE(parse_baseline(doc, "polc-baseline.json", b, diags));
  REQUIRE(b.entries.size() == 2);
  CHECK(b.entries[0].file == "a.yaml");
  CHECK(b.entries[1].file == "b.yaml");
  CHECK(b.entries[1].fingerprint == today[0].fingerprint);

  // Tomorrow: SgA moved down 7 lines, SgB was fixed, SgNew appeared.
  std::vector<Finding> tomorrow = {make_finding("a.yaml", "SgA", 11),
                                   make_finding("a.yaml", "SgNew", 40)};
  std::vector<BaselineEntry> fixed = apply_baseline(b, tomorrow);
  CHECK(tomorrow[0].baselined);
  CHECK_FALSE(tomorrow[1].baselined);
  REQUIRE(fixed.size() == 1);
  CHECK(fixed[0].resource == "SgB");
  Diagnostic note = fixed_baseline_note(fixed[0], "polc-baseline.json");
  CHECK(note.severity == DiagSeverity::kNote);
  CHECK(note.code == "baseline-fixed");
  CHECK(note.message ==
        "fixed: baselined finding vpce-sg-no-implicit-egress on SgB (Properties) no longer "
        "occurs; run `polc check --write-baseline polc-baseline.json` to drop it from the "
        "baseline");
}

TEST_CASE("bad baselines are errors that say what to do", "[baseline]") {
  Baseline b;
  for (const char* text : {"", "[]", "{\"version\": 2, \"findings\": []}", "{\"version\": 1}",
                           "{\"version\": 1, \"findings\": [{}]}",
                           "{\"version\": 1, \"findings\": [{\"fingerprint\": 3}]}"}) {
    Diagnostics diags;
    INFO(text);
    CHECK_FALSE(parse_baseline(text, "bl.json", b, diags));
    REQUIRE(diags.size() == 1);
    CHECK(diags.items()[0].message.find("--write-baseline bl.json") != std::string::npos);
  }
  Diagnostics ok;
  CHECK(parse_baseline("{\"version\": 1, \"findings\": [], \"extra\": true}", "x", b, ok));
  CHECK(b.entries.empty());
  Diagnostics missing;
  CHECK_FALSE(load_baseline("no/such/baseline.json", b, missing));
}

}  // namespace polc
