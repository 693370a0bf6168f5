// The daemon's structured log: command names, the logfmt line per CTAP command, and the Device
// decorator that times each command, including replies that come later.
#include <doctest/doctest.h>

#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tools/host/command_log.h"

namespace {

using namespace vfido::host;
using vfido::Bytes;
using vfido::ByteSpan;

// Answers getInfo at once and holds makeCredential until release() (like a key waiting for a
// touch).
class FakeDevice final : public vfido::transport::ctaphid::Device {
 public:
  std::optional<Bytes> cbor(ByteSpan request, Reply later) override {
    if (!request.empty() && request[0] == 0x01) {
      held = std::move(later);
      return std::nullopt;
    }
    return Bytes{0x00, 0xA1, 0x01, 0x02};
  }
  std::optional<Bytes> msg(ByteSpan, Reply) override { return Bytes{0x6D, 0x00}; }
  bool supports_msg() const override { return false; }
  bool supports_wink() const override { return true; }
  void wink() override {}
  void cancel() override {}
  void poll() override {}
  bool waiting_for_user() const override { return static_cast<bool>(held); }
  void release(Bytes response) {
    auto r = std::move(held);
    held = nullptr;
    r(std::move(response));
  }
  Reply held;
};

}  // namespace

TEST_CASE("command log: logfmt values are quoted only when needed") {
  CHECK(logfmt_value("plain") == "plain");
  CHECK(logfmt_value("two words") == "\"two words\"");
  CHECK(logfmt_value("a=b") == "\"a=b\"");
  CHECK(logfmt_value("say \"hi\"\\") == "\"say \\\"hi\\\"\\\\\"");
  CHECK(logfmt_value("line\nbreak") == "\"line\\nbreak\"");
  CHECK(logfmt_value("") == "\"\"");
}

TEST_CASE("command log: one line per command with name, status and time; bytes on request") {
  CommandRecord r;
  r.command = 0x02;
  r.status = 0x2E;
  r.ms = 1.23456;
  r.request = {0x02, 0xA0};
  r.response = {0x2E};
  r.request_len = 2;
  r.response_len = 1;
  std::string line = format_command(r, false);
  CHECK(line ==
        "event=ctap cmd=authenticatorGetAssertion cmd_code=0x02 status=CTAP2_ERR_NO_CREDENTIALS status_code=0x2e ms=1.235 "
        "waited=no req_len=2 resp_len=1");
  CHECK(format_command(r, true).find(" req=02a0 resp=2e") != std::string::npos);
  r.command = 0x41;  // a name with spaces is quoted
  CHECK(format_command(r, false).find("cmd=\"authenticatorCredentialManagement (preview)\" cmd_code=0x41") !=
        std::string::npos);
  r.command = 0x77;
  CHECK(format_command(r, false).find("cmd=unknown cmd_code=0x77") != std::string::npos);
}

TEST_CASE("command log: LogfmtLog adds timestamp and level and drops lines below its level") {
  std::ostringstream out;
  LogfmtLog log(out, vfido::LogLevel::kInfo);
  log.write(vfido::LogLevel::kDebug, "hidden");
  log.write(vfido::LogLevel::kWarning, "uhid: dropped a report");
  log.fields(vfido::LogLevel::kInfo, "event=ctap cmd=authenticatorGetInfo");
  std::string text = out.str();
  CHECK(text.find("hidden") == std::string::npos);
  CHECK(text.rfind("ts=", 0) == 0);
  CHECK(text.find("Z level=warning event=log msg=\"uhid: dropped a report\"\n") != std::string::npos);
  CHECK(text.find("level=info event=ctap cmd=authenticatorGetInfo\n") != std::string::npos);
}

TEST_CASE("command log: the decorator reports immediate and later replies and passes them on") {
  FakeDevice inner;
  std::vector<CommandRecord> records;
  CommandLoggingDevice dev(inner, [&](const CommandRecord& r) { records.push_back(r); }, true);

  const Bytes get_info{0x04};
  auto now = dev.cbor(get_info, [](Bytes) { FAIL("no later reply expected"); });
  REQUIRE(now);
  CHECK(*now == Bytes{0x00, 0xA1, 0x01, 0x02});
  REQUIRE(records.size() == 1);
  CHECK(records[0].command == 0x04);
  CHECK(records[0].status == 0x00);
  CHECK_FALSE(records[0].waited);
  CHECK(records[0].request == get_info);
  CHECK(records[0].response_len == 4);

  std::optional<Bytes> delivered;
  const Bytes make_cred{0x01, 0xA0};
  CHECK_FALSE(dev.cbor(make_cred, [&](Bytes b) { delivered = std::move(b); }));
  CHECK(records.size() == 1);  // not answered yet
  CHECK(dev.waiting_for_user());
  inner.release(Bytes{0x27});  // CTAP2_ERR_OPERATION_DENIED
  REQUIRE(delivered);
  CHECK(*delivered == Bytes{0x27});
  REQUIRE(records.size() == 2);
  CHECK(records[1].command == 0x01);
  CHECK(records[1].status == 0x27);
  CHECK(records[1].waited);
  CHECK(records[1].request == make_cred);
}

TEST_CASE("command log: without a sink the decorator only passes through") {
  FakeDevice inner;
  CommandLoggingDevice dev(inner, nullptr, false);
  auto now = dev.cbor(Bytes{0x04}, [](Bytes) {});
  REQUIRE(now);
  CHECK((*now)[0] == 0x00);
}
