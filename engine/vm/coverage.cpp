// Coverage counters and their summary: lines, branches, the lcov tracefile and the table.
// See engine/vm/coverage.h.
#include "engine/vm/coverage.h"

#include <algorithm>
#include <cstdio>

namespace polc {

CoverageCounts::CoverageCounts(const PolicySet& set) {
  hits.reserve(set.chunks.size());
  jumps.reserve(set.chunks.size());
  for (const Chunk& c : set.chunks) {
    hits.emplace_back(c.code.size(), 0);
    jumps.emplace_back(c.code.size(), 0);
  }
}

void CoverageCounts::add(const CoverageCounts& other) {
  for (std::size_t c = 0; c < hits.size() && c < other.hits.size(); ++c)
    for (std::size_t pc = 0; pc < hits[c].size() && pc < other.hits[c].size(); ++pc) {
      hits[c][pc] += other.hits[c][pc];
      jumps[c][pc] += other.jumps[c][pc];
    }
}

std::size_t FileCoverage::lines_hit() const {
  return static_cast<std::size_t>(
      std::count_if(lines.begin(), lines.end(), [](const auto& l) { return l.second > 0; }));
}

std::size_t FileCoverage::branches_hit() const {
  return static_cast<std::size_t>(std::count_if(
      branches.begin(), branches.end(), [](const BranchOutcome& b) { return b.taken > 0; }));
}

double coverage_percent(std::size_t hit, std::size_t total) {
  return total == 0 ? 100.0 : 100.0 * static_cast<double>(hit) / static_cast<double>(total);
}

namespace {

// The statement keyword a span starts with ("when", "if", "for", "require", "report").
std::string_view keyword_at(const SourceFile& src, std::uint32_t offset) {
  std::string_view text = src.text();
  if (offset >= text.size()) return {};
  std::size_t end = offset;
  while (end < text.size() && text[end] >= 'a' && text[end] <= 'z') ++end;
  return text.substr(offset, end - offset);
}

struct Guard {
  std::uint32_t offset;
  std::uint64_t hits, jumps;
};

// The branch points of one chunk, in code order, appended to `file`.
void chunk_branches(const PolicySet& set, const Chunk& c, std::size_t ci,
                    const CoverageCounts& counts, FileCoverage& file) {
  const SourceFile& src = *set.sources[c.source];
  const auto& hits = counts.hits[ci];
  const auto& jumps = counts.jumps[ci];
  auto point = [&](std::uint32_t offset, bool evaluated,
                   std::initializer_list<std::pair<const char*, std::uint64_t>> outcomes) {
    const std::uint32_t line = src.locate(offset).line;
    std::uint32_t block = 0;
    for (const BranchOutcome& b : file.branches) block = std::max(block, b.block + 1);
    std::uint32_t n = 0;
    for (const auto& [what, taken] : outcomes)
      file.branches.push_back({line, block, n++, what, evaluated, evaluated ? taken : 0});
  };
  // An `if` compiles to one guard (no else block) or two at the same offset (the second, on the
  // negated condition after the first block, enters the else block). Each `if` is one branch
  // point, given its number where its first guard is.
  struct IfPoint {
    std::uint32_t offset;
    std::size_t slot;  // index in file.branches of its first outcome
    std::vector<Guard> guards;
  };
  std::vector<IfPoint> ifs;
  for (std::size_t pc = 0; pc < c.code.size();
       pc += 1 + kOperandBytes[std::min<std::size_t>(c.code[pc], sizeof kOperandBytes - 1)]) {
    const auto op = static_cast<Opcode>(c.code[pc]);
    if (op != Opcode::kGuard && op != Opcode::kCheck && op != Opcode::kReport) continue;
    const std::uint32_t offset = pc < c.offsets.size() ? c.offsets[pc] : 0;
    const std::uint64_t h = hits[pc], j = std::min(jumps[pc], hits[pc]);
    if (op == Opcode::kGuard) {
      std::string_view kw = keyword_at(src, offset);
      if (kw == "if") {
        auto it = std::find_if(ifs.begin(), ifs.end(),
                               [&](const IfPoint& p) { return p.offset == offset; });
        if (it != ifs.end()) {
          it->guards.push_back({offset, h, j});
        } else {
          ifs.push_back({offset, file.branches.size(), {{offset, h, j}}});
          point(offset, h > 0, {{"if then", 0}, {"if skipped", 0}});  // counts filled in below
        }
        continue;
      }
      if (kw == "when") point(offset, h > 0, {{"when true", h - j}, {"when false", j}});
      continue;  // `for`: the guard of an unknown collection, not a branch of the policy's text
    }
    if (op == Opcode::kCheck) {
      point(offset, h > 0, {{"require holds", j}, {"require fails", h - j}});
    } else {
      std::uint16_t site = read_u16(c.code.data() + pc + 1);
      const CompiledPolicy* owner = nullptr;
      for (const CompiledPolicy& p : set.policies)
        if (p.source == c.source && site < p.report_sites.size()) {
          for (const SubjectRule& r : p.subject_rules)
            if (r.chunk == ci) owner = &p;
          if (p.template_chunk == static_cast<std::int32_t>(ci)) owner = &p;
        }
      if (owner && keyword_at(src, owner->report_sites[site].offset) == "report")
        point(offset, true, {{"report reached", h}});
    }
  }
  for (const IfPoint& p : ifs) {
    BranchOutcome& then = file.branches[p.slot];
    BranchOutcome& other = file.branches[p.slot + 1];
    const Guard& g = p.guards[0];
    then.taken = g.hits - g.jumps;
    if (p.guards.size() > 1) {
      other.what = "if else";
      other.taken = p.guards[1].hits - p.guards[1].jumps;
    } else {
      other.taken = g.jumps;
    }
  }
}

}  // namespace

std::vector<FileCoverage> summarize_coverage(const PolicySet& set, const CoverageCounts& counts,
                                             const std::function<bool(std::string_view)>& include) {
  std::map<std::uint32_t, FileCoverage> by_source;
  for (std::size_t ci = 0; ci < set.chunks.size() && ci < counts.hits.size(); ++ci) {
    const Chunk& c = set.chunks[ci];
    if (c.source >= set.sources.size() || !include(set.sources[c.source]->path())) continue;
    const SourceFile& src = *set.sources[c.source];
    FileCoverage& file = by_source[c.source];
    file.path = src.path();
    const auto& hits = counts.hits[ci];
    for (std::size_t pc = 0; pc < c.code.size() && pc < hits.size();
         pc += 1 + kOperandBytes[std::min<std::size_t>(c.code[pc], sizeof kOperandBytes - 1)]) {
      const std::uint32_t line = src.locate(pc < c.offsets.size() ? c.offsets[pc] : 0).line;
      if (line == 0) continue;
      std::uint64_t& l = file.lines[line];
      l = std::max(l, hits[pc]);
    }
    chunk_branches(set, c, ci, counts, file);
  }
  std::vector<FileCoverage> out;
  for (auto& [source, file] : by_source) {
    std::stable_sort(file.branches.begin(), file.branches.end(),
                     [](const BranchOutcome& a, const BranchOutcome& b) {
                       return a.line != b.line ? a.line < b.line : a.block < b.block;
                     });
    out.push_back(std::move(file));
  }
  std::sort(out.begin(), out.end(),
            [](const FileCoverage& a, const FileCoverage& b) { return a.path < b.path; });
  return out;
}

std::string coverage_lcov(const std::vector<FileCoverage>& files, std::string_view test_name) {
  std::string out;
  for (const FileCoverage& f : files) {
    out.append("TN:").append(test_name).append("\nSF:").append(f.path).append("\n");
    for (const auto& [line, n] : f.lines)
      out.append("DA:" + std::to_string(line) + "," + std::to_string(n) + "\n");
    for (const BranchOutcome& b : f.branches)
      out.append("BRDA:" + std::to_string(b.line) + "," + std::to_string(b.block) + "," +
                 std::to_string(b.branch) + "," +
                 (b.evaluated ? std::to_string(b.taken) : std::string("-")) + "\n");
    out.append("LF:" + std::to_string(f.lines.size()) + "\nLH:" + std::to_string(f.lines_hit()) +
               "\nBRF:" + std::to_string(f.branches.size()) +
               "\nBRH:" + std::to_string(f.branches_hit()) + "\nend_of_record\n");
  }
  return out;
}

namespace {
std::string percent_text(std::size_t hit, std::size_t total) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%5.1f%%", coverage_percent(hit, total));
  return buf;
}
std::string pad(std::string s, std::size_t width, bool right) {
  if (s.size() >= width) return s;
  return right ? std::string(width - s.size(), ' ') + s : s + std::string(width - s.size(), ' ');
}
}  // namespace

std::string coverage_table(const std::vector<FileCoverage>& files) {
  std::size_t width = 5;  // "total"
  for (const FileCoverage& f : files) width = std::max(width, f.path.size());
  std::string out = pad("file", width, false) + "  " + pad("lines", 16, true) + "  " +
                    pad("branches", 16, true) + "\n";
  std::size_t lh = 0, lf = 0, bh = 0, bf = 0;
  auto row = [&](const std::string& name, std::size_t l_hit, std::size_t l_all, std::size_t b_hit,
                 std::size_t b_all) {
    out +=
        pad(name, width, false) + "  " +
        pad(std::to_string(l_hit) + "/" + std::to_string(l_all) + " " + percent_text(l_hit, l_all),
            16, true) +
        "  " +
        pad(std::to_string(b_hit) + "/" + std::to_string(b_all) + " " + percent_text(b_hit, b_all),
            16, true) +
        "\n";
  };
  for (const FileCoverage& f : files) {
    row(f.path, f.lines_hit(), f.lines.size(), f.branches_hit(), f.branches.size());
    lh += f.lines_hit();
    lf += f.lines.size();
    bh += f.branches_hit();
    bf += f.branches.size();
  }
  row("total", lh, lf, bh, bf);
  return out;
}

}  // namespace polc
