#include "engine/load/data_file.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include "engine/load/json_parser.h"
#include "engine/load/yaml_parser.h"

namespace polc::internal {

std::unique_ptr<Document> parse_data_text(const std::string& path, std::string text,
                                          Diagnostics& diags) {
  auto doc = std::make_unique<Document>(std::make_unique<SourceFile>(path, std::move(text)));
  bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  bool ok = json ? parse_json(*doc, diags) : parse_yaml(*doc, diags);
  if (!ok) return nullptr;
  return doc;
}

std::unique_ptr<Document> read_data_file(const std::string& path, std::size_t max_bytes,
                                         Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error("unreadable", Location::whole(path),
                "cannot read this file; check the path (it is relative to the working directory "
                "on the command line, to the configuration file's directory inside it)");
    return nullptr;
  }
  std::string text;
  char buf[8192];
  while (in) {
    in.read(buf, sizeof buf);
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      diags.error(
          "file-too-large", Location::whole(path),
          "file larger than " + std::to_string(max_bytes) + " bytes; is this the right file?");
      return nullptr;
    }
  }
  if (in.bad()) {
    diags.error("unreadable", Location::whole(path), "read error");
    return nullptr;
  }
  return parse_data_text(path, std::move(text), diags);
}

std::string scalar_string(const Value* v) {
  if (!v) return {};
  switch (v->kind) {
    case ValueKind::kString:
      return std::string(v->str());
    case ValueKind::kInt:
      return std::to_string(v->integer);
    case ValueKind::kBool:
      return v->boolean ? "true" : "false";
    case ValueKind::kFloat: {
      std::ostringstream os;
      os << v->number;
      return os.str();
    }
    default:
      return {};
  }
}

}  // namespace polc::internal
