// Tests for the YAML loader (engine/load/yaml_parser.h): YAML 1.1 scalar typing, short-form tags,
// anchors and merge keys, duplicate keys, multi-document streams, limits, syntax errors,
// byte offsets with non-ASCII text, and the shared corpus.
#include "engine/load/yaml_parser.h"

#include <yaml.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/base/limits.h"
#include "engine/load/yaml_scalar.h"
#include "tests/value_json.h"

namespace fs = std::filesystem;
using polc::Diagnostic;
using polc::Diagnostics;
using polc::DiagSeverity;
using polc::Document;
using polc::Intrinsic;
using polc::SourceFile;
using polc::Value;
using polc::ValueKind;
using polc::test::value_json;

namespace {

struct Parsed {
  std::unique_ptr<Document> doc;
  Diagnostics diags;
  bool ok = false;

  const Value& root() const {
    REQUIRE(doc->root != nullptr);
    return *doc->root;
  }
  std::string json() const { return doc->root ? value_json(*doc->root) : "<no root>"; }
  std::string rendered() const {
    std::string out;
    for (const Diagnostic& d : diags.items()) out += polc::render_diagnostic(d);
    return out;
  }
  std::size_t count(const std::string& code) const {
    std::size_t n = 0;
    for (const Diagnostic& d : diags.items()) n += d.code == code;
    return n;
  }
  const Diagnostic* first(const std::string& code) const {
    for (const Diagnostic& d : diags.items())
      if (d.code == code) return &d;
    return nullptr;
  }
};

Parsed parse(std::string text, std::string path = "t.yaml") {
  Parsed p;
  p.doc =
      std::make_unique<Document>(std::make_unique<SourceFile>(std::move(path), std::move(text)));
  p.ok = polc::parse_yaml(*p.doc, p.diags);
  return p;
}

// Parses `v: <literal>` and returns the JSON of the value of `v`.
std::string scalar_json(const std::string& literal, ValueKind* kind = nullptr) {
  Parsed p = parse("v: " + literal + "\n");
  INFO(p.rendered());
  REQUIRE(p.ok);
  const Value* v = p.root().get("v");
  REQUIRE(v != nullptr);
  if (kind) *kind = v->kind;
  return value_json(*v);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path shared_dir() { return fs::path(POLC_SOURCE_DIR "/../shared"); }

}  // namespace

TEST_CASE("YAML 1.1 booleans and nulls follow PyYAML", "[yaml]") {
  for (const char* t : {"yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})
    CHECK(scalar_json(t) == "true");
  for (const char* t : {"no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})
    CHECK(scalar_json(t) == "false");
  // Not booleans for PyYAML: single letters and mixed case.
  for (const char* t : {"y", "n", "Y", "N", "yES", "tRUE", "oN"})
    CHECK(scalar_json(t) == std::string("\"") + t + "\"");
  for (const char* t : {"~", "null", "Null", "NULL", ""}) CHECK(scalar_json(t) == "null");
  CHECK(scalar_json("nULL") == "\"nULL\"");
}

TEST_CASE("YAML 1.1 integers follow PyYAML", "[yaml]") {
  ValueKind kind{};
  CHECK(scalar_json("000400", &kind) == "256");
  CHECK(kind == ValueKind::kInt);
  CHECK(scalar_json("123") == "123");
  CHECK(scalar_json("+12") == "12");
  CHECK(scalar_json("-12") == "-12");
  CHECK(scalar_json("0") == "0");
  CHECK(scalar_json("-0") == "0");
  CHECK(scalar_json("0x1F") == "31");
  CHECK(scalar_json("-0x1f") == "-31");
  CHECK(scalar_json("0b101") == "5");
  CHECK(scalar_json("1_000") == "1000");
  CHECK(scalar_json("0_17") == "15");
  CHECK(scalar_json("-9223372036854775808") == "-9223372036854775808");
  CHECK(scalar_json("9223372036854775807") == "9223372036854775807");
  // Strings: not octal digits, YAML 1.2 octal, overflow, sexagesimal, timestamps, account ids
  // stay integers.
  CHECK(scalar_json("08") == "\"08\"");
  CHECK(scalar_json("0o17") == "\"0o17\"");
  CHECK(scalar_json("0x") == "\"0x\"");
  CHECK(scalar_json("0x_") == "\"0x_\"");
  CHECK(scalar_json("9223372036854775808", &kind) == "\"9223372036854775808\"");
  CHECK(kind == ValueKind::kString);
  CHECK(scalar_json("99999999999999999999999") == "\"99999999999999999999999\"");
  CHECK(scalar_json("1:30") == "\"1:30\"");
  CHECK(scalar_json("2010-09-09") == "\"2010-09-09\"");
  CHECK(scalar_json("123456789012") == "123456789012");
  CHECK(scalar_json("10.0.0.0/8") == "\"10.0.0.0/8\"");
}

TEST_CASE("YAML 1.1 floats follow PyYAML's regex", "[yaml]") {
  ValueKind kind{};
  CHECK(scalar_json("1.5", &kind) == "1.5");
  CHECK(kind == ValueKind::kFloat);
  CHECK(scalar_json("1.") == "1.0");
  CHECK(scalar_json("-2.25") == "-2.25");
  CHECK(scalar_json(".5") == "0.5");
  CHECK(scalar_json("1_000.5") == "1000.5");
  CHECK(scalar_json("1.0e+3") == "1000.0");
  CHECK(scalar_json("1.5E-2") == "0.015");
  CHECK(scalar_json("1.0e+999") == "Infinity");
  CHECK(scalar_json(".inf") == "Infinity");
  CHECK(scalar_json("-.Inf") == "-Infinity");
  CHECK(scalar_json("+.INF") == "Infinity");
  CHECK(scalar_json(".nan") == "NaN");
  CHECK(scalar_json(".NaN") == "NaN");
  // PyYAML 1.1 reads these as strings: no dot, unsigned exponent, signed leading dot.
  CHECK(scalar_json("1e3") == "\"1e3\"");
  CHECK(scalar_json("1.0e3") == "\"1.0e3\"");
  CHECK(scalar_json("-.5") == "\"-.5\"");
  CHECK(scalar_json(".") == "\".\"");
  CHECK(scalar_json("1.2.3") == "\"1.2.3\"");
  CHECK(scalar_json(".infinity") == "\".infinity\"");
  CHECK(scalar_json("1.5:30") == "\"1.5:30\"");
}

TEST_CASE("quoted and block scalars are strings marked quoted", "[yaml]") {
  Parsed p = parse("a: \"yes\"\nb: '000400'\nc: |\n  true\nd: >-\n  1.5\ne: plain\nf: 5\n");
  INFO(p.rendered());
  REQUIRE(p.ok);
  CHECK(p.json() == R"({"a":"yes","b":"000400","c":"true\n","d":"1.5","e":"plain","f":5})");
  CHECK(p.root().get("a")->quoted);
  CHECK(p.root().get("b")->quoted);
  CHECK(p.root().get("c")->quoted);
  CHECK(p.root().get("d")->quoted);
  CHECK_FALSE(p.root().get("e")->quoted);
}

TEST_CASE("map keys always stay strings", "[yaml]") {
  Parsed p = parse("0123456789: a\ntrue: b\n~: c\n1.5: d\n0x1F: e\n\"q\": f\n");
  INFO(p.rendered());
  REQUIRE(p.ok);
  CHECK(p.json() == R"({"0123456789":"a","true":"b","~":"c","1.5":"d","0x1F":"e","q":"f"})");
}

TEST_CASE("scalar resolver functions", "[yaml]") {
  using polc::internal::resolve_plain_scalar;
  using polc::internal::ScalarType;
  CHECK(resolve_plain_scalar("0b").kind == ScalarType::kString);
  CHECK(resolve_plain_scalar("+").kind == ScalarType::kString);
  CHECK(resolve_plain_scalar("-").kind == ScalarType::kString);
  CHECK(resolve_plain_scalar("0_").integer == 0);
  CHECK(resolve_plain_scalar("0_").kind == ScalarType::kInt);
  CHECK(resolve_plain_scalar("1.e+5").number == 100000.0);
}

TEST_CASE("short-form tags become long-form intrinsic maps", "[yaml]") {
  Parsed p = parse(
      "a: !Ref MyBucket\n"
      "b: !GetAtt A.B.C\n"
      "c: !GetAtt [A, B]\n"
      "d: !Sub 'arn:${AWS::Partition}'\n"
      "e: !Join ['', [a, !Ref B]]\n"
      "f: !If [Cond, !Ref A, !Ref AWS::NoValue]\n"
      "g: !Condition IsProd\n"
      "h: !Transform {Name: AWS::Include, Parameters: {Location: s3://x}}\n"
      "i: !GetAZs ''\n"
      "j: !Ref 123\n"
      "k: !Select\n  - 0\n  - !GetAZs\n"
      "l: !GetAtt Res\n");
  INFO(p.rendered());
  REQUIRE(p.ok);
  CHECK(p.diags.empty());
  const Value& r = p.root();
  CHECK(value_json(*r.get("a")) == R"({"Ref":"MyBucket"})");
  CHECK(r.get("a")->intrinsic == Intrinsic::kRef);
  CHECK(value_json(*r.get("b")) == R"({"Fn::GetAtt":["A","B.C"]})");
  CHECK(r.get("b")->intrinsic == Intrinsic::kGetAtt);
  CHECK(value_json(*r.get("c")) == R"({"Fn::GetAtt":["A","B"]})");
  CHECK(value_json(*r.get("d")) == R"({"Fn::Sub":"arn:${AWS::Partition}"})");
  CHECK(value_json(*r.get("e")) == R"({"Fn::Join":["",["a",{"Ref":"B"}]]})");
  CHECK(value_json(*r.get("f")) == R"({"Fn::If":["Cond",{"Ref":"A"},{"Ref":"AWS::NoValue"}]})");
  CHECK(r.get("f")->intrinsic == Intrinsic::kIf);
  CHECK(value_json(*r.get("g")) == R"({"Condition":"IsProd"})");
  CHECK(r.get("g")->intrinsic == Intrinsic::kCondition);
  CHECK(value_json(*r.get("h")) ==
        R"({"Fn::Transform":{"Name":"AWS::Include","Parameters":{"Location":"s3://x"}}})");
  CHECK(value_json(*r.get("i")) == R"({"Fn::GetAZs":""})");
  CHECK(value_json(*r.get("j")) == R"({"Ref":"123"})");  // tagged scalars are never typed
  CHECK(value_json(*r.get("k")) == R"({"Fn::Select":[0,{"Fn::GetAZs":""}]})");
  CHECK(value_json(*r.get("l")) == R"({"Fn::GetAtt":["Res"]})");
}

TEST_CASE("every short-form tag maps to its intrinsic", "[yaml]") {
  for (int i = 1; i <= static_cast<int>(Intrinsic::kRefAll); ++i) {
    auto fn = static_cast<Intrinsic>(i);
    std::string_view name = polc::intrinsic_name(fn);
    std::string tag = name.starts_with("Fn::") ? std::string(name.substr(4)) : std::string(name);
    Parsed p = parse("v: !" + tag + " x\n");
    INFO(tag);
    REQUIRE(p.ok);
    const Value* v = p.root().get("v");
    CHECK(v->intrinsic == fn);
    std::string arg = fn == Intrinsic::kGetAtt ? "[\"x\"]" : "\"x\"";
    CHECK(value_json(*v) == "{\"" + std::string(name) + "\":" + arg + "}");
  }
}

TEST_CASE("intrinsic offsets: the map at the tag, the argument at its content", "[yaml]") {
  std::string text = "a: !GetAtt Res.Attr.Sub\nb: !If\n  - C\n  - x\nc: &an !Ref X\n";
  Parsed p = parse(text);
  REQUIRE(p.ok);
  const Value* a = p.root().get("a");
  CHECK(a->offset == text.find("!GetAtt"));
  CHECK(a->entries[0].key_offset == text.find("!GetAtt"));
  const Value* list = a->arg();
  REQUIRE(list->is_list());
  CHECK(list->offset == text.find("Res"));
  CHECK(list->items[0]->offset == text.find("Res"));
  CHECK(list->items[1]->offset == text.find("Attr"));
  const Value* b = p.root().get("b");
  CHECK(b->offset == text.find("!If"));
  CHECK(b->arg()->offset == text.find("- C"));
  const Value* c = p.root().get("c");
  CHECK(c->offset == text.find("!Ref"));
  CHECK(c->arg()->offset == text.find("X\n"));
}

TEST_CASE("long-form intrinsic maps are tagged", "[yaml]") {
  Parsed p = parse(
      "a: {Ref: X}\nb: {\"Fn::GetAtt\": [A, B]}\nc: {Ref: X, Other: 1}\nd: {Condition: C}\n"
      "e: {Fn::Unknown: 1}\n");
  REQUIRE(p.ok);
  CHECK(p.root().get("a")->intrinsic == Intrinsic::kRef);
  CHECK(p.root().get("b")->intrinsic == Intrinsic::kGetAtt);
  CHECK(p.root().get("c")->intrinsic == Intrinsic::kNone);
  CHECK(p.root().get("d")->intrinsic == Intrinsic::kCondition);
  CHECK(p.root().get("e")->intrinsic == Intrinsic::kNone);
  CHECK(p.root().intrinsic == Intrinsic::kNone);
}

TEST_CASE("core and unknown tags", "[yaml]") {
  Parsed p = parse(
      "a: !!str 123\nb: !!int \"0x1F\"\nc: !!float 1\nd: !!bool yes\ne: !!null x\n"
      "f: !Foo bar\ng: !!int abc\nh: ! 12\ni: !!map {k: 1}\nj: !Bar [1]\n");
  INFO(p.rendered());
  REQUIRE(p.ok);
  CHECK(
      p.json() ==
      R"({"a":"123","b":31,"c":1.0,"d":true,"e":null,"f":"bar","g":"abc","h":"12","i":{"k":1},"j":[1]})");
  REQUIRE(p.count("yaml-tag") == 3);
  CHECK(p.diags.items()[0].message == "unsupported tag '!Foo'; the value is kept as a string");
  CHECK(p.diags.items()[0].location.line == 6);
  CHECK(p.diags.items()[1].message == "cannot read 'abc' as !!int; the value is kept as a string");
  CHECK(p.diags.items()[2].message == "unsupported tag '!Bar'; the list is kept as written");
  CHECK(p.diags.items()[2].severity == DiagSeverity::kWarning);
}

TEST_CASE("aliases are expanded and flagged", "[yaml]") {
  Parsed p = parse("a: &x [1, {k: v}]\nb: *x\nc: &s hello\nd: *s\n*s : key-from-alias\n");
  INFO(p.rendered());
  REQUIRE(p.ok);
  CHECK(
      p.json() ==
      R"({"a":[1,{"k":"v"}],"b":[1,{"k":"v"}],"c":"hello","d":"hello","hello":"key-from-alias"})");
  CHECK(p.doc->uses_aliases);
  CHECK(p.diags.empty());
  Parsed plain = parse("a: 1\n");
  CHECK_FALSE(plain.doc->uses_aliases);
}

TEST_CASE("merge keys: explicit keys win in any order, no duplicate warnings", "[yaml]") {
  Parsed p = parse(
      "base: &b {a: 1, b: 2, c: 3}\n"
      "other: &o {c: 30, d: 40}\n"
      "after: {<<: *b, b: 20}\n"
      "before: {b: 20, <<: *b}\n"
      "list: {<<: [*o, *b], e: 5}\n"
      "inline: {<<: {z: 1}, y: 2}\n");
  INFO(p.rendered());
  REQUIRE(p.ok);
  CHECK(p.diags.empty());
  CHECK(p.doc->uses_aliases);
  const Value& r = p.root();
  CHECK(value_json(*r.get("after")) == R"({"a":1,"b":20,"c":3})");
  CHECK(value_json(*r.get("before")) == R"({"a":1,"b":20,"c":3})");
  // In a list of merge sources the earlier map wins.
  CHECK(value_json(*r.get("list")) == R"({"a":1,"b":2,"c":30,"d":40,"e":5})");
  CHECK(value_json(*r.get("inline")) == R"({"z":1,"y":2})");
  Parsed bad = parse("a: {<<: [1]}\n");
  CHECK_FALSE(bad.ok);
  CHECK(bad.count("merge-key") == 1);
  Parsed quoted = parse("a: {\"<<\": 1}\n");
  CHECK(quoted.json() == R"({"a":{"<<":1}})");
}

TEST_CASE("case 12: merge keys with overrides", "[yaml]") {
  fs::path path = shared_dir() / "cases/12-yaml-merge-keys/template.yaml";
  if (!fs::exists(path)) {
    WARN("shared case 12 absent; skipped");
    return;
  }
  Parsed p = parse(read_file(path), path.string());
  INFO(p.rendered());
  REQUIRE(p.ok);
  CHECK(p.count("duplicate-key") == 0);
  CHECK_FALSE(p.diags.has_errors());
  CHECK(p.doc->uses_aliases);
  const Value* res = p.root().get("Resources");
  const Value* derived = res->get("DerivedSG")->get("Properties");
  CHECK(value_json(*derived->get("SecurityGroupEgress")) == "[]");
  CHECK(derived->get("GroupDescription")->str() == "derived group");
  CHECK(value_json(*derived->get("Tags")) == R"([{"Key":"team","Value":"platform"}])");
  CHECK(derived->get("VpcId")->str() == "vpc-0123456789abcdef0");
  const Value* sibling = res->get("SiblingSG")->get("Properties");
  CHECK(sibling->get("SecurityGroupEgress")->size == 1);
  CHECK(sibling->get("GroupDescription")->str() == "sibling group keeps the inherited egress");
  CHECK(res->get("BaseSG")->get("Properties")->get("SecurityGroupEgress")->size == 1);
}

TEST_CASE("alias expansion is bounded (billion laughs)", "[yaml]") {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    text += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 10; ++i) text += (i ? ", *" : "*") + prev;
    text += "]\n";
  }
  auto start = std::chrono::steady_clock::now();
  Parsed p = parse(text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK_FALSE(p.ok);
  CHECK(p.doc->root == nullptr);
  REQUIRE(p.count("alias-expansion") == 1);
  CHECK(p.first("alias-expansion")->location.line >= 6);
  CHECK(elapsed < std::chrono::seconds(2));
}

TEST_CASE("undefined and recursive aliases are errors", "[yaml]") {
  Parsed p = parse("a: *nope\n");
  CHECK_FALSE(p.ok);
  CHECK(p.first("yaml-alias")->message == "alias '*nope' has no anchor before it");
  Parsed r = parse("a: &r [1, *r]\n");
  CHECK_FALSE(r.ok);
  REQUIRE(r.count("yaml-alias") == 1);
  CHECK(r.first("yaml-alias")->location.column == 11);
}

TEST_CASE("duplicate keys: every one reported, last wins", "[yaml]") {
  Parsed p = parse("a: 1\nb:\n  x: 1\n  x: 2\n  x: 3\na: 4\n");
  INFO(p.rendered());
  REQUIRE(p.ok);
  CHECK(p.json() == R"({"a":4,"b":{"x":3}})");
  REQUIRE(p.count("duplicate-key") == 3);
  const auto& d = p.diags.items();
  CHECK(d[0].message == "duplicate key 'x' (first at line 3); the last occurrence wins");
  CHECK(d[0].location.line == 4);
  CHECK(d[0].severity == DiagSeverity::kWarning);
  REQUIRE(d[0].notes.size() == 1);
  CHECK(d[0].notes[0].location.line == 3);
  CHECK(d[1].location.line == 5);
  CHECK(d[2].message == "duplicate key 'a' (first at line 1); the last occurrence wins");
  CHECK(d[2].location.line == 6);
  // The surviving entry points at the occurrence whose value it holds.
  CHECK(p.root().map()[0].key_offset == std::string("a: 1\nb:\n  x: 1\n  x: 2\n  x: 3\n").size());
}

TEST_CASE("case 14: both duplicates in one run", "[yaml]") {
  fs::path path = shared_dir() / "cases/14-duplicate-keys/template.yaml";
  if (!fs::exists(path)) {
    WARN("shared case 14 absent; skipped");
    return;
  }
  Parsed p = parse(read_file(path), path.string());
  INFO(p.rendered());
  REQUIRE(p.ok);
  REQUIRE(p.count("duplicate-key") == 2);
  const auto& d = p.diags.items();
  CHECK(d[0].message ==
        "duplicate key 'SecurityGroupEgress' (first at line 12); the last occurrence wins");
  CHECK(d[0].location.line == 18);
  CHECK(d[1].message ==
        "duplicate key 'SgDupLogicalId' (first at line 19); the last occurrence wins");
  CHECK(d[1].location.line == 40);
  const Value* res = p.root().get("Resources");
  CHECK(res->size == 3);
  CHECK(value_json(*res->get("SgDupProperty")->get("Properties")->get("SecurityGroupEgress")) ==
        "[]");
  CHECK(res->get("SgDupLogicalId")->get("Properties")->get("SecurityGroupEgress") == nullptr);
}

TEST_CASE("a second document is an error", "[yaml]") {
  Parsed p = parse("a: 1\n---\nb: 2\n");
  CHECK_FALSE(p.ok);
  CHECK(p.doc->root == nullptr);
  REQUIRE(p.count("multiple-documents") == 1);
  const Diagnostic* d = p.first("multiple-documents");
  CHECK(d->message ==
        "a second YAML document starts here; a CloudFormation template must be a single "
        "document");
  CHECK(d->location.line == 2);
  CHECK(d->location.column == 1);
  Parsed one = parse("---\na: 1\n...\n# trailing comment\n");
  CHECK(one.ok);

  fs::path path = shared_dir() / "cases/17-multi-document-yaml/template.yaml";
  if (!fs::exists(path)) {
    WARN("shared case 17 absent; skipped");
    return;
  }
  Parsed c = parse(read_file(path), path.string());
  CHECK_FALSE(c.ok);
  REQUIRE(c.count("multiple-documents") == 1);
  CHECK(c.first("multiple-documents")->location.line == 27);
}

TEST_CASE("tabs: fine inside lines, an error as indentation", "[yaml]") {
  Parsed ok = parse("a: x\ty\nb:\t1\nc: [1,\t2]\n");
  INFO(ok.rendered());
  REQUIRE(ok.ok);
  CHECK(ok.json() == R"({"a":"x\ty","b":1,"c":[1,2]})");
  Parsed bad = parse("a: 1\nb:\n\tc: 2\n");
  CHECK_FALSE(bad.ok);
  REQUIRE(bad.count("yaml-syntax") == 1);
  const Diagnostic* d = bad.first("yaml-syntax");
  CHECK(d->location.line == 3);
  CHECK(d->location.column == 1);
  CHECK(d->message == "found character that cannot start any token (tab used for indentation?)");
  // After a plain scalar libyaml names the tab itself.
  Parsed after = parse("a:\n  b: 1\n\tc: 2\n");
  CHECK_FALSE(after.ok);
  REQUIRE(after.count("yaml-syntax") == 1);
  CHECK(after.first("yaml-syntax")->location.line == 3);
  CHECK(after.first("yaml-syntax")
            ->message.starts_with("found a tab character that violates indentation"));
}

TEST_CASE("nesting beyond the limit is a positioned error", "[yaml]") {
  std::string deep = "a: " + std::string(polc::kMaxNestingDepth + 5, '[') +
                     std::string(polc::kMaxNestingDepth + 5, ']') + "\n";
  Parsed p = parse(deep);
  CHECK_FALSE(p.ok);
  REQUIRE(p.count("nesting-depth") == 1);
  CHECK(p.first("nesting-depth")->location.line == 1);
  // The root map is level 1, so the list opened by the 256th bracket is one too many.
  CHECK(p.first("nesting-depth")->location.column == 3 + polc::kMaxNestingDepth);

  std::string block;
  for (std::size_t i = 0; i < polc::kMaxNestingDepth + 2; ++i)
    block += std::string(i, ' ') + "k:\n";
  Parsed b = parse(block);
  CHECK_FALSE(b.ok);
  REQUIRE(b.count("nesting-depth") == 1);
  CHECK(b.first("nesting-depth")->location.line == polc::kMaxNestingDepth + 1);

  std::string fits =
      std::string(polc::kMaxNestingDepth, '[') + std::string(polc::kMaxNestingDepth, ']');
  CHECK(parse(fits).ok);
  // An alias can deepen the tree beyond the limit too.
  std::string half(polc::kMaxNestingDepth / 2 + 10, '[');
  std::string close(half.size(), ']');
  Parsed a = parse("a: &x " + half + close + "\nb: " + half + "*x" + close + "\n");
  CHECK_FALSE(a.ok);
  CHECK(a.count("nesting-depth") == 1);
}

TEST_CASE("strings longer than the limit are an error", "[yaml]") {
  Parsed p = parse("a: ok\nb: " + std::string(polc::kMaxStringBytes + 1, 'x') + "\n");
  CHECK_FALSE(p.ok);
  REQUIRE(p.count("string-length") == 1);
  CHECK(p.first("string-length")->location.line == 2);
}

TEST_CASE("syntax errors, invalid UTF-8 and truncation are positioned", "[yaml]") {
  Parsed p = parse("a: 1\nb: [1, 2\n");
  CHECK_FALSE(p.ok);
  REQUIRE(p.count("yaml-syntax") == 1);
  CHECK(p.first("yaml-syntax")->location.line >= 2);
  CHECK(p.rendered().find("^") != std::string::npos);

  Parsed utf = parse("a: ok\nb: caf\xC3\xA9 \xFF\n");
  CHECK_FALSE(utf.ok);
  REQUIRE(utf.count("yaml-syntax") == 1);
  const Diagnostic* d = utf.first("yaml-syntax");
  CHECK(d->message == "invalid leading UTF-8 octet (#xFF); the file must be UTF-8 text");
  CHECK(d->location.line == 2);
  CHECK(d->location.column == 10);  // bytes: "b: café " is 9 bytes

  Parsed quote = parse("a: \"unterminated\nb: 1\n");
  CHECK_FALSE(quote.ok);
  CHECK(quote.count("yaml-syntax") == 1);
  CHECK(quote.first("yaml-syntax")->message.find("while scanning a quoted scalar at line 1") !=
        std::string::npos);

  Parsed key = parse("a: b: c\n");
  CHECK_FALSE(key.ok);
  CHECK(key.first("yaml-syntax")->location.line == 1);

  Parsed complex = parse("? [a, b]\n: c\n");
  CHECK_FALSE(complex.ok);
  CHECK(complex.count("complex-key") == 1);
}

TEST_CASE("empty documents and comments give a null root", "[yaml]") {
  for (const char* text : {"", "# only a comment\n", "\n\n", "---\n", "---\n...\n"}) {
    Parsed p = parse(text);
    INFO(text);
    REQUIRE(p.ok);
    CHECK(p.diags.empty());
    CHECK(p.root().is_null());
  }
}

TEST_CASE("offsets are byte offsets after non-ASCII text", "[yaml]") {
  std::string text =
      "# h\xC3\xA9llo w\xC3\xB6rld \xE2\x82\xAC \xF0\x9D\x84\x9E\n"
      "\xC3\xBC: caf\xC3\xA9\n"
      "key: !Ref \xE2\x82\xAC\n"
      "list: [\xC3\xA9, x]\n";
  Parsed p = parse(text);
  INFO(p.rendered());
  REQUIRE(p.ok);
  const auto entries = p.root().map();
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].key_offset == text.find("\xC3\xBC:"));
  CHECK(entries[0].value->offset == text.find("caf"));
  CHECK(entries[1].key_offset == text.find("key"));
  CHECK(entries[1].value->offset == text.find("!Ref"));
  CHECK(entries[1].value->arg()->offset == text.find("\xE2\x82\xAC\n"));
  CHECK(entries[2].value->items[1]->offset == text.find("x]"));
  CHECK(polc::Location::at(*p.doc->file, entries[1].key_offset).line == 3);
  CHECK(polc::Location::at(*p.doc->file, entries[1].key_offset).column == 1);

  // A BOM is not part of `text()`: offsets stay relative to it.
  Parsed bom = parse(
      "\xEF\xBB\xBF"
      "a: 1\n");
  REQUIRE(bom.ok);
  CHECK(bom.root().map()[0].key_offset == 0);
}

TEST_CASE("case 18: YAML 1.1 scalars as CloudFormation reads them", "[yaml]") {
  fs::path path = shared_dir() / "cases/18-yaml11-scalars/template.yaml";
  if (!fs::exists(path)) {
    WARN("shared case 18 absent; skipped");
    return;
  }
  Parsed p = parse(read_file(path), path.string());
  INFO(p.rendered());
  REQUIRE(p.ok);
  CHECK(p.diags.empty());
  const Value* res = p.root().get("Resources");
  const Value* block =
      res->get("MyBucket")->get("Properties")->get("PublicAccessBlockConfiguration");
  CHECK(
      value_json(*block) ==
      R"({"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true})");
  CHECK(
      value_json(*res->get("MyBucket")->get("Properties")->get("Tags")) ==
      R"([{"Key":"backup","Value":false},{"Key":"backup-quoted","Value":"no"},{"Key":"legacy-flag","Value":false}])");
  CHECK(value_json(*res->get("MyVpc")->get("Properties")->get("EnableDnsSupport")) == "true");
  const Value* files = res->get("MyInstance")
                           ->get("Metadata")
                           ->get("AWS::CloudFormation::Init")
                           ->get("config")
                           ->get("files");
  const Value* secret = files->get("/etc/app/secret.conf")->get("mode");
  CHECK(secret->kind == ValueKind::kInt);
  CHECK(secret->integer == 256);
  const Value* pub = files->get("/etc/app/public.conf")->get("mode");
  CHECK(pub->str() == "000644");
  CHECK(pub->quoted);
}

// Each tests/data/yaml/<name>.yaml loads into <name>.out: the tree as JSON (or "<not loaded>")
// followed by the rendered diagnostics. POLC_UPDATE_GOLDEN=1 rewrites the .out files.
TEST_CASE("golden files: tree and diagnostics", "[yaml]") {
  fs::path dir = fs::path(POLC_SOURCE_DIR) / "tests/data/yaml";
  const bool update = std::getenv("POLC_UPDATE_GOLDEN") != nullptr;
  std::size_t checked = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml") continue;
    Parsed p = parse(read_file(entry.path()), entry.path().filename().string());
    std::string actual = (p.ok ? p.json() : std::string("<not loaded>")) + "\n" + p.rendered();
    fs::path golden = entry.path();
    golden.replace_extension(".out");
    if (update) {
      std::ofstream(golden, std::ios::binary) << actual;
      continue;
    }
    INFO("golden " << golden.filename().string() << "; actual output:\n" << actual);
    REQUIRE(fs::exists(golden));
    CHECK(read_file(golden) == actual);
    ++checked;
  }
  if (!update) CHECK(checked >= 6);
}

TEST_CASE("corpus: every YAML template loads without errors", "[yaml][corpus]") {
  fs::path corpus = shared_dir() / "corpus";
  if (!fs::exists(corpus)) {
    WARN("shared corpus absent; skipped");
    return;
  }
  std::size_t loaded = 0, bad_files = 0;
  std::vector<std::string> failures;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    fs::path rel = fs::relative(entry.path(), corpus);
    bool in_bad = rel.begin()->string().ends_with("-bad");
    std::string ext = entry.path().extension().string();
    if (in_bad) {
      // Malformed inputs: whatever the outcome, no crash, and failure always explains itself.
      Parsed p = parse(read_file(entry.path()), rel.string());
      if (!p.ok) CHECK(p.diags.has_errors());
      ++bad_files;
      continue;
    }
    if (ext != ".yaml" && ext != ".yml" && ext != ".template") continue;
    std::string text = read_file(entry.path());
    std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text.compare(first, 1, "{") == 0) continue;  // JSON
    if (text.starts_with("\xEF\xBB\xBF{")) continue;
    Parsed p = parse(std::move(text), rel.string());
    ++loaded;
    if (!p.ok || p.diags.has_errors()) failures.push_back(p.rendered());
  }
  WARN("corpus: " << loaded << " YAML templates loaded, " << bad_files << " -bad files survived");
  for (const std::string& f : failures) UNSCOPED_INFO(f);
  CHECK(failures.empty());
  CHECK(loaded > 0);
}

TEST_CASE("loader speed against a bare libyaml event pass", "[.][yaml-perf]") {
  fs::path corpus = shared_dir() / "corpus";
  if (!fs::exists(corpus)) return;
  std::vector<std::string> texts;
  for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
    std::string ext = entry.path().extension().string();
    if (!entry.is_regular_file() || (ext != ".yaml" && ext != ".yml")) continue;
    if (fs::relative(entry.path(), corpus).begin()->string().ends_with("-bad")) continue;
    texts.push_back(read_file(entry.path()));
  }
  using clock = std::chrono::steady_clock;
  auto bare_pass = [&] {
    for (const std::string& t : texts) {
      yaml_parser_t parser;
      yaml_parser_initialize(&parser);
      yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(t.data()),
                                   t.size());
      for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) break;
        bool end = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
        if (end) break;
      }
      yaml_parser_delete(&parser);
    }
  };
  auto load_pass = [&] {
    // Documents are created outside the timed region: reading the file is not loading it.
    std::vector<std::unique_ptr<Document>> docs;
    for (const std::string& t : texts)
      docs.push_back(std::make_unique<Document>(std::make_unique<SourceFile>("t.yaml", t)));
    auto start = clock::now();
    Diagnostics diags;
    for (auto& d : docs) polc::parse_yaml(*d, diags);
    return clock::now() - start;
  };
  // Best of several interleaved rounds: the machine is shared and noisy.
  clock::duration bare = clock::duration::max(), load = clock::duration::max();
  for (int round = 0; round < 5; ++round) {
    auto bare_start = clock::now();
    bare_pass();
    bare = std::min(bare, clock::now() - bare_start);
    load = std::min(load, load_pass());
  }
  double ratio = std::chrono::duration<double>(load) / std::chrono::duration<double>(bare);
  WARN("bare libyaml: " << std::chrono::duration<double>(bare).count() << " s, parse_yaml: "
                        << std::chrono::duration<double>(load).count() << " s, ratio " << ratio);
  CHECK(ratio < 1.5);
}
