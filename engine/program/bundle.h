// Bundles: a compiled `PolicySet` saved to a file (`polc compile policies/ -o policies.polcb`)
// and loaded by `polc check` instead of policy sources.
//
// Format (little-endian): the magic "POLCBNDL", the bundle format version, polc's version
// string, the builtin table size, then the sources, globals, chunks (code, source map,
// constant pool) and policies (metadata, subject rules, report sites), and last the SHA-256 of
// everything before it (`kBundleDigestBytes`). A bundle is untrusted input: `load_bundle`
// checks the digest first (any changed byte is a load error), bounds-checks every read, rejects a different polc version or format
// with a clear error, and runs `verify_policy_set` before returning, so a corrupted or crafted
// bundle is rejected, never executed.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "engine/program/bytecode.h"

namespace polc {

/// Version of the bundle layout; bump on any change to the format or to the meaning of opcodes.
inline constexpr std::uint32_t kBundleFormatVersion = 2;
/// Bytes of the SHA-256 trailer of a bundle (the digest of all bytes before it).
inline constexpr std::size_t kBundleDigestBytes = 32;
/// Version of the bytecode (opcodes.def and builtins.def semantics), printed by `polc --version`.
inline constexpr std::uint32_t kBytecodeVersion = 1;

/// Serializes `set` (frozen or not). Deterministic: the same set gives the same bytes.
std::string save_bundle(const PolicySet& set);

/// Parses and verifies a bundle. Returns nullptr and sets `error` (one sentence saying what to
/// do next) when the bytes are not a valid bundle of this polc version. The returned set is
/// not frozen. Thread-safe.
std::unique_ptr<PolicySet> load_bundle(std::string_view bytes, std::string& error);

/// Where a bundle's bytes come from. `kFile`: a file, untrusted (the digest is checked).
/// `kEmbedded`: the standard pack compiled into polc's own executable at build time, whose
/// digest `polc_tests` checks once (a change to those bytes is a change to the program, which a
/// digest inside it cannot detect); the digest is then not computed at every run, which was
/// half of the start-up instructions of `polc check`. Every other check still runs.
enum class BundleOrigin { kFile, kEmbedded };
std::unique_ptr<PolicySet> load_bundle(std::string_view bytes, std::string& error,
                                       BundleOrigin origin);

}  // namespace polc
