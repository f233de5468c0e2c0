// Policy header helpers: kebab-case policy names and the values of header attributes
// (is_known_attribute is in dsl/checker.h).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.h"

namespace polc {

/// Whether `s` is a kebab-case policy name (like 'my-policy-name').
bool is_kebab(std::string_view s);

/// Folds the lines of a long text into paragraphs: single newlines become spaces, blank lines
/// separate paragraphs (descriptions written as indented `"""` blocks read as one line).
std::string fold_text(const std::string& s);

/// The header attribute `key` of `p` as text: a string (folded) or a bare name; empty when absent.
std::string attr_string(const ast::Policy& p, std::string_view key);

/// The string items of the list attribute `key` of `p` (`tags`, `aliases`); empty when absent.
std::vector<std::string> attr_list(const ast::Policy& p, std::string_view key);

}  // namespace polc
