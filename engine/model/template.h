// Stage engine/model (above base): the normalized resource model of a template: the value tree
// with byte offsets, sections, canonical intrinsic functions, `Fn::ForEach` expansion, the
// reference graph in both directions, and `polc dump`'s JSON view of it.
//
// Template: the normalized model of one CloudFormation template.
//
// Built by `build_template` from a parsed `Document`. On top of the raw value tree it gives:
//  - the sections: `Parameters` (type and default), `Conditions`, `Mappings`, `Resources`,
//    `Outputs`, each entry with its logical ID and location;
//  - intrinsic functions in one canonical long form (`Fn::GetAtt` is always
//    `[LogicalId, "Attr.Name"]`, split at the first dot), tagged with their `Intrinsic` kind;
//  - `Fn::ForEach` loops (AWS::LanguageExtensions) expanded into ordinary resources;
//  - the reference graph: one `Reference` per `Ref`, `Fn::GetAtt`, `Fn::Sub` variable and
//    `DependsOn` entry, forward (from a resource's property) and backward (to a resource),
//    each with the `Fn::If` branches it sits under.
//
// Facts come from the AWS CloudFormation User Guide: "Template anatomy", "Intrinsic function
// reference", "Condition functions", "Pseudo parameters reference" and
// "AWS::LanguageExtensions transform / Fn::ForEach".
//
// A Template owns its Document and is immutable after `build_template` returns, so it may be
// read from several threads. Indices (`uint32_t`) are stable positions in the vectors below.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/model/document.h"

namespace polc {

inline constexpr std::uint32_t kNoIndex = 0xFFFFFFFFu;

struct Parameter {
  std::string_view name;
  std::uint32_t offset = 0;  // of the logical name
  std::string_view type;     // `Type`, e.g. "String", "CommaDelimitedList"; empty if missing
  const Value* default_value = nullptr;  // `Default`, or nullptr
  const Value* node = nullptr;           // the whole declaration
};

struct ConditionDecl {
  std::string_view name;
  std::uint32_t offset = 0;
  const Value* expr = nullptr;  // the condition function (Fn::Equals, Fn::And, ...)
};

/// One `Fn::If` branch a value sits under: `condition` must evaluate to `branch`.
struct ConditionGuard {
  std::string_view condition;
  bool branch = true;
  bool operator==(const ConditionGuard&) const = default;
};

struct Resource {
  std::string_view logical_id;
  std::uint32_t offset = 0;  // of the logical ID key
  std::string_view type;     // `Type`; empty when missing (a load warning is raised)
  const Value* node = nullptr;        // the whole resource map
  const Value* properties = nullptr;  // `Properties`, or nullptr
  const Value* metadata = nullptr;    // `Metadata`, or nullptr
  std::string_view condition;         // `Condition`, or empty
  std::vector<std::string_view> depends_on;
  std::string_view cdk_path;          // `Metadata.aws:cdk:path`, or empty
  /// Set for resources produced by `Fn::ForEach` expansion: the loop's key (e.g.
  /// `Fn::ForEach::Endpoints`).
  std::string_view generated_by;
};

struct Output {
  std::string_view name;
  std::uint32_t offset = 0;
  const Value* node = nullptr;
};

enum class RefKind : std::uint8_t { kRef, kGetAtt, kSub, kDependsOn };
enum class TargetKind : std::uint8_t { kResource, kParameter, kPseudoParameter, kUnknown };

/// One edge of the reference graph.
struct Reference {
  std::uint32_t from = kNoIndex;  // resource index, or kNoIndex for a reference from Outputs
  /// Path of the referring value below the resource, e.g. `Properties.SecurityGroupIds[0]`,
  /// or `DependsOn[1]`, or for outputs `Outputs.Name.Value`.
  std::string path;
  const Value* node = nullptr;  // the `Ref` / `Fn::GetAtt` / `Fn::Sub` map (or DependsOn string)
  std::uint32_t offset = 0;     // where the reference is written
  RefKind kind = RefKind::kRef;
  std::string_view target;      // logical ID or parameter name as written
  std::string_view attribute;   // for GetAtt (and `${X.Attr}` in Sub): "GroupId"; else empty
  TargetKind target_kind = TargetKind::kUnknown;
  std::uint32_t target_index = kNoIndex;  // resource or parameter index
  /// The `Fn::If` branches between the resource and this reference, outermost first.
  std::vector<ConditionGuard> guards;
};

/// One `Fn::ImportValue` of the template, where it is written.
struct ImportSite {
  std::uint32_t from = kNoIndex;  // resource index, or kNoIndex in Outputs
  std::string path;               // as `Reference::path`
  const Value* node = nullptr;    // the `Fn::ImportValue` map
};

/// Parameter and pseudo parameter values given for one deployment of a template (`polc check
/// --parameter`, a parameter file, a deployment of `.polc.yaml`), as text. A `List<...>` or
/// `CommaDelimitedList` value is its comma-separated text, as in a parameter file.
struct DeploymentValues {
  std::string name;  // the deployment's name; empty for values given on the command line
  std::map<std::string, std::string, std::less<>> values;  // key: "Env", "AWS::Region", ...
  std::map<std::string, std::string, std::less<>> origin;  // key -> where it was given (a file)
};

class Template {
 public:
  const Document& document() const { return *doc_; }
  const SourceFile& file() const { return *doc_->file; }
  const Value* root() const { return doc_->root; }

  const std::vector<Parameter>& parameters() const { return parameters_; }
  const std::vector<ConditionDecl>& conditions() const { return conditions_; }
  const Value* mappings() const { return mappings_; }
  const std::vector<Resource>& resources() const { return resources_; }
  const std::vector<Output>& outputs() const { return outputs_; }
  const std::vector<Reference>& references() const { return references_; }
  /// Every `Fn::ImportValue` in resources and outputs, in document order.
  const std::vector<ImportSite>& imports() const { return imports_; }

  /// Index of the resource with `logical_id`, or kNoIndex.
  std::uint32_t find_resource(std::string_view logical_id) const;
  /// Index of the parameter `name`, or kNoIndex.
  std::uint32_t find_parameter(std::string_view name) const;
  /// The condition declaration `name`, or nullptr.
  const ConditionDecl* find_condition(std::string_view name) const;
  /// Indices of all resources whose `Type` equals `type`, in document order.
  const std::vector<std::uint32_t>& resources_of_type(std::string_view type) const;
  /// Indices into `references()` of the edges leaving resource `index`, in document order.
  const std::vector<std::uint32_t>& references_from(std::uint32_t index) const;
  /// Indices into `references()` of the edges pointing at resource `index`, in document order.
  const std::vector<std::uint32_t>& references_to(std::uint32_t index) const;
  /// True when the template declares `Transform: AWS::Serverless-2016-10-31` (or it is listed).
  bool is_sam() const { return sam_; }
  /// The values this template is checked with, or nullptr (every parameter free). Not owned;
  /// must outlive the checks of this template.
  const DeploymentValues* deployment() const { return deployment_; }
  /// A number no other Template of this process has (caches keyed by template use it: a new
  /// template can live at a freed one's address).
  std::uint64_t serial() const { return serial_; }
  void set_deployment(const DeploymentValues* d) { deployment_ = d; }

 private:
  friend class TemplateBuilder;
  std::unique_ptr<Document> doc_;
  std::vector<Parameter> parameters_;
  std::vector<ConditionDecl> conditions_;
  const Value* mappings_ = nullptr;
  std::vector<Resource> resources_;
  std::vector<Output> outputs_;
  std::vector<Reference> references_;
  std::vector<ImportSite> imports_;
  std::unordered_map<std::string_view, std::uint32_t> resource_by_id_;
  std::unordered_map<std::string_view, std::uint32_t> parameter_by_name_;
  std::unordered_map<std::string_view, std::uint32_t> condition_by_name_;  // the first of a name
  std::unordered_map<std::string_view, std::vector<std::uint32_t>> by_type_;
  std::vector<std::vector<std::uint32_t>> refs_from_;
  std::vector<std::vector<std::uint32_t>> refs_to_;
  bool sam_ = false;
  const DeploymentValues* deployment_ = nullptr;
  std::uint64_t serial_ = next_serial();
  static std::uint64_t next_serial();
};

/// True for CloudFormation pseudo parameters (`AWS::Region`, `AWS::NoValue`, ...).
bool is_pseudo_parameter(std::string_view name);

/// Normalizes `doc` in place (canonical intrinsics, `Fn::ForEach` expansion) and builds the
/// model. Problems (a resource without `Type`, a loop that cannot be expanded, a reference to
/// an unknown logical ID) are added to `diags` as warnings, located in the template. Returns
/// nullptr only when the root is not a map. Thread-safe on distinct documents.
std::unique_ptr<Template> build_template(std::unique_ptr<Document> doc, Diagnostics& diags);

}  // namespace polc
