#include "engine/schema/descriptions.h"

#include <zlib.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

// POLC_DESCRIPTIONS_PATH is set by CMakeLists.txt (with the file's hash, so that ccache, which
// does not see `.incbin` inputs, recompiles this file when the table changes).
#ifndef POLC_DESCRIPTIONS_PATH
#error "POLC_DESCRIPTIONS_PATH must name data/schemas/descriptions.txt.gz"
#endif

__asm__(
    ".section .rodata\n"
    ".global polc_descriptions_begin\n"
    ".hidden polc_descriptions_begin\n"
    ".global polc_descriptions_end\n"
    ".hidden polc_descriptions_end\n"
    ".balign 16\n"
    "polc_descriptions_begin:\n"
    ".incbin \"" POLC_DESCRIPTIONS_PATH
    "\"\n"
    "polc_descriptions_end:\n"
    ".byte 0\n"
    ".previous\n");

extern "C" const unsigned char polc_descriptions_begin[];
extern "C" const unsigned char polc_descriptions_end[];

namespace polc::schema {
namespace {

// The inflated text, the shared texts (`S` lines, by number) and each resource type's block of
// lines (after its `T` line), sorted by type name; lookups scan one block (tens of lines).
struct Table {
  std::string text;
  std::vector<std::string_view> shared;
  struct Type {
    std::string_view name, description, block;
  };
  std::vector<Type> types;
};

std::string inflate_embedded() {
  const std::size_t size =
      static_cast<std::size_t>(polc_descriptions_end - polc_descriptions_begin);
  if (size < 18) return {};
  // The gzip trailer's last 4 bytes: the inflated size modulo 2^32, little-endian.
  const unsigned char* t = polc_descriptions_begin + (size - 4);
  const std::size_t want =
      t[0] | (t[1] << 8) | (t[2] << 16) | (static_cast<std::size_t>(t[3]) << 24);
  if (want > kMaxDescriptionTableBytes) return {};
  std::string out(want, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return {};
  zs.next_in = const_cast<unsigned char*>(polc_descriptions_begin);
  zs.avail_in = static_cast<uInt>(size);
  zs.next_out = reinterpret_cast<unsigned char*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_FINISH);
  const bool ok = rc == Z_STREAM_END && zs.total_out == want;
  inflateEnd(&zs);
  return ok ? out : std::string();
}

// Splits off the first line of `rest`.
std::string_view next_line(std::string_view& rest) {
  const std::size_t eol = rest.find('\n');
  std::string_view line = rest.substr(0, eol);
  rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
  return line;
}

// `#N` names shared text N; anything else is the text itself.
std::string_view resolve(const Table& t, std::string_view text) {
  if (!text.starts_with('#')) return text;
  std::size_t n = 0;
  for (char c : text.substr(1)) {
    if (c < '0' || c > '9' || n > t.shared.size()) return {};
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  return n < t.shared.size() ? t.shared[n] : std::string_view();
}

const Table& table() {
  static Table t;
  static std::once_flag once;
  std::call_once(once, [] {
    t.text = inflate_embedded();
    std::string_view rest = t.text;
    while (!rest.empty()) {
      const char* at = rest.data();
      std::string_view line = next_line(rest);
      if (line.starts_with("S ")) {
        t.shared.push_back(line.substr(2));
      } else if (line.starts_with("T ")) {
        const std::size_t tab = line.find('\t');
        if (!t.types.empty())
          t.types.back().block =
              std::string_view(t.types.back().block.data(),
                               static_cast<std::size_t>(at - t.types.back().block.data()));
        t.types.push_back(
            {line.substr(2, tab == std::string_view::npos ? tab : tab - 2),
             tab == std::string_view::npos ? std::string_view() : line.substr(tab + 1), rest});
      }
    }
    for (auto& ty : t.types) ty.description = resolve(t, ty.description);
    std::sort(t.types.begin(), t.types.end(),
              [](const Table::Type& a, const Table::Type& b) { return a.name < b.name; });
  });
  return t;
}

const Table::Type* find_type(std::string_view name) {
  const Table& t = table();
  auto it = std::lower_bound(t.types.begin(), t.types.end(), name,
                             [](const Table::Type& a, std::string_view n) { return a.name < n; });
  return it != t.types.end() && it->name == name ? &*it : nullptr;
}

}  // namespace

std::string_view type_description(std::string_view type) {
  const Table::Type* ty = find_type(type);
  return ty ? ty->description : std::string_view();
}

std::string_view field_description(std::string_view type, std::string_view definition,
                                   std::string_view field) {
  const Table::Type* ty = find_type(type);
  if (!ty) return {};
  std::string_view current;  // the nested type whose fields follow (empty: properties)
  for (std::string_view rest = ty->block; !rest.empty();) {
    std::string_view line = next_line(rest);
    if (line.size() < 2 || line[1] != ' ') continue;
    const char tag = line[0];
    line.remove_prefix(2);
    if (tag == 'D') {
      if (current == definition && !definition.empty()) break;  // past the nested type
      current = line;
      continue;
    }
    if ((tag == 'P' ? !definition.empty() : tag != 'F' || current != definition)) continue;
    const std::size_t tab = line.find('\t');
    if (tab != std::string_view::npos && line.substr(0, tab) == field)
      return resolve(table(), line.substr(tab + 1));
  }
  return {};
}

std::size_t description_table_bytes() { return table().text.size(); }

}  // namespace polc::schema
