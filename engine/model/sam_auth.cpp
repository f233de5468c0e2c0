// API authorizers of the SAM transform: `AWS::Serverless::Api` and `AWS::Serverless::HttpApi`
// `Auth.Authorizers`, `Auth.DefaultAuthorizer` and a function event's `Auth.Authorizer`, as the
// SAM translator generates them (samtranslator 1.110, `model/api/api_generator.py`,
// `http_api_generator.py`, `swagger/swagger.py`, `open_api/open_api.py`). SAM writes authorizers
// into the API's definition, not as `AWS::ApiGateway::Authorizer` resources: a REST API's
// `Body` gets `securityDefinitions` (Swagger 2.0, `x-amazon-apigateway-authorizer`), an HTTP
// API's `components.securitySchemes` (OpenAPI 3.0.1); each method of a function event on the
// API gets `security` naming its authorizer; and a Lambda authorizer gets the
// `AWS::Lambda::Permission` `<Api><Authorizer>AuthorizerPermission` that lets API Gateway invoke
// it (REST: unless `DisableFunctionDefaultPermissions`; HTTP: only with
// `EnableFunctionDefaultPermissions: true`). Facts: AWS SAM Developer Guide, "ApiAuth",
// "HttpApiAuth", "Controlling access to API Gateway APIs".
#include <map>
#include <string>

#include "engine/model/template_builder.h"

namespace polc {
namespace {

bool is_true(const Value* v) {
  return v && ((v->kind == ValueKind::kBool && v->boolean) ||
               (v->is_string() && (v->str() == "true" || v->str() == "True")));
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

void TemplateBuilder::expand_api_auth(std::uint32_t sam_index, const Value* auth, bool http,
                                      Value*& body) {
  const Resource api = t_->resources_[sam_index];
  const std::uint32_t at = auth->offset;
  Arena& arena = *t_->doc_->arena;
  auto str = [&](std::string_view s) { return new_string(arena.copy(s), at); };
  auto ref = [&](std::string_view name) {
    Value* m = map_of({{"Ref", at, new_string(name, at)}}, at);
    m->intrinsic = Intrinsic::kRef;
    return m;
  };
  auto sub = [&](std::string_view text, std::string_view var, Value* value) {
    Value* m =
        map_of({{"Fn::Sub", at, list_of({str(text), map_of({{var, at, value}}, at)}, at)}}, at);
    m->intrinsic = Intrinsic::kSub;
    return m;
  };
  const Value* authorizers = auth->get("Authorizers");
  std::vector<MapEntry> schemes;
  for (const MapEntry& e :
       authorizers && authorizers->is_map() ? authorizers->map() : std::span<const MapEntry>()) {
    const Value* a = e.value;
    if (!a || !a->is_map()) continue;
    const Value* identity = a->get("Identity");
    auto id_get = [&](std::string_view k) -> const Value* {
      return identity && identity->is_map() ? identity->get(k) : nullptr;
    };
    const Value* function_arn = a->get("FunctionArn");
    std::vector<MapEntry> scheme, authorizer;
    if (http) {
      if (const Value* jwt = a->get("JwtConfiguration")) {
        scheme.push_back({"type", at, str("oauth2")});
        authorizer.push_back({"jwtConfiguration", jwt->offset, const_cast<Value*>(jwt)});
        if (const Value* src = a->get("IdentitySource"))
          authorizer.push_back({"identitySource", src->offset, const_cast<Value*>(src)});
        authorizer.push_back({"type", at, str("jwt")});
      } else if (function_arn) {
        scheme.push_back({"type", at, str("apiKey")});
        scheme.push_back({"name", at, str("Unused")});
        scheme.push_back({"in", at, str("header")});
        authorizer.push_back({"type", at, str("request")});
        authorizer.push_back(
            {"authorizerUri", at,
             sub("arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                 "${__FunctionArn__}/invocations",
                 "__FunctionArn__", const_cast<Value*>(function_arn))});
        for (auto [from, to] :
             {std::pair<std::string_view, std::string_view>{"AuthorizerPayloadFormatVersion",
                                                            "authorizerPayloadFormatVersion"},
              {"EnableSimpleResponses", "enableSimpleResponses"},
              {"FunctionInvokeRole", "authorizerCredentials"}})
          if (const Value* v = a->get(from))
            authorizer.push_back({to, v->offset, const_cast<Value*>(v)});
        if (const Value* ttl = id_get("ReauthorizeEvery"))
          authorizer.push_back(
              {"authorizerResultTtlInSeconds", ttl->offset, const_cast<Value*>(ttl)});
      } else {
        continue;
      }
    } else if (const Value* pool = a->get("UserPoolArn")) {
      const Value* header = id_get("Header");
      scheme.push_back({"type", at, str("apiKey")});
      scheme.push_back({"name", at, header ? const_cast<Value*>(header) : str("Authorization")});
      scheme.push_back({"in", at, str("header")});
      scheme.push_back({"x-amazon-apigateway-authtype", at, str("cognito_user_pools")});
      authorizer.push_back({"type", at, str("cognito_user_pools")});
      authorizer.push_back({"providerARNs", pool->offset,
                            pool->is_list() ? const_cast<Value*>(pool)
                                            : list_of({const_cast<Value*>(pool)}, pool->offset)});
    } else if (function_arn) {
      const Value* payload = a->get("FunctionPayloadType");
      const bool request = payload && payload->is_string() && payload->str() == "REQUEST";
      const Value* header = id_get("Header");
      scheme.push_back({"type", at, str("apiKey")});
      scheme.push_back({"name", at,
                        request  ? str("Unused")
                        : header ? const_cast<Value*>(header)
                                 : str("Authorization")});
      scheme.push_back({"in", at, str("header")});
      scheme.push_back({"x-amazon-apigateway-authtype", at, str("custom")});
      authorizer.push_back({"type", at, str(request ? "request" : "token")});
      authorizer.push_back(
          {"authorizerUri", at,
           sub("arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
               "${__FunctionArn__}/invocations",
               "__FunctionArn__", const_cast<Value*>(function_arn))});
      if (const Value* role = a->get("FunctionInvokeRole"))
        authorizer.push_back({"authorizerCredentials", role->offset, const_cast<Value*>(role)});
      if (const Value* ttl = id_get("ReauthorizeEvery"))
        authorizer.push_back(
            {"authorizerResultTtlInSeconds", ttl->offset, const_cast<Value*>(ttl)});
      if (const Value* re = id_get("ValidationExpression"))
        authorizer.push_back({"identityValidationExpression", re->offset, const_cast<Value*>(re)});
      if (request) {
        // identitySource: "method.request.header.X, method.request.querystring.Y, ..."
        std::string sources;
        for (auto [key, prefix] :
             {std::pair<std::string_view, std::string_view>{"Headers", "method.request.header."},
              {"QueryStrings", "method.request.querystring."},
              {"StageVariables", "stageVariables."},
              {"Context", "context."}}) {
          const Value* l = id_get(key);
          for (const Value* s : l ? l->list() : std::span<Value* const>())
            if (s && s->is_string())
              sources +=
                  (sources.empty() ? "" : ", ") + std::string(prefix) + std::string(s->str());
        }
        if (!sources.empty()) authorizer.push_back({"identitySource", at, str(sources)});
      }
    } else {
      continue;
    }
    scheme.push_back({"x-amazon-apigateway-authorizer", at, map_of(authorizer, at)});
    schemes.push_back({e.key, e.key_offset, map_of(scheme, e.key_offset)});
    // The permission for a Lambda authorizer.
    const bool permit = function_arn && !a->get("JwtConfiguration") &&
                        (http ? is_true(a->get("EnableFunctionDefaultPermissions"))
                              : !is_true(a->get("DisableFunctionDefaultPermissions")));
    if (permit) {
      Value* props = map_of(
          {{"Action", at, str("lambda:InvokeFunction")},
           {"FunctionName", function_arn->offset, const_cast<Value*>(function_arn)},
           {"Principal", at, str("apigateway.amazonaws.com")},
           {"SourceArn", at,
            sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}"
                "/authorizers/*",
                "__ApiId__", ref(api.logical_id))}},
          at);
      add_generated(
          sam_index,
          arena.copy(std::string(api.logical_id) + std::string(e.key) + "AuthorizerPermission"),
          "AWS::Lambda::Permission", props);
    }
  }
  // Methods: the events of the template's functions on this API, with the authorizer each
  // names (`Auth.Authorizer`, else `Auth.DefaultAuthorizer`; `NONE` for none).
  const Value* default_auth = auth->get("DefaultAuthorizer");
  std::map<std::string, std::vector<MapEntry>> paths;
  for (const Resource& fn : t_->resources_) {
    if (fn.type != "AWS::Serverless::Function" || !fn.generated_by.empty() || !fn.properties ||
        !fn.properties->is_map())
      continue;
    const Value* events = fn.properties->get("Events");
    for (const MapEntry& ev :
         events && events->is_map() ? events->map() : std::span<const MapEntry>()) {
      const Value* type = ev.value && ev.value->is_map() ? ev.value->get("Type") : nullptr;
      const Value* p = ev.value && ev.value->is_map() ? ev.value->get("Properties") : nullptr;
      if (!type || !type->is_string() || type->str() != (http ? "HttpApi" : "Api") || !p ||
          !p->is_map())
        continue;
      const Value* target = p->get(http ? "ApiId" : "RestApiId");
      const Value* target_id =
          target && target->intrinsic == Intrinsic::kRef ? target->arg() : nullptr;
      if (!target_id || !target_id->is_string() || target_id->str() != api.logical_id) continue;
      const Value* path = p->get("Path");
      const Value* method = p->get("Method");
      if (!path || !path->is_string() || !method || !method->is_string()) continue;
      std::string m = lower(method->str());
      if (m == "any") m = "x-amazon-apigateway-any-method";
      const Value* ev_auth = p->get("Auth");
      const Value* chosen = ev_auth && ev_auth->is_map() ? ev_auth->get("Authorizer") : nullptr;
      if (!chosen) chosen = default_auth;
      const Value* scopes =
          ev_auth && ev_auth->is_map() ? ev_auth->get("AuthorizationScopes") : nullptr;
      std::vector<MapEntry> op{
          {"x-amazon-apigateway-integration", at,
           map_of({{"httpMethod", at, str("POST")},
                   {"type", at, str("aws_proxy")},
                   {"uri", at,
                    [&] {
                      Value* s = map_of(
                          {{"Fn::Sub", at,
                            str(std::string(http ? "arn:${AWS::Partition}" : "arn:aws") +
                                ":apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" +
                                std::string(fn.logical_id) + ".Arn}/invocations")}},
                          at);
                      s->intrinsic = Intrinsic::kSub;
                      return s;
                    }()}},
                  at)}};
      if (chosen && chosen->is_string()) {
        Value* sc = scopes && scopes->is_list() ? const_cast<Value*>(scopes) : list_of({}, at);
        op.push_back({"security", chosen->offset,
                      list_of({map_of({{chosen->str(), chosen->offset, sc}}, chosen->offset)},
                              chosen->offset)});
      }
      paths[std::string(path->str())].push_back(
          {arena.copy(m), method->offset, map_of(op, ev.key_offset)});
    }
  }
  std::vector<MapEntry> path_entries;
  for (auto& [name, ops] : paths) path_entries.push_back({arena.copy(name), at, map_of(ops, at)});
  std::vector<MapEntry> doc;
  if (http) {
    doc.push_back({"openapi", at, str("3.0.1")});
    doc.push_back({"paths", at, map_of(path_entries, at)});
    if (!schemes.empty())
      doc.push_back({"components", at, map_of({{"securitySchemes", at, map_of(schemes, at)}}, at)});
  } else {
    doc.push_back({"swagger", at, str("2.0")});
    doc.push_back({"paths", at, map_of(path_entries, at)});
    if (!schemes.empty()) doc.push_back({"securityDefinitions", at, map_of(schemes, at)});
  }
  body = map_of(doc, at);
}

}  // namespace polc
