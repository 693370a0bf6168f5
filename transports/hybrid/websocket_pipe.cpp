#include "transports/hybrid/websocket_pipe.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

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

// How long the closing handshake may take before the socket is simply closed.
constexpr std::chrono::seconds kCloseTimeout{3};

template <class Stream>
class WebSocketPipe final : public MessagePipe, public std::enable_shared_from_this<WebSocketPipe<Stream>> {
 public:
  WebSocketPipe(std::shared_ptr<ssl::context> ctx, websocket::stream<Stream> ws)
      : ctx_(std::move(ctx)), ws_(std::move(ws)), timer_(ws_.get_executor()) {}
  ~WebSocketPipe() override { abort(); }

  asio::awaitable<CableResult<Bytes>> read(std::chrono::milliseconds timeout) override {
    if (closed_) co_return cable_fail(CableError::kTunnelClosed);
    auto self = this->shared_from_this();
    timer_.expires_after(timeout);
    timer_.async_wait([weak = this->weak_from_this()](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto pipe = weak.lock()) {
        pipe->timed_out_ = true;
        beast::get_lowest_layer(pipe->ws_).cancel();
      }
    });
    beast::flat_buffer buffer;
    boost::system::error_code ec;
    co_await ws_.async_read(buffer, redirect_error(use_awaitable, ec));
    timer_.cancel();
    if (timed_out_) {
      abort();
      co_return cable_fail(CableError::kTimeout);
    }
    if (ec == websocket::error::message_too_big) {
      abort();
      co_return cable_fail(CableError::kOversized);
    }
    if (ec) {
      // The server closes a sender whose message is above its limit with 1009 (RFC 6455 §7.4.1).
      const bool too_big = ec == websocket::error::closed && ws_.reason().code == websocket::close_code::too_big;
      abort();
      co_return cable_fail(too_big ? CableError::kOversized : CableError::kTunnelClosed);
    }
    // §6.2: text messages are an error.
    if (!ws_.got_binary()) co_return cable_fail(CableError::kBadMessage);
    const auto data = buffer.data();
    const auto* p = static_cast<const std::uint8_t*>(data.data());
    co_return Bytes(p, p + data.size());
  }

  asio::awaitable<CableResult<void>> write(Bytes message) override {
    if (closed_) co_return cable_fail(CableError::kTunnelClosed);
    auto self = this->shared_from_this();
    boost::system::error_code ec;
    co_await ws_.async_write(asio::buffer(message), redirect_error(use_awaitable, ec));
    if (ec) co_return cable_fail(CableError::kTunnelClosed);
    co_return CableResult<void>{};
  }

  asio::awaitable<void> close() override {
    if (closed_) co_return;
    auto self = this->shared_from_this();
    boost::system::error_code ec;
    co_await ws_.async_close(websocket::close_code::normal, redirect_error(use_awaitable, ec));
    abort();
  }

  void abort() override {
    if (closed_) return;
    closed_ = true;
    timer_.cancel();
    beast::close_socket(beast::get_lowest_layer(ws_));
  }

 private:
  std::shared_ptr<ssl::context> ctx_;  // before ws_: a TLS stream uses it until destroyed
  websocket::stream<Stream> ws_;
  asio::steady_timer timer_;
  bool closed_ = false;
  bool timed_out_ = false;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void warn(Log& log, const std::string& text) { log.write(LogLevel::kWarning, "tunnel: " + text); }

// The upgrade on an open stream (TCP, or TLS after its handshake).
template <class Stream>
asio::awaitable<CableResult<WebSocketConnection>> upgrade(std::shared_ptr<ssl::context> ctx, Stream stream,
                                                          const TunnelUrl& url, const std::string& target,
                                                          const WebSocketConnectOptions& options, Log& log) {
  websocket::stream<Stream> ws(std::move(stream));
  ws.set_option(websocket::stream_base::decorator([headers = options.headers](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, std::string(kSubprotocol));
    req.set(http::field::user_agent, "vfido");
    for (const auto& [name, value] : headers) req.set(name, value);
  }));
  websocket::response_type res;
  boost::system::error_code ec;
  co_await ws.async_handshake(res, url.host_header(), target, redirect_error(use_awaitable, ec));
  if (ec == beast::error::timeout) {
    warn(log, url.text() + target + ": no answer to the upgrade request");
    co_return cable_fail(CableError::kTimeout);
  }
  if (ec) {
    if (res.result_int() != 0) {
      warn(log, url.text() + target + ": refused with HTTP " + std::to_string(res.result_int()));
      // §6.1: 410 Gone means the contact ID is permanently invalid.
      co_return cable_fail(res.result() == http::status::gone ? CableError::kTunnelGone : CableError::kTunnelRefused);
    }
    warn(log, url.text() + target + ": upgrade failed: " + ec.message());
    co_return cable_fail(CableError::kTunnelRefused);
  }
  // §6.1: the connection fails unless the server selected fido.cable.
  const auto selected = res[http::field::sec_websocket_protocol];
  if (std::string_view(selected.data(), selected.size()) != kSubprotocol) {
    warn(log, url.text() + target + ": the server did not select the fido.cable subprotocol");
    co_return cable_fail(CableError::kTunnelRefused);
  }
  beast::get_lowest_layer(ws).expires_never();
  ws.binary(true);
  ws.read_message_max(options.max_message);
  ws.set_option(websocket::stream_base::timeout{kCloseTimeout, websocket::stream_base::none(), false});
  WebSocketConnection out;
  for (const auto& field : res) out.headers[lower(std::string(field.name_string()))] = std::string(field.value());
  out.pipe = std::make_shared<WebSocketPipe<Stream>>(std::move(ctx), std::move(ws));
  co_return out;
}

}  // namespace

asio::awaitable<CableResult<WebSocketConnection>> connect_websocket(asio::any_io_executor ex, TunnelUrl url,
                                                                   std::string target,
                                                                   WebSocketConnectOptions options, Log& log) {
  boost::system::error_code ec;
  tcp::resolver resolver(ex);
  auto endpoints = co_await resolver.async_resolve(url.host, std::to_string(url.port),
                                                   redirect_error(use_awaitable, ec));
  if (ec) {
    warn(log, "cannot resolve " + url.host + ": " + ec.message());
    co_return cable_fail(CableError::kTunnelRefused);
  }
  beast::tcp_stream tcp_stream(ex);
  tcp_stream.expires_after(options.timeout);
  co_await tcp_stream.async_connect(endpoints, redirect_error(use_awaitable, ec));
  if (ec) {
    warn(log, "cannot connect to " + url.text() + ": " + ec.message());
    co_return cable_fail(ec == beast::error::timeout ? CableError::kTimeout : CableError::kTunnelRefused);
  }
  if (!url.tls) co_return co_await upgrade(nullptr, std::move(tcp_stream), url, target, options, log);

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_verify_mode(ssl::verify_peer);
  if (options.ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(options.ca_file, ec);
  }
  if (ec) {
    warn(log, "cannot load trusted certificates" + (options.ca_file.empty() ? std::string() : " from " + options.ca_file) +
                  ": " + ec.message());
    co_return cable_fail(CableError::kTunnelRefused);
  }
  beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp_stream), *ctx);
  // RFC 6066 §3 server name indication, and RFC 6125 name checking of the certificate.
  if (SSL_set_tlsext_host_name(tls.native_handle(), url.host.c_str()) != 1) {
    warn(log, "cannot set the TLS server name " + url.host);
    co_return cable_fail(CableError::kTunnelRefused);
  }
  tls.set_verify_callback(ssl::host_name_verification(url.host));
  co_await tls.async_handshake(ssl::stream_base::client, redirect_error(use_awaitable, ec));
  if (ec) {
    warn(log, "TLS with " + url.text() + " failed: " + ec.message());
    co_return cable_fail(ec == beast::error::timeout ? CableError::kTimeout : CableError::kTunnelRefused);
  }
  co_return co_await upgrade(std::move(ctx), std::move(tls), url, target, options, log);
}

}  // namespace vfido::cable
