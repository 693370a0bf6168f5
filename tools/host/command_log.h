// The daemon's log: one structured line per CTAP command (which command, its status, how long
// it took, optionally the bytes) and the key's other messages, in logfmt
// (`key=value key="quoted value"`), so a person can read it and a script can parse it.
//
// CommandLoggingDevice sits between the CTAPHID server and the core (a ctaphid::Device
// decorator) and reports each CTAPHID_CBOR request when its response leaves, including
// responses that waited for the user.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

#include "authenticator/bytes.h"
#include "authenticator/env/log.h"
#include "transports/ctaphid/device.h"

namespace vfido::host {

// One CTAP command as the key served it.
struct CommandRecord {
  std::uint8_t command = 0;  // CTAP 2.1 §6 command byte (first byte of the CTAPHID_CBOR payload)
  std::uint8_t status = 0;   // §8.2 status byte (first byte of the response)
  double ms = 0;             // from the request reaching the core to the response leaving it
  bool waited = false;       // the response came later (the user was asked, or it was cancelled)
  Bytes request;             // command byte || CBOR; only filled when bytes are logged
  Bytes response;            // status byte || CBOR; likewise
  std::size_t request_len = 0;
  std::size_t response_len = 0;
};

// "debug", "info", "warning", "error".
std::string_view log_level_name(LogLevel level);

// `event=ctap cmd=authenticatorGetInfo cmd_code=0x04 status=CTAP2_OK status_code=0x00 ms=0.213
// waited=no req_len=1 resp_len=120` (the command's spec name from the core's command_name(),
// "unknown" for bytes it does not know), plus `req=<hex> resp=<hex>` when with_bytes. No
// timestamp or level (the sink adds them).
std::string format_command(const CommandRecord& record, bool with_bytes);

// A value for logfmt: bare when it has no space, quote or '=', otherwise quoted with \" and \\.
std::string logfmt_value(std::string_view value);

// Writes `ts=<UTC ISO 8601 with ms> level=<level> <fields>` lines to a stream (stderr for the
// daemon). Messages below min_level are dropped. As a vfido::Log, a message becomes
// `event=log msg="..."`.
class LogfmtLog final : public Log {
 public:
  LogfmtLog(std::ostream& out, LogLevel min_level) : out_(out), min_level_(min_level) {}
  void write(LogLevel level, std::string_view message) override;
  // A line with ready-made logfmt fields.
  void fields(LogLevel level, std::string_view fields);
  void set_min_level(LogLevel level) { min_level_ = level; }
  bool enabled(LogLevel level) const { return level >= min_level_; }

 private:
  std::ostream& out_;
  LogLevel min_level_;
};

class CommandLoggingDevice final : public transport::ctaphid::Device {
 public:
  using Sink = std::function<void(const CommandRecord&)>;

  // `sink` null: a pass-through. `keep_bytes`: copy request and response into the record.
  CommandLoggingDevice(transport::ctaphid::Device& inner, Sink sink, bool keep_bytes)
      : inner_(inner), sink_(std::move(sink)), keep_bytes_(keep_bytes) {}

  std::optional<Bytes> cbor(ByteSpan request, Reply later) override;
  std::optional<Bytes> msg(ByteSpan apdu, Reply later) override { return inner_.msg(apdu, std::move(later)); }
  bool supports_msg() const override { return inner_.supports_msg(); }
  bool supports_wink() const override { return inner_.supports_wink(); }
  void wink() override { inner_.wink(); }
  void cancel() override { inner_.cancel(); }
  void poll() override { inner_.poll(); }
  bool waiting_for_user() const override { return inner_.waiting_for_user(); }

 private:
  void report(CommandRecord record, std::chrono::steady_clock::time_point start, const Bytes& response);

  transport::ctaphid::Device& inner_;
  Sink sink_;
  bool keep_bytes_;
};

}  // namespace vfido::host
