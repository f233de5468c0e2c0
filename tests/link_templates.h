// Templates that link to each other, shared by the linked-stack tests (stack_links_test.cpp,
// linked_scan_test.cpp): an exporting network stack and an importing app, and two nested
// templates, one passing its group to the other through their parent.
#pragma once
#include <string>

namespace polc::test {

/// Exports its group as `network-SgId` when deployed as `network` (file network.yaml).
inline const char* const kNetwork = R"(AWSTemplateFormatVersion: "2010-09-09"
Resources:
  EndpointSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: endpoints
Outputs:
  SgId:
    Value: !GetAtt EndpointSg.GroupId
    Export:
      Name: !Sub "${AWS::StackName}-SgId"
)";

/// An endpoint whose group is imported from `network-SgId`.
inline const char* const kApp = R"(AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Network:
    Type: String
    Default: network
Resources:
  Endpoint:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcEndpointType: Interface
      ServiceName: com.amazonaws.us-east-1.kms
      VpcId: vpc-1
      SecurityGroupIds:
        - Fn::ImportValue: !Sub "${Network}-SgId"
)";

/// A nested template with a group and no link of its own (no export, import or nested stack).
inline const char* const kGroupsChild = R"(Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
Outputs:
  SgId:
    Value: !Ref Sg
)";

/// A nested template whose endpoint uses the group its parent passes as `GroupId`.
inline const char* const kEndpointsChild = R"(Parameters:
  GroupId:
    Type: String
Resources:
  Ep:
    Type: AWS::EC2::VPCEndpoint
    Properties:
      VpcEndpointType: Interface
      ServiceName: s
      VpcId: v
      SecurityGroupIds: [!Ref GroupId]
)";

/// A parent nesting `groups` and `endpoints` (their TemplateURLs) and passing the first's
/// output `SgId` to the second.
inline std::string nested_parent(const std::string& groups, const std::string& endpoints) {
  return "Resources:\n  Groups:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n"
         "      TemplateURL: " +
         groups +
         "\n  Endpoints:\n    Type: AWS::CloudFormation::Stack\n"
         "    Properties:\n      TemplateURL: " +
         endpoints +
         "\n      Parameters:\n"
         "        GroupId: !GetAtt Groups.Outputs.SgId\n";
}

}  // namespace polc::test
