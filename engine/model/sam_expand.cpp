// The AWS SAM transform's generated resources (build_template, engine/model/template.h): the
// resources `AWS::Serverless::*` resources become, as the SAM translator generates them.
#include <string>
#include <vector>

#include "engine/base/limits.h"
#include "engine/model/template_builder.h"

namespace polc {

/// True for a name the SAM transform gives a resource it generates: `ServerlessRestApi`,
/// `ServerlessHttpApi` and what starts with them (`ServerlessRestApiProdStage`), custom domains
/// (`ApiGatewayDomainName<hash>`, `ApiGatewayDomainNameV2<hash>`), and names that
/// extend the logical ID of an `AWS::Serverless::*` resource of the template: `MyFunctionRole`,
/// `MyFunctionAliaslive`, `MyApiProdStage`, or with a dot, `MyFunction.Version`,
/// `MyApi.Stage`. Facts: AWS SAM Developer Guide, "Generated AWS CloudFormation resources".
bool TemplateBuilder::sam_generated_name(std::string_view name) const {
  if (name.starts_with("ServerlessRestApi") || name.starts_with("ServerlessHttpApi") ||
      name.starts_with("ApiGatewayDomainName"))
    return true;
  for (const Resource& r : t_->resources_) {
    if (!r.type.starts_with("AWS::Serverless::") || !r.generated_by.empty()) continue;
    if (name.size() > r.logical_id.size() && name.starts_with(r.logical_id)) return true;
  }
  return false;
}

Value* TemplateBuilder::new_map(std::uint32_t size, std::uint32_t offset) {
  Arena& a = *t_->doc_->arena;
  Value* v = a.make<Value>();
  v->kind = ValueKind::kMap;
  v->offset = offset;
  v->size = size;
  v->entries = a.array<MapEntry>(size).data();
  return v;
}

Value* TemplateBuilder::new_list(std::uint32_t size, std::uint32_t offset) {
  Arena& a = *t_->doc_->arena;
  Value* v = a.make<Value>();
  v->kind = ValueKind::kList;
  v->offset = offset;
  v->size = size;
  v->items = a.array<Value*>(size).data();
  return v;
}

Value* TemplateBuilder::new_string(std::string_view s, std::uint32_t offset) {
  Value* v = t_->doc_->arena->make<Value>();
  v->kind = ValueKind::kString;
  v->quoted = true;
  v->offset = offset;
  v->chars = s.data();  // static text or text of the template
  v->size = static_cast<std::uint32_t>(s.size());
  return v;
}

/// Adds the resource the SAM transform generates from resource `sam_index`: located at the SAM
/// resource (its findings point there), with its other attributes (Condition, DependsOn,
/// Metadata) copied, except the Condition when `unconditional` (the implicit APIs, which several
/// resources share). Nothing is added under a logical ID the template or an earlier generated
/// resource already has (the SAM resource's own ID aside: a SimpleTable's table keeps it).
bool TemplateBuilder::add_generated(std::uint32_t sam_index, std::string_view logical_id,
                                    std::string_view type, Value* properties, bool unconditional) {
  if (t_->resources_.size() >= kMaxResources) return false;
  const Resource sam = t_->resources_[sam_index];
  if (logical_id != sam.logical_id && t_->find_resource(logical_id) != kNoIndex) return false;
  std::uint32_t extra = 0;
  for (const MapEntry& e : sam.node->map())
    if (e.key != "Type" && e.key != "Properties" && !(unconditional && e.key == "Condition"))
      ++extra;
  Value* node = new_map(2 + extra, sam.node->offset);
  node->entries[0] = {"Type", sam.offset, new_string(type, sam.offset)};
  node->entries[1] = {"Properties", sam.offset, properties};
  std::uint32_t k = 2;
  for (const MapEntry& e : sam.node->map())
    if (e.key != "Type" && e.key != "Properties" && !(unconditional && e.key == "Condition"))
      node->entries[k++] = e;
  Resource r = sam;
  r.logical_id = logical_id;
  r.type = type;
  r.node = node;
  r.properties = properties;
  r.generated_by = sam.type;
  if (unconditional) r.condition = {};
  auto index = static_cast<std::uint32_t>(t_->resources_.size());
  t_->resource_by_id_.emplace(r.logical_id, index);  // the SAM resource keeps a shared ID
  t_->by_type_[r.type].push_back(index);
  t_->resources_.push_back(std::move(r));
  return true;
}

Value* TemplateBuilder::ref_to(std::string_view logical_id, std::uint32_t offset) {
  Value* m = map_of({{"Ref", offset, new_string(logical_id, offset)}}, offset);
  m->intrinsic = Intrinsic::kRef;
  return m;
}

/// The resources of the SAM transform (AWS::Serverless-2016-10-31) whose settings policies for
/// the generated types must see, as the SAM translator generates them (samtranslator 1.110,
/// `model/sam_resources.py`, `model/api/*_generator.py`, `model/eventsources/*.py`): names,
/// types and the properties that carry security-relevant settings. `Globals` are already merged
/// into the SAM resources' properties (merge_sam_globals). Facts: AWS SAM Developer Guide, "AWS
/// SAM resources and properties" and "Generated AWS CloudFormation resources".
void TemplateBuilder::expand_sam() {
  const std::size_t declared = t_->resources_.size();
  for (std::uint32_t i = 0; i < declared; ++i) {
    const Resource r = t_->resources_[i];
    if (!r.type.starts_with("AWS::Serverless::") || r.node == nullptr) continue;
    const Value* own = r.properties && r.properties->is_map() ? r.properties : nullptr;
    auto prop = [&](std::string_view name) -> const Value* {
      return own ? own->get(name) : nullptr;
    };
    const std::uint32_t at = r.offset;
    std::vector<MapEntry> out;
    auto put = [&](std::string_view key, const Value* v) {
      if (v) out.push_back({key, v->offset, const_cast<Value*>(v)});
    };
    auto emit = [&](std::string_view logical_id, std::string_view type) {
      add_generated(i, logical_id, type, map_of(out, own ? own->offset : at));
      out.clear();
    };
    if (r.type == "AWS::Serverless::SimpleTable") {
      // The key: PrimaryKey {Name, Type} (default id, String), as AttributeDefinitions and
      // KeySchema.
      const Value* pk = prop("PrimaryKey");
      const Value* pk_name = pk && pk->is_map() ? pk->get("Name") : nullptr;
      const Value* pk_type = pk && pk->is_map() ? pk->get("Type") : nullptr;
      Value* name = pk_name ? const_cast<Value*>(pk_name) : new_string("id", at);
      std::string_view type_code = "S";
      if (pk_type && pk_type->is_string())
        type_code = pk_type->str() == "Number" ? "N" : pk_type->str() == "Binary" ? "B" : "S";
      put("AttributeDefinitions",
          list_of({map_of({{"AttributeName", at, name},
                           {"AttributeType", at, new_string(type_code, at)}},
                          at)},
                  at));
      put("KeySchema",
          list_of(
              {map_of({{"AttributeName", at, name}, {"KeyType", at, new_string("HASH", at)}}, at)},
              at));
      put("PointInTimeRecoverySpecification", prop("PointInTimeRecoverySpecification"));
      if (const Value* v = prop("ProvisionedThroughput"))
        put("ProvisionedThroughput", v);
      else
        put("BillingMode", new_string("PAY_PER_REQUEST", at));
      put("SSESpecification", prop("SSESpecification"));
      put("TableName", prop("TableName"));
      emit(r.logical_id, "AWS::DynamoDB::Table");
    } else if (r.type == "AWS::Serverless::Function") {
      expand_function(i);
    } else if (r.type == "AWS::Serverless::StateMachine") {
      put("LoggingConfiguration", prop("Logging"));
      put("TracingConfiguration", prop("Tracing"));
      put("StateMachineType", prop("Type"));
      put("StateMachineName", prop("Name"));
      put("RoleArn", prop("Role"));
      emit(r.logical_id, "AWS::StepFunctions::StateMachine");
      if (!prop("Role"))
        expand_role(i, prop("Policies"), prop("PermissionsBoundary"), prop("RolePath"),
                    "states.amazonaws.com");
    } else if (r.type == "AWS::Serverless::Api") {
      expand_rest_api(i, r.logical_id, own, false);
    } else if (r.type == "AWS::Serverless::HttpApi") {
      expand_http_api(i, r.logical_id, own, false);
    } else if (r.type == "AWS::Serverless::GraphQLApi") {
      expand_graphql_api(i);
    } else if (r.type == "AWS::Serverless::LayerVersion") {
      put("LayerName", prop("LayerName"));
      put("CompatibleRuntimes", prop("CompatibleRuntimes"));
      put("LicenseInfo", prop("LicenseInfo"));
      emit(r.logical_id, "AWS::Lambda::LayerVersion");
    }
  }
  expand_implicit_apis();
}

Value* TemplateBuilder::map_of(const std::vector<MapEntry>& entries, std::uint32_t offset) {
  Value* m = new_map(static_cast<std::uint32_t>(entries.size()), offset);
  for (std::size_t k = 0; k < entries.size(); ++k) m->entries[k] = entries[k];
  return m;
}

Value* TemplateBuilder::list_of(const std::vector<Value*>& items, std::uint32_t offset) {
  Value* l = new_list(static_cast<std::uint32_t>(items.size()), offset);
  for (std::size_t k = 0; k < items.size(); ++k) l->items[k] = items[k];
  return l;
}

}  // namespace polc
