#include <catch2/catch.hpp>

#include "engine/vm/net.h"
#include "engine/vm/vm.h"

using namespace polc;

static IpNetwork net(const char* s) {
  IpNetwork n;
  REQUIRE(parse_network(s, n));
  return n;
}

TEST_CASE("CIDR parsing and containment", "[net]") {
  IpNetwork n;
  CHECK_FALSE(parse_network("10.0.0.0/33", n));
  CHECK_FALSE(parse_network("not an ip", n));
  CHECK_FALSE(parse_network("::/129", n));
  CHECK_FALSE(parse_network("", n));
  CHECK(net("10.0.0.0/8").prefix == 8);
  CHECK(net("10.1.2.3").prefix == 32);
  CHECK(net("2001:db8::/32").v6);
  CHECK(network_contains(net("10.0.0.0/8"), net("10.1.0.0/16")));
  CHECK_FALSE(network_contains(net("10.1.0.0/16"), net("10.0.0.0/8")));
  CHECK_FALSE(network_contains(net("10.0.0.0/8"), net("11.0.0.0/16")));
  CHECK_FALSE(network_contains(net("0.0.0.0/0"), net("::/0")));
  CHECK(network_contains(net("127.0.0.0/8"), net("127.0.0.1/32")));
  CHECK(network_contains(net("172.16.0.0/12"), net("172.31.255.0/24")));
  CHECK_FALSE(network_contains(net("172.16.0.0/12"), net("172.32.0.0/24")));
}

TEST_CASE("CIDR any and public", "[net]") {
  CHECK(network_is_any(net("0.0.0.0/0")));
  CHECK(network_is_any(net("::/0")));
  CHECK_FALSE(network_is_any(net("0.0.0.0/1")));
  CHECK(network_is_public(net("0.0.0.0/0")));
  CHECK(network_is_public(net("8.8.8.8/32")));
  CHECK_FALSE(network_is_public(net("10.2.0.0/16")));
  CHECK_FALSE(network_is_public(net("192.168.1.0/24")));
  CHECK_FALSE(network_is_public(net("127.0.0.1/32")));
  CHECK(network_is_public(net("::/0")));
  CHECK_FALSE(network_is_public(net("fd00::/8")));
  CHECK_FALSE(network_is_public(net("::1/128")));
  CHECK(network_is_public(net("2001:db8::/32")));
}

TEST_CASE("resource type patterns", "[vm]") {
  CHECK(type_matches("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroup"));
  CHECK_FALSE(type_matches("AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupEgress"));
  CHECK(type_matches("AWS::EC2::*", "AWS::EC2::VPC"));
  CHECK(type_matches("*", "Custom::Thing"));
  CHECK(type_matches("AWS::*::Function", "AWS::Lambda::Function"));
  CHECK(type_matches("AWS::*::Function", "AWS::Serverless::Function"));
  CHECK_FALSE(type_matches("AWS::*::Function", "AWS::Lambda::Url"));
  CHECK_FALSE(type_matches("AWS::S3::Bucket", ""));
}
