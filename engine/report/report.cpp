#include "engine/report/report.h"

#include "engine/report/report_util.h"

namespace polc {

namespace {

constexpr ReportFormat kAllFormats[] = {ReportFormat::kText, ReportFormat::kJson,
                                        ReportFormat::kSarif, ReportFormat::kJunit,
                                        ReportFormat::kGithub};

}  // namespace

std::string_view report_format_name(ReportFormat format) {
  switch (format) {
    case ReportFormat::kText:
      return "text";
    case ReportFormat::kJson:
      return "json";
    case ReportFormat::kSarif:
      return "sarif";
    case ReportFormat::kJunit:
      return "junit";
    case ReportFormat::kGithub:
      return "github";
  }
  return "text";
}

bool parse_report_format(std::string_view text, ReportFormat& out) {
  std::string lower;
  for (char c : text) lower += static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  for (ReportFormat f : kAllFormats) {
    if (report_format_name(f) == lower) {
      out = f;
      return true;
    }
  }
  return false;
}

void FileSink::write(std::string_view bytes) {
  if (!ok() || bytes.empty()) return;
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) set_failed();
}

std::unique_ptr<ReportWriter> make_report_writer(ReportFormat format, const ReportOptions& options,
                                                 ReportSink& sink) {
  switch (format) {
    case ReportFormat::kText:
      break;
    case ReportFormat::kJson:
      return internal::make_json_writer(options, sink);
    case ReportFormat::kSarif:
      return internal::make_sarif_writer(options, sink);
    case ReportFormat::kJunit:
      return internal::make_junit_writer(options, sink);
    case ReportFormat::kGithub:
      return internal::make_github_writer(options, sink);
  }
  return internal::make_text_writer(options, sink);
}

std::string render_report(const ScanResult& result, ReportFormat format,
                          const ReportOptions& options) {
  ReportFrame frame;
  frame.policies = result.policies;
  frame.scan_root = result.scan_root;
  frame.shard = result.shard;
  for (const Finding& f : result.findings) frame.baseline_used = frame.baseline_used || f.baselined;
  std::string out;
  StringSink sink(out);
  auto writer = make_report_writer(format, options, sink);
  writer->begin(frame);
  writer->add(result.findings, result.errors);
  writer->finish(result.summary, result.exit_code);
  return out;
}

}  // namespace polc
