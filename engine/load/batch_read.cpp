#include "engine/load/batch_read.h"

#include <fcntl.h>
#include <liburing.h>
#include <sys/uio.h>

#include <cerrno>

namespace polc::internal {
namespace {

// The operations of one file, in `user_data` (file index << 2 | operation).
enum Op : std::uint64_t { kOpen = 0, kRead = 1, kReadEnd = 2, kClose = 3 };
constexpr unsigned kOpsPerFile = 4;

}  // namespace

struct BatchReader::Ring {
  io_uring ring{};
  bool ready = false;
  ~Ring() {
    if (ready) io_uring_queue_exit(&ring);
  }
};

BatchReader::BatchReader(bool use_io_uring) {
  if (!use_io_uring) return;
  auto r = std::make_unique<Ring>();
  if (io_uring_queue_init(kBatchReadFiles * kOpsPerFile, &r->ring, 0) != 0) return;
  r->ready = true;
  // One fixed file slot per file of a batch: `openat` installs the file there, `read` and
  // `close` name the slot, so the three can be linked without knowing a descriptor.
  if (io_uring_register_files_sparse(&r->ring, kBatchReadFiles) != 0) return;
  io_uring_probe* probe = io_uring_get_probe_ring(&r->ring);
  const bool supported = probe && io_uring_opcode_supported(probe, IORING_OP_OPENAT) &&
                         io_uring_opcode_supported(probe, IORING_OP_READ) &&
                         io_uring_opcode_supported(probe, IORING_OP_CLOSE);
  if (probe) io_uring_free_probe(probe);
  if (!supported) return;
  ring_ = std::move(r);
}

BatchReader::~BatchReader() = default;

void BatchReader::disable(bool in_flight) {
  // Operations the kernel accepted may still write into the buffers after the ring is gone
  // (its teardown is asynchronous): then the buffers are left allocated, on purpose, once.
  if (in_flight) static_cast<void>(buffers_.release());
  ring_.reset();
}

void BatchReader::read(std::span<const std::string* const> paths) {
  count_ = paths.size() <= kBatchReadFiles ? paths.size() : 0;
  for (std::size_t i = 0; i < count_; ++i) lengths_[i] = -1;
  if (!ring_ || count_ == 0) return;
  // The slots, then one byte per file for the second read.
  if (!buffers_)
    buffers_ = std::make_unique_for_overwrite<char[]>(kBatchReadFiles * (kBatchReadSlotBytes + 1));
  char* const probes = buffers_.get() + kBatchReadFiles * kBatchReadSlotBytes;
  io_uring* ring = &ring_->ring;
  for (std::size_t i = 0; i < count_; ++i) {
    const auto slot = static_cast<unsigned>(i);
    // Non-blocking: a FIFO without a writer must not hang the open (its read then fails, and the
    // ordinary path says what it is). No O_CLOEXEC: a fixed slot is not a descriptor.
    io_uring_sqe* open = io_uring_get_sqe(ring);
    io_uring_prep_openat_direct(open, AT_FDCWD, paths[i]->c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY,
                                0, slot);
    open->flags |= IOSQE_IO_LINK;  // no file, no read or close
    io_uring_sqe_set_data64(open, i << 2 | kOpen);
    // Offset -1: from the file position, so that the second read continues where the first
    // stopped. Only a second read that finds nothing proves the end of the file (a device can
    // return less than asked and still have more).
    io_uring_sqe* rd = io_uring_get_sqe(ring);
    io_uring_prep_read(rd, static_cast<int>(slot), buffers_.get() + i * kBatchReadSlotBytes,
                       kBatchReadSlotBytes, static_cast<std::uint64_t>(-1));
    // A short read counts as a failure for links: hard links run the rest all the same.
    rd->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
    // Never wait: io_uring would otherwise wait for data on a pipe (a file swapped for a FIFO
    // after its directory was listed) however it was opened. A file whose pages are not in
    // memory also fails here, and the ordinary path reads it.
    rd->rw_flags = RWF_NOWAIT;
    io_uring_sqe_set_data64(rd, i << 2 | kRead);
    io_uring_sqe* end = io_uring_get_sqe(ring);
    io_uring_prep_read(end, static_cast<int>(slot), probes + i, 1, static_cast<std::uint64_t>(-1));
    end->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
    end->rw_flags = RWF_NOWAIT;
    io_uring_sqe_set_data64(end, i << 2 | kReadEnd);
    io_uring_sqe* close = io_uring_get_sqe(ring);
    io_uring_prep_close_direct(close, slot);
    io_uring_sqe_set_data64(close, i << 2 | kClose);
  }
  const unsigned expected = static_cast<unsigned>(count_) * kOpsPerFile;
  int submitted = io_uring_submit(ring);
  while (submitted == -EINTR) submitted = io_uring_submit(ring);
  if (submitted != static_cast<int>(expected)) {
    // Operations that went in complete into a ring nobody reads again; the rest are dropped.
    disable(submitted > 0);
    return;
  }
  bool at_end[kBatchReadFiles] = {};
  unsigned seen = 0;
  while (seen < expected) {
    io_uring_cqe* cqe = nullptr;
    const int rc = io_uring_wait_cqe(ring, &cqe);
    if (rc == -EINTR) continue;
    if (rc != 0) {
      for (std::size_t i = 0; i < count_; ++i) lengths_[i] = -1;
      disable(true);
      return;
    }
    const std::uint64_t data = io_uring_cqe_get_data64(cqe);
    const std::size_t i = data >> 2;
    if (i < count_ && (data & 3) == kRead) lengths_[i] = cqe->res > 0 ? cqe->res : -1;
    if (i < count_ && (data & 3) == kReadEnd) at_end[i] = cqe->res == 0;
    io_uring_cqe_seen(ring, cqe);
    ++seen;
  }
  for (std::size_t i = 0; i < count_; ++i)
    if (!at_end[i]) lengths_[i] = -1;
}

std::optional<std::string_view> BatchReader::contents(std::size_t i) const {
  if (i >= count_ || lengths_[i] < 0) return std::nullopt;
  return std::string_view(buffers_.get() + i * kBatchReadSlotBytes,
                          static_cast<std::size_t>(lengths_[i]));
}

}  // namespace polc::internal
