// The tunnel server through real sockets on loopback, with vfido's own WebSocket client and with
// hostile raw clients: routing IDs, pairing and forwarding, held messages, the HTTP refusals,
// text and oversized messages, garbage and silence, timeouts, the contact/listen channel,
// graceful shutdown, and wss with a configured certificate. After every hostile peer the server
// must still serve a normal tunnel.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include "authenticator/crypto/x509.h"
#include "tests/transports/hybrid/net/net_test_util.h"
#include "transports/hybrid/linking.h"
#include "transports/hybrid/tunnel_protocol.h"
#include "transports/hybrid/tunnel_server.h"
#include "transports/hybrid/websocket_pipe.h"

namespace vfido::cable {
namespace {

using namespace test;
namespace vt = vfido::test;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct Fixture {
  explicit Fixture(TunnelServerOptions o = {}) {
    server = std::make_unique<TunnelServer>(io.get_executor(), std::move(o), log);
    server->start();
  }
  ~Fixture() {
    bool done = false;
    server->shutdown([&] { done = true; });
    drive(io, [&] { return done; }, 5s);
  }

  CableResult<WebSocketConnection> connect(const std::string& target, WebSocketConnectOptions o = {}) {
    auto r = spawn<CableResult<WebSocketConnection>>(io, [&, target, o]() {
      return connect_websocket(io.get_executor(), server->url(), target, o, client_log);
    });
    REQUIRE(drive(io, [&] { return r->done(); }));
    return std::move(*r->value);
  }
  std::shared_ptr<MessagePipe> open(const std::string& target, std::map<std::string, std::string>* headers = nullptr) {
    auto c = connect(target);
    REQUIRE(c.has_value());
    if (headers != nullptr) *headers = c->headers;
    return c->pipe;
  }
  CableResult<Bytes> read(MessagePipe& p, std::chrono::milliseconds t = 2s) {
    auto r = spawn<CableResult<Bytes>>(io, [&p, t]() { return p.read(t); });
    REQUIRE(drive(io, [&] { return r->done(); }, t + 5s));
    return std::move(*r->value);
  }
  void write(MessagePipe& p, Bytes m) {
    auto r = spawn<CableResult<void>>(io, [&p, m]() { return p.write(m); });
    REQUIRE(drive(io, [&] { return r->done(); }));
    REQUIRE(r->value->has_value());
  }
  // A joined tunnel that forwards one message each way: the server still serves.
  void check_still_serving() {
    TunnelId id{};
    rng.fill(id);
    std::map<std::string, std::string> h;
    auto phone = open(new_tunnel_path(id), &h);
    RoutingId routing{};
    auto bytes = parse_hex_any_case(h["x-cable-routing-id"]);
    REQUIRE(bytes.has_value());
    std::copy(bytes->begin(), bytes->end(), routing.begin());
    auto desktop = open(connect_path(routing, id));
    write(*desktop, Bytes{1, 2, 3});
    CHECK(read(*phone) == Bytes{1, 2, 3});
    write(*phone, Bytes{4});
    CHECK(read(*desktop) == Bytes{4});
    desktop->abort();
    phone->abort();
  }

  asio::io_context io;
  vt::RecordingLog log;
  vt::RecordingLog client_log;
  std::unique_ptr<TunnelServer> server;
  SeededRng rng{21};
};

RoutingId routing_of(std::map<std::string, std::string>& headers) {
  auto b = parse_hex_any_case(headers["x-cable-routing-id"]);
  REQUIRE(b.has_value());
  REQUIRE(b->size() == 3);
  RoutingId r{};
  std::copy(b->begin(), b->end(), r.begin());
  return r;
}

TEST_CASE("tunnel server: new and connect, routing ID, held messages, forwarding in order, closing") {
  Fixture f;
  TunnelId id{};
  f.rng.fill(id);
  std::map<std::string, std::string> headers;
  auto phone = f.open(new_tunnel_path(id), &headers);
  // §6.1: six uppercase hex digits.
  REQUIRE(headers.count("x-cable-routing-id") == 1);
  const std::string routing_text = headers["x-cable-routing-id"];
  CHECK(routing_text.size() == 6);
  CHECK(routing_text == hex_upper(routing_of(headers)));
  CHECK(headers["sec-websocket-protocol"] == "fido.cable");
  // Sent before the other end joins: held for it.
  f.write(*phone, Bytes{0xaa});
  f.write(*phone, Bytes{0xbb, 0xcc});

  RoutingId wrong = routing_of(headers);
  wrong[0] ^= 1;
  CHECK(f.connect(connect_path(wrong, id)).error() == CableError::kTunnelRefused);
  CHECK(f.client_log.contains("HTTP 404"));
  // Hex is accepted in either case.
  std::string lower_path = connect_path(routing_of(headers), id);
  std::transform(lower_path.begin() + 15, lower_path.end(), lower_path.begin() + 15,
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  auto desktop = f.open(lower_path);
  CHECK(f.read(*desktop) == Bytes{0xaa});
  CHECK(f.read(*desktop) == Bytes{0xbb, 0xcc});
  for (std::uint8_t i = 0; i < 20; ++i) f.write(*desktop, Bytes(static_cast<std::size_t>(i) + 1, i));
  for (std::uint8_t i = 0; i < 20; ++i) CHECK(f.read(*phone) == Bytes(static_cast<std::size_t>(i) + 1, i));
  f.write(*phone, Bytes(5000, 7));
  CHECK(f.read(*desktop) == Bytes(5000, 7));
  CHECK(f.server->stats().joined == 1);

  // One end leaves: the other is closed.
  auto closing = spawn<bool>(f.io, [&]() -> asio::awaitable<bool> {
    co_await desktop->close();
    co_return true;
  });
  CHECK(f.read(*phone).error() == CableError::kTunnelClosed);
  drive(f.io, [&] { return closing->done(); });
  settle(f.io, 100ms);
  CHECK(f.server->stats().tunnels == 0);
}

TEST_CASE("tunnel server: refusals (409, 404, 503) and the server goes on") {
  TunnelServerOptions o;
  o.max_tunnels = 2;
  Fixture f(o);
  TunnelId id{};
  f.rng.fill(id);
  std::map<std::string, std::string> h;
  auto first = f.open(new_tunnel_path(id), &h);
  // §6.3: the same tunnel ID again is 409 Conflict.
  CHECK(f.connect(new_tunnel_path(id)).error() == CableError::kTunnelRefused);
  CHECK(f.client_log.contains("HTTP 409"));
  // An unknown tunnel is 404.
  TunnelId other{};
  f.rng.fill(other);
  CHECK(f.connect(connect_path(routing_of(h), other)).error() == CableError::kTunnelRefused);
  // A third end is refused.
  auto second = f.open(connect_path(routing_of(h), id));
  CHECK(f.connect(connect_path(routing_of(h), id)).error() == CableError::kTunnelRefused);
  // Unknown paths.
  CHECK(f.connect("/cable/nothing").error() == CableError::kTunnelRefused);
  CHECK(f.connect("/").error() == CableError::kTunnelRefused);
  // The tunnel limit: one more is fine, then 503.
  TunnelId third{};
  f.rng.fill(third);
  auto t2 = f.open(new_tunnel_path(third));
  f.rng.fill(third);
  CHECK(f.connect(new_tunnel_path(third)).error() == CableError::kTunnelRefused);
  CHECK(f.client_log.contains("HTTP 503"));
  CHECK(f.server->stats().refused >= 5);
  first->abort();
  second->abort();
  t2->abort();
  settle(f.io, 100ms);
  f.check_still_serving();
}

// Raw TCP: sends `request` and returns everything the server sends until it closes (or 3 s).
std::string raw_exchange(Fixture& f, std::string request) {
  auto r = spawn<std::string>(f.io, [&, request]() -> asio::awaitable<std::string> {
    tcp::socket s(f.io);
    boost::system::error_code ec;
    co_await s.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), f.server->port()),
                             asio::redirect_error(asio::use_awaitable, ec));
    REQUIRE_FALSE(ec);
    if (!request.empty()) co_await asio::async_write(s, asio::buffer(request), asio::redirect_error(asio::use_awaitable, ec));
    std::string out;
    std::array<char, 1024> buf{};
    for (;;) {
      const std::size_t n = co_await s.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      out.append(buf.data(), n);
    }
    co_return out;
  });
  REQUIRE(drive(f.io, [&] { return r->done(); }, 5s));
  return *r->value;
}

TEST_CASE("tunnel server: plain HTTP, a missing subprotocol, garbage and silence get answers or a cut") {
  TunnelServerOptions o;
  o.handshake_timeout = 300ms;
  Fixture f(o);
  SUBCASE("a plain GET is 400") {
    const std::string reply = raw_exchange(f, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
  }
  SUBCASE("an upgrade without fido.cable is 400") {
    const std::string reply = raw_exchange(
        f, "GET /cable/new/000102030405060708090A0B0C0D0E0F HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Protocol: chat\r\n\r\n");
    CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(reply.find("fido.cable") != std::string::npos);
  }
  SUBCASE("garbage bytes are cut") {
    std::string garbage(300, '\x01');
    garbage += "\r\n\r\n";
    CHECK(raw_exchange(f, garbage).find("101") == std::string::npos);
  }
  SUBCASE("an oversized header is cut") {
    CHECK(raw_exchange(f, "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n").find("101") ==
          std::string::npos);
  }
  SUBCASE("silence is cut after the handshake timeout") {
    const auto start = std::chrono::steady_clock::now();
    CHECK(raw_exchange(f, "").empty());
    CHECK(std::chrono::steady_clock::now() - start < 3s);
  }
  f.check_still_serving();
}

TEST_CASE("tunnel server: text and oversized messages close the sender and its tunnel; others go on") {
  TunnelServerOptions o;
  o.max_message = 1024;
  Fixture f(o);
  TunnelId id{};
  f.rng.fill(id);
  std::map<std::string, std::string> h;
  auto phone = f.open(new_tunnel_path(id), &h);
  const RoutingId routing = routing_of(h);
  SUBCASE("oversized") {
    auto desktop = f.open(connect_path(routing, id));
    f.write(*desktop, Bytes(1025, 1));  // the client side has no limit; the server's is 1024
    CHECK(f.read(*desktop).error() == CableError::kOversized);  // closed with 1009
    CHECK(f.read(*phone).error() == CableError::kTunnelClosed);
    CHECK(f.log.contains("above 1024 bytes"));
  }
  SUBCASE("a text message") {
    // Beast directly: vfido's pipe only sends binary messages.
    auto r = spawn<bool>(f.io, [&]() -> asio::awaitable<bool> {
      beast::websocket::stream<beast::tcp_stream> ws(f.io);
      boost::system::error_code ec;
      co_await beast::get_lowest_layer(ws).async_connect(
          tcp::endpoint(asio::ip::make_address("127.0.0.1"), f.server->port()), asio::redirect_error(asio::use_awaitable, ec));
      REQUIRE_FALSE(ec);
      ws.set_option(beast::websocket::stream_base::decorator([](beast::websocket::request_type& req) {
        req.set(beast::http::field::sec_websocket_protocol, "fido.cable");
      }));
      co_await ws.async_handshake("127.0.0.1", connect_path(routing, id), asio::redirect_error(asio::use_awaitable, ec));
      REQUIRE_FALSE(ec);
      ws.text(true);
      co_await ws.async_write(asio::buffer(std::string("hello")), asio::redirect_error(asio::use_awaitable, ec));
      beast::flat_buffer b;
      co_await ws.async_read(b, asio::redirect_error(asio::use_awaitable, ec));
      CHECK(ec == beast::websocket::error::closed);
      CHECK(ws.reason().code == beast::websocket::close_code::unknown_data);
      co_return true;
    });
    REQUIRE(drive(f.io, [&] { return r->done(); }));
    CHECK(f.read(*phone).error() == CableError::kTunnelClosed);
    CHECK(f.log.contains("text message"));
  }
  f.check_still_serving();
}

TEST_CASE("tunnel server: pairing and idle timeouts") {
  TunnelServerOptions o;
  o.pairing_timeout = 300ms;
  o.idle_timeout = 400ms;
  Fixture f(o);
  TunnelId id{};
  f.rng.fill(id);
  std::map<std::string, std::string> h;
  SUBCASE("nobody joins") {
    auto phone = f.open(new_tunnel_path(id), &h);
    const auto start = std::chrono::steady_clock::now();
    CHECK(f.read(*phone, 5s).error() == CableError::kTunnelClosed);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(f.log.contains("unpaired tunnel"));
  }
  SUBCASE("a joined tunnel falls silent") {
    auto phone = f.open(new_tunnel_path(id), &h);
    auto desktop = f.open(connect_path(routing_of(h), id));
    f.write(*desktop, Bytes{1});
    CHECK(f.read(*phone) == Bytes{1});
    CHECK(f.read(*phone, 5s).error() == CableError::kTunnelClosed);
    CHECK(f.read(*desktop, 5s).error() == CableError::kTunnelClosed);
    CHECK(f.log.contains("idle tunnel"));
  }
}

TEST_CASE("tunnel server: contact and listen (the linked flow's rendezvous)") {
  Fixture f;
  const Bytes contact = {0xc0, 0xff, 0xee, 0x01};
  ClientPayload payload;
  payload.link_id = {1, 2, 3, 4, 5, 6, 7, 8};
  payload.hint = "ga";
  WebSocketConnectOptions desktop_options;
  desktop_options.headers = {{std::string(kClientPayloadHeader), hex_upper(encode_client_payload(payload))},
                             {std::string(kSignalConnectionHeader), "true"}};
  // §6.1: a contact ID the server never heard of is 410 Gone.
  CHECK(f.connect(contact_path(contact), desktop_options).error() == CableError::kTunnelGone);

  auto listener = f.open(listen_path(contact));
  settle(f.io, 50ms);
  CHECK(f.server->stats().listeners == 1);
  // A malformed client payload is 400.
  WebSocketConnectOptions bad = desktop_options;
  bad.headers[0].second = "ZZ";
  CHECK(f.connect(contact_path(contact), bad).error() == CableError::kTunnelRefused);

  auto desktop_conn = f.connect(contact_path(contact), desktop_options);
  REQUIRE(desktop_conn.has_value());
  CHECK(desktop_conn->headers.count("x-cable-signal-connection") == 1);
  auto desktop = desktop_conn->pipe;
  // The phone hears where to join.
  auto note = f.read(*listener);
  REQUIRE(note.has_value());
  auto n = parse_contact_notification(*note);
  REQUIRE(n.has_value());
  CHECK(n->client_payload == encode_client_payload(payload));
  auto phone = f.open(connect_path(n->routing_id, n->tunnel_id));
  // §6.2: the desktop first gets the single 0x00 byte.
  CHECK(f.read(*desktop) == Bytes{kConnectionSignal});
  f.write(*desktop, Bytes{9, 9});
  CHECK(f.read(*phone) == Bytes{9, 9});
  f.write(*phone, Bytes{8});
  CHECK(f.read(*desktop) == Bytes{8});
  phone->abort();
  desktop->abort();

  // Without a listening phone: 503, and the contact ID stays known (not 410).
  listener->abort();
  settle(f.io, 100ms);
  auto gone = f.connect(contact_path(contact), desktop_options);
  CHECK(gone.error() == CableError::kTunnelRefused);
  CHECK(f.client_log.contains("HTTP 503"));
  f.check_still_serving();
}

TEST_CASE("tunnel server: a contacts file keeps the phones' contact IDs across a restart (503, not 410)") {
  char tmpl[] = "/tmp/vfido-contacts-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  const std::string file = dir + "/contacts";
  const Bytes contact = {0xab, 0xcd, 0x01};
  ClientPayload payload;
  payload.link_id = {1, 2, 3, 4, 5, 6, 7, 8};
  WebSocketConnectOptions desktop_options;
  desktop_options.headers = {{std::string(kClientPayloadHeader), hex_upper(encode_client_payload(payload))}};
  TunnelServerOptions o;
  o.contacts_file = file;
  {
    Fixture f(o);
    auto listener = f.open(listen_path(contact));
    settle(f.io, 50ms);
    CHECK(f.server->stats().listeners == 1);
  }
  struct stat st{};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::ifstream in(file);
  std::string line;
  REQUIRE(std::getline(in, line));
  CHECK(line == "ABCD01");
  {
    // The restarted server knows the contact: its phone is only not back yet.
    Fixture f(o);
    CHECK(f.connect(contact_path(contact), desktop_options).error() == CableError::kTunnelRefused);
    CHECK(f.client_log.contains("HTTP 503"));
    CHECK(f.connect(contact_path(Bytes{0x99}), desktop_options).error() == CableError::kTunnelGone);
    // Listening again does not write the ID twice.
    auto listener = f.open(listen_path(contact));
    settle(f.io, 50ms);
  }
  std::ifstream again(file);
  std::size_t lines = 0;
  while (std::getline(again, line)) ++lines;
  CHECK(lines == 1);
  // A file that is not a list of hex IDs stops the server from starting.
  {
    std::ofstream bad(file, std::ios::app);
    bad << "not hex\n";
  }
  boost::asio::io_context io;
  vt::RecordingLog log;
  CHECK_THROWS_AS(TunnelServer(io.get_executor(), o, log), std::runtime_error);
  ::unlink(file.c_str());
  ::rmdir(dir.c_str());
}

TEST_CASE("tunnel server: graceful shutdown closes every end and finishes") {
  asio::io_context io;
  vt::RecordingLog log;
  vt::RecordingLog client_log;
  TunnelServer server(io.get_executor(), {}, log);
  const WebSocketConnectOptions defaults;  // named: see flows_test.cpp
  server.start();
  TunnelId id{};
  id[0] = 1;
  auto phone_conn = spawn<CableResult<WebSocketConnection>>(io, [&]() {
    return connect_websocket(io.get_executor(), server.url(), new_tunnel_path(id), defaults, client_log);
  });
  REQUIRE(drive(io, [&] { return phone_conn->done(); }));
  REQUIRE(phone_conn->value->has_value());
  auto pipe = (*phone_conn->value)->pipe;
  auto reading = spawn<CableResult<Bytes>>(io, [pipe]() { return pipe->read(10s); });
  bool done = false;
  server.shutdown([&] { done = true; });
  REQUIRE(drive(io, [&] { return done && reading->done(); }, 10s));
  CHECK(reading->value->error() == CableError::kTunnelClosed);
  CHECK(server.stats().connections == 0);
  // New connections are refused now.
  auto late = spawn<CableResult<WebSocketConnection>>(io, [&]() {
    return connect_websocket(io.get_executor(), server.url(), new_tunnel_path(id), defaults, client_log);
  });
  REQUIRE(drive(io, [&] { return late->done(); }));
  CHECK_FALSE(late->value->has_value());
}

// A CA and a server certificate for "localhost" in a temporary directory.
struct TlsFiles {
  TlsFiles() {
    char tmpl[] = "/tmp/vfido-tls-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    SeededRng rng(5);
    auto ca_key = crypto::PrivateKey::generate(cose::kAlgEs256, rng);
    auto leaf_key = crypto::PrivateKey::generate(cose::kAlgEs256, rng);
    REQUIRE((ca_key && leaf_key));
    const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
    auto ca = crypto::make_root_ca({"", "vfido test", "", "vfido test CA"}, {now - 3600, now + 86400}, *ca_key, rng);
    REQUIRE(ca.has_value());
    crypto::CertificateSpec spec;
    spec.subject.common_name = "localhost";
    spec.validity = {now - 3600, now + 86400};
    auto leaf = crypto::issue_certificate(spec, *leaf_key, &*ca, *ca_key, rng);
    REQUIRE(leaf.has_value());
    auto key_pem = crypto::private_key_to_pem(*leaf_key);
    REQUIRE(key_pem.has_value());
    std::ofstream(dir + "/ca.pem") << ca->pem();
    std::ofstream(dir + "/cert.pem") << leaf->pem() << ca->pem();
    std::ofstream(dir + "/key.pem") << std::string(key_pem->expose().begin(), key_pem->expose().end());
  }
  ~TlsFiles() {
    for (const char* f : {"/ca.pem", "/cert.pem", "/key.pem"}) ::unlink((dir + f).c_str());
    ::rmdir(dir.c_str());
  }
  std::string dir;
};

TEST_CASE("tunnel server: wss with a configured certificate") {
  TlsFiles files;
  TunnelServerOptions o;
  o.cert_file = files.dir + "/cert.pem";
  o.key_file = files.dir + "/key.pem";
  Fixture f(o);
  CHECK(f.server->url().tls);
  TunnelUrl url{true, "localhost", f.server->port()};
  auto connect = [&](const std::string& target, const std::string& ca) {
    WebSocketConnectOptions w;
    w.ca_file = ca;
    auto r = spawn<CableResult<WebSocketConnection>>(f.io, [&, target, w]() {
      return connect_websocket(f.io.get_executor(), url, target, w, f.client_log);
    });
    REQUIRE(drive(f.io, [&] { return r->done(); }));
    return std::move(*r->value);
  };
  TunnelId id{};
  id[3] = 3;
  // Not trusted without the CA.
  CHECK(connect(new_tunnel_path(id), "").error() == CableError::kTunnelRefused);
  CHECK(f.client_log.contains("TLS"));
  auto phone = connect(new_tunnel_path(id), files.dir + "/ca.pem");
  REQUIRE(phone.has_value());
  auto desktop = connect(connect_path(routing_of(phone->headers), id), files.dir + "/ca.pem");
  REQUIRE(desktop.has_value());
  f.write(*desktop->pipe, Bytes{0x42});
  CHECK(f.read(*phone->pipe) == Bytes{0x42});
  // A certificate for another name is refused.
  TunnelUrl by_ip{true, "127.0.0.1", f.server->port()};
  url = by_ip;
  id[3] = 4;
  CHECK(connect(new_tunnel_path(id), files.dir + "/ca.pem").error() == CableError::kTunnelRefused);
}

}  // namespace
}  // namespace vfido::cable
