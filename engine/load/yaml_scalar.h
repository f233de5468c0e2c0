// YAML 1.1 scalar resolution as PyYAML (and so cfn-lint and CloudFormation) performs it.
//
// A plain, untagged scalar is typed by PyYAML's implicit resolvers: booleans
// (`yes/no/true/false/on/off` in lower, Capitalized or UPPER case; never `y`/`n`), null
// (`~`, `null`, `Null`, `NULL`, empty), integers (decimal, `0x` hex, `0b` binary, leading-zero
// octal, `_` separators) and floats (a dot is required; an exponent needs a sign; `.inf`,
// `.nan`). Deliberate differences from PyYAML, all of which keep the text as a string:
// sexagesimal numbers (`1:30`), timestamps (`2010-09-09`) and integers that overflow int64.
// Pure functions; thread-safe.
#pragma once
#include <cstdint>
#include <string_view>

namespace polc::internal {

/// The typed reading of one scalar's text.
struct ScalarType {
  enum Kind : std::uint8_t { kString, kNull, kBool, kInt, kFloat } kind = kString;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0;
};

/// Resolves a plain, untagged scalar `text` with PyYAML's YAML 1.1 implicit resolvers.
ScalarType resolve_plain_scalar(std::string_view text);

/// Matches `text` against PyYAML's bool resolver (`yes`, `On`, `FALSE`, ...). Sets `value`.
bool parse_yaml_bool(std::string_view text, bool& value);
/// Matches `text` against PyYAML's null resolver (`~`, `null`, `Null`, `NULL`, empty).
bool is_yaml_null(std::string_view text);
/// Matches and converts a YAML 1.1 integer. False when `text` is not one, is sexagesimal, or
/// does not fit int64.
bool parse_yaml_int(std::string_view text, std::int64_t& value);
/// Matches and converts a YAML 1.1 float (PyYAML's regex: a dot is required). False otherwise.
bool parse_yaml_float(std::string_view text, double& value);

}  // namespace polc::internal
