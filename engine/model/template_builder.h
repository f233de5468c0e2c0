// TemplateBuilder: the builder behind `build_template` (engine/model/template.h), shared by
// template.cpp (sections, references), sam_expand.cpp, sam_policies.cpp and sam_auth.cpp (the
// SAM transform's generated resources). Internal to engine/model; one builder per template, not
// thread-safe.
#pragma once
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/model/sam_policy_templates.h"
#include "engine/model/template.h"

namespace polc {

/// The SAM transform's name (`Transform: AWS::Serverless-2016-10-31`).
inline constexpr std::string_view kSamTransform = "AWS::Serverless-2016-10-31";

class TemplateBuilder {
 public:
  TemplateBuilder(std::unique_ptr<Document> doc, Diagnostics& diags)
      : t_(init(std::move(doc))), diags_(diags), file_(*t_->doc_->file) {}

  std::unique_ptr<Template> build();

 private:
  static std::unique_ptr<Template> init(std::unique_ptr<Document> doc) {
    auto t = std::make_unique<Template>();
    t->doc_ = std::move(doc);
    return t;
  }
  Location at(std::uint32_t offset) const { return Location::at(file_, offset); }
  void read_transform(const Value* v);
  void read_parameters(const Value* v);
  void read_conditions(const Value* v);
  void read_resources(const MapEntry& section, const std::vector<std::string_view>& generated);
  void read_outputs(const Value* v);
  // engine/model/sam_globals.cpp: `Globals` merged into the SAM resources' properties.
  void merge_sam_globals();
  const Value* merge_global(const Value* global, const Value* local, std::size_t depth);
  void expand_sam();
  // engine/model/sam_apis.cpp: Api / HttpApi (explicit and implicit), their stages and custom
  // domains; GraphQLApi.
  void expand_rest_api(std::uint32_t at_index, std::string_view api_id, const Value* props,
                       bool implicit);
  void expand_http_api(std::uint32_t at_index, std::string_view api_id, const Value* props,
                       bool implicit);
  void expand_api_domain(std::uint32_t at_index, std::string_view api_id, const Value* domain,
                         bool http, bool implicit);
  void expand_implicit_apis();
  const Value* resolve_parameter_defaults(const Value* v, std::size_t depth);
  void expand_graphql_api(std::uint32_t sam_index);
  bool sam_generated_name(std::string_view name) const;
  /// Adds a generated resource; false (nothing added) when the logical ID is taken or the
  /// resource limit is reached. `unconditional`: without the SAM resource's Condition.
  bool add_generated(std::uint32_t sam_index, std::string_view logical_id, std::string_view type,
                     Value* properties, bool unconditional = false);
  Value* ref_to(std::string_view logical_id, std::uint32_t offset);
  Value* new_map(std::uint32_t size, std::uint32_t offset);
  Value* new_string(std::string_view s, std::uint32_t offset);
  Value* new_list(std::uint32_t size, std::uint32_t offset);
  Value* map_of(const std::vector<MapEntry>& entries, std::uint32_t offset);
  Value* list_of(const std::vector<Value*>& items, std::uint32_t offset);
  void expand_function(std::uint32_t sam_index);  // engine/model/sam_function.cpp
  void expand_role(std::uint32_t sam_index, const Value* policies, const Value* boundary,
                   const Value* path, std::string_view service,
                   const std::vector<Value*>& event_managed = {},
                   const std::vector<Value*>& event_inline = {});
  // engine/model/sam_policies.cpp: SAM policy templates (`S3ReadPolicy: {BucketName: b}`).
  Value* expand_policy_template(std::string_view owner, const Value* item);
  Value* instantiate(const internal::PolicyTemplateNode& node, const Value* values,
                     std::uint32_t offset);
  // engine/model/sam_auth.cpp: Api / HttpApi `Auth.Authorizers`.
  void expand_api_auth(std::uint32_t sam_index, const Value* auth, bool http, Value*& body);
  void link();
  // Walks `v` for references; `frozen`: the path stays where it is (inside an intrinsic
  // function's arguments). The path is kept as segments and spelled only where a reference
  // needs it (`path_text`): most values hold none.
  void walk(const Value* v, bool frozen, std::size_t depth);
  std::string path_text() const;
  void add_ref(RefKind kind, const Value* node, std::uint32_t offset, std::string_view target,
               std::string_view attribute, const std::string& path);
  void sub_refs(const Value* node, const Value* arg, const std::string& path);

  std::unique_ptr<Template> t_;
  Diagnostics& diags_;
  const SourceFile& file_;
  // Walk state.
  std::uint32_t from_ = kNoIndex;
  std::vector<ConditionGuard> guards_;
  struct PathSegment {
    std::string_view key;  // a map key, or
    std::uint32_t index;   // a list index when `key` is null
  };
  std::string walk_base_;  // "Properties", "Outputs.Name"
  std::vector<PathSegment> walk_path_;
  // `Globals.<Section>` with the properties the SAM transform merges, by section name.
  std::vector<std::pair<std::string_view, Value*>> sam_globals_;
  std::size_t sam_merged_entries_ = 0;  // copied by merge_global (kMaxSamGlobalsMergedEntries)
  bool sam_merge_stopped_ = false;
  // Unknown references already reported, by offset and name (a Globals value merged into
  // several resources is walked once per resource).
  std::set<std::pair<std::uint32_t, std::string_view>> unknown_reported_;
};

}  // namespace polc
