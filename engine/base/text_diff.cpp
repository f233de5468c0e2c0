// Line diffs as unified diffs (engine/base/text_diff.h).
#include "engine/base/text_diff.h"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <vector>

namespace polc {
namespace {

// The lines of `s`; a last line without its newline carries diff's marker, so that it differs
// from the same line with one and prints as `diff -u` prints it.
std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto nl = s.find('\n');
    if (nl == std::string_view::npos) {
      out.push_back(std::string(s) + "\n\\ No newline at end of file");
      break;
    }
    out.emplace_back(s.substr(0, nl));
    s.remove_prefix(nl + 1);
  }
  return out;
}

enum class Edit : char { kKeep = ' ', kDelete = '-', kInsert = '+' };

// The line edits turning `a` into `b`: a longest common subsequence by dynamic programming,
// or, past kMaxDiffCells table cells, every line of `a` deleted and every line of `b` inserted
// (still a correct diff, only a longer one).
std::vector<Edit> line_edits(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<Edit> edits;
  const std::size_t n = a.size(), m = b.size();
  if ((n + 1) * (m + 1) > kMaxDiffCells) {
    edits.assign(n, Edit::kDelete);
    edits.insert(edits.end(), m, Edit::kInsert);
    return edits;
  }
  // lcs[i][j]: the common subsequence length of a[i..] and b[j..].
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j]) {
      edits.push_back(Edit::kKeep);
      ++i;
      ++j;
    } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
      edits.push_back(Edit::kDelete);
      ++i;
    } else {
      edits.push_back(Edit::kInsert);
      ++j;
    }
  }
  return edits;
}

}  // namespace

std::string unified_diff(const std::string& path, std::string_view before, std::string_view after) {
  const auto a = split_lines(before), b = split_lines(after);
  const std::vector<Edit> edits = line_edits(a, b);
  constexpr std::size_t kContext = 3;
  std::ostringstream out;
  out << "--- " << path << "\n+++ " << path << " (formatted)\n";
  // Walk the edits; a hunk spans changes closer than 2 * kContext kept lines.
  std::size_t k = 0;
  std::size_t ai = 0, bi = 0;  // line indices before edit k
  while (k < edits.size()) {
    if (edits[k] == Edit::kKeep) {
      ++k;
      ++ai;
      ++bi;
      continue;
    }
    // A change at k: the hunk starts kContext kept lines earlier.
    std::size_t back = 0;
    while (back < kContext && k - back > 0 && edits[k - back - 1] == Edit::kKeep) ++back;
    const std::size_t start = k - back;
    std::size_t end = k, keep_run = 0;
    while (end < edits.size() && keep_run <= 2 * kContext) {
      keep_run = edits[end] == Edit::kKeep ? keep_run + 1 : 0;
      ++end;
    }
    while (end > k && edits[end - 1] == Edit::kKeep) --end;
    for (std::size_t extra = 0; extra < kContext && end < edits.size() && edits[end] == Edit::kKeep;
         ++extra)
      ++end;
    std::size_t a_start = ai - back, b_start = bi - back, a_len = 0, b_len = 0;
    std::string body;
    std::size_t x = a_start, y = b_start;
    for (std::size_t e = start; e < end; ++e) {
      std::string_view text;
      if (edits[e] == Edit::kInsert) {
        text = b[y++];
        ++b_len;
      } else {
        text = a[x++];
        ++a_len;
        if (edits[e] == Edit::kKeep) {
          ++y;
          ++b_len;
        }
      }
      body += static_cast<char>(edits[e]);
      body += text;
      body += '\n';
    }
    out << "@@ -" << (a_len ? a_start + 1 : a_start) << ',' << a_len << " +"
        << (b_len ? b_start + 1 : b_start) << ',' << b_len << " @@\n"
        << body;
    ai = x;
    bi = y;
    k = end;
  }
  return out.str();
}

}  // namespace polc
