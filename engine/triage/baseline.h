// Baselines: accepting today's findings so CI fails only on new ones.
//
// `polc check --write-baseline FILE` records every unsuppressed finding by its fingerprint
// (engine/triage/fingerprint.h: policy id, file relative to the scan root, logical ID, property path;
// no line numbers, so edits elsewhere in a template keep a finding baselined). The file is JSON,
// entries sorted by file, policy id, resource, property path and fingerprint, so it diffs well:
//
//   {
//     "version": 1,
//     "tool": "polc",
//     "findings": [
//       {"fingerprint": "3f0c...", "policy_id": "POLC-NET-001", "policy": "vpce-sg-...",
//        "file": "net/endpoints.yaml", "resource": "EndpointSG", "path": ""}
//     ]
//   }
//
// `--baseline FILE` marks findings whose fingerprint is listed as baselined (reported, counted in
// `summary.baselined`, never failing), and returns the entries nothing matched: those were fixed.
// Only `fingerprint` is read back; the other fields are for people reading the file.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "engine/base/diagnostic.h"
#include "engine/base/finding.h"

namespace polc {

struct BaselineEntry {
  std::string fingerprint;
  std::string policy_id;
  std::string policy_name;
  std::string file;
  std::string resource;
  std::string property_path;
};

struct Baseline {
  std::string path;  // where it was read from (for diagnostics)
  std::vector<BaselineEntry> entries;
};

/// Renders the baseline document for the unsuppressed, unbaselined findings of `findings`
/// (whose `fingerprint` must be set), deduplicated by fingerprint and sorted as described above.
/// Ends with a newline. Pure; thread-safe.
std::string render_baseline(const std::vector<Finding>& findings);
/// The entry that records `f` (whose `fingerprint` must be set).
BaselineEntry baseline_entry(const Finding& f);
/// Renders the baseline document for `entries`, deduplicated by fingerprint and sorted as
/// above (what `render_baseline` does after picking the findings). Pure; thread-safe.
std::string render_baseline_entries(std::vector<BaselineEntry> entries);

/// Parses a baseline document. `path` names it in diagnostics. Returns false, with an error in
/// `diags`, when it is not valid JSON of the shape above (unknown members are ignored, so newer
/// files stay readable; a missing or non-string `fingerprint` is an error).
bool parse_baseline(std::string_view json, const std::string& path, Baseline& out,
                    Diagnostics& diags);

/// Reads and parses the baseline at `path` (at most `kMaxBaselineBytes`).
bool load_baseline(const std::string& path, Baseline& out, Diagnostics& diags);

/// Marks each unsuppressed finding whose fingerprint `baseline` lists as `baselined`. Returns
/// the entries that matched no finding at all (suppressed ones count as matches: the problem is
/// still there). The caller decides which of those are "fixed" (e.g. only entries of files and
/// policies that were part of this run). Pure apart from `findings`.
std::vector<BaselineEntry> apply_baseline(const Baseline& baseline, std::vector<Finding>& findings);

/// `apply_baseline` for a scan that streams: `apply` to each file's findings as they come; the
/// entries of a file that nothing matched are known as soon as that file is done. Holds a
/// reference to `baseline`; memory is the baseline's size. Not thread-safe.
class BaselineMatcher {
 public:
  explicit BaselineMatcher(const Baseline& baseline);
  /// Marks the unsuppressed findings the baseline lists as `baselined`.
  void apply(std::vector<Finding>& findings);
  /// The entries of `file` (normalized, as entries record it) that nothing has matched yet.
  std::vector<BaselineEntry> unmatched_in(std::string_view file) const;
  /// Every entry nothing has matched yet.
  std::vector<BaselineEntry> unmatched() const;

 private:
  const Baseline& baseline_;
  std::unordered_map<std::string_view, std::size_t> by_fingerprint_;  // first entry index
  std::unordered_multimap<std::string_view, std::size_t> by_file_;
  std::unordered_set<std::string_view> matched_;
};

/// A note diagnostic telling that `entry` of the baseline at `baseline_path` no longer matches a
/// finding, so it was fixed and can be dropped by writing the baseline again.
Diagnostic fixed_baseline_note(const BaselineEntry& entry, const std::string& baseline_path);

}  // namespace polc
