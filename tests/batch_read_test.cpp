// The batch reader (engine/load/batch_read.h): what it reads whole, what it leaves to the
// ordinary path, and its two limits. Where the kernel refuses io_uring (a seccomp profile, an
// old kernel) the reader reads nothing, which these tests accept with a warning; the scanner's
// equivalence of both paths is tested in robustness_test.cpp.
#include "engine/load/batch_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "tests/robust_util.h"

namespace polc::internal {
namespace {

using test::TempDir;

/// Pointers to `n` paths from `first`, as `BatchReader::read` takes them.
std::vector<const std::string*> pointers(const std::string* first, std::size_t n) {
  std::vector<const std::string*> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(first + i);
  return out;
}
std::vector<const std::string*> pointers(const std::vector<std::string>& paths) {
  return pointers(paths.data(), paths.size());
}

TEST_CASE("batch reader: whole small files, everything else to the ordinary path", "[io]") {
  TempDir dir("batch");
  const std::string text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n";
  std::vector<std::string> paths = {
      dir.write("small.yaml", text),
      dir.write("empty.yaml", ""),
      dir.write("just-under.yaml", std::string(kBatchReadSlotBytes - 1, 'x')),
      dir.write("slot.yaml", std::string(kBatchReadSlotBytes, 'y')),
      dir.write("large.yaml", std::string(3 * kBatchReadSlotBytes, 'z')),
      (dir.path() / "missing.yaml").string(),
      dir.path().string(),  // a directory
      (dir.path() / "fifo.yaml").string(),
      "/dev/null",
      "/dev/zero",
  };
  REQUIRE(::mkfifo(paths[7].c_str(), 0600) == 0);
  BatchReader reader;
  if (!reader.active()) WARN("io_uring is not available here: every file takes the ordinary path");
  reader.read(pointers(paths));
  if (reader.active()) {
    REQUIRE(reader.contents(0));
    CHECK(*reader.contents(0) == text);
    REQUIRE(reader.contents(2));
    CHECK(reader.contents(2)->size() == kBatchReadSlotBytes - 1);
    CHECK(reader.contents(2)->find_first_not_of('x') == std::string::npos);
    REQUIRE(reader.contents(3));  // exactly the slot, and then the end of the file
    CHECK(reader.contents(3)->size() == kBatchReadSlotBytes);
  }
  // Empty, larger than the slot, missing, a directory, a FIFO (without hanging), devices.
  for (std::size_t i : {1, 4, 5, 6, 7, 8, 9}) {
    INFO(paths[i]);
    CHECK_FALSE(reader.contents(i));
  }
  CHECK_FALSE(reader.contents(paths.size()));  // past the batch

  // The slots are reused batch after batch (closed each time, no descriptor leaks).
  std::vector<std::string> many;
  for (int i = 0; i < 100; ++i)
    many.push_back(dir.write("m" + std::to_string(i) + ".yaml", "n: " + std::to_string(i) + "\n"));
  for (std::size_t first = 0; first < many.size(); first += kBatchReadFiles) {
    const std::size_t n = std::min(kBatchReadFiles, many.size() - first);
    reader.read(pointers(many.data() + first, n));
    for (std::size_t i = 0; i < n; ++i) {
      if (!reader.active()) break;
      REQUIRE(reader.contents(i));
      CHECK(*reader.contents(i) == "n: " + std::to_string(first + i) + "\n");
    }
  }
}

TEST_CASE("batch reader: a FIFO with a writer and data waiting does not hang it", "[io]") {
  // The scanner batches only files listed as regular, but a file can be swapped for a FIFO
  // after the listing: the reads never wait (RWF_NOWAIT), the FIFO goes to the ordinary path.
  TempDir dir("batch-fifo");
  std::vector<std::string> paths = {dir.write("a.yaml", "a: 1\n"), (dir.path() / "b.yaml").string(),
                                    dir.write("c.yaml", "c: 3\n")};
  REQUIRE(::mkfifo(paths[1].c_str(), 0600) == 0);
  const int fd = ::open(paths[1].c_str(), O_RDWR | O_NONBLOCK);  // a writer, and data
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, "x: 1\n", 5) == 5);
  BatchReader reader;
  reader.read(pointers(paths));
  CHECK_FALSE(reader.contents(1));
  if (reader.active()) {
    CHECK(reader.contents(0) == std::optional<std::string_view>("a: 1\n"));
    CHECK(reader.contents(2) == std::optional<std::string_view>("c: 3\n"));
  }
  ::close(fd);
}

TEST_CASE("kBatchReadFiles and kBatchReadSlotBytes", "[io][limits]") {
  TempDir dir("batch-limits");
  std::vector<std::string> paths;
  for (std::size_t i = 0; i <= kBatchReadFiles; ++i)
    paths.push_back(dir.write("t" + std::to_string(i) + ".yaml", "a: 1\n"));
  BatchReader reader;
  // One file more than a batch holds: a caller's error, and nothing is read.
  reader.read(pointers(paths));
  for (std::size_t i = 0; i < paths.size(); ++i) CHECK_FALSE(reader.contents(i));
  // A full batch is read.
  reader.read(pointers(paths.data(), kBatchReadFiles));
  for (std::size_t i = 0; i < kBatchReadFiles; ++i)
    CHECK(reader.contents(i).has_value() == reader.active());
  // One byte more than the slot: the ordinary path reads it.
  const std::string over = dir.write("over.yaml", std::string(kBatchReadSlotBytes + 1, 'a'));
  reader.read(pointers(&over, 1));
  CHECK_FALSE(reader.contents(0));

  BatchReader off(false);
  CHECK_FALSE(off.active());
  off.read(pointers(paths.data(), 2));
  CHECK_FALSE(off.contents(0));
  CHECK_FALSE(off.contents(1));
}

}  // namespace
}  // namespace polc::internal
