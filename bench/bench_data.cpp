// Inputs of the micro-benchmarks. See bench/bench_data.h.
#include "bench/bench_data.h"

#include <yaml.h>

#include <fstream>
#include <map>
#include <sstream>

#include "dsl/compiler.h"
#include "engine/load/loader.h"

namespace polc::bench {
namespace {

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string yaml_pairs(std::size_t pairs) {
  std::string s = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n";
  for (std::size_t i = 0; i < pairs; ++i) {
    std::string n = std::to_string(i);
    s += "  Sg" + n + ":\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n";
    s += "      GroupDescription: endpoint group " + n + "\n      VpcId: !Ref Vpc\n";
    if (i % 2 == 0) {
      s += "      SecurityGroupEgress:\n        - CidrIp: 10.0.0.0/8\n          IpProtocol: tcp\n"
           "          FromPort: 443\n          ToPort: 443\n";
    } else if (i % 10 != 9) {
      s += "  Sg" + n + "Egress:\n    Type: AWS::EC2::SecurityGroupEgress\n    Properties:\n" +
           "      GroupId: !GetAtt Sg" + n + ".GroupId\n      IpProtocol: tcp\n" +
           "      FromPort: 443\n      ToPort: 443\n      CidrIp: 10.0.0.0/8\n";
    }
    s += "  Vpce" + n + ":\n    Type: AWS::EC2::VPCEndpoint\n    Properties:\n";
    s += "      VpcEndpointType: Interface\n      ServiceName: !Sub "
         "com.amazonaws.${AWS::Region}.ssm\n";
    s += "      VpcId: !Ref Vpc\n      PrivateDnsEnabled: true\n      SecurityGroupIds:\n";
    s += "        - !Ref Sg" + n + "\n      SubnetIds: [subnet-1, subnet-2]\n";
  }
  s += "  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n";
  return s;
}

std::string json_pairs(std::size_t pairs) {
  std::string s = "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n";
  for (std::size_t i = 0; i < pairs; ++i) {
    std::string n = std::to_string(i);
    s += "    \"Sg" + n + "\": {\"Type\": \"AWS::EC2::SecurityGroup\", \"Properties\": {";
    s += "\"GroupDescription\": \"endpoint group " + n + "\", \"VpcId\": {\"Ref\": \"Vpc\"}";
    if (i % 2 == 0)
      s += ", \"SecurityGroupEgress\": [{\"CidrIp\": \"10.0.0.0/8\", \"IpProtocol\": \"tcp\", "
           "\"FromPort\": 443, \"ToPort\": 443}]";
    s += "}},\n";
    if (i % 2 == 1 && i % 10 != 9)
      s += "    \"Sg" + n + "Egress\": {\"Type\": \"AWS::EC2::SecurityGroupEgress\", " +
           "\"Properties\": {\"GroupId\": {\"Fn::GetAtt\": [\"Sg" + n + "\", \"GroupId\"]}, " +
           "\"IpProtocol\": \"tcp\", \"FromPort\": 443, \"ToPort\": 443, \"CidrIp\": "
           "\"10.0.0.0/8\"}},\n";
    s += "    \"Vpce" + n + "\": {\"Type\": \"AWS::EC2::VPCEndpoint\", \"Properties\": {";
    s += "\"VpcEndpointType\": \"Interface\", ";
    s += "\"ServiceName\": {\"Fn::Sub\": \"com.amazonaws.${AWS::Region}.ssm\"}, ";
    s += "\"VpcId\": {\"Ref\": \"Vpc\"}, \"PrivateDnsEnabled\": true, ";
    s += "\"SecurityGroupIds\": [{\"Ref\": \"Sg" + n + "\"}], ";
    s += "\"SubnetIds\": [\"subnet-1\", \"subnet-2\"]}},\n";
  }
  s += "    \"Vpc\": {\"Type\": \"AWS::EC2::VPC\", \"Properties\": {\"CidrBlock\": "
       "\"10.0.0.0/16\"}}\n";
  s += "  }\n}\n";
  return s;
}

}  // namespace

const InputSet& corpus() {
  static const InputSet set = [] {
    InputSet s;
    const std::string shared = POLC_SOURCE_DIR "/../shared";
    std::ifstream list(shared + "/checks/guard_loadable.txt");
    std::string rel;
    while (std::getline(list, rel)) {
      if (rel.empty()) continue;
      InputFile f{shared + "/corpus/" + rel, read_all(shared + "/corpus/" + rel)};
      if (f.bytes.empty()) continue;
      s.bytes += f.bytes.size();
      s.files.push_back(std::move(f));
    }
    return s;
  }();
  return set;
}

const InputSet& synthetic(std::size_t pairs, bool json) {
  static std::map<std::pair<std::size_t, bool>, InputSet> cache;
  auto [it, inserted] = cache.try_emplace({pairs, json});
  if (inserted) {
    InputFile f{"synthetic-" + std::to_string(pairs) + (json ? ".json" : ".yaml"),
                json ? json_pairs(pairs) : yaml_pairs(pairs)};
    it->second.bytes = f.bytes.size();
    it->second.files.push_back(std::move(f));
  }
  return it->second;
}

std::uint64_t libyaml_event_pass(const InputSet& set) {
  std::uint64_t events = 0;
  for (const InputFile& f : set.files) {
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, reinterpret_cast<const unsigned char*>(f.bytes.data()),
                                 f.bytes.size());
    yaml_event_t e;
    while (yaml_parser_parse(&p, &e)) {
      ++events;
      bool end = e.type == YAML_STREAM_END_EVENT;
      yaml_event_delete(&e);
      if (end) break;
    }
    yaml_parser_delete(&p);
  }
  return events;
}

double floor_seconds(const InputSet& set) {
  static std::map<const InputSet*, double> cache;
  auto it = cache.find(&set);
  if (it != cache.end()) return it->second;
  double t = median_seconds([&] { libyaml_event_pass(set); }, 5);
  cache[&set] = t;
  return t;
}

double load_seconds(const InputSet& set) {
  static std::map<const InputSet*, double> cache;
  auto it = cache.find(&set);
  if (it != cache.end()) return it->second;
  double t = median_seconds(
      [&] {
        for (const InputFile& f : set.files) load_template_bytes(f.path, f.bytes);
      },
      5);
  cache[&set] = t;
  return t;
}

const PolicySet* standard_pack() {
  static const std::unique_ptr<PolicySet> set = [] {
    Diagnostics diags;
    auto s = compile_policy_files({}, true, diags);
    if (s && !diags.has_errors())
      s->freeze();
    else
      s.reset();
    return s;
  }();
  return set.get();
}

}  // namespace polc::bench
