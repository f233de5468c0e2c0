// Helpers shared by the feature files of cli/lsp/ (features_info.cpp, features_nav.cpp).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/lsp/workspace.h"
#include "engine/schema/schema.h"

namespace polc::lsp::detail {

/// The names of `a.b.c` ending at identifier token `tok` (base first) and the base's token.
struct Chain {
  std::vector<std::string> names;
  int base = -1;
};
Chain member_chain(const TextIndex& idx, int tok);

/// The module that the import declaration named `alias` (visible in `doc`) names.
std::optional<ModuleSource> module_for_alias(const Workspace& ws, const OpenDocument& doc,
                                             int base_tok);

/// The schema types reached by `Properties.path...` of a resource of type `type`: the types
/// after the last name; `found` false when a name is not there (or the type is unknown).
std::vector<schema::TypeRef> property_types(const std::string& type,
                                            const std::vector<std::string>& path, bool& found,
                                            schema::FieldLookup* last = nullptr);
/// The fields of values of `t` (a resource's Properties, a nested type; through lists).
std::vector<schema::Field> fields_of(const schema::TypeRef& t);

/// `{"uri":U,"range":R}` for a byte range of `text` (a file other than an open document).
std::string location_json(const Workspace& ws, const std::string& uri, const std::string& text,
                          std::uint32_t begin, std::uint32_t end);
/// What `chain` reads when its base is typed (a loop or let over resources("T"), or over a
/// property of such a resource): a resource of `type` (`resource`), or the value at
/// `Properties.path` (an empty path: the Properties map). False when it is not known.
bool chain_target(const OpenDocument& doc, const Chain& chain, std::string& type,
                  std::vector<std::string>& path, bool& resource);

/// The policy that the `policy:` value under `offset` of a test file names, with its file.
struct TestsPolicyRef {
  std::string path;
  std::shared_ptr<TextIndex> index;
  Decl decl;
  std::uint32_t value_begin = 0, value_end = 0;  // the value in the test file
};
std::optional<TestsPolicyRef> tests_policy_at(const Workspace& ws, const OpenDocument& doc,
                                              std::uint32_t offset);

/// Markdown for a policy's header (hover).
std::string policy_markdown(const TextIndex& idx, const Decl& d);

}  // namespace polc::lsp::detail
