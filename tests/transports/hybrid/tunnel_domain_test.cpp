// Tunnel-server domains (hybrid-protocol.md §5) and the tunnel service's paths (§4.5, §6.1).
#include <doctest/doctest.h>

#include "tests/transports/hybrid/hybrid_test_util.h"
#include "transports/hybrid/tunnel_domain.h"
#include "transports/hybrid/tunnel_protocol.h"
#include "transports/hybrid/tunnel_url.h"

namespace vfido::cable {
namespace {

using test::hex;
using test::hex_array;

TEST_CASE("tunnel domain: assigned and hashed vectors") {
  CHECK(decode_domain(0) == "cable.ua5v.com");
  CHECK(decode_domain(1) == "cable.auth.com");
  CHECK(decode_domain(266) == "cable.wufkweyy3uaxb.com");  // Chromium's unit test
  CHECK(decode_domain(0xf980) == "cable.my4kstlhndi4c.net");  // webauthn-rs
  CHECK(decode_domain(256) == "cable.qz2ekwmnd332c.info");
  CHECK(decode_domain(0x0102) == "cable.23xp62cfeb2nb.info");
  CHECK(decode_domain(0xffff) == "cable.lw6vahpb5pldb.net");
}

TEST_CASE("tunnel domain: 2..255 are unknown") {
  for (std::uint32_t d = 2; d < 256; ++d) {
    CAPTURE(d);
    CHECK_FALSE(decode_domain(static_cast<std::uint16_t>(d)).has_value());
    CHECK_FALSE(is_known_domain(static_cast<std::uint16_t>(d)));
  }
  CHECK(is_known_domain(0));
  CHECK(is_known_domain(1));
  CHECK_FALSE(is_known_domain(1, 1));
  CHECK_FALSE(is_known_domain(0, 0));
  CHECK(is_known_domain(256, 0));
}

TEST_CASE("tunnel domain: encoding is the inverse") {
  CHECK(encode_domain("cable.ua5v.com") == 0);
  CHECK(encode_domain("cable.auth.com") == 1);
  CHECK(encode_domain("cable.wufkweyy3uaxb.com") == 266);
  CHECK(encode_domain("cable.my4kstlhndi4c.net") == 0xf980);
  CHECK(encode_domain("cable.lw6vahpb5pldb.net") == 0xffff);
  CHECK_FALSE(encode_domain("cable.example.com").has_value());
  CHECK_FALSE(encode_domain("localhost").has_value());
}

TEST_CASE("tunnel paths: webauthn-rs decrypt_known URLs") {
  const TunnelId tunnel = hex_array<16>("367CBBF5F5085DF4098476AFE4B9B1D2");
  const RoutingId routing = hex_array<3>("026555");
  CHECK("wss://" + *decode_domain(0) + connect_path(routing, tunnel) ==
        "wss://cable.ua5v.com/cable/connect/026555/367CBBF5F5085DF4098476AFE4B9B1D2");
  CHECK("wss://" + *decode_domain(0) + new_tunnel_path(tunnel) ==
        "wss://cable.ua5v.com/cable/new/367CBBF5F5085DF4098476AFE4B9B1D2");
}

TEST_CASE("tunnel paths: parsing, either hex case") {
  const TunnelId tunnel = hex_array<16>("367CBBF5F5085DF4098476AFE4B9B1D2");
  auto n = parse_tunnel_target("/cable/new/367cbbf5f5085df4098476afe4b9b1d2");
  REQUIRE(n.has_value());
  CHECK(n->kind == TunnelRequest::Kind::kNew);
  CHECK(n->tunnel_id == tunnel);
  auto c = parse_tunnel_target("/cable/connect/2A0000/367CBBF5F5085DF4098476AFE4B9B1D2");
  REQUIRE(c.has_value());
  CHECK(c->kind == TunnelRequest::Kind::kConnect);
  CHECK(c->routing_id == hex_array<3>("2a0000"));
  CHECK(c->tunnel_id == tunnel);
  const Bytes contact = hex("c0ffee0102");
  auto k = parse_tunnel_target(contact_path(contact));
  REQUIRE(k.has_value());
  CHECK(k->kind == TunnelRequest::Kind::kContact);
  CHECK(k->contact_id == contact);
  auto l = parse_tunnel_target(listen_path(contact));
  REQUIRE(l.has_value());
  CHECK(l->kind == TunnelRequest::Kind::kListen);
  CHECK(l->contact_id == contact);
}

TEST_CASE("tunnel paths: malformed targets") {
  for (const char* bad : {"/", "/cable/new/", "/cable/new/367CBBF5F5085DF4098476AFE4B9B1", "/cable/new/367CBBF5F5085DF4098476AFE4B9B1D2?x=1",
                          "/cable/new/367CBBF5F5085DF4098476AFE4B9B1D2/", "/cable/new/ZZ7CBBF5F5085DF4098476AFE4B9B1D2",
                          "/cable/connect/026555", "/cable/connect/0265/367CBBF5F5085DF4098476AFE4B9B1D2",
                          "/cable/contact/", "/cable/contact/a", "/cable/contact/wA==", "/cable/contact/w+8",
                          "/vfido/listen/", "/cable/other/00", "cable/new/367CBBF5F5085DF4098476AFE4B9B1D2"}) {
    CAPTURE(bad);
    CHECK(parse_tunnel_target(bad).error() == CableError::kBadMessage);
  }
  // A contact ID longer than 64 bytes.
  CHECK_FALSE(parse_tunnel_target(contact_path(Bytes(65, 1))).has_value());
}

TEST_CASE("contact notification: round trip and strict parsing") {
  ContactNotification n;
  n.routing_id = hex_array<3>("010203");
  n.tunnel_id = hex_array<16>("367CBBF5F5085DF4098476AFE4B9B1D2");
  n.client_payload = hex("a10102");
  CHECK(parse_contact_notification(encode_contact_notification(n)) == n);
  CHECK_FALSE(parse_contact_notification(hex("a0")).has_value());
  CHECK_FALSE(parse_contact_notification(hex("00")).has_value());
}

TEST_CASE("tunnel url: ws and wss, ports, IPv6, and what is refused") {
  auto a = parse_tunnel_url("ws://127.0.0.1:47912");
  REQUIRE(a.has_value());
  CHECK_FALSE(a->tls);
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 47912);
  CHECK(a->text() == "ws://127.0.0.1:47912");
  auto b = parse_tunnel_url("wss://cable.ua5v.com/");
  REQUIRE(b.has_value());
  CHECK(b->tls);
  CHECK(b->port == 443);
  CHECK(b->text() == "wss://cable.ua5v.com");
  CHECK(b->host_header() == "cable.ua5v.com");
  auto c = parse_tunnel_url("ws://[::1]:8080");
  REQUIRE(c.has_value());
  CHECK(c->host == "::1");
  CHECK(c->host_header() == "[::1]:8080");
  CHECK(parse_tunnel_url("ws://localhost")->port == 80);
  for (const char* bad : {"http://x", "ws://", "ws://:80", "ws://a:0", "ws://a:65536", "ws://a:8x", "ws://a:",
                          "ws://a/path", "ws://a?q", "ws://user@a", "ws://[::1", "ws://[zz]:1", "wss://a b"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_tunnel_url(bad).has_value());
  }
  CHECK(url_for_domain(0)->text() == "wss://cable.ua5v.com");
  CHECK(url_for_domain(266)->text() == "wss://cable.wufkweyy3uaxb.com");
  CHECK_FALSE(url_for_domain(7).has_value());
}

}  // namespace
}  // namespace vfido::cable
