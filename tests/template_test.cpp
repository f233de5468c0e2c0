// Tests for the template model (engine/model/template.cpp): golden dumps of tests/data/model/* and
// targeted assertions on intrinsics, ForEach expansion and the reference graph.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "engine/base/limits.h"
#include "engine/load/loader.h"
#include "engine/model/dump.h"
#include "model_test_util.h"

namespace fs = std::filesystem;

namespace {

const fs::path kDataDir = fs::path(POLC_SOURCE_DIR) / "tests" / "data" / "model";

/// Loads `name` from the data folder; the path in messages is the bare file name.
polc::LoadResult load_data(const std::string& name) {
  return polc::load_template_bytes(name, polc::test::read_text(kDataDir / name));
}

void run_goldens(const std::string& ext) {
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(kDataDir)) {
    const std::string n = e.path().filename().string();
    if (e.path().extension() == ext && n.find(".dump.") == std::string::npos)
      inputs.push_back(e.path());
  }
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(!inputs.empty());
  for (const fs::path& in : inputs) {
    const std::string name = in.filename().string();
    SECTION(name) {
      polc::LoadResult r = load_data(name);
      std::string stem = in.stem().string();
      polc::test::check_golden(kDataDir / (stem + ext + ".diags"),
                               polc::test::render_diagnostics_short(r.diagnostics));
      REQUIRE(r.status == polc::LoadStatus::kTemplate);
      polc::test::check_golden(kDataDir / (stem + ext + ".dump.json"),
                               polc::dump_template_json(*r.tmpl));
    }
  }
}

const polc::Reference* find_ref(const polc::Template& t, std::string_view from,
                                std::string_view path, std::string_view target) {
  for (const auto& ref : t.references()) {
    std::string_view f =
        ref.from == polc::kNoIndex ? "Outputs" : t.resources()[ref.from].logical_id;
    if (f == from && ref.path == path && ref.target == target) return &ref;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("model: JSON golden dumps", "[model]") { run_goldens(".json"); }

TEST_CASE("model: YAML golden dumps", "[model][yaml]") {
  if (!polc::test::yaml_available()) {
    WARN("YAML parser not available in this build; skipping YAML goldens");
    return;
  }
  run_goldens(".yaml");
}

TEST_CASE("model: GetAtt canonical form and reference graph", "[model]") {
  auto r = load_data("getatt_forms.json");
  REQUIRE(r.status == polc::LoadStatus::kTemplate);
  const polc::Template& t = *r.tmpl;
  REQUIRE(t.resources().size() == 4);
  std::uint32_t ep = t.find_resource("Endpoint");
  REQUIRE(ep != polc::kNoIndex);
  const polc::Value* ids = t.resources()[ep].properties->get("SecurityGroupIds");
  REQUIRE(ids->size == 4);
  CHECK(ids->list()[0]->intrinsic == polc::Intrinsic::kGetAtt);
  CHECK(polc::value_to_json(ids->list()[0]) == R"({"Fn::GetAtt":["Sg","GroupId"]})");
  CHECK(polc::value_to_json(ids->list()[2]) == R"({"Fn::GetAtt":["Db","Endpoint.Address"]})");
  const polc::Reference* ref = find_ref(t, "Endpoint", "Properties.SecurityGroupIds[0]", "Sg");
  REQUIRE(ref);
  CHECK(ref->kind == polc::RefKind::kGetAtt);
  CHECK(ref->attribute == "GroupId");
  CHECK(ref->target_kind == polc::TargetKind::kResource);
  CHECK(ref->target_index == t.find_resource("Sg"));
  // IAM `Condition` keys are not intrinsics.
  const polc::Value* stmt =
      t.resources()[ep].properties->get("PolicyDocument")->get("Statement")->list()[0];
  CHECK(!stmt->get("Condition")->is_intrinsic());
  CHECK(t.references_to(t.find_resource("Sg")).size() == 2);
  CHECK(t.references_from(ep).size() == 6);
  CHECK(t.references_from(12345).empty());
  CHECK(t.resources_of_type("AWS::EC2::SecurityGroup").size() == 1);
  CHECK(t.resources_of_type("AWS::Nope").empty());
  CHECK(t.find_parameter("VpcId") == 0);
  bool unknown = false;
  for (const auto& d : r.diagnostics.items()) unknown = unknown || d.code == "unknown-reference";
  CHECK(unknown);
}

TEST_CASE("model: Fn::If guards and Condition intrinsics", "[model]") {
  auto r = load_data("if_novalue.json");
  REQUIRE(r.status == polc::LoadStatus::kTemplate);
  const polc::Template& t = *r.tmpl;
  const polc::Reference* a = find_ref(t, "Endpoint", "Properties.SecurityGroupIds[0]", "Other");
  REQUIRE(a);
  REQUIRE(a->guards.size() == 2);
  CHECK(a->guards[0] == polc::ConditionGuard{"NotHttps", false});
  CHECK(a->guards[1] == polc::ConditionGuard{"Both", true});
  const polc::Reference* b = find_ref(t, "Endpoint", "Properties.SecurityGroupIds[0]", "Sg");
  REQUIRE(b);
  CHECK(b->guards == std::vector<polc::ConditionGuard>{{"NotHttps", true}});
  CHECK(t.resources()[t.find_resource("Sg")].condition == "IsHttps");
  const polc::ConditionDecl* c = t.find_condition("NotHttps");
  REQUIRE(c);
  CHECK(c->expr->intrinsic == polc::Intrinsic::kNot);
  CHECK(c->expr->arg()->list()[0]->intrinsic == polc::Intrinsic::kCondition);
  CHECK(t.find_condition("Nope") == nullptr);
}

TEST_CASE("model: Fn::ForEach expansion", "[model]") {
  auto r = load_data("foreach.json");
  REQUIRE(r.status == polc::LoadStatus::kTemplate);
  const polc::Template& t = *r.tmpl;
  std::vector<std::string> ids;
  for (const auto& res : t.resources()) ids.emplace_back(res.logical_id);
  CHECK(ids == std::vector<std::string>{"SgSsm", "EndpointSsm", "SgKms", "EndpointKms",
                                        "Queuealphadev", "Queuealphaprod1", "Queuebetadev",
                                        "Queuebetaprod1", "Fixed"});
  CHECK(t.resources()[0].generated_by == "Fn::ForEach::Endpoints");
  CHECK(t.resources()[8].generated_by.empty());
  const polc::Reference* ref =
      find_ref(t, "EndpointKms", "Properties.SecurityGroupIds[0]", "SgKms");
  REQUIRE(ref);
  CHECK(ref->target_kind == polc::TargetKind::kResource);
  CHECK(find_ref(t, "Outputs", "Outputs.SsmEndpointId.Value", "EndpointSsm"));
  CHECK(t.outputs().size() == 3);
  std::vector<std::string> codes;
  for (const auto& d : r.diagnostics.items()) codes.push_back(d.code);
  CHECK(std::count(codes.begin(), codes.end(), "foreach-not-expanded") == 1);
  CHECK(std::count(codes.begin(), codes.end(), "foreach-default") == 1);
}

TEST_CASE("model: duplicate keys keep the last occurrence", "[model]") {
  auto r = load_data("duplicate_keys.json");
  REQUIRE(r.status == polc::LoadStatus::kTemplate);
  const polc::Template& t = *r.tmpl;
  REQUIRE(t.resources().size() == 2);
  const auto& dup = t.resources()[t.find_resource("SgDupLogicalId")];
  CHECK(dup.properties->get("GroupDescription")->str() == "second");
  CHECK(t.resources()[t.find_resource("SgDupProperty")]
            .properties->get("SecurityGroupEgress")
            ->size == 0);
  CHECK(r.diagnostics.size() == 2);
}

TEST_CASE("model: SAM transform, DependsOn, CDK path, outputs", "[model]") {
  auto r = load_data("outputs_refs.json");
  REQUIRE(r.status == polc::LoadStatus::kTemplate);
  const polc::Template& t = *r.tmpl;
  CHECK(t.is_sam());
  const auto& fn = t.resources()[t.find_resource("Fn")];
  CHECK(fn.cdk_path == "Stack/Fn/Resource");
  CHECK(fn.depends_on == std::vector<std::string_view>{"Table"});
  CHECK(t.resources()[t.find_resource("Table")].depends_on.size() == 2);
  CHECK(find_ref(t, "Table", "DependsOn[1]", "Queue"));
  CHECK(find_ref(t, "Outputs", "Outputs.FnArn.Export.Name", "AWS::StackName"));
  // SAM generates `ServerlessRestApi`: no unknown-reference warning in SAM templates.
  CHECK(r.diagnostics.empty());
}

TEST_CASE("model: pseudo parameters", "[model]") {
  CHECK(polc::is_pseudo_parameter("AWS::Region"));
  CHECK(polc::is_pseudo_parameter("AWS::NoValue"));
  CHECK(polc::is_pseudo_parameter("AWS::URLSuffix"));
  CHECK(!polc::is_pseudo_parameter("AWS::Foo"));
  CHECK(!polc::is_pseudo_parameter("Region"));
}

TEST_CASE("model: ForEach expansion limit", "[model]") {
  std::string items;
  for (int i = 0; i < 150; ++i) items += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  // 150 * 150 nested iterations exceed kMaxForEachExpansions.
  std::string json = R"({"Resources": {"Fn::ForEach::A": ["X", [)" + items +
                     R"(], {"Fn::ForEach::B": ["Y", [)" + items +
                     R"(], {"T${X}x${Y}": {"Type": "AWS::SNS::Topic"}}]}]}})";
  auto r = polc::load_template_bytes("limit.json", json);
  REQUIRE(r.status == polc::LoadStatus::kTemplate);
  bool limit = false;
  for (const auto& d : r.diagnostics.items())
    limit = limit || (d.code == "foreach-limit" && d.location.line == 1);
  CHECK(limit);
  CHECK(r.tmpl->resources().size() < polc::kMaxForEachExpansions);
}

TEST_CASE("model: structural problems", "[model]") {
  SECTION("Resources not a map") {
    auto r = polc::load_template_bytes("x.json", R"({"Resources": [1, 2]})");
    CHECK(r.status == polc::LoadStatus::kError);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics.items()[0].code == "resources-not-map");
    CHECK(r.diagnostics.items()[0].location.line == 1);
  }
  SECTION("too many resources") {
    std::string json = "{\"Resources\": {";
    for (std::size_t i = 0; i <= polc::kMaxResources; ++i)
      json += (i ? ",\"R" : "\"R") + std::to_string(i) + "\": {\"Type\": \"AWS::SNS::Topic\"}";
    json += "}}";
    auto r = polc::load_template_bytes("x.json", json);
    CHECK(r.status == polc::LoadStatus::kError);
    REQUIRE(!r.diagnostics.empty());
    CHECK(r.diagnostics.items()[0].code == "too-many-resources");
  }
}

TEST_CASE("model: shared cases 16 and 27 (JSON)", "[model]") {
  const fs::path cases = fs::path(POLC_SOURCE_DIR "/../shared/cases");
  if (!fs::exists(cases)) {
    WARN("shared cases not found; skipping");
    return;
  }
  auto bom = polc::load_template_file((cases / "16-utf8-bom-json" / "template.json").string());
  REQUIRE(bom.status == polc::LoadStatus::kTemplate);
  CHECK(bom.tmpl->resources().size() == 2);
  const auto& sg = bom.tmpl->resources()[bom.tmpl->find_resource("MySG")];
  CHECK(bom.tmpl->file().locate(sg.offset).line == 5);
  CHECK(bom.tmpl->root()->map()[0].key == "AWSTemplateFormatVersion");

  auto deep = polc::load_template_file((cases / "27-deep-nesting-json" / "template.json").string());
  CHECK(deep.status == polc::LoadStatus::kError);
  REQUIRE(deep.diagnostics.size() == 1);
  CHECK(deep.diagnostics.items()[0].code == "nesting-depth");
  CHECK(deep.diagnostics.items()[0].location.line == 5);
}

TEST_CASE("model: shared cases 14 and 19 (YAML)", "[model][yaml]") {
  const fs::path cases = fs::path(POLC_SOURCE_DIR "/../shared/cases");
  if (!fs::exists(cases) || !polc::test::yaml_available()) {
    WARN("shared cases or YAML parser not available; skipping");
    return;
  }
  auto loop = polc::load_template_file((cases / "19-fn-foreach" / "template.yaml").string());
  REQUIRE(loop.status == polc::LoadStatus::kTemplate);
  std::vector<std::string> ids;
  for (const auto& r : loop.tmpl->resources()) ids.emplace_back(r.logical_id);
  CHECK(ids == std::vector<std::string>{"SgSsm", "EndpointSsm", "SgKms", "EndpointKms", "FixedSG",
                                        "FixedEndpoint"});
  const polc::Template& t = *loop.tmpl;
  CHECK(find_ref(t, "EndpointKms", "Properties.SecurityGroupIds[0]", "SgKms"));
  const polc::Reference* out = find_ref(t, "Outputs", "Outputs.SsmEndpointId.Value", "EndpointSsm");
  REQUIRE(out);
  CHECK(out->target_kind == polc::TargetKind::kResource);
  CHECK(loop.diagnostics.empty());

  auto dup = polc::load_template_file((cases / "14-duplicate-keys" / "template.yaml").string());
  REQUIRE(dup.status == polc::LoadStatus::kTemplate);
  CHECK(dup.tmpl->resources().size() == 3);
  std::size_t dups = 0;
  for (const auto& d : dup.diagnostics.items()) dups += d.code == "duplicate-key";
  CHECK(dups == 2);
}
