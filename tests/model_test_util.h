// Helpers shared by the model tests (template_test.cpp, loader_test.cpp): file reading,
// golden comparison, YAML availability.
#pragma once
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/base/diagnostic.h"
#include "engine/load/yaml_parser.h"
#include "engine/model/document.h"

namespace polc::test {

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Compares `actual` with the golden file `path`; `POLC_UPDATE_GOLDEN=1` rewrites it.
inline void check_golden(const std::filesystem::path& path, const std::string& actual) {
  const char* update = std::getenv("POLC_UPDATE_GOLDEN");
  if (update && std::string(update) == "1") {
    std::ofstream out(path, std::ios::binary);
    out << actual;
    return;
  }
  INFO("golden: " << path.string());
  REQUIRE(std::filesystem::exists(path));
  std::string expected = read_text(path);
  if (expected != actual) {
    FAIL_CHECK("golden mismatch for " << path.string() << "; actual output:\n" << actual);
  }
}

/// True once the real YAML parser is linked (it is developed on another branch).
inline bool yaml_available() {
  Document doc(std::make_unique<SourceFile>("probe.yaml", "a: 1\n"));
  Diagnostics d;
  return parse_yaml(doc, d) && doc.root != nullptr && doc.root->is_map();
}

/// One line per diagnostic: `line:col: severity: message [code]`, notes indented.
inline std::string render_diagnostics_short(const Diagnostics& diags) {
  std::string out;
  for (const Diagnostic& d : diags.items()) {
    out += std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + ": " +
           std::string(diag_severity_name(d.severity)) + ": " + d.message + " [" + d.code + "]\n";
    for (const DiagNote& n : d.notes)
      out += "  note " + std::to_string(n.location.line) + ":" + std::to_string(n.location.column) +
             ": " + n.message + "\n";
  }
  return out;
}

}  // namespace polc::test
