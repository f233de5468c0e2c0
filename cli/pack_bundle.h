// The standard pack (stdlib/ and policies/), compiled at build time into a bundle
// (engine/program/bundle.h) that is part of the `polc` binary, so that a plain `polc check`
// loads it instead of parsing, checking and compiling 193 policies on every run.
//
// The build makes it in two steps (CMakeLists.txt): a bootstrap binary, `polc_boot`, without
// it, runs `polc_boot compile` over an empty directory (the built-in pack alone), and
// cmake/embed_bundle.cmake puts the bytes into `polc` with `.incbin`.
#pragma once
#include <string_view>

namespace polc::cli {

/// The bundle's bytes: static, immutable, thread-safe. Empty in `polc_boot`, which compiles
/// the pack from its sources instead.
std::string_view embedded_pack_bundle();

}  // namespace polc::cli
