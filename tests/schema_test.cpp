// Resource schemas: the embedded table (engine/schema/schema.h), overlays, and the checker's
// rules that use them (dsl/checker.cpp). End-to-end runs over templates are in tests/lang/schema_*.
#include "engine/schema/schema.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "dsl/compiler.h"
#include "dsl/module.h"
#include "engine/base/limits.h"
#include "engine/load/loader.h"
#include "engine/program/bundle.h"
#include "engine/schema/descriptions.h"
#include "engine/schema/property_check.h"

using namespace polc;
namespace fs = std::filesystem;

namespace {

// Compiles `body` as the rule body of one policy; returns the schema diagnostics as
// "line:col: severity: message" (and whether the policy compiled).
struct Result {
  bool compiled = false;
  std::vector<std::string> lines;
  bool has(const std::string& needle) const {
    for (const auto& l : lines)
      if (l.find(needle) != std::string::npos) return true;
    return false;
  }
};

Result compile(const std::string& text, const schema::SchemaSet* schemas = nullptr) {
  Diagnostics diags;
  CompileOptions o;
  o.schemas = schemas;
  auto set = compile_policy_text("t.polc", text, diags, o);
  Result r;
  r.compiled = set != nullptr;
  for (const auto& d : diags.items()) {
    std::string notes;
    for (const auto& n : d.notes)
      notes +=
          " | note " + n.location.file + ":" + std::to_string(n.location.line) + ": " + n.message;
    r.lines.push_back(d.location.file + ":" + std::to_string(d.location.line) + ":" +
                      std::to_string(d.location.column) + ": " +
                      (d.severity == DiagSeverity::kError ? "error" : "warning") + " [" + d.code +
                      "] " + d.message + notes);
  }
  return r;
}

std::string policy(const std::string& body, const std::string& header = "") {
  return "import \"stdlib/ec2\" as ec2\nfn props(x) = x.Properties\n"
         "policy p {\n  id = \"T-1\"\n  title = \"t\"\n  severity = low\n" +
         header + body + "\n}\n";
}

}  // namespace

TEST_CASE("the embedded table finds every type it lists, by binary search in place", "[schema]") {
  const auto& s = schema::SchemaSet::builtin();
  auto names = s.type_names();
  REQUIRE(names.size() > 1500);
  REQUIRE(s.table_bytes() > 0);
  for (std::string_view n : names) {
    const schema::ResourceSchema* r = s.find(n);
    REQUIRE(r != nullptr);
    REQUIRE(r->name() == n);
  }
  CHECK(s.find("AWS::S3::Bukcet") == nullptr);
  CHECK(s.find("") == nullptr);
  CHECK(s.find("ZZZ::After::Last") == nullptr);
  CHECK(s.find("AAA::Before::First") == nullptr);
  CHECK(s.source().find("@aws-cdk/aws-service-spec") != std::string::npos);
  // SAM types are in the table, with their properties.
  for (const char* sam : {"AWS::Serverless::Function", "AWS::Serverless::Api",
                          "AWS::Serverless::HttpApi", "AWS::Serverless::SimpleTable",
                          "AWS::Serverless::StateMachine", "AWS::Serverless::Connector",
                          "AWS::Serverless::LayerVersion", "AWS::Serverless::Application"})
    CHECK(s.find(sam) != nullptr);
}

TEST_CASE("descriptions: resource types, properties and nested fields (first sentence)",
          "[schema]") {
  CHECK(schema::type_description("AWS::S3::Bucket") ==
        "The `AWS::S3::Bucket` resource creates an Amazon S3 bucket in the same AWS Region where "
        "you create the AWS CloudFormation stack.");
  CHECK(schema::field_description("AWS::S3::Bucket", "", "BucketName") == "A name for the bucket.");
  CHECK(schema::field_description("AWS::CloudFront::Distribution", "CacheBehavior",
                                  "ViewerProtocolPolicy")
            .starts_with("The protocol that viewers can use"));
  // A field of a nested type further down the block; a first paragraph that is a note ("> In
  // CloudFormation, this field name is ...") gives way to the next; cut at a word with "…".
  CHECK(schema::field_description("AWS::CloudFront::Distribution", "ViewerCertificate",
                                  "AcmCertificateArn") ==
        "If the distribution uses `Aliases` (alternate domain names or CNAMEs) and the SSL/TLS "
        "certificate is stored in Certificate Manager (ACM), provide the Amazon…");
  // A property is not a nested field, and unknown names have none.
  CHECK(schema::field_description("AWS::S3::Bucket", "", "ViewerProtocolPolicy").empty());
  CHECK(schema::field_description("AWS::S3::Bucket", "CacheBehavior", "ViewerProtocolPolicy")
            .empty());
  // The service spec's SAM types have only a link (hover links to the AWS page anyway).
  CHECK(schema::type_description("AWS::Serverless::Function").empty());
  CHECK(schema::type_description("AWS::S3::Bukcet").empty());
  CHECK(schema::type_description("").empty());
  // Within its bound; nearly every type of the service spec has a description, none too long.
  CHECK(schema::description_table_bytes() > 1000000);
  CHECK(schema::description_table_bytes() < schema::kMaxDescriptionTableBytes);
  std::size_t with = 0;
  for (std::string_view n : schema::SchemaSet::builtin().type_names()) {
    const std::string_view d = schema::type_description(n);
    if (!d.empty()) ++with;
    CHECK(d.size() <= schema::kDescriptionBytes + std::string_view("…").size());
  }
  CHECK(with >= 1800);
}

TEST_CASE("schema facts: properties, nested types, attributes, flags", "[schema]") {
  const auto& s = schema::SchemaSet::builtin();
  const auto* fn = s.find("AWS::Lambda::Function");
  REQUIRE(fn);
  bool code_required = false, vpc = false;
  for (const auto& p : fn->properties()) {
    if (p.name == "Code") code_required = p.required;
    if (p.name == "VpcConfig") vpc = p.type == "@VpcConfig";
  }
  CHECK(code_required);
  CHECK(vpc);
  bool sg_ids = false;
  for (const auto& f : fn->definition("VpcConfig"))
    sg_ids |= f.name == "SecurityGroupIds" && f.type == "[string]";
  CHECK(sg_ids);
  bool arn = false;
  for (const auto& a : fn->attributes()) arn |= a.name == "Arn";
  CHECK(arn);
  CHECK(schema::describe_type("[@Rule]|string") == "list<Rule> | string");
  CHECK(schema::describe_type("json") == "json (free form)");
}

TEST_CASE("field lookup maps over lists, reads unions, stops at free form", "[schema]") {
  const auto& s = schema::SchemaSet::builtin();
  const auto* sg = s.find("AWS::EC2::SecurityGroup");
  REQUIRE(sg);
  std::vector<schema::TypeRef> props{{sg, "@"}};
  auto egress = schema::lookup_field(props, "SecurityGroupEgress");
  REQUIRE(egress.result == schema::FieldLookup::kFound);
  auto cidr = schema::lookup_field(egress.types, "CidrIp");  // a list of rules: maps over it
  CHECK(cidr.result == schema::FieldLookup::kFound);
  auto typo = schema::lookup_field(egress.types, "CidrIpp");
  REQUIRE(typo.result == schema::FieldLookup::kMissing);
  CHECK(schema::did_you_mean("CidrIpp", typo.candidates) == "CidrIp");
  auto on_string = schema::lookup_field(cidr.types, "Anything");
  CHECK(on_string.result == schema::FieldLookup::kMissing);
  CHECK(on_string.on_scalar);
  const auto* ep = s.find("AWS::EC2::VPCEndpoint");
  std::vector<schema::TypeRef> ep_props{{ep, "@"}};
  auto doc = schema::lookup_field(ep_props, "PolicyDocument");
  REQUIRE(doc.result == schema::FieldLookup::kFound);
  CHECK(schema::lookup_field(doc.types, "Statement").result == schema::FieldLookup::kOpen);
  // A union: found when any member has it.
  std::vector<schema::TypeRef> both{{sg, "@"}, {ep, "@"}};
  CHECK(schema::lookup_field(both, "PrivateDnsEnabled").result == schema::FieldLookup::kFound);
  CHECK(schema::lookup_field(both, "GroupDescription").result == schema::FieldLookup::kFound);
  CHECK(schema::lookup_field(both, "Nope").result == schema::FieldLookup::kMissing);
  // An attribute read as a property is found, read-only.
  auto gid = schema::lookup_field(props, "GroupId");
  CHECK(gid.result == schema::FieldLookup::kFound);
  CHECK(gid.read_only);
}

TEST_CASE("did you mean", "[schema]") {
  std::vector<std::string_view> c{"AccessControl", "BucketName", "Tags"};
  CHECK(schema::did_you_mean("AccesControl", c) == "AccessControl");
  CHECK(schema::did_you_mean("accesscontrol", c) == "AccessControl");
  CHECK(schema::did_you_mean("Tagz", c) == "Tags");
  CHECK(schema::did_you_mean("Completely", c).empty());
  CHECK(schema::reference_url("AWS::S3::Bucket") ==
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
        "aws-resource-s3-bucket.html");
  CHECK(schema::reference_url("AWS::Serverless::Function") ==
        "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/"
        "sam-resource-function.html");
  CHECK(schema::reference_url("Custom::Thing").empty());
}

TEST_CASE("checker: unknown resource types, with a suggestion", "[schema][check]") {
  auto r = compile(policy("for b in resources(\"AWS::S3::Bukcet\") { require true }"));
  CHECK_FALSE(r.compiled);
  CHECK(
      r.has("t.polc:7:20: error [schema] unknown resource type 'AWS::S3::Bukcet'; did you mean "
            "'AWS::S3::Bucket'?"));
  r =
      compile(policy("for b in resources(\"AWS::S3::Bucket\") { require count(referrers(b, "
                     "\"AWS::S3::BucketPolicyy\")) > 0 }"));
  CHECK(r.has("did you mean 'AWS::S3::BucketPolicy'?"));
  r = compile(policy("for b in resources(\"AWS::S3::Bucket\") { require true }",
                     "  applies_to = [\"AWS::S3::Buckett\"]\n"));
  CHECK(r.has("unknown resource type 'AWS::S3::Buckett'; did you mean 'AWS::S3::Bucket'?"));
  r =
      compile(policy("for b in resources(\"AWS::S3::Bucket\") { let g = "
                     "ref(b.Properties.BucketName)\n require g.type != \"AWS::KMS::Kye\" }"));
  CHECK(r.has("unknown resource type 'AWS::KMS::Kye'; did you mean 'AWS::KMS::Key'?"));
  r =
      compile(policy("for b in resources(\"AWS::S3::Bucket\") { require b.type in "
                     "[\"AWS::S3::Bucket\", \"AWS::S3::Bukcet\"] }"));
  CHECK(r.has("'AWS::S3::Bukcet'"));
}

TEST_CASE("checker: wildcards must match a type; open types never do wrong", "[schema][check]") {
  auto r = compile(policy("for b in resources(\"AWS::S4::*\") { require true }"));
  CHECK(r.has("resource type pattern 'AWS::S4::*' matches no known resource type"));
  r = compile(policy(
      "for b in resources(\"AWS::S3::*\") { require true }\n"
      "for c in resources(\"Custom::Anything\") { require c.Properties.Whatever.Deep != 1 }\n"
      "for m in resources(\"Acme::Thing::Widget\") { require m.Properties.X == 1 }\n"
      "for m in resources(\"Acme::Thing::Widget::MODULE\") { require m.Properties.X == 1 }\n"
      "for m in resources(\"Custom::*\") { require m.Properties.X == 1 }\n"
      "for a in resources(\"*\") { require a.Properties.Anything == 1 }"));
  CHECK(r.compiled);
  CHECK(r.lines.empty());
}

TEST_CASE("checker: property paths, nested, through lists and loops", "[schema][check]") {
  auto r = compile(policy(
      "for b in resources(\"AWS::S3::Bucket\") { require b.Properties.AccesControl != \"x\" }"));
  CHECK(
      r.has("t.polc:7:62: error [schema] AWS::S3::Bucket Properties has no field 'AccesControl'; "
            "did you mean 'AccessControl'?"));
  r =
      compile(policy("for f in resources(\"AWS::Lambda::Function\") { require "
                     "count(default(f.Properties.VpcConfig.SecurityGroupIdz, [])) > 0 }"));
  CHECK(
      r.has("AWS::Lambda::Function Properties.VpcConfig has no field 'SecurityGroupIdz'; did you "
            "mean 'SecurityGroupIds'?"));
  // A list of rules: a loop variable, a quantifier, a comprehension, an index and [*].
  r = compile(
      policy("for sg in resources(\"AWS::EC2::SecurityGroup\") {\n"
             "  for rule in sg.Properties.SecurityGroupIngress { require rule.CidrIpp != \"x\" }\n"
             "  require all x in sg.Properties.SecurityGroupEgress: x.FromPortt > 1\n"
             "  require count([y.ToPortt for y in sg.Properties.SecurityGroupEgress]) > 0\n"
             "  require sg.Properties.SecurityGroupEgress[0].IpProtocoll == 1\n"
             "  require sg.Properties.Tags[*].Vlaue == 1\n}"));
  CHECK(r.has("has no field 'CidrIpp'; did you mean 'CidrIp'?"));
  CHECK(r.has("has no field 'FromPortt'; did you mean 'FromPort'?"));
  CHECK(r.has("has no field 'ToPortt'; did you mean 'ToPort'?"));
  CHECK(r.has("has no field 'IpProtocoll'; did you mean 'IpProtocol'?"));
  CHECK(r.has("has no field 'Vlaue'; did you mean 'Value'?"));
  r = compile(policy(
      "for b in resources(\"AWS::S3::Bucket\") { require b.Properties.BucketName.Length == 1 }"));
  CHECK(
      r.has("'Length' is read from AWS::S3::Bucket Properties.BucketName, which is a scalar value "
            "with no fields"));
}

TEST_CASE("checker: free-form properties, Metadata and unknown values are not checked",
          "[schema][check]") {
  auto r = compile(policy(
      "for role in resources(\"AWS::IAM::Role\") {\n"
      "  require role.Properties.AssumeRolePolicyDocument.Statement.Principal.Service != \"x\"\n"
      "  require role.Properties.Policies.PolicyDocument.Anything.Goes != \"x\"\n"
      "  require role.Metadata.Whatever.Deep != \"x\"\n"
      "  require ref(role.Properties.PermissionsBoundary).Properties.Nothing != \"x\"\n"
      "  let x = template\n  require x.Resources.Foo != 1\n}"));
  CHECK(r.compiled);
  CHECK(r.lines.empty());
}

TEST_CASE("checker: several possible types are checked as a union", "[schema][check]") {
  // SecurityGroup* matches the group, its standalone ingress/egress rules and more.
  auto r =
      compile(policy("for x in resources(\"AWS::EC2::SecurityGroup*\") {\n"
                     "  require x.Properties.GroupDescription != \"x\"\n"
                     "  require x.Properties.CidrIp != \"x\"\n"
                     "  require x.Properties.CidrIpz != \"x\"\n}"));
  CHECK(r.lines.size() == 1);
  CHECK(r.has("has no field 'CidrIpz'; did you mean 'CidrIp'?"));
  r =
      compile(policy("for sg in resources(\"AWS::EC2::SecurityGroup\") {\n"
                     "  let rel = referrers(sg, \"AWS::EC2::VPCEndpoint\") + referrers(sg, "
                     "\"AWS::Lambda::Function\")\n"
                     "  require all e in rel: e.Properties.VpcEndpointType != \"x\" and "
                     "e.Properties.Handler != \"y\"\n"
                     "  require all e in rel: e.Properties.Handlr != \"y\"\n}"));
  CHECK(r.lines.size() == 1);
  CHECK(
      r.has("AWS::EC2::VPCEndpoint or AWS::Lambda::Function Properties has no field 'Handlr'; did "
            "you mean 'Handler'?"));
}

TEST_CASE("checker: referrers paths and Fn::GetAtt attributes", "[schema][check]") {
  auto r =
      compile(policy("for sg in resources(\"AWS::EC2::SecurityGroup\") {\n"
                     "  require count(referrers(sg, \"AWS::EC2::VPCEndpoint\", "
                     "\"Properties.SecurityGroupIdz\")) == 0\n}"));
  CHECK(
      r.has("AWS::EC2::VPCEndpoint Properties has no field 'SecurityGroupIdz'; did you mean "
            "'SecurityGroupIds'?"));
  r =
      compile(policy("for sg in resources(\"AWS::EC2::SecurityGroup\") {\n"
                     "  require all e in references(sg): e.attribute in [\"GroupId\", \"VpcId\"]\n"
                     "  require all e in references(sg): e.attribute != \"GroupIdd\"\n}"));
  CHECK(r.lines.size() == 1);
  CHECK(
      r.has("AWS::EC2::SecurityGroup has no attribute 'GroupIdd' for Fn::GetAtt; did you mean "
            "'GroupId'?"));
}

TEST_CASE("checker: functions are typed by use, the stdlib's too", "[schema][check]") {
  // A local helper: the error points into its body, with a note at the call.
  auto r = compile(
      policy("for b in resources(\"AWS::S3::Bucket\") { require props(b).AccesControl != \"x\" }"));
  CHECK(r.has("AWS::S3::Bucket Properties has no field 'AccesControl'"));
  // A stdlib helper used on a type whose schema lacks what it reads.
  r = compile(policy(
      "for b in resources(\"AWS::S3::Bucket\") { require count(ec2.inline_egress(b)) == 0 }"));
  CHECK_FALSE(r.compiled);
  CHECK(r.has("stdlib/ec2.polc"));
  CHECK(r.has("AWS::S3::Bucket Properties has no field 'SecurityGroupEgress'"));
  CHECK(r.has("note t.polc:7: in this call"));
  // The same helpers on the types they are written for: no diagnostic; their results carry types.
  r = compile(
      policy("for sg in resources(\"AWS::EC2::SecurityGroup\") {\n"
             "  require all rule in ec2.effective_egress(sg): rule.CidrIp != \"x\"\n"
             "  require all rule in ec2.inline_egress(sg): rule.CidrIpp != \"x\"\n"
             "  require all e in ec2.endpoints_using(sg): e.Properties.PrivateDnsEnabled\n}"));
  CHECK(r.lines.size() == 1);
  CHECK(r.has("has no field 'CidrIpp'"));
}

namespace {
// A file with a generic helper `docs(r)` (before the policy) and a policy body.
std::string generic(const std::string& helper, const std::string& body) {
  return helper + "\npolicy p {\n  id = \"T-1\"\n  title = \"t\"\n  severity = low\n" + body +
         "\n}\n";
}
}  // namespace

TEST_CASE("checker: a generic helper is checked against the union of its calls' types",
          "[schema][check]") {
  // Dispatch on what exists: each caller's type lacks what the other's has; no diagnostic.
  const std::string helper =
      "fn docs(r) = (if exists(r.Properties.PolicyDocument) then [r.Properties.PolicyDocument] "
      "else [])\n"
      "  + [p.PolicyDocument for p in default(r.Properties.Policies, []) if "
      "exists(p.PolicyDocument)]\n";
  const std::string calls =
      "  for r in resources(\"AWS::IAM::ManagedPolicy\") { require count(docs(r)) == 0 }\n"
      "  for r in resources(\"AWS::IAM::Role\") { require count(docs(r)) == 0 }";
  auto r = compile(generic(helper, calls));
  CHECK(r.compiled);
  CHECK(r.lines.empty());
  // A path that no caller's type has is still an error, once, in the helper, with the call.
  r = compile(generic(
      helper + "fn names(r) = [r.Properties.PolicyNam, r.Properties.ManagedPolicyName]\n",
      calls +
          "\n  for r in resources(\"AWS::IAM::ManagedPolicy\") { require count(names(r)) == 0 }\n"
          "  for r in resources(\"AWS::IAM::Role\") { require count(names(r)) == 0 }"));
  CHECK_FALSE(r.compiled);
  REQUIRE(r.lines.size() == 1);
  CHECK(r.has("t.polc:3:29: error [schema] "));
  CHECK(r.has("has no field 'PolicyNam'"));
  CHECK(r.has("in this call, which passes that type"));
  // One caller alone: a field only other types have is an error (a helper used on the wrong type).
  r = compile(
      generic(helper, "  for r in resources(\"AWS::S3::Bucket\") { require count(docs(r)) == 0 }"));
  CHECK_FALSE(r.compiled);
  CHECK(r.has("AWS::S3::Bucket Properties has no field 'PolicyDocument'"));
  CHECK(r.has("AWS::S3::Bucket Properties has no field 'Policies'"));
}

TEST_CASE(
    "checker: a guarded read in a helper is dispatch, unless the call reads nothing its type has",
    "[schema][check]") {
  // The stdlib's generic IAM helpers on one type alone, in a file of their own.
  const std::string iam = "import \"stdlib/iam\" as iam\n";
  for (const char* type : {"AWS::IAM::ManagedPolicy", "AWS::IAM::Role", "AWS::IAM::Policy",
                           "AWS::Serverless::Function"}) {
    auto r = compile(generic(iam, std::string("  for r in resources(\"") + type +
                                      "\") { require count(iam.identity_documents(r)) == 0 }"));
    INFO(type);
    CHECK(r.compiled);
    CHECK(r.lines.empty());
  }
  // Wrong type: nothing the helper reads exists on a bucket.
  auto r = compile(generic(
      iam,
      "  for r in resources(\"AWS::S3::Bucket\") { require count(iam.policy_documents(r)) == 0 }"));
  CHECK_FALSE(r.compiled);
  CHECK(r.has("stdlib/iam.polc"));
  CHECK(r.has("AWS::S3::Bucket Properties has no field 'PolicyDocument'"));
  // A guarded misspelling (a name no resource type has) is still an error.
  r = compile(generic(
      "fn doc(r) = if exists(r.Properties.PolicyDocumnt) then 1 else r.Properties.PolicyDocument\n",
      "  for r in resources(\"AWS::IAM::ManagedPolicy\") { require doc(r) != null }"));
  CHECK_FALSE(r.compiled);
  CHECK(r.has("has no field 'PolicyDocumnt'; did you mean 'PolicyDocument'?"));
  // In a policy (not a helper), exists() of a misspelled path is an error as before.
  r = compile(policy(
      "for b in resources(\"AWS::S3::Bucket\") { require exists(b.Properties.AccesControl) }"));
  CHECK(r.has("has no field 'AccesControl'"));
}

TEST_CASE("checker: `x.type == T` narrows x in the branches of if", "[schema][check]") {
  const std::string helper =
      "fn pol(r) = if r.type == \"AWS::Serverless::Function\" then r.Properties.Policies\n"
      "  else r.Properties.PolicyDocument\n";
  // Each caller takes one branch only: the other is not checked for it.
  auto r = compile(generic(
      helper, "  for r in resources(\"AWS::Serverless::Function\") { require pol(r) != null }"));
  CHECK(r.lines.empty());
  r = compile(
      generic(helper, "  for r in resources(\"AWS::IAM::Policy\") { require pol(r) != null }"));
  CHECK(r.lines.empty());
  // A misspelling in the branch a caller takes is an error.
  r = compile(generic(
      "fn pol(r) = if r.type != \"AWS::IAM::Policy\" then r.Properties.Policiez else null\n",
      "  for r in resources(\"AWS::Serverless::Function\") { require pol(r) != null }"));
  CHECK(r.has(
      "AWS::Serverless::Function Properties has no field 'Policiez'; did you mean 'Policies'?"));
}

TEST_CASE("checker: properties that can hold an IAM policy document are free form",
          "[schema][check]") {
  // SAM Policies: a policy name, a list of names, inline documents or SAM policy templates.
  auto r =
      compile(policy("for f in resources(\"AWS::Serverless::Function\") {\n"
                     "  require all p in f.Properties.Policies: p.Statement != null and "
                     "p.S3ReadPolicy != null\n}"));
  CHECK(r.lines.empty());
  r =
      compile(policy("for f in resources(\"AWS::Serverless::StateMachine\") { require "
                     "f.Properties.Policies.Statement != null }"));
  CHECK(r.lines.empty());
  // The property names themselves are still checked.
  r =
      compile(policy("for f in resources(\"AWS::Serverless::Function\") { require "
                     "f.Properties.Polices != null }"));
  CHECK(r.has("did you mean 'Policies'?"));
}

TEST_CASE("checker: read-only and deprecated paths are warnings", "[schema][check]") {
  auto r =
      compile(policy("for sg in resources(\"AWS::EC2::SecurityGroup\") { require "
                     "sg.Properties.GroupId != \"x\" }"));
  CHECK(r.compiled);
  CHECK(r.has("warning [schema] 'GroupId' of AWS::EC2::SecurityGroup Properties is read-only"));
  r =
      compile(policy("for d in resources(\"AWS::AppSync::DataSource\") { require "
                     "exists(d.Properties.ElasticsearchConfig) }"));
  CHECK(r.compiled);
  CHECK(
      r.has("warning [schema] 'ElasticsearchConfig' of AWS::AppSync::DataSource Properties is "
            "deprecated"));
}

TEST_CASE("checker: the standard pack and the stdlib compile without schema diagnostics",
          "[schema][check]") {
  Diagnostics diags;
  ModuleSet modules;
  modules.load_builtin_pack(diags);
  auto set = compile_modules(modules, diags);
  REQUIRE(set);
  // Not a schema diagnostic, nor any other: `polc check` skips the checker's pass over the
  // embedded sources when they are compiled alone (CompileOptions::trust_builtin), on the
  // strength of this test.
  for (const auto& d : diags.items()) {
    INFO(d.location.file << ":" << d.location.line << ": " << d.message);
    CHECK(d.code != "schema");
  }
  CHECK(diags.items().empty());
}

TEST_CASE("checker: trust_builtin skips the pass only for the embedded sources alone",
          "[schema][check]") {
  // A user policy beside the pack is checked as always, schema errors included.
  Diagnostics diags;
  ModuleSet modules;
  modules.load_builtin_pack(diags);
  modules.load_source("user.polc",
                      policy("  for b in resources(\"AWS::S3::Bucket\") {\n"
                             "    require b.Properties.AccesControl == \"x\"\n  }"),
                      false, diags);
  CompileOptions options;
  options.trust_builtin = true;
  CHECK(compile_modules(modules, diags, options) == nullptr);
  CHECK(diags.has_errors());
  // The embedded sources alone compile to the same policies either way.
  Diagnostics d1, d2;
  ModuleSet m1, m2;
  m1.load_builtin_pack(d1);
  m2.load_builtin_pack(d2);
  auto checked = compile_modules(m1, d1);
  auto trusted = compile_modules(m2, d2, options);
  REQUIRE(checked);
  REQUIRE(trusted);
  CHECK(save_bundle(*checked) == save_bundle(*trusted));
  CHECK(d2.items().empty());
}

namespace {
constexpr const char* kWidget = R"({
  "typeName": "Acme::Widget::Thing",
  "properties": {
    "Name": {"type": "string"},
    "Config": {"$ref": "#/definitions/Config"},
    "Items": {"type": "array", "items": {"$ref": "#/definitions/Item"}},
    "Arn": {"type": "string"},
    "Old": {"type": "string"}
  },
  "definitions": {
    "Config": {"type": "object", "properties": {"Enabled": {"type": "boolean"}}},
    "Item": {"type": "object", "properties": {"Port": {"type": "integer"}}}
  },
  "required": ["Name"],
  "readOnlyProperties": ["/properties/Arn"],
  "deprecatedProperties": ["/properties/Old"]
})";
}  // namespace

TEST_CASE("user schema overlays: a project's own types are checked", "[schema][check]") {
  schema::SchemaSet set;
  Diagnostics diags;
  REQUIRE(set.add_overlay("widget.json", kWidget, diags));
  REQUIRE(diags.empty());
  const auto* w = set.find("Acme::Widget::Thing");
  REQUIRE(w);
  CHECK_FALSE(set.is_open("Acme::Widget::Thing"));
  auto r = compile(policy("for w in resources(\"Acme::Widget::Thing\") {\n"
                          "  require w.Properties.Config.Enabled\n"
                          "  require all i in w.Properties.Items: i.Port > 0\n"
                          "  require w.Properties.Config.Enabledd\n"
                          "  require all i in w.Properties.Items: i.Prot > 0\n"
                          "  require exists(w.Properties.Old)\n"
                          "  require all e in references(w): e.attribute == \"Arn\"\n}"),
                   &set);
  CHECK_FALSE(r.compiled);
  CHECK(r.has(
      "Acme::Widget::Thing Properties.Config has no field 'Enabledd'; did you mean 'Enabled'?"));
  CHECK(r.has("has no field 'Prot'; did you mean 'Port'?"));
  CHECK(r.has("warning [schema] 'Old' of Acme::Widget::Thing Properties is deprecated"));
  CHECK(r.lines.size() == 3);
  // Without the overlay the type is third-party, so open.
  r = compile(policy(
      "for w in resources(\"Acme::Widget::Thing\") { require w.Properties.Config.Enabledd }"));
  CHECK(r.lines.empty());
  // An overlay replaces the table's type of the same name.
  std::string bucket =
      R"({"typeName": "AWS::S3::Bucket", "properties": {"OnlyThis": {"type": "string"}}})";
  REQUIRE(set.add_overlay("bucket.json", bucket, diags));
  r = compile(
      policy(
          "for b in resources(\"AWS::S3::Bucket\") { require b.Properties.BucketName != \"x\" }"),
      &set);
  CHECK(r.has("has no field 'BucketName'"));
}

TEST_CASE("bad schema files are errors with file and position, never a crash", "[schema]") {
  struct Case {
    const char* text;
    const char* message;
  } cases[] = {
      {"{\"typeName\": \"A::B::C\", \"properties\": {", ""},  // truncated JSON
      {"[1, 2]", "a resource schema must be a JSON object"},
      {"{\"properties\": {}}", "needs \"typeName\""},
      {"{\"typeName\": \"A::B::C\"}", "needs \"properties\""},
      {"{\"typeName\": \"A::B::C\", \"properties\": {\"X\": 3}}",
       "a property schema must be a JSON object"},
      {"{\"typeName\": \"A::B::C\", \"properties\": {\"X\": {\"$ref\": \"#/definitions/Nope\"}}}",
       "which \"definitions\" does not define"},
      {"{\"typeName\": \"A::B::C\", \"properties\": {\"X\": {\"type\": \"strange\"}}}",
       "unknown JSON schema type"},
      {"{\"typeName\": \"A::B::C\", \"properties\": {}, \"readOnlyProperties\": [\"Arn\"]}",
       "JSON pointers"},
      {"{\"typeName\": \"nocolons\", \"properties\": {}}", "must look like"},
  };
  for (const auto& c : cases) {
    schema::SchemaSet set;
    Diagnostics diags;
    INFO(c.text);
    CHECK_FALSE(set.add_overlay("bad.json", c.text, diags));
    REQUIRE(diags.has_errors());
    const auto& d = diags.items().front();
    CHECK(d.location.file == "bad.json");
    CHECK(d.location.line >= 1);
    CHECK(d.message.find(c.message) != std::string::npos);
  }
}

TEST_CASE("schema directories: every *.json file, errors per file; kMaxSchemaFileBytes",
          "[schema]") {
  fs::path dir = fs::temp_directory_path() / "polc_schema_test_dir";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "good.json") << kWidget;
  std::ofstream(dir / "bad.json") << "{\"typeName\": 1}";
  std::ofstream(dir / "notes.txt") << "ignored";
  {
    std::ofstream big(dir / "big.json");
    big << std::string(kMaxSchemaFileBytes + 1, ' ');
  }
  schema::SchemaSet set;
  Diagnostics diags;
  CHECK_FALSE(set.add_overlay_dir(dir.string(), diags));
  CHECK(set.find("Acme::Widget::Thing") != nullptr);
  int errors = 0;
  bool big = false;
  for (const auto& d : diags.items()) {
    errors += d.severity == DiagSeverity::kError;
    big |= d.message.find("kMaxSchemaFileBytes") != std::string::npos;
  }
  CHECK(errors == 2);
  CHECK(big);
  Diagnostics missing;
  CHECK_FALSE(set.add_overlay_dir((dir / "nope").string(), missing));
  CHECK(missing.has_errors());
  fs::remove_all(dir);
}

TEST_CASE("--check-properties: template properties the type lacks, through lists and Fn::If",
          "[schema]") {
  std::string yaml = R"(Conditions:
  C: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupEgres:
        - {IpProtocol: "-1", CidrIp: 0.0.0.0/0}
      SecurityGroupIngress:
        - !If [C, {IpProtocol: tcp, FromPort: 1, ToPort: 2, CidrIpp: 10.0.0.0/8}, !Ref AWS::NoValue]
        - {IpProtocol: tcp, FromPort: 1, ToPort: 2, CidrIp: !Ref AWS::NoValue}
      Tags: [{Key: a, Value: b}]
  Doc:
    Type: AWS::EC2::VPCEndpoint
    Properties: {VpcId: v, ServiceName: s, PolicyDocument: {Anything: [1]}, SecurityGroupIds: !Ref Ids}
  Custom:
    Type: Custom::X
    Properties: {Whatever: 1}
  Future:
    Type: AWS::Future::Thing
    Properties: {Whatever: 1}
)";
  LoadResult lr = load_template_read("t.yaml", padded_source(yaml));
  REQUIRE(lr.tmpl);
  std::vector<Diagnostic> out;
  check_template_properties(*lr.tmpl, schema::SchemaSet::builtin(), out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].code == "unknown-property");
  CHECK(out[0].location.line == 8);
  CHECK(out[0].location.column == 7);
  CHECK(out[0].message.find("Properties.SecurityGroupEgres; did you mean 'SecurityGroupEgress'?") !=
        std::string::npos);
  CHECK(out[1].location.line == 11);
  CHECK(out[1].message.find("Properties.SecurityGroupIngress.CidrIpp; did you mean 'CidrIp'?") !=
        std::string::npos);
}
