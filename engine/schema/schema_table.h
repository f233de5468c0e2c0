// The embedded resource schema table (data/schemas/resource-types.txt, format in
// scripts/update-schemas.py), linked into the binary as read-only data with the assembler's
// `.incbin`: no copy, no decoding; the kernel maps only the pages that lookups touch.
#pragma once
#include <string_view>

namespace polc::schema {

/// The whole table text; valid for the life of the process.
std::string_view embedded_schema_table();

}  // namespace polc::schema
