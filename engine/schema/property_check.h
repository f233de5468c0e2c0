// `polc check --check-properties`: template properties that their resource type's schema does
// not have (`SecurityGroupEgres:` silently drops the egress its author meant to declare;
// CloudFormation rejects unknown properties only at deploy time).
//
// Walks each resource's `Properties` with the schema (engine/schema/schema.h): nested property
// types, list items and both branches of `Fn::If`; stops at other intrinsic functions (their
// value is computed), at free-form properties (json, map keys) and at resources of unknown or
// open types (Custom::*, third-party, modules). Thread-safe over distinct outputs.
#pragma once
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/schema/schema.h"
#include "engine/model/template.h"

namespace polc {

/// Appends a warning (code `unknown-property`, at the property's key, with a did-you-mean)
/// to `out` for each property of `tmpl` that its type's schema lacks.
void check_template_properties(const Template& tmpl, const schema::SchemaSet& schemas, std::vector<Diagnostic>& out);

}  // namespace polc
