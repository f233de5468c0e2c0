// The SAM transform's `Globals` section (build_template, engine/model/template.h): merged into
// the properties of each `AWS::Serverless::*` resource of its section before the transform's
// resources are generated, as the SAM translator's globals plugin does (samtranslator 1.110,
// `plugins/globals/globals.py`). Facts: AWS SAM Developer Guide, "Globals section of the AWS SAM
// template".
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/limits.h"
#include "engine/base/message_text.h"
#include "engine/model/template_builder.h"

namespace polc {
namespace {

struct GlobalsSection {
  std::string_view name;  // `Globals.<name>`, for resources of type `AWS::Serverless::<name>`
  std::vector<std::string_view> properties;  // the properties SAM merges
};

/// The sections and properties the translator accepts (`Globals.supported_properties`); any
/// other key makes it reject the template. (`Application` and `GraphQLApi` have no section.)
const std::array<GlobalsSection, 8>& globals_sections() {
  static const std::array<GlobalsSection, 8> kSections = {{
      {"Function",
       {"Handler",
        "Runtime",
        "CodeUri",
        "DeadLetterQueue",
        "Description",
        "MemorySize",
        "Timeout",
        "VpcConfig",
        "Environment",
        "Tags",
        "PropagateTags",
        "Tracing",
        "KmsKeyArn",
        "AutoPublishAlias",
        "AutoPublishAliasAllProperties",
        "Layers",
        "DeploymentPreference",
        "RolePath",
        "PermissionsBoundary",
        "ReservedConcurrentExecutions",
        "ProvisionedConcurrencyConfig",
        "AssumeRolePolicyDocument",
        "EventInvokeConfig",
        "FileSystemConfigs",
        "CodeSigningConfigArn",
        "Architectures",
        "SnapStart",
        "EphemeralStorage",
        "FunctionUrlConfig",
        "RuntimeManagementConfig",
        "LoggingConfig",
        "RecursiveLoop",
        "SourceKMSKeyArn",
        "TenancyConfig",
        "DurableConfig",
        "CapacityProviderConfig",
        "FunctionScalingConfig",
        "PublishToLatestPublished",
        "VersionDeletionPolicy"}},
      {"Api",
       {"Auth",
        "Name",
        "DefinitionUri",
        "CacheClusterEnabled",
        "CacheClusterSize",
        "MergeDefinitions",
        "Variables",
        "EndpointConfiguration",
        "MethodSettings",
        "BinaryMediaTypes",
        "MinimumCompressionSize",
        "Cors",
        "GatewayResponses",
        "AccessLogSetting",
        "CanarySetting",
        "TracingEnabled",
        "OpenApiVersion",
        "Domain",
        "AlwaysDeploy",
        "PropagateTags",
        "SecurityPolicy",
        "EndpointAccessMode"}},
      {"HttpApi",
       {"Auth", "AccessLogSettings", "StageVariables", "Tags", "CorsConfiguration",
        "DefaultRouteSettings", "Domain", "RouteSettings", "FailOnWarnings", "PropagateTags"}},
      {"SimpleTable", {"SSESpecification"}},
      {"StateMachine", {"PropagateTags"}},
      {"LayerVersion", {"PublishLambdaVersion"}},
      {"CapacityProvider",
       {"VpcConfig", "OperatorRole", "Tags", "InstanceRequirements", "ScalingConfig", "KmsKeyArn",
        "PropagateTags"}},
      {"WebSocketApi",
       {"AccessLogSettings", "ApiKeySelectionExpression", "DefaultRouteSettings",
        "DisableExecuteApiEndpoint", "DisableSchemaValidation", "Domain", "FailOnWarnings",
        "IpAddressType", "PropagateTags", "RouteSelectionExpression", "RouteSettings",
        "StageVariables", "Tags"}},
  }};
  return kSections;
}

const GlobalsSection* find_section(std::string_view name) {
  for (const GlobalsSection& s : globals_sections())
    if (s.name == name) return &s;
  return nullptr;
}

bool supported(const GlobalsSection& s, std::string_view key) {
  for (std::string_view p : s.properties)
    if (p == key) return true;
  return false;
}

enum class Token { kPrimitive, kDict, kList };

/// The translator's `_token_of`: an intrinsic function is a primitive (it resolves to one).
Token token_of(const Value* v) {
  if (v && v->is_map() && !v->is_intrinsic()) return Token::kDict;
  if (v && v->is_list()) return Token::kList;
  return Token::kPrimitive;
}

}  // namespace

/// `GlobalProperties._do_merge`: the resource's own value wins, except that two maps merge key
/// by key (recursively; the Globals' keys first, in their order, then the resource's new keys)
/// and two lists concatenate (the Globals' items first).
/// Copies past kMaxSamGlobalsMergedEntries are not made: the resource's own value stands and
/// `sam_merge_stopped_` is set.
const Value* TemplateBuilder::merge_global(const Value* global, const Value* local,
                                           std::size_t depth) {
  const Token g = token_of(global), l = token_of(local);
  if (g != l || g == Token::kPrimitive || depth > kMaxNestingDepth) return local;
  const std::size_t copies = std::size_t{global->size} + local->size;
  if (sam_merged_entries_ + copies > kMaxSamGlobalsMergedEntries) {
    sam_merge_stopped_ = true;
    return local;
  }
  sam_merged_entries_ += copies;
  if (g == Token::kList) {
    std::vector<Value*> items(global->items, global->items + global->size);
    items.insert(items.end(), local->items, local->items + local->size);
    return list_of(items, local->offset);
  }
  std::vector<MapEntry> out(global->map().begin(), global->map().end());
  std::unordered_map<std::string_view, std::size_t> index;  // key -> position in `out`
  for (std::size_t k = 0; k < out.size(); ++k) index.emplace(out[k].key, k);
  for (const MapEntry& e : local->map()) {
    auto it = index.find(e.key);
    if (it == index.end()) {
      index.emplace(e.key, out.size());
      out.push_back(e);
      continue;
    }
    MapEntry& o = out[it->second];
    o = {e.key, e.key_offset, const_cast<Value*>(merge_global(o.value, e.value, depth + 1))};
  }
  return map_of(out, local->offset);
}

/// Merges `Globals.<Section>` into the properties of every `AWS::Serverless::<Section>` resource
/// of the template (the resource's `IgnoreGlobals` attribute, `"*"` or a list of property names,
/// leaves some or all of them out). A property the translator does not take from Globals, or a
/// section it does not know, is a `sam-globals-unsupported` warning: the translator rejects such
/// a template. The merged values keep their own locations (a finding on a Globals value points
/// at the Globals section).
void TemplateBuilder::merge_sam_globals() {
  const Value* globals = t_->doc_->root->get("Globals");
  if (!globals || !globals->is_map()) return;
  for (const MapEntry& sec : globals->map()) {
    const GlobalsSection* s = find_section(sec.key);
    if (!s) {
      diags_.warning("sam-globals-unsupported", at(sec.key_offset),
                     "Globals section " + internal::quote_name(sec.key) +
                         " is not one the SAM transform supports; it is not applied (the "
                         "transform rejects the template)");
      continue;
    }
    if (!sec.value || !sec.value->is_map()) continue;
    std::vector<MapEntry> props;
    for (const MapEntry& e : sec.value->map()) {
      if (supported(*s, e.key)) {
        props.push_back(e);
      } else {
        diags_.warning("sam-globals-unsupported", at(e.key_offset),
                       "Globals." + std::string(sec.key) + " property " +
                           internal::quote_name(e.key) +
                           " is not one the SAM transform takes from Globals; it is not applied "
                           "(the transform rejects the template)");
      }
    }
    if (props.empty()) continue;
    sam_globals_.push_back({sec.key, map_of(props, sec.value->offset)});
    const std::string type = "AWS::Serverless::" + std::string(sec.key);
    auto it = t_->by_type_.find(type);
    if (it == t_->by_type_.end()) continue;
    for (std::uint32_t i : it->second) {
      Resource& r = t_->resources_[i];
      if (!r.generated_by.empty() && !r.generated_by.starts_with("Fn::ForEach")) continue;
      if (!r.node || !r.node->is_map()) continue;
      if (r.properties && !r.properties->is_map()) continue;  // not a map: nothing to merge into
      const Value* ignore = r.node && r.node->is_map() ? r.node->get("IgnoreGlobals") : nullptr;
      if (ignore && ignore->is_string() && ignore->str() == "*") continue;
      std::vector<MapEntry> applied;
      for (const MapEntry& e : props) {
        bool ignored = false;
        for (const Value* k : ignore ? ignore->list() : std::span<Value* const>())
          ignored = ignored || (k && k->is_string() && k->str() == e.key);
        if (!ignored) applied.push_back(e);
      }
      const std::uint32_t offset = r.properties ? r.properties->offset : r.offset;
      Value* global = map_of(applied, offset);
      r.properties = r.properties ? merge_global(global, r.properties, 0) : global;
      // The resource's node holds the merged properties too (a finding `at` a merged value
      // finds its property path below the resource).
      std::vector<MapEntry> node;
      for (const MapEntry& e : r.node->map())
        if (e.key != "Properties") node.push_back(e);
      node.push_back({"Properties", r.properties->offset, const_cast<Value*>(r.properties)});
      r.node = map_of(node, r.node->offset);
      if (sam_merge_stopped_) {
        diags_.error("sam-globals-limit", at(sec.key_offset),
                     "merging Globals." + std::string(sec.key) + " into the template's resources " +
                         "would copy more than " + std::to_string(kMaxSamGlobalsMergedEntries) +
                         " entries; " + internal::quote_name(r.logical_id) +
                         " and the resources after it are checked without all of Globals");
        return;
      }
    }
  }
}

}  // namespace polc
