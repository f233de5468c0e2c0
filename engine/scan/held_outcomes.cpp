#include "engine/scan/held_outcomes.h"

#include <cerrno>
#include <cstring>

#include "engine/scan/outcome_codec.h"

namespace polc::internal {
namespace {

std::size_t heap(const std::string& s) {
  return s.capacity() > 15 ? s.capacity() + 1 : 0;  // libstdc++ keeps 15 bytes inline
}
std::size_t heap(const Location& l) { return heap(l.file) + heap(l.source_line); }

// A record: the path, the cache key and flags, `incomplete_runs`, `skip_reason`, the outcome's
// body (outcome_codec.h), then each finding's deployments (which the cache's form leaves out).
void put_record(std::string& out, const HeldOutcome& h) {
  put_str(out, h.path);
  put_str(out, h.cache_key);
  put_byte(out, h.cache_hit ? 1 : 0);
  put_byte(out, h.read ? 1 : 0);
  put_varint(out, h.outcome.incomplete_runs);
  put_str(out, h.outcome.skip_reason);
  put_outcome_body(out, h.outcome);
  for (const Finding& f : h.outcome.findings) {
    put_varint(out, f.deployments.size());
    for (const std::string& d : f.deployments) put_str(out, d);
  }
}

bool read_record(std::string_view bytes, HeldOutcome& h) {
  ByteReader r{bytes};
  r.str(h.path);
  r.str(h.cache_key);
  h.cache_hit = r.boolean();
  h.read = r.boolean();
  h.outcome = FileOutcome{};
  h.outcome.incomplete_runs = r.u32();
  r.str(h.outcome.skip_reason);
  if (!read_outcome_body(r, h.outcome)) return false;
  for (Finding& f : h.outcome.findings) {
    f.deployments.resize(r.count());
    for (std::string& d : f.deployments) r.str(d);
  }
  return r.ok && r.in.empty();
}

}  // namespace

HeldOutcomes::~HeldOutcomes() {
  if (file_) std::fclose(file_);
}

std::size_t HeldOutcomes::charge(const HeldOutcome& h) {
  std::size_t n = sizeof(HeldOutcome) + heap(h.path) + heap(h.cache_key) +
                  heap(h.outcome.skip_reason) + h.outcome.findings.capacity() * sizeof(Finding) +
                  h.outcome.diagnostics.capacity() * sizeof(Diagnostic);
  for (const Finding& f : h.outcome.findings) {
    n += heap(f.policy_id) + heap(f.policy_name) + heap(f.resource) + heap(f.construct_path) +
         heap(f.property_path) + heap(f.location) + heap(f.message) + heap(f.remediation) +
         heap(f.suppression_reason) + heap(f.suppression_source) + heap(f.fingerprint);
    for (const ConditionClause& c : f.conditions) {
      n += sizeof(c) + c.capacity() * sizeof(ConditionTerm);
      for (const ConditionTerm& t : c) n += heap(t.name);
    }
    for (const std::string& d : f.deployments) n += sizeof(d) + heap(d);
    for (const RelatedLocation& r : f.related) n += sizeof(r) + heap(r.location) + heap(r.message);
  }
  for (const Diagnostic& d : h.outcome.diagnostics) {
    n += heap(d.code) + heap(d.message) + heap(d.location) + heap(d.policy_id);
    for (const DiagNote& note : d.notes)
      n += sizeof(note) + heap(note.location) + heap(note.message);
  }
  return n;
}

void HeldOutcomes::push(HeldOutcome&& h) {
  const std::size_t bytes = charge(h);
  if (file_records_ == 0 && (used_ + bytes <= memory_bytes_ || spill_failed_)) {
    used_ += bytes;
    memory_.push_back(std::move(h));
    return;
  }
  if (!file_ && !spill_failed_) {
    file_ = std::tmpfile();
    spill_failed_ = file_ == nullptr;
  }
  if (file_ && !spill_failed_) {
    record_.clear();
    put_record(record_, h);
    char length[4];
    for (int i = 0; i < 4; ++i) length[i] = static_cast<char>((record_.size() >> (8 * i)) & 0xff);
    if (record_.size() <= UINT32_MAX && std::fwrite(length, 1, 4, file_) == 4 &&
        std::fwrite(record_.data(), 1, record_.size(), file_) == record_.size()) {
      ++file_records_;
      return;
    }
    spill_failed_ = true;  // a partial record is never read: only `file_records_` are
  }
  // No temporary file, or it failed: after the file's records, in memory.
  tail_.push_back(std::move(h));
}

bool HeldOutcomes::pop(HeldOutcome& out) {
  if (!memory_.empty()) {
    out = std::move(memory_.front());
    memory_.pop_front();
    return true;
  }
  if (file_records_ > 0 && !lost_) {
    const char* error = nullptr;
    if (!reading_) {
      reading_ = true;
      if (std::fflush(file_) != 0 || std::fseek(file_, 0, SEEK_SET) != 0)
        error = std::strerror(errno);
    }
    unsigned char length[4];
    if (!error && std::fread(length, 1, 4, file_) != 4) error = "truncated";
    if (!error) {
      const std::size_t n = length[0] | (std::size_t{length[1]} << 8) |
                            (std::size_t{length[2]} << 16) | (std::size_t{length[3]} << 24);
      record_.resize(n);
      if (std::fread(record_.data(), 1, n, file_) != n || !read_record(record_, out))
        error = "truncated or damaged";
    }
    if (!error) {
      --file_records_;
      return true;
    }
    // Say what is lost, once; the run fails (an error) instead of passing in silence.
    lost_ = true;
    out = HeldOutcome{};
    out.path = "<temporary file>";
    out.outcome.status = FileOutcome::Status::kFailed;
    Diagnostic d;
    d.code = "internal-error";
    d.location = Location::whole(out.path);
    d.message = "the outcomes of " + std::to_string(file_records_) +
                " files held in a temporary file could not be read back (" + error +
                "); they are not reported";
    out.outcome.diagnostics.push_back(std::move(d));
    file_records_ = 0;
    return true;
  }
  if (!tail_.empty()) {
    out = std::move(tail_.front());
    tail_.pop_front();
    return true;
  }
  return false;
}

}  // namespace polc::internal
