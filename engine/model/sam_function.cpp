// What the SAM transform generates for an `AWS::Serverless::Function` (build_template,
// engine/model/template.h), as the SAM translator does (samtranslator 1.110,
// `model/sam_resources.py` SamFunction, `model/eventsources/pull.py`, `push.py`): the function
// URL and its public permissions, the event invoke configuration and the topic or queue of its
// destinations, the queue of an SNS event's `SqsSubscription`, and the execution role with the
// permissions its event sources add. Facts: AWS SAM Developer Guide, "AWS::Serverless::Function",
// "EventSource", "Generated AWS CloudFormation resources for AWS SAM".
#include <string>
#include <vector>

#include "engine/model/template_builder.h"

namespace polc {
namespace {

bool is_true(const Value* v) {
  return v && ((v->kind == ValueKind::kBool && v->boolean) ||
               (v->is_string() && (v->str() == "true" || v->str() == "True")));
}

}  // namespace

void TemplateBuilder::expand_function(std::uint32_t sam_index) {
  const Resource r = t_->resources_[sam_index];
  const Value* own = r.properties && r.properties->is_map() ? r.properties : nullptr;
  auto prop = [&](std::string_view name) -> const Value* { return own ? own->get(name) : nullptr; };
  const std::uint32_t at = r.offset;
  Arena& arena = *t_->doc_->arena;
  auto id = [&](std::string_view suffix) {
    return arena.copy(std::string(r.logical_id) + std::string(suffix));
  };
  auto str = [&](std::string_view s, std::uint32_t offset) {
    return new_string(arena.copy(s), offset);
  };
  std::vector<MapEntry> out;
  auto put = [&](std::string_view key, const Value* v) {
    if (v) out.push_back({key, v->offset, const_cast<Value*>(v)});
  };
  auto emit = [&](std::string_view logical_id, std::string_view type) {
    add_generated(sam_index, logical_id, type, map_of(out, own ? own->offset : at));
    out.clear();
  };
  // FunctionUrlConfig -> <Fn>Url (AWS::Lambda::Url); with AuthType NONE, the two permissions
  // that let anyone call it: <Fn>UrlPublicPermissions (lambda:InvokeFunctionUrl) and
  // <Fn>URLInvokeAllowPublicAccess (lambda:InvokeFunction, InvokedViaFunctionUrl).
  if (const Value* url = prop("FunctionUrlConfig"); url && url->is_map()) {
    for (const MapEntry& e : url->map())
      if (e.key == "AuthType" || e.key == "Cors" || e.key == "InvokeMode") put(e.key, e.value);
    put("TargetFunctionArn", ref_to(r.logical_id, at));
    emit(id("Url"), "AWS::Lambda::Url");
    const Value* auth = url->is_intrinsic() ? nullptr : url->get("AuthType");
    if (auth && auth->is_string() && auth->str() == "NONE") {
      put("Action", str("lambda:InvokeFunctionUrl", auth->offset));
      put("FunctionName", ref_to(r.logical_id, at));
      put("Principal", str("*", auth->offset));
      put("FunctionUrlAuthType", auth);
      emit(id("UrlPublicPermissions"), "AWS::Lambda::Permission");
      Value* yes = arena.make<Value>();
      yes->kind = ValueKind::kBool;
      yes->boolean = true;
      yes->offset = auth->offset;
      put("Action", str("lambda:InvokeFunction", auth->offset));
      put("FunctionName", ref_to(r.logical_id, at));
      put("Principal", str("*", auth->offset));
      put("InvokedViaFunctionUrl", yes);
      emit(id("URLInvokeAllowPublicAccess"), "AWS::Lambda::Permission");
    }
  }
  // EventInvokeConfig -> <Fn>EventInvokeConfig, and for an SNS or SQS destination without
  // `Destination`, the topic or queue SAM creates (with no encryption settings).
  if (const Value* eic = prop("EventInvokeConfig"); eic && eic->is_map()) {
    const Value* dest = eic->get("DestinationConfig");
    for (std::string_view on : {std::string_view("OnSuccess"), std::string_view("OnFailure")}) {
      const Value* d = dest && dest->is_map() ? dest->get(on) : nullptr;
      const Value* type = d && d->is_map() ? d->get("Type") : nullptr;
      if (!type || !type->is_string() || d->get("Destination")) continue;
      const std::string base = std::string(r.logical_id) + "EventInvokeConfig" + std::string(on);
      if (type->str() == "SNS")
        emit(arena.copy(base + "Topic"), "AWS::SNS::Topic");
      else if (type->str() == "SQS")
        emit(arena.copy(base + "Queue"), "AWS::SQS::Queue");
    }
    put("FunctionName", ref_to(r.logical_id, at));
    put("DestinationConfig", dest);
    put("MaximumEventAgeInSeconds", eic->get("MaximumEventAgeInSeconds"));
    put("MaximumRetryAttempts", eic->get("MaximumRetryAttempts"));
    emit(id("EventInvokeConfig"), "AWS::Lambda::EventInvokeConfig");
  }
  // Events: an SNS event with `SqsSubscription: true` subscribes a queue SAM creates,
  // <Fn><Event>Queue (FIFO when the topic is; no encryption settings). Pull event sources add
  // the permissions Lambda needs to the execution role: an AWS managed policy (Kinesis,
  // DynamoDB, SQS, MSK) or an inline policy (DocumentDB, MQ, SelfManagedKafka, MSK with a
  // client certificate).
  std::vector<Value*> managed, inline_policies;
  const Value* events = prop("Events");
  for (const MapEntry& ev :
       events && events->is_map() ? events->map() : std::span<const MapEntry>()) {
    const Value* type = ev.value && ev.value->is_map() ? ev.value->get("Type") : nullptr;
    const Value* p = ev.value && ev.value->is_map() ? ev.value->get("Properties") : nullptr;
    if (!type || !type->is_string() || !p || !p->is_map()) continue;
    const std::uint32_t eat = ev.key_offset;
    const std::string_view kind = type->str();
    if (kind == "SNS" && is_true(p->get("SqsSubscription"))) {
      const Value* topic = p->get("Topic");
      const Value* topic_id = topic && topic->intrinsic == Intrinsic::kRef ? topic->arg() : nullptr;
      const std::uint32_t ti =
          topic_id && topic_id->is_string() ? t_->find_resource(topic_id->str()) : kNoIndex;
      const Value* fifo = nullptr;
      if (ti != kNoIndex && t_->resources_[ti].type == "AWS::SNS::Topic" &&
          t_->resources_[ti].properties && t_->resources_[ti].properties->is_map())
        fifo = t_->resources_[ti].properties->get("FifoTopic");
      if (is_true(fifo)) put("FifoQueue", fifo);
      add_generated(sam_index,
                    arena.copy(std::string(r.logical_id) + std::string(ev.key) + "Queue"),
                    "AWS::SQS::Queue", map_of(out, eat));
      out.clear();
      continue;
    }
    std::string_view arn;
    if (kind == "Kinesis")
      arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaKinesisExecutionRole";
    if (kind == "DynamoDB")
      arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaDynamoDBExecutionRole";
    if (kind == "SQS") arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole";
    if (kind == "MSK") arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaMSKExecutionRole";
    if (!arn.empty()) managed.push_back(new_string(arn, eat));
    // The inline statements, as the translator writes them.
    const Value* sac = p->get("SourceAccessConfigurations");
    auto uri_of = [&](std::initializer_list<std::string_view> types) -> const Value* {
      for (const Value* c : sac ? sac->list() : std::span<Value* const>()) {
        const Value* t = c && c->is_map() ? c->get("Type") : nullptr;
        for (std::string_view want : types)
          if (t && t->is_string() && t->str() == want) return c->get("URI");
      }
      return nullptr;
    };
    std::vector<Value*> statements;
    auto allow = [&](std::initializer_list<std::string_view> actions, Value* resource) {
      if (!resource) return;  // the translator rejects the event without it
      std::vector<Value*> acts;
      for (std::string_view a : actions) acts.push_back(new_string(a, eat));
      statements.push_back(map_of({{"Action", eat, list_of(acts, eat)},
                                   {"Effect", eat, new_string("Allow", eat)},
                                   {"Resource", resource->offset, resource}},
                                  eat));
    };
    auto sub = [&](std::string_view text) {
      Value* m = map_of({{"Fn::Sub", eat, new_string(arena.copy(text), eat)}}, eat);
      m->intrinsic = Intrinsic::kSub;
      return m;
    };
    auto kms = [&] {
      const Value* key = p->get("SecretsManagerKmsKeyId");
      if (key && key->is_string())
        allow({"kms:Decrypt"},
              sub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/" +
                  std::string(key->str())));
    };
    auto value = [&](const Value* v) { return const_cast<Value*>(v); };
    auto vpc = [&] {
      allow({"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces",
             "ec2:DeleteNetworkInterface", "ec2:DescribeVpcs", "ec2:DescribeSubnets",
             "ec2:DescribeSecurityGroups"},
            new_string("*", eat));
    };
    std::string_view policy_name;
    if (kind == "DocumentDB") {
      policy_name = "SamAutoGeneratedDocumentDBPolicy";
      allow({"secretsmanager:GetSecretValue"}, value(uri_of({"BASIC_AUTH"})));
      allow({"rds:DescribeDBClusterParameters"},
            sub("arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:cluster-pg:*"));
      allow({"rds:DescribeDBSubnetGroups"},
            sub("arn:${AWS::Partition}:rds:${AWS::Region}:${AWS::AccountId}:subgrp:*"));
      allow({"rds:DescribeDBClusters"}, value(p->get("Cluster")));
      vpc();
      kms();
    } else if (kind == "MQ") {
      const bool dynamic = is_true(p->get("DynamicPolicyName"));
      policy_name = dynamic ? id(std::string(ev.key) + "AMQPolicy")
                            : std::string_view("SamAutoGeneratedAMQPolicy");
      allow({"secretsmanager:GetSecretValue"}, value(uri_of({"BASIC_AUTH", "VIRTUAL_HOST"})));
      allow({"mq:DescribeBroker"}, value(p->get("Broker")));
      kms();
    } else if (kind == "SelfManagedKafka") {
      policy_name = "SelfManagedKafkaExecutionRolePolicy";
      if (const Value* u = uri_of({"BASIC_AUTH", "SASL_SCRAM_256_AUTH", "SASL_SCRAM_512_AUTH",
                                   "CLIENT_CERTIFICATE_TLS_AUTH"}))
        allow({"secretsmanager:GetSecretValue"}, value(u));
      if (const Value* u = uri_of({"SERVER_ROOT_CA_CERTIFICATE"}))
        allow({"secretsmanager:GetSecretValue"}, value(u));
      if (uri_of({"VPC_SUBNET"}) && uri_of({"VPC_SECURITY_GROUP"})) vpc();
      kms();
    } else if (kind == "MSK") {
      policy_name = "MSKExecutionRolePolicy";
      if (const Value* u = uri_of({"CLIENT_CERTIFICATE_TLS_AUTH"}))
        allow({"secretsmanager:GetSecretValue"}, value(u));
    }
    if (policy_name.empty() || statements.empty()) continue;
    Value* doc = map_of({{"Statement", eat, list_of(statements, eat)}}, eat);
    inline_policies.push_back(map_of(
        {{"PolicyName", eat, new_string(policy_name, eat)}, {"PolicyDocument", eat, doc}}, eat));
  }
  if (!prop("Role"))
    expand_role(sam_index, prop("Policies"), prop("PermissionsBoundary"), prop("RolePath"),
                "lambda.amazonaws.com", managed, inline_policies);
}

}  // namespace polc
