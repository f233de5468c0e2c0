#include "engine/schema/descriptions.h"

#include <zlib.h>

#include <mutex>
#include <string>
#include <unordered_map>
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

// Keys: "type", "type\x1fdefinition\x1ffield" (definition empty for a property).
struct Table {
  std::string text;
  std::unordered_map<std::string, std::string_view> by_key;
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

std::string key(std::string_view type, std::string_view definition, std::string_view field) {
  std::string k(type);
  k += '\x1f';
  k += definition;
  k += '\x1f';
  k += field;
  return k;
}

const Table& table() {
  static Table t;
  static std::once_flag once;
  std::call_once(once, [] {
    t.text = inflate_embedded();
    std::vector<std::string_view> shared;
    std::string_view type, definition;
    std::string_view rest = t.text;
    while (!rest.empty()) {
      const std::size_t eol = rest.find('\n');
      std::string_view line = rest.substr(0, eol);
      rest.remove_prefix(eol == std::string_view::npos ? rest.size() : eol + 1);
      if (line.size() < 2 || line[1] != ' ') continue;  // comments and anything unknown
      const char tag = line[0];
      line.remove_prefix(2);
      if (tag == 'S') {
        shared.push_back(line);
        continue;
      }
      if (tag == 'D') {
        definition = line;
        continue;
      }
      const std::size_t tab = line.find('\t');
      if (tab == std::string_view::npos) continue;
      const std::string_view name = line.substr(0, tab);
      std::string_view text = line.substr(tab + 1);
      if (text.starts_with('#')) {
        std::size_t n = 0;
        for (char c : text.substr(1)) n = c >= '0' && c <= '9' ? n * 10 + (c - '0') : shared.size();
        text = n < shared.size() ? shared[n] : std::string_view();
      }
      if (tag == 'T') {
        type = name;
        definition = {};
        if (!text.empty()) t.by_key.emplace(std::string(type), text);
      } else if (tag == 'P') {
        if (!text.empty()) t.by_key.emplace(key(type, "", name), text);
      } else if (tag == 'F') {
        if (!text.empty() && !definition.empty())
          t.by_key.emplace(key(type, definition, name), text);
      }
    }
  });
  return t;
}

std::string_view find(const std::string& k) {
  const Table& t = table();
  auto it = t.by_key.find(k);
  return it == t.by_key.end() ? std::string_view() : it->second;
}

}  // namespace

std::string_view type_description(std::string_view type) { return find(std::string(type)); }

std::string_view field_description(std::string_view type, std::string_view definition,
                                   std::string_view field) {
  return find(key(type, definition, field));
}

std::size_t description_table_bytes() { return table().text.size(); }

}  // namespace polc::schema
