#include "transports/udp/udp_transport.h"

#include <algorithm>
#include <string>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace vfido::transport::udp {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

// Reports waiting for the peer beyond this are dropped: a peer that never reads must not make
// the key grow without bound.
constexpr std::size_t kMaxQueuedReports = 4096;

// The one error filter of this file (style.md §17): aborted operations are the normal end of a
// closed transport and are not worth a log line.
void fail(Log& log, const boost::system::error_code& ec, std::string_view what) {
  if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) return;
  log.write(LogLevel::kWarning, "udp: " + std::string(what) + ": " + ec.message());
}

std::string endpoint_text(const udp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

UdpTransport::UdpTransport(asio::any_io_executor ex, Options options, ReportHandler on_report, Log& log)
    : socket_(ex), on_report_(std::move(on_report)), log_(log) {
  udp::endpoint bind_ep(asio::ip::make_address(options.host), options.port);
  peer_ = udp::endpoint(asio::ip::make_address(options.peer_host), options.peer_port);
  socket_.open(bind_ep.protocol());
  socket_.bind(bind_ep);
  local_ = socket_.local_endpoint();
}

UdpTransport::~UdpTransport() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void UdpTransport::start() {
  asio::co_spawn(socket_.get_executor(), [self = shared_from_this()] { return self->receive_loop(); },
                 asio::detached);
}

void UdpTransport::close() {
  if (closed_) return;
  closed_ = true;
  // The queue is left alone: an in-flight send may still reference its front element until
  // its handler runs with operation_aborted.
  boost::system::error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<void> UdpTransport::receive_loop() {
  auto self = shared_from_this();  // the transport lives as long as its loop
  while (!closed_) {
    boost::system::error_code ec;
    udp::endpoint from;
    std::size_t n = co_await socket_.async_receive_from(asio::buffer(rx_), from,
                                                         asio::redirect_error(asio::use_awaitable, ec));
    if (closed_ || ec == asio::error::operation_aborted) break;
    if (ec) {
      // Errors on an unconnected datagram socket are per datagram (for example a truncated
      // one); the loop goes on.
      fail(log_, ec, "receive");
      continue;
    }
    deliver(n, from);
  }
}

void UdpTransport::deliver(std::size_t n, const udp::endpoint& from) {
  constexpr std::size_t kLen = vfido::ctaphid::kReportLen;
  ByteSpan data(rx_.data(), n);
  if (n == kLen + 1 && rx_[0] == 0x00) {
    // A HID report-ID byte in front of the report (CTAP 2.1 §11.2.4: FIDO devices have no
    // report IDs, so 0x00 is the only prefix a host adds); strip it.
    data = data.subspan(1);
  } else if (n != kLen) {
    log_.write(LogLevel::kWarning, "udp: dropped a " + std::to_string(n) + "-byte datagram from " +
                                       endpoint_text(from) + " (a report is 64 bytes)");
    return;
  }
  if (std::equal(data.begin(), data.end(), kRebootDatagram.begin(), kRebootDatagram.end())) {
    log_.write(LogLevel::kInfo, "udp: reboot datagram from " + endpoint_text(from));
    if (on_reboot_) on_reboot_();
    return;
  }
  if (on_report_) on_report_(data);
}

void UdpTransport::send(const Report& report) {
  if (closed_) return;
  if (tx_queue_.size() >= kMaxQueuedReports) {
    log_.write(LogLevel::kWarning, "udp: send queue full, dropped a report for " + endpoint_text(peer_));
    return;
  }
  tx_queue_.push_back(report);
  if (!sending_) send_next();
}

void UdpTransport::send_next() {
  if (closed_ || tx_queue_.empty()) {
    sending_ = false;
    return;
  }
  sending_ = true;
  // The front element stays in the deque (stable address) until its send completes.
  socket_.async_send_to(asio::buffer(tx_queue_.front()), peer_,
                        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                          if (self->closed_) {
                            self->sending_ = false;
                            return;
                          }
                          if (ec) fail(self->log_, ec, "send to " + endpoint_text(self->peer_));
                          self->tx_queue_.pop_front();
                          self->send_next();
                        });
}

}  // namespace vfido::transport::udp
