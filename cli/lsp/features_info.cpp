// Hover and completion (cli/lsp/features.h).
#include <algorithm>
#include <cctype>
#include <set>

#include "cli/lsp/features.h"
#include "cli/lsp/features_internal.h"
#include "cli/lsp/lsp_limits.h"
#include "engine/base/json_writer.h"
#include "engine/program/builtins.h"
#include "engine/schema/descriptions.h"

namespace polc::lsp {
namespace detail {

Chain member_chain(const TextIndex& idx, int tok) {
  Chain c;
  const auto& ts = idx.tokens();
  const std::string& text = idx.text();
  int k = tok;
  std::vector<std::string> rev;
  while (k >= 0 && ts[k].kind == Token::kIdent) {
    rev.emplace_back(idx.token_text(ts[k]));
    c.base = k;
    if (k >= 2 && ts[k - 1].kind == Token::kPunct && text[ts[k - 1].begin] == '.' &&
        ts[k - 1].begin == ts[k - 2].end)
      k -= 2;
    else
      break;
  }
  c.names.assign(rev.rbegin(), rev.rend());
  return c;
}

std::optional<ModuleSource> module_for_alias(const Workspace& ws, const OpenDocument& doc,
                                             int base_tok) {
  int d = doc.index->resolve(base_tok);
  if (d < 0 || doc.index->decls()[d].kind != DeclKind::kImport) return std::nullopt;
  return ws.import_module(doc, doc.index->decls()[d]);
}

std::vector<schema::Field> fields_of(const schema::TypeRef& t) {
  std::string_view type = t.type;
  while (type.size() >= 2 && ((type.front() == '[' && type.back() == ']') ||
                              (type.front() == '{' && type.back() == '}'))) {
    if (type.front() == '{') return {};  // a map: its keys are free
    type = type.substr(1, type.size() - 2);
  }
  if (!t.owner) return {};
  if (type == "@") return t.owner->properties();
  if (type.starts_with("@")) return t.owner->definition(type.substr(1));
  return {};
}

std::vector<schema::TypeRef> property_types(const std::string& type,
                                            const std::vector<std::string>& path, bool& found,
                                            schema::FieldLookup* last) {
  found = false;
  const schema::ResourceSchema* rs = schema::SchemaSet::builtin().find(type);
  if (!rs) return {};
  std::vector<schema::TypeRef> cur{{rs, "@"}};
  for (const std::string& name : path) {
    schema::FieldLookup fl = schema::lookup_field(cur, name);
    if (fl.result != schema::FieldLookup::kFound) return {};
    cur = fl.types;
    if (last) *last = fl;
  }
  found = true;
  return cur;
}

std::string location_json(const Workspace& ws, const std::string& uri, const std::string& text,
                          std::uint32_t begin, std::uint32_t end) {
  LineMap lines(text, ws.utf16);
  return "{\"uri\":" + json_string(uri) + ",\"range\":" + lines.range_json(begin, end) + "}";
}

bool chain_target(const OpenDocument& doc, const Chain& chain, std::string& type,
                  std::vector<std::string>& path, bool& resource) {
  const int d = doc.index->resolve(chain.base);
  if (d < 0 || doc.index->decls()[d].resource_type.empty()) return false;
  const Decl& decl = doc.index->decls()[d];
  type = decl.resource_type;
  resource = false;
  if (decl.property) {
    path = decl.path;
    path.insert(path.end(), chain.names.begin() + 1, chain.names.end());
    return true;
  }
  if (chain.names.size() == 1) {
    resource = true;
    path.clear();
    return true;
  }
  if (chain.names[1] != "Properties") return false;
  path.assign(chain.names.begin() + 2, chain.names.end());
  return true;
}

std::string policy_markdown(const TextIndex& idx, const Decl& d) {
  std::string md = "**policy " + d.name + "**\n\n";
  for (const auto& [k, v] : idx.policy_header(d)) md += "- `" + k + "` = " + v + "\n";
  return md;
}

}  // namespace detail

using namespace detail;

namespace {

std::string hover_json(const OpenDocument& doc, const Token& t, const std::string& markdown) {
  return "{\"contents\":{\"kind\":\"markdown\",\"value\":" + json_string(markdown) +
         "},\"range\":" + doc.lines.range_json(t.begin, t.end) + "}";
}

std::string code_block(std::string_view code) { return "```polc\n" + std::string(code) + "\n```"; }

std::string type_markdown(std::string_view type) {
  const schema::ResourceSchema* rs = schema::SchemaSet::builtin().find(type);
  if (!rs) return {};
  std::string md;
  if (auto d = schema::type_description(type); !d.empty()) md = std::string(d) + "\n\n";
  md += "**" + std::string(type) + "** (resource type)\n\n";
  const auto props = rs->properties();
  std::string required;
  for (const auto& f : props)
    if (f.required) required += (required.empty() ? "`" : ", `") + std::string(f.name) + "`";
  md += std::to_string(props.size()) + " properties";
  if (!required.empty()) md += "; required: " + required;
  md += "\n\n[AWS documentation](" + schema::reference_url(type) + ")";
  return md;
}

// The description of the last field of `path` under resource type `type`: a property's, or a
// nested field's for the first of the parent's nested types that has one.
std::string_view field_description_of(const std::string& type,
                                      const std::vector<std::string>& path) {
  if (path.size() == 1) return schema::field_description(type, "", path.front());
  bool found = false;
  const std::vector<std::string> parent(path.begin(), path.end() - 1);
  for (const auto& t : property_types(type, parent, found, nullptr)) {
    std::string_view def = t.type;
    while (def.size() >= 2 &&
           ((def.front() == '[' && def.back() == ']') || (def.front() == '{' && def.back() == '}')))
      def = def.substr(1, def.size() - 2);
    // A union ("@A|[@A]") names each nested type with "@" (names may contain dots).
    for (std::size_t at = def.find('@'); at != std::string_view::npos; at = def.find('@', at + 1)) {
      std::size_t end = at + 1;
      while (end < def.size() && std::string_view("|[]{}").find(def[end]) == std::string_view::npos)
        ++end;
      if (auto d = schema::field_description(type, def.substr(at + 1, end - at - 1), path.back());
          !d.empty())
        return d;
    }
  }
  return {};
}

std::string types_text(const std::vector<schema::TypeRef>& types) {
  std::string out;
  for (const auto& t : types) {
    std::string d = t.type == "@" ? "Properties" : schema::describe_type(t.type);
    if (out.find(d) != std::string::npos) continue;
    out += (out.empty() ? "" : " | ") + d;
  }
  return out;
}

std::string decl_markdown(const Workspace& ws, const OpenDocument& doc, const TextIndex& idx,
                          const Decl& d, const std::string& from) {
  std::string md;
  const std::string doc_text = idx.doc_comment(d.begin);
  switch (d.kind) {
    case DeclKind::kFunction:
      md = code_block("fn " + d.name + d.detail);
      break;
    case DeclKind::kConst: {
      std::string_view line = std::string_view(idx.text()).substr(d.begin, d.end - d.begin);
      if (line.size() > 200) line = line.substr(0, 200);
      md = code_block(line);
      break;
    }
    case DeclKind::kImport: {
      md = code_block("import \"" + d.detail + "\" as " + d.name);
      if (auto m = ws.import_module(doc, d)) {
        TextIndex mod(m->text);
        // The module's opening comment block says what it is for.
        std::string head;
        for (std::string_view rest = mod.text(); rest.starts_with("#");) {
          std::size_t eol = rest.find('\n');
          std::string_view line =
              rest.substr(1, eol == std::string_view::npos ? rest.size() - 1 : eol - 1);
          if (line.starts_with(" ")) line.remove_prefix(1);
          head += std::string(line) + "\n";
          if (eol == std::string_view::npos) break;
          rest.remove_prefix(eol + 1);
        }
        if (!head.empty()) md += "\n\n" + head;
      }
      return md;
    }
    case DeclKind::kPolicy:
      return policy_markdown(idx, d);
    case DeclKind::kParam:
      md = code_block("param " + d.name);
      break;
    case DeclKind::kFnParam:
      md = code_block(d.name) + "\n\nparameter";
      break;
    case DeclKind::kLet:
    case DeclKind::kLoop:
      md = code_block(
          (d.kind == DeclKind::kLet ? "let " : "for ") + d.name +
          (d.detail.empty() ? "" : (d.kind == DeclKind::kLet ? " = " : " in ") + d.detail));
      if (!d.resource_type.empty())
        md += "\n\n" + std::string(d.kind == DeclKind::kLet ? "resources" : "a resource") +
              " of type [" + d.resource_type + "](" + schema::reference_url(d.resource_type) + ")";
      break;
  }
  if (!doc_text.empty()) md += "\n\n" + doc_text;
  if (!from.empty()) md += "\n\n*from " + from + "*";
  return md;
}

}  // namespace

std::string hover(const Workspace& ws, const OpenDocument& doc, std::uint32_t offset) {
  if (doc.tests_file) {
    auto ref = tests_policy_at(ws, doc, offset);
    if (!ref) return "null";
    return "{\"contents\":{\"kind\":\"markdown\",\"value\":" +
           json_string(policy_markdown(*ref->index, ref->decl) + "\n*" + ref->path + "*") +
           "},\"range\":" + doc.lines.range_json(ref->value_begin, ref->value_end) + "}";
  }
  const TextIndex& idx = *doc.index;
  const int tok = idx.token_at(offset);
  if (tok < 0) return "null";
  const Token& t = idx.tokens()[tok];
  if (t.kind == Token::kString) {
    std::string md = type_markdown(string_contents(idx.token_text(t)));
    return md.empty() ? "null" : hover_json(doc, t, md);
  }
  if (t.kind != Token::kIdent) return "null";
  const std::string name(idx.token_text(t));
  Chain chain = member_chain(idx, tok);
  if (chain.names.size() > 1) {
    if (auto m = module_for_alias(ws, doc, chain.base); m && chain.names.size() == 2) {
      TextIndex mod(m->text);
      int d = mod.find_top(name);
      if (d < 0) return "null";
      return hover_json(doc, t, decl_markdown(ws, doc, mod, mod.decls()[d], m->key));
    }
    std::string type;
    std::vector<std::string> path;
    bool resource = false;
    if (!chain_target(doc, chain, type, path, resource) || resource) return "null";
    if (path.empty()) return hover_json(doc, t, type_markdown(type));
    bool found = false;
    schema::FieldLookup fl;
    auto types = property_types(type, path, found, &fl);
    if (!found) return "null";
    std::string md;
    if (auto d = field_description_of(type, path); !d.empty()) md = std::string(d) + "\n\n";
    md += "**" + name + "**: " + types_text(types) + "\n\n";
    std::string flags;
    if (path.size() == 1)
      for (const auto& f : schema::SchemaSet::builtin().find(type)->properties())
        if (f.name == name && f.required) flags += "required";
    if (fl.read_only)
      flags +=
          std::string(flags.empty() ? "" : ", ") + "read-only (an attribute: always null here)";
    if (fl.deprecated) flags += std::string(flags.empty() ? "" : ", ") + "deprecated";
    if (!flags.empty()) md += flags + "\n\n";
    md += "`" + type + "` Properties." +
          [&] {
            std::string p;
            for (const auto& s : path) p += (p.empty() ? "" : ".") + s;
            return p;
          }() +
          "\n\n[AWS documentation](" + schema::reference_url(type) + ")";
    return hover_json(doc, t, md);
  }
  if (int d = idx.resolve(tok); d >= 0)
    return hover_json(doc, t, decl_markdown(ws, doc, idx, idx.decls()[d], ""));
  if (int b = find_builtin(name); b >= 0) {
    const BuiltinInfo& info = builtin_info(static_cast<std::size_t>(b));
    return hover_json(
        doc, t, code_block(info.signature) + "\n\n" + std::string(info.doc) + "\n\n*builtin*");
  }
  return "null";
}

namespace {

struct Items {
  std::string json = "[";
  std::size_t count = 0;
  bool incomplete = false;
  bool add(std::string_view label, int kind, std::string_view detail = {},
           std::string_view doc = {}, const std::string& edit_range = {}) {
    if (count >= kMaxLspCompletionItems) {
      incomplete = true;
      return false;
    }
    json += count++ ? ",{" : "{";
    json += "\"label\":" + json_string(label) + ",\"kind\":" + std::to_string(kind);
    if (!detail.empty()) json += ",\"detail\":" + json_string(detail);
    if (!doc.empty())
      json += ",\"documentation\":{\"kind\":\"markdown\",\"value\":" + json_string(doc) + "}";
    if (!edit_range.empty())
      json += ",\"filterText\":" + json_string(label) + ",\"textEdit\":{\"range\":" + edit_range +
              ",\"newText\":" + json_string(label) + "}";
    json += "}";
    return true;
  }
  std::string result() const {
    return std::string("{\"isIncomplete\":") + (incomplete ? "true" : "false") +
           ",\"items\":" + json + "]}";
  }
};

bool lower_prefix(std::string_view s, std::string_view prefix) {
  if (prefix.size() > s.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

constexpr std::string_view kResourceFields[] = {
    "id", "type", "Properties", "Metadata", "Condition", "DependsOn", "cdk_path", "generated_by"};

}  // namespace

std::string completion(const Workspace& ws, const OpenDocument& doc, std::uint32_t offset) {
  const TextIndex& idx = *doc.index;
  const auto& ts = idx.tokens();
  const std::string& text = idx.text();
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text.size()));
  Items items;
  if (doc.tests_file) return items.result();  // YAML: nothing of the policy language to offer
  // Inside a string: resource type names where a type goes.
  if (int tok = idx.token_at(offset); tok >= 0 && ts[tok].kind == Token::kString) {
    const Token& s = ts[tok];
    const std::string_view st = idx.token_text(s);
    const bool closed = st.size() >= 2 && st.back() == st.front();
    if (offset > s.begin && (offset < s.end || !closed)) {
      const bool type_slot =
          (tok >= 2 && text[ts[tok - 1].begin] == '(' && ts[tok - 2].kind == Token::kIdent &&
           (idx.token_text(ts[tok - 2]) == "resources" ||
            idx.token_text(ts[tok - 2]) == "referrers")) ||
          (tok >= 1 && ts[tok - 1].kind == Token::kPunct && text[ts[tok - 1].begin] == '=') ||
          (tok >= 1 && ts[tok - 1].kind == Token::kPunct &&
           (text[ts[tok - 1].begin] == '[' || text[ts[tok - 1].begin] == ',') &&
           text.compare(ts[tok - 1].group_begin, 1, "[") == 0);
      if (!type_slot) return items.result();
      const std::string_view typed =
          std::string_view(text).substr(s.begin + 1, offset - s.begin - 1);
      const std::string range = doc.lines.range_json(s.begin + 1, offset);
      for (std::string_view name : schema::SchemaSet::builtin().type_names())
        if (lower_prefix(name, typed) && !items.add(name, 7, "resource type", {}, range)) break;
      return items.result();
    }
  }
  // The word being typed, and what comes before it.
  std::uint32_t word_begin = offset;
  while (word_begin > 0 && (std::isalnum(static_cast<unsigned char>(text[word_begin - 1])) ||
                            text[word_begin - 1] == '_'))
    --word_begin;
  int before = -1;  // the last token ending at or before word_begin
  for (int k = 0; k < static_cast<int>(ts.size()) && ts[k].end <= word_begin; ++k)
    if (ts[k].kind != Token::kString || ts[k].end <= word_begin) before = k;
  if (before >= 1 && ts[before].kind == Token::kPunct && text[ts[before].begin] == '.' &&
      ts[before].end == word_begin && ts[before - 1].kind == Token::kIdent &&
      ts[before - 1].end == ts[before].begin) {
    Chain chain = member_chain(idx, before - 1);
    if (auto m = module_for_alias(ws, doc, chain.base); m && chain.names.size() == 1) {
      TextIndex mod(m->text);
      for (const Decl& d : mod.decls()) {
        if (d.kind == DeclKind::kFunction)
          items.add(d.name, 3, "fn " + d.name + d.detail, mod.doc_comment(d.begin));
        else if (d.kind == DeclKind::kConst)
          items.add(d.name, 21, "const", mod.doc_comment(d.begin));
      }
      return items.result();
    }
    std::string type;
    std::vector<std::string> path;
    bool resource = false;
    if (!chain_target(doc, chain, type, path, resource)) return items.result();
    if (resource) {
      for (std::string_view f : kResourceFields) items.add(f, 5, "resource field");
      return items.result();
    }
    bool found = false;
    auto types = property_types(type, path, found);
    std::set<std::string_view> seen;
    for (const auto& t : types)
      for (const schema::Field& f : fields_of(t)) {
        if (!seen.insert(f.name).second) continue;
        std::string detail = schema::describe_type(f.type);
        if (f.required) detail += " (required)";
        if (f.deprecated) detail += " (deprecated)";
        items.add(f.name, 10, detail,
                  "`" + type + "`\n\n[AWS documentation](" + schema::reference_url(type) + ")");
      }
    return items.result();
  }
  if (before >= 0 && ts[before].kind == Token::kPunct && text[ts[before].begin] == '.' &&
      ts[before].end == word_begin)
    return items.result();  // a field of a value of unknown shape: nothing to offer
  // Names starting with the word typed so far (the editor filters further); past
  // kMaxLspCompletionItems the list is incomplete and the editor asks again as the user types.
  const std::string_view typed = std::string_view(text).substr(word_begin, offset - word_begin);
  std::set<std::string_view> seen;
  for (int d : idx.visible(offset)) {
    const Decl& decl = idx.decls()[d];
    if (!lower_prefix(decl.name, typed) || !seen.insert(decl.name).second) continue;
    if (items.count >= kMaxLspCompletionItems) {
      items.incomplete = true;
      break;
    }
    int kind = decl.kind == DeclKind::kFunction ? 3
               : decl.kind == DeclKind::kConst  ? 21
               : decl.kind == DeclKind::kImport ? 9
                                                : 6;
    std::string detail = decl.kind == DeclKind::kFunction ? "fn " + decl.name + decl.detail
                         : decl.kind == DeclKind::kImport ? "import \"" + decl.detail + "\""
                                                          : decl.detail;
    items.add(decl.name, kind, detail, idx.doc_comment(decl.begin));
  }
  for (std::size_t b = 0; b < builtin_count(); ++b) {
    const BuiltinInfo& info = builtin_info(b);
    if (!lower_prefix(info.name, typed)) continue;
    items.add(info.name, 3, info.signature, info.doc);
  }
  for (std::string_view k : keywords())
    if (lower_prefix(k, typed)) items.add(k, 14);
  return items.result();
}

}  // namespace polc::lsp
