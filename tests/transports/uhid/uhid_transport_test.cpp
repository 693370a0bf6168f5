// UhidTransport without a kernel: one end of a SOCK_SEQPACKET socket pair stands in for
// /dev/uhid (one message per event, like the character device), and the test plays the kernel
// on the other end with the event encoders of uhid_event.h. The last cases put a whole key
// (VirtualKey: core + CTAPHID server) behind the transport.
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "authenticator/bytes.h"
#include "authenticator/env/log.h"
#include "tools/host/virtual_key.h"
#include "transports/uhid/uhid_event.h"
#include "transports/uhid/uhid_transport.h"

namespace {

using namespace vfido::transport::uhid;
using vfido::Bytes;
using vfido::ByteSpan;

// Keeps every log line, so tests can look for warnings.
class RecordingLog final : public vfido::Log {
 public:
  void write(vfido::LogLevel level, std::string_view message) override {
    lines.emplace_back(level, std::string(message));
  }
  bool contains(std::string_view text) const {
    for (const auto& [level, line] : lines) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }
  std::vector<std::pair<vfido::LogLevel, std::string>> lines;
};

// The kernel's end of the pair.
class FakeKernel {
 public:
  FakeKernel() {
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
    kernel_fd = sv[0];
    device_fd = sv[1];
  }
  ~FakeKernel() {
    if (kernel_fd >= 0) ::close(kernel_fd);
  }
  FakeKernel(const FakeKernel&) = delete;
  FakeKernel& operator=(const FakeKernel&) = delete;

  void send(const Event& e) { send_raw(encode_event(e)); }
  void send_raw(const Bytes& b) { REQUIRE(::send(kernel_fd, b.data(), b.size(), 0) == static_cast<ssize_t>(b.size())); }

  // The next event vfido wrote, or nullopt after `ms` without one (or at end of file).
  std::optional<Request> next(int ms = 1000) {
    pollfd p{kernel_fd, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return std::nullopt;
    Bytes buf(event_size() + 16);
    ssize_t n = ::recv(kernel_fd, buf.data(), buf.size(), 0);
    if (n <= 0) return std::nullopt;
    buf.resize(static_cast<std::size_t>(n));
    auto r = decode_request(buf);
    REQUIRE(r);
    return *r;
  }
  // True when vfido closed its end.
  bool peer_closed(int ms = 1000) {
    pollfd p{kernel_fd, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return false;
    char c;
    return ::recv(kernel_fd, &c, 1, MSG_DONTWAIT) == 0;
  }
  void hang_up() {
    ::close(kernel_fd);
    kernel_fd = -1;
  }

  int kernel_fd = -1;
  int device_fd = -1;  // handed to the transport, which owns it
};

// Runs the io_context until `done` holds or two seconds pass.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.restart();
    io.run_for(std::chrono::milliseconds(5));
  }
  return true;
}

Options test_options() {
  Options o;
  o.name = "vfido unit test";
  o.serial = "UT-1";
  o.vendor_id = 0x1209;
  o.product_id = 0x0002;
  return o;
}

Bytes with_report_id(const Bytes& report) {
  Bytes b(report.size() + 1, 0x00);  // report number 0, then the report
  std::copy(report.begin(), report.end(), b.begin() + 1);
  return b;
}

// A transport on the kernel's fake, created (CREATE2 consumed), with `o`.
std::shared_ptr<UhidTransport> created_transport(boost::asio::io_context& io, FakeKernel& kernel, RecordingLog& log,
                                                 const Options& o) {
  auto t = std::make_shared<UhidTransport>(io.get_executor(), kernel.device_fd, o, nullptr, log);
  t->start();
  REQUIRE(kernel.next());  // CREATE2
  return t;
}

struct Fixture {
  Fixture() {
    transport = std::make_shared<UhidTransport>(io.get_executor(), kernel.device_fd, test_options(),
                                                [this](ByteSpan r) { received.emplace_back(r.begin(), r.end()); }, log);
    transport->start();
    auto create = kernel.next();
    REQUIRE(create);
    REQUIRE(std::holds_alternative<Create2>(*create));
    created = std::get<Create2>(*create).info;
  }
  ~Fixture() { transport->close(); }

  boost::asio::io_context io;
  FakeKernel kernel;
  RecordingLog log;
  std::vector<Bytes> received;
  std::shared_ptr<UhidTransport> transport;
  DeviceInfo created;
};

}  // namespace

TEST_CASE("uhid transport: access_hint names the fix for each way /dev/uhid can fail") {
  std::string missing = access_hint(ENOENT, "/dev/uhid");
  CHECK(missing.find("cannot open /dev/uhid") != std::string::npos);
  CHECK(missing.find("modprobe uhid") != std::string::npos);
  CHECK(missing.find("modules-load.d") != std::string::npos);

  std::string denied = access_hint(EACCES, "/dev/uhid", "crw------- root:root");
  CHECK(denied.find("crw------- root:root") != std::string::npos);
  CHECK(denied.find("udev/install.sh") != std::string::npos);
  CHECK(denied.find("usermod -aG vfido") != std::string::npos);

  CHECK(access_hint(ENODEV, "/dev/uhid").find("CONFIG_UHID") != std::string::npos);
  CHECK(access_hint(EIO, "/dev/uhid").find("udev/README.md") != std::string::npos);
}

TEST_CASE("uhid transport: open() of a missing node throws UhidUnavailable with the hint") {
  boost::asio::io_context io;
  RecordingLog log;
  Options o;
  o.path = "/nonexistent/vfido-test/uhid";
  try {
    UhidTransport::open(io.get_executor(), o, {}, log);
    FAIL("open() succeeded");
  } catch (const UhidUnavailable& e) {
    CHECK(e.error_number() == ENOENT);
    CHECK(std::string(e.what()).find("modprobe uhid") != std::string::npos);
  }
}

TEST_CASE("uhid transport: options that do not fit the kernel struct are refused before anything is sent") {
  boost::asio::io_context io;
  RecordingLog log;
  FakeKernel kernel;
  Options o = test_options();
  o.name = std::string(200, 'x');
  CHECK_THROWS_AS(std::make_shared<UhidTransport>(io.get_executor(), kernel.device_fd, o, nullptr, log),
                  std::invalid_argument);
  ::close(kernel.device_fd);  // not adopted
}

TEST_CASE("uhid transport: start() announces the FIDO device with the configured identity") {
  Fixture f;
  CHECK(f.created.name == "vfido unit test");
  CHECK(f.created.uniq == "UT-1");
  CHECK(f.created.phys == "vfido");
  CHECK(f.created.bus == kBusUsb);
  CHECK(f.created.vendor == 0x1209);
  CHECK(f.created.product == 0x0002);
  CHECK(f.created.report_descriptor == Bytes(kFidoReportDescriptor.begin(), kFidoReportDescriptor.end()));
}

TEST_CASE("uhid transport: output reports reach the CTAPHID layer without the report number") {
  Fixture f;
  Bytes report(64);
  for (std::size_t i = 0; i < report.size(); ++i) report[i] = static_cast<std::uint8_t>(i + 1);
  f.kernel.send(Output{with_report_id(report), 1});
  REQUIRE(run_until(f.io, [&] { return f.received.size() == 1; }));
  CHECK(f.received[0] == report);

  // A short write arrives short; the CTAPHID layer pads it.
  f.kernel.send(Output{Bytes{0x00, 0xAA, 0xBB}, 1});
  REQUIRE(run_until(f.io, [&] { return f.received.size() == 2; }));
  CHECK(f.received[1] == Bytes{0xAA, 0xBB});
}

TEST_CASE("uhid transport: unusable reports and garbage events are dropped and the loop goes on") {
  Fixture f;
  Bytes report(64, 0x5A);
  Bytes numbered = with_report_id(report);
  numbered[0] = 0x03;
  f.kernel.send(Output{numbered, 1});                           // report number 3
  f.kernel.send(Output{with_report_id(Bytes(65, 0x01)), 1});    // 65-byte report
  f.kernel.send(Output{Bytes{0x00}, 1});                        // report number alone
  f.kernel.send(Output{with_report_id(report), 0});             // feature report
  f.kernel.send_raw(Bytes{0x06, 0x00});                         // 2 bytes: no whole type
  f.kernel.send_raw(Bytes{0x06, 0x00, 0x00, 0x00, 0x01});       // OUTPUT cut short
  f.kernel.send(OtherEvent{0x7777});                            // unknown type
  f.kernel.send(Output{with_report_id(report), 1});             // and then a good one
  REQUIRE(run_until(f.io, [&] { return f.received.size() == 1; }));
  CHECK(f.received[0] == report);
  CHECK(f.transport->dropped_reports() == 4);
  CHECK(f.log.contains("non-zero report number"));
  CHECK(f.log.contains("ignored an event"));
}

TEST_CASE("uhid transport: send() writes one UHID_INPUT2 per report") {
  Fixture f;
  Report report{};
  for (std::size_t i = 0; i < report.size(); ++i) report[i] = static_cast<std::uint8_t>(0xF0 - i);
  f.transport->send(report);
  auto ev = f.kernel.next();
  REQUIRE(ev);
  REQUIRE(std::holds_alternative<Input2>(*ev));
  CHECK(std::get<Input2>(*ev).data == Bytes(report.begin(), report.end()));
}

TEST_CASE("uhid transport: past the burst, input reports are paced, in order") {
  boost::asio::io_context io;
  FakeKernel kernel;
  RecordingLog log;
  Options o = test_options();
  o.input_burst = 4;
  o.input_interval_us = 5000;
  auto t = created_transport(io, kernel, log, o);
  for (std::uint8_t i = 0; i < 10; ++i) {
    Report r{};
    r[0] = i;
    t->send(r);
  }
  std::vector<std::uint8_t> got;
  while (auto ev = kernel.next(0)) got.push_back(std::get<Input2>(*ev).data.at(0));
  CHECK(got == std::vector<std::uint8_t>{0, 1, 2, 3});  // the burst, without running the io_context
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(run_until(io, [&] {
    while (auto ev = kernel.next(0)) got.push_back(std::get<Input2>(*ev).data.at(0));
    return got.size() == 10;
  }));
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  CHECK(ms >= 25);  // six more at one per 5 ms (the first may come a little early)
  CHECK(got == std::vector<std::uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  t->close();
}

TEST_CASE("uhid transport: close() drops reports still waiting and sends nothing after DESTROY") {
  boost::asio::io_context io;
  FakeKernel kernel;
  RecordingLog log;
  Options o = test_options();
  o.input_burst = 1;
  o.input_interval_us = 1'000'000;
  auto t = created_transport(io, kernel, log, o);
  Report r{};
  t->send(r);
  t->send(r);
  t->send(r);
  REQUIRE(std::holds_alternative<Input2>(*kernel.next()));
  t->close();
  io.restart();
  io.run_for(std::chrono::milliseconds(20));
  auto ev = kernel.next();
  REQUIRE(ev);
  CHECK(std::holds_alternative<Destroy>(*ev));
  CHECK(kernel.peer_closed());
}

TEST_CASE("uhid transport: GET_REPORT and SET_REPORT are answered EIO at once") {
  Fixture f;
  f.kernel.send(GetReport{41, 0, 0});
  f.kernel.send(SetReport{42, 0, 0, Bytes{1, 2}});
  std::optional<Request> get, set;
  REQUIRE(run_until(f.io, [&] {
    if (!get) get = f.kernel.next(0);
    else if (!set) set = f.kernel.next(0);
    return get && set;
  }));
  REQUIRE(std::holds_alternative<GetReportReply>(*get));
  CHECK(std::get<GetReportReply>(*get).id == 41);
  CHECK(std::get<GetReportReply>(*get).err == EIO);
  REQUIRE(std::holds_alternative<SetReportReply>(*set));
  CHECK(std::get<SetReportReply>(*set).id == 42);
  CHECK(std::get<SetReportReply>(*set).err == EIO);
}

TEST_CASE("uhid transport: START/STOP and OPEN/CLOSE are tracked") {
  Fixture f;
  int starts = 0;
  f.transport->set_start_handler([&] { ++starts; });
  CHECK_FALSE(f.transport->started());
  f.kernel.send(Start{0});
  REQUIRE(run_until(f.io, [&] { return f.transport->started(); }));
  CHECK(starts == 1);
  f.kernel.send(Open{});
  REQUIRE(run_until(f.io, [&] { return f.transport->host_open(); }));
  f.kernel.send(Close{});
  REQUIRE(run_until(f.io, [&] { return !f.transport->host_open(); }));
  f.kernel.send(Stop{});
  REQUIRE(run_until(f.io, [&] { return !f.transport->started(); }));
}

TEST_CASE("uhid transport: close() sends UHID_DESTROY, then closes the descriptor; twice is harmless") {
  Fixture f;
  f.transport->close();
  f.transport->close();
  auto ev = f.kernel.next();
  REQUIRE(ev);
  CHECK(std::holds_alternative<Destroy>(*ev));
  CHECK(f.kernel.peer_closed());
  Report r{};
  f.transport->send(r);  // after close: nothing, no crash
}

TEST_CASE("uhid transport: losing the device calls the failure handler once") {
  Fixture f;
  int failures = 0;
  std::string why;
  f.transport->set_failure_handler([&](const std::string& w) {
    ++failures;
    why = w;
  });
  f.kernel.hang_up();
  REQUIRE(run_until(f.io, [&] { return failures == 1; }));
  CHECK(why.find("closed") != std::string::npos);
}

TEST_CASE("uhid transport: a whole key answers CTAPHID_INIT through uhid") {
  boost::asio::io_context io;
  FakeKernel kernel;
  vfido::host::KeyOptions options;
  vfido::host::VirtualKey key(io, options);
  auto t = key.add_uhid(test_options(), kernel.device_fd);
  key.start();
  REQUIRE(kernel.next());  // CREATE2
  kernel.send(Start{0});
  kernel.send(Open{});

  // CTAP 2.1 §11.2.9.1.3: INIT on the broadcast channel with an 8-byte nonce.
  Bytes init(64, 0);
  init[0] = init[1] = init[2] = init[3] = 0xFF;
  init[4] = 0x86;
  init[6] = 8;
  for (std::size_t i = 0; i < 8; ++i) init[7 + i] = static_cast<std::uint8_t>(0xA0 + i);
  kernel.send(Output{with_report_id(init), 1});

  std::optional<Request> reply;
  REQUIRE(run_until(io, [&] {
    reply = kernel.next(0);
    return reply.has_value();
  }));
  REQUIRE(std::holds_alternative<Input2>(*reply));
  const Bytes& r = std::get<Input2>(*reply).data;
  REQUIRE(r.size() == 64);
  CHECK(r[0] == 0xFF);
  CHECK(r[4] == 0x86);
  CHECK(r[6] == 17);
  CHECK(Bytes(r.begin() + 7, r.begin() + 15) == Bytes(init.begin() + 7, init.begin() + 15));
  const Bytes cid(r.begin() + 15, r.begin() + 19);
  CHECK(cid != Bytes(4, 0xFF));
  CHECK(cid != Bytes(4, 0x00));

  key.shutdown();
  std::optional<Request> last;
  while (auto ev = kernel.next(200)) last = ev;
  REQUIRE(last);
  CHECK(std::holds_alternative<Destroy>(*last));
}

TEST_CASE("uhid transport: the command log sees each CTAP command with its status") {
  boost::asio::io_context io;
  FakeKernel kernel;
  std::vector<vfido::host::CommandRecord> records;
  vfido::host::KeyOptions options;
  options.on_command = [&](const vfido::host::CommandRecord& r) { records.push_back(r); };
  options.command_bytes = true;
  vfido::host::VirtualKey key(io, options);
  key.add_uhid(test_options(), kernel.device_fd);
  key.start();
  REQUIRE(kernel.next());  // CREATE2

  auto exchange = [&](const Bytes& report) -> Bytes {
    kernel.send(Output{with_report_id(report), 1});
    std::optional<Request> reply;
    REQUIRE(run_until(io, [&] {
      reply = kernel.next(0);
      return reply.has_value();
    }));
    return std::get<Input2>(*reply).data;
  };
  Bytes init(64, 0);
  init[0] = init[1] = init[2] = init[3] = 0xFF;
  init[4] = 0x86;
  init[6] = 8;
  Bytes init_reply = exchange(init);
  // CTAPHID_CBOR (0x90) authenticatorGetInfo (0x04) on the new channel.
  Bytes cbor(64, 0);
  std::copy(init_reply.begin() + 15, init_reply.begin() + 19, cbor.begin());
  cbor[4] = 0x90;
  cbor[6] = 1;
  cbor[7] = 0x04;
  Bytes first = exchange(cbor);
  CHECK(first[4] == 0x90);
  CHECK(first[7] == 0x00);  // CTAP2_OK

  REQUIRE(records.size() == 1);
  CHECK(records[0].command == 0x04);
  CHECK(records[0].status == 0x00);
  CHECK(records[0].request == Bytes{0x04});
  CHECK(records[0].response_len > 1);
  CHECK(records[0].ms >= 0.0);
  key.shutdown();
}
