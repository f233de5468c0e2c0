// Printable text: what polc writes for humans (the text report, diagnostics on stderr, GitHub
// annotations, `polc explain`) never carries a control character that came from its input.
//
// Logical IDs, file names, source lines and messages come from the scanned tree, which is not
// trusted (docs/security.md): a raw newline would start an output line of the template's choosing
// (in GitHub Actions, `::error ...` or `::add-mask::` is a workflow command), and an ESC sequence
// reaches the terminal (clear the screen, hide text, set the title). These functions replace each
// such character with a visible escape, so the output still shows what the input holds:
//
// - C0 controls and DEL: `\n`, `\r`, `\e` (ESC) and `\xNN` for the others (TAB is kept: it
//   moves the cursor only forward and the snippets turn it into a space);
// - C1 controls (U+0080..U+009F) and Unicode format characters that reorder or hide text (bidi
//   embeddings, overrides and isolates U+202A..U+202E, U+2066..U+2069, the marks U+200E, U+200F,
//   U+061C, and the separators U+2028, U+2029): `\u{XXXX}`;
// - bytes that are not UTF-8 (a lone 0x9B is CSI for a terminal in an 8-bit mode): `\xNN`.
//
// Everything else (printable ASCII, valid UTF-8, backslashes) is copied unchanged. Pure and
// thread-safe.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace polc {

/// Appends `text` to `out` with every control character escaped (above).
void append_printable(std::string& out, std::string_view text);

/// `text` with every control character escaped.
std::string printable(std::string_view text);

/// `text` escaped as `printable` does, except that its line feeds are kept (each line is escaped
/// on its own): for multi-line text such as a policy's description.
std::string printable_lines(std::string_view text);

/// True when `append_printable` would copy `text` unchanged.
bool is_printable(std::string_view text);

/// Terminal cells the first `bytes` bytes of `text` take once escaped: one per code point
/// copied, one per character of each escape. For the caret under a source line.
std::size_t printable_width(std::string_view text, std::size_t bytes);

}  // namespace polc
