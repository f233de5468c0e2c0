// Stage engine/load (above model): bytes to a model: reading files (batched with io_uring, or
// plain), the YAML (libyaml) and JSON (simdjson) parsers, and YAML/JSON data files such as
// `.polc.yaml` and waivers.
//
// Loading a template file: read it, recognize it, parse it, normalize it.
//
// `load_template` is the entry point the scanner calls for every candidate file. It never
// throws and never aborts the scan: every problem becomes a positioned `Diagnostic`.
// Thread-safe: it touches no shared state.
#pragma once
#include <memory>
#include <string>

#include "engine/base/diagnostic.h"
#include "engine/model/template.h"

namespace polc {

enum class LoadStatus : std::uint8_t {
  kTemplate,     // loaded; `tmpl` is set (warnings may be present)
  kNotTemplate,  // valid YAML/JSON whose top level has neither `Resources` nor
                 // `AWSTemplateFormatVersion`: skipped and counted, never an error
  kError,        // could not be loaded: at least one error diagnostic
};

struct LoadResult {
  LoadStatus status = LoadStatus::kError;
  std::unique_ptr<Template> tmpl;
  Diagnostics diagnostics;
};

enum class FileFormat : std::uint8_t { kAuto, kYaml, kJson };

/// Parses `bytes` (the file's full contents) as a template. `path` is used for messages only.
/// With `kAuto`, a file whose first non-blank byte is `{` is JSON, anything else YAML
/// (CloudFormation accepts JSON through its YAML parser too).
LoadResult load_template_bytes(std::string path, std::string bytes,
                               FileFormat format = FileFormat::kAuto);

/// Reads the file at `path` (bounded by `kMaxTemplateBytes`) and loads it. Unreadable files,
/// directories, FIFOs and devices give an error diagnostic without blocking.
/// `read_template_file` then `load_template_read`.
LoadResult load_template_file(const std::string& path);

/// Reads the regular file `path` of at most `kMaxTemplateBytes` bytes into `bytes` (replacing
/// its contents; `kSourcePadding` zeroed bytes stay allocated after them). False when it cannot:
/// `failure` is then the error result `load_template_file` returns (unreadable, not a regular
/// file, too large). Opens non-blocking, so a FIFO or device never hangs it. Thread-safe.
bool read_template_file(const std::string& path, std::string& bytes, LoadResult& failure);

/// `contents` copied into a new string with `kSourcePadding` zeroed bytes allocated after its
/// end, as `load_template_read` wants them.
std::string padded_source(std::string_view contents);

/// Loads `bytes`, the full contents of the regular file `path` read by the caller (the result
/// cache reads each file to hash it): as `load_template_file` after its read, without reading
/// again. When `bytes` has at least `kSourcePadding` bytes of capacity after its end, zeroed,
/// the JSON parser uses them in place; otherwise they are copied once.
LoadResult load_template_read(const std::string& path, std::string bytes);

/// Quick test on a file's bytes, run before any parser: false when it certainly is not a
/// CloudFormation template, because neither `Resources` nor `AWSTemplateFormatVersion` occurs
/// anywhere in the text and no backslash does either (a JSON `\u` or YAML `\x` escape could
/// spell a key). Such files are skipped without being parsed. A byte search: linear, no
/// allocation.
bool may_be_template(std::string_view bytes);

}  // namespace polc
