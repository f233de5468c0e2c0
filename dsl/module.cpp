#include "dsl/module.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "dsl/embedded.h"
#include "dsl/parser.h"
#include "engine/base/limits.h"

namespace polc {
namespace {

constexpr int kMaxImportDepth = 32;

std::string stem_of(const std::string& key) {
  std::filesystem::path p(key);
  return p.stem().string();
}

const EmbeddedSource* find_embedded(std::string_view path) {
  for (const auto& e : embedded_sources())
    if (e.path == path) return &e;
  return nullptr;
}

bool read_file(const std::string& path, std::string& out, std::string& error) {
  std::error_code ec;
  auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::is_regular_file(st)) {
    error = ec ? ec.message() : "not a regular file";
    return false;
  }
  auto size = std::filesystem::file_size(path, ec);
  if (ec) {
    error = ec.message();
    return false;
  }
  if (size > kMaxPolicyBytes) {
    error = "policy file is " + std::to_string(size) + " bytes; the limit is " + std::to_string(kMaxPolicyBytes) +
            " (kMaxPolicyBytes)";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

}  // namespace

Module* ModuleSet::load_file(const std::string& path, Diagnostics& diags) {
  std::string text, error;
  if (!read_file(path, text, error)) {
    diags.error("policy-read", Location::whole(path), "cannot read policy file: " + error);
    return nullptr;
  }
  return load(path, std::move(text), false, true, diags, 0);
}

Module* ModuleSet::load_source(const std::string& key, std::string text, bool builtin, Diagnostics& diags) {
  return load(key, std::move(text), builtin, true, diags, 0);
}

void ModuleSet::load_builtin_pack(Diagnostics& diags) {
  for (const auto& e : embedded_sources())
    if (e.path.starts_with("policies/")) load(std::string(e.path), std::string(e.text), true, true, diags, 0);
}

Module* ModuleSet::load(const std::string& key, std::string text, bool builtin, bool root, Diagnostics& diags,
                        int depth) {
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    if (root) it->second->root = true;
    return it->second;
  }
  auto m = std::make_unique<Module>();
  m->key = key;
  m->stem = stem_of(key);
  m->builtin = builtin;
  m->root = root;
  std::string display = builtin ? "<builtin>/" + key : key;
  m->source = std::make_unique<SourceFile>(display, std::move(text));
  m->ast = parse_policy_source(*m->source, diags);
  Module* raw = m.get();
  by_key_[key] = raw;
  modules_.push_back(std::move(m));
  resolve_imports(*raw, diags, depth);
  return raw;
}

void ModuleSet::resolve_imports(Module& m, Diagnostics& diags, int depth) {
  if (!m.ast) return;
  for (const ast::Import& imp : m.ast->imports) {
    std::string alias = imp.alias.empty() ? stem_of(imp.path) : imp.alias;
    if (depth + 1 > kMaxImportDepth) {
      diags.error("import-depth", Location::at(*m.source, imp.span.begin),
                  "imports nest deeper than " + std::to_string(kMaxImportDepth) + " files");
      continue;
    }
    std::string path = imp.path;
    if (!path.ends_with(".polc")) path += ".polc";
    Module* target = nullptr;
    if (path.starts_with("stdlib/")) {
      const EmbeddedSource* e = find_embedded(path);
      if (!e) {
        diags.error("import", Location::at(*m.source, imp.span.begin), "no stdlib module '" + imp.path + "'");
        continue;
      }
      target = load(path, std::string(e->text), true, false, diags, depth + 1);
    } else if (m.builtin) {
      std::string key = (std::filesystem::path(m.key).parent_path() / path).lexically_normal().string();
      const EmbeddedSource* e = find_embedded(key);
      if (!e) {
        diags.error("import", Location::at(*m.source, imp.span.begin), "no embedded module '" + key + "'");
        continue;
      }
      target = load(key, std::string(e->text), true, false, diags, depth + 1);
    } else {
      std::string key = (std::filesystem::path(m.key).parent_path() / path).lexically_normal().string();
      std::string text, error;
      if (!read_file(key, text, error)) {
        diags.error("import", Location::at(*m.source, imp.span.begin), "cannot import '" + imp.path + "': " + key + ": " + error);
        continue;
      }
      target = load(key, std::move(text), false, false, diags, depth + 1);
    }
    if (m.imports.count(alias)) {
      diags.error("import", Location::at(*m.source, imp.span.begin), "two imports bind the name '" + alias + "'");
      continue;
    }
    if (target) m.imports[alias] = target;
  }
}

}  // namespace polc
