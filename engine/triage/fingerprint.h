// Finding fingerprints: a stable identity for "the same problem" across runs, used by baselines,
// SARIF `partialFingerprints` and the JSON report.
//
// A fingerprint is FNV-1a 64 over a version tag and the four identifying fields, each followed by
// a 0xFF byte (which never occurs in UTF-8, so no two field lists hash the same input). Line and
// column are deliberately left out: editing a template above a resource must not turn its known
// findings into new ones. The hash is implemented here (not `std::hash`, whose values differ
// between standard libraries and releases), so fingerprints are stable across platforms and
// versions of polc; changing the scheme requires a new version tag (see docs/json-report.md).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace polc {

/// FNV-1a 64-bit offset basis and prime (http://www.isthe.com/chongo/tech/comp/fnv/).
inline constexpr std::uint64_t kFnv64Offset = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t kFnv64Prime = 0x100000001b3ULL;

/// Feeds `bytes` into the FNV-1a 64 state `h` and returns the new state.
std::uint64_t fnv1a64(std::uint64_t h, std::string_view bytes);

/// Normalizes a template path for fingerprinting and reports: backslashes become `/`, leading
/// `./` segments and repeated slashes are dropped. Purely lexical; never touches the filesystem.
std::string normalize_report_path(std::string_view path);

/// Returns the fingerprint of a finding as 16 lowercase hex digits. `relative_file` is the
/// template path relative to the scan root (it is passed through `normalize_report_path`, so
/// `./a\b.yaml` and `a/b.yaml` agree); `logical_id` is the resource's logical ID ("" for
/// template-level findings); `property_path` is e.g. "Properties.SecurityGroupEgress". Pure and
/// thread-safe.
std::string compute_fingerprint(std::string_view policy_id, std::string_view relative_file,
                                std::string_view logical_id, std::string_view property_path);

}  // namespace polc
