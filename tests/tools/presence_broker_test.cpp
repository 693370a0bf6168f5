// The daemon's user-presence layer (tools/host/presence_broker.h): approve/deny answer at once,
// prompt/api requests wait in the broker until answered or withdrawn, touches and user
// verification follow their own modes; and the terminal prompt (terminal_prompt.h) on a pty.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include <boost/asio/io_context.hpp>

#include "tools/host/presence_broker.h"
#include "tools/host/terminal_prompt.h"
#include "tools/host/virtual_key.h"

using namespace vfido;
using namespace vfido::host;

namespace {

struct Answers {
  int calls = 0;
  std::optional<PresenceResult> last;
  UserPresence::Answer fn() {
    return [this](PresenceResult r) {
      ++calls;
      last = r;
    };
  }
};

PresenceRequest ask(PresenceRequest::Purpose purpose, bool verification = false) {
  return PresenceRequest{purpose, "example.com", "alice", verification};
}

}  // namespace

TEST_CASE("presence: approve and deny answer at once; touches and verification have their own modes") {
  ControlledPresence p(PresenceMode::kApprove, PresenceMode::kDeny, nullptr, "k1");
  Answers a;
  p.request(ask(PresenceRequest::Purpose::kGetAssertion), a.fn());
  CHECK(a.last == PresenceResult::kApproved);
  p.request(ask(PresenceRequest::Purpose::kGetAssertion, true), a.fn());
  CHECK(a.last == PresenceResult::kDenied);
  CHECK(a.calls == 2);
  CHECK(p.set_presence(PresenceMode::kDeny));
  p.request(ask(PresenceRequest::Purpose::kReset), a.fn());
  CHECK(a.last == PresenceResult::kDenied);
  // Without a broker, prompt and api cannot be used.
  CHECK_FALSE(p.set_presence(PresenceMode::kApi));
  CHECK(p.presence() == PresenceMode::kDeny);
  CHECK_THROWS_AS(ControlledPresence(PresenceMode::kPrompt, PresenceMode::kApprove, nullptr, "k1"), std::invalid_argument);
}

TEST_CASE("presence: api requests wait in the broker until answered, and a withdrawn one is gone") {
  PresenceBroker broker;
  ControlledPresence p(PresenceMode::kApi, PresenceMode::kApprove, &broker, "k7");
  Answers a;
  p.request(ask(PresenceRequest::Purpose::kMakeCredential), a.fn());
  CHECK(a.calls == 0);
  auto waiting = broker.pending();
  REQUIRE(waiting.size() == 1);
  CHECK(waiting[0].key_id == "k7");
  CHECK(waiting[0].via == PresenceMode::kApi);
  CHECK(waiting[0].request.rp_id == "example.com");
  CHECK(p.waiting() == waiting[0].id);
  CHECK(broker.answer(waiting[0].id, PresenceResult::kDenied));
  CHECK(a.last == PresenceResult::kDenied);
  CHECK_FALSE(p.waiting().has_value());
  CHECK(broker.size() == 0);
  CHECK_FALSE(broker.answer(waiting[0].id, PresenceResult::kApproved));  // answered once only
  CHECK(a.calls == 1);

  // Verification requests follow the uv mode (approve here): answered at once.
  p.request(ask(PresenceRequest::Purpose::kOther, true), a.fn());
  CHECK(a.calls == 2);
  CHECK(broker.size() == 0);

  // The core withdraws (CTAPHID_CANCEL, timeout): the request leaves the broker unanswered.
  p.request(ask(PresenceRequest::Purpose::kSelection), a.fn());
  REQUIRE(broker.size() == 1);
  const std::uint64_t id = broker.pending()[0].id;
  p.withdraw();
  CHECK(broker.size() == 0);
  CHECK_FALSE(broker.answer(id, PresenceResult::kApproved));
  CHECK(a.calls == 2);
  // Ids are never reused; a key going away withdraws its request.
  {
    ControlledPresence gone(PresenceMode::kApi, PresenceMode::kApi, &broker, "k8");
    gone.request(ask(PresenceRequest::Purpose::kSelection), a.fn());
    CHECK(broker.pending().at(0).id > id);
  }
  CHECK(broker.size() == 0);
}

TEST_CASE("presence: what a request is described as") {
  using P = PresenceRequest::Purpose;
  CHECK(describe_request(ask(P::kMakeCredential)) == "make credential");
  CHECK(describe_request(ask(P::kGetAssertion)) == "sign in");
  CHECK(describe_request(ask(P::kGetAssertion, true)) == "verify user to sign in");
  CHECK(describe_request(ask(P::kOther, true)) == "verify user");
  CHECK(describe_request(ask(P::kOther)) == "touch");
  CHECK(describe_request(ask(P::kSelection)) == "selection");
  CHECK(describe_request(ask(P::kReset)).find("reset") == 0);
  CHECK(describe_request(ask(P::kExcluded)).find("make credential (excluded") == 0);
  CHECK(purpose_id(P::kGetAssertion) == "getAssertion");
  CHECK(parse_presence_mode("api") == PresenceMode::kApi);
  CHECK_FALSE(parse_presence_mode("maybe").has_value());
}

namespace {

// A pseudo-terminal: the prompt opens the slave by name, the test types on the master.
struct Pty {
  Pty() {
    char name[256] = {};
    REQUIRE(::openpty(&master, &slave, name, nullptr, nullptr) == 0);
    path = name;
    ::fcntl(master, F_SETFL, O_NONBLOCK);
  }
  ~Pty() {
    ::close(master);
    ::close(slave);
  }
  void type(const std::string& s) { REQUIRE(::write(master, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
  int master = -1;
  int slave = -1;
  std::string path;
};

// Runs the io_context until `screen` (what the prompt wrote) contains `text`, or 3 s pass.
bool wait_for_text(boost::asio::io_context& io, Pty& pty, std::string& screen, const std::string& text) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (screen.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(10));
    char buf[512];
    ssize_t n = 0;
    while ((n = ::read(pty.master, buf, sizeof(buf))) > 0) screen.append(buf, static_cast<std::size_t>(n));
  }
  return screen.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("terminal prompt: shows each request, takes y/n, asks again on anything else, clears a withdrawn one") {
  Pty pty;
  boost::asio::io_context io;
  PresenceBroker broker;
  StderrLog log(false);
  auto prompt = TerminalPrompt::open(io.get_executor(), broker, log, pty.path);
  REQUIRE_MESSAGE(prompt.has_value(), prompt.error());
  (*prompt)->start();
  ControlledPresence k1(PresenceMode::kPrompt, PresenceMode::kPrompt, &broker, "k1");
  ControlledPresence k2(PresenceMode::kPrompt, PresenceMode::kApi, &broker, "k2");
  Answers a1;
  Answers a2;
  std::string screen;

  k1.request(ask(PresenceRequest::Purpose::kMakeCredential), a1.fn());
  k2.request(ask(PresenceRequest::Purpose::kGetAssertion), a2.fn());
  CHECK(wait_for_text(io, pty, screen, "key k1 asks: make credential for example.com, user \"alice\" - allow? [y/n]"));
  CHECK(screen.find("key k2") == std::string::npos);  // one at a time
  pty.type("maybe\n");
  CHECK(wait_for_text(io, pty, screen, "answer y or n"));
  CHECK(a1.calls == 0);
  pty.type(" Y \n");
  CHECK(wait_for_text(io, pty, screen, "key k2 asks: sign in for example.com"));
  CHECK(a1.last == PresenceResult::kApproved);
  pty.type("no\n");
  CHECK(wait_for_text(io, pty, screen, "vfido: denied"));
  CHECK(a2.last == PresenceResult::kDenied);
  CHECK(broker.size() == 0);

  // Built-in UV of k1 asks "verified?"; k2's goes to the API, not to the terminal.
  k2.request(ask(PresenceRequest::Purpose::kGetAssertion, true), a2.fn());
  k1.request(ask(PresenceRequest::Purpose::kGetAssertion, true), a1.fn());
  CHECK(wait_for_text(io, pty, screen, "key k1 asks: verify user to sign in for example.com, user \"alice\" - verified? [y/n]"));
  CHECK(broker.size() == 2);
  k1.withdraw();  // CTAPHID_CANCEL or the timeout
  CHECK(wait_for_text(io, pty, screen, "request withdrawn"));
  pty.type("y\n");  // nothing on screen any more
  CHECK(wait_for_text(io, pty, screen, "nothing is waiting for an answer"));
  CHECK(a1.calls == 1);
  CHECK(broker.size() == 1);  // k2's api request still waits
  CHECK(broker.pending()[0].via == PresenceMode::kApi);

  // Host-controlled text cannot drive the terminal.
  PresenceRequest nasty = ask(PresenceRequest::Purpose::kMakeCredential);
  nasty.rp_id = "evil.example\x1b]0;owned\x07";
  k1.request(nasty, a1.fn());
  CHECK(wait_for_text(io, pty, screen, "make credential for evil.example?]0;owned?"));
  (*prompt)->close();
}

TEST_CASE("terminal prompt: no terminal is a clear error") {
  boost::asio::io_context io;
  PresenceBroker broker;
  StderrLog log(false);
  auto missing = TerminalPrompt::open(io.get_executor(), broker, log, "/nonexistent/tty");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().find("needs a terminal") != std::string::npos);
  CHECK(missing.error().find("--presence api") != std::string::npos);
  auto not_tty = TerminalPrompt::open(io.get_executor(), broker, log, "/dev/null");
  REQUIRE_FALSE(not_tty.has_value());
  CHECK(not_tty.error().find("is not one") != std::string::npos);
}
