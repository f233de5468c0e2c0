// Modules: parsed policy files and the import graph between them.
//
// A module is one policy or library file: its source, its AST and the modules it imports by
// alias. `ModuleSet` loads files from disk and from the embedded stdlib/pack
// (dsl/embedded.h), follows `import`s (relative to the importing file, or `stdlib/...` from the
// embedded copy), and detects cycles only to avoid loading a file twice (mutual imports are
// allowed: names are resolved after loading). Used by one thread.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "dsl/ast.h"
#include "engine/base/diagnostic.h"
#include "engine/base/source_file.h"

namespace polc {

struct Module {
  std::string key;   // "stdlib/ec2.polc", "policies/network/x.polc", or a file path
  std::string stem;  // default import alias: the file name without extension
  std::unique_ptr<SourceFile> source;
  std::unique_ptr<ast::File> ast;
  std::map<std::string, Module*> imports;  // alias -> module
  bool builtin = false;                    // from the embedded sources
  bool root = false;                       // its policies are part of the set (not only a library)
};

class ModuleSet {
 public:
  /// Loads a policy file from disk as a root module. Errors go to `diags`.
  Module* load_file(const std::string& path, Diagnostics& diags);
  /// Loads `text` as a root module named `key`.
  Module* load_source(const std::string& key, std::string text, bool builtin, Diagnostics& diags);
  /// Loads every embedded `policies/**.polc` as root modules (the standard pack).
  void load_builtin_pack(Diagnostics& diags);
  const std::vector<std::unique_ptr<Module>>& modules() const { return modules_; }

 private:
  Module* load(const std::string& key, std::string text, bool builtin, bool root, Diagnostics& diags, int depth);
  void resolve_imports(Module& m, Diagnostics& diags, int depth);
  std::vector<std::unique_ptr<Module>> modules_;
  std::map<std::string, Module*> by_key_;
};

}  // namespace polc
