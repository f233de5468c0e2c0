#include "engine/scan/outcome_codec.h"

#include "engine/base/limits.h"

namespace polc::internal {

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
void put_str(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}
void put_byte(std::string& out, std::uint8_t b) { out.push_back(static_cast<char>(b)); }

namespace {

void put_location(std::string& out, const Location& l) {
  put_str(out, l.file);
  put_varint(out, l.offset);
  put_varint(out, l.line);
  put_varint(out, l.column);
  put_str(out, l.source_line);
}

void put_finding(std::string& out, const Finding& f) {
  put_str(out, f.policy_id);
  put_str(out, f.policy_name);
  put_byte(out, static_cast<std::uint8_t>(f.severity));
  put_byte(out, static_cast<std::uint8_t>(f.outcome));
  put_str(out, f.resource);
  put_str(out, f.construct_path);
  put_str(out, f.property_path);
  put_location(out, f.location);
  put_str(out, f.message);
  put_varint(out, f.conditions.size());
  for (const ConditionClause& clause : f.conditions) {
    put_varint(out, clause.size());
    for (const ConditionTerm& term : clause) {
      put_str(out, term.name);
      put_byte(out, term.value ? 1 : 0);
    }
  }
  put_varint(out, f.related.size());
  for (const RelatedLocation& r : f.related) {
    put_location(out, r.location);
    put_str(out, r.message);
  }
  put_str(out, f.remediation);
  put_byte(out, f.suppressed ? 1 : 0);
  put_str(out, f.suppression_reason);
  put_str(out, f.suppression_source);
  put_byte(out, f.baselined ? 1 : 0);
  put_str(out, f.fingerprint);
}

void read_finding(ByteReader& r, Finding& f) {
  r.str(f.policy_id);
  r.str(f.policy_name);
  f.severity = static_cast<Severity>(r.byte(static_cast<std::uint8_t>(Severity::kInfo)));
  f.outcome = static_cast<Outcome>(r.byte(static_cast<std::uint8_t>(Outcome::kUnknown)));
  r.str(f.resource);
  r.str(f.construct_path);
  r.str(f.property_path);
  r.location(f.location);
  r.str(f.message);
  f.conditions.resize(r.count());
  for (ConditionClause& clause : f.conditions) {
    clause.resize(r.count());
    for (ConditionTerm& term : clause) {
      r.str(term.name);
      term.value = r.boolean();
    }
  }
  f.related.resize(r.count());
  for (RelatedLocation& rel : f.related) {
    r.location(rel.location);
    r.str(rel.message);
  }
  r.str(f.remediation);
  f.suppressed = r.boolean();
  r.str(f.suppression_reason);
  r.str(f.suppression_source);
  f.baselined = r.boolean();
  r.str(f.fingerprint);
}

void put_diagnostic(std::string& out, const Diagnostic& d) {
  put_byte(out, static_cast<std::uint8_t>(d.severity));
  put_str(out, d.code);
  put_str(out, d.message);
  put_location(out, d.location);
  put_varint(out, d.notes.size());
  for (const DiagNote& n : d.notes) {
    put_location(out, n.location);
    put_str(out, n.message);
  }
  put_str(out, d.policy_id);
}

void read_diagnostic(ByteReader& r, Diagnostic& d) {
  d.severity = static_cast<DiagSeverity>(r.byte(static_cast<std::uint8_t>(DiagSeverity::kNote)));
  r.str(d.code);
  r.str(d.message);
  r.location(d.location);
  d.notes.resize(r.count());
  for (DiagNote& n : d.notes) {
    r.location(n.location);
    r.str(n.message);
  }
  r.str(d.policy_id);
}

}  // namespace

void put_outcome_body(std::string& out, const FileOutcome& o) {
  put_byte(out, static_cast<std::uint8_t>(o.status));
  put_byte(out, o.incomplete ? 1 : 0);
  put_varint(out, o.findings.size());
  for (const Finding& f : o.findings) put_finding(out, f);
  put_varint(out, o.diagnostics.size());
  for (const Diagnostic& d : o.diagnostics) put_diagnostic(out, d);
}

bool read_outcome_body(ByteReader& r, FileOutcome& out) {
  out.status = static_cast<FileOutcome::Status>(
      r.byte(static_cast<std::uint8_t>(FileOutcome::Status::kFailed)));
  out.incomplete = r.boolean();
  // Elements are appended as they are read, so memory grows with the bytes consumed, never
  // with a count a damaged entry claims.
  const std::size_t findings = r.count();
  if (findings > kMaxFindingsPerTemplate) r.ok = false;
  for (std::size_t i = 0; r.ok && i < findings; ++i) read_finding(r, out.findings.emplace_back());
  const std::size_t diagnostics = r.count();
  for (std::size_t i = 0; r.ok && i < diagnostics; ++i)
    read_diagnostic(r, out.diagnostics.emplace_back());
  return r.ok;
}

}  // namespace polc::internal
