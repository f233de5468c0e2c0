// Spool: bytes a streaming report writes now and copies into the output later (a section that
// comes after data only known at the end of the scan, such as the JSON `errors` after the
// findings or the SARIF `results` after the exit code). Up to `kReportSpoolMemoryBytes` stay in
// memory; past that the spool moves to an anonymous temporary file (`std::tmpfile`, removed
// when closed), so a report of any size needs bounded memory. If no temporary file can be
// created the spool keeps growing in memory: the report is still complete and correct. Not
// thread-safe; owned by one report writer.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "engine/limits.h"
#include "engine/report.h"

namespace polc::internal {

class Spool {
 public:
  explicit Spool(std::size_t memory_bytes = kReportSpoolMemoryBytes)
      : memory_bytes_(memory_bytes) {}
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  void append(std::string_view bytes);
  /// Writes everything appended so far to `sink`, in order, and empties the spool.
  void copy_to(ReportSink& sink);
  /// Bytes appended since the last `copy_to`.
  std::uint64_t size() const { return size_; }
  /// True when the content went to a temporary file.
  bool spilled() const { return file_ != nullptr; }

 private:
  std::size_t memory_bytes_;
  std::string memory_;
  std::FILE* file_ = nullptr;
  bool file_failed_ = false;  // a write to `file_` failed; the rest is in `memory_`
  std::uint64_t size_ = 0;
};

}  // namespace polc::internal
