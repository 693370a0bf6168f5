#include "transports/hybrid/udp_advert_channel.h"

#include <charconv>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>

namespace vfido::cable {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

}  // namespace

std::optional<UdpAdvertOptions> parse_advert_channel(const std::string& spec) {
  UdpAdvertOptions o;
  if (spec == "udp") return o;
  if (spec.rfind("udp:", 0) != 0) return std::nullopt;
  const std::string rest = spec.substr(4);
  const auto colon = rest.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string host = rest.substr(0, colon);
  const std::string port = rest.substr(colon + 1);
  unsigned p = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p == 0 || p > 65535) return std::nullopt;
  o.port = static_cast<std::uint16_t>(p);
  if (!host.empty()) {
    boost::system::error_code bad;
    auto addr = asio::ip::make_address_v4(host, bad);
    if (bad) return std::nullopt;
    o.address = addr.to_string();
  }
  return o;
}

UdpAdvertChannel::UdpAdvertChannel(asio::any_io_executor ex, UdpAdvertOptions options, Log& log)
    : ex_(std::move(ex)), options_(std::move(options)), log_(log), timer_(ex_) {
  target_ = udp::endpoint(asio::ip::make_address_v4(options_.address), options_.port);
}

UdpAdvertChannel::~UdpAdvertChannel() {
  boost::system::error_code ignored;
  if (tx_) tx_->close(ignored);
  if (rx_) rx_->close(ignored);
}

void UdpAdvertChannel::start_advertising(Bytes advertising_data) {
  if (!tx_) {
    tx_ = std::make_unique<udp::socket>(ex_, udp::v4());
    tx_->set_option(asio::socket_base::broadcast(true));
    // Loopback only: the datagrams leave from 127.0.0.1.
    tx_->bind(udp::endpoint(asio::ip::address_v4::loopback(), 0));
  }
  payload_ = std::move(advertising_data);
  ++generation_;
  send_once();
}

void UdpAdvertChannel::stop_advertising() {
  ++generation_;
  payload_.clear();
  timer_.cancel();
}

void UdpAdvertChannel::send_once() {
  if (payload_.empty() || !tx_) return;
  boost::system::error_code ec;
  tx_->send_to(asio::buffer(payload_), target_, 0, ec);  // a datagram of 31 bytes: never blocks long
  if (ec) {
    log_.write(LogLevel::kWarning, "advert: cannot broadcast to " + target_.address().to_string() + ":" +
                                       std::to_string(target_.port()) + ": " + ec.message());
  } else {
    ++sent_;
  }
  timer_.expires_after(options_.interval);
  timer_.async_wait([weak = weak_from_this(), gen = generation_](const boost::system::error_code& e) {
    auto self = weak.lock();
    if (e || !self || gen != self->generation_) return;
    self->send_once();
  });
}

void UdpAdvertChannel::start_scanning(Handler handler) {
  handler_ = std::move(handler);
  if (rx_) return;
  auto socket = std::make_unique<udp::socket>(ex_, udp::v4());
  socket->set_option(asio::socket_base::reuse_address(true));
  socket->bind(target_);
  rx_ = std::move(socket);
  receive();
}

void UdpAdvertChannel::stop_scanning() {
  handler_ = nullptr;
  if (!rx_) return;
  boost::system::error_code ignored;
  rx_->close(ignored);
  rx_.reset();
}

void UdpAdvertChannel::receive() {
  if (!rx_) return;
  rx_->async_receive(asio::buffer(rx_buf_), [weak = weak_from_this(), socket = rx_.get()](
                                                const boost::system::error_code& ec, std::size_t n) {
    auto self = weak.lock();
    if (!self || self->rx_.get() != socket || ec == asio::error::operation_aborted) return;
    if (!ec && self->handler_) self->handler_(ByteSpan(self->rx_buf_.data(), n));
    self->receive();
  });
}

}  // namespace vfido::cable
