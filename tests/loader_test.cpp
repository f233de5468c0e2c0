// Tests for the loader (engine/load/loader.cpp): file handling, format detection, the template /
// not-a-template decision, the shared corpus and the non-CloudFormation noise.
#include "engine/load/loader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/base/limits.h"
#include "engine/load/json_parser.h"
#include "model_test_util.h"

namespace fs = std::filesystem;

namespace {

const fs::path kShared = fs::path(POLC_SOURCE_DIR "/../shared");

struct ManifestRow {
  std::string path;
  std::string format;
  std::size_t resources = 0;
};

std::vector<ManifestRow> read_manifest(const fs::path& file) {
  std::vector<ManifestRow> rows;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::size_t start = 0;
    while (true) {
      std::size_t tab = line.find('\t', start);
      cols.push_back(
          line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    if (cols.size() < 6) continue;
    rows.push_back({cols[0], cols[3], static_cast<std::size_t>(std::stoul(cols[5]))});
  }
  return rows;
}

/// The manifest counts the keys of `Resources` as written (a `Fn::ForEach` loop is one key):
/// parse the file again, without building the model, and count them.
std::size_t written_resource_count(const fs::path& file, const std::string& format,
                                   std::size_t& loops) {
  polc::Document doc(
      std::make_unique<polc::SourceFile>(file.string(), polc::test::read_text(file)));
  polc::Diagnostics d;
  bool ok = format == "json" ? polc::parse_json(doc, d) : polc::parse_yaml(doc, d);
  const polc::Value* res = ok && doc.root ? doc.root->get("Resources") : nullptr;
  loops = 0;
  if (res == nullptr) return 0;
  for (const auto& e : res->map()) loops += e.key.starts_with("Fn::ForEach::") ? 1 : 0;
  return res->size;
}

void check_corpus(const std::string& format) {
  const fs::path corpus = kShared / "corpus";
  if (!fs::exists(corpus / "MANIFEST.tsv")) {
    WARN("shared corpus not found; skipping");
    return;
  }
  std::size_t checked = 0, good = 0, bad_loaded = 0, bad_errors = 0;
  for (const ManifestRow& row : read_manifest(corpus / "MANIFEST.tsv")) {
    if (row.format != format) continue;
    const bool bad = row.path.find("-bad/") != std::string::npos;
    polc::LoadResult r = polc::load_template_file((corpus / row.path).string());
    ++checked;
    INFO(row.path << "\n" << polc::test::render_diagnostics_short(r.diagnostics));
    if (!bad) {
      CHECK(r.status == polc::LoadStatus::kTemplate);
      CHECK(!r.diagnostics.has_errors());
      if (r.tmpl) {
        std::size_t loops = 0;
        const std::size_t written = written_resource_count(corpus / row.path, format, loops);
        CHECK(written == row.resources);
        // Every written resource that is not a loop is in the model; loops add what they generate.
        std::size_t literal = 0;
        for (const auto& res : r.tmpl->resources()) literal += res.generated_by.empty() ? 1 : 0;
        CHECK(literal == written - loops);
      }
      ++good;
    } else if (r.status == polc::LoadStatus::kError) {
      ++bad_errors;
      bool positioned = false;
      for (const auto& d : r.diagnostics.items())
        positioned =
            positioned || (d.severity == polc::DiagSeverity::kError && d.location.line > 0);
      CHECK(positioned);
    } else {
      ++bad_loaded;
    }
  }
  WARN(format << " corpus: " << checked << " files, " << good << " good, " << bad_loaded
              << " bad files loaded, " << bad_errors << " bad files with errors");
  CHECK(checked > 0);
}

}  // namespace

TEST_CASE("loader: JSON corpus loads", "[loader][corpus]") { check_corpus("json"); }

TEST_CASE("loader: YAML corpus loads", "[loader][corpus][yaml]") {
  if (!polc::test::yaml_available()) {
    WARN("YAML parser not available in this build; skipping the YAML corpus");
    return;
  }
  check_corpus("yaml");
}

TEST_CASE("loader: noise is skipped quietly", "[loader][noise]") {
  const fs::path noise = kShared / "noise";
  if (!fs::exists(noise)) {
    WARN("shared noise not found; skipping");
    return;
  }
  const bool yaml = polc::test::yaml_available();
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(noise)) {
    if (!e.is_regular_file()) continue;
    const std::string ext = e.path().extension().string();
    if (ext != ".json" && ext != ".yaml" && ext != ".yml") continue;
    std::string bytes = polc::test::read_text(e.path());
    const std::size_t first = bytes.find_first_not_of(" \t\r\n");
    const bool json = first != std::string::npos && bytes[first] == '{' &&
                      bytes.find_first_not_of(" \t\r\n", first + 1) != std::string::npos &&
                      bytes[bytes.find_first_not_of(" \t\r\n", first + 1)] != '{';
    if (!yaml && !json) continue;
    polc::LoadResult r = polc::load_template_file(e.path().string());
    INFO(e.path().string() << "\n" << polc::test::render_diagnostics_short(r.diagnostics));
    CHECK(r.status != polc::LoadStatus::kError);
    ++n;
  }
  CHECK(n > 0);
}

TEST_CASE("loader: format detection and template recognition", "[loader]") {
  using polc::LoadStatus;
  CHECK(polc::load_template_bytes("a.json", "").status == LoadStatus::kNotTemplate);
  CHECK(polc::load_template_bytes("a.json", "  \n").status == LoadStatus::kNotTemplate);
  CHECK(polc::load_template_bytes("a.json", R"({"name": "pkg"})").status ==
        LoadStatus::kNotTemplate);
  CHECK(polc::load_template_bytes("a.json", "\xEF\xBB\xBF {\"Resources\": {}}").status ==
        LoadStatus::kTemplate);
  CHECK(
      polc::load_template_bytes("a.json", R"({"AWSTemplateFormatVersion": "2010-09-09"})").status ==
      LoadStatus::kTemplate);
  // A broken JSON template reports the JSON error, positioned.
  auto r = polc::load_template_bytes("a.json", "{\"Resources\": {\n  \"A\": {\"B\" 1}\n}}");
  CHECK(r.status == LoadStatus::kError);
  REQUIRE(!r.diagnostics.empty());
  CHECK(r.diagnostics.items()[0].code == "json-syntax");
  CHECK(r.diagnostics.items()[0].location.line == 2);
  // A trailing comma is accepted (CloudFormation reads JSON as YAML) with a warning.
  auto t =
      polc::load_template_bytes("a.json", "{\"Resources\": {\n  \"A\": {\"Type\": \"X\",},\n}}");
  CHECK(t.status == LoadStatus::kTemplate);
  REQUIRE(!t.diagnostics.empty());
  CHECK(t.diagnostics.items()[0].code == "json-trailing-comma");
  CHECK(t.diagnostics.items()[0].location.line == 2);
  CHECK(t.diagnostics.items()[0].location.column == 20);
  CHECK(polc::load_template_bytes("a.json", "{\"Resources\": {\"A\": [,]}}").status ==
        LoadStatus::kError);
  // Helm templating is not JSON, and unrelated broken files are skipped quietly.
  CHECK(polc::load_template_bytes("a.yaml", "{{- if .X }}\ncontrolledResources: 1\n",
                                  polc::FileFormat::kJson)
            .status == LoadStatus::kNotTemplate);
  // Forced JSON on a list root: not a template.
  CHECK(polc::load_template_bytes("a.json", "[1, 2]", polc::FileFormat::kJson).status ==
        LoadStatus::kNotTemplate);
  CHECK(polc::may_be_template("x: 1\nResources:\n"));
  CHECK(polc::may_be_template("{\"AWSTemplateFormatVersion\": 1}"));
  CHECK(!polc::may_be_template("name: chart\nversion: 1\n"));
  // An escape could spell a key: "Re\u0073ources" is `Resources` to a JSON parser.
  CHECK(polc::may_be_template("{\"Re\\u0073ources\": {}}"));
  CHECK(polc::load_template_bytes("e.json",
                                  "{\"Re\\u0073ources\": {\"B\": {\"Type\": \"AWS::S3::Bucket\"}}}")
            .status == LoadStatus::kTemplate);
  // Skipped from a byte search, before any parser: even a file too deep for the parser.
  const auto skipped = polc::load_template_bytes("deep.yaml", std::string(100000, '['));
  CHECK(skipped.status == LoadStatus::kNotTemplate);
  CHECK(skipped.diagnostics.empty());
}

TEST_CASE("loader: files that are not regular, missing or too large", "[loader]") {
  const fs::path dir =
      fs::temp_directory_path() / ("polc_loader_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  SECTION("directory") {
    auto r = polc::load_template_file(dir.string());
    CHECK(r.status == polc::LoadStatus::kError);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics.items()[0].code == "not-a-regular-file");
  }
  SECTION("fifo does not block") {
    const fs::path fifo = dir / "fifo.yaml";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto r = polc::load_template_file(fifo.string());
    CHECK(r.status == polc::LoadStatus::kError);
    REQUIRE(r.diagnostics.size() == 1);
    CHECK(r.diagnostics.items()[0].code == "not-a-regular-file");
  }
  SECTION("device") {
    auto r = polc::load_template_file("/dev/null");
    CHECK(r.diagnostics.items().at(0).code == "not-a-regular-file");
  }
  SECTION("missing") {
    auto r = polc::load_template_file((dir / "missing.json").string());
    CHECK(r.status == polc::LoadStatus::kError);
    CHECK(r.diagnostics.items().at(0).code == "unreadable");
    CHECK(r.diagnostics.items().at(0).message.find("No such file") != std::string::npos);
  }
  SECTION("too large") {
    const fs::path big = dir / "big.json";
    {
      std::ofstream out(big, std::ios::binary);
      out << "{}";
    }
    fs::resize_file(big, polc::kMaxTemplateBytes + 1);
    auto r = polc::load_template_file(big.string());
    CHECK(r.status == polc::LoadStatus::kError);
    CHECK(r.diagnostics.items().at(0).code == "file-size");
  }
  SECTION("regular JSON file") {
    const fs::path ok = dir / "ok.json";
    {
      std::ofstream out(ok, std::ios::binary);
      out << R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})";
    }
    auto r = polc::load_template_file(ok.string());
    REQUIRE(r.status == polc::LoadStatus::kTemplate);
    CHECK(r.tmpl->resources().size() == 1);
    CHECK(r.tmpl->file().path() == ok.string());
  }
  fs::remove_all(dir);
}

TEST_CASE("loader: load_template_read loads bytes the caller read, as load_template_file",
          "[loader]") {
  const std::string json = R"({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}})";
  const std::string path = "dir/t.json";
  // With the padding the JSON parser uses in place (as the result cache allocates it).
  std::string padded;
  padded.reserve(json.size() + polc::kSourcePadding);
  padded.assign(json);
  padded.append(polc::kSourcePadding, '\0');
  padded.resize(json.size());
  auto a = polc::load_template_read(path, std::move(padded));
  REQUIRE(a.status == polc::LoadStatus::kTemplate);
  CHECK(a.tmpl->file().padding() >= polc::kSourcePadding);
  CHECK(a.tmpl->resources().size() == 1);
  CHECK(a.tmpl->file().path() == path);
  // Without padding: copied for the parser, same result.
  std::string plain = json;
  plain.shrink_to_fit();
  auto b = polc::load_template_read(path, plain);
  REQUIRE(b.status == polc::LoadStatus::kTemplate);
  CHECK(b.tmpl->resources().size() == 1);
  // YAML, not a template, and too large: the decisions of load_template_file.
  CHECK(polc::load_template_read("t.yaml", "Resources:\n  Q: {Type: AWS::SQS::Queue}\n").status ==
        polc::LoadStatus::kTemplate);
  CHECK(polc::load_template_read("x.yaml", "a: 1\n").status == polc::LoadStatus::kNotTemplate);
  auto big = polc::load_template_read("big.json", std::string(polc::kMaxTemplateBytes + 1, ' '));
  CHECK(big.status == polc::LoadStatus::kError);
  CHECK(big.diagnostics.items().at(0).code == "file-size");
}

TEST_CASE("loader: truncated and corrupted JSON never crashes", "[loader]") {
  const std::string base =
      polc::test::read_text(fs::path(POLC_SOURCE_DIR) / "tests/data/model/foreach.json");
  REQUIRE(!base.empty());
  std::size_t errors = 0;
  for (std::size_t cut = 0; cut < base.size(); cut += 7) {
    auto r = polc::load_template_bytes("cut.json", base.substr(0, cut), polc::FileFormat::kJson);
    if (r.status == polc::LoadStatus::kError) {
      ++errors;
      CHECK(r.diagnostics.has_errors());
    }
  }
  CHECK(errors > 0);
  // Deterministic byte corruption: every structural character replaced in turn.
  for (std::size_t i = 0; i < base.size(); i += 3) {
    std::string bad = base;
    bad[i] = "{}[],:\"\\\x01\xff"[i % 10];
    auto r = polc::load_template_bytes("bad.json", bad, polc::FileFormat::kJson);
    if (r.status == polc::LoadStatus::kError) {
      for (const auto& d : r.diagnostics.items())
        if (d.severity == polc::DiagSeverity::kError) CHECK(d.location.line > 0);
    }
  }
}

TEST_CASE("source file: line_text with every line terminator", "[loader][source]") {
  polc::SourceFile f("a.yaml", std::string("a: 1\r\nbb\rccc\n\n\r\nlast"));
  CHECK(f.line_text(1) == "a: 1");
  CHECK(f.line_text(2) == "bb");
  CHECK(f.line_text(3) == "ccc");
  CHECK(f.line_text(4).empty());
  CHECK(f.line_text(5).empty());
  CHECK(f.line_text(6) == "last");
  CHECK(f.line_text(7).empty());
  CHECK(f.line_text(0).empty());
  polc::SourceFile g("b.yaml", std::string("x\n"));
  CHECK(g.line_text(1) == "x");
  CHECK(g.line_text(2).empty());
  polc::SourceFile h("c.yaml", std::string("\xEF\xBB\xBFy\r"));
  CHECK(h.line_text(1) == "y");
  CHECK(h.line_text(2).empty());
}

// The line table (memchr from newline to newline, or the general loop when a "\r" occurs)
// against a byte-by-byte reference, on random texts of "\n", "\r", "\r\n" and other bytes.
TEST_CASE("source file: locate agrees with a byte-by-byte line count", "[loader][source]") {
  std::uint32_t seed = 12345;
  auto next = [&] {
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fff;
  };
  const char alphabet[] = {'a', 'b', ' ', '\n', '\n', '\r', '\xC3', '\x00'};
  for (int round = 0; round < 600; ++round) {
    const std::size_t len = next() % 70;
    const bool with_cr = round % 3 == 0;
    std::string text;
    for (std::size_t i = 0; i < len; ++i) {
      char c = alphabet[next() % sizeof alphabet];
      if (c == '\r' && !with_cr) c = 'c';
      text += c;
    }
    polc::SourceFile f("r.yaml", text);
    // Reference: a line starts after "\n", after "\r" not followed by "\n".
    std::uint32_t line = 1, start = 0;
    for (std::uint32_t off = 0; off <= text.size(); ++off) {
      INFO("round " << round << " offset " << off);
      polc::LineCol lc = f.locate(off);
      CHECK(lc.line == line);
      CHECK(lc.column == off - start + 1);
      if (off < text.size() &&
          (text[off] == '\n' ||
           (text[off] == '\r' && (off + 1 >= text.size() || text[off + 1] != '\n')))) {
        ++line;
        start = off + 1;
      }
    }
  }
}

TEST_CASE("loader: a large JSON template's tree in one arena chunk of huge pages",
          "[loader][arena]") {
  // Above kArenaHugeChunkBytes / 4 bytes the document's arena starts with one chunk of about
  // four times the file (mapped, MADV_HUGEPAGE); the tree must be the same as ever.
  std::string text = "{\"Resources\": {";
  int n = 0;
  while (text.size() < polc::kArenaHugeChunkBytes) {
    if (n > 0) text += ", ";
    text += "\"Sg" + std::to_string(n) +
            "\": {\"Type\": \"AWS::EC2::SecurityGroup\", \"Properties\": {\"GroupDescription\": "
            "\"d\\\"q\", \"VpcId\": \"vpc-1\"}}";
    ++n;
  }
  text += "}}";
  auto r = polc::load_template_bytes("big.json", text);
  REQUIRE(r.status == polc::LoadStatus::kTemplate);
  REQUIRE(r.tmpl);
  CHECK(r.tmpl->resources().size() == static_cast<std::size_t>(n));
  const polc::Value* props = r.tmpl->resources().back().properties;
  REQUIRE(props);
  CHECK(props->get("GroupDescription")->str() == "d\"q");  // an escaped string: copied
  CHECK(props->get("VpcId")->str() == "vpc-1");            // a plain one: viewed in the file
  CHECK(r.tmpl->resources().back().logical_id == "Sg" + std::to_string(n - 1));

  polc::Arena big(polc::kArenaHugeChunkBytes + 1);
  auto a = big.array<std::uint64_t>(polc::kArenaHugeChunkBytes / 8);
  a[0] = 1;
  a[a.size() - 1] = 2;
  CHECK(a[0] + a[a.size() - 1] == 3);
  big.reset();
  CHECK(big.used() == 0);
}
