// Tests of `.polc.yaml` parsing (engine/config/config.h): every key, unknown keys and ill-typed values
// located at file:line:col, flag precedence (`merge_config`), policy parameters and the search
// for the file in parent directories.
#include "engine/config/config.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "engine/load/data_file.h"
#include "tests/model_test_util.h"

namespace polc {
namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(POLC_SOURCE_DIR) / "tests/data/ci/config";

/// Parses the text of `name` as if it were `proj/.polc.yaml` (so resolved paths in the golden
/// output are relative and machine-independent).
bool parse_as_project_config(const std::string& name, Config& out, Diagnostics& diags) {
  std::string text = test::read_text(kData / name);
  auto doc = internal::parse_data_text("proj/.polc.yaml", std::move(text), diags);
  REQUIRE(doc);
  return parse_config(*doc->file, doc->root, out, diags);
}

Config parse_text(const std::string& text, Diagnostics& diags, bool expect_ok = true) {
  Config c;
  auto doc = internal::parse_data_text(".polc.yaml", text, diags);
  REQUIRE(doc);
  bool ok = parse_config(*doc->file, doc->root, c, diags);
  INFO(test::render_diagnostics_short(diags));
  CHECK(ok == expect_ok);
  return c;
}

}  // namespace

TEST_CASE("a configuration with every key parses and renders", "[config]") {
  Config c;
  Diagnostics diags;
  bool ok = parse_as_project_config("full.polc.yaml", c, diags);
  INFO(test::render_diagnostics_short(diags));
  REQUIRE(ok);
  REQUIRE(diags.empty());
  CHECK(c.policies == std::vector<std::string>{"proj/policies/", "proj/extra/net.polc"});
  CHECK(c.exclude == std::vector<std::string>{"**/cdk.out/**", "legacy/*.yaml"});
  CHECK(c.disable == std::vector<std::string>{"POLC-NET-002"});
  REQUIRE(c.severity_overrides.size() == 2);
  CHECK(c.severity_overrides[0].severity == Severity::kCritical);
  REQUIRE(c.parameters.size() == 3);
  CHECK(c.parameters[0].value.kind == VKind::kInt);
  CHECK(c.parameters[0].value.integer == 3);
  CHECK(c.parameters[1].value.items.size() == 2);
  CHECK(c.parameters[2].value.keys == std::vector<std::string>{"cpu", "strict"});
  REQUIRE(c.waivers.size() == 2);
  REQUIRE(c.waivers[0].expires);
  CHECK(format_civil_date(*c.waivers[0].expires) == "2025-09-30");
  CHECK(c.waivers[0].location.line == 16);
  CHECK(c.fail_threshold == Severity::kHigh);
  REQUIRE(c.outputs.size() == 3);
  CHECK(c.outputs[1].format == "sarif");
  CHECK(c.outputs[1].path == "proj/out/polc.sarif");
  CHECK(c.baseline == "proj/polc-baseline.json");
  CHECK(c.honor_foreign_suppressions == true);
  CHECK(c.inline_suppressions == false);
  test::check_golden(kData / "full.out", render_config_yaml(c));
}

TEST_CASE("the rendered configuration reads back the same", "[config]") {
  Config c;
  Diagnostics diags;
  REQUIRE(parse_as_project_config("full.polc.yaml", c, diags));
  std::string once = render_config_yaml(c);
  Config again;
  Diagnostics d2;
  auto doc = internal::parse_data_text(".polc.yaml", once, d2);
  REQUIRE(doc);
  REQUIRE(parse_config(*doc->file, doc->root, again, d2));
  INFO(test::render_diagnostics_short(d2));
  again.path = c.path;
  CHECK(render_config_yaml(again) == once);
}

TEST_CASE("unknown keys and ill-typed values are errors at file:line:col", "[config]") {
  Config c;
  Diagnostics diags;
  CHECK_FALSE(parse_as_project_config("unknown_key.polc.yaml", c, diags));
  std::string out = test::render_diagnostics_short(diags);
  CHECK(out.find("3:1: error: unknown configuration key 'fail_treshold'") != std::string::npos);
  CHECK(out.find("7:5: error: unknown key 'reson' in a waiver") != std::string::npos);
  test::check_golden(kData / "unknown_key.out", out);
  // The full rendering names the file, line and column, and the line itself.
  std::string first = render_diagnostic(diags.items().at(0));
  CHECK(first.find("proj/.polc.yaml:3:1: error:") == 0);
  CHECK(first.find("fail_treshold: low") != std::string::npos);
}

TEST_CASE("configuration edge cases", "[config]") {
  Diagnostics diags;
  SECTION("an empty file is an empty configuration") {
    Config c = parse_text("", diags);
    CHECK(c.policies.empty());
    CHECK_FALSE(c.fail_threshold);
  }
  SECTION("the top level must be a map") {
    parse_text("- a\n- b\n", diags, false);
    CHECK(diags.items().at(0).location.line == 1);
  }
  SECTION("a waiver file path") {
    Config c = parse_text("waivers: ci/waivers.yaml\n", diags);
    CHECK(c.waiver_files == std::vector<std::string>{"ci/waivers.yaml"});
  }
  SECTION("formats and outputs together") {
    parse_text("formats: [text]\noutputs: [json]\n", diags, false);
    CHECK(diags.items().at(0).location.line == 2);
  }
  SECTION("a bad date in a waiver") {
    parse_text("waivers:\n  - {rule: a, path: b, reason: c, expires: 2025-02-30}\n", diags, false);
    CHECK(diags.items().at(0).message.find("YYYY-MM-DD") != std::string::npos);
    CHECK(diags.items().at(0).location.line == 2);
  }
  SECTION("a waiver without reason") {
    parse_text("waivers:\n  - {rule: a, path: b}\n", diags, false);
    CHECK(diags.items().at(0).message.find("without 'reason'") != std::string::npos);
  }
}

TEST_CASE("command-line flags win over the configuration file", "[config]") {
  Diagnostics diags;
  Config file = parse_text(
      "policies: [p]\nexclude: [x]\ndisable: [d]\nfail_threshold: high\n"
      "formats: [json, sarif=f.sarif]\ninline_suppressions: false\n"
      "waivers: [{rule: r, path: '**', reason: because}]\n",
      diags);
  SECTION("nothing on the command line: the file's settings") {
    Config m = merge_config(file, Config{});
    CHECK(m.policies == std::vector<std::string>{"p"});
    CHECK(m.fail_threshold == Severity::kHigh);
    CHECK(m.outputs.size() == 2);
    CHECK(m.waivers.size() == 1);
    CHECK(m.inline_suppressions == false);
  }
  SECTION("flags replace whole settings") {
    Config flags;
    flags.exclude = {"y"};
    flags.fail_threshold = Severity::kLow;
    flags.outputs = {{"text", ""}};
    flags.waiver_files = {"other.yaml"};
    Config m = merge_config(file, flags);
    CHECK(m.policies == std::vector<std::string>{"p"});
    CHECK(m.exclude == std::vector<std::string>{"y"});
    CHECK(m.disable == std::vector<std::string>{"d"});
    CHECK(m.fail_threshold == Severity::kLow);
    // --format replaced the stdout format; the file's sarif output stays.
    REQUIRE(m.outputs.size() == 2);
    CHECK(m.outputs[0].format == "text");
    CHECK(m.outputs[1].path == "f.sarif");
    CHECK(m.waivers.empty());
    CHECK(m.waiver_files == std::vector<std::string>{"other.yaml"});
  }
  SECTION("--output replaces the file outputs, keeps the stdout format") {
    Config flags;
    flags.outputs = {{"junit", "j.xml"}};
    Config m = merge_config(file, flags);
    REQUIRE(m.outputs.size() == 2);
    CHECK(m.outputs[0].format == "json");
    CHECK(m.outputs[1].format == "junit");
  }
}

TEST_CASE("configuration parameters set policy globals", "[config]") {
  Diagnostics diags;
  Config c = parse_text(
      "parameters:\n  p.max: 3\n  p.ratio: 2\n  p.names: [a, b]\n  q.missing: 1\n", diags);
  std::vector<GlobalSlot> globals(3);
  globals[0].name = "p.max";
  globals[0].value.kind = VKind::kInt;
  globals[1].name = "p.ratio";
  globals[1].value.kind = VKind::kFloat;
  globals[2].name = "p.names";
  globals[2].value.kind = VKind::kList;
  Diagnostics pd;
  CHECK_FALSE(apply_config_parameters(c.parameters, globals, pd));
  CHECK(globals[0].value.integer == 3);
  CHECK(globals[1].value.kind == VKind::kFloat);
  CHECK(globals[1].value.number == 2.0);
  REQUIRE(globals[2].value.items.size() == 2);
  CHECK(globals[2].value.items[1].text == "b");
  REQUIRE(pd.size() == 1);
  CHECK(pd.items()[0].location.line == 5);
  CHECK(pd.items()[0].message.find("unknown policy parameter 'q.missing'") != std::string::npos);

  Diagnostics td;
  Config bad = parse_text("parameters: {p.max: [1]}\n", td);
  CHECK_FALSE(apply_config_parameters(bad.parameters, globals, td));
  CHECK(td.items().at(0).message.find("expects a value like its default 3") != std::string::npos);
}

TEST_CASE("the configuration file is found in parent directories", "[config]") {
  fs::path root = fs::temp_directory_path() / ("polc-config-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root / "a/b/c");
  std::ofstream(root / "a" / kConfigFileName) << "fail_threshold: high\n";
  std::string found = find_config_file((root / "a/b/c").string());
  CHECK(fs::equivalent(found, root / "a" / kConfigFileName));
  CHECK(find_config_file((root / "a").string()) == (root / "a" / kConfigFileName).string());
  Config c;
  Diagnostics diags;
  CHECK(load_config(found, c, diags));
  CHECK(c.fail_threshold == Severity::kHigh);
  Config missing;
  CHECK_FALSE(load_config((root / "nope.yaml").string(), missing, diags));
  CHECK(diags.items().back().code == "unreadable");
  fs::remove_all(root);
}

}  // namespace polc
