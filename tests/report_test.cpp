// Reporter tests: golden files for every format from one hand-built ScanResult, external
// validation (SARIF schema, XML and JSON parsers via python3 when present), and unit tests for
// the JSON writer, fingerprints, escaping and exit codes.
#include "engine/report/report.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/base/json_writer.h"
#include "engine/base/utf8.h"
#include "engine/report/report_util.h"
#include "engine/triage/exit_codes.h"
#include "engine/triage/fingerprint.h"

namespace fs = std::filesystem;
using namespace polc;

namespace {

Location loc(std::string file, std::uint32_t line, std::uint32_t column, std::string source) {
  Location l;
  l.file = std::move(file);
  l.line = line;
  l.column = column;
  l.source_line = std::move(source);
  return l;
}

PolicyInfo policy(std::string id, std::string name, Severity sev, std::string title) {
  PolicyInfo p;
  p.id = std::move(id);
  p.name = std::move(name);
  p.severity = sev;
  p.title = std::move(title);
  return p;
}

/// Two templates (app.yaml, données.json) plus one that failed to load; findings cover a
/// conditional one with two related locations, an unconditional one, a suppressed one, an
/// unknown-outcome one and a baselined one; messages carry quotes, <, &, %, newlines and
/// non-ASCII text.
ScanResult sample_result() {
  ScanResult r;
  r.scan_root = ".";
  PolicyInfo net = policy("POLC-NET-001", "vpce-sg-no-implicit-egress", Severity::kHigh,
                          "VPC endpoint security groups must declare egress");
  net.description =
      "A security group without SecurityGroupEgress gets CloudFormation's default allow-all "
      "egress rule.";
  net.remediation = "Add an explicit egress rule, e.g. CidrIp: 127.0.0.1/32, IpProtocol: \"-1\".";
  net.docs_url = "https://example.com/policies/POLC-NET-001";
  net.tags = {"network", "vpc-endpoint"};
  net.aliases = {"cfn_nag:W5"};
  PolicyInfo iam = policy("POLC-IAM-003", "iam-no-wildcard-action", Severity::kCritical,
                          "IAM policies must not allow every action");
  iam.tags = {"iam", "security"};
  PolicyInfo s3 = policy("POLC-S3-002", "s3-bucket-encryption", Severity::kMedium,
                         "S3 buckets must be encrypted");
  PolicyInfo log = policy("POLC-LOG-004", "s3-access-logging", Severity::kInfo, "");
  r.policies = {iam, log, net, s3};

  const std::string app = "stacks/app.yaml";
  const std::string data = "./stacks/données.json";

  Finding a;
  a.policy_id = net.id;
  a.policy_name = net.name;
  a.severity = Severity::kHigh;
  a.resource = "EndpointSG";
  a.property_path = "Properties.SecurityGroupEgress";
  a.location = loc(app, 12, 5, "    Type: AWS::EC2::SecurityGroup");
  a.message =
      "Security group \"EndpointSG\" has no egress rules, so <all> traffic & more is allowed";
  a.conditions = {{{"HttpsOn", false}}, {{"Legacy", true}, {"Prod", false}}};
  a.related = {
      {loc(app, 30, 7, "      SecurityGroupIds: [!Ref EndpointSG]"),
       "attached to this VPC endpoint"},
      {loc(app, 3, 3, "  HttpsOn: !Equals [!Ref Https, \"on\"]"), "condition defined here"}};
  a.remediation = net.remediation + "\nSee the policy documentation for details.";

  Finding b;
  b.policy_id = iam.id;
  b.policy_name = iam.name;
  b.severity = Severity::kCritical;
  b.resource = "AdminRole";
  b.property_path = "Properties.Policies[0].PolicyDocument.Statement[0].Action";
  b.location = loc(app, 40, 13, "\t\t\t\tAction: \"*\"");
  b.message = "Action \"*\" allows 100% of actions\nincluding iam:PassRole";
  b.remediation = "List the actions the role needs.";

  Finding c;
  c.policy_id = s3.id;
  c.policy_name = s3.name;
  c.severity = Severity::kMedium;
  c.resource = "LegacyBucket";
  c.location = loc(app, 55, 3, "  LegacyBucket:");
  c.message = "Bucket has no BucketEncryption";
  c.suppressed = true;
  c.suppression_reason = "legacy bucket, ticket #42 <do not touch>";
  c.suppression_source = "metadata";

  Finding d;
  d.policy_id = log.id;
  d.policy_name = log.name;
  d.severity = Severity::kInfo;
  d.outcome = Outcome::kUnknown;
  d.resource = "Entrepôt";
  d.property_path = "Properties.LoggingConfiguration";
  d.location = loc(data, 8, 22, "    \"Entrepôt «A»\": {\"Fn::ImportValue\": \"Shared\"},");
  d.message = "Logging target comes from Fn::ImportValue «Shared»; cannot be decided offline";

  Finding e;
  e.policy_id = s3.id;
  e.policy_name = s3.name;
  e.severity = Severity::kMedium;
  e.resource = "Entrepôt";
  e.location = loc(data, 20, 5, "    \"Type\": \"AWS::S3::Bucket\",");
  e.message = "Bucket has no BucketEncryption";
  e.baselined = true;

  for (Finding* f : {&a, &b, &c, &d, &e}) {
    f->fingerprint = compute_fingerprint(
        f->policy_id, internal::report_relative_path(f->location.file, r.scan_root), f->resource,
        f->property_path);
  }
  r.findings = {d, e, a, b, c};  // sorted by file: "./stacks/..." < "stacks/..."

  Diagnostic load;
  load.severity = DiagSeverity::kError;
  load.code = "yaml-syntax";
  load.message = "mapping values are not allowed in this context";
  load.location = loc("stacks/broken.yaml", 7, 14, "  BucketName: a: b");
  load.notes = {{loc("stacks/broken.yaml", 6, 3, "  Properties:"), "inside this mapping"}};
  Diagnostic warn;
  warn.severity = DiagSeverity::kWarning;
  warn.code = "duplicate-key";
  warn.message = "duplicate key \"Resources\"; the last one wins";
  warn.location = loc(app, 2, 1, "Resources:");
  r.errors = {warn, load};  // sorted by file and position
  r.exit_code = 1;

  ScanSummary& s = r.summary;
  s.templates_checked = 2;
  s.files_skipped = 3;
  s.templates_failed = 1;
  s.findings_by_severity[0] = 1;  // critical
  s.findings_by_severity[1] = 1;  // high
  s.findings_by_severity[4] = 1;  // info (the unknown one)
  s.suppressed = 1;
  s.baselined = 1;
  s.unknown = 1;
  s.elapsed_seconds = 0.3141;
  return r;
}

ReportOptions sample_options() {
  ReportOptions o;
  o.tool_version = "0.1.0";
  o.pack_version = "2024.06";
  o.information_uri = "https://example.com/polc";
  return o;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

void check_golden(const std::string& name, const std::string& actual) {
  const fs::path path = fs::path(POLC_SOURCE_DIR) / "tests/data/report" / name;
  const char* update = std::getenv("POLC_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    write_file(path, actual);
    WARN("updated " << name);
    return;
  }
  REQUIRE(fs::exists(path));
  const std::string expected = read_file(path);
  if (expected != actual) {
    FAIL("golden " << name << " differs; actual output:\n" << actual);
  }
}

/// A fresh temporary file path for this process.
fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() /
         ("polc_report_test_" + std::to_string(::getpid()) + "_" + name);
}

bool have_python(const char* module) {
  const std::string cmd = std::string("python3 -c 'import ") + module + "' >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

/// Writes `text` to a temp file and runs `python3 -c script file [extra]`; returns the exit status.
int run_python(const std::string& script, const std::string& text, const std::string& extra = "") {
  const fs::path file = temp_path("doc");
  write_file(file, text);
  std::string cmd = "python3 -c '" + script + "' '" + file.string() + "'";
  if (!extra.empty()) cmd += " '" + extra + "'";
  const int rc = std::system(cmd.c_str());
  fs::remove(file);
  return rc;
}

}  // namespace

TEST_CASE("report: golden output for every format", "[report]") {
  const ScanResult r = sample_result();
  const ReportOptions o = sample_options();
  check_golden("sample.txt", render_report(r, ReportFormat::kText, o));
  check_golden("sample.json", render_report(r, ReportFormat::kJson, o));
  check_golden("sample.sarif", render_report(r, ReportFormat::kSarif, o));
  check_golden("sample.junit.xml", render_report(r, ReportFormat::kJunit, o));
  check_golden("sample.github.txt", render_report(r, ReportFormat::kGithub, o));

  ReportOptions all = o;
  all.show_suppressed = true;
  all.verbose = true;
  check_golden("sample_all.txt", render_report(r, ReportFormat::kText, all));
  check_golden("sample_all.github.txt", render_report(r, ReportFormat::kGithub, all));
  ReportOptions color = o;
  color.color = true;
  check_golden("sample_color.txt", render_report(r, ReportFormat::kText, color));
}

TEST_CASE("report: empty scan", "[report]") {
  ScanResult r;
  r.scan_root = ".";
  r.summary.templates_checked = 1;
  r.summary.elapsed_seconds = 0.02;
  const ReportOptions o;
  CHECK(render_report(r, ReportFormat::kText, o) ==
        "polc: 1 template checked; findings: none; 0.02s\n");
  CHECK(render_report(r, ReportFormat::kJunit, o) ==
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<testsuites name=\"polc\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
        "</testsuites>\n");
  check_golden("empty.json", render_report(r, ReportFormat::kJson, o));
  check_golden("empty.sarif", render_report(r, ReportFormat::kSarif, o));
}

TEST_CASE("report: output is deterministic", "[report]") {
  const ScanResult r = sample_result();
  const ReportOptions o = sample_options();
  for (ReportFormat f : {ReportFormat::kText, ReportFormat::kJson, ReportFormat::kSarif,
                         ReportFormat::kJunit, ReportFormat::kGithub}) {
    CHECK(render_report(r, f, o) == render_report(r, f, o));
  }
}

/// A result whose messages, names and paths hold every byte value, invalid UTF-8 included.
ScanResult hostile_result() {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  ScanResult r = sample_result();
  for (Finding& f : r.findings) {
    f.message += all_bytes;
    f.resource += "\xC0\xAF\xED\xA0\x80";  // overlong '/', encoded surrogate
    f.suppression_reason += all_bytes;
    for (auto& rel : f.related) rel.message += all_bytes;
  }
  r.findings[0].location.file = "dir with space/%41 \xff.yaml";
  r.errors[0].message += all_bytes;
  return r;
}

TEST_CASE("report: SARIF validates against the 2.1.0 schema", "[report]") {
  const fs::path schema = fs::path(POLC_SOURCE_DIR "/../shared/schemas/sarif-schema-2.1.0.json");
  if (!fs::exists(schema)) {
    WARN("SARIF schema not found at ../shared/schemas; skipping");
    return;
  }
  if (!have_python("jsonschema")) {
    WARN("python3 with jsonschema not available; skipping");
    return;
  }
  const std::string script =
      "import json, sys, jsonschema\n"
      "doc = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
      "jsonschema.validate(doc, json.load(open(sys.argv[2])))\n"
      "res = doc[\"runs\"][0][\"results\"]\n"
      "rules = doc[\"runs\"][0][\"tool\"][\"driver\"][\"rules\"]\n"
      "for r in res:\n"
      "    assert rules[r[\"ruleIndex\"]][\"id\"] == r[\"ruleId\"]\n"
      "    assert r[\"locations\"][0][\"physicalLocation\"][\"region\"][\"startLine\"] >= 1\n"
      "    assert r[\"partialFingerprints\"][\"polcFingerprint/v1\"]\n";
  const ReportOptions o = sample_options();
  CHECK(run_python(script, render_report(sample_result(), ReportFormat::kSarif, o),
                   schema.string()) == 0);
  CHECK(run_python(script, render_report(hostile_result(), ReportFormat::kSarif, o),
                   schema.string()) == 0);
  CHECK(run_python(script, render_report(ScanResult{}, ReportFormat::kSarif, o), schema.string()) ==
        0);
  // Findings whose policy is not in `policies` still get a rule, so `ruleIndex` stays valid.
  ScanResult unlisted = sample_result();
  unlisted.policies.clear();
  CHECK(run_python(script, render_report(unlisted, ReportFormat::kSarif, ReportOptions{}),
                   schema.string()) == 0);
}

TEST_CASE("report: JSON and JUnit parse, even with hostile text", "[report]") {
  if (!have_python("json")) {
    WARN("python3 not available; skipping");
    return;
  }
  const std::string json_script =
      "import json, sys\n"
      "r = json.load(open(sys.argv[1], encoding=\"utf-8\"))\n"
      "assert r[\"version\"] == 1 and len(r[\"findings\"]) == 5 and len(r[\"errors\"]) == 2\n"
      "assert sum(f[\"suppressed\"] for f in r[\"findings\"]) == 1\n";
  const std::string xml_script =
      "import sys, xml.etree.ElementTree as E\n"
      "root = E.parse(sys.argv[1]).getroot()\n"
      "cases = list(root.iter(\"testcase\"))\n"
      "assert len(cases) == 6, len(cases)\n"
      "assert len(list(root.iter(\"failure\"))) == 3 and len(list(root.iter(\"error\"))) == 1\n"
      "assert int(root.get(\"tests\")) == 6\n";
  const ReportOptions o = sample_options();
  for (const ScanResult& r : {sample_result(), hostile_result()}) {
    CHECK(run_python(json_script, render_report(r, ReportFormat::kJson, o)) == 0);
    CHECK(run_python(xml_script, render_report(r, ReportFormat::kJunit, o)) == 0);
  }
}

TEST_CASE("report: GitHub annotations stay one line each, even with hostile text", "[report]") {
  ReportOptions o;
  o.show_suppressed = true;
  const ScanResult r = hostile_result();
  const std::string out = render_report(r, ReportFormat::kGithub, o);
  std::size_t lines = 0;
  for (char c : out) lines += c == '\n';
  CHECK(lines == r.errors.size() + r.findings.size() + 1);  // + the summary line
  CHECK(out.find('\r') == std::string::npos);
  CHECK(internal::sanitize_utf8(out) == out);
  // Text output never crashes and lists every finding when asked to.
  const std::string text = render_report(r, ReportFormat::kText, o);
  CHECK(text.find("polc: 2 templates checked") != std::string::npos);
}

TEST_CASE("report: parse_report_format", "[report]") {
  ReportFormat f = ReportFormat::kText;
  CHECK(parse_report_format("SARIF", f));
  CHECK(f == ReportFormat::kSarif);
  CHECK(parse_report_format("github", f));
  CHECK(f == ReportFormat::kGithub);
  CHECK_FALSE(parse_report_format("xml", f));
  CHECK(f == ReportFormat::kGithub);
  CHECK_FALSE(parse_report_format("", f));
  for (ReportFormat g : {ReportFormat::kText, ReportFormat::kJson, ReportFormat::kSarif,
                         ReportFormat::kJunit, ReportFormat::kGithub}) {
    ReportFormat back = ReportFormat::kText;
    CHECK(parse_report_format(report_format_name(g), back));
    CHECK(back == g);
  }
}

TEST_CASE("json_writer: string escaping", "[report][json]") {
  const auto esc = [](std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
  };
  CHECK(esc("plain") == "\"plain\"");
  CHECK(esc("q\"b\\") == "\"q\\\"b\\\\\"");
  CHECK(esc("a\nb\rc\td") == "\"a\\nb\\rc\\td\"");
  CHECK(esc(std::string_view("\x00\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\\u007f\"");
  CHECK(esc("héllo «x» 日本 😀") == "\"héllo «x» 日本 😀\"");  // valid UTF-8 passes through
  CHECK(esc("a\xff"
            "b") ==
        "\"a\xEF\xBF\xBD"
        "b\"");                                                              // stray byte
  CHECK(esc("\xC3") == "\"\xEF\xBF\xBD\"");                                  // truncated sequence
  CHECK(esc("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");                  // overlong '/'
  CHECK(esc("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
  CHECK(esc("\xF4\x90\x80\x80") ==
        "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // past U+10FFFF
  CHECK(esc("<&>'/") == "\"<&>'/\"");
}

TEST_CASE("json_writer: structure, compact and pretty", "[report][json]") {
  std::string out;
  JsonWriter w(out, false);
  w.begin_object();
  w.member("a", 1);
  w.key("b");
  w.begin_array();
  w.value(true);
  w.null();
  w.value(std::uint64_t{18446744073709551615ULL});
  w.value(-2.5, 2);
  w.begin_object();
  w.end_object();
  w.begin_array();
  w.end_array();
  w.end_array();
  w.member("c", "x");
  w.key("d");
  w.value(1.0 / 0.0);
  w.end_object();
  CHECK(out ==
        "{\"a\":1,\"b\":[true,null,18446744073709551615,-2.50,{},[]],\"c\":\"x\",\"d\":null}");

  std::string pretty;
  JsonWriter p(pretty);
  p.begin_object();
  p.member("k", "v");
  p.key("e");
  p.begin_array();
  p.end_array();
  p.key("l");
  p.begin_array();
  p.value(1);
  p.end_array();
  p.end_object();
  CHECK(pretty == "{\n  \"k\": \"v\",\n  \"e\": [],\n  \"l\": [\n    1\n  ]\n}\n");
}

TEST_CASE("utf8: code point counting", "[report]") {
  CHECK(internal::count_code_points("abc", 2) == 2);
  CHECK(internal::count_code_points("é«x", 4) == 2);
  CHECK(internal::count_code_points("\xff\xff", 2) == 2);
  CHECK(internal::count_code_points("ab", 10) == 2);
  CHECK(internal::sanitize_utf8("ok\xe2\x82") == "ok\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("fingerprint: stable FNV-1a 64", "[report]") {
  // FNV-1a 64 reference vectors (http://www.isthe.com/chongo/src/fnv/test_fnv.c).
  CHECK(fnv1a64(kFnv64Offset, "") == 0xcbf29ce484222325ULL);
  CHECK(fnv1a64(kFnv64Offset, "a") == 0xaf63dc4c8601ec8cULL);
  CHECK(fnv1a64(kFnv64Offset, "foobar") == 0x85944171f73967e8ULL);

  const std::string fp = compute_fingerprint("POLC-NET-001", "stacks/app.yaml", "EndpointSG",
                                             "Properties.SecurityGroupEgress");
  CHECK(fp.size() == 16);
  CHECK(fp.find_first_not_of("0123456789abcdef") == std::string::npos);
  // Pinned: changing it breaks every user's baseline. Bump the version tag instead.
  CHECK(fp == "9f36db62c482a029");
  CHECK(compute_fingerprint("POLC-NET-001", "./stacks\\app.yaml", "EndpointSG",
                            "Properties.SecurityGroupEgress") == fp);
  CHECK(compute_fingerprint("POLC-NET-001", "stacks/app.yaml", "EndpointSGProperties", "") != fp);
  CHECK(compute_fingerprint("POLC-NET-001", "stacks/app.yaml", "EndpointSG", "") != fp);
  CHECK(compute_fingerprint("", "", "", "").size() == 16);
}

TEST_CASE("report: paths relative to the scan root", "[report]") {
  using internal::report_relative_path;
  CHECK(report_relative_path("./a/b.yaml", ".") == "a/b.yaml");
  CHECK(report_relative_path("a/../b.yaml", "") == "b.yaml");
  CHECK(report_relative_path("cases/x/t.yaml", "cases") == "x/t.yaml");
  CHECK(report_relative_path("cases/x/t.yaml", "./cases/") == "x/t.yaml");
  CHECK(report_relative_path("casesX/t.yaml", "cases") == "casesX/t.yaml");
  // An absolute scan root, built at run time so no machine path is written into the repository.
  const std::string root = std::filesystem::temp_directory_path().string() + "/polc-root";
  const std::string other = std::filesystem::temp_directory_path().string() + "/polc-other/t.yaml";
  CHECK(report_relative_path(root + "/t.yaml", root) == "t.yaml");
  CHECK(report_relative_path(other, root) == other);
  CHECK(report_relative_path("win\\dir\\t.yaml", ".") == "win/dir/t.yaml");
}

TEST_CASE("exit codes: precedence", "[report]") {
  ScanResult r;
  CHECK(compute_exit_code(r, Severity::kLow, false) == kExitClean);
  CHECK(compute_exit_code(r, Severity::kLow, true) == kExitUsageOrPolicyError);

  Finding medium;
  medium.severity = Severity::kMedium;
  r.findings.push_back(medium);
  CHECK(compute_exit_code(r, Severity::kLow, false) == kExitFindings);
  CHECK(compute_exit_code(r, Severity::kMedium, false) == kExitFindings);
  CHECK(compute_exit_code(r, Severity::kHigh, false) == kExitClean);
  r.findings[0].suppressed = true;
  CHECK(compute_exit_code(r, Severity::kInfo, false) == kExitClean);
  r.findings[0].suppressed = false;
  r.findings[0].baselined = true;
  CHECK(compute_exit_code(r, Severity::kInfo, false) == kExitClean);
  r.findings[0].baselined = false;
  r.findings[0].outcome = Outcome::kUnknown;  // unknown is never a pass
  CHECK(compute_exit_code(r, Severity::kMedium, false) == kExitFindings);

  r.summary.incomplete = 1;
  CHECK(compute_exit_code(r, Severity::kMedium, false) == kExitFindings);
  CHECK(compute_exit_code(r, Severity::kHigh, false) == kExitIncomplete);
  r.summary.templates_failed = 1;
  CHECK(compute_exit_code(r, Severity::kHigh, false) == kExitLoadFailure);
  CHECK(compute_exit_code(r, Severity::kMedium, false) == kExitFindings);
  CHECK(compute_exit_code(r, Severity::kMedium, true) == kExitUsageOrPolicyError);

  // Safety net: error diagnostics the counters missed still fail the run.
  ScanResult s;
  Diagnostic d;
  d.severity = DiagSeverity::kWarning;
  s.errors.push_back(d);
  CHECK(compute_exit_code(s, Severity::kLow, false) == kExitClean);
  s.errors[0].severity = DiagSeverity::kError;
  s.errors[0].policy_id = "POLC-X";
  CHECK(compute_exit_code(s, Severity::kLow, false) == kExitIncomplete);
  s.errors[0].policy_id.clear();
  CHECK(compute_exit_code(s, Severity::kLow, false) == kExitLoadFailure);
}

TEST_CASE("report: JSON strings escape every byte wherever it falls in a word", "[report][json]") {
  // append_json_string looks at 16 and 8 plain bytes at a time, the last ones overlapping the
  // others: each byte value, at each position of strings of every length up to 40, must come out
  // as it does alone.
  for (int b = 0; b < 256; ++b) {
    std::string alone;
    append_json_string(alone, std::string(1, static_cast<char>(b)));
    const std::string enc = alone.substr(1, alone.size() - 2);
    for (std::size_t len = 1; len <= 40; ++len)
      for (std::size_t at = 0; at < len; ++at) {
        std::string text(len, 'a');
        text[at] = static_cast<char>(b);
        std::string out;
        append_json_string(out, text);
        INFO("byte " << b << " at " << at << " of " << len);
        REQUIRE(out == "\"" + std::string(at, 'a') + enc + std::string(len - 1 - at, 'a') + "\"");
      }
  }
  std::string out;
  append_json_string(out, "caf\xc3\xa9 \"quoted\" back\\slash\ttab plain text of some length");
  CHECK(out == "\"caf\xc3\xa9 \\\"quoted\\\" back\\\\slash\\ttab plain text of some length\"");
}
