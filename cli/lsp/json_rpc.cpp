#include "cli/lsp/json_rpc.h"

#include <algorithm>
#include <cmath>

#include "engine/base/diagnostic.h"
#include "engine/base/json_writer.h"
#include "engine/load/json_parser.h"

namespace polc::lsp {

std::unique_ptr<Document> parse_message(std::string body, std::string& error) {
  auto doc = std::make_unique<Document>(std::make_unique<SourceFile>("message", std::move(body)));
  Diagnostics diags;
  if (!parse_json(*doc, diags) || !doc->root || diags.has_errors()) {
    error = "the message is not JSON";
    for (const Diagnostic& d : diags.items())
      if (d.severity == DiagSeverity::kError) {
        error += ": " + d.message;
        break;
      }
    return nullptr;
  }
  return doc;
}

const Value* member(const Value* obj, std::string_view key) {
  return obj && obj->is_map() ? obj->get(key) : nullptr;
}

std::optional<std::string_view> string_member(const Value* obj, std::string_view key) {
  const Value* v = member(obj, key);
  if (!v || !v->is_string()) return std::nullopt;
  return v->str();
}

std::optional<std::uint32_t> uint_member(const Value* obj, std::string_view key) {
  const Value* v = member(obj, key);
  if (!v) return std::nullopt;
  if (v->kind == ValueKind::kInt && v->integer >= 0 && v->integer <= 0xFFFFFFFFll)
    return static_cast<std::uint32_t>(v->integer);
  if (v->kind == ValueKind::kFloat && v->number >= 0 && v->number <= 4294967295.0 &&
      std::floor(v->number) == v->number)
    return static_cast<std::uint32_t>(v->number);
  return std::nullopt;
}

std::string json_string(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

std::string id_json(const Value* id) {
  if (!id) return {};
  if (id->kind == ValueKind::kInt) return std::to_string(id->integer);
  if (id->kind == ValueKind::kString) return json_string(id->str());
  return {};
}

std::string response(std::string_view id, std::string_view result) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"id\":";
  out.append(id.empty() ? "null" : id);
  out.append(",\"result\":").append(result).append("}");
  return out;
}

std::string error_response(std::string_view id, int code, std::string_view message) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"id\":";
  out.append(id.empty() ? "null" : id);
  out.append(",\"error\":{\"code\":").append(std::to_string(code)).append(",\"message\":");
  append_json_string(out, message);
  out.append("}}");
  return out;
}

std::string notification(std::string_view method, std::string_view params) {
  std::string out = "{\"jsonrpc\":\"2.0\",\"method\":";
  append_json_string(out, method);
  out.append(",\"params\":").append(params).append("}");
  return out;
}

LineMap::LineMap(std::string_view text, bool utf16) : text_(text), utf16_(utf16) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') starts_.push_back(static_cast<std::uint32_t>(i + 1));
}

namespace {
// Bytes of the UTF-8 sequence led by `c` (1 for a stray continuation byte).
std::uint32_t seq_len(unsigned char c) { return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; }
}  // namespace

std::pair<std::uint32_t, std::uint32_t> LineMap::position(std::uint32_t offset) const {
  if (starts_.empty()) return {0, 0};
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  const auto line = static_cast<std::uint32_t>(it - starts_.begin() - 1);
  const std::uint32_t start = starts_[line];
  if (!utf16_) return {line, offset - start};
  std::uint32_t units = 0;
  for (std::uint32_t i = start; i < offset;) {
    const std::uint32_t n = seq_len(static_cast<unsigned char>(text_[i]));
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return {line, units};
}

std::uint32_t LineMap::offset(std::uint32_t line, std::uint32_t character) const {
  if (starts_.empty()) return 0;
  if (line >= starts_.size()) return static_cast<std::uint32_t>(text_.size());
  const std::uint32_t start = starts_[line];
  std::uint32_t end =
      line + 1 < starts_.size() ? starts_[line + 1] - 1 : static_cast<std::uint32_t>(text_.size());
  if (end > start && text_[end - 1] == '\r') --end;
  if (!utf16_) return std::min(start + character, end);
  std::uint32_t i = start, units = 0;
  while (i < end && units < character) {
    const std::uint32_t n = seq_len(static_cast<unsigned char>(text_[i]));
    units += n == 4 ? 2 : 1;
    i = std::min(i + n, end);
  }
  return i;
}

std::uint32_t LineMap::byte_offset(std::uint32_t line, std::uint32_t column) const {
  if (starts_.empty() || line == 0) return 0;
  if (line > starts_.size()) return static_cast<std::uint32_t>(text_.size());
  const std::uint32_t start = starts_[line - 1];
  const std::uint32_t end =
      line < starts_.size() ? starts_[line] : static_cast<std::uint32_t>(text_.size());
  return std::min(start + (column == 0 ? 0 : column - 1), end);
}

std::string LineMap::range_json(std::uint32_t begin, std::uint32_t end) const {
  auto [l1, c1] = position(begin);
  auto [l2, c2] = position(std::max(begin, end));
  return "{\"start\":{\"line\":" + std::to_string(l1) + ",\"character\":" + std::to_string(c1) +
         "},\"end\":{\"line\":" + std::to_string(l2) + ",\"character\":" + std::to_string(c2) +
         "}}";
}

std::string uri_to_path(std::string_view uri) {
  if (!uri.starts_with("file://")) return {};
  uri.remove_prefix(7);
  // file://host/path: only the local host (empty or "localhost") is a path here.
  if (uri.starts_with("localhost/")) uri.remove_prefix(9);
  if (!uri.starts_with("/")) return {};
  std::string out;
  for (std::size_t i = 0; i < uri.size(); ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (uri[i] == '%' && i + 2 < uri.size() && hex(uri[i + 1]) >= 0 && hex(uri[i + 2]) >= 0) {
      out += static_cast<char>(hex(uri[i + 1]) * 16 + hex(uri[i + 2]));
      i += 2;
    } else {
      out += uri[i];
    }
  }
  if (out.find('\0') != std::string::npos) return {};
  return out;
}

std::string path_to_uri(std::string_view path) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : path) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        std::string_view("/-._~").find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace polc::lsp
