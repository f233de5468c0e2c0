// Document: one parsed file: its `SourceFile`, the `Arena` that owns its value tree, and the
// tree's root. Produced by `parse_yaml` / `parse_json` (engine/load/yaml_parser.h, json_parser.h),
// consumed by `build_template` (engine/model/template.h). Movable, not copyable; not thread-safe.
#pragma once
#include <memory>

#include "engine/base/arena.h"
#include "engine/base/source_file.h"
#include "engine/model/value.h"

namespace polc {

struct Document {
  explicit Document(std::unique_ptr<SourceFile> f)
      : file(std::move(f)), arena(std::make_unique<Arena>()) {}
  /// With the arena's first chunk of `arena_first_chunk` bytes (0: the default arena).
  Document(std::unique_ptr<SourceFile> f, std::size_t arena_first_chunk)
      : file(std::move(f)),
        arena(arena_first_chunk ? std::make_unique<Arena>(arena_first_chunk)
                                : std::make_unique<Arena>()) {}
  std::unique_ptr<SourceFile> file;
  std::unique_ptr<Arena> arena;
  /// The root value, or nullptr when parsing failed. Owned by `arena`.
  Value* root = nullptr;
  /// True when the file contains YAML aliases or merge keys (the service needs `package`).
  bool uses_aliases = false;
};

}  // namespace polc
