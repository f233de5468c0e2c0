// Shared by the fuzz targets that run policies: a small fixed template with conditions,
// references and several resource types, loaded once, and a helper that runs every policy of
// a frozen set over it with a small step budget (so one input stays fast).
#pragma once
#include <cstdlib>
#include <memory>

#include "engine/load/loader.h"
#include "engine/vm/vm.h"

namespace polc::fuzz {

inline constexpr const char* kTemplateYaml = R"(AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Env: {Type: String, Default: prod}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  NotProd: !Not [!Condition IsProd]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Condition: IsProd
    Properties:
      BucketName: !Sub '${AWS::StackName}-data'
      Tags: [{Key: a, Value: b}]
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: sg
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}
        - !If [NotProd, {IpProtocol: '-1', CidrIpv6: '::/0'}, !Ref AWS::NoValue]
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcId: !Ref Vpc
      SecurityGroupIds: [!GetAtt Sg.GroupId]
      ServiceName: !Join ['', [com.amazonaws., !Ref 'AWS::Region', .s3]]
Outputs:
  Name: {Value: !GetAtt Bucket.Arn}
)";

/// The fixed template, loaded on first use (aborts if it does not load: a bug in the target).
inline const Template& fixed_template() {
  static LoadResult r = load_template_bytes("fuzz-template.yaml", kTemplateYaml, FileFormat::kYaml);
  if (r.status != LoadStatus::kTemplate || !r.tmpl) std::abort();
  return *r.tmpl;
}

/// Runs every policy of frozen `set` over the fixed template.
inline void run_all(const PolicySet& set) {
  VmOptions options;
  options.max_steps = 20'000;
  Vm vm(set, options);
  const Template& t = fixed_template();
  for (const auto& p : set.policies) {
    PolicyOutput out;
    vm.evaluate_policy(p, t, out);
    vm.reset();
  }
}

}  // namespace polc::fuzz
