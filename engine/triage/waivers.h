// Central waivers: suppressions kept outside the templates, in a waiver file or in the
// `waivers` key of `.polc.yaml`, for teams that cannot (or do not want to) edit templates.
//
//   waivers:
//     - rule: vpce-sg-no-implicit-egress   # policy id or name
//       path: "legacy/**/*.yaml"           # glob over the template path (engine/scan/discovery.h)
//       resource: LegacyEndpointSG         # optional logical ID
//       reason: migrated by Q3, ticket NET-42
//       expires: 2025-09-30                # optional, YYYY-MM-DD, inclusive
//
// A waiver file is either that list or a map with a `waivers` key. Waivers are applied after
// the inline suppressions of templates (which win when both match, so the reason shown is the
// one closest to the code) and independently of `--no-inline-suppressions`. A waiver whose
// `expires` date has passed stops suppressing and is reported as a warning located at the
// waiver, so an expiring exception surfaces in CI instead of silently living on. "Today" is a
// parameter, so tests never depend on the real date.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/finding.h"
#include "engine/base/scan_result.h"
#include "engine/base/source_file.h"
#include "engine/model/value.h"

namespace polc {

/// A calendar date (proleptic Gregorian), compared field by field.
struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const CivilDate&) const = default;
};

/// Parses `YYYY-MM-DD` (exactly that shape, a real calendar day). Returns false otherwise.
bool parse_civil_date(std::string_view text, CivilDate& out);
/// Formats `d` as `YYYY-MM-DD`.
std::string format_civil_date(const CivilDate& d);
/// Today's date in UTC, from the system clock. Thread-safe.
CivilDate today_utc();

struct Waiver {
  std::string rule;      // policy id or name
  std::string path;      // glob over the template path relative to the scan root
  std::string resource;  // logical ID; empty: every resource (and template-level findings)
  std::string reason;    // required, shown with suppressed findings
  std::optional<CivilDate> expires;  // last day the waiver applies; none: never expires
  Location location;                 // where the waiver is written (for diagnostics)
};

/// Reads the waivers of `node` (a list of waiver maps, or a map with a `waivers` list) written
/// in `file`, appending them to `out`. Unknown keys, missing `rule`/`path`/`reason` and malformed
/// dates are errors located at the offending key or entry; such entries are dropped. Returns
/// false when any error was added.
bool parse_waivers(const SourceFile& file, const Value* node, std::vector<Waiver>& out,
                   Diagnostics& diags);

/// Reads a waiver file (YAML, or JSON by the `.json` extension) and appends its waivers to
/// `out`. Returns false, with errors in `diags`, when it cannot be read or has errors.
bool load_waiver_file(const std::string& path, std::vector<Waiver>& out, Diagnostics& diags);

/// Applies `waivers` to `findings`: each unsuppressed finding matched by an unexpired waiver
/// (same policy id or name, `path` glob matching the finding's normalized file path, same
/// resource when given) becomes suppressed with source "waiver" and the waiver's reason.
/// Appends to `diags` one warning (`waiver-expired`) per expired waiver, saying how many findings
/// it would have matched, and one warning (`waiver-unknown-rule`) per waiver naming no policy of
/// `known`. `today` decides expiry (a waiver expires the day after `expires`). Pure apart from
/// its outputs; thread-safe on distinct outputs.
void apply_waivers(const std::vector<Waiver>& waivers, const CivilDate& today,
                   const std::vector<PolicyInfo>& known, std::vector<Finding>& findings,
                   std::vector<Diagnostic>& diags);

/// `apply_waivers` for a scan that streams: `apply` to each file's findings as they come, then
/// `finish` once for the warnings (the expired waivers' counts cover every `apply`). Keeps only
/// the waivers and their counts; holds references to `waivers` and `known`. Not thread-safe.
class WaiverApplier {
 public:
  WaiverApplier(const std::vector<Waiver>& waivers, const CivilDate& today,
                const std::vector<PolicyInfo>& known);
  void apply(std::vector<Finding>& findings);
  void finish(std::vector<Diagnostic>& diags) const;

 private:
  const std::vector<Waiver>& waivers_;
  CivilDate today_;
  const std::vector<PolicyInfo>& known_;
  std::vector<std::size_t> expired_hits_;
};

}  // namespace polc
