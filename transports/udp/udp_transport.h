// UDP transport: the simulator protocol used by software keys' test suites (and by
// python-fido2's examples). Every CTAPHID report (CTAP 2.1 §11.2.4, 64 bytes, no report ID) is
// one UDP datagram. The key receives on 127.0.0.1:8111 and sends to 127.0.0.1:7112 by default.
// This class only moves reports; framing and channels are the CTAPHID layer's job
// (style.md §14, §15).
//
// Datagrams that are not exactly one report:
//   - 65 bytes starting with 0x00: a report with a HID report-ID prefix (what hidapi-style
//     clients write); the prefix is stripped and the 64 bytes are delivered;
//   - any other size (or 65 bytes not starting with 0x00): logged at warning level and
//     dropped. Nothing that arrives can stop the receive loop.
//
// The reboot datagram: the solo1 software key's simulator reboots itself when it receives one
// fixed 64-byte value (kRebootDatagram; its test harness sends it to power-cycle the simulated
// key between tests). It never reaches the CTAPHID layer: it calls the reboot handler, which
// power-cycles the authenticator (CTAPHID channels stay open: that harness keeps using its
// channel after the reboot).
//
// Threading: one io_context thread; every member function is called from that executor
// (style.md §17). Create with std::make_shared (handlers keep the transport alive).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>  // before awaitable.hpp: Boost 1.74's awaitable.hpp uses std::exchange without it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include "authenticator/bytes.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/log.h"

namespace vfido::transport::udp {

using Report = std::array<std::uint8_t, vfido::ctaphid::kReportLen>;

// The solo1 simulator's reboot datagram: 64 random-looking bytes, sent as one report.
inline constexpr Report kRebootDatagram = {
    0xac, 0x10, 0x52, 0xca, 0x95, 0xe5, 0x69, 0xde, 0x69, 0xe0, 0x2e, 0xbf, 0xf3, 0x33, 0x48, 0x5f,
    0x13, 0xf9, 0xb2, 0xda, 0x34, 0xc5, 0xa8, 0xa3, 0x40, 0x52, 0x66, 0x97, 0xa9, 0xab, 0x2e, 0x0b,
    0x39, 0x4d, 0x8d, 0x04, 0x97, 0x3c, 0x13, 0x40, 0x05, 0xbe, 0x1a, 0x01, 0x40, 0xbf, 0xf6, 0x04,
    0x5b, 0xb2, 0x6e, 0xb7, 0x7a, 0x73, 0xea, 0xa4, 0x78, 0x13, 0xf6, 0xb4, 0x9a, 0x72, 0x50, 0xdc};

struct Options {
  std::string host = "127.0.0.1";       // address to bind; loopback by default (style.md §17)
  std::uint16_t port = 8111;            // 0 = ephemeral (tests); see UdpTransport::local_port()
  std::string peer_host = "127.0.0.1";  // where reports from the key go
  std::uint16_t peer_port = 7112;
};

class UdpTransport final : public std::enable_shared_from_this<UdpTransport> {
 public:
  // Called with each 64-byte report that arrived from the host.
  using ReportHandler = std::function<void(ByteSpan)>;
  // Called when the reboot datagram arrives.
  using RebootHandler = std::function<void()>;

  // Opens and binds the socket at once (so the bound port is known before start()). Throws
  // boost::system::system_error when the address is invalid or the port is taken.
  UdpTransport(boost::asio::any_io_executor ex, Options options, ReportHandler on_report, Log& log);
  ~UdpTransport();
  UdpTransport(const UdpTransport&) = delete;
  UdpTransport& operator=(const UdpTransport&) = delete;

  // What the reboot datagram does; without a handler it is logged and dropped.
  void on_reboot(RebootHandler handler) { on_reboot_ = std::move(handler); }
  // Starts the receive loop.
  void start();
  // Queues one report for the peer; reports leave in order, one send in flight.
  void send(const Report& report);
  // Stops receiving and sending; pending operations end with operation_aborted. Idempotent.
  void close();

  std::uint16_t local_port() const { return local_.port(); }
  const boost::asio::ip::udp::endpoint& local_endpoint() const { return local_; }
  const boost::asio::ip::udp::endpoint& peer_endpoint() const { return peer_; }

 private:
  boost::asio::awaitable<void> receive_loop();
  void deliver(std::size_t n, const boost::asio::ip::udp::endpoint& from);
  void send_next();

  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::udp::endpoint local_;
  boost::asio::ip::udp::endpoint peer_;
  ReportHandler on_report_;
  RebootHandler on_reboot_;
  Log& log_;
  // One byte more than a report plus its ID prefix, so oversized datagrams are seen as such
  // (the kernel truncates silently otherwise).
  std::array<std::uint8_t, vfido::ctaphid::kReportLen + 2> rx_{};
  std::deque<Report> tx_queue_;
  bool sending_ = false;
  bool closed_ = false;
};

}  // namespace vfido::transport::udp
