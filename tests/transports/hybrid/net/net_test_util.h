// Helpers for the hybrid tests that run coroutines: drive an io_context until something is done,
// collect coroutine results, an in-process advert "air" (with a tampering hook), and a phone
// context around a deterministic authenticator.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "authenticator/authenticator.h"
#include "tests/support/test_env.h"
#include "transports/hybrid/advert_channel.h"
#include "transports/hybrid/handshake.h"
#include "transports/hybrid/message_pipe.h"
#include "transports/hybrid/messages.h"
#include "transports/hybrid/phone_session.h"

namespace vfido::cable::test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

template <typename T>
struct Outcome {
  std::optional<T> value;
  bool done() const { return value.has_value(); }
};

// Starts `f` (a callable returning awaitable<T>) on `io`; an exception (a failed REQUIRE) is
// rethrown from the io_context's run call, so it fails the test.
template <typename T, typename F>
std::shared_ptr<Outcome<T>> spawn(asio::io_context& io, F f) {
  auto out = std::make_shared<Outcome<T>>();
  asio::co_spawn(io, std::move(f), [out](std::exception_ptr e, T v) {
    if (e) std::rethrow_exception(e);
    out->value = std::move(v);
  });
  return out;
}

// Runs handlers until `done()` or `limit` passes; false on the limit.
inline bool drive(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    io.run_one_for(20ms);
    if (io.stopped()) io.restart();
  }
  return true;
}

// Runs handlers for `d` (lets timers and closes settle).
inline void settle(asio::io_context& io, std::chrono::milliseconds d) {
  const auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    io.run_one_for(10ms);
    if (io.stopped()) io.restart();
  }
}

// One radio in the same process: what an advertiser sends reaches every scanner (posted, as a
// radio delivers later). `tamper` may change the bytes on the way.
class Air {
 public:
  explicit Air(asio::io_context& io) : io_(io) {}
  std::function<void(Bytes&)> tamper;
  std::size_t delivered = 0;

  class Channel final : public AdvertChannel {
   public:
    explicit Channel(Air& air) : air_(air) {}
    void start_advertising(Bytes data) override {
      payload_ = std::move(data);
      air_.broadcast(payload_);
    }
    void stop_advertising() override { payload_.clear(); }
    void start_scanning(Handler h) override {
      handler_ = std::move(h);
      for (auto* c : air_.channels_) {
        if (!c->payload_.empty()) air_.broadcast(c->payload_);
      }
    }
    void stop_scanning() override { handler_ = nullptr; }
    bool advertising() const { return !payload_.empty(); }

   private:
    friend class Air;
    Air& air_;
    Bytes payload_;
    Handler handler_;
  };

  std::unique_ptr<Channel> channel() {
    auto c = std::make_unique<Channel>(*this);
    channels_.push_back(c.get());
    return c;
  }

 private:
  void broadcast(Bytes data) {
    if (tamper) tamper(data);
    asio::post(io_, [this, data] {
      for (auto* c : channels_) {
        if (c->handler_) {
          ++delivered;
          c->handler_(data);
        }
      }
    });
  }
  asio::io_context& io_;
  std::vector<Channel*> channels_;
};

// A phone: the deterministic test environment, an authenticator, and the context sessions use.
struct Phone {
  Phone(asio::io_context& io, AdvertChannel& adverts, PhoneOptions options = {})
      : authenticator(AuthenticatorProfile{}, env.env),
        ctx{io.get_executor(), authenticator, adverts, env.rng, log, std::move(options)} {}
  vfido::test::TestEnv env;
  Authenticator authenticator;
  vfido::test::RecordingLog log;
  PhoneContext ctx;
};

// A makeCredential request with the defaults. (Built outside coroutines: GCC 12 cannot keep the
// braced lists of MakeCredentialArgs' defaults across a co_await.)
inline Bytes plain_make_credential() { return vfido::test::make_credential_msg({}); }

// Three makeCredential requests, as a desktop sends them.
inline std::vector<Bytes> three_requests() {
  std::vector<Bytes> out;
  for (int i = 0; i < 3; ++i) {
    vfido::test::MakeCredentialArgs args;
    args.user_name = "user" + std::to_string(i);
    out.push_back(vfido::test::make_credential_msg(args));
  }
  return out;
}

// A hand-made desktop: completes the handshake on `pipe`, reads the post-handshake message, then
// sends `requests` encrypted in order and arranged by `arrange` (dropped, duplicated, swapped,
// altered), and reads until the pipe closes. Returns the number of replies that decrypted.
inline asio::awaitable<int> hostile_desktop(std::shared_ptr<MessagePipe> pipe, HandshakeInitiator initiator,
                                            std::vector<Bytes> requests,
                                            std::function<std::vector<Bytes>(std::vector<Bytes>)> arrange) {
  REQUIRE((co_await pipe->write(*initiator.message1())).has_value());
  auto m2 = co_await pipe->read(5s);
  REQUIRE(m2.has_value());
  auto out = initiator.process_message2(*m2);
  REQUIRE(out.has_value());
  auto post = co_await pipe->read(5s);
  REQUIRE(post.has_value());
  REQUIRE(out->crypter.decrypt(*post).has_value());
  std::vector<Bytes> sealed;
  for (const auto& r : requests) sealed.push_back(*out->crypter.encrypt(frame_message(MessageType::kCtap, r)));
  for (auto& m : arrange(std::move(sealed))) REQUIRE((co_await pipe->write(std::move(m))).has_value());
  int replies = 0;
  for (;;) {
    auto r = co_await pipe->read(5s);
    if (!r) break;
    auto p = out->crypter.decrypt(*r);
    if (p && !p->empty() && p->expose()[0] == static_cast<std::uint8_t>(MessageType::kCtap)) ++replies;
  }
  co_return replies;
}

}  // namespace vfido::cable::test
