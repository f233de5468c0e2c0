// Outcomes held back in order (internal to engine/scan): `scan_linked` checks every file in
// one pass but may pass no outcome on before the pass is over, because any later file may
// import from an earlier one or name it as its nested template (engine/load/stack_links.h).
//
// Up to a memory budget (`kHeldOutcomeMemoryBytes`) the outcomes stay as they are, moved in
// and out; past it each further outcome is serialized (engine/scan/outcome_codec.h) to an
// anonymous temporary file (`std::tmpfile`, removed when closed), so memory stays bounded
// however many files and findings a run has. If no temporary file can be created or written,
// the rest stays in memory (the scan still completes; memory is then no longer bounded). If
// the file cannot be read back, `pop` gives, instead of its outcomes, one failed outcome for
// the path "<temporary file>" whose error says how many were lost: the run fails rather than
// pass in silence.
//
// All `push`es come before the first `pop` (the pass, then the reports). Not thread-safe: the
// scan calls it from one thread at a time.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <string>

#include "engine/base/limits.h"
#include "engine/scan/scanner.h"

namespace polc::internal {

/// One file's outcome from the pass, and what its final outcome needs besides.
struct HeldOutcome {
  std::string path;  // as the source named it
  FileOutcome outcome;
  /// With a result cache: the lookup's key ("" when there was no lookup) and whether it hit.
  /// A miss is stored under the key once the outcome is final.
  std::string cache_key;
  bool cache_hit = false;
  /// The file was read: it may be checked again if the plan links it.
  bool read = false;
};

class HeldOutcomes {
 public:
  explicit HeldOutcomes(std::size_t memory_bytes = kHeldOutcomeMemoryBytes)
      : memory_bytes_(memory_bytes) {}
  ~HeldOutcomes();
  HeldOutcomes(const HeldOutcomes&) = delete;
  HeldOutcomes& operator=(const HeldOutcomes&) = delete;

  /// Appends `h` (moved from).
  void push(HeldOutcome&& h);
  /// Takes the oldest outcome into `out`; false when none is left.
  bool pop(HeldOutcome& out);
  /// Outcomes pushed and not yet popped.
  std::size_t size() const { return memory_.size() + file_records_ + tail_.size(); }
  /// True when some outcomes went to the temporary file.
  bool spilled() const { return file_ != nullptr; }

  /// What `h` is charged against the budget: its approximate bytes (the objects and the heap
  /// blocks of their strings). Pure.
  static std::size_t charge(const HeldOutcome& h);

 private:
  std::size_t memory_bytes_;
  std::size_t used_ = 0;  // charge of the outcomes in memory
  std::deque<HeldOutcome> memory_;
  std::FILE* file_ = nullptr;     // the outcomes after those in memory, serialized
  std::deque<HeldOutcome> tail_;  // after the file's, once writing to it failed
  std::size_t file_records_ = 0;  // records in the file not yet popped
  bool spill_failed_ = false;     // no more spilling: the rest stays in memory
  bool reading_ = false;          // the file is rewound for reading
  bool lost_ = false;             // reading the file back failed
  std::string record_;            // one record, reused
};

}  // namespace polc::internal
