// Batched file reads: many small files read with a few system calls.
//
// A scan of a monorepo reads thousands of small templates (the corpus averages under 5 KiB), and
// on a virtual machine every system call is expensive: a warm `--cache` run spends most of its
// time in open, fstat, read and close. `BatchReader` reads a batch of files with one
// `io_uring_enter` call (liburing, Debian package liburing-dev): for each file an `openat` into
// a fixed file slot, a `read` of up to `kBatchReadSlotBytes` from that slot, a second `read`
// of one byte that must find the end of the file, and a `close` of the slot, linked so they
// run in order. When io_uring is not available (an old kernel, a seccomp profile that forbids
// it, `kernel.io_uring_disabled`), or for any file it cannot read whole, the reader gives up
// on that file and the caller reads it the ordinary way (`read_template_file`), which checks
// its type and size and says what is wrong. The reader is an accelerator, never the only path:
// its answers are "these are the complete contents" or "read it yourself".
//
// A file counts as read whole when the first read returned at least one byte and the second
// found the end. Everything else goes to the ordinary path: a file that reads as empty (so
// /dev/null), a file of more than `kBatchReadSlotBytes`, a device that keeps giving bytes
// (/dev/zero), a FIFO (opened non-blocking: its read fails), an unreadable or missing file.
// Reading from the file position (offset -1) lets the second read continue the first. The
// reader does not check types itself (a FIFO with data waiting would be drained): the scanner
// passes it only files a directory listing named regular (`FileWalker::listed_regular`). Its
// reads never wait (RWF_NOWAIT; io_uring would wait for a pipe's data even on a descriptor
// opened non-blocking), so a file swapped for a FIFO cannot hang it; a file whose pages are
// not in memory goes to the ordinary path too.
// io_uring reference: io_uring_prep_openat_direct(3), io_uring_prep_read(3),
// io_uring_register_files(3).
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace polc::internal {

/// Most files read in one batch (one `io_uring_enter` for four times as many operations).
/// Small enough that a batch of every worker fits within `kMaxPendingOutcomes` files.
inline constexpr std::size_t kBatchReadFiles = 16;
/// Bytes read per file of a batch. A larger file is read the ordinary way (37 of the 5,742
/// corpus files); the buffers take `kBatchReadFiles` times this per reader.
inline constexpr std::size_t kBatchReadSlotBytes = 64u << 10;

/// Reads batches of files into its own buffers. Not thread-safe: one per worker thread. Owns an
/// io_uring instance (when the kernel allows one) and `kBatchReadFiles * (kBatchReadSlotBytes
/// + 1)` bytes of buffers, allocated on the first batch.
class BatchReader {
 public:
  /// With `use_io_uring` false (or when setting io_uring up fails), `read` reads nothing and
  /// every file goes to the ordinary path.
  explicit BatchReader(bool use_io_uring = true);
  ~BatchReader();
  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  /// True when batches are read with io_uring.
  bool active() const { return ring_ != nullptr; }

  /// Reads the files `paths` point to (at most `kBatchReadFiles`; more is a programming error
  /// and reads nothing; the strings need only live through the call). Afterwards `contents(i)`
  /// gives the complete contents of `paths[i]`, or nothing when the caller must read it itself.
  /// Stops using io_uring (for good) when a batch cannot be submitted.
  void read(std::span<const std::string* const> paths);
  /// The contents of file `i` of the last batch, valid until the next `read`; nothing when the
  /// file was not read whole (see the file comment).
  std::optional<std::string_view> contents(std::size_t i) const;

 private:
  struct Ring;
  /// Stops using io_uring. With `in_flight`, operations may still be running: the buffers
  /// are then leaked rather than freed under them.
  void disable(bool in_flight = false);

  // The buffers before the ring, so that the ring goes first when the reader is destroyed.
  // kBatchReadFiles slots of kBatchReadSlotBytes, then one byte per file for the second read.
  std::unique_ptr<char[]> buffers_;
  std::unique_ptr<Ring> ring_;
  std::size_t count_ = 0;              // files in the last batch
  int lengths_[kBatchReadFiles] = {};  // bytes read per file, or -1: read it yourself
};

}  // namespace polc::internal
