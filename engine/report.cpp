#include "engine/report.h"

#include "engine/internal/report_util.h"

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

std::string render_report(const ScanResult& result, ReportFormat format,
                          const ReportOptions& options) {
  switch (format) {
    case ReportFormat::kText:
      return internal::render_text(result, options);
    case ReportFormat::kJson:
      return internal::render_json(result, options);
    case ReportFormat::kSarif:
      return internal::render_sarif(result, options);
    case ReportFormat::kJunit:
      return internal::render_junit(result, options);
    case ReportFormat::kGithub:
      return internal::render_github(result, options);
  }
  return internal::render_text(result, options);
}

}  // namespace polc
