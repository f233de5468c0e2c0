// The stdlib and the standard policy pack, embedded in the binary at build time by
// cmake/embed.cmake from `stdlib/**/*.polc` and `policies/**/*.polc`.
#pragma once
#include <string_view>
#include <vector>

namespace polc {

struct EmbeddedSource {
  std::string_view path;  // relative to the repository root, e.g. "stdlib/ec2.polc"
  std::string_view text;
};

/// Every embedded source, sorted by path. Immutable; thread-safe.
const std::vector<EmbeddedSource>& embedded_sources();

}  // namespace polc
