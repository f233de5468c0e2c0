#include "engine/report/spool.h"

namespace polc::internal {

Spool::~Spool() {
  if (file_) std::fclose(file_);
}

void Spool::append(std::string_view bytes) {
  memory_.append(bytes);
  if (memory_.size() >= memory_bytes_ && !spill_failed_) spill();
}

void Spool::spill() {
  if (!file_) file_ = std::tmpfile();
  if (file_ && std::fwrite(memory_.data(), 1, memory_.size(), file_) == memory_.size() &&
      std::fflush(file_) == 0) {
    file_bytes_ += memory_.size();
    memory_.clear();
    return;
  }
  // No temporary file, or a full disk: the first `file_bytes_` bytes of the file stay valid
  // (`copy_to` reads back only those), the rest stays in memory, and the spool stops spilling.
  spill_failed_ = true;
}

bool Spool::copy_to(ReportSink& sink) {
  bool ok = true;
  if (file_) {
    std::rewind(file_);
    std::string chunk(64u << 10, '\0');
    std::uint64_t left = file_bytes_;
    while (left > 0) {
      const std::size_t want = left < chunk.size() ? static_cast<std::size_t>(left) : chunk.size();
      const std::size_t n = std::fread(chunk.data(), 1, want, file_);
      if (n == 0) {
        ok = false;  // the temporary file lost data: the section is incomplete
        break;
      }
      sink.write(std::string_view(chunk.data(), n));
      left -= n;
    }
    std::fclose(file_);
    file_ = nullptr;
  }
  sink.write(memory_);
  memory_.clear();
  file_bytes_ = 0;
  spill_failed_ = false;
  if (!ok) sink.set_failed();
  return ok;
}

}  // namespace polc::internal
