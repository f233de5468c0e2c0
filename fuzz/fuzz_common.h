// Shared by the fuzz targets that run policies: a small fixed template with conditions,
// references, several resource types and numbers at the limits of int64 and double, loaded once, and a helper that runs every policy of
// a frozen set over it with a small step budget (so one input stays fast).
#pragma once
#include <cstdlib>
#include <memory>

#include "engine/load/loader.h"
#include "engine/vm/coverage.h"
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
        # Numbers at the limits, so that generated policies doing arithmetic on template data
        # meet them (INT64_MIN / -1 once killed polc with SIGFPE).
        - {IpProtocol: tcp, FromPort: -9223372036854775808, ToPort: -1, CidrIp: 10.0.0.0/8}
        - {IpProtocol: udp, FromPort: 9223372036854775807, ToPort: 1e300, CidrIp: .nan}
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
/// With `coverage`, the runs are counted (engine/vm/coverage.h) and summarized as `polc test
/// --coverage-lcov` does; the findings must not change.
inline void run_all(const PolicySet& set, bool coverage = false) {
  VmOptions options;
  options.max_steps = 20'000;
  Vm vm(set, options);
  CoverageCounts counts(set);
  if (coverage) vm.set_coverage(&counts);
  const Template& t = fixed_template();
  for (const auto& p : set.policies) {
    PolicyOutput out;
    vm.evaluate_policy(p, t, out);
    vm.reset();
  }
  if (!coverage) return;
  auto files = summarize_coverage(set, counts, [](std::string_view) { return true; });
  for (const FileCoverage& f : files)
    if (f.lines_hit() > f.lines.size() || f.branches_hit() > f.branches.size()) __builtin_trap();
  if (!files.empty() && coverage_lcov(files, "fuzz").find("end_of_record\n") == std::string::npos)
    __builtin_trap();
}

}  // namespace polc::fuzz
