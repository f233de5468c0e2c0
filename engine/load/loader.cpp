// Loader: file reading (bounded, non-blocking on special files), format detection, parsing and
// the template / not-a-template decision.
#include "engine/load/loader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "engine/base/limits.h"
#include "engine/load/json_parser.h"
#include "engine/load/yaml_parser.h"

namespace polc {
namespace {

/// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool looks_like_json(std::string_view text) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF)
    text.remove_prefix(3);
  std::size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos || text[i] != '{') return false;
  // `{{` opens Go/Jinja templating (Helm charts), not a JSON object.
  std::size_t j = text.find_first_not_of(" \t\r\n", i + 1);
  return j == std::string_view::npos || text[j] != '{';
}

/// Stricter than `may_be_template`: `Resources` written as a key (`Resources:` or
/// `"Resources":`, not `controlledResources:`), or `AWSTemplateFormatVersion` anywhere. Used to
/// decide whether a file that fails to parse is a broken template or unrelated noise.
bool mentions_template_key(std::string_view text) {
  if (text.find("AWSTemplateFormatVersion") != std::string_view::npos) return true;
  constexpr std::string_view kKey = "Resources";
  for (std::size_t at = text.find(kKey); at != std::string_view::npos;
       at = text.find(kKey, at + 1)) {
    if (at > 0) {
      auto prev = static_cast<unsigned char>(text[at - 1]);
      if (std::isalnum(prev) || prev == '_' || prev == '-' || prev == ':') continue;
    }
    std::size_t k = at + kKey.size();
    if (k < text.size() && (text[k] == '"' || text[k] == '\'')) ++k;
    while (k < text.size() && (text[k] == ' ' || text[k] == '\t')) ++k;
    if (k < text.size() && text[k] == ':') return true;
  }
  return false;
}

bool is_template_root(const Value* root) {
  return root != nullptr && root->is_map() &&
         (root->find("Resources") != nullptr || root->find("AWSTemplateFormatVersion") != nullptr);
}

LoadResult error_result(const std::string& path, std::string code, std::string message) {
  LoadResult r;
  r.status = LoadStatus::kError;
  r.diagnostics.error(std::move(code), Location::whole(path), std::move(message));
  return r;
}

}  // namespace

bool may_be_template(std::string_view bytes) {
  return bytes.find("Resources") != std::string_view::npos ||
         bytes.find("AWSTemplateFormatVersion") != std::string_view::npos ||
         bytes.find('\\') != std::string_view::npos;
}

LoadResult load_template_bytes(std::string path, std::string bytes, FileFormat format) {
  LoadResult r;
  if (bytes.size() > kMaxTemplateBytes)
    return error_result(path, "file-size",
                        "file is " + std::to_string(bytes.size()) + " bytes; the limit is " +
                            std::to_string(kMaxTemplateBytes));
  if (format == FileFormat::kAuto)
    format = looks_like_json(bytes) ? FileFormat::kJson : FileFormat::kYaml;
  // A large file's tree (about 4 bytes of nodes per byte of JSON) goes into one first chunk,
  // which the arena maps in huge pages; small files start in the arena's inline buffer.
  const std::size_t arena_first_chunk =
      bytes.size() >= kArenaHugeChunkBytes / 4 ? 4 * bytes.size() : 0;
  auto doc = std::make_unique<Document>(
      std::make_unique<SourceFile>(std::move(path), std::move(bytes)), arena_first_chunk);
  // An empty (or blank) file is not a template; no need to run a parser on it.
  std::string_view text = doc->file->text();
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    r.status = LoadStatus::kNotTemplate;
    return r;
  }
  // Cheap skipping: a file whose text cannot hold a template key is not parsed at all. (Parsed,
  // it would be skipped quietly too: valid, it has no template root; broken, it mentions no
  // template key.)
  if (!may_be_template(text)) {
    r.status = LoadStatus::kNotTemplate;
    return r;
  }
  bool ok = format == FileFormat::kJson ? parse_json(*doc, r.diagnostics)
                                        : parse_yaml(*doc, r.diagnostics);
  if (!ok || r.diagnostics.has_errors()) {
    if (!mentions_template_key(text)) {
      // A broken file that never mentions a template key (JSON with comments, a Helm chart
      // with Go templating) is not CloudFormation: skip it quietly.
      r.diagnostics = Diagnostics();
      r.status = LoadStatus::kNotTemplate;
      return r;
    }
    r.status = LoadStatus::kError;
    if (!r.diagnostics.has_errors())
      r.diagnostics.error("parse", Location::whole(doc->file->path()), "could not be parsed");
    return r;
  }
  if (!is_template_root(doc->root)) {
    // Not CloudFormation: skipped quietly, whatever the parser noticed on the way.
    r.diagnostics = Diagnostics();
    r.status = LoadStatus::kNotTemplate;
    return r;
  }
  r.tmpl = build_template(std::move(doc), r.diagnostics);
  if (r.tmpl == nullptr || r.diagnostics.has_errors()) {
    r.tmpl.reset();
    r.status = LoadStatus::kError;
    return r;
  }
  r.status = LoadStatus::kTemplate;
  return r;
}

bool read_template_file(const std::string& path, std::string& bytes, LoadResult& failure) {
  auto fail = [&](std::string code, std::string message) {
    failure = error_result(path, std::move(code), std::move(message));
    return false;
  };
  Fd f;
  // O_NONBLOCK: opening a FIFO without a writer must not hang; regular files ignore it.
  f.fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (f.fd < 0) return fail("unreadable", std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return fail("unreadable", std::string("cannot stat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    const char* what = S_ISDIR(st.st_mode)                          ? "a directory"
                       : S_ISFIFO(st.st_mode)                       ? "a FIFO"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                       : S_ISSOCK(st.st_mode)                       ? "a socket"
                                                                    : "not a regular file";
    return fail("not-a-regular-file", std::string("not a regular file (") + what + ")");
  }
  if (static_cast<std::uint64_t>(st.st_size) > kMaxTemplateBytes)
    return fail("file-size", "file is " + std::to_string(st.st_size) + " bytes; the limit is " +
                                 std::to_string(kMaxTemplateBytes));
  // One byte more than the size (a read that fills it means the file grew since fstat), and
  // `kSourcePadding` zeroed bytes after the contents for the JSON parser. Sizing the buffer
  // exactly would grow (and zero) 64 KiB more for every file to see its end.
  std::size_t want = static_cast<std::size_t>(st.st_size) + 1;
  bytes.clear();  // a reused buffer: zero all of it, the padding included
  bytes.resize(want + kSourcePadding);
  std::size_t got = 0;
  while (true) {
    if (got == want) {
      // The file may have grown since fstat: read on, within the limit.
      if (want >= kMaxTemplateBytes + 1) break;
      want = std::min<std::size_t>(want + 65536, kMaxTemplateBytes + 1);
      bytes.resize(want + kSourcePadding);
    }
    ssize_t n = ::read(f.fd, bytes.data() + got, want - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("unreadable", std::string("cannot read: ") + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  bytes.resize(got);  // keeps the capacity: the padding stays allocated and zero
  return true;
}

LoadResult load_template_file(const std::string& path) {
  std::string bytes;
  LoadResult failure;
  if (!read_template_file(path, bytes, failure)) return failure;
  return load_template_read(path, std::move(bytes));
}

std::string padded_source(std::string_view contents) {
  std::string bytes;
  bytes.reserve(contents.size() + kSourcePadding);
  bytes.assign(contents);
  bytes.append(kSourcePadding, '\0');
  bytes.resize(contents.size());  // keeps the capacity: the padding stays allocated and zero
  return bytes;
}

LoadResult load_template_read(const std::string& path, std::string bytes) {
  if (bytes.size() > kMaxTemplateBytes)
    return error_result(
        path, "file-size",
        "file exceeds the limit of " + std::to_string(kMaxTemplateBytes) + " bytes");
  return load_template_bytes(path, std::move(bytes));
}

}  // namespace polc
