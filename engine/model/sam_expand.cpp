// The AWS SAM transform's generated resources (build_template, engine/model/template.h): the
// resources `AWS::Serverless::*` resources become, as the SAM translator generates them.
#include <string>
#include <vector>

#include "engine/base/limits.h"
#include "engine/model/template_builder.h"

namespace polc {

/// True for a name the SAM transform gives a resource it generates: `ServerlessRestApi`,
/// `ServerlessHttpApi` and what starts with them (`ServerlessRestApiProdStage`), and names that
/// extend the logical ID of an `AWS::Serverless::*` resource of the template: `MyFunctionRole`,
/// `MyFunctionAliaslive`, `MyApiProdStage`, or with a dot, `MyFunction.Version`,
/// `MyApi.Stage`. Facts: AWS SAM Developer Guide, "Generated AWS CloudFormation resources".
bool TemplateBuilder::sam_generated_name(std::string_view name) const {
  if (name.starts_with("ServerlessRestApi") || name.starts_with("ServerlessHttpApi")) return true;
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
/// Metadata) copied.
void TemplateBuilder::add_generated(std::uint32_t sam_index, std::string_view logical_id,
                                    std::string_view type, Value* properties) {
  if (t_->resources_.size() >= kMaxResources) return;
  const Resource sam = t_->resources_[sam_index];
  std::uint32_t extra = 0;
  for (const MapEntry& e : sam.node->map())
    if (e.key != "Type" && e.key != "Properties") ++extra;
  Value* node = new_map(2 + extra, sam.node->offset);
  node->entries[0] = {"Type", sam.offset, new_string(type, sam.offset)};
  node->entries[1] = {"Properties", sam.offset, properties};
  std::uint32_t k = 2;
  for (const MapEntry& e : sam.node->map())
    if (e.key != "Type" && e.key != "Properties") node->entries[k++] = e;
  Resource r = sam;
  r.logical_id = logical_id;
  r.type = type;
  r.node = node;
  r.properties = properties;
  r.generated_by = sam.type;
  auto index = static_cast<std::uint32_t>(t_->resources_.size());
  t_->resource_by_id_.emplace(r.logical_id, index);  // the SAM resource keeps a shared ID
  t_->by_type_[r.type].push_back(index);
  t_->resources_.push_back(std::move(r));
}

/// The resources of the SAM transform (AWS::Serverless-2016-10-31) whose settings policies for
/// the generated types must see, as the SAM translator generates them (samtranslator 1.110,
/// `model/sam_resources.py`, `model/api/*_generator.py`): names, types and the properties that
/// carry security-relevant settings. Globals (`Globals.Function`, `Api`, `HttpApi`,
/// `SimpleTable`, `StateMachine` is not a Globals section) are merged key by key, the resource's
/// own keys first. Facts: AWS SAM Developer Guide, "AWS SAM resources and properties" and
/// "Generated AWS CloudFormation resources".
void TemplateBuilder::expand_sam() {
  const Value* globals = t_->doc_->root->get("Globals");
  auto section = [&](std::string_view name) -> const Value* {
    const Value* g = globals && globals->is_map() ? globals->get(name) : nullptr;
    return g && g->is_map() ? g : nullptr;
  };
  const std::size_t declared = t_->resources_.size();
  for (std::uint32_t i = 0; i < declared; ++i) {
    const Resource r = t_->resources_[i];
    if (!r.type.starts_with("AWS::Serverless::") || r.node == nullptr) continue;
    const Value* own = r.properties && r.properties->is_map() ? r.properties : nullptr;
    const Value* glob = r.type == "AWS::Serverless::Function"      ? section("Function")
                        : r.type == "AWS::Serverless::Api"         ? section("Api")
                        : r.type == "AWS::Serverless::HttpApi"     ? section("HttpApi")
                        : r.type == "AWS::Serverless::SimpleTable" ? section("SimpleTable")
                                                                   : nullptr;
    auto prop = [&](std::string_view name) -> const Value* {
      const Value* v = own ? own->get(name) : nullptr;
      if (!v && glob) v = glob->get(name);
      return v;
    };
    // A map property with the Globals' keys merged under the resource's own.
    auto merged = [&](std::string_view name) -> Value* {
      const Value* mine = own ? own->get(name) : nullptr;
      const Value* theirs = glob ? glob->get(name) : nullptr;
      if (!mine || !theirs || !mine->is_map() || !theirs->is_map())
        return const_cast<Value*>(mine ? mine : theirs);
      std::vector<MapEntry> out(mine->map().begin(), mine->map().end());
      for (const MapEntry& e : theirs->map())
        if (!mine->find(e.key)) out.push_back(e);
      return map_of(out, mine->offset);
    };
    const std::uint32_t at = r.offset;
    auto id = [&](std::string_view suffix) {
      return t_->doc_->arena->copy(std::string(r.logical_id) + std::string(suffix));
    };
    auto ref_self = [&] {
      Value* m = new_map(1, at);
      m->entries[0] = {"Ref", at, new_string(r.logical_id, at)};
      m->intrinsic = Intrinsic::kRef;
      return m;
    };
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
      // FunctionUrlConfig -> <Fn>Url (AWS::Lambda::Url).
      if (Value* url = merged("FunctionUrlConfig"); url && url->is_map()) {
        for (const MapEntry& e : url->map())
          if (e.key == "AuthType" || e.key == "Cors" || e.key == "InvokeMode") put(e.key, e.value);
        put("TargetFunctionArn", ref_self());
        emit(id("Url"), "AWS::Lambda::Url");
      }
      // EventInvokeConfig -> <Fn>EventInvokeConfig, and for an SNS or SQS destination without
      // `Destination`, the topic or queue SAM creates (with no encryption settings).
      if (Value* eic = merged("EventInvokeConfig"); eic && eic->is_map()) {
        const Value* dest = eic->get("DestinationConfig");
        for (std::string_view on : {std::string_view("OnSuccess"), std::string_view("OnFailure")}) {
          const Value* d = dest && dest->is_map() ? dest->get(on) : nullptr;
          const Value* type = d && d->is_map() ? d->get("Type") : nullptr;
          if (!type || !type->is_string() || d->get("Destination")) continue;
          const std::string base =
              std::string(r.logical_id) + "EventInvokeConfig" + std::string(on);
          if (type->str() == "SNS")
            emit(t_->doc_->arena->copy(base + "Topic"), "AWS::SNS::Topic");
          else if (type->str() == "SQS")
            emit(t_->doc_->arena->copy(base + "Queue"), "AWS::SQS::Queue");
        }
        put("FunctionName", ref_self());
        put("DestinationConfig", dest);
        put("MaximumEventAgeInSeconds", eic->get("MaximumEventAgeInSeconds"));
        put("MaximumRetryAttempts", eic->get("MaximumRetryAttempts"));
        emit(id("EventInvokeConfig"), "AWS::Lambda::EventInvokeConfig");
      }
      if (!prop("Role"))
        expand_role(i, prop("Policies"), prop("PermissionsBoundary"), prop("RolePath"),
                    "lambda.amazonaws.com");
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
      put("EndpointConfiguration", prop("EndpointConfiguration"));
      put("Name", prop("Name"));
      put("DisableExecuteApiEndpoint", prop("DisableExecuteApiEndpoint"));
      // The definition: the template's own, else (with `Auth`) the one SAM writes.
      Value* body = nullptr;
      if (Value* auth = merged("Auth"); auth && auth->is_map())
        expand_api_auth(i, auth, false, body);
      if (const Value* def = prop("DefinitionBody")) body = const_cast<Value*>(def);
      put("Body", body);
      emit(r.logical_id, "AWS::ApiGateway::RestApi");
      const Value* stage = prop("StageName");
      put("RestApiId", ref_self());
      put("StageName", stage);
      put("AccessLogSetting", prop("AccessLogSetting"));
      put("MethodSettings", prop("MethodSettings"));
      put("TracingEnabled", prop("TracingEnabled"));
      put("CacheClusterEnabled", prop("CacheClusterEnabled"));
      put("Variables", prop("Variables"));
      const std::string_view stage_name =
          stage && stage->is_string() ? stage->str() : std::string_view("Stage");
      emit(t_->doc_->arena->copy(std::string(r.logical_id) + std::string(stage_name) + "Stage"),
           "AWS::ApiGateway::Stage");
    } else if (r.type == "AWS::Serverless::HttpApi") {
      put("Name", prop("Name"));
      put("DisableExecuteApiEndpoint", prop("DisableExecuteApiEndpoint"));
      put("ProtocolType", new_string("HTTP", at));
      Value* body = nullptr;
      if (Value* auth = merged("Auth"); auth && auth->is_map())
        expand_api_auth(i, auth, true, body);
      if (const Value* def = prop("DefinitionBody")) body = const_cast<Value*>(def);
      put("Body", body);
      emit(r.logical_id, "AWS::ApiGatewayV2::Api");
      const Value* stage = prop("StageName");
      put("ApiId", ref_self());
      put("StageName", stage ? stage : new_string("$default", at));
      put("AccessLogSettings", prop("AccessLogSettings"));
      put("DefaultRouteSettings", prop("DefaultRouteSettings"));
      put("RouteSettings", prop("RouteSettings"));
      put("StageVariables", prop("StageVariables"));
      emit(stage && stage->is_string() ? t_->doc_->arena->copy(std::string(r.logical_id) +
                                                               std::string(stage->str()) + "Stage")
                                       : id("ApiGatewayDefaultStage"),
           "AWS::ApiGatewayV2::Stage");
    } else if (r.type == "AWS::Serverless::LayerVersion") {
      put("LayerName", prop("LayerName"));
      put("CompatibleRuntimes", prop("CompatibleRuntimes"));
      put("LicenseInfo", prop("LicenseInfo"));
      emit(r.logical_id, "AWS::Lambda::LayerVersion");
    }
  }
  expand_implicit_apis(globals);
}

/// The implicit APIs SAM creates for function events without an API of their own: an `Api`
/// event without `RestApiId` makes `ServerlessRestApi` and its stage `ServerlessRestApiProdStage`
/// (stage `Prod`), an `HttpApi` event without `ApiId` makes `ServerlessHttpApi` and
/// `ServerlessHttpApiApiGatewayDefaultStage` (`$default`), each with the settings of
/// `Globals.Api` / `Globals.HttpApi` (samtranslator `plugins/api/implicit_*_api_plugin.py`).
/// Located at the first function with such an event; no condition of the function is copied.
void TemplateBuilder::expand_implicit_apis(const Value* globals) {
  std::uint32_t rest_fn = kNoIndex, http_fn = kNoIndex;
  const std::size_t declared = t_->resources_.size();
  for (std::uint32_t i = 0; i < declared; ++i) {
    const Resource& fn = t_->resources_[i];
    if (fn.type != "AWS::Serverless::Function" || !fn.generated_by.empty() || !fn.properties ||
        !fn.properties->is_map())
      continue;
    const Value* events = fn.properties->get("Events");
    for (const MapEntry& ev :
         events && events->is_map() ? events->map() : std::span<const MapEntry>()) {
      const Value* type = ev.value && ev.value->is_map() ? ev.value->get("Type") : nullptr;
      const Value* p = ev.value && ev.value->is_map() ? ev.value->get("Properties") : nullptr;
      if (!type || !type->is_string()) continue;
      const bool map = p && p->is_map();
      if (type->str() == "Api" && rest_fn == kNoIndex && !(map && p->get("RestApiId"))) rest_fn = i;
      if (type->str() == "HttpApi" && http_fn == kNoIndex && !(map && p->get("ApiId"))) http_fn = i;
    }
  }
  auto section = [&](std::string_view name) -> const Value* {
    const Value* g = globals && globals->is_map() ? globals->get(name) : nullptr;
    return g && g->is_map() ? g : nullptr;
  };
  auto emit = [&](std::uint32_t fn, std::string_view id, std::string_view type,
                  std::vector<MapEntry> props) {
    if (t_->find_resource(id) != kNoIndex) return;  // the template declares it itself
    const std::uint32_t at = t_->resources_[fn].offset;
    add_generated(fn, id, type, map_of(props, at));
    if (t_->resources_.back().logical_id == id) t_->resources_.back().condition = {};
  };
  auto ref = [&](std::string_view name, std::uint32_t at) {
    Value* m = map_of({{"Ref", at, new_string(name, at)}}, at);
    m->intrinsic = Intrinsic::kRef;
    return m;
  };
  if (rest_fn != kNoIndex) {
    const Value* g = section("Api");
    const std::uint32_t at = t_->resources_[rest_fn].offset;
    std::vector<MapEntry> api, stage;
    auto put = [&](std::vector<MapEntry>& out, std::string_view key) {
      if (const Value* v = g ? g->get(key) : nullptr)
        out.push_back({key, v->offset, const_cast<Value*>(v)});
    };
    put(api, "EndpointConfiguration");
    put(api, "DisableExecuteApiEndpoint");
    emit(rest_fn, "ServerlessRestApi", "AWS::ApiGateway::RestApi", api);
    stage.push_back({"RestApiId", at, ref("ServerlessRestApi", at)});
    stage.push_back({"StageName", at, new_string("Prod", at)});
    for (std::string_view k : {"AccessLogSetting", "MethodSettings", "TracingEnabled",
                               "CacheClusterEnabled", "Variables"})
      put(stage, k);
    emit(rest_fn, "ServerlessRestApiProdStage", "AWS::ApiGateway::Stage", stage);
  }
  if (http_fn != kNoIndex) {
    const Value* g = section("HttpApi");
    const std::uint32_t at = t_->resources_[http_fn].offset;
    std::vector<MapEntry> api, stage;
    auto put = [&](std::vector<MapEntry>& out, std::string_view key) {
      if (const Value* v = g ? g->get(key) : nullptr)
        out.push_back({key, v->offset, const_cast<Value*>(v)});
    };
    put(api, "DisableExecuteApiEndpoint");
    api.push_back({"ProtocolType", at, new_string("HTTP", at)});
    emit(http_fn, "ServerlessHttpApi", "AWS::ApiGatewayV2::Api", api);
    stage.push_back({"ApiId", at, ref("ServerlessHttpApi", at)});
    stage.push_back({"StageName", at, new_string("$default", at)});
    for (std::string_view k :
         {"AccessLogSettings", "DefaultRouteSettings", "RouteSettings", "StageVariables"})
      put(stage, k);
    emit(http_fn, "ServerlessHttpApiApiGatewayDefaultStage", "AWS::ApiGatewayV2::Stage", stage);
  }
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
