#include "cli/lsp/workspace.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/lsp/lsp_limits.h"
#include "dsl/compiler.h"
#include "dsl/embedded.h"
#include "engine/base/limits.h"
#include "engine/base/output_file.h"
#include "engine/config/config.h"
#include "engine/load/yaml_parser.h"
#include "engine/model/document.h"

namespace polc::lsp {
namespace {

bool read_bounded(const std::string& path, std::string& out) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec) ||
      std::filesystem::file_size(path, ec) > kMaxPolicyBytes || ec)
    return false;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string real(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::canonical(path, ec);
  return ec ? std::string() : p.string();
}

}  // namespace

bool Workspace::open(const std::string& uri, std::string text, std::int64_t version,
                     std::string& error) {
  auto it = docs_.find(uri);
  const std::size_t old = it == docs_.end() ? 0 : it->second->text.size();
  if (it == docs_.end() && docs_.size() >= kMaxLspOpenDocuments) {
    error = "polc lsp: " + std::to_string(kMaxLspOpenDocuments) +
            " documents are open (kMaxLspOpenDocuments); close some to check " + uri;
    return false;
  }
  if (bytes_ - old + text.size() > kMaxLspOpenBytes) {
    error = "polc lsp: the open documents would take more than " +
            std::to_string(kMaxLspOpenBytes) + " bytes (kMaxLspOpenBytes); " + uri +
            " is not checked";
    return false;
  }
  auto doc = std::make_unique<OpenDocument>();
  doc->uri = uri;
  doc->path = uri_to_path(uri);
  if (doc->path.empty()) doc->path = uri;
  doc->tests_file = doc->path.ends_with(".tests.yaml") || doc->path.ends_with(".tests.yml");
  doc->text = std::move(text);
  doc->version = version;
  doc->index = std::make_unique<TextIndex>(doc->tests_file ? std::string() : doc->text);
  doc->lines = LineMap(doc->text, utf16);
  bytes_ = bytes_ - old + doc->text.size();
  docs_[uri] = std::move(doc);
  return true;
}

void Workspace::close(const std::string& uri) {
  auto it = docs_.find(uri);
  if (it == docs_.end()) return;
  bytes_ -= it->second->text.size();
  docs_.erase(it);
  test_runs.erase(uri);
}

OpenDocument* Workspace::find(const std::string& uri) {
  auto it = docs_.find(uri);
  return it == docs_.end() ? nullptr : it->second.get();
}

const OpenDocument* Workspace::find(const std::string& uri) const {
  auto it = docs_.find(uri);
  return it == docs_.end() ? nullptr : it->second.get();
}

std::vector<std::string> Workspace::import_roots(const OpenDocument& doc) const {
  std::vector<std::string> out;
  for (const std::string& r : roots)
    if (std::string p = real(r); !p.empty()) out.push_back(p);
  const std::string dir = std::filesystem::path(doc.path).parent_path().string();
  if (std::string p = real(dir.empty() ? "." : dir); !p.empty()) out.push_back(p);
  return out;
}

std::optional<ModuleSource> Workspace::import_module(const OpenDocument& doc,
                                                     const Decl& imp) const {
  std::string path = imp.detail;
  if (!path.ends_with(".polc")) path += ".polc";
  ModuleSource m;
  if (path.starts_with("stdlib/")) {
    for (const auto& e : embedded_sources())
      if (e.path == path) {
        m.key = path;
        m.text = std::string(e.text);
        // The workspace's own copy when it is the same text (polc's own repository).
        for (const std::string& r : roots) {
          std::string mine;
          const std::string candidate = (std::filesystem::path(r) / path).string();
          if (read_bounded(candidate, mine) && mine == m.text) m.path = candidate;
        }
        return m;
      }
    return std::nullopt;
  }
  const std::string key =
      (std::filesystem::path(doc.path).parent_path() / path).lexically_normal().string();
  m.key = key;
  m.path = key;
  // An open document's unsaved text wins over the file.
  for (const auto& [uri, d] : docs_)
    if (d->path == key) {
      m.text = d->text;
      return m;
    }
  const std::string resolved = real(key);
  if (resolved.empty()) return std::nullopt;
  bool inside = false;
  for (const std::string& r : import_roots(doc))
    if (resolved == r || resolved.starts_with(r == "/" ? r : r + "/")) inside = true;
  if (!inside || !read_bounded(resolved, m.text)) return std::nullopt;
  return m;
}

const schema::SchemaSet* Workspace::schemas_for(const OpenDocument& doc) const {
  const std::string dir = std::filesystem::path(doc.path).parent_path().string();
  std::error_code ec;
  if (dir.empty() || !std::filesystem::is_directory(dir, ec)) return nullptr;
  const std::string found = find_config_file(dir);
  if (found.empty()) return nullptr;
  const std::string path = (std::filesystem::path(dir) / found).lexically_normal().string();
  const auto mtime = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
  if (ec) return nullptr;
  auto it = schemas_.find(path);
  if (it != schemas_.end() && it->second.mtime == mtime) return it->second.set.get();
  CachedSchemas entry;
  entry.mtime = mtime;
  Config cfg;
  Diagnostics diags;  // a broken configuration is `polc check`'s to report
  if (load_config(path, cfg, diags) && !cfg.schemas.empty()) {
    entry.set = std::make_unique<schema::SchemaSet>();
    for (const std::string& d : cfg.schemas) entry.set->add_overlay_dir(d, diags);
  }
  return (schemas_[path] = std::move(entry)).set.get();
}

std::string materialize_embedded(const std::string& key, const std::string& text) {
  std::string base;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/')
    base = x;
  else if (const char* h = std::getenv("HOME"); h && *h == '/')
    base = std::string(h) + "/.cache";
  if (base.empty() || key.find("..") != std::string::npos) return {};
  const std::filesystem::path file =
      std::filesystem::path(base) / "polc" / ("lsp-" POLC_VERSION) / key;
  std::string existing;
  if (read_bounded(file.string(), existing) && existing == text) return file.string();
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  std::string error;
  if (ec || !write_file_atomically(file.string(), text, error)) return {};
  return file.string();
}

std::vector<Diagnostic> document_diagnostics(const Workspace& ws, const OpenDocument& doc) {
  Diagnostics diags;
  if (doc.tests_file) {
    Document d(std::make_unique<SourceFile>(doc.path, doc.text));
    parse_yaml(d, diags);
    return std::move(diags.items());
  }
  if (doc.text.size() > kMaxPolicyBytes) {
    // The words module.cpp uses for a policy file over the limit.
    diags.error("policy-read", Location::whole(doc.path),
                "cannot read policy file: policy file is " + std::to_string(doc.text.size()) +
                    " bytes; the limit is " + std::to_string(kMaxPolicyBytes) +
                    " (kMaxPolicyBytes)");
    return std::move(diags.items());
  }
  ModuleSet modules;
  modules.set_import_roots(ws.import_roots(doc));
  modules.load_source(doc.path, doc.text, false, diags);
  CompileOptions options;
  options.schemas = ws.schemas_for(doc);
  options.lint = true;  // the strict checks' warnings, as polc check and polc compile give them
  compile_modules(modules, diags, options);
  return std::move(diags.items());
}

}  // namespace polc::lsp
