// Templates loaded once, used twice: the link index pass (engine/load/stack_links.h) has to
// parse every template that may link to another before the scan starts; the scan would parse
// each of them again. The index pass offers those the scan will check to a `TemplateStash`,
// and the scan takes a template from it instead of reading and parsing its file.
//
// Memory is bounded: the stash holds at most `kMaxStashedTemplateBytes` of templates (their
// arena and source bytes). A template offered past that is refused and the scan loads it as
// before; either way the outcome is the same, because it is the same `load_template_read` of
// the same bytes.
#pragma once
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/load/loader.h"

namespace polc {

/// Bytes of loaded templates `polc check` lets the link index pass keep for the scan. Past this,
/// templates are dropped after indexing and parsed again by the scan (the outcome is the same).
/// A loaded template is charged its arena and source bytes (`TemplateStash::charge`). The 386
/// templates of the 5,160-template corpus that can link (5.4 MB of source) are charged between
/// 8 and 16 MiB and add 18 MB to peak RSS when all are kept: the whole pack then peaked at
/// 103 MB, over the 100 MB goal (most of the rest is the condition solver's node table). 8 MiB
/// keeps about half of them (the headline run's instructions 4.32 G -> 3.68 G instead of
/// 3.34 G) for 7 MB of peak RSS. Not a bound on input: a memory budget.
inline constexpr std::size_t kMaxStashedTemplateBytes = 8u << 20;

/// Thread-safe: the index pass's workers offer and the scan's workers take concurrently.
class TemplateStash {
 public:
  explicit TemplateStash(std::size_t budget_bytes);
  /// Keeps `lr` for `path` (as the scan will name it) when it fits in the budget; false (and
  /// `lr` unchanged) when it does not, or when `path` is already kept.
  bool offer(const std::string& path, LoadResult& lr);
  /// True when a template for `path` is kept.
  bool contains(const std::string& path) const;
  /// Moves the template kept for `path` into `out` and frees its share of the budget; false
  /// when none is kept.
  bool take(const std::string& path, LoadResult& out);
  /// Bytes of the templates kept now.
  std::size_t bytes() const;

  /// What a loaded template is charged: its arena and its source bytes. Pure.
  static std::size_t charge(const LoadResult& lr);

 private:
  struct Entry {
    LoadResult result;
    std::size_t bytes = 0;
  };
  mutable std::mutex mutex_;
  std::size_t budget_;
  std::size_t used_ = 0;
  std::unordered_map<std::string, Entry> kept_;
};

}  // namespace polc
