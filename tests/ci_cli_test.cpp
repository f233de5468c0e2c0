// End-to-end tests of `polc check` / `polc config` for CI use (config, waivers, baselines): the
// built binary (POLC_BINARY) run on fixtures under tests/data/ci/ and on the shared suppression
// cases 20 and 21. Reports are read back as JSON and summarized one line per finding, so the
// assertions name exactly which resource was reported, suppressed (and by what) or baselined.
#include <simdjson.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "engine/base/limits.h"
#include "tests/cli_run.h"
#include "tests/model_test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = POLC_SOURCE_DIR;
const fs::path kCi = kSource / "tests/data/ci";

using test::Run;
using test::run_polc;
using test::shell_quote;

/// One line per finding of a JSON report: `RESOURCE reported|suppressed(SOURCE: REASON)|baselined`,
/// then one per diagnostic: `CODE SEVERITY FILE:LINE`, then `exit N`.
std::string summarize(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  INFO(json);
  REQUIRE(parser.parse(json).get(doc) == simdjson::SUCCESS);
  std::string out;
  for (simdjson::dom::element f : doc["findings"].get_array()) {
    out += std::string(f["resource"].get_string().value());
    if (f["suppressed"].get_bool().value()) {
      out += " suppressed(" + std::string(f["suppression"]["source"].get_string().value()) + ": " +
             std::string(f["suppression"]["reason"].get_string().value()) + ")";
    } else if (f["baselined"].get_bool().value()) {
      out += " baselined";
    } else {
      out += " reported";
    }
    out += "\n";
  }
  for (simdjson::dom::element e : doc["errors"].get_array()) {
    out += std::string(e["code"].get_string().value()) + " " +
           std::string(e["severity"].get_string().value()) + " " +
           fs::path(std::string(e["file"].get_string().value())).filename().string();
    int64_t line = 0;
    if (e["line"].get_int64().get(line) == simdjson::SUCCESS && line > 0)
      out.append(1, ':').append(std::to_string(line));
    out += "\n";
  }
  out += "exit " + std::to_string(doc["summary"]["exit_code"].get_int64().value()) + "\n";
  return out;
}

/// A scratch directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / ("polc-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("cli: unknown configuration keys stop the run with file:line:col", "[cli]") {
  Run r = run_polc(kSource,
                   "check --config tests/data/ci/e2e/bad.polc.yaml tests/data/ci/e2e/net.yaml");
  CHECK(r.exit_code == 2);
  CHECK(r.out.empty());
  CHECK(r.err.find("tests/data/ci/e2e/bad.polc.yaml:3:1: error: unknown configuration key "
                   "'fail_treshold'") != std::string::npos);
  CHECK(r.err.find("run with --no-config") != std::string::npos);
}

TEST_CASE("cli: waivers, expiry, inline suppressions and flag precedence", "[cli]") {
  const std::string base =
      "check --only vpce-sg-no-implicit-egress --config tests/data/ci/e2e/ci.polc.yaml "
      "tests/data/ci/e2e/net.yaml";
  const std::string today = "POLC_TODAY=2025-01-01";
  SECTION("the configuration: json on stdout, fail only on critical, waivers from its file") {
    Run r = run_polc(kSource, base, today);
    INFO(r.err);
    CHECK(r.exit_code == 0);  // SgB (high) is reported but below fail_threshold: critical
    CHECK(summarize(r.out) ==
          "SgA suppressed(waiver: traffic filtered by the inspection VPC)\n"
          "SgB reported\n"
          "SgC suppressed(metadata: inline suppression)\n"
          "waiver-expired warning waivers.yaml:7\n"
          "exit 0\n");
  }
  SECTION("flags win over the file") {
    Run r = run_polc(kSource, base + " --fail-threshold high", today);
    CHECK(r.exit_code == 1);
    CHECK(summarize(r.out).find("exit 1\n") != std::string::npos);
    Run t = run_polc(kSource, base + " -f text", today);
    CHECK(t.out.find("net.yaml:9:3: high [POLC-NET-001 vpce-sg-no-implicit-egress] Security "
                     "group SgB") != std::string::npos);
  }
  SECTION("before the expiry date the expired waiver still applies") {
    Run r = run_polc(kSource, base + " --fail-threshold high", "POLC_TODAY=2024-01-31");
    CHECK(r.exit_code == 0);
    CHECK(summarize(r.out) ==
          "SgA suppressed(waiver: traffic filtered by the inspection VPC)\n"
          "SgB suppressed(waiver: temporary exception)\n"
          "SgC suppressed(metadata: inline suppression)\n"
          "exit 0\n");
  }
  SECTION("--no-inline-suppressions keeps waivers") {
    Run r = run_polc(kSource, base + " --no-inline-suppressions", today);
    CHECK(summarize(r.out) ==
          "SgA suppressed(waiver: traffic filtered by the inspection VPC)\n"
          "SgB reported\n"
          "SgC reported\n"
          "waiver-expired warning waivers.yaml:7\n"
          "exit 0\n");
  }
  SECTION("a bad POLC_TODAY is a usage error") {
    Run r = run_polc(kSource, base, "POLC_TODAY=tomorrow");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("POLC_TODAY must be a date") != std::string::npos);
  }
}

TEST_CASE("cli: polc config prints the effective configuration", "[cli]") {
  Run r = run_polc(
      kSource,
      "config --config tests/data/ci/e2e/ci.polc.yaml --fail-threshold high --exclude 'legacy/**'");
  CHECK(r.exit_code == 0);
  test::check_golden(kCi / "e2e/config.out", r.out);
  Run none = run_polc(kCi / "e2e", "config --no-config");
  CHECK(none.out.find("(no configuration file)") != std::string::npos);
  Run found = run_polc(kCi / "e2e", "config");  // no .polc.yaml here or above in the repo
  CHECK(found.exit_code == 0);
}

TEST_CASE("cli: baselines survive moved lines and catch new resources", "[cli]") {
  TempDir dir("baseline");
  std::string tmpl = test::read_text(kCi / "e2e/net.yaml");
  write_text(dir.path / "net.yaml", tmpl);
  Run w = run_polc(dir.path,
                   "check --no-config --only vpce-sg-no-implicit-egress -q --write-baseline "
                   "polc-baseline.json net.yaml -f json");
  INFO(w.err);
  CHECK(w.exit_code == 0);
  CHECK(w.err.find("wrote the baseline polc-baseline.json (2 new findings)") != std::string::npos);
  CHECK(summarize(w.out) ==
        "SgA baselined\nSgB baselined\nSgC suppressed(metadata: inline suppression)\nexit 0\n");
  std::string written = test::read_text(dir.path / "polc-baseline.json");
  CHECK(written.find("\"resource\": \"SgA\"") != std::string::npos);
  CHECK(written.find("\"file\": \"net.yaml\"") != std::string::npos);

  // Lines move (a comment block on top) and a new group SgD is attached to the endpoint.
  std::string moved = "# a comment\n# another\n" + tmpl;
  moved.replace(moved.find("  Endpoint:"), 0,
                "  SgD:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
                "      GroupDescription: new\n      VpcId: vpc-1\n");
  moved.replace(moved.find("!Ref SgC]"), 9, "!Ref SgC, !Ref SgD]");
  write_text(dir.path / "net.yaml", moved);
  Run b = run_polc(dir.path,
                   "check --no-config --only vpce-sg-no-implicit-egress --baseline "
                   "polc-baseline.json net.yaml -f json");
  CHECK(b.exit_code == 1);
  CHECK(summarize(b.out) ==
        "SgA baselined\nSgB baselined\nSgC suppressed(metadata: inline suppression)\n"
        "SgD reported\nexit 1\n");

  // SgB gets an egress rule: its baseline entry is reported as fixed (a note), exit 0 without SgD.
  std::string fixed = tmpl;
  fixed.replace(fixed.find("      GroupDescription: waived, but"), 0,
                "      SecurityGroupEgress: [{CidrIp: 10.0.0.0/8, IpProtocol: tcp, FromPort: 443, "
                "ToPort: 443}]\n");
  write_text(dir.path / "net.yaml", fixed);
  Run f = run_polc(dir.path,
                   "check --no-config --only vpce-sg-no-implicit-egress --baseline "
                   "polc-baseline.json net.yaml -f json");
  CHECK(f.exit_code == 0);
  CHECK(summarize(f.out) ==
        "SgA baselined\nSgC suppressed(metadata: inline suppression)\n"
        "baseline-fixed note net.yaml\nexit 0\n");
  Run t = run_polc(
      dir.path,
      "check --no-config --only vpce-sg-no-implicit-egress --baseline polc-baseline.json net.yaml");
  CHECK(t.out.find("net.yaml: note: fixed: baselined finding vpce-sg-no-implicit-egress on SgB") !=
        std::string::npos);

  Run missing = run_polc(dir.path, "check --no-config --baseline nope.json net.yaml");
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("create it with `polc check --write-baseline nope.json`") !=
        std::string::npos);
}

TEST_CASE("cli: foreign suppressions need --honor-foreign-suppressions and an alias", "[cli]") {
  const std::string base =
      "check --no-config --no-builtin --policies tests/data/ci/policies "
      "tests/data/ci/e2e/foreign.yaml -f json";
  Run off = run_polc(kSource, base);
  CHECK(off.exit_code == 1);
  CHECK(summarize(off.out) ==
        "SgNag reported\nSgCheckov reported\nSgGuard reported\nSgLint reported\n"
        "SgOtherIds reported\nSgNone reported\nexit 1\n");
  Run on = run_polc(kSource, base + " --honor-foreign-suppressions");
  CHECK(summarize(on.out) ==
        "SgNag suppressed(cfn_nag: cfn_nag says fine)\n"
        "SgCheckov suppressed(checkov: suppressed for checkov (no reason given))\n"
        "SgGuard suppressed(guard: suppressed for cfn-guard)\n"
        "SgLint suppressed(cfn-lint: ignored for cfn-lint)\n"
        "SgOtherIds reported\nSgNone reported\nexit 1\n");
  // --no-inline-suppressions turns foreign ones off too.
  Run no_inline =
      run_polc(kSource, base + " --honor-foreign-suppressions --no-inline-suppressions");
  CHECK(summarize(no_inline.out) == summarize(off.out));
}

TEST_CASE("cli: shared case 21, metadata suppressions in JSON", "[cli]") {
  fs::path dir = kSource / "../shared/cases/21-metadata-suppression-json";
  if (!fs::exists(dir)) {
    WARN("../shared is absent; skipping case 21");
    return;
  }
  Run r =
      run_polc(dir, "check --no-config --only vpce-sg-no-implicit-egress -f json template.json");
  CHECK(r.exit_code == 1);
  std::string s = summarize(r.out);
  CHECK(s.find("SgSuppressed suppressed(metadata: egress filtered by a network firewall)\n") !=
        std::string::npos);
  CHECK(s.find("SgOtherRuleSuppressed reported\n") != std::string::npos);
  CHECK(s.find("SgMisspelledKey reported\n") != std::string::npos);
  CHECK(s.find("SgOpen reported\n") != std::string::npos);
  CHECK(r.out.find("unknown key 'Metadata.polc.supress'") != std::string::npos);
  Run t = run_polc(dir, "check --no-config --only vpce-sg-no-implicit-egress template.json");
  CHECK(t.out.find("findings: 3 high (1 suppressed)") != std::string::npos);
}

TEST_CASE("cli: shared case 20, suppression on a SAM function", "[cli]") {
  fs::path dir = kSource / "../shared/cases/20-sam-suppression";
  if (!fs::exists(dir)) {
    WARN("../shared is absent; skipping case 20");
    return;
  }
  // The headline policy reports the shared group; the SAM functions carry no polc finding.
  Run r =
      run_polc(dir, "check --no-config --only vpce-sg-no-implicit-egress -f json template.yaml");
  CHECK(r.exit_code == 1);
  CHECK(summarize(r.out).find("FunctionSG reported\n") == 0);
  // A lambda-reserved-concurrency policy with the peers' aliases: the polc suppression on
  // FnSuppressed applies; with foreign suppressions honoured, the result is the same.
  TempDir tmp("case20");
  write_text(tmp.path / "lambda.polc",
             "policy lambda-reserved-concurrency {\n"
             "  id = \"TEST-LAMBDA-1\"\n  title = \"Lambda functions must set "
             "ReservedConcurrentExecutions\"\n  severity = medium\n"
             "  aliases = [\"cfn_nag:W92\", \"checkov:CKV_AWS_115\", "
             "\"guard:LAMBDA_RESERVED_CONCURRENCY\"]\n"
             "  for f in resources(\"AWS::Serverless::Function\") {\n"
             "    require not empty(f.Properties.ReservedConcurrentExecutions)\n"
             "      message \"Function {f.id} does not set ReservedConcurrentExecutions\"\n"
             "  }\n}\n");
  const std::string args = "check --no-config --no-builtin --policies " +
                           shell_quote((tmp.path / "lambda.polc").string()) +
                           " -f json template.yaml";
  const std::string expected =
      "FnSuppressed suppressed(metadata: batch job, concurrency limited by the queue)\n"
      "FnPlain reported\nexit 1\n";
  CHECK(summarize(run_polc(dir, args).out) == expected);
  CHECK(summarize(run_polc(dir, args + " --honor-foreign-suppressions").out) == expected);
  // Without inline suppressions nothing is suppressed (foreign ones are inline too).
  Run none = run_polc(dir, args + " --honor-foreign-suppressions --no-inline-suppressions");
  CHECK(summarize(none.out) == "FnSuppressed reported\nFnPlain reported\nexit 1\n");
}

TEST_CASE("cli: streamed reports: --output files are not scanned, failures still finish them",
          "[cli]") {
  TempDir dir("stream-cli");
  std::string tmpl = test::read_text(kCi / "e2e/net.yaml");
  write_text(dir.path / "net.yaml", tmpl);
  // A report written inside the scanned tree is not a template of this run, even on reruns.
  // The second round names them and the tree differently (`./`, a `..` segment).
  for (int round = 0; round < 2; ++round) {
    Run r = run_polc(dir.path, round == 0 ? "check --no-config --only vpce-sg-no-implicit-egress "
                                            "-q -f text --output json=report.json --output "
                                            "sarif=report.sarif"
                                          : "check --no-config --only vpce-sg-no-implicit-egress "
                                            "-q -f text --output json=./report.json --output "
                                            "sarif=../" +
                                                dir.path.filename().string() + "/report.sarif .");
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("polc: 1 template checked; findings: 2 high") != std::string::npos);
    CHECK(r.out.find("skipped") == std::string::npos);
  }
  CHECK(summarize(test::read_text(dir.path / "report.json")) ==
        "SgA reported\nSgB reported\nSgC suppressed(metadata: inline suppression)\nexit 1\n");

  // A baseline that cannot be written: exit 2, and the reports are still whole documents.
  Run b = run_polc(dir.path,
                   "check --no-config --only vpce-sg-no-implicit-egress -q -f json net.yaml "
                   "--write-baseline missing-dir/b.json");
  CHECK(b.exit_code == 2);
  CHECK(b.err.find("cannot write the baseline") != std::string::npos);
  CHECK(summarize(b.out) ==
        "SgA baselined\nSgB baselined\nSgC suppressed(metadata: inline suppression)\nexit 0\n");

  // A baseline-fixed note is reported with its template, named as the run names it.
  write_text(dir.path / "base.json",
             "{\"version\": 1, \"findings\": [{\"fingerprint\": \"0\", "
             "\"policy_id\": \"POLC-NET-001\", \"file\": \"net.yaml\"}]}");
  Run f = run_polc(dir.path,
                   "check --no-config --only vpce-sg-no-implicit-egress -q -f text --baseline "
                   "base.json ./net.yaml");
  // Named with one spelling: paths are normalized at the edge (issue 15).
  CHECK(f.out.find("net.yaml: note: fixed: baselined finding") != std::string::npos);
  CHECK(f.out.find("./net.yaml") == std::string::npos);
}

}  // namespace polc

namespace polc {

TEST_CASE("cli: a tree whose paths pass kMaxBufferedPathBytes is walked again, same result",
          "[cli]") {
  TempDir dir("many-paths");
  // Long names: the paths pass the buffer well before the last file.
  const std::string pad(120, 'p');
  for (int d = 0; d < 7; ++d) fs::create_directories(dir.path / ("d" + std::to_string(d)));
  std::size_t bytes = 0;
  int n = 0;
  while (bytes <= kMaxBufferedPathBytes + (64u << 10)) {
    const std::string name = "d" + std::to_string(n % 7) + "/" + pad + std::to_string(n) + ".yaml";
    write_text(dir.path / name, n == 0 ? "Resources:\n  B:\n    Type: AWS::S3::Bucket\n" : "");
    bytes += name.size() + sizeof(std::string);
    ++n;
  }
  Run r = run_polc(dir.path, "check --no-config -q -f json .");
  INFO(r.err);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  REQUIRE(parser.parse(r.out).get(doc) == simdjson::SUCCESS);
  CHECK(doc["summary"]["templates_checked"].get_uint64().value() == 1);
  CHECK(doc["summary"]["files_skipped"].get_uint64().value() == static_cast<std::uint64_t>(n - 1));
}

}  // namespace polc

namespace polc {

TEST_CASE("cli: a policy whose findings would all be hidden is not run", "[cli]") {
  TempDir dir("hidden");
  // An info policy that fails at run time (a condition it computes is no boolean: a bug of the
  // policy, not of the template): run, it makes the result incomplete (exit 4).
  write_text(dir.path / "p.polc", R"(
policy info-only {
  id = "T-H-1"
  title = "info only"
  severity = info
  for b in resources("AWS::S3::Bucket") {
    require count(b.Properties.BucketName)
  }
}
)");
  write_text(dir.path / "t.yaml",
             "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: b}\n");
  const std::string base = "check --no-config --no-builtin -q -f json --policies p.polc t.yaml";
  Run hidden = run_polc(dir.path, base);
  CHECK(hidden.exit_code == 0);
  CHECK(summarize(hidden.out) == "exit 0\n");
  Run shown = run_polc(dir.path, base + " --severity info");
  CHECK(shown.exit_code == 4);
  CHECK(summarize(shown.out) == "type error t.yaml:2\nexit 4\n");
  // A severity override that makes it visible runs it again.
  write_text(dir.path / "c.yaml", "severity_overrides:\n  T-H-1: low\n");
  CHECK(run_polc(dir.path, base + " --config c.yaml").exit_code == 4);
}

}  // namespace polc

namespace polc {

TEST_CASE("cli: --only and --skip select policies by the peer rules they alias", "[cli]") {
  const std::string file =
      " --no-config --severity info --format json tests/data/ci/pack/aliases.yaml";
  SECTION("one peer rule") {
    Run r = run_polc(kSource, "check --only cfn_nag:W5" + file);
    CHECK(r.exit_code == 1);
    CHECK(r.out.find("\"policy_id\": \"POLC-NET-011\"") != std::string::npos);
    CHECK(r.out.find("\"aliases\": [\n        \"cfn_nag:W5\"\n      ]") != std::string::npos);
    CHECK(r.out.find("POLC-S3-010") == std::string::npos);
  }
  SECTION("a glob over one tool's rules") {
    Run r = run_polc(kSource, "check --only cfn_nag:*" + file);
    CHECK(r.out.find("POLC-NET-011") != std::string::npos);
    CHECK(r.out.find("POLC-S3-010") != std::string::npos);
    CHECK(r.out.find("POLC-NET-004") == std::string::npos);  // no peer alias
  }
  SECTION("--skip by peer rule") {
    Run r = run_polc(kSource, "check --only cfn_nag:* --skip cfn_nag:F14" + file);
    CHECK(r.out.find("POLC-NET-011") != std::string::npos);
    CHECK(r.out.find("POLC-S3-010") == std::string::npos);
  }
  SECTION("a peer rule no policy implements is a usage error") {
    Run r = run_polc(kSource, "check --only checkov:CKV_AWS_99999" + file);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("names no known policy: 'checkov:CKV_AWS_99999'") != std::string::npos);
  }
}

}  // namespace polc
