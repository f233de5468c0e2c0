// Policy header helpers: kebab-case policy names (is_known_attribute is in dsl/checker.h).
#pragma once
#include <string_view>

namespace polc {

/// Whether `s` is a kebab-case policy name (like 'my-policy-name').
bool is_kebab(std::string_view s);

}  // namespace polc
