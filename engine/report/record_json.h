// Findings, diagnostics and policy metadata read back from JSON reports, and the policy record
// shard reports write.
//
// `polc merge` (engine/report/report_merge.h) reads the findings and errors of JSON reports, written by
// the JSON reporter (engine/report/report_json.cpp, docs/json-report.md; shard reports add each
// location's `source_line`). (The result cache, engine/scan/cache.h, stores outcomes in a compact
// binary form of the same fields.) The readers treat their input as untrusted: every member is
// type-checked and every number range-checked, and a record that does not fit gives `false`
// with a one-line reason, never a crash. Optional members (`offset`, `source_line`) may be
// absent.
#pragma once
#include <simdjson.h>

#include <string>

#include "engine/base/json_writer.h"
#include "engine/base/scan_result.h"

namespace polc {

/// Writes `p` as one JSON object (the `merge.policies` layout of shard reports).
void write_policy_record(JsonWriter& w, const PolicyInfo& p);

/// Reads a finding record into `f`. Returns false and sets `error` when a required member is
/// missing or has the wrong type or range. Thread-safe (no shared state).
bool read_finding_record(simdjson::dom::element e, Finding& f, std::string& error);
/// Reads a diagnostic (report `errors` entry) into `d`; as `read_finding_record`.
bool read_diagnostic_record(simdjson::dom::element e, Diagnostic& d, std::string& error);
/// Reads a policy record (`merge.policies` entry) into `p`; as `read_finding_record`.
bool read_policy_record(simdjson::dom::element e, PolicyInfo& p, std::string& error);

}  // namespace polc
