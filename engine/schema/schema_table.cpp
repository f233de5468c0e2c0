#include "engine/schema/schema_table.h"

// POLC_SCHEMA_TABLE_PATH is set by CMakeLists.txt (with the file's hash, so that ccache, which
// does not see `.incbin` inputs, recompiles this file when the table changes).
#ifndef POLC_SCHEMA_TABLE_PATH
#error "POLC_SCHEMA_TABLE_PATH must name data/schemas/resource-types.txt"
#endif

__asm__(
    ".section .rodata\n"
    ".global polc_schema_table_begin\n"
    ".hidden polc_schema_table_begin\n"
    ".global polc_schema_table_end\n"
    ".hidden polc_schema_table_end\n"
    ".balign 16\n"
    "polc_schema_table_begin:\n"
    ".incbin \"" POLC_SCHEMA_TABLE_PATH "\"\n"
    "polc_schema_table_end:\n"
    ".byte 0\n"
    ".previous\n");

extern "C" const char polc_schema_table_begin[];
extern "C" const char polc_schema_table_end[];

namespace polc::schema {

std::string_view embedded_schema_table() {
  return std::string_view(polc_schema_table_begin, static_cast<std::size_t>(polc_schema_table_end - polc_schema_table_begin));
}

}  // namespace polc::schema
