#include "transports/hybrid/tunnel_server.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>  // before awaitable.hpp: Boost 1.74 uses std::exchange without it
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <fcntl.h>
#include <unistd.h>

#include "authenticator/env/rng.h"
#include "transports/hybrid/linking.h"
#include "transports/hybrid/tunnel_protocol.h"

namespace vfido::cable {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using asio::redirect_error;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;
using Request = http::request<http::empty_body>;
using Message = std::shared_ptr<const Bytes>;

constexpr std::size_t kMaxRequestHeader = 8 * 1024;
constexpr std::chrono::seconds kCloseHandshakeTimeout{3};

class ServerCore;

// One accepted socket, whatever its stream type, as the server core sees it.
class ConnectionBase : public std::enable_shared_from_this<ConnectionBase> {
 public:
  enum class Role : std::uint8_t { kNone, kFirst, kSecond, kListener };

  ConnectionBase(std::shared_ptr<ServerCore> server, std::uint64_t id);
  virtual ~ConnectionBase();
  ConnectionBase(const ConnectionBase&) = delete;
  ConnectionBase& operator=(const ConnectionBase&) = delete;

  // Queues a binary message (only once upgraded).
  virtual void send(Message m) = 0;
  // Closes after what is queued has been written.
  virtual void close(websocket::close_code code) = 0;
  // Closes the socket at once.
  virtual void cut() = 0;

  std::shared_ptr<ServerCore> server;
  const std::uint64_t id;
  Role role = Role::kNone;
  bool upgraded = false;
  std::string tunnel_key;   // first/second: the tunnel ID's bytes
  std::string contact_key;  // listener: the contact ID's bytes
};

struct Tunnel {
  RoutingId routing{};
  std::weak_ptr<ConnectionBase> first;
  std::weak_ptr<ConnectionBase> second;
  bool second_reserved = false;
  bool joined = false;
  std::vector<Message> held;  // from the first end, before the second joined
  std::size_t held_bytes = 0;
  bool signal = false;             // contact tunnels: send 0x00 to the first end when the phone joins
  std::string contact_key;         // contact tunnels: whom to notify
  Bytes client_payload;            // contact tunnels: what to tell them
  Clock::time_point created;
  Clock::time_point last_activity;
};

// What route() decided about an upgrade request.
struct Decision {
  http::status status = http::status::switching_protocols;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  bool accepted() const { return status == http::status::switching_protocols; }
};

// Beast 1.74 has its own string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }
beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }

bool offers_fido_cable(std::string_view header) {
  // RFC 6455 §4.1: a comma-separated list of tokens.
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view token = header.substr(0, comma);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (token == kSubprotocol) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

class ServerCore : public std::enable_shared_from_this<ServerCore> {
 public:
  ServerCore(asio::any_io_executor ex, TunnelServerOptions options, Log& log);

  void start();
  void shutdown(std::function<void()> done);
  // Stops at once: no new connections, every socket cut, timers cancelled (the destructor's).
  void halt();
  TunnelServerStats stats() const;

  // Called by connections.
  Decision route(ConnectionBase& c, const Request& req);
  void attached(ConnectionBase& c);
  void forward(ConnectionBase& c, Message m);
  void detached(ConnectionBase& c);
  void forget(std::uint64_t id);
  void note(LogLevel level, const std::string& text) { log_.write(level, "tunnel server: " + text); }

  const TunnelServerOptions& options() const { return options_; }
  const asio::any_io_executor& executor() const { return ex_; }
  std::uint16_t port() const { return port_; }
  bool tls() const { return tls_ != nullptr; }

 private:
  asio::awaitable<void> accept_loop();
  void schedule_sweep();
  void sweep();
  void end_tunnel(const std::string& key, websocket::close_code code);
  RoutingId fresh_routing_id();
  void load_contacts();
  void remember_contact(const std::string& contact);

  asio::any_io_executor ex_;
  TunnelServerOptions options_;
  Log& log_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::unique_ptr<ssl::context> tls_;
  asio::steady_timer sweep_timer_;
  asio::steady_timer grace_timer_;
  OpenSslRng rng_;
  std::unordered_map<std::uint64_t, std::weak_ptr<ConnectionBase>> connections_;
  std::unordered_map<std::string, Tunnel> tunnels_;
  std::unordered_map<std::string, std::weak_ptr<ConnectionBase>> listeners_;
  std::unordered_set<std::string> known_contacts_;
  std::uint64_t next_id_ = 1;
  std::uint64_t accepted_ = 0;
  std::uint64_t refused_ = 0;
  std::uint64_t forwarded_ = 0;
  bool stopping_ = false;
  std::function<void()> on_stopped_;
  std::chrono::steady_clock::time_point last_accept_warning_{};

  template <class Stream>
  friend class Connection;
};

ConnectionBase::ConnectionBase(std::shared_ptr<ServerCore> s, std::uint64_t i) : server(std::move(s)), id(i) {}
ConnectionBase::~ConnectionBase() { server->forget(id); }

// A connection over TCP (ws://) or TLS (wss://).
template <class Stream>
class Connection final : public ConnectionBase {
 public:
  Connection(std::shared_ptr<ServerCore> s, std::uint64_t i, Stream stream)
      : ConnectionBase(std::move(s), i), ws_(std::move(stream)) {}

  asio::awaitable<void> run();

  void send(Message m) override {
    if (closing_ || !upgraded) return;
    if (queued_bytes_ + m->size() > server->options().max_queued_bytes) {
      server->note(LogLevel::kWarning, "connection " + std::to_string(id) + " reads too slowly; closing it");
      cut();
      return;
    }
    queued_bytes_ += m->size();
    queue_.push_back(std::move(m));
    write_next();
  }

  void close(websocket::close_code code) override {
    if (closing_) return;
    closing_ = true;
    close_code_ = code;
    if (!upgraded) {
      cut();
      return;
    }
    if (!writing_) start_close();
  }

  void cut() override {
    closing_ = true;
    close_sent_ = true;
    beast::close_socket(beast::get_lowest_layer(ws_));
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  asio::awaitable<std::optional<Request>> read_request();
  asio::awaitable<void> refuse(const Request& req, const Decision& d);
  asio::awaitable<void> read_loop();

  void write_next() {
    if (writing_ || close_sent_) return;
    if (head_ == queue_.size()) {
      queue_.clear();
      head_ = 0;
      if (closing_) start_close();
      return;
    }
    writing_ = true;
    const Message& m = queue_[head_];
    ws_.async_write(asio::buffer(*m), [self = shared_from_this(), this](const boost::system::error_code& ec, std::size_t) {
      writing_ = false;
      queued_bytes_ -= queue_[head_]->size();
      queue_[head_].reset();
      ++head_;
      if (ec) {
        cut();
        return;
      }
      write_next();
    });
  }

  void start_close() {
    if (close_sent_) return;
    close_sent_ = true;
    // The read loop ends when the peer's close frame arrives, or after the closing-handshake
    // timeout set on the stream.
    ws_.async_close(close_code_, [self = shared_from_this()](const boost::system::error_code&) {});
  }

  websocket::stream<Stream> ws_;
  std::vector<Message> queue_;
  std::size_t head_ = 0;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool close_sent_ = false;
  websocket::close_code close_code_ = websocket::close_code::normal;
};

template <class Stream>
asio::awaitable<std::optional<Request>> Connection<Stream>::read_request() {
  auto& lowest = beast::get_lowest_layer(ws_);
  lowest.expires_after(server->options().handshake_timeout);
  boost::system::error_code ec;
  if constexpr (kTls) {
    co_await ws_.next_layer().async_handshake(ssl::stream_base::server, redirect_error(use_awaitable, ec));
    if (ec) co_return std::nullopt;
  }
  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  parser.header_limit(kMaxRequestHeader);
  co_await http::async_read(ws_.next_layer(), buffer, parser, redirect_error(use_awaitable, ec));
  if (ec) co_return std::nullopt;
  co_return parser.release();
}

template <class Stream>
asio::awaitable<void> Connection<Stream>::refuse(const Request& req, const Decision& d) {
  http::response<http::string_body> res{d.status, req.version()};
  res.set(http::field::server, "vfido");
  res.set(http::field::content_type, "text/plain");
  res.keep_alive(false);
  res.body() = d.reason + "\n";
  res.prepare_payload();
  boost::system::error_code ec;
  co_await http::async_write(ws_.next_layer(), res, redirect_error(use_awaitable, ec));
  cut();
}

template <class Stream>
asio::awaitable<void> Connection<Stream>::run() {
  auto self = shared_from_this();
  std::optional<Request> req = co_await read_request();
  if (!req || closing_) {
    cut();
    co_return;
  }
  Decision d = server->route(*this, *req);
  if (!d.accepted()) {
    server->note(LogLevel::kInfo, std::string(sv(req->target())) + ": " + std::to_string(static_cast<unsigned>(d.status)) +
                                      " " + d.reason);
    co_await refuse(*req, d);
    co_return;
  }
  ws_.set_option(websocket::stream_base::decorator([headers = std::move(d.headers)](websocket::response_type& res) {
    res.set(http::field::server, "vfido");
    res.set(http::field::sec_websocket_protocol, std::string(kSubprotocol));
    for (const auto& [name, value] : headers) res.set(name, value);
  }));
  boost::system::error_code ec;
  co_await ws_.async_accept(*req, redirect_error(use_awaitable, ec));
  req.reset();
  if (ec || closing_) {
    cut();
    server->detached(*this);
    co_return;
  }
  beast::get_lowest_layer(ws_).expires_never();
  ws_.binary(true);
  ws_.read_message_max(server->options().max_message);
  // Listeners stay quiet for hours: pings find the dead ones. Tunnel ends are timed by the sweep.
  const bool listener = role == Role::kListener;
  ws_.set_option(websocket::stream_base::timeout{
      kCloseHandshakeTimeout, listener ? std::chrono::seconds(60) : websocket::stream_base::none(), listener});
  upgraded = true;
  server->attached(*this);
  co_await read_loop();
  server->detached(*this);
}

template <class Stream>
asio::awaitable<void> Connection<Stream>::read_loop() {
  for (;;) {
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    co_await ws_.async_read(buffer, redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        server->note(LogLevel::kWarning, "connection " + std::to_string(id) + " sent a message above " +
                                             std::to_string(server->options().max_message) + " bytes; closed (1009)");
      }
      co_return;
    }
    if (closing_) continue;  // read until the closing handshake ends
    if (!ws_.got_binary()) {
      // §6.3: text messages are refused (webauthn-rs closes with 1003).
      server->note(LogLevel::kWarning, "connection " + std::to_string(id) + " sent a text message; closed (1003)");
      close(websocket::close_code::unknown_data);
      continue;
    }
    const auto data = buffer.data();
    const auto* p = static_cast<const std::uint8_t*>(data.data());
    server->forward(*this, std::make_shared<const Bytes>(p, p + data.size()));
  }
}

// ---- the core ---------------------------------------------------------------------------------

ServerCore::ServerCore(asio::any_io_executor ex, TunnelServerOptions options, Log& log)
    : ex_(ex), options_(std::move(options)), log_(log), acceptor_(ex), sweep_timer_(ex), grace_timer_(ex) {
  if (options_.max_connections == 0) options_.max_connections = 2 * options_.max_tunnels + 1024;
  if (!options_.cert_file.empty() || !options_.key_file.empty()) {
    if (options_.cert_file.empty() || options_.key_file.empty()) {
      throw std::runtime_error("wss needs both a certificate chain and a private key");
    }
    tls_ = std::make_unique<ssl::context>(ssl::context::tls_server);
    tls_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                      ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    tls_->use_certificate_chain_file(options_.cert_file, ec);
    if (ec) throw std::runtime_error("cannot load the certificate chain " + options_.cert_file + ": " + ec.message());
    tls_->use_private_key_file(options_.key_file, ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load the private key " + options_.key_file + ": " + ec.message());
  }
  if (!options_.contacts_file.empty()) load_contacts();
  const tcp::endpoint ep(asio::ip::make_address(options_.host), options_.port);
  acceptor_.open(ep.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(ep);
  acceptor_.listen(asio::socket_base::max_listen_connections);
  port_ = acceptor_.local_endpoint().port();
}

void ServerCore::start() {
  asio::co_spawn(ex_, [self = shared_from_this()] { return self->accept_loop(); }, asio::detached);
  schedule_sweep();
}

asio::awaitable<void> ServerCore::accept_loop() {
  auto self = shared_from_this();
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(redirect_error(use_awaitable, ec));
    if (stopping_) co_return;
    if (ec) {
      // EMFILE and the like: say so now and then, pause a little, go on.
      const auto now = Clock::now();
      if (now - last_accept_warning_ > std::chrono::seconds(5)) {
        note(LogLevel::kWarning, "accept: " + ec.message());
        last_accept_warning_ = now;
      }
      grace_timer_.expires_after(std::chrono::milliseconds(50));
      co_await grace_timer_.async_wait(redirect_error(use_awaitable, ec));
      continue;
    }
    ++accepted_;
    if (connections_.size() >= options_.max_connections) {
      ++refused_;
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    const std::uint64_t id = next_id_++;
    std::shared_ptr<ConnectionBase> c;
    if (tls_) {
      auto conn = std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(
          self, id, beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls_));
      asio::co_spawn(ex_, [conn] { return conn->run(); }, asio::detached);
      c = conn;
    } else {
      auto conn = std::make_shared<Connection<beast::tcp_stream>>(self, id, beast::tcp_stream(std::move(socket)));
      asio::co_spawn(ex_, [conn] { return conn->run(); }, asio::detached);
      c = conn;
    }
    connections_.emplace(id, c);
  }
}

void ServerCore::load_contacts() {
  std::ifstream in(options_.contacts_file);
  if (!in) return;  // none yet: made on the first new contact
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    auto id = parse_hex_any_case(line);
    if (!id || id->empty()) {
      throw std::runtime_error(options_.contacts_file + " line " + std::to_string(number) + ": not a hex contact ID");
    }
    known_contacts_.emplace(id->begin(), id->end());
  }
  if (in.bad()) throw std::runtime_error("cannot read " + options_.contacts_file);
}

void ServerCore::remember_contact(const std::string& contact) {
  if (options_.contacts_file.empty()) return;
  // Contact IDs are the phones' addresses: 0600.
  const int fd = ::open(options_.contacts_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const std::string line =
      hex_upper(ByteSpan(reinterpret_cast<const std::uint8_t*>(contact.data()), contact.size())) + "\n";
  const bool ok = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  if (fd >= 0) ::close(fd);
  if (!ok) note(LogLevel::kWarning, "cannot append to " + options_.contacts_file);
}

RoutingId ServerCore::fresh_routing_id() {
  RoutingId r{};
  rng_.fill(r);
  return r;
}

Decision ServerCore::route(ConnectionBase& c, const Request& req) {
  Decision d;
  auto refuse = [&](http::status s, std::string reason) {
    ++refused_;
    d.status = s;
    d.reason = std::move(reason);
    return d;
  };
  if (stopping_) return refuse(http::status::service_unavailable, "shutting down");
  if (!websocket::is_upgrade(req)) {
    return refuse(http::status::bad_request, "a caBLE tunnel server: WebSocket upgrades with subprotocol fido.cable only");
  }
  if (!offers_fido_cable(sv(req[http::field::sec_websocket_protocol]))) {
    return refuse(http::status::bad_request, "the fido.cable subprotocol is required");
  }
  auto target = parse_tunnel_target(sv(req.target()));
  if (!target) return refuse(http::status::not_found, "unknown path");
  const auto now = Clock::now();
  switch (target->kind) {
    case TunnelRequest::Kind::kNew: {
      if (tunnels_.size() >= options_.max_tunnels) return refuse(http::status::service_unavailable, "too many tunnels");
      std::string key(target->tunnel_id.begin(), target->tunnel_id.end());
      // §6.3: 409 when the tunnel ID is taken.
      if (tunnels_.count(key) != 0) return refuse(http::status::conflict, "tunnel exists");
      Tunnel t;
      t.routing = fresh_routing_id();
      t.created = t.last_activity = now;
      d.headers.emplace_back(std::string(kRoutingIdHeader), hex_upper(t.routing));
      tunnels_.emplace(key, std::move(t));
      c.role = ConnectionBase::Role::kFirst;
      c.tunnel_key = std::move(key);
      return d;
    }
    case TunnelRequest::Kind::kConnect: {
      std::string key(target->tunnel_id.begin(), target->tunnel_id.end());
      auto it = tunnels_.find(key);
      // §6.3: 404 for an unknown tunnel; the routing ID must be the one this server gave out.
      if (it == tunnels_.end() || it->second.routing != target->routing_id) {
        return refuse(http::status::not_found, "no such tunnel");
      }
      if (it->second.second_reserved) return refuse(http::status::conflict, "the tunnel already has two ends");
      it->second.second_reserved = true;
      c.role = ConnectionBase::Role::kSecond;
      c.tunnel_key = std::move(key);
      return d;
    }
    case TunnelRequest::Kind::kContact: {
      std::string contact(target->contact_id.begin(), target->contact_id.end());
      // §6.1: 410 Gone tells the desktop to forget the link.
      if (known_contacts_.count(contact) == 0) return refuse(http::status::gone, "unknown contact ID");
      auto listener = listeners_.find(contact);
      if (listener == listeners_.end() || listener->second.expired()) {
        return refuse(http::status::service_unavailable, "the phone is not listening");
      }
      auto payload_hex = parse_hex_any_case(sv(req[bsv(kClientPayloadHeader)]));
      if (!payload_hex || !parse_client_payload(*payload_hex)) {
        return refuse(http::status::bad_request, "missing or malformed X-caBLE-Client-Payload");
      }
      if (tunnels_.size() >= options_.max_tunnels) return refuse(http::status::service_unavailable, "too many tunnels");
      TunnelId id{};
      std::string key;
      do {
        rng_.fill(id);
        key.assign(id.begin(), id.end());
      } while (tunnels_.count(key) != 0);
      Tunnel t;
      t.routing = fresh_routing_id();
      t.created = t.last_activity = now;
      t.contact_key = std::move(contact);
      t.client_payload = std::move(*payload_hex);
      t.signal = iequals(sv(req[bsv(kSignalConnectionHeader)]), "true");
      if (t.signal) d.headers.emplace_back(std::string(kSignalConnectionHeader), "true");
      tunnels_.emplace(key, std::move(t));
      c.role = ConnectionBase::Role::kFirst;
      c.tunnel_key = std::move(key);
      return d;
    }
    case TunnelRequest::Kind::kListen: {
      std::string contact(target->contact_id.begin(), target->contact_id.end());
      if (known_contacts_.count(contact) == 0) {
        if (known_contacts_.size() >= options_.max_contacts) {
          return refuse(http::status::service_unavailable, "too many contact IDs");
        }
        known_contacts_.insert(contact);
        remember_contact(contact);
      }
      c.role = ConnectionBase::Role::kListener;
      c.contact_key = std::move(contact);
      return d;
    }
  }
  return refuse(http::status::not_found, "unknown path");
}

void ServerCore::attached(ConnectionBase& c) {
  const auto now = Clock::now();
  if (c.role == ConnectionBase::Role::kListener) {
    auto& slot = listeners_[c.contact_key];
    if (auto old = slot.lock(); old && old.get() != &c) old->close(websocket::close_code::normal);  // the newest wins
    slot = c.shared_from_this();
    return;
  }
  auto it = tunnels_.find(c.tunnel_key);
  if (it == tunnels_.end()) {
    c.close(websocket::close_code::normal);
    return;
  }
  Tunnel& t = it->second;
  t.last_activity = now;
  if (c.role == ConnectionBase::Role::kFirst) {
    t.first = c.shared_from_this();
    if (!t.contact_key.empty()) {
      // Tell the phone (vfido's listen channel) where to join.
      auto found = listeners_.find(t.contact_key);
      auto listener = found == listeners_.end() ? nullptr : found->second.lock();
      if (!listener) {
        end_tunnel(c.tunnel_key, websocket::close_code::try_again_later);
        return;
      }
      ContactNotification n;
      n.routing_id = t.routing;
      std::copy(c.tunnel_key.begin(), c.tunnel_key.end(), n.tunnel_id.begin());
      n.client_payload = t.client_payload;
      listener->send(std::make_shared<const Bytes>(encode_contact_notification(n)));
    }
    return;
  }
  // The second end joins.
  auto first = t.first.lock();
  if (!first) {
    end_tunnel(c.tunnel_key, websocket::close_code::normal);
    return;
  }
  t.second = c.shared_from_this();
  t.joined = true;
  // §6.2: the connection signal to the /contact side.
  if (t.signal) first->send(std::make_shared<const Bytes>(Bytes{kConnectionSignal}));
  for (auto& m : t.held) c.send(std::move(m));
  t.held.clear();
  t.held_bytes = 0;
}

void ServerCore::forward(ConnectionBase& c, Message m) {
  if (c.role == ConnectionBase::Role::kListener) return;  // phones only listen there
  auto it = tunnels_.find(c.tunnel_key);
  if (it == tunnels_.end()) {
    c.close(websocket::close_code::normal);
    return;
  }
  Tunnel& t = it->second;
  t.last_activity = Clock::now();
  ++forwarded_;
  const bool from_first = c.role == ConnectionBase::Role::kFirst;
  auto peer = (from_first ? t.second : t.first).lock();
  if (peer) {
    peer->send(std::move(m));
    return;
  }
  if (!from_first) return;
  // §6.3: hold what arrives before the other end joins, within bounds.
  if (t.held_bytes + m->size() > options_.max_queued_bytes) {
    note(LogLevel::kWarning, "connection " + std::to_string(c.id) + " sent too much before its peer joined; closed");
    end_tunnel(c.tunnel_key, websocket::close_code::policy_error);
    return;
  }
  t.held_bytes += m->size();
  t.held.push_back(std::move(m));
}

void ServerCore::end_tunnel(const std::string& key, websocket::close_code code) {
  auto it = tunnels_.find(key);
  if (it == tunnels_.end()) return;
  auto first = it->second.first.lock();
  auto second = it->second.second.lock();
  tunnels_.erase(it);
  if (first) first->close(code);
  if (second) second->close(code);
}

void ServerCore::detached(ConnectionBase& c) {
  if (c.role == ConnectionBase::Role::kListener) {
    auto it = listeners_.find(c.contact_key);
    if (it != listeners_.end()) {
      auto current = it->second.lock();
      if (!current || current.get() == &c) listeners_.erase(it);
    }
    return;
  }
  if (c.role == ConnectionBase::Role::kNone) return;
  auto it = tunnels_.find(c.tunnel_key);
  if (it == tunnels_.end()) return;
  Tunnel& t = it->second;
  if (!c.upgraded) {
    // The upgrade failed after route() reserved a place: give it back.
    if (c.role == ConnectionBase::Role::kSecond) {
      t.second_reserved = false;
    } else if (t.first.expired()) {
      tunnels_.erase(it);
    }
    return;
  }
  // Only an end of this tunnel may end it.
  if (t.first.lock().get() == &c || t.second.lock().get() == &c) end_tunnel(c.tunnel_key, websocket::close_code::normal);
}

void ServerCore::forget(std::uint64_t id) {
  connections_.erase(id);
  if (stopping_ && connections_.empty() && on_stopped_) {
    auto done = std::move(on_stopped_);
    on_stopped_ = nullptr;
    grace_timer_.cancel();
    sweep_timer_.cancel();
    asio::post(ex_, std::move(done));
  }
}

void ServerCore::schedule_sweep() {
  const auto shortest = std::min({options_.handshake_timeout, options_.pairing_timeout, options_.idle_timeout});
  const auto period = std::clamp(shortest / 4, std::chrono::milliseconds(20), std::chrono::milliseconds(1000));
  sweep_timer_.expires_after(period);
  sweep_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self || self->stopping_) return;
    self->sweep();
    self->schedule_sweep();
  });
}

void ServerCore::sweep() {
  const auto now = Clock::now();
  std::vector<std::string> expired;
  for (const auto& [key, t] : tunnels_) {
    if (!t.joined && now - t.created > options_.pairing_timeout) {
      expired.push_back(key);
    } else if (t.joined && now - t.last_activity > options_.idle_timeout) {
      expired.push_back(key);
    }
  }
  for (const auto& key : expired) {
    note(LogLevel::kInfo, std::string(tunnels_[key].joined ? "idle" : "unpaired") + " tunnel " +
                              hex_upper(ByteSpan(reinterpret_cast<const std::uint8_t*>(key.data()), key.size())) +
                              " timed out");
    end_tunnel(key, websocket::close_code::policy_error);
  }
}

void ServerCore::shutdown(std::function<void()> done) {
  if (stopping_) return;
  stopping_ = true;
  on_stopped_ = std::move(done);
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  sweep_timer_.cancel();
  std::vector<std::shared_ptr<ConnectionBase>> all;
  for (auto& [id, weak] : connections_) {
    if (auto c = weak.lock()) all.push_back(std::move(c));
  }
  for (auto& c : all) c->close(websocket::close_code::going_away);
  note(LogLevel::kInfo, "shutting down: closing " + std::to_string(all.size()) + " connection(s)");
  all.clear();
  if (connections_.empty()) {
    forget(0);
    return;
  }
  grace_timer_.expires_after(options_.shutdown_grace);
  grace_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    std::vector<std::shared_ptr<ConnectionBase>> left;
    for (auto& [id, w] : self->connections_) {
      if (auto c = w.lock()) left.push_back(std::move(c));
    }
    for (auto& c : left) c->cut();
  });
}

void ServerCore::halt() {
  stopping_ = true;
  on_stopped_ = nullptr;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  sweep_timer_.cancel();
  grace_timer_.cancel();
  std::vector<std::shared_ptr<ConnectionBase>> all;
  for (auto& [id, weak] : connections_) {
    if (auto c = weak.lock()) all.push_back(std::move(c));
  }
  for (auto& c : all) c->cut();
}

TunnelServerStats ServerCore::stats() const {
  TunnelServerStats s;
  s.connections = connections_.size();
  s.tunnels = tunnels_.size();
  s.joined = static_cast<std::size_t>(
      std::count_if(tunnels_.begin(), tunnels_.end(), [](const auto& kv) { return kv.second.joined; }));
  s.listeners = listeners_.size();
  s.accepted = accepted_;
  s.refused = refused_;
  s.forwarded = forwarded_;
  return s;
}

}  // namespace

struct TunnelServer::Impl {
  std::shared_ptr<ServerCore> core;
};

TunnelServer::TunnelServer(asio::any_io_executor ex, TunnelServerOptions options, Log& log)
    : impl_(std::make_shared<Impl>()) {
  impl_->core = std::make_shared<ServerCore>(std::move(ex), std::move(options), log);
}

TunnelServer::~TunnelServer() {
  // Whatever thread this runs on, the core is touched on its executor only; the posted handler
  // keeps it alive until then.
  auto core = impl_->core;
  asio::post(core->executor(), [core] { core->halt(); });
}

void TunnelServer::start() { impl_->core->start(); }
void TunnelServer::shutdown(std::function<void()> done) { impl_->core->shutdown(std::move(done)); }
std::uint16_t TunnelServer::port() const { return impl_->core->port(); }
TunnelServerStats TunnelServer::stats() const { return impl_->core->stats(); }

TunnelUrl TunnelServer::url() const {
  const auto& o = impl_->core->options();
  return TunnelUrl{impl_->core->tls(), o.host, impl_->core->port()};
}

}  // namespace vfido::cable
