// The default advert channel: the 31-byte advertising payload as one UDP datagram, broadcast on
// the loopback network (127.255.255.255 by default) every `interval`. Any local process that binds
// the broadcast address and port (with SO_REUSEADDR, so several can) sees every advert, as every
// scanner in range sees a BLE advert; adverts of other sessions are told apart by their tag.
// Nothing leaves the machine: loopback broadcasts are not routed.
#pragma once

#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "authenticator/env/log.h"
#include "transports/hybrid/advert_channel.h"

namespace vfido::cable {

struct UdpAdvertOptions {
  std::string address = "127.255.255.255";
  std::uint16_t port = 47911;
  std::chrono::milliseconds interval{100};
};

// "udp:127.255.255.255:47911", "udp::47911" (default address) or "udp" (defaults); nullopt for
// anything else.
std::optional<UdpAdvertOptions> parse_advert_channel(const std::string& spec);

// Create with std::make_shared; call every member from the executor's thread.
class UdpAdvertChannel final : public AdvertChannel, public std::enable_shared_from_this<UdpAdvertChannel> {
 public:
  UdpAdvertChannel(boost::asio::any_io_executor ex, UdpAdvertOptions options, Log& log);
  ~UdpAdvertChannel() override;

  void start_advertising(Bytes advertising_data) override;
  void stop_advertising() override;
  // Binds the broadcast address and port; throws boost::system::system_error when it cannot.
  void start_scanning(Handler handler) override;
  void stop_scanning() override;

  std::uint64_t adverts_sent() const { return sent_; }

 private:
  void send_once();
  void receive();

  boost::asio::any_io_executor ex_;
  UdpAdvertOptions options_;
  Log& log_;
  boost::asio::ip::udp::endpoint target_;
  std::unique_ptr<boost::asio::ip::udp::socket> tx_;
  std::unique_ptr<boost::asio::ip::udp::socket> rx_;
  boost::asio::steady_timer timer_;
  Bytes payload_;
  Handler handler_;
  std::array<std::uint8_t, 256> rx_buf_{};
  std::uint64_t sent_ = 0;
  std::uint64_t generation_ = 0;  // bumped by stop/start so stale completions do nothing
};

}  // namespace vfido::cable
