// The reporters' direct renderers against the generic JsonWriter: a finding rendered by
// `append_json_finding` or `append_sarif_result` (literal member names and indentation, through
// JsonCursor) must be byte for byte what the JsonWriter code they replaced writes, for random
// findings whose every text field holds what needs escaping (quotes, backslashes, control
// characters, DEL, non-ASCII, invalid UTF-8, long texts). Also: the shortcuts of
// normalize_report_path and sort_findings against what they shortcut.
#include <catch2/catch.hpp>
#include <random>

#include "engine/base/json_writer.h"
#include "engine/base/utf8.h"
#include "engine/report/json_cursor.h"
#include "engine/report/report.h"
#include "engine/report/report_util.h"
#include "engine/triage/fingerprint.h"

using namespace polc;

// The SARIF result as the generic writer wrote it before `append_sarif_result`
// (engine/report/report_sarif.cpp at b39bbee), kept here as the reference.
namespace sarif_ref {

using namespace polc::internal;
constexpr std::string_view kSrcRoot = "%SRCROOT%";
constexpr std::string_view kFingerprintKey = "polcFingerprint/v1";

/// SARIF's `level` values for the three report levels.
std::string_view sarif_level(ReportLevel level) {
  static constexpr std::string_view kWords[] = {"error", "warning", "note"};
  return kWords[static_cast<int>(level)];
}

/// Percent-encodes everything but RFC 3986 unreserved characters and '/'.
std::string percent_encode(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    const bool keep = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                      u == '-' || u == '.' || u == '_' || u == '~' || u == '/';
    if (keep) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
  }
  return out;
}

bool is_absolute(std::string_view path) {
  if (!path.empty() && path[0] == '/') return true;
  // Windows drive paths ("C:/...") after normalization.
  return path.size() >= 3 && path[1] == ':' && path[2] == '/' &&
         ((path[0] >= 'a' && path[0] <= 'z') || (path[0] >= 'A' && path[0] <= 'Z'));
}

/// Byte column (1-based) to code-point column (1-based), using the location's source line.
std::uint32_t code_point_column(const Location& loc) {
  if (loc.column == 0) return 0;
  const std::size_t bytes = loc.column - 1;
  const std::string_view line = loc.source_line;
  std::size_t cps = count_code_points(line, bytes);
  if (bytes > line.size()) cps += bytes - line.size();
  return static_cast<std::uint32_t>(cps + 1);
}

void write_artifact_location(JsonWriter& w, std::string_view file, std::string_view scan_root) {
  const std::string rel = report_relative_path(file, scan_root);
  w.key("artifactLocation");
  w.begin_object();
  if (is_absolute(rel)) {
    w.member("uri", "file://" + std::string(rel[0] == '/' ? "" : "/") + percent_encode(rel));
  } else {
    w.member("uri", percent_encode(rel));
    w.member("uriBaseId", kSrcRoot);
  }
  w.end_object();
}

/// Writes a `physicalLocation` member. Whole-file locations get no region unless
/// `force_region`, which anchors them at line 1 (results need a line to be shown at all).
void write_physical_location(JsonWriter& w, const Location& loc, std::string_view scan_root,
                             bool force_region) {
  w.key("physicalLocation");
  w.begin_object();
  write_artifact_location(w, loc.file, scan_root);
  if (loc.line > 0 || force_region) {
    w.key("region");
    w.begin_object();
    w.member("startLine", loc.line > 0 ? loc.line : 1u);
    if (loc.line > 0 && loc.column > 0) w.member("startColumn", code_point_column(loc));
    w.end_object();
  }
  w.end_object();
}

void write_text_message(JsonWriter& w, std::string_view name, std::string_view text) {
  w.key(name);
  w.begin_object();
  w.member("text", text);
  w.end_object();
}

/// Whether a suppression lives in the template (metadata, cfn_nag/checkov comments) or outside
/// it (a waiver file, configuration, the command line).
std::string_view suppression_kind(std::string_view source) {
  for (std::string_view external : {"waiver", "config", "baseline", "cli", "external"}) {
    if (source == external) return "external";
  }
  return "inSource";
}

void write_result(JsonWriter& w, const Finding& f, std::size_t rule_index, bool any_baselined,
                  std::string_view scan_root) {
  w.begin_object();
  w.member("ruleId", f.policy_id);
  w.member("ruleIndex", static_cast<std::uint64_t>(rule_index));
  w.member("level", sarif_level(report_level(f.severity)));
  write_text_message(w, "message", finding_message(f));
  w.key("locations");
  w.begin_array();
  w.begin_object();
  write_physical_location(w, f.location, scan_root, true);
  if (!f.resource.empty()) {
    w.key("logicalLocations");
    w.begin_array();
    w.begin_object();
    w.member("name", f.resource);
    if (!f.construct_path.empty()) w.member("fullyQualifiedName", f.construct_path);
    w.member("kind", "resource");
    w.end_object();
    w.end_array();
  }
  w.end_object();
  w.end_array();
  if (!f.related.empty()) {
    w.key("relatedLocations");
    w.begin_array();
    for (std::size_t i = 0; i < f.related.size(); ++i) {
      w.begin_object();
      w.member("id", static_cast<std::uint64_t>(i + 1));
      write_physical_location(w, f.related[i].location, scan_root, false);
      write_text_message(w, "message", f.related[i].message);
      w.end_object();
    }
    w.end_array();
  }
  w.key("partialFingerprints");
  w.begin_object();
  w.member(kFingerprintKey, finding_fingerprint(f, scan_root));
  w.end_object();
  if (f.suppressed) {
    w.key("suppressions");
    w.begin_array();
    w.begin_object();
    w.member("kind", suppression_kind(f.suppression_source));
    w.member("status", "accepted");
    if (!f.suppression_reason.empty()) w.member("justification", f.suppression_reason);
    if (!f.suppression_source.empty()) {
      w.key("properties");
      w.begin_object();
      w.member("source", f.suppression_source);
      w.end_object();
    }
    w.end_object();
    w.end_array();
  }
  if (any_baselined) w.member("baselineState", f.baselined ? "unchanged" : "new");
  w.key("properties");
  w.begin_object();
  w.member("severity", severity_name(f.severity));
  w.member("outcome", f.outcome == Outcome::kUnknown ? "unknown" : "fail");
  if (!f.property_path.empty()) w.member("propertyPath", f.property_path);
  if (!f.deployments.empty()) {
    w.key("deployments");
    w.begin_array();
    for (const std::string& d : f.deployments) w.value(d);
    w.end_array();
  }
  // The condition assignments the finding holds under, as in the JSON report ("conditions": a
  // disjunction of {name: value} conjunctions), and in words; absent when unconditional.
  if (!f.conditions.empty()) {
    w.member("condition", describe_conditions(f.conditions));
    w.key("conditions");
    w.begin_array();
    for (const ConditionClause& clause : f.conditions) {
      w.begin_object();
      for (const ConditionTerm& term : clause) w.member(term.name, term.value);
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
  w.end_object();
}

}  // namespace sarif_ref

namespace {

/// The JSON report's finding as the generic writer wrote it before `append_json_finding`
/// (engine/report/report_json.cpp), kept here as the reference.
void reference_json_finding(JsonWriter& w, const Finding& f, std::string_view scan_root, bool shard,
                            const std::vector<std::string>* aliases) {
  auto location_fields = [&](const Location& loc) {
    w.member("file", loc.file);
    w.member("line", loc.line);
    w.member("column", loc.column);
    if (shard) w.member("source_line", loc.source_line);
  };
  w.begin_object();
  w.member("policy_id", f.policy_id);
  w.member("policy_name", f.policy_name);
  w.key("aliases");
  w.begin_array();
  if (aliases)
    for (const std::string& a : *aliases) w.value(a);
  w.end_array();
  w.member("severity", severity_name(f.severity));
  w.member("outcome", f.outcome == Outcome::kUnknown ? "unknown" : "fail");
  w.member("file", f.location.file);
  w.member("resource", f.resource);
  if (f.construct_path.empty())
    w.null_member("construct_path");
  else
    w.member("construct_path", f.construct_path);
  w.member("property_path", f.property_path);
  w.member("line", f.location.line);
  w.member("column", f.location.column);
  if (shard) w.member("source_line", f.location.source_line);
  w.member("message", f.message);
  w.key("conditions");
  w.begin_array();
  for (const ConditionClause& clause : f.conditions) {
    w.begin_object();
    for (const ConditionTerm& term : clause) w.member(term.name, term.value);
    w.end_object();
  }
  w.end_array();
  if (!f.deployments.empty()) {
    w.key("deployments");
    w.begin_array();
    for (const std::string& d : f.deployments) w.value(d);
    w.end_array();
  }
  w.key("related");
  w.begin_array();
  for (const RelatedLocation& r : f.related) {
    w.begin_object();
    location_fields(r.location);
    w.member("message", r.message);
    w.end_object();
  }
  w.end_array();
  w.member("remediation", f.remediation);
  w.member("suppressed", f.suppressed);
  if (f.suppressed) {
    w.key("suppression");
    w.begin_object();
    w.member("reason", f.suppression_reason);
    w.member("source", f.suppression_source);
    w.end_object();
  } else {
    w.null_member("suppression");
  }
  w.member("baselined", f.baselined);
  w.member("fingerprint", internal::finding_fingerprint(f, scan_root));
  w.end_object();
}

/// Random texts: empty, plain, or with bytes that need escaping or replacing, of every length up
/// to past the writers' short-key and word sizes.
class TextGen {
 public:
  explicit TextGen(std::uint32_t seed) : rng_(seed) {}

  std::string text() {
    const int kind = pick(6);
    if (kind == 0) return "";
    const std::size_t len = 1 + pick(kind == 5 ? 200 : 40);
    std::string out;
    for (std::size_t i = 0; i < len; ++i) {
      const int c = pick(20);
      if (c == 0 && kind >= 2) {
        static const char kSpecial[] = {'"', '\\', '\n', '\r', '\t', '\x01', '\x1f', '\x7f'};
        out += kSpecial[pick(sizeof kSpecial)];
      } else if (c == 1 && kind >= 3) {
        static const char* kUtf8[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                      "\xc3",     "\xff",         "\xed\xa0\x80"};
        out += kUtf8[pick(6)];
      } else {
        out += static_cast<char>('a' + pick(26));
      }
    }
    return out;
  }
  std::vector<std::string> texts(int most) {
    std::vector<std::string> out(pick(most + 1));
    for (std::string& s : out) s = text();
    return out;
  }
  Location location() {
    Location l;
    l.file = text();
    l.line = pick(3) == 0 ? 0 : static_cast<std::uint32_t>(rng_());
    l.column = pick(3) == 0 ? 0 : 1 + pick(200);
    l.source_line = text();
    return l;
  }
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

 private:
  std::mt19937 rng_;
};

Finding random_finding(TextGen& g) {
  Finding f;
  f.policy_id = g.text();
  f.policy_name = g.text();
  f.severity = static_cast<Severity>(g.pick(5));
  f.outcome = g.pick(2) == 0 ? Outcome::kFail : Outcome::kUnknown;
  f.resource = g.text();
  f.construct_path = g.text();
  f.property_path = g.text();
  f.location = g.location();
  f.message = g.text();
  for (std::size_t i = g.pick(3); i > 0; --i) {
    ConditionClause clause;
    for (std::size_t j = g.pick(3); j > 0; --j) {
      // Names past JsonWriter's short-key length (64) take its other path.
      std::string name = g.pick(4) == 0 ? std::string(70, 'C') + g.text() : g.text();
      clause.push_back({std::move(name), g.pick(2) == 0});
    }
    f.conditions.push_back(std::move(clause));
  }
  f.deployments = g.texts(2);
  for (std::size_t i = g.pick(3); i > 0; --i) f.related.push_back({g.location(), g.text()});
  f.remediation = g.text();
  f.suppressed = g.pick(2) == 0;
  f.suppression_reason = g.text();
  f.suppression_source = g.text();
  f.baselined = g.pick(2) == 0;
  f.fingerprint = g.pick(3) == 0 ? std::string() : g.text();
  return f;
}

}  // namespace

TEST_CASE("append_json_finding: byte-identical to the generic JsonWriter", "[report][json]") {
  TextGen g(20261207);
  for (int i = 0; i < 3000; ++i) {
    const Finding f = random_finding(g);
    const bool shard = g.pick(2) == 0;
    const std::vector<std::string> aliases = g.texts(3);
    const std::vector<std::string>* alias_list = g.pick(3) == 0 ? nullptr : &aliases;
    std::string expected;
    JsonWriter w(expected, true, 2);
    reference_json_finding(w, f, "./root", shard, alias_list);
    std::string actual = "prefix";
    internal::append_json_finding(actual, f, "./root", shard, alias_list);
    INFO("finding " << i);
    REQUIRE(actual == "prefix" + expected);
  }
}

namespace {

/// `normalize_report_path` before its shortcut for paths that are normal already.
std::string reference_normalize(std::string_view path) {
  std::string out;
  for (char c : path) {
    const char d = c == '\\' ? '/' : c;
    if (d == '/' && !out.empty() && out.back() == '/') continue;
    out += d;
  }
  std::size_t start = 0;
  while (out.size() - start > 2 && out[start] == '.' && out[start + 1] == '/') start += 2;
  out.erase(0, start);
  return out;
}

}  // namespace

TEST_CASE("normalize_report_path: the shortcut agrees with the full normalization",
          "[report][fingerprint]") {
  // Every string of up to 7 characters over the characters that matter.
  const std::string alphabet = "./\\a";
  for (std::size_t len = 0; len <= 7; ++len) {
    std::size_t count = 1;
    for (std::size_t i = 0; i < len; ++i) count *= alphabet.size();
    for (std::size_t k = 0; k < count; ++k) {
      std::string path;
      for (std::size_t i = 0, n = k; i < len; ++i, n /= alphabet.size())
        path += alphabet[n % alphabet.size()];
      INFO(path);
      REQUIRE(normalize_report_path(path) == reference_normalize(path));
      REQUIRE(normalize_report_path(normalize_report_path(path)) == normalize_report_path(path));
    }
  }
}

TEST_CASE("sort_findings: the order std::sort gives, ties included", "[report][scanner]") {
  std::mt19937 rng(17);
  auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  for (int round = 0; round < 400; ++round) {
    // Few distinct values per field, so that many findings tie under finding_less; the property
    // path (not compared) tells them apart. Some rounds start sorted, with or without ties.
    const std::size_t n = pick(120);
    std::vector<Finding> findings(n);
    for (std::size_t i = 0; i < n; ++i) {
      Finding& f = findings[i];
      f.location.file = std::string(1, static_cast<char>('a' + pick(2)));
      f.location.line = static_cast<std::uint32_t>(pick(3));
      f.location.column = static_cast<std::uint32_t>(pick(2));
      f.policy_id = std::string(pick(2), 'P');
      f.resource = pick(2) == 0 ? "R" : "S";
      f.message = pick(4) == 0 ? "m2" : "m1";
      f.property_path = std::to_string(i);
    }
    if (round % 4 == 0) std::sort(findings.begin(), findings.end(), finding_less);
    if (round % 8 == 0) {
      for (std::size_t i = 0; i < n; ++i) findings[i].location.line = static_cast<std::uint32_t>(i);
    }
    std::vector<Finding> expected = findings;
    std::sort(expected.begin(), expected.end(), finding_less);
    sort_findings(findings);
    REQUIRE(findings.size() == expected.size());
    for (std::size_t i = 0; i < n; ++i)
      REQUIRE(findings[i].property_path == expected[i].property_path);
  }
}

TEST_CASE("SARIF: a file's artifact URI follows the scan root of each report", "[report][sarif]") {
  // The URI of the last file is kept per thread: reports with other scan roots, made one after
  // the other on one thread, must not reuse it.
  ScanResult r;
  Finding f;
  f.policy_id = "POLC-X-001";
  f.location.file = "stacks/app.yaml";
  f.location.line = 3;
  f.location.column = 1;
  r.findings = {f, f};
  for (int round = 0; round < 2; ++round) {
    r.scan_root = ".";
    std::string doc = render_report(r, ReportFormat::kSarif, {});
    CHECK(doc.find("\"uri\": \"stacks/app.yaml\"") != std::string::npos);
    r.scan_root = "stacks";
    doc = render_report(r, ReportFormat::kSarif, {});
    CHECK(doc.find("\"uri\": \"app.yaml\"") != std::string::npos);
    CHECK(doc.find("\"uri\": \"stacks/app.yaml\"") == std::string::npos);
    r.findings[1].location.file = "/abs/t ml.yaml";
    doc = render_report(r, ReportFormat::kSarif, {});
    CHECK(doc.find("\"uri\": \"file:///abs/t%20ml.yaml\"") != std::string::npos);
    r.findings[1].location.file = f.location.file;
  }
}

TEST_CASE("append_sarif_result: byte-identical to the generic JsonWriter", "[report][sarif]") {
  TextGen g(4242);
  const char* roots[] = {".", "./root", "/abs", "stacks", ""};
  for (int i = 0; i < 3000; ++i) {
    Finding f = random_finding(g);
    // Files inside and outside the roots, relative and absolute, repeated (the URI is kept for
    // the next location of the same file).
    if (g.pick(3) == 0)
      f.location.file = std::string(g.pick(2) ? "/abs/" : "stacks/") + f.location.file;
    if (!f.related.empty() && g.pick(2) == 0) f.related[0].location.file = f.location.file;
    const std::string_view root = roots[g.pick(5)];
    const std::size_t rule_index = g.pick(1000);
    const bool any_baselined = g.pick(2) == 0;
    std::string expected;
    JsonWriter w(expected, true, 4);
    sarif_ref::write_result(w, f, rule_index, any_baselined, root);
    std::string actual = "prefix";
    internal::append_sarif_result(actual, f, rule_index, any_baselined, root);
    INFO("finding " << i);
    REQUIRE(actual == "prefix" + expected);
  }
}

TEST_CASE("JsonCursor: grows past the room it expected, escapes as append_json_string",
          "[report][json]") {
  std::string out = "[";
  std::string expected = "[";
  {
    internal::JsonCursor c(out, 0);
    for (int i = 0; i < 500; ++i) {
      const std::string text =
          std::string(static_cast<std::size_t>(i), 'x') + (i % 3 ? "\"\n\xff" : "");
      c.lit(",\n  ");
      c.str(text);
      c.ch(':');
      c.num(static_cast<std::uint64_t>(i) * 1000003u);
      expected += ",\n  ";
      append_json_string(expected, text);
      expected += ':' + std::to_string(static_cast<std::uint64_t>(i) * 1000003u);
    }
    c.finish();
  }
  CHECK(out == expected);
}
