// The loopback UDP advert channel: every scanner bound to the port sees the adverts, stopping
// stops them, and the channel spec parses strictly.
#include <doctest/doctest.h>

#include <boost/asio/ip/udp.hpp>

#include "tests/transports/hybrid/net/net_test_util.h"
#include "transports/hybrid/udp_advert_channel.h"

namespace vfido::cable {
namespace {

using namespace test;

std::uint16_t free_port() {
  asio::io_context io;
  asio::ip::udp::socket s(io, asio::ip::udp::endpoint(asio::ip::address_v4::loopback(), 0));
  return s.local_endpoint().port();
}

TEST_CASE("udp advert channel: two scanners see every advert; stop stops it") {
  asio::io_context io;
  vfido::test::RecordingLog log;
  UdpAdvertOptions o;
  o.port = free_port();
  o.interval = 20ms;
  auto phone = std::make_shared<UdpAdvertChannel>(io.get_executor(), o, log);
  auto a = std::make_shared<UdpAdvertChannel>(io.get_executor(), o, log);
  auto b = std::make_shared<UdpAdvertChannel>(io.get_executor(), o, log);
  std::vector<Bytes> seen_a;
  std::vector<Bytes> seen_b;
  a->start_scanning([&](ByteSpan d) { seen_a.emplace_back(d.begin(), d.end()); });
  b->start_scanning([&](ByteSpan d) { seen_b.emplace_back(d.begin(), d.end()); });
  const Bytes payload(31, 0x5a);
  phone->start_advertising(payload);
  REQUIRE(drive(io, [&] { return seen_a.size() >= 3 && seen_b.size() >= 3; }, 5s));
  CHECK(seen_a.front() == payload);
  CHECK(seen_b.front() == payload);
  phone->stop_advertising();
  settle(io, 100ms);
  const auto count = seen_a.size();
  settle(io, 150ms);
  CHECK(seen_a.size() == count);
  CHECK(phone->adverts_sent() >= 3);
  a->stop_scanning();
  b->stop_scanning();
}

TEST_CASE("udp advert channel: specs") {
  CHECK(parse_advert_channel("udp")->port == 47911);
  CHECK(parse_advert_channel("udp::5000")->port == 5000);
  CHECK(parse_advert_channel("udp::5000")->address == "127.255.255.255");
  auto a = parse_advert_channel("udp:127.0.0.1:6000");
  REQUIRE(a.has_value());
  CHECK(a->address == "127.0.0.1");
  for (const char* bad : {"", "tcp", "udp:", "udp:1.2.3.4", "udp::0", "udp::70000", "udp:host:1", "udp::x"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_advert_channel(bad).has_value());
  }
}

}  // namespace
}  // namespace vfido::cable
