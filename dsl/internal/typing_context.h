// TypingContext: the state the checkers of one module set share while typing functions by use.
#pragma once
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/ast.h"
#include "dsl/internal/schema_types.h"
#include "engine/base/diagnostic.h"
#include "engine/schema/schema.h"

namespace polc {

// State shared by the checkers of one module set: the schemas, diagnostics already given (a
// helper function checked for several callers reports each problem once) and the memo of
// functions typed by use.
//
// A function typed by use is checked once per distinct list of argument types; its schema
// diagnostics are held back (`pending`) and given only for a location where no call from the
// same policy file has types with the path (`satisfied` holds the others, keyed by location
// and the calling file): a generic helper that dispatches on what exists
// (`if exists(r.Properties.PolicyDocument) then ...`) reads, for each caller, fields that the
// file's other callers' types have. Calls from other files never excuse a file's own misuse.
// docs/language.md, "What the checker knows".
struct TypingContext {
  const schema::SchemaSet& schemas;
  std::set<std::pair<std::string, std::string>> reported;  // (location, message)
  // (location + "\n" + calling file, diagnostic), in order; `satisfied`: the keys where some
  // call's types have the path.
  std::vector<std::pair<std::string, Diagnostic>> pending;
  std::set<std::string> satisfied;
  std::map<std::string, SType> memo;         // function + argument types -> result
  std::set<std::string, std::less<>> names;  // every property and nested field name (lazy)
  bool names_built = false;

  // Whether some resource type of the set has a property or nested field called `name`.
  bool is_schema_name(std::string_view name) {
    if (!names_built) {
      names_built = true;
      for (std::string_view t : schemas.type_names()) {
        const schema::ResourceSchema* r = schemas.find(t);
        if (!r) continue;
        std::vector<std::string_view> todo;
        std::set<std::string_view> seen;
        auto add = [&](const std::vector<schema::Field>& fields) {
          for (const auto& f : fields) {
            names.emplace(f.name);
            for (std::size_t at = f.type.find('@'); at != std::string_view::npos;
                 at = f.type.find('@', at + 1)) {
              std::size_t end = at + 1;
              while (end < f.type.size() &&
                     (std::isalnum(static_cast<unsigned char>(f.type[end])) || f.type[end] == '_'))
                ++end;
              std::string_view def = f.type.substr(at + 1, end - at - 1);
              if (seen.insert(def).second) todo.push_back(def);
            }
          }
        };
        add(r->properties());
        while (!todo.empty()) {
          std::string_view def = todo.back();
          todo.pop_back();
          add(r->definition(def));
        }
      }
    }
    return names.find(name) != names.end();
  }
  std::set<const ast::Function*> active;  // recursion guard
  int depth = 0;
};

constexpr int kMaxTypedCallDepth = 16;

}  // namespace polc
