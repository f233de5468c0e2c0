#include "engine/internal/spool.h"

namespace polc::internal {

Spool::~Spool() {
  if (file_) std::fclose(file_);
}

void Spool::append(std::string_view bytes) {
  size_ += bytes.size();
  if (!file_ && memory_.size() + bytes.size() > memory_bytes_) {
    file_ = std::tmpfile();
    if (file_ && std::fwrite(memory_.data(), 1, memory_.size(), file_) == memory_.size()) {
      memory_.clear();
      memory_.shrink_to_fit();
    } else if (file_) {  // the temporary file is unusable: stay in memory
      std::fclose(file_);
      file_ = nullptr;
    }
  }
  if (file_ && !file_failed_) {
    const std::size_t n = std::fwrite(bytes.data(), 1, bytes.size(), file_);
    if (n == bytes.size()) return;
    // A full disk mid-report: keep what was written, continue in memory after it.
    file_failed_ = true;
    bytes.remove_prefix(n);
  }
  memory_.append(bytes);
}

void Spool::copy_to(ReportSink& sink) {
  if (file_) {
    std::fflush(file_);
    std::rewind(file_);
    std::string chunk(64u << 10, '\0');
    std::size_t n;
    while ((n = std::fread(chunk.data(), 1, chunk.size(), file_)) > 0)
      sink.write(std::string_view(chunk.data(), n));
    std::fclose(file_);
    file_ = nullptr;
    file_failed_ = false;
  }
  sink.write(memory_);
  memory_.clear();
  size_ = 0;
}

}  // namespace polc::internal
