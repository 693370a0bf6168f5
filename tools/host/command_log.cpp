#include "tools/host/command_log.h"

#include <cstdio>
#include <ctime>
#include <memory>
#include <utility>

#include "authenticator/command.h"
#include "authenticator/ctap_constants.h"

namespace vfido::host {
namespace {

std::string hex_byte(std::uint8_t b) {
  char buf[5];
  std::snprintf(buf, sizeof(buf), "0x%02x", b);
  return buf;
}

}  // namespace

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

namespace {

std::string utc_now() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[96];  // sized for any int values, so the compiler sees no truncation
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

}  // namespace

std::string logfmt_value(std::string_view value) {
  bool plain = !value.empty();
  for (char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) plain = false;
  }
  if (plain) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string format_command(const CommandRecord& r, bool with_bytes) {
  char ms[32];
  std::snprintf(ms, sizeof(ms), "%.3f", r.ms);
  std::string line = "event=ctap cmd=" + logfmt_value(command_name(r.command)) + " cmd_code=" + hex_byte(r.command) +
                     " status=" + std::string(status_name(static_cast<CtapStatus>(r.status))) +
                     " status_code=" + hex_byte(r.status) + " ms=" + ms + " waited=" + (r.waited ? "yes" : "no") +
                     " req_len=" + std::to_string(r.request_len) + " resp_len=" + std::to_string(r.response_len);
  if (with_bytes) line += " req=" + to_hex(r.request) + " resp=" + to_hex(r.response);
  return line;
}

void LogfmtLog::write(LogLevel level, std::string_view message) {
  if (!enabled(level)) return;
  fields(level, "event=log msg=" + logfmt_value(message));
}

void LogfmtLog::fields(LogLevel level, std::string_view fields) {
  if (!enabled(level)) return;
  out_ << "ts=" << utc_now() << " level=" << log_level_name(level) << ' ' << fields << '\n' << std::flush;
}

std::optional<Bytes> CommandLoggingDevice::cbor(ByteSpan request, Reply later) {
  if (!sink_) return inner_.cbor(request, std::move(later));
  CommandRecord record;
  record.command = request.empty() ? 0 : request[0];
  record.request_len = request.size();
  if (keep_bytes_) record.request.assign(request.begin(), request.end());
  const auto start = std::chrono::steady_clock::now();
  // The reply may come later, after this frame is gone: it carries its own copy of the record.
  auto pending = std::make_shared<CommandRecord>(record);
  auto answer = inner_.cbor(request, [this, pending, start, later = std::move(later)](Bytes response) {
    pending->waited = true;
    report(std::move(*pending), start, response);
    later(std::move(response));
  });
  if (answer) report(std::move(record), start, *answer);
  return answer;
}

void CommandLoggingDevice::report(CommandRecord record, std::chrono::steady_clock::time_point start,
                                  const Bytes& response) {
  record.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  record.status = response.empty() ? 0 : response[0];
  record.response_len = response.size();
  if (keep_bytes_) record.response = response;
  sink_(record);
}

}  // namespace vfido::host
