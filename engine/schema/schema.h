// Resource schemas: what CloudFormation resource types exist, their properties (with types,
// nested property types, required/deprecated/read-only flags) and the attributes `Fn::GetAtt`
// can read. The checker (dsl/checker.cpp) uses them to reject policies that read what no
// template can have; `polc explain TYPE` and `polc doc` print them; `--check-properties`
// checks templates' property names against them.
//
// Source of the facts: AWS's resource provider schemas and the CloudFormation and SAM
// specifications, as compiled by the npm package @aws-cdk/aws-service-spec (Apache-2.0) and
// the SAM models of aws-sam-translator (Apache-2.0), turned into `data/schemas/resource-types.txt`
// by `scripts/update-schemas.py` (format documented there) and embedded in the binary. The
// table is read in place: a lookup binary-searches the sorted text (no decoding, no index
// built at start-up; only the pages a lookup touches are read).
//
// A project adds schemas of its own types (or replaces AWS's) with `.polc.yaml`
// `schemas: [dir/]`: every `*.json` file of the directory in the AWS resource provider schema
// format (typeName, properties, definitions, readOnlyProperties, deprecatedProperties).
//
// Types are open (never checked) when the table cannot know them: `Custom::*` and
// `AWS::CloudFormation::CustomResource`, types outside the `AWS::` and `Alexa::` namespaces
// (third-party registry types), module types (`...::MODULE`), unless an overlay defines them.
//
// Thread-safety: a `SchemaSet` is built by one thread, then read-only (all const methods are
// safe to call concurrently). `Field`, `TypeRef` and `ResourceSchema` hold views into the
// set's storage (the embedded table or an overlay's text) and live as long as the set.
#pragma once
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"

namespace polc::schema {

/// A property, nested field or attribute. `type` is a type expression: `string`, `integer`,
/// `number`, `boolean`, `timestamp`, `json` (free form), `tag` ({Key, Value}), `@Def` (a
/// nested type of the same resource), `[T]` (list), `{T}` (map with free keys), `A|B`.
struct Field {
  std::string_view name;
  std::string_view type;
  bool required = false;
  bool deprecated = false;
  bool read_only = false;
};

/// One resource type's block of the table (or of an overlay).
class ResourceSchema {
 public:
  ResourceSchema(std::string_view name, std::string_view block) : name_(name), block_(block) {}
  std::string_view name() const { return name_; }
  /// `Properties.*` of the type, sorted by name.
  std::vector<Field> properties() const;
  /// Attributes `Fn::GetAtt` can read (dotted names for nested ones), sorted by name.
  std::vector<Field> attributes() const;
  /// Fields of the nested type `def` (without the `@`); empty when there is none.
  std::vector<Field> definition(std::string_view def) const;
  /// Whether the nested type `def` exists.
  bool has_definition(std::string_view def) const;

 private:
  std::vector<Field> records(char tag, std::string_view def) const;
  std::string_view name_;
  std::string_view block_;
};

/// A point in a resource's type tree: `type` is a type expression, or "@" for the resource's
/// `Properties` map itself.
struct TypeRef {
  const ResourceSchema* owner = nullptr;
  std::string_view type;
};

/// The result of reading `.name` from values of the given types.
struct FieldLookup {
  enum Result {
    kFound,    // `types` are the field's types
    kOpen,     // free-form (json, map keys): nothing is known below
    kMissing,  // no input type has the field; `candidates` are the names they have
  } result = kOpen;
  std::vector<TypeRef> types;
  std::vector<std::string_view> candidates;
  bool deprecated = false;      // deprecated in every input that has it
  bool read_only = false;       // only an attribute (never written in a template)
  bool on_scalar = false;       // kMissing because the values are strings, numbers or booleans
};

/// Reads field `name` of values typed `in` (a list maps over its items; a union reads
/// every member). kOpen when any input is free-form.
FieldLookup lookup_field(std::span<const TypeRef> in, std::string_view name);
/// The types of an item (`x[i]`, `x[*]`): list and map elements; kOpen (empty) otherwise.
std::vector<TypeRef> element_types(std::span<const TypeRef> in);

class SchemaSet {
 public:
  SchemaSet();
  ~SchemaSet();
  SchemaSet(SchemaSet&&) noexcept;
  SchemaSet& operator=(SchemaSet&&) noexcept;

  /// The embedded table alone (built once, shared; never modified).
  static const SchemaSet& builtin();

  /// Adds every `*.json` file of `dir` (sorted, not recursive) as a resource schema in the AWS
  /// provider schema format; an overlay type replaces the table's type of the same name. A
  /// file that does not parse, lacks `typeName` or has the wrong shape is an error naming the
  /// file and position; the other files still load. Returns false when any error was added.
  bool add_overlay_dir(const std::string& dir, Diagnostics& diags);
  /// Adds one overlay schema from JSON text (`path` names it in messages).
  bool add_overlay(const std::string& path, std::string text, Diagnostics& diags);

  /// The schema of `type`, or nullptr when unknown (or open).
  const ResourceSchema* find(std::string_view type) const;
  /// Whether `type` is one the table cannot know (see the file comment): never an error.
  bool is_open(std::string_view type) const;
  /// Known type names matching `pattern` (`*` matches any run of characters).
  std::vector<std::string_view> match(std::string_view pattern) const;
  /// Every known type name, sorted (reads the whole table: for suggestions and listings).
  std::vector<std::string_view> type_names() const;
  /// "@aws-cdk/aws-service-spec 0.1.216 ..." from the table's header.
  std::string source() const;
  std::size_t table_bytes() const;
  /// The overlays' converted text, in load order (for cache keys): empty without overlays.
  std::string overlay_digest() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The closest of `candidates` to `word` (case-insensitive edit distance within a third of its
/// length, at least 2), or empty.
std::string_view did_you_mean(std::string_view word, std::span<const std::string_view> candidates);

/// A type expression for people: `list<Rule>`, `map<string>`, `string | Rule`, `json (free form)`.
std::string describe_type(std::string_view type);

/// The AWS reference page of a resource type (CloudFormation User Guide, or the SAM
/// developer guide for AWS::Serverless::*); empty for open types.
std::string reference_url(std::string_view type);

}  // namespace polc::schema
