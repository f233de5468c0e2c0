// build_template: sections, ForEach expansion, canonical intrinsics, reference graph.
#include "engine/model/template.h"

#include <algorithm>
#include <atomic>
#include <array>

#include "engine/base/limits.h"
#include "engine/base/message_text.h"
#include "engine/model/foreach.h"
#include "engine/model/intrinsics.h"

namespace polc {

std::uint64_t Template::next_serial() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}
namespace {

/// The reference walk recurses per nesting level; trees are bounded by `kMaxNestingDepth`
/// (loader bound) and ForEach copies do not deepen them. Deeper values are not walked.
constexpr std::size_t kMaxWalkDepth = kMaxNestingDepth + 16;

constexpr std::string_view kSamTransform = "AWS::Serverless-2016-10-31";

const std::vector<std::uint32_t>& empty_indices() {
  static const std::vector<std::uint32_t> kEmpty;
  return kEmpty;
}

/// Appends `.key` (or `["key"]` when the key has characters that would be ambiguous).
void append_key(std::string& path, std::string_view key) {
  // A plain loop: `find_first_of` with a set calls memchr once per character of the key.
  bool plain = !key.empty();
  for (char c : key) {
    if (c == '.' || c == '[' || c == ']' || c == '"' || c == ' ') {
      plain = false;
      break;
    }
  }
  if (plain) {
    if (!path.empty()) path += '.';
    path += key;
    return;
  }
  path += "[\"";
  for (char c : key) {
    if (c == '"' || c == '\\') path += '\\';
    path += c;
  }
  path += "\"]";
}

}  // namespace

bool is_pseudo_parameter(std::string_view name) {
  static constexpr std::array<std::string_view, 8> kPseudo = {
      "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",   "AWS::Partition",
      "AWS::Region",    "AWS::StackId",          "AWS::StackName", "AWS::URLSuffix"};
  for (std::string_view p : kPseudo)
    if (p == name) return true;
  return false;
}

std::uint32_t Template::find_resource(std::string_view logical_id) const {
  auto it = resource_by_id_.find(logical_id);
  return it == resource_by_id_.end() ? kNoIndex : it->second;
}

std::uint32_t Template::find_parameter(std::string_view name) const {
  auto it = parameter_by_name_.find(name);
  return it == parameter_by_name_.end() ? kNoIndex : it->second;
}

const ConditionDecl* Template::find_condition(std::string_view name) const {
  for (const ConditionDecl& c : conditions_)
    if (c.name == name) return &c;
  return nullptr;
}

const std::vector<std::uint32_t>& Template::resources_of_type(std::string_view type) const {
  auto it = by_type_.find(type);
  return it == by_type_.end() ? empty_indices() : it->second;
}

const std::vector<std::uint32_t>& Template::references_from(std::uint32_t index) const {
  return index < refs_from_.size() ? refs_from_[index] : empty_indices();
}

const std::vector<std::uint32_t>& Template::references_to(std::uint32_t index) const {
  return index < refs_to_.size() ? refs_to_[index] : empty_indices();
}

class TemplateBuilder {
 public:
  TemplateBuilder(std::unique_ptr<Document> doc, Diagnostics& diags)
      : t_(init(std::move(doc))), diags_(diags), file_(*t_->doc_->file) {}

  std::unique_ptr<Template> build();

 private:
  static std::unique_ptr<Template> init(std::unique_ptr<Document> doc) {
    auto t = std::make_unique<Template>();
    t->doc_ = std::move(doc);
    return t;
  }
  Location at(std::uint32_t offset) const { return Location::at(file_, offset); }
  void read_transform(const Value* v);
  void read_parameters(const Value* v);
  void read_conditions(const Value* v);
  void read_resources(const MapEntry& section, const std::vector<std::string_view>& generated);
  void read_outputs(const Value* v);
  void expand_sam();
  bool sam_generated_name(std::string_view name) const;
  void add_generated(std::uint32_t sam_index, std::string_view logical_id, std::string_view type,
                     Value* properties);
  Value* new_map(std::uint32_t size, std::uint32_t offset);
  Value* new_string(std::string_view s, std::uint32_t offset);
  Value* new_list(std::uint32_t size, std::uint32_t offset);
  Value* map_of(const std::vector<MapEntry>& entries, std::uint32_t offset);
  Value* list_of(const std::vector<Value*>& items, std::uint32_t offset);
  void expand_role(std::uint32_t sam_index, const Value* policies, const Value* boundary,
                   const Value* path, std::string_view service);
  void link();
  void walk(const Value* v, std::string& path, bool frozen, std::size_t depth);
  void add_ref(RefKind kind, const Value* node, std::uint32_t offset, std::string_view target,
               std::string_view attribute, const std::string& path);
  void sub_refs(const Value* node, const Value* arg, const std::string& path);

  std::unique_ptr<Template> t_;
  Diagnostics& diags_;
  const SourceFile& file_;
  // Walk state.
  std::uint32_t from_ = kNoIndex;
  std::vector<ConditionGuard> guards_;
};

void TemplateBuilder::read_transform(const Value* v) {
  if (v == nullptr) return;
  if (v->is_string()) {
    t_->sam_ = v->str() == kSamTransform;
  } else if (v->is_list()) {
    for (const Value* item : v->list())
      if (item && item->is_string() && item->str() == kSamTransform) t_->sam_ = true;
  }
}

void TemplateBuilder::read_parameters(const Value* v) {
  if (v == nullptr || !v->is_map()) return;
  for (const MapEntry& e : v->map()) {
    Parameter p;
    p.name = e.key;
    p.offset = e.key_offset;
    p.node = e.value;
    if (e.value && e.value->is_map()) {
      const Value* type = e.value->get("Type");
      if (type && type->is_string()) p.type = type->str();
      p.default_value = e.value->get("Default");
    }
    t_->parameter_by_name_.emplace(p.name, static_cast<std::uint32_t>(t_->parameters_.size()));
    t_->parameters_.push_back(p);
  }
}

void TemplateBuilder::read_conditions(const Value* v) {
  if (v == nullptr || !v->is_map()) return;
  for (const MapEntry& e : v->map()) t_->conditions_.push_back({e.key, e.key_offset, e.value});
}

void TemplateBuilder::read_resources(const MapEntry& section,
                                     const std::vector<std::string_view>& generated) {
  const Value* v = section.value;
  if (v == nullptr || v->is_null()) return;
  if (!v->is_map()) {
    diags_.error("resources-not-map", at(v->offset),
                 "'Resources' must be a map of logical IDs to resources, not a " +
                     std::string(kind_name(v->kind)));
    return;
  }
  // One allocation each, not a doubling series (a Resource is over 100 bytes).
  const std::size_t expected = std::min<std::size_t>(v->size, kMaxResources);
  t_->resources_.reserve(expected);
  t_->resource_by_id_.reserve(expected);
  for (std::uint32_t i = 0; i < v->size; ++i) {
    const MapEntry& e = v->entries[i];
    if (internal::is_foreach_key(e.key)) continue;  // reported by the expander
    if (t_->resources_.size() >= kMaxResources) {
      diags_.error("too-many-resources", at(e.key_offset),
                   "template declares more than " + std::to_string(kMaxResources) +
                       " resources; the rest are not loaded");
      return;
    }
    Resource r;
    r.logical_id = e.key;
    r.offset = e.key_offset;
    r.node = e.value;
    if (i < generated.size()) r.generated_by = generated[i];
    const Value* body = e.value;
    if (body == nullptr || !body->is_map()) {
      diags_.warning("resource-not-map", at(e.key_offset),
                     "resource " + internal::quote_name(e.key) + " is not a map");
      body = nullptr;
    }
    const Value* type = body ? body->get("Type") : nullptr;
    if (type && type->is_string()) {
      r.type = type->str();
    } else if (body) {
      diags_.warning("missing-type", at(e.key_offset),
                     "resource " + internal::quote_name(e.key) + " has no 'Type'");
    }
    if (body) {
      r.properties = body->get("Properties");
      r.metadata = body->get("Metadata");
      const Value* cond = body->get("Condition");
      if (cond && cond->is_string()) r.condition = cond->str();
      const Value* deps = body->get("DependsOn");
      if (deps && deps->is_string()) r.depends_on.push_back(deps->str());
      for (const Value* d : deps ? deps->list() : std::span<Value* const>())
        if (d && d->is_string()) r.depends_on.push_back(d->str());
      const Value* cdk = r.metadata ? r.metadata->get("aws:cdk:path") : nullptr;
      if (cdk && cdk->is_string()) r.cdk_path = cdk->str();
    }
    auto index = static_cast<std::uint32_t>(t_->resources_.size());
    t_->resource_by_id_.emplace(r.logical_id, index);
    t_->by_type_[r.type].push_back(index);
    t_->resources_.push_back(std::move(r));
  }
}

void TemplateBuilder::read_outputs(const Value* v) {
  if (v == nullptr || !v->is_map()) return;
  for (const MapEntry& e : v->map())
    if (!internal::is_foreach_key(e.key)) t_->outputs_.push_back({e.key, e.key_offset, e.value});
}

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
}

/// The execution role SAM creates for a function or state machine without `Role`:
/// `<Id>Role`, trusted by `service`, with the managed policies named in `Policies` (and, for
/// functions, AWSLambdaBasicExecutionRole) and its inline documents (items with a `Statement`;
/// SAM policy templates such as `S3ReadPolicy` are not expanded).
void TemplateBuilder::expand_role(std::uint32_t sam_index, const Value* policies,
                                  const Value* boundary, const Value* path,
                                  std::string_view service) {
  const Resource r = t_->resources_[sam_index];
  const std::uint32_t at = r.offset;
  std::vector<Value*> managed, inline_docs;
  if (service == "lambda.amazonaws.com")
    managed.push_back(
        new_string("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", at));
  std::vector<const Value*> items;
  if (policies && policies->is_list())
    for (const Value* v : policies->list()) items.push_back(v);
  else if (policies)
    items.push_back(policies);
  std::size_t n = 0;
  for (const Value* v : items) {
    if (!v) continue;
    if (v->is_string() || (v->is_map() && v->is_intrinsic())) {
      managed.push_back(const_cast<Value*>(v));
    } else if (v->is_map() && v->get("Statement")) {
      const std::string name = std::string(r.logical_id) + "RolePolicy" + std::to_string(n++);
      inline_docs.push_back(
          map_of({{"PolicyName", v->offset, new_string(t_->doc_->arena->copy(name), v->offset)},
                  {"PolicyDocument", v->offset, const_cast<Value*>(v)}},
                 v->offset));
    }
  }
  Value* principal = map_of({{"Service", at, new_string(service, at)}}, at);
  Value* trust =
      map_of({{"Version", at, new_string("2012-10-17", at)},
              {"Statement", at,
               list_of({map_of({{"Effect", at, new_string("Allow", at)},
                                {"Action", at, list_of({new_string("sts:AssumeRole", at)}, at)},
                                {"Principal", at, principal}},
                               at)},
                       at)}},
             at);
  std::vector<MapEntry> props{{"AssumeRolePolicyDocument", at, trust},
                              {"ManagedPolicyArns", at, list_of(managed, at)}};
  if (!inline_docs.empty()) props.push_back({"Policies", at, list_of(inline_docs, at)});
  if (boundary)
    props.push_back({"PermissionsBoundary", boundary->offset, const_cast<Value*>(boundary)});
  if (path) props.push_back({"Path", path->offset, const_cast<Value*>(path)});
  add_generated(sam_index, t_->doc_->arena->copy(std::string(r.logical_id) + "Role"),
                "AWS::IAM::Role", map_of(props, at));
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

void TemplateBuilder::add_ref(RefKind kind, const Value* node, std::uint32_t offset,
                              std::string_view target, std::string_view attribute,
                              const std::string& path) {
  Reference r;
  r.from = from_;
  r.path = path;
  r.node = node;
  r.offset = offset;
  r.kind = kind;
  r.target = target;
  r.attribute = attribute;
  r.guards = guards_;
  if (std::uint32_t i = t_->find_resource(target); i != kNoIndex) {
    r.target_kind = TargetKind::kResource;
    r.target_index = i;
  } else if (std::uint32_t p = t_->find_parameter(target); p != kNoIndex) {
    r.target_kind = TargetKind::kParameter;
    r.target_index = p;
  } else if (is_pseudo_parameter(target)) {
    r.target_kind = TargetKind::kPseudoParameter;
  } else {
    r.target_kind = TargetKind::kUnknown;
    // SAM generates resources (`MyFunctionRole`, `ServerlessRestApi`) the template refers to.
    if (!t_->sam_ || !sam_generated_name(target)) {
      std::string what = kind == RefKind::kRef      ? "Ref to"
                         : kind == RefKind::kGetAtt ? "Fn::GetAtt of"
                         : kind == RefKind::kSub    ? "Fn::Sub variable naming"
                                                    : "DependsOn on";
      diags_.warning("unknown-reference", at(offset),
                     what + " unknown logical ID " + internal::quote_name(target));
    }
  }
  auto index = static_cast<std::uint32_t>(t_->references_.size());
  if (r.from != kNoIndex) t_->refs_from_[r.from].push_back(index);
  if (r.target_kind == TargetKind::kResource) t_->refs_to_[r.target_index].push_back(index);
  t_->references_.push_back(std::move(r));
}

void TemplateBuilder::sub_refs(const Value* node, const Value* arg, const std::string& path) {
  const Value* text = arg;
  const Value* vars = nullptr;
  if (arg && arg->is_list() && arg->size >= 1) {
    text = arg->items[0];
    vars = arg->size >= 2 ? arg->items[1] : nullptr;
  }
  if (text == nullptr || !text->is_string()) return;
  internal::for_each_sub_variable(text->str(), [&](std::string_view name, std::size_t) {
    if (vars && vars->is_map() && vars->find(name)) return;
    std::string_view target = name;
    std::string_view attribute;
    // `${AWS::Region}` has no attribute; `${Res.Attr.Name}` splits at the first dot.
    if (!is_pseudo_parameter(name)) {
      std::size_t dot = name.find('.');
      if (dot != std::string_view::npos) {
        target = name.substr(0, dot);
        attribute = name.substr(dot + 1);
      }
    }
    add_ref(RefKind::kSub, node, text->offset, target, attribute, path);
  });
}

void TemplateBuilder::walk(const Value* v, std::string& path, bool frozen, std::size_t depth) {
  if (v == nullptr || depth > kMaxWalkDepth) return;
  const std::size_t mark = path.size();
  if (v->is_list()) {
    for (std::uint32_t i = 0; i < v->size; ++i) {
      if (!frozen) path.append("[").append(std::to_string(i)).append("]");
      walk(v->items[i], path, frozen, depth + 1);
      path.resize(mark);
    }
    return;
  }
  if (!v->is_map()) return;
  if (v->is_intrinsic()) {
    const Value* arg = v->arg();
    switch (v->intrinsic) {
      case Intrinsic::kRef:
        if (arg && arg->is_string()) add_ref(RefKind::kRef, v, v->offset, arg->str(), {}, path);
        return;
      case Intrinsic::kGetAtt:
        if (arg && arg->is_list() && arg->size >= 1 && arg->items[0] &&
            arg->items[0]->is_string()) {
          const Value* attr = arg->size >= 2 ? arg->items[1] : nullptr;
          add_ref(RefKind::kGetAtt, v, v->offset, arg->items[0]->str(),
                  attr && attr->is_string() ? attr->str() : std::string_view(), path);
        }
        walk(arg, path, true, depth + 1);
        return;
      case Intrinsic::kSub:
        sub_refs(v, arg, path);
        if (arg && arg->is_list() && arg->size >= 2) walk(arg->items[1], path, true, depth + 1);
        return;
      case Intrinsic::kImportValue:
        t_->imports_.push_back({from_, path, v});
        walk(arg, path, true, depth + 1);
        return;
      case Intrinsic::kIf:
        if (arg && arg->is_list() && arg->size == 3 && arg->items[0] &&
            arg->items[0]->is_string()) {
          std::string_view cond = arg->items[0]->str();
          for (int b = 1; b <= 2; ++b) {
            guards_.push_back({cond, b == 1});
            walk(arg->items[b], path, frozen, depth + 1);
            guards_.pop_back();
          }
          return;
        }
        walk(arg, path, true, depth + 1);
        return;
      default:
        walk(arg, path, true, depth + 1);
        return;
    }
  }
  for (const MapEntry& e : v->map()) {
    if (!frozen) append_key(path, e.key);
    walk(e.value, path, frozen, depth + 1);
    path.resize(mark);
  }
}

void TemplateBuilder::link() {
  t_->refs_from_.assign(t_->resources_.size(), {});
  t_->refs_to_.assign(t_->resources_.size(), {});
  std::string path;
  for (std::uint32_t i = 0; i < t_->resources_.size(); ++i) {
    const Resource& r = t_->resources_[i];
    // A resource the SAM transform generates shares its values with the SAM resource, whose
    // references are already in the graph.
    if (r.generated_by.starts_with("AWS::Serverless::")) continue;
    from_ = i;
    if (r.properties) {
      path = "Properties";
      walk(r.properties, path, false, 0);
    }
    const Value* deps = r.node && r.node->is_map() ? r.node->get("DependsOn") : nullptr;
    if (deps && deps->is_string()) {
      add_ref(RefKind::kDependsOn, deps, deps->offset, deps->str(), {}, "DependsOn");
    } else if (deps && deps->is_list()) {
      for (std::uint32_t k = 0; k < deps->size; ++k) {
        const Value* d = deps->items[k];
        if (d && d->is_string())
          add_ref(RefKind::kDependsOn, d, d->offset, d->str(), {},
                  "DependsOn[" + std::to_string(k) + "]");
      }
    }
  }
  from_ = kNoIndex;
  for (const Output& o : t_->outputs_) {
    path = "Outputs";
    append_key(path, o.name);
    walk(o.node, path, false, 0);
  }
}

std::unique_ptr<Template> TemplateBuilder::build() {
  Document& doc = *t_->doc_;
  Value* root = doc.root;
  const Value* params = root->get("Parameters");
  std::vector<std::string_view> generated;
  for (std::uint32_t i = 0; i < root->size; ++i) {
    MapEntry& e = root->entries[i];
    if (e.key == "Resources") {
      internal::expand_foreach(doc, e.value, params, "resource", &generated, diags_);
    } else if (e.key == "Outputs") {
      internal::expand_foreach(doc, e.value, params, "output", nullptr, diags_);
    } else if (e.key == "Conditions") {
      internal::expand_foreach(doc, e.value, params, "condition", nullptr, diags_);
    }
  }
  internal::canonicalize_intrinsics(*doc.arena, root);

  read_transform(root->get("Transform"));
  read_parameters(params);
  read_conditions(root->get("Conditions"));
  t_->mappings_ = root->get("Mappings");
  if (const MapEntry* res = root->find("Resources")) read_resources(*res, generated);
  read_outputs(root->get("Outputs"));
  if (t_->sam_) expand_sam();
  link();
  return std::move(t_);
}

std::unique_ptr<Template> build_template(std::unique_ptr<Document> doc, Diagnostics& diags) {
  if (!doc || doc->root == nullptr || !doc->root->is_map()) return nullptr;
  TemplateBuilder b(std::move(doc), diags);
  return b.build();
}

}  // namespace polc
