// JUnit XML for scenario results (the de-facto schema Jenkins and GitLab read: testsuites >
// testsuite > testcase, with failure/error children).
#include <cstdio>

#include "tools/scenario/scenario_runner.h"

namespace vfido::scenario {

namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.3f", s);
  return buf;
}

}  // namespace

std::string junit_xml(const std::vector<ScenarioResult>& results) {
  std::size_t tests = 0, failures = 0, errors = 0;
  double total = 0;
  for (const auto& r : results) {
    tests += r.error.empty() ? r.steps.size() : 1;
    failures += r.failures();
    errors += r.error.empty() ? 0U : 1U;
    total += r.seconds;
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"vfido scenarios\" tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
       "\" errors=\"" + std::to_string(errors) + "\" time=\"" + seconds(total) + "\">\n";
  for (const auto& r : results) {
    const std::size_t n = r.error.empty() ? r.steps.size() : 1;
    x += "  <testsuite name=\"" + xml_escape(r.name) + "\" file=\"" + xml_escape(r.file) + "\" tests=\"" + std::to_string(n) +
         "\" failures=\"" + std::to_string(r.failures()) + "\" errors=\"" + (r.error.empty() ? "0" : "1") + "\" time=\"" +
         seconds(r.seconds) + "\">\n";
    if (!r.error.empty()) {
      x += "    <testcase classname=\"" + xml_escape(r.name) + "\" name=\"setup\" time=\"0.000\">\n";
      x += "      <error message=\"" + xml_escape(r.error) + "\"/>\n";
      x += "    </testcase>\n";
    }
    for (const auto& s : r.steps) {
      x += "    <testcase classname=\"" + xml_escape(r.name) + "\" name=\"" + xml_escape(s.name) + "\" file=\"" + xml_escape(s.where) +
           "\" time=\"" + seconds(s.seconds) + "\">\n";
      if (!s.passed) {
        x += "      <failure message=\"" + xml_escape(s.mismatch) + "\" type=\"unexpected-outcome\">expected: " + xml_escape(s.expected) +
             "\ngot: " + xml_escape(s.got) + "\nreason: " + xml_escape(s.reason) + "</failure>\n";
      }
      x += "      <system-out>" + xml_escape(s.got + ": " + s.reason) + "</system-out>\n";
      x += "    </testcase>\n";
    }
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  return x;
}

}  // namespace vfido::scenario
