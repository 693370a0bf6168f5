// The CTAPHID prober (vfido probe). Against vfido's own Unix and UDP transports it must pass every
// check; against an in-memory CTAPHID server on a manual clock (time passes only in read()) it
// also sees a pending request cancelled, and it must FAIL devices that break the rules.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <deque>
#include <memory>
#include <string>

#include "tests/support/test_env.h"
#include "tools/host/ctaphid_probe.h"
#include "tools/host/report_channel.h"
#include "tools/host/virtual_key.h"
#include "transports/ctaphid/authenticator_device.h"
#include "transports/ctaphid/server.h"

namespace {

using namespace vfido::host;
using vfido::transport::ctaphid::AuthenticatorDevice;
using vfido::transport::ctaphid::Server;

// A CTAPHID server behind a ReportChannel, on the TestDevice's manual clock: read() advances the
// clock in 5 ms steps, ticking the server, until a report is there or the timeout is used up.
class ServerChannel : public ReportChannel {
 public:
  explicit ServerChannel(vfido::test::PresenceMode presence = vfido::test::PresenceMode::kAutoApprove,
                         vfido::AuthenticatorProfile profile = {}, vfido::transport::ctaphid::ServerOptions options = {})
      : key_(std::move(profile), presence),
        device_(key_.auth),
        server_(device_, key_.t.clock, key_.t.rng, [this](const Report& r) { out_.push_back(r); }, options) {}

  bool write(const Report& report) override {
    server_.feed(report);
    return true;
  }
  std::optional<Report> read(int timeout_ms) override {
    for (int waited = 0; out_.empty() && waited < timeout_ms; waited += 5) {
      key_.t.clock.advance(5);
      server_.tick();
    }
    if (out_.empty()) return std::nullopt;
    Report r = out_.front();
    out_.pop_front();
    return r;
  }
  std::string description() const override { return "in-memory"; }

  const vfido::Clock& clock() const { return key_.t.clock; }

 protected:
  std::deque<Report> out_;

 private:
  vfido::test::TestDevice key_;
  AuthenticatorDevice device_;
  Server server_;
};

ProbeOptions options_for(const ServerChannel& ch) {
  ProbeOptions o;
  o.seed = 42;
  o.clock = &ch.clock();
  return o;
}

const ProbeCheck& find(const std::vector<ProbeCheck>& checks, const std::string& name) {
  for (const auto& c : checks) {
    if (c.name == name) return c;
  }
  FAIL("no check named " << name);
  return checks.front();
}

std::string table(const std::vector<ProbeCheck>& checks) { return format_probe_table(checks); }

class TempDir {
 public:
  TempDir() {
    std::string templ = "/tmp/vfido-probe-XXXXXX";
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path = templ;
  }
  ~TempDir() {
    ::unlink((path + "/key.sock").c_str());
    ::rmdir(path.c_str());
  }
  std::string path;
};

}  // namespace

TEST_CASE("probe: every check passes against vfido's Unix socket transport") {
  TempDir dir;
  BackgroundKey key;
  key.add_unix(dir.path + "/key.sock");
  key.start();
  auto ch = open_unix_channel(dir.path + "/key.sock");
  REQUIRE(ch);
  auto checks = run_probe(*ch);
  INFO(table(checks));
  CHECK(all_passed(checks));
  CHECK(checks.size() == 6);
  CHECK(find(checks, "ping").detail.find("7609 bytes (129 reports each way)") != std::string::npos);
  CHECK(find(checks, "msg_timeout").detail.find("ERR_MSG_TIMEOUT") != std::string::npos);
}

TEST_CASE("probe: every check passes against vfido's UDP transport") {
  BackgroundKey key;
  vfido::transport::udp::Options udp;
  udp.port = 0;           // any free port for the key
  udp.peer_port = 47112;  // where the key sends; the prober receives there
  const std::uint16_t port = key.add_udp(udp);
  key.start();
  auto ch = open_udp_channel("127.0.0.1", port, 47112);
  REQUIRE(ch);
  auto checks = run_probe(*ch);
  INFO(table(checks));
  CHECK(all_passed(checks));
}

TEST_CASE("probe: in memory, every check passes and the table lists them") {
  ServerChannel ch;
  auto checks = run_probe(ch, options_for(ch));
  INFO(table(checks));
  REQUIRE(all_passed(checks));
  const std::string t = table(checks);
  for (const char* name : {"init", "ping", "invalid_seq", "channel_busy", "cancel", "msg_timeout"}) {
    CHECK(t.find(std::string(name)) != std::string::npos);
  }
  CHECK(t.find("FAIL") == std::string::npos);
  // The server's transaction timeout is 500 ms; the prober measures it on the same clock.
  CHECK(find(checks, "msg_timeout").detail.find("ERR_MSG_TIMEOUT 5") != std::string::npos);
  CHECK(find(checks, "cancel").detail.find("none to cancel") != std::string::npos);
}

TEST_CASE("probe: a request waiting for the user is cancelled with KEEPALIVE_CANCEL") {
  ServerChannel ch(vfido::test::PresenceMode::kScripted);  // an empty script holds every request
  auto checks = run_probe(ch, options_for(ch));
  INFO(table(checks));
  const ProbeCheck& cancel = find(checks, "cancel");
  CHECK(cancel.verdict == ProbeVerdict::kPass);
  CHECK(cancel.detail.find("pending authenticatorSelection cancelled → CTAP2_ERR_KEEPALIVE_CANCEL") !=
        std::string::npos);
}

TEST_CASE("probe: a CTAP 2.0 key's pending makeCredential (.dummy) is cancelled with KEEPALIVE_CANCEL") {
  ServerChannel ch(vfido::test::PresenceMode::kScripted, vfido::test::ctap20_profile());
  auto checks = run_probe(ch, options_for(ch));
  INFO(table(checks));
  const ProbeCheck& cancel = find(checks, "cancel");
  CHECK(cancel.verdict == ProbeVerdict::kPass);
  CHECK(cancel.detail.find("pending makeCredential (.dummy) cancelled → CTAP2_ERR_KEEPALIVE_CANCEL") !=
        std::string::npos);
}

// Devices that break the rules: the prober must say FAIL.

TEST_CASE("probe: FAIL when the PING echo comes back altered") {
  struct Corrupting : ServerChannel {
    std::optional<Report> read(int timeout_ms) override {
      auto r = ServerChannel::read(timeout_ms);
      if (r && (*r)[4] == 0x81 && (*r)[5] == 0x1D && (*r)[6] == 0xB9) (*r)[30] ^= 0x01;  // the 7609-byte PING
      return r;
    }
  } ch;
  auto checks = run_probe(ch, options_for(ch));
  INFO(table(checks));
  CHECK_FALSE(all_passed(checks));
  CHECK(find(checks, "ping").verdict == ProbeVerdict::kFail);
  CHECK(find(checks, "ping").detail == "echo differs at byte 23");
  CHECK(find(checks, "init").verdict == ProbeVerdict::kPass);
}

TEST_CASE("probe: FAIL when an unfinished message never times out") {
  vfido::transport::ctaphid::ServerOptions lax;
  lax.transaction_timeout_ms = 600'000;
  ServerChannel ch(vfido::test::PresenceMode::kAutoApprove, {}, lax);
  auto checks = run_probe(ch, options_for(ch));
  INFO(table(checks));
  const ProbeCheck& timeout = find(checks, "msg_timeout");
  CHECK(timeout.verdict == ProbeVerdict::kFail);
  CHECK(timeout.detail.find("expected ERR_MSG_TIMEOUT") != std::string::npos);
  // With the channel held for ten minutes, the other checks before it still passed.
  CHECK(find(checks, "channel_busy").verdict == ProbeVerdict::kPass);
}

TEST_CASE("probe: FAIL when the device answers an idle CANCEL") {
  struct Chatty : ServerChannel {
    bool write(const Report& report) override {
      if (report[4] == 0x91) {  // CTAPHID_CANCEL: answer it, which §11.2.9.1.5 forbids
        Report err{};
        std::copy(report.begin(), report.begin() + 4, err.begin());
        err[4] = 0xBF;
        err[6] = 1;
        err[7] = 0x7F;
        out_.push_back(err);
        return true;
      }
      return ServerChannel::write(report);
    }
  } ch;
  auto checks = run_probe(ch, options_for(ch));
  const ProbeCheck& cancel = find(checks, "cancel");
  CHECK(cancel.verdict == ProbeVerdict::kFail);
  CHECK(cancel.detail == "CANCEL on an idle channel was answered with CTAPHID_ERROR ERR_OTHER");
}

TEST_CASE("probe: FAIL everywhere, quickly, when nothing answers") {
  struct Dead : ReportChannel {
    vfido::ManualClock clock;
    bool write(const Report&) override { return true; }
    std::optional<Report> read(int timeout_ms) override {
      clock.advance(static_cast<std::uint64_t>(timeout_ms));
      return std::nullopt;
    }
    std::string description() const override { return "dead"; }
  } ch;
  ProbeOptions o;
  o.clock = &ch.clock;
  auto checks = run_probe(ch, o);
  REQUIRE(checks.size() == 6);
  for (const auto& c : checks) {
    CAPTURE(c.name);
    CHECK(c.verdict == ProbeVerdict::kFail);
  }
  CHECK(find(checks, "init").detail.find("no reply within 3000 ms") != std::string::npos);
  CHECK_FALSE(all_passed(checks));
}
