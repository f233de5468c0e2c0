// Tests for the simdjson On-Demand loader (engine/load/json_parser.cpp).
#include "engine/load/json_parser.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/base/limits.h"
#include "engine/model/dump.h"

namespace {

struct Parsed {
  std::unique_ptr<polc::Document> doc;
  polc::Diagnostics diags;
  bool ok = false;
};

Parsed parse(std::string text) {
  Parsed p;
  p.doc = std::make_unique<polc::Document>(
      std::make_unique<polc::SourceFile>("t.json", std::move(text)));
  p.ok = polc::parse_json(*p.doc, p.diags);
  return p;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const polc::Diagnostic* find_code(const polc::Diagnostics& d, std::string_view code) {
  for (const auto& x : d.items())
    if (x.code == code) return &x;
  return nullptr;
}

}  // namespace

TEST_CASE("json: scalars, offsets and kinds", "[json]") {
  auto p = parse(R"({"a": 1, "b": -9223372036854775808, "c": 18446744073709551616,
 "d": 1.5e3, "e": "x\u00e9\"y", "f": [true, false, null], "g": {}})");
  REQUIRE(p.ok);
  const polc::Value* root = p.doc->root;
  REQUIRE(root->is_map());
  CHECK(root->size == 7);
  CHECK(root->offset == 0);
  CHECK(root->get("a")->kind == polc::ValueKind::kInt);
  CHECK(root->get("a")->integer == 1);
  CHECK(root->get("a")->offset == 6);
  CHECK(root->find("a")->key_offset == 1);
  CHECK(root->get("b")->kind == polc::ValueKind::kInt);
  CHECK(root->get("b")->integer == INT64_MIN);
  CHECK(root->get("c")->kind == polc::ValueKind::kFloat);
  CHECK(root->get("c")->number == Approx(18446744073709551616.0));
  CHECK(root->get("d")->kind == polc::ValueKind::kFloat);
  CHECK(root->get("d")->number == 1500.0);
  CHECK(root->get("e")->str() == "x\xc3\xa9\"y");
  CHECK(root->get("e")->quoted);
  const polc::Value* f = root->get("f");
  REQUIRE(f->is_list());
  REQUIRE(f->size == 3);
  CHECK(f->list()[0]->kind == polc::ValueKind::kBool);
  CHECK(f->list()[0]->boolean);
  CHECK(!f->list()[1]->boolean);
  CHECK(f->list()[2]->is_null());
  CHECK(p.doc->file->locate(root->get("d")->offset).line == 2);
  CHECK(root->get("g")->is_map());
  CHECK(root->get("g")->size == 0);
  CHECK(polc::value_to_json(root) ==
        R"({"a":1,"b":-9223372036854775808,"c":18446744073709551616,"d":1500,"e":"xé\"y",)"
        R"("f":[true,false,null],"g":{}})");
}

TEST_CASE("json: duplicate keys warn with both lines, last wins", "[json]") {
  auto p = parse("{\n \"A\": 1,\n \"B\": 2,\n \"A\": 3\n}");
  REQUIRE(p.ok);
  CHECK(p.doc->root->size == 2);
  CHECK(p.doc->root->get("A")->integer == 3);
  const auto* d = find_code(p.diags, "duplicate-key");
  REQUIRE(d);
  CHECK(d->severity == polc::DiagSeverity::kWarning);
  CHECK(d->location.line == 4);
  CHECK(d->message == "duplicate key 'A' (first at line 2); the last occurrence wins");
}

TEST_CASE("json: syntax errors are positioned", "[json]") {
  SECTION("missing comma") {
    auto p = parse("{\n  \"a\": 1\n  \"b\": 2\n}");
    CHECK(!p.ok);
    const auto* d = find_code(p.diags, "json-syntax");
    REQUIRE(d);
    CHECK(d->location.line >= 2);
  }
  SECTION("trailing comma is accepted with a warning, as CloudFormation does") {
    auto p = parse("{\n  \"a\": [1, 2,],\n \"s\": \",]\"\n}");
    CHECK(p.ok);
    REQUIRE(find_code(p.diags, "json-trailing-comma"));
    CHECK(find_code(p.diags, "json-trailing-comma")->location.line == 2);
    CHECK(find_code(p.diags, "json-syntax") == nullptr);
    CHECK(polc::value_to_json(p.doc->root) == R"({"a":[1,2],"s":",]"})");
  }
  SECTION("comma without a value") {
    auto p = parse("{\n  \"a\": [1, 2,,]\n}");
    CHECK(!p.ok);
    REQUIRE(find_code(p.diags, "json-syntax"));
    CHECK(find_code(p.diags, "json-syntax")->location.line == 2);
  }
  SECTION("trailing content") {
    auto p = parse("{\"a\": 1}\n{\"b\": 2}");
    CHECK(!p.ok);
    REQUIRE(find_code(p.diags, "json-syntax"));
    CHECK(find_code(p.diags, "json-syntax")->location.line == 2);
  }
  SECTION("truncated") {
    auto p = parse("{\"a\": [1, 2");
    CHECK(!p.ok);
    CHECK(find_code(p.diags, "json-syntax"));
  }
  SECTION("bad atom") {
    auto p = parse("{\"a\": nul}");
    CHECK(!p.ok);
    CHECK(find_code(p.diags, "json-syntax"));
  }
  SECTION("empty") {
    auto p = parse("   ");
    CHECK(!p.ok);
    CHECK(find_code(p.diags, "json-syntax"));
  }
}

TEST_CASE("json: invalid UTF-8 is located", "[json]") {
  auto p = parse("{\n\"a\": \"ok\",\n\"b\": \"\xff\"}");
  CHECK(!p.ok);
  const auto* d = find_code(p.diags, "invalid-utf8");
  REQUIRE(d);
  CHECK(d->location.line == 3);
  CHECK(d->location.column == 7);
}

TEST_CASE("json: nesting depth is bounded", "[json]") {
  std::string deep = "{\"x\": " + std::string(polc::kMaxNestingDepth, '[') + "1" +
                     std::string(polc::kMaxNestingDepth, ']') + "}";
  auto p = parse(deep);
  CHECK(!p.ok);
  REQUIRE(find_code(p.diags, "nesting-depth"));
  std::string ok =
      std::string(polc::kMaxNestingDepth, '[') + std::string(polc::kMaxNestingDepth, ']');
  auto q = parse(ok);
  CHECK(q.ok);
}

TEST_CASE("json: case 16 BOM and case 27 deep nesting", "[json]") {
  const std::string cases = POLC_SOURCE_DIR "/../shared/cases/";
  if (!std::filesystem::exists(cases)) {
    WARN("shared cases not found; skipping");
    return;
  }
  {
    auto p = parse(read_file(cases + "16-utf8-bom-json/template.json"));
    REQUIRE(p.ok);
    REQUIRE(p.doc->root->is_map());
    CHECK(p.doc->root->map()[0].key == "AWSTemplateFormatVersion");
    const polc::MapEntry* sg = p.doc->root->get("Resources")->find("MySG");
    REQUIRE(sg);
    CHECK(p.doc->file->locate(sg->key_offset).line == 5);
  }
  {
    auto p = parse(read_file(cases + "27-deep-nesting-json/template.json"));
    CHECK(!p.ok);
    const auto* d = find_code(p.diags, "nesting-depth");
    REQUIRE(d);
    CHECK(d->location.line == 5);
  }
}

TEST_CASE("json: large input uses its own parser and strings are bounded", "[json]") {
  const std::string chunk(1u << 20, 'x');
  std::string big = "{\"a\": [";
  for (int i = 0; i < 5; ++i) big += (i ? ",\"" : "\"") + chunk + "\"";
  big += "],\n \"b\": 1}";
  auto p = parse(big);
  REQUIRE(p.ok);
  CHECK(p.doc->root->get("a")->size == 5);
  CHECK(p.doc->root->get("a")->list()[4]->size == chunk.size());
  CHECK(p.doc->file->locate(p.doc->root->find("b")->key_offset).line == 2);
  // A small parse afterwards still works with the thread's cached parser.
  CHECK(parse("{\"c\": [1]}").ok);
  // One string longer than kMaxStringBytes is a positioned error.
  auto q = parse("{\n\"s\": \"" + std::string(polc::kMaxStringBytes + 1, 'y') + "\"}");
  CHECK(!q.ok);
  REQUIRE(find_code(q.diags, "string-size"));
  CHECK(find_code(q.diags, "string-size")->location.line == 2);
}
