// Go to definition, references, document symbols and code lenses (cli/lsp/features.h).
#include <filesystem>

#include "cli/lsp/features.h"
#include "cli/lsp/features_internal.h"

namespace polc::lsp {

using namespace detail;

namespace {

/// Where a module can be opened: its file, or the embedded text written to the cache.
std::string module_uri(const ModuleSource& m) {
  std::string path = m.path.empty() ? materialize_embedded(m.key, m.text) : m.path;
  if (path.empty()) return {};
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return path_to_uri(ec ? path : abs.lexically_normal().string());
}

}  // namespace

std::string definition(const Workspace& ws, const OpenDocument& doc, std::uint32_t offset) {
  if (doc.tests_file) {
    auto ref = tests_policy_at(ws, doc, offset);
    if (!ref) return "null";
    std::error_code ec;
    auto abs = std::filesystem::absolute(ref->path, ec);
    return location_json(ws, path_to_uri(ec ? ref->path : abs.lexically_normal().string()),
                         ref->index->text(), ref->decl.name_begin, ref->decl.name_end);
  }
  const TextIndex& idx = *doc.index;
  const int tok = idx.token_at(offset);
  if (tok < 0 || idx.tokens()[tok].kind != Token::kIdent) return "null";
  Chain chain = member_chain(idx, tok);
  if (chain.names.size() == 2 && chain.base != tok) {
    auto m = module_for_alias(ws, doc, chain.base);
    if (!m) return "null";
    TextIndex mod(m->text);
    int d = mod.find_top(chain.names[1]);
    std::string uri = module_uri(*m);
    if (d < 0 || uri.empty()) return "null";
    return location_json(ws, uri, m->text, mod.decls()[d].name_begin, mod.decls()[d].name_end);
  }
  if (chain.base != tok) return "null";
  int d = idx.resolve(tok);
  if (d < 0) return "null";
  const Decl& decl = idx.decls()[d];
  // An alias where it is used goes to its import; on the import itself, to the module.
  if (decl.kind == DeclKind::kImport && idx.tokens()[tok].begin == decl.name_begin) {
    auto m = ws.import_module(doc, decl);
    std::string uri = m ? module_uri(*m) : std::string();
    if (uri.empty()) return "null";
    return location_json(ws, uri, m->text, 0, 0);
  }
  return "{\"uri\":" + json_string(doc.uri) +
         ",\"range\":" + doc.lines.range_json(decl.name_begin, decl.name_end) + "}";
}

std::string references(const Workspace& ws, const OpenDocument& doc, std::uint32_t offset,
                       bool include_declaration) {
  const TextIndex& idx = *doc.index;
  const auto& ts = idx.tokens();
  const int tok = idx.token_at(offset);
  if (tok < 0 || ts[tok].kind != Token::kIdent) return "null";
  std::string out = "[";
  auto add = [&](std::uint32_t b, std::uint32_t e) {
    if (out.size() > 1) out += ",";
    out += "{\"uri\":" + json_string(doc.uri) + ",\"range\":" + doc.lines.range_json(b, e) + "}";
  };
  Chain chain = member_chain(idx, tok);
  if (chain.names.size() == 2 && chain.base != tok) {
    // A member of an imported module: every `alias.member` of this document.
    const int alias = idx.resolve(chain.base);
    if (alias < 0) return "null";
    for (int k = 2; k < static_cast<int>(ts.size()); ++k)
      if (ts[k].kind == Token::kIdent && idx.token_text(ts[k]) == chain.names[1]) {
        Chain c = member_chain(idx, k);
        if (c.names.size() == 2 && idx.resolve(c.base) == alias) add(ts[k].begin, ts[k].end);
      }
    if (include_declaration)
      if (auto m = module_for_alias(ws, doc, chain.base)) {
        TextIndex mod(m->text);
        int d = mod.find_top(chain.names[1]);
        std::string uri = d < 0 ? std::string() : module_uri(*m);
        if (!uri.empty()) {
          out += out.size() > 1 ? "," : "";
          out +=
              location_json(ws, uri, m->text, mod.decls()[d].name_begin, mod.decls()[d].name_end);
        }
      }
    return out + "]";
  }
  const int d = idx.resolve(tok);
  if (d < 0) return "null";
  for (int k : idx.references(d)) {
    if (!include_declaration && ts[k].begin == idx.decls()[d].name_begin) continue;
    add(ts[k].begin, ts[k].end);
  }
  return out + "]";
}

namespace {

int symbol_kind(DeclKind k) {
  switch (k) {
    case DeclKind::kImport:
      return 2;  // Module
    case DeclKind::kConst:
      return 14;  // Constant
    case DeclKind::kFunction:
      return 12;  // Function
    case DeclKind::kPolicy:
      return 5;  // Class
    case DeclKind::kParam:
      return 7;  // Property
    default:
      return 13;  // Variable
  }
}

std::string symbol(const OpenDocument& doc, const Decl& d, std::uint32_t end,
                   const std::string& children) {
  std::string s = "{\"name\":" + json_string(d.name.empty() ? "?" : d.name) +
                  ",\"kind\":" + std::to_string(symbol_kind(d.kind));
  std::string detail = d.kind == DeclKind::kImport ? "\"" + d.detail + "\"" : d.detail;
  if (!detail.empty()) s += ",\"detail\":" + json_string(detail);
  s += ",\"range\":" + doc.lines.range_json(d.begin, std::max(end, d.name_end)) +
       ",\"selectionRange\":" + doc.lines.range_json(d.name_begin, d.name_end);
  if (!children.empty()) s += ",\"children\":[" + children + "]";
  return s + "}";
}

}  // namespace

std::string document_symbols(const OpenDocument& doc) {
  const TextIndex& idx = *doc.index;
  std::string out = "[";
  for (const Decl& d : idx.decls()) {
    if (d.kind != DeclKind::kImport && d.kind != DeclKind::kConst &&
        d.kind != DeclKind::kFunction && d.kind != DeclKind::kPolicy)
      continue;
    std::string children;
    if (d.kind == DeclKind::kPolicy)
      for (const Decl& c : idx.decls()) {
        const bool member = c.begin > d.begin && c.begin < d.end;
        const bool subject = c.kind == DeclKind::kLoop && !c.resource_type.empty();
        if (!member || !(c.kind == DeclKind::kParam || subject)) continue;
        children += (children.empty() ? "" : ",") + symbol(doc, c, c.name_end, "");
      }
    out += (out.size() > 1 ? "," : "") + symbol(doc, d, d.end, children);
  }
  return out + "]";
}

std::string code_lenses(const Workspace& ws, const OpenDocument& doc) {
  std::string title = "\u25B6 Run tests";
  if (auto it = ws.test_runs.find(doc.uri); it != ws.test_runs.end())
    title = (it->second.exit_code == 0 ? "\u2714 tests: " : "\u2718 tests: ") + it->second.summary +
            " (run again)";
  std::string out = "[";
  if (doc.tests_file)  // one lens at the top of a test file
    return "[{\"range\":" + doc.lines.range_json(0, 0) +
           ",\"command\":{\"title\":" + json_string(title) +
           ",\"command\":\"polc.runTests\",\"arguments\":[" + json_string(doc.uri) + "]}}]";
  for (const Decl& d : doc.index->decls()) {
    if (d.kind != DeclKind::kPolicy) continue;
    out += (out.size() > 1 ? "," : "");
    out += "{\"range\":" + doc.lines.range_json(d.name_begin, d.name_end) +
           ",\"command\":{\"title\":" + json_string(title) +
           ",\"command\":\"polc.runTests\",\"arguments\":[" + json_string(doc.uri) + "]}}";
  }
  return out + "]";
}

}  // namespace polc::lsp
