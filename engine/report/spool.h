// Spool: bytes a streaming report writes now and copies into the output later (a section that
// comes after data only known at the end of the scan, such as the JSON `errors` after the
// findings or the SARIF `results` after the exit code). Up to `kReportSpoolMemoryBytes` stay in
// memory; past that they are written to an anonymous temporary file (`std::tmpfile`, removed
// when closed), so a report of any size needs bounded memory. Every write to the file is
// flushed and checked: if no temporary file can be created, or the disk fills, only what was
// written before is read back and the rest stays in memory (the report is still complete; memory
// is no longer bounded). If reading the file back fails, `copy_to` marks the sink failed. Not
// thread-safe; owned by one report writer.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "engine/base/limits.h"
#include "engine/report/report.h"

namespace polc::internal {

class Spool {
 public:
  explicit Spool(std::size_t memory_bytes = kReportSpoolMemoryBytes)
      : memory_bytes_(memory_bytes) {}
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  void append(std::string_view bytes);
  /// Writes everything appended so far to `sink`, in order, and empties the spool. Returns
  /// false, and calls `sink.set_failed()`, when the temporary file could not be read back.
  bool copy_to(ReportSink& sink);
  /// Bytes appended since the last `copy_to`.
  std::uint64_t size() const { return file_bytes_ + memory_.size(); }
  /// True when the content went to a temporary file.
  bool spilled() const { return file_bytes_ > 0; }

 private:
  /// Moves `memory_` to the temporary file.
  void spill();

  std::size_t memory_bytes_;
  std::string memory_;  // the bytes after the file's
  std::FILE* file_ = nullptr;
  std::uint64_t file_bytes_ = 0;  // bytes written to `file_` and flushed
  bool spill_failed_ = false;     // no more spilling: the rest stays in memory
};

}  // namespace polc::internal
