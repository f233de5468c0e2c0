#include "cli/lsp/transport.h"

#include <algorithm>
#include <cctype>

#include "cli/lsp/lsp_limits.h"

namespace polc::lsp {
namespace {

constexpr std::string_view kEnd = "\r\n\r\n";

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// Reads the Content-Length of a header block (without its final blank line). Empty error: ok.
std::string parse_header(std::string_view head, std::size_t& length) {
  bool found = false;
  while (!head.empty()) {
    std::size_t eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return "a header line without ':'";
    std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (!iequals(name, "Content-Length")) continue;  // Content-Type and others: ignored
    if (value.empty() || value.size() > 12 ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return "Content-Length is not a number";
    std::size_t n = 0;
    for (char c : value) n = n * 10 + static_cast<std::size_t>(c - '0');
    if (found && n != length) return "two different Content-Length headers";
    found = true;
    length = n;
  }
  if (!found) return "no Content-Length header";
  return {};
}

}  // namespace

void MessageReader::feed(std::string_view bytes) {
  compact();
  buffer_.append(bytes);
}

void MessageReader::compact() {
  if (start_ == 0) return;
  buffer_.erase(0, start_);
  start_ = 0;
}

MessageReader::Result MessageReader::next() {
  Result r;
  for (;;) {
    std::string_view rest = std::string_view(buffer_).substr(start_);
    if (skip_body_ > 0) {
      std::size_t n = std::min(skip_body_, rest.size());
      start_ += n;
      skip_body_ -= n;
      if (skip_body_ > 0) return r;
      continue;
    }
    if (resync_) {
      std::size_t end = rest.find(kEnd);
      if (end == std::string_view::npos) {
        // Keep only what could be the start of the blank line.
        start_ += rest.size() > 3 ? rest.size() - 3 : 0;
        return r;
      }
      start_ += end + kEnd.size();
      resync_ = false;
      continue;
    }
    if (have_length_) {
      if (rest.size() < length_) return r;
      r.status = Status::kMessage;
      r.body.assign(rest.substr(0, length_));
      start_ += length_;
      have_length_ = false;
      return r;
    }
    std::size_t end = rest.substr(0, kMaxLspHeaderBytes + kEnd.size()).find(kEnd);
    if (end == std::string_view::npos || end > kMaxLspHeaderBytes) {
      if (rest.size() < kMaxLspHeaderBytes + kEnd.size()) return r;
      resync_ = true;
      r.status = Status::kError;
      r.error = "a message header is longer than " + std::to_string(kMaxLspHeaderBytes) +
                " bytes (kMaxLspHeaderBytes); skipped up to its end";
      return r;
    }
    std::size_t length = 0;
    std::string error = parse_header(rest.substr(0, end), length);
    start_ += end + kEnd.size();
    if (!error.empty()) {
      r.status = Status::kError;
      r.error = "bad message header: " + error + "; the header was skipped";
      return r;
    }
    if (length > kMaxLspMessageBytes) {
      skip_body_ = length;
      r.status = Status::kError;
      r.error = "a message of " + std::to_string(length) + " bytes is over the limit of " +
                std::to_string(kMaxLspMessageBytes) + " (kMaxLspMessageBytes); it was skipped";
      return r;
    }
    have_length_ = true;
    length_ = length;
  }
}

std::string frame_message(std::string_view body) {
  std::string out = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out.append(body);
  return out;
}

}  // namespace polc::lsp
