// The APIs of the SAM transform (build_template, engine/model/template.h): `AWS::Serverless::Api`
// and `HttpApi`, declared or implicit (`ServerlessRestApi`, `ServerlessHttpApi`), with their
// stages and custom domains, and `AWS::Serverless::GraphQLApi`, as the SAM translator generates
// them (samtranslator 1.110, `model/api/api_generator.py`, `http_api_generator.py`,
// `apiv2_generator.py`, `plugins/api/implicit_*_api_plugin.py`, `model/sam_resources.py`
// SamGraphQLApi). Facts: AWS SAM Developer Guide, "AWS::Serverless::Api", "Domain" (ApiDomain,
// HttpApiDomainConfiguration), "Generated AWS CloudFormation resources for AWS SAM".
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/base/digest.h"
#include "engine/base/limits.h"
#include "engine/model/template_builder.h"

namespace polc {
namespace {

/// JSON text of `v` as Python's `json.dumps(v, separators=(",", ":"), sort_keys=True)` writes it
/// (ASCII only: other characters as \uXXXX escapes, surrogate pairs above U+FFFF).
void python_json(const Value* v, std::string& out, std::size_t depth) {
  if (!v || depth > 64) {
    out += "null";
    return;
  }
  auto escape = [&](std::string_view s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      std::uint32_t cp = c;
      std::size_t n = 1;
      if (c >= 0xF0 && i + 3 < s.size()) {
        cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
             (s[i + 3] & 0x3Fu);
        n = 4;
      } else if (c >= 0xE0 && i + 2 < s.size()) {
        cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
        n = 3;
      } else if (c >= 0xC0 && i + 1 < s.size()) {
        cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
        n = 2;
      }
      i += n;
      char buf[16];
      auto u = [&](std::uint32_t x) {
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(x));
        out += buf;
      };
      if (cp == '"')
        out += "\\\"";
      else if (cp == '\\')
        out += "\\\\";
      else if (cp == '\n')
        out += "\\n";
      else if (cp == '\r')
        out += "\\r";
      else if (cp == '\t')
        out += "\\t";
      else if (cp == '\b')
        out += "\\b";
      else if (cp == '\f')
        out += "\\f";
      else if (cp < 0x20 || (cp >= 0x7F && cp <= 0xFFFF))
        u(cp);
      else if (cp > 0xFFFF) {
        cp -= 0x10000;
        u(0xD800 + (cp >> 10));
        u(0xDC00 + (cp & 0x3FF));
      } else {
        out += static_cast<char>(cp);
      }
    }
    out += '"';
  };
  switch (v->kind) {
    case ValueKind::kNull:
      out += "null";
      return;
    case ValueKind::kBool:
      out += v->boolean ? "true" : "false";
      return;
    case ValueKind::kInt:
      out += std::to_string(v->integer);
      return;
    case ValueKind::kFloat: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v->number);
      out += buf;
      return;
    }
    case ValueKind::kString:
      escape(v->str());
      return;
    case ValueKind::kList:
      out += '[';
      for (std::uint32_t i = 0; i < v->size; ++i) {
        if (i) out += ',';
        python_json(v->items[i], out, depth + 1);
      }
      out += ']';
      return;
    case ValueKind::kMap: {
      std::vector<const MapEntry*> keys;
      for (const MapEntry& e : v->map()) keys.push_back(&e);
      std::sort(keys.begin(), keys.end(),
                [](const MapEntry* a, const MapEntry* b) { return a->key < b->key; });
      out += '{';
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (i) out += ',';
        escape(keys[i]->key);
        out += ':';
        python_json(keys[i]->value, out, depth + 1);
      }
      out += '}';
      return;
    }
  }
}

/// The translator's `LogicalIdGenerator("", data).gen()`: the first 10 hex digits of the SHA-1
/// of `data` (a string as is, anything else as sorted compact JSON); empty for empty data.
std::string sam_hash(const Value* data) {
  std::string text;
  if (data && data->is_string())
    text = std::string(data->str());
  else if (data && !data->is_null())
    python_json(data, text, 0);
  return text.empty() ? std::string() : sha1_hex(text).substr(0, 10);
}

bool is_false(const Value* v) {
  return v && ((v->kind == ValueKind::kBool && !v->boolean) ||
               (v->is_string() && (v->str() == "false" || v->str() == "False")));
}

bool all_alnum(std::string_view text) {
  for (char c : text)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return !text.empty();
}

/// The translator's stage logical ID: `<Api><StageName>Stage` for a name of letters and digits,
/// else `<Api>Stage<hash of the name>` (an intrinsic function: `<Api>Stage`).
std::string stage_id(std::string_view api_id, const Value* stage) {
  const std::string_view name = stage && stage->is_string() ? stage->str() : std::string_view();
  if (all_alnum(name)) return std::string(api_id) + std::string(name) + "Stage";
  return std::string(api_id) + "Stage" + (name.empty() ? "" : sha1_hex(name).substr(0, 10));
}

/// `text` with only its ASCII letters and digits (the translator's `isalnum` filter of base
/// paths).
std::string alnum(std::string_view text) {
  std::string out;
  for (char c : text)
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
  return out;
}

}  // namespace

/// `v` with each `Ref` to a template parameter that has a `Default` replaced by the default, and
/// each `${Parameter}` of an `Fn::Sub` string by its default's text: the translator resolves the
/// parameters of some properties (a custom domain's `DomainName`) before it hashes them into a
/// logical ID, with the deployment's values (cfn-lint and `sam validate`: the defaults).
const Value* TemplateBuilder::resolve_parameter_defaults(const Value* v, std::size_t depth) {
  if (!v || depth > kMaxNestingDepth) return v;
  auto scalar_text = [&](std::string_view name, std::string& text) {
    const std::uint32_t p = t_->find_parameter(name);
    const Value* d = p == kNoIndex ? nullptr : t_->parameters()[p].default_value;
    if (!d) return false;
    if (d->is_string())
      text = std::string(d->str());
    else if (d->kind == ValueKind::kInt)
      text = std::to_string(d->integer);
    else
      return false;
    return true;
  };
  if (v->intrinsic == Intrinsic::kRef) {
    const Value* arg = v->arg();
    const std::uint32_t p = arg && arg->is_string() ? t_->find_parameter(arg->str()) : kNoIndex;
    const Value* d = p == kNoIndex ? nullptr : t_->parameters()[p].default_value;
    return d && (d->is_string() || d->kind == ValueKind::kInt) ? d : v;
  }
  if (v->intrinsic == Intrinsic::kSub && v->arg() && v->arg()->is_string()) {
    const std::string_view text = v->arg()->str();
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
      const std::size_t open = text.find("${", i);
      const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
      if (close == std::string_view::npos) break;
      out.append(text.substr(i, open - i));
      std::string value;
      const std::string_view name = text.substr(open + 2, close - open - 2);
      if (!name.starts_with("!") && scalar_text(name, value))
        out += value;
      else
        out.append(text.substr(open, close + 1 - open));
      i = close + 1;
    }
    if (i < text.size()) out.append(text.substr(i));
    Value* m = map_of({{"Fn::Sub", v->offset, new_string(t_->doc_->arena->copy(out), v->offset)}},
                      v->offset);
    m->intrinsic = Intrinsic::kSub;
    return m;
  }
  if (v->is_list()) {
    std::vector<Value*> items;
    for (const Value* x : v->list())
      items.push_back(const_cast<Value*>(resolve_parameter_defaults(x, depth + 1)));
    return list_of(items, v->offset);
  }
  if (v->is_map()) {
    std::vector<MapEntry> entries;
    for (const MapEntry& e : v->map())
      entries.push_back({e.key, e.key_offset,
                         const_cast<Value*>(resolve_parameter_defaults(e.value, depth + 1))});
    Value* m = map_of(entries, v->offset);
    m->intrinsic = v->intrinsic;
    return m;
  }
  return v;
}

/// `AWS::Serverless::Api` (or the implicit `ServerlessRestApi`, `props` then being Globals.Api
/// and stage `Prod`): the RestApi, its stage (stage_id), and its custom domain.
void TemplateBuilder::expand_rest_api(std::uint32_t at_index, std::string_view api_id,
                                      const Value* props, bool implicit) {
  const std::uint32_t at = t_->resources_[at_index].offset;
  auto prop = [&](std::string_view name) -> const Value* {
    return props && props->is_map() ? props->get(name) : nullptr;
  };
  std::vector<MapEntry> out;
  auto put = [&](std::string_view key, const Value* v) {
    if (v) out.push_back({key, v->offset, const_cast<Value*>(v)});
  };
  auto emit = [&](std::string_view logical_id, std::string_view type) {
    add_generated(at_index, logical_id, type, map_of(out, props ? props->offset : at), implicit);
    out.clear();
  };
  put("EndpointConfiguration", prop("EndpointConfiguration"));
  put("Name", prop("Name"));
  put("DisableExecuteApiEndpoint", prop("DisableExecuteApiEndpoint"));
  // The definition: the template's own, else (with `Auth`) the one SAM writes. The implicit
  // API's authorizers are not expanded (their methods are the functions' implicit events).
  Value* body = nullptr;
  if (const Value* auth = prop("Auth"); !implicit && auth && auth->is_map())
    expand_api_auth(at_index, auth, false, body);
  if (const Value* def = prop("DefinitionBody")) body = const_cast<Value*>(def);
  put("Body", body);
  emit(api_id, "AWS::ApiGateway::RestApi");
  const Value* stage = prop("StageName");
  put("RestApiId", ref_to(api_id, at));
  put("StageName", stage);
  put("AccessLogSetting", prop("AccessLogSetting"));
  put("MethodSettings", prop("MethodSettings"));
  put("TracingEnabled", prop("TracingEnabled"));
  put("CacheClusterEnabled", prop("CacheClusterEnabled"));
  put("Variables", prop("Variables"));
  emit(t_->doc_->arena->copy(stage_id(api_id, stage)), "AWS::ApiGateway::Stage");
  if (const Value* domain = prop("Domain"); domain && domain->is_map())
    expand_api_domain(at_index, api_id, domain, false, implicit);
}

/// `AWS::Serverless::HttpApi` (or the implicit `ServerlessHttpApi`): the Api, its stage
/// (`<Api>ApiGatewayDefaultStage` for none or `$default`, else stage_id) and custom
/// domain.
void TemplateBuilder::expand_http_api(std::uint32_t at_index, std::string_view api_id,
                                      const Value* props, bool implicit) {
  const std::uint32_t at = t_->resources_[at_index].offset;
  auto prop = [&](std::string_view name) -> const Value* {
    return props && props->is_map() ? props->get(name) : nullptr;
  };
  std::vector<MapEntry> out;
  auto put = [&](std::string_view key, const Value* v) {
    if (v) out.push_back({key, v->offset, const_cast<Value*>(v)});
  };
  auto emit = [&](std::string_view logical_id, std::string_view type) {
    add_generated(at_index, logical_id, type, map_of(out, props ? props->offset : at), implicit);
    out.clear();
  };
  put("Name", prop("Name"));
  put("DisableExecuteApiEndpoint", prop("DisableExecuteApiEndpoint"));
  put("ProtocolType", new_string("HTTP", at));
  Value* body = nullptr;
  if (const Value* auth = prop("Auth"); !implicit && auth && auth->is_map())
    expand_api_auth(at_index, auth, true, body);
  if (const Value* def = prop("DefinitionBody")) body = const_cast<Value*>(def);
  put("Body", body);
  emit(api_id, "AWS::ApiGatewayV2::Api");
  const Value* stage = prop("StageName");
  put("ApiId", ref_to(api_id, at));
  put("StageName", stage ? stage : new_string("$default", at));
  put("AccessLogSettings", prop("AccessLogSettings"));
  put("DefaultRouteSettings", prop("DefaultRouteSettings"));
  put("RouteSettings", prop("RouteSettings"));
  put("StageVariables", prop("StageVariables"));
  const bool named = stage && !(stage->is_string() && stage->str() == "$default");
  emit(t_->doc_->arena->copy(named ? stage_id(api_id, stage)
                                   : std::string(api_id) + "ApiGatewayDefaultStage"),
       "AWS::ApiGatewayV2::Stage");
  if (const Value* domain = prop("Domain"); domain && domain->is_map())
    expand_api_domain(at_index, api_id, domain, true, implicit);
}

/// An API's `Domain`: the domain name resource `ApiGatewayDomainName<hash>` (REST;
/// `AWS::ApiGateway::DomainNameV2` named `ApiGatewayDomainNameV2<hash>` for a PRIVATE endpoint) or
/// `ApiGatewayDomainNameV2<hash>` (HTTP, `AWS::ApiGatewayV2::DomainName`), the hash being the
/// translator's of `DomainName`, with the certificate, endpoint, TLS `SecurityPolicy` and mutual
/// TLS settings; and one base path mapping (`<Api><path>BasePathMapping`, HTTP
/// `<Api><path>ApiMapping`) per `BasePath`. APIs naming the same domain share its resource. The
/// Route 53 record set groups are not generated (no setting of theirs is security-relevant).
void TemplateBuilder::expand_api_domain(std::uint32_t at_index, std::string_view api_id,
                                        const Value* domain, bool http, bool implicit) {
  const Value* name = domain->get("DomainName");
  const Value* cert = domain->get("CertificateArn");
  if (!name || !cert) return;  // the translator rejects the template
  Arena& arena = *t_->doc_->arena;
  const std::uint32_t at = domain->offset;
  auto val = [](const Value* v) { return const_cast<Value*>(v); };
  const Value* endpoint = domain->get("EndpointConfiguration");
  const Value* resolved_endpoint = resolve_parameter_defaults(endpoint, 0);
  const bool is_private = !http && resolved_endpoint && resolved_endpoint->is_string() &&
                          resolved_endpoint->str() == "PRIVATE";
  Value* endpoint_type = endpoint ? val(endpoint) : new_string("REGIONAL", at);
  const std::string_view domain_id =
      arena.copy((http || is_private ? "ApiGatewayDomainNameV2" : "ApiGatewayDomainName") +
                 sam_hash(resolve_parameter_defaults(name, 0)));
  std::vector<MapEntry> out;
  auto put = [&](std::string_view key, const Value* v) {
    if (v) out.push_back({key, v->offset, val(v)});
  };
  put("DomainName", name);
  if (http) {
    std::vector<MapEntry> config{{"CertificateArn", cert->offset, val(cert)},
                                 {"EndpointType", endpoint_type->offset, endpoint_type}};
    for (std::string_view k : {"OwnershipVerificationCertificateArn", "SecurityPolicy"})
      if (const Value* v = domain->get(k)) config.push_back({k, v->offset, val(v)});
    put("DomainNameConfigurations", list_of({map_of(config, at)}, at));
  } else {
    const bool regional =
        !endpoint || (resolved_endpoint->is_string() && resolved_endpoint->str() == "REGIONAL");
    put(regional && !is_private ? "RegionalCertificateArn" : "CertificateArn", cert);
    std::vector<MapEntry> ec{{"Types", endpoint_type->offset, list_of({endpoint_type}, at)}};
    if (const Value* ip = domain->get("IpAddressType"))
      ec.push_back({"IpAddressType", ip->offset, val(ip)});
    put("EndpointConfiguration", map_of(ec, at));
    for (std::string_view k :
         {"SecurityPolicy", "EndpointAccessMode", "Policy", "OwnershipVerificationCertificateArn"})
      put(k, domain->get(k));
  }
  if (const Value* mtls = domain->get("MutualTlsAuthentication"); mtls && mtls->is_map()) {
    std::vector<MapEntry> m;
    for (std::string_view k : {"TruststoreUri", "TruststoreVersion"})
      if (const Value* v = mtls->get(k)) m.push_back({k, v->offset, val(v)});
    put("MutualTlsAuthentication", map_of(m, mtls->offset));
  }
  add_generated(at_index, domain_id,
                http         ? "AWS::ApiGatewayV2::DomainName"
                : is_private ? "AWS::ApiGateway::DomainNameV2"
                             : "AWS::ApiGateway::DomainName",
                map_of(out, at), implicit);
  out.clear();
  // The mappings: one without a path, or one per `BasePath` entry.
  const Value* base = domain->get("BasePath");
  std::vector<const Value*> paths;
  if (base && base->is_string() && !base->str().empty()) paths.push_back(base);
  for (const Value* p : base && base->is_list() ? base->list() : std::span<Value* const>())
    if (p && p->is_string()) paths.push_back(p);
  const bool normalize = !is_false(domain->get("NormalizeBasePath"));
  auto mapping = [&](const Value* path) {
    const std::string key = path ? alnum(path->str()) : std::string();
    Value* stage = ref_to(arena.copy(std::string(api_id) + ".Stage"), at);
    if (http) {
      put("DomainName", ref_to(domain_id, at));
      put("ApiId", ref_to(api_id, at));
      put("Stage", stage);
      if (path) {
        std::string_view k = path->str();
        while (!k.empty() && k.front() == '/') k.remove_prefix(1);
        while (!k.empty() && k.back() == '/') k.remove_suffix(1);
        put("ApiMappingKey", new_string(k, path->offset));
      }
      add_generated(at_index, arena.copy(std::string(api_id) + key + "ApiMapping"),
                    "AWS::ApiGatewayV2::ApiMapping", map_of(out, at), implicit);
    } else {
      put(is_private ? "DomainNameArn" : "DomainName", ref_to(domain_id, at));
      put("RestApiId", ref_to(api_id, at));
      put("Stage", stage);
      if (path) put("BasePath", normalize ? new_string(arena.copy(key), path->offset) : path);
      add_generated(
          at_index, arena.copy(std::string(api_id) + key + "BasePathMapping"),
          is_private ? "AWS::ApiGateway::BasePathMappingV2" : "AWS::ApiGateway::BasePathMapping",
          map_of(out, at), implicit);
    }
    out.clear();
  };
  if (paths.empty()) mapping(nullptr);
  for (const Value* p : paths) mapping(p);
}

/// The implicit APIs SAM creates for the events of functions and state machines without an
/// API of their own: an `Api` event without `RestApiId` makes `ServerlessRestApi` (stage `Prod`:
/// `ServerlessRestApiProdStage`), an `HttpApi` event without `ApiId` makes `ServerlessHttpApi`
/// (`ServerlessHttpApiApiGatewayDefaultStage`), each with the settings of `Globals.Api` /
/// `Globals.HttpApi`, custom domain included. Located at the first resource with such an
/// event, with the condition the translator gives it. Not generated when the template declares
/// the name itself.
void TemplateBuilder::expand_implicit_apis() {
  struct Implicit {
    std::uint32_t at = kNoIndex;               // the first resource with such an event
    std::vector<std::string_view> conditions;  // of those resources, each once
    bool unconditional = false;                // one of them has no Condition
  } rest, http;
  const std::size_t declared = t_->resources_.size();
  for (std::uint32_t i = 0; i < declared; ++i) {
    const Resource& fn = t_->resources_[i];
    if ((fn.type != "AWS::Serverless::Function" && fn.type != "AWS::Serverless::StateMachine") ||
        fn.generated_by.starts_with("AWS::Serverless::") || !fn.properties ||
        !fn.properties->is_map())
      continue;
    const Value* events = fn.properties->get("Events");
    for (const MapEntry& ev :
         events && events->is_map() ? events->map() : std::span<const MapEntry>()) {
      const Value* type = ev.value && ev.value->is_map() ? ev.value->get("Type") : nullptr;
      const Value* p = ev.value && ev.value->is_map() ? ev.value->get("Properties") : nullptr;
      if (!type || !type->is_string()) continue;
      const bool map = p && p->is_map();
      Implicit* api = nullptr;
      if (type->str() == "Api" && !(map && p->get("RestApiId"))) api = &rest;
      if (type->str() == "HttpApi" && !(map && p->get("ApiId"))) api = &http;
      if (!api) continue;
      if (api->at == kNoIndex) api->at = i;
      if (fn.condition.empty())
        api->unconditional = true;
      else if (std::find(api->conditions.begin(), api->conditions.end(), fn.condition) ==
               api->conditions.end())
        api->conditions.push_back(fn.condition);
    }
  }
  auto globals = [&](std::string_view section) -> std::vector<MapEntry> {
    for (const auto& [name, props] : sam_globals_)
      if (name == section) return {props->map().begin(), props->map().end()};
    return {};
  };
  // The API exists when one of the resources with its events does (`_maybe_add_condition_to_
  // implicit_api`): no Condition when one of them has none, theirs when they share one, else
  // `<Api>Condition`, declared as the Fn::Or of theirs.
  auto condition = [&](const Implicit& api, std::string_view combined_name,
                       std::size_t first_generated) {
    if (api.unconditional || api.conditions.empty()) return;
    std::string_view name = api.conditions.front();
    if (api.conditions.size() > 1) {
      name = combined_name;
      if (!t_->find_condition(name)) {
        const std::uint32_t at = t_->resources_[api.at].offset;
        std::vector<Value*> items;
        for (std::string_view c : api.conditions) {
          Value* ref = map_of({{"Condition", at, new_string(c, at)}}, at);
          ref->intrinsic = Intrinsic::kCondition;
          items.push_back(ref);
        }
        Value* expr = map_of({{"Fn::Or", at, list_of(items, at)}}, at);
        expr->intrinsic = Intrinsic::kOr;
        // Indexed like the template's own conditions (find_condition looks names up by hash).
        t_->condition_by_name_.emplace(name, static_cast<std::uint32_t>(t_->conditions_.size()));
        t_->conditions_.push_back({name, at, expr});
      }
    }
    for (std::size_t k = first_generated; k < t_->resources_.size(); ++k)
      t_->resources_[k].condition = name;
  };
  if (rest.at != kNoIndex && t_->find_resource("ServerlessRestApi") == kNoIndex) {
    const std::uint32_t at = t_->resources_[rest.at].offset;
    std::vector<MapEntry> props = globals("Api");
    props.push_back({"StageName", at, new_string("Prod", at)});
    const std::size_t first = t_->resources_.size();
    expand_rest_api(rest.at, "ServerlessRestApi", map_of(props, at), true);
    condition(rest, "ServerlessRestApiCondition", first);
  }
  if (http.at != kNoIndex && t_->find_resource("ServerlessHttpApi") == kNoIndex) {
    const std::uint32_t at = t_->resources_[http.at].offset;
    const std::size_t first = t_->resources_.size();
    expand_http_api(http.at, "ServerlessHttpApi", map_of(globals("HttpApi"), at), true);
    condition(http, "ServerlessHttpApiCondition", first);
  }
}

/// `AWS::Serverless::GraphQLApi` -> the `AWS::AppSync::GraphQLApi` of the same logical ID, with
/// its logging: none for `Logging: false`, else `LogConfig` with `FieldLogLevel` (default ALL)
/// and `CloudWatchLogsRoleArn` (default the role SAM creates, `<Api>CloudWatchRole`, not
/// generated here).
void TemplateBuilder::expand_graphql_api(std::uint32_t sam_index) {
  const Resource r = t_->resources_[sam_index];
  const Value* own = r.properties && r.properties->is_map() ? r.properties : nullptr;
  auto prop = [&](std::string_view name) -> const Value* { return own ? own->get(name) : nullptr; };
  const std::uint32_t at = r.offset;
  std::vector<MapEntry> out;
  auto put = [&](std::string_view key, const Value* v) {
    if (v) out.push_back({key, v->offset, const_cast<Value*>(v)});
  };
  put("Name", prop("Name") ? prop("Name") : new_string(r.logical_id, at));
  put("Visibility", prop("Visibility"));
  put("XrayEnabled", prop("XrayEnabled"));
  put("IntrospectionConfig", prop("IntrospectionConfig"));
  const Value* auth = prop("Auth");
  put("AuthenticationType", auth && auth->is_map() ? auth->get("Type") : nullptr);
  const Value* logging = prop("Logging");
  if (!is_false(logging)) {
    const Value* cfg = logging && logging->is_map() ? logging : nullptr;
    const std::uint32_t lat = logging ? logging->offset : at;
    std::vector<MapEntry> log;
    if (const Value* v = cfg ? cfg->get("ExcludeVerboseContent") : nullptr)
      log.push_back({"ExcludeVerboseContent", v->offset, const_cast<Value*>(v)});
    const Value* level = cfg ? cfg->get("FieldLogLevel") : nullptr;
    log.push_back(
        {"FieldLogLevel", lat, level ? const_cast<Value*>(level) : new_string("ALL", lat)});
    const Value* role = cfg ? cfg->get("CloudWatchLogsRoleArn") : nullptr;
    Value* role_arn = const_cast<Value*>(role);
    if (!role_arn) {
      Arena& arena = *t_->doc_->arena;
      Value* getatt = map_of(
          {{"Fn::GetAtt", lat,
            list_of({new_string(arena.copy(std::string(r.logical_id) + "CloudWatchRole"), lat),
                     new_string("Arn", lat)},
                    lat)}},
          lat);
      getatt->intrinsic = Intrinsic::kGetAtt;
      role_arn = getatt;
    }
    log.push_back({"CloudWatchLogsRoleArn", lat, role_arn});
    put("LogConfig", map_of(log, lat));
  }
  add_generated(sam_index, r.logical_id, "AWS::AppSync::GraphQLApi",
                map_of(out, own ? own->offset : at));
}

}  // namespace polc
