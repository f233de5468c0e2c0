#include "engine/schema/schema.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "engine/model/document.h"
#include "engine/load/json_parser.h"
#include "engine/base/limits.h"
#include "engine/schema/schema_table.h"

namespace polc::schema {
namespace {

constexpr std::string_view kTypeLine = "\nT ";

std::string_view line_at(std::string_view t, std::size_t p) {
  std::size_t e = t.find('\n', p);
  return t.substr(p, (e == std::string_view::npos ? t.size() : e) - p);
}

// The first type line starting at or after `pos` (pos >= 1), or t.size().
std::size_t next_type_start(std::string_view t, std::size_t pos) {
  if (pos >= t.size()) return t.size();
  std::size_t f = t.find(kTypeLine, pos - 1);
  return f == std::string_view::npos ? t.size() : f + 1;
}

std::string_view name_at(std::string_view t, std::size_t p) { return line_at(t, p).substr(2); }

// Splits `A|B` at the top level (brackets nest).
std::vector<std::string_view> split_union(std::string_view type) {
  std::vector<std::string_view> out;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < type.size(); ++i) {
    char c = type[i];
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == '|' && depth == 0) {
      out.push_back(type.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(type.substr(start));
  return out;
}

bool is_scalar(std::string_view t) {
  return t == "string" || t == "integer" || t == "number" || t == "boolean" || t == "timestamp";
}

Field parse_record(std::string_view line) {
  Field f;
  std::string_view rest = line.substr(2);
  std::size_t tab = rest.find('\t');
  f.name = rest.substr(0, tab);
  if (tab == std::string_view::npos) return f;
  rest = rest.substr(tab + 1);
  tab = rest.find('\t');
  f.type = rest.substr(0, tab);
  if (tab != std::string_view::npos)
    for (char c : rest.substr(tab + 1)) {
      f.required |= c == 'r';
      f.deprecated |= c == 'd';
      f.read_only |= c == 'o';
    }
  return f;
}

bool glob_match(std::string_view pat, std::string_view s) {
  std::size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (p < pat.size() && pat[p] == s[i]) {
      ++p;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

}  // namespace

std::vector<Field> ResourceSchema::records(char tag, std::string_view def) const {
  std::vector<Field> out;
  std::size_t p = 0;
  bool in_def = def.empty();
  while (p < block_.size()) {
    std::string_view line = line_at(block_, p);
    p += line.size() + 1;
    if (line.size() < 2) continue;
    if (line[0] == 'D') {
      if (def.empty()) break;
      if (in_def) break;
      in_def = line.substr(2) == def;
      continue;
    }
    if (in_def && line[0] == tag) out.push_back(parse_record(line));
  }
  return out;
}

std::vector<Field> ResourceSchema::properties() const { return records('P', {}); }
std::vector<Field> ResourceSchema::attributes() const { return records('A', {}); }
std::vector<Field> ResourceSchema::definition(std::string_view def) const { return def.empty() ? std::vector<Field>{} : records('F', def); }

bool ResourceSchema::has_definition(std::string_view def) const {
  std::string needle = "D " + std::string(def) + "\n";
  return block_.starts_with(needle) || block_.find("\n" + needle) != std::string_view::npos ||
         (block_.ends_with("D " + std::string(def)));
}

// ---- field lookup over type expressions

namespace {

struct Acc {
  bool open = false;
  bool found = false;
  bool all_deprecated = true;
  bool any_writable = false;
  bool all_scalar = true;
  std::vector<TypeRef> types;
  std::set<std::string_view> candidates;
  void add_type(TypeRef t) {
    for (const auto& x : types)
      if (x.owner == t.owner && x.type == t.type) return;
    types.push_back(t);
  }
};

void lookup_one(const ResourceSchema* owner, std::string_view type, std::string_view name, Acc& acc, int depth) {
  if (depth > 16) {
    acc.open = true;
    return;
  }
  for (std::string_view alt : split_union(type)) {
    if (alt.size() >= 2 && alt.front() == '[' && alt.back() == ']') {
      lookup_one(owner, alt.substr(1, alt.size() - 2), name, acc, depth + 1);
      continue;
    }
    if (alt.size() >= 2 && alt.front() == '{' && alt.back() == '}') {
      // A map with free keys: any name is a key.
      acc.found = true;
      acc.all_deprecated = false;
      acc.any_writable = true;
      acc.all_scalar = false;
      acc.add_type({owner, alt.substr(1, alt.size() - 2)});
      continue;
    }
    if (alt == "json" || alt.empty()) {
      acc.open = true;
      continue;
    }
    if (is_scalar(alt)) continue;
    acc.all_scalar = false;
    if (alt == "tag") {
      if (name == "Key" || name == "Value") {
        acc.found = true;
        acc.all_deprecated = false;
        acc.any_writable = true;
        acc.add_type({owner, "string"});
      } else {
        acc.candidates.insert("Key");
        acc.candidates.insert("Value");
      }
      continue;
    }
    if (alt.front() != '@') {
      acc.open = true;  // a type expression this version does not know: say nothing
      continue;
    }
    std::string_view def = alt.substr(1);
    std::vector<Field> fields = def.empty() ? owner->properties() : owner->definition(def);
    if (fields.empty() && !def.empty() && !owner->has_definition(def)) {
      acc.open = true;
      continue;
    }
    bool hit = false;
    for (const Field& f : fields) {
      if (f.name == name) {
        hit = true;
        acc.found = true;
        if (!f.deprecated) acc.all_deprecated = false;
        if (!f.read_only) acc.any_writable = true;
        acc.add_type({owner, f.type});
      }
      acc.candidates.insert(f.name);
    }
    if (!hit && def.empty()) {
      // Not a property: an attribute is read-only (CloudFormation computes it; a template never
      // writes it under Properties).
      for (const Field& a : owner->attributes())
        if (a.name == name) {
          hit = true;
          acc.found = true;
          acc.all_deprecated = false;
          acc.add_type({owner, a.type});
        }
    }
  }
}

}  // namespace

FieldLookup lookup_field(std::span<const TypeRef> in, std::string_view name) {
  Acc acc;
  for (const TypeRef& t : in) lookup_one(t.owner, t.type, name, acc, 0);
  FieldLookup out;
  if (acc.open || in.empty()) {
    out.result = FieldLookup::kOpen;
    return out;
  }
  if (acc.found) {
    out.result = FieldLookup::kFound;
    out.types = std::move(acc.types);
    out.deprecated = acc.all_deprecated;
    out.read_only = !acc.any_writable;
    return out;
  }
  out.result = FieldLookup::kMissing;
  out.on_scalar = acc.all_scalar;
  out.candidates.assign(acc.candidates.begin(), acc.candidates.end());
  return out;
}

std::vector<TypeRef> element_types(std::span<const TypeRef> in) {
  std::vector<TypeRef> out;
  for (const TypeRef& t : in)
    for (std::string_view alt : split_union(t.type))
      if (alt.size() >= 2 && ((alt.front() == '[' && alt.back() == ']') || (alt.front() == '{' && alt.back() == '}')))
        out.push_back({t.owner, alt.substr(1, alt.size() - 2)});
      else if (alt == "json" || alt.starts_with("@"))
        return {};  // the values of a nested type's fields, or free form: unknown
  return out;
}

// ---- the set

struct SchemaSet::Impl {
  std::string_view table;
  std::size_t first_type = 0;
  std::vector<std::unique_ptr<std::string>> overlay_text;
  std::map<std::string, std::unique_ptr<ResourceSchema>, std::less<>> overlays;
  mutable std::map<std::size_t, std::unique_ptr<ResourceSchema>> cache;  // builtin lookups
  mutable std::map<std::string, const ResourceSchema*, std::less<>> by_name;  // memo, misses too
  mutable std::mutex mu;

  // Binary search of the sorted table in place: the start of the first type line whose name is
  // not less than `type` (t.size() when none). Invariant: that line starts in [lo, hi]; lo is
  // the start of a type line (or t.size()).
  std::size_t lower_bound(std::string_view type) const {
    std::string_view t = table;
    std::size_t lo = first_type, hi = t.size();
    while (lo < hi) {
      std::size_t mid = lo + (hi - lo) / 2;
      std::size_t p = next_type_start(t, std::max<std::size_t>(mid, 1));
      if (p >= hi) p = lo;  // no type line in [mid, hi)
      if (name_at(t, p) < type)
        lo = next_type_start(t, p + 1);
      else
        hi = p;
    }
    return lo;
  }
  std::size_t find_start(std::string_view type) const {
    std::size_t p = lower_bound(type);
    return p < table.size() && name_at(table, p) == type ? p : std::string_view::npos;
  }
};

SchemaSet::SchemaSet() : impl_(std::make_unique<Impl>()) {
  impl_->table = embedded_schema_table();
  std::size_t f = impl_->table.starts_with("T ") ? 0 : impl_->table.find(kTypeLine);
  impl_->first_type = f == std::string_view::npos ? impl_->table.size() : (f == 0 ? 0 : f + 1);
}
SchemaSet::~SchemaSet() = default;
SchemaSet::SchemaSet(SchemaSet&&) noexcept = default;
SchemaSet& SchemaSet::operator=(SchemaSet&&) noexcept = default;

const SchemaSet& SchemaSet::builtin() {
  static const SchemaSet k;
  return k;
}

std::size_t SchemaSet::table_bytes() const { return impl_->table.size(); }

std::string SchemaSet::overlay_digest() const {
  std::string out;
  for (const auto& t : impl_->overlay_text) out += *t;
  return out;
}

std::string SchemaSet::source() const {
  std::string_view t = impl_->table;
  std::size_t p = t.find("# source: ");
  if (p == std::string_view::npos || p > impl_->first_type) return "unknown";
  return std::string(line_at(t, p + 10));
}

const ResourceSchema* SchemaSet::find(std::string_view type) const {
  if (auto it = impl_->overlays.find(type); it != impl_->overlays.end()) return it->second.get();
  std::lock_guard lock(impl_->mu);
  if (auto it = impl_->by_name.find(type); it != impl_->by_name.end()) return it->second;
  std::size_t p = impl_->find_start(type);
  if (p == std::string_view::npos) {
    impl_->by_name.emplace(std::string(type), nullptr);
    return nullptr;
  }
  auto& slot = impl_->cache[p];
  if (!slot) {
    std::string_view t = impl_->table;
    std::size_t body = std::min(t.size(), p + line_at(t, p).size() + 1);
    std::size_t end = next_type_start(t, body);
    slot = std::make_unique<ResourceSchema>(name_at(t, p), t.substr(body, end - body));
  }
  impl_->by_name.emplace(std::string(type), slot.get());
  return slot.get();
}

bool SchemaSet::is_open(std::string_view type) const {
  if (impl_->overlays.count(type)) return false;
  if (type.starts_with("Custom::") || type == "AWS::CloudFormation::CustomResource") return true;
  if (type.ends_with("::MODULE")) return true;
  return !(type.starts_with("AWS::") || type.starts_with("Alexa::"));
}

std::vector<std::string_view> SchemaSet::type_names() const {
  std::vector<std::string_view> out;
  std::string_view t = impl_->table;
  for (std::size_t p = impl_->first_type; p < t.size(); p = next_type_start(t, p + 1)) out.push_back(name_at(t, p));
  for (const auto& [name, s] : impl_->overlays) out.push_back(s->name());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string_view> SchemaSet::match(std::string_view pattern) const {
  if (pattern.find('*') == std::string_view::npos) {
    if (const ResourceSchema* s = find(pattern)) return {s->name()};
    return {};
  }
  // Only the types that start with the pattern's literal prefix: a binary search, then a walk.
  std::string_view prefix = pattern.substr(0, pattern.find('*'));
  std::vector<std::string_view> out;
  std::string_view t = impl_->table;
  for (std::size_t p = impl_->lower_bound(prefix); p < t.size(); p = next_type_start(t, p + 1)) {
    std::string_view n = name_at(t, p);
    if (!n.starts_with(prefix)) break;
    if (glob_match(pattern, n) && !impl_->overlays.count(n)) out.push_back(n);
  }
  for (const auto& [name, s] : impl_->overlays)
    if (glob_match(pattern, s->name())) out.push_back(s->name());
  std::sort(out.begin(), out.end());
  return out;
}

// ---- overlays: the AWS resource provider schema format

namespace {

class OverlayBuilder {
 public:
  OverlayBuilder(const SourceFile& f, Diagnostics& d) : file_(f), diags_(d) {}

  bool fail(const Value* at, const std::string& msg) {
    diags_.error("schema", Location::at(file_, at ? at->offset : 0), msg);
    ok_ = false;
    return false;
  }

  // A JSON schema → a type expression; nested objects with properties become definitions.
  std::string type_of(const Value* s, const std::string& hint, int depth) {
    if (depth > 32) {
      fail(s, "property schema nested deeper than 32 levels");
      return "json";
    }
    if (!s || !s->is_map()) {
      fail(s, "a property schema must be a JSON object");
      return "json";
    }
    if (const Value* ref = s->get("$ref")) {
      std::string_view r = ref->str();
      constexpr std::string_view kPrefix = "#/definitions/";
      if (!ref->is_string() || !r.starts_with(kPrefix)) {
        fail(ref, "\"$ref\" must be a string \"#/definitions/NAME\"");
        return "json";
      }
      std::string name(r.substr(kPrefix.size()));
      if (!clean(name)) {
        fail(ref, "\"$ref\" names an invalid definition");
        return "json";
      }
      refs_.push_back({name, ref});
      return "@" + name;
    }
    std::vector<std::string> types;
    if (const Value* t = s->get("type")) {
      if (t->is_string()) {
        types.emplace_back(t->str());
      } else if (t->is_list()) {
        for (const Value* x : t->list()) {
          if (!x->is_string()) return fail(x, "\"type\" must be a string or a list of strings"), "json";
          types.emplace_back(x->str());
        }
      } else {
        fail(t, "\"type\" must be a string or a list of strings");
        return "json";
      }
    }
    std::vector<std::string> parts;
    auto add = [&](std::string x) {
      if (std::find(parts.begin(), parts.end(), x) == parts.end()) parts.push_back(std::move(x));
    };
    for (const std::string& t : types) {
      if (t == "string" || t == "integer" || t == "number" || t == "boolean") {
        add(t);
      } else if (t == "array") {
        const Value* items = s->get("items");
        add("[" + (items ? type_of(items, hint, depth + 1) : std::string("json")) + "]");
      } else if (t == "object") {
        if (const Value* props = s->get("properties")) {
          if (!props->is_map()) return fail(props, "\"properties\" must be a JSON object"), "json";
          add("@" + define(hint, s, depth + 1));
        } else if (const Value* pp = s->get("patternProperties"); pp && pp->is_map() && pp->size == 1) {
          add("{" + type_of(pp->map()[0].value, hint, depth + 1) + "}");
        } else {
          add("json");
        }
      } else if (t == "null") {
        continue;
      } else {
        fail(s->get("type"), "unknown JSON schema type '" + t + "'");
        return "json";
      }
    }
    if (types.empty()) {
      for (const char* key : {"oneOf", "anyOf"}) {
        const Value* alts = s->get(key);
        if (!alts) continue;
        if (!alts->is_list()) return fail(alts, std::string("\"") + key + "\" must be a list"), "json";
        for (const Value* a : alts->list()) {
          if (!a->is_map()) return fail(a, "a property schema must be a JSON object"), "json";
          if (!a->get("type") && !a->get("$ref") && !a->get("oneOf") && !a->get("anyOf")) continue;
          add(type_of(a, hint, depth + 1));
        }
      }
      if (parts.empty() && s->get("properties")) add("@" + define(hint, s, depth + 1));
    }
    if (parts.empty() || std::find(parts.begin(), parts.end(), "json") != parts.end()) return "json";
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "|") + p;
    return out;
  }

  // Records definition `name` from an object schema with `properties`; returns its name.
  std::string define(const std::string& name, const Value* s, int depth) {
    if (defs_.count(name)) return name;
    defs_[name];  // reserve (recursion)
    std::map<std::string, std::string> fields;
    std::set<std::string> required = string_set(s->get("required"), "required");
    for (const MapEntry& e : s->get("properties")->map()) {
      std::string fname(e.key);
      if (!clean(fname)) {
        fail(e.value, "invalid property name");
        continue;
      }
      fields[fname] = type_of(e.value, name + "." + fname, depth) + (required.count(fname) ? "\tr" : "");
    }
    defs_[name] = std::move(fields);
    return name;
  }

  std::set<std::string> string_set(const Value* v, const char* what) {
    std::set<std::string> out;
    if (!v) return out;
    if (!v->is_list()) return fail(v, std::string("\"") + what + "\" must be a list of strings"), out;
    for (const Value* x : v->list()) {
      if (!x->is_string()) {
        fail(x, std::string("\"") + what + "\" must be a list of strings");
        continue;
      }
      out.insert(std::string(x->str()));
    }
    return out;
  }

  static bool clean(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
      if (static_cast<unsigned char>(c) < 0x20 || c == '|' || c == '[' || c == ']' || c == '{' || c == '}' || c == '@')
        return false;
    return true;
  }

  // Builds the block text; returns false on errors.
  bool build(const Value* root, std::string& type_name, std::string& out) {
    if (!root || !root->is_map()) return fail(root, "a resource schema must be a JSON object");
    const Value* tn = root->get("typeName");
    if (!tn || !tn->is_string()) return fail(tn ? tn : root, "a resource schema needs \"typeName\": \"Org::Service::Resource\"");
    type_name = std::string(tn->str());
    if (!clean(type_name) || type_name.find("::") == std::string::npos)
      return fail(tn, "\"typeName\" must look like Org::Service::Resource");
    const Value* props = root->get("properties");
    if (!props || !props->is_map()) return fail(props ? props : root, "a resource schema needs \"properties\": {...}");
    if (const Value* defs = root->get("definitions")) {
      if (!defs->is_map()) return fail(defs, "\"definitions\" must be a JSON object");
      for (const MapEntry& e : defs->map()) {
        std::string dname(e.key);
        if (!clean(dname)) {
          fail(e.value, "invalid definition name");
          continue;
        }
        if (!e.value->is_map()) {
          fail(e.value, "a definition must be a JSON object");
          continue;
        }
        declared_defs_.insert(dname);
        if (e.value->get("properties")) {
          if (!e.value->get("properties")->is_map()) {
            fail(e.value->get("properties"), "\"properties\" must be a JSON object");
            continue;
          }
          define(dname, e.value, 0);
        } else {
          // A named scalar, list or map type: inline it where referenced.
          aliases_[dname] = type_of(e.value, dname, 0);
        }
      }
    }
    auto paths = [&](const char* key) {
      std::set<std::string> out;
      for (const std::string& p : string_set(root->get(key), key)) {
        if (!p.starts_with("/properties/")) {
          fail(root->get(key), std::string("\"") + key + "\" entries must be JSON pointers \"/properties/...\"");
          continue;
        }
        std::string dotted = p.substr(12);
        std::replace(dotted.begin(), dotted.end(), '/', '.');
        out.insert(dotted);
      }
      return out;
    };
    std::set<std::string> read_only = paths("readOnlyProperties");
    std::set<std::string> deprecated = paths("deprecatedProperties");
    std::set<std::string> required = string_set(root->get("required"), "required");
    std::map<std::string, std::string> top;
    for (const MapEntry& e : props->map()) {
      std::string pname(e.key);
      if (!clean(pname)) {
        fail(e.value, "invalid property name");
        continue;
      }
      top[pname] = type_of(e.value, pname, 0);
    }
    for (const auto& [name, at] : refs_)
      if (!declared_defs_.count(name) && !defs_.count(name)) fail(at, "\"$ref\" names '" + name + "', which \"definitions\" does not define");
    if (!ok_) return false;
    auto resolve = [&](std::string t) {
      // Named non-object definitions are inlined.
      for (const auto& [alias, real] : aliases_) {
        std::string needle = "@" + alias;
        for (std::size_t p = t.find(needle); p != std::string::npos; p = t.find(needle, p)) {
          std::size_t e = p + needle.size();
          if (e < t.size() && t[e] != ']' && t[e] != '}' && t[e] != '|' && t[e] != '\t') {
            p = e;
            continue;
          }
          t.replace(p, needle.size(), real);
          p += real.size();
        }
      }
      return t;
    };
    for (const auto& [pname, type] : top) {
      if (read_only.count(pname)) continue;  // attributes below
      std::string flags = std::string(required.count(pname) ? "r" : "") + (deprecated.count(pname) ? "d" : "");
      out += "P " + pname + "\t" + resolve(type) + (flags.empty() ? "" : "\t" + flags) + "\n";
    }
    for (const std::string& ro : read_only) {
      std::string first = ro.substr(0, ro.find('.'));
      std::string type = "json";
      if (ro == first && top.count(first)) type = resolve(top[first]);
      out += "A " + ro + "\t" + type + "\n";
    }
    for (const auto& [dname, fields] : defs_) {
      out += "D " + dname + "\n";
      for (const auto& [fname, type] : fields) out += "F " + fname + "\t" + resolve(type) + "\n";
    }
    return true;
  }

 private:
  const SourceFile& file_;
  Diagnostics& diags_;
  bool ok_ = true;
  std::map<std::string, std::map<std::string, std::string>> defs_;
  std::map<std::string, std::string> aliases_;
  std::set<std::string> declared_defs_;
  std::vector<std::pair<std::string, const Value*>> refs_;
};

}  // namespace

bool SchemaSet::add_overlay(const std::string& path, std::string text, Diagnostics& diags) {
  Document doc(std::make_unique<SourceFile>(path, std::move(text)));
  Diagnostics local;
  if (!parse_json(doc, local) || !doc.root) {
    bool any = false;
    for (const auto& d : local.items())
      if (d.severity == DiagSeverity::kError) {
        diags.add(d);
        any = true;
      }
    if (!any) diags.error("schema", Location::at(*doc.file, 0), "not a JSON resource schema");
    return false;
  }
  std::string name, block;
  OverlayBuilder b(*doc.file, diags);
  if (!b.build(doc.root, name, block)) return false;
  auto owned = std::make_unique<std::string>("T " + name + "\n" + block);
  std::string_view v = *owned;
  std::string_view type_name = v.substr(2, name.size());
  std::string_view body = v.substr(3 + name.size());
  impl_->overlays[name] = std::make_unique<ResourceSchema>(type_name, body);
  impl_->overlay_text.push_back(std::move(owned));
  return true;
}

bool SchemaSet::add_overlay_dir(const std::string& dir, Diagnostics& diags) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    diags.error("schema", Location::whole(dir), "schema directory not found (`schemas:` in .polc.yaml)");
    return false;
  }
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path().string());
  if (ec) {
    diags.error("schema", Location::whole(dir), "cannot list the schema directory: " + ec.message());
    return false;
  }
  std::sort(files.begin(), files.end());
  bool ok = true;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    if (!in && !in.eof()) {
      diags.error("schema", Location::whole(f), "cannot read the schema file");
      ok = false;
      continue;
    }
    std::string text = ss.str();
    if (text.size() > kMaxSchemaFileBytes) {
      diags.error("schema", Location::whole(f), "schema file larger than kMaxSchemaFileBytes (" +
                                                  std::to_string(kMaxSchemaFileBytes) + " bytes)");
      ok = false;
      continue;
    }
    ok &= add_overlay(f, std::move(text), diags);
  }
  return ok;
}

// ---- suggestions and links

std::string_view did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  auto lower = [](std::string_view s) {
    std::string o(s);
    for (char& c : o) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return o;
  };
  std::string w = lower(word);
  std::size_t limit = std::max<std::size_t>(2, w.size() / 3);
  std::string_view best;
  std::size_t best_d = limit + 1;
  std::vector<std::size_t> prev2, prev, cur;
  for (std::string_view cand : candidates) {
    std::string c = lower(cand);
    if (c.size() > w.size() + limit || w.size() > c.size() + limit) continue;
    // Optimal string alignment distance (adjacent transpositions count 1).
    std::size_t n = w.size(), m = c.size();
    prev2.assign(m + 1, 0);
    prev.resize(m + 1);
    cur.resize(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= m; ++j) {
        std::size_t cost = w[i - 1] == c[j - 1] ? 0 : 1;
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
        if (i > 1 && j > 1 && w[i - 1] == c[j - 2] && w[i - 2] == c[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
      prev2 = prev;
      prev = cur;
    }
    std::size_t d = prev[m];
    if (d == 0 && cand != word) d = 0;  // differs in case only: the best possible suggestion
    if (d < best_d) {
      best_d = d;
      best = cand;
    }
  }
  return best_d <= limit ? best : std::string_view();
}

std::string describe_type(std::string_view type) {
  std::vector<std::string_view> alts = split_union(type);
  std::string out;
  for (std::string_view a : alts) {
    if (!out.empty()) out += " | ";
    if (a.size() >= 2 && a.front() == '[' && a.back() == ']')
      out += "list<" + describe_type(a.substr(1, a.size() - 2)) + ">";
    else if (a.size() >= 2 && a.front() == '{' && a.back() == '}')
      out += "map<" + describe_type(a.substr(1, a.size() - 2)) + ">";
    else if (a.starts_with("@"))
      out += std::string(a.substr(1));
    else if (a == "json")
      out += alts.size() == 1 ? "json (free form)" : "json";
    else if (a == "tag")
      out += "Tag {Key, Value}";
    else
      out += std::string(a);
  }
  return out;
}

std::string reference_url(std::string_view type) {
  auto lower = [](std::string_view s) {
    std::string o(s);
    for (char& c : o) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return o;
  };
  std::size_t a = type.find("::");
  if (a == std::string_view::npos) return {};
  std::size_t b = type.find("::", a + 2);
  if (b == std::string_view::npos) return {};
  std::string_view org = type.substr(0, a), service = type.substr(a + 2, b - a - 2), res = type.substr(b + 2);
  if (org == "AWS" && service == "Serverless")
    return "https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-" + lower(res) + ".html";
  if (org != "AWS" && org != "Alexa") return {};
  return "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-" + lower(service) + "-" +
         lower(res) + ".html";
}

}  // namespace polc::schema
