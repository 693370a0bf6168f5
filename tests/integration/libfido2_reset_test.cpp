// authenticatorReset (CTAP 2.1 §6.6) through libfido2's fido_dev_reset over the Unix socket
// transport, within and after the reset window, and the UDP reboot datagram that power-cycles
// a served key (restarting the window).
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <fido/config.h>

#include "tests/support/libfido2_key.h"
#include "transports/udp/udp_transport.h"

namespace {

using vfido::host::FidoAssert;
using vfido::host::FidoCred;
using vfido::host::FidoDev;
using vfido::host::KeyOptions;
using vfido::test::UnixKey;

// makeCredential (discoverable) and a discoverable getAssertion for "reset.example".
int make(fido_dev_t* dev, const char* pin) {
  FidoCred cred(fido_cred_new());
  REQUIRE(cred);
  fido_cred_t* c = cred.get();
  const unsigned char cdh[32] = {0x44};
  const unsigned char uid[3] = {7, 7, 7};
  REQUIRE(fido_cred_set_clientdata_hash(c, cdh, sizeof(cdh)) == FIDO_OK);
  REQUIRE(fido_cred_set_type(c, COSE_ES256) == FIDO_OK);
  REQUIRE(fido_cred_set_rp(c, "reset.example", nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_user(c, uid, sizeof(uid), "erin", nullptr, nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_rk(c, FIDO_OPT_TRUE) == FIDO_OK);
  return fido_dev_make_cred(dev, c, pin);
}

int discover(fido_dev_t* dev) {
  FidoAssert as(fido_assert_new());
  REQUIRE(as);
  const unsigned char cdh[32] = {0x55};
  REQUIRE(fido_assert_set_clientdata_hash(as.get(), cdh, sizeof(cdh)) == FIDO_OK);
  REQUIRE(fido_assert_set_rp(as.get(), "reset.example") == FIDO_OK);
  return fido_dev_get_assert(dev, as.get(), nullptr);
}

KeyOptions with_window(std::uint64_t ms) {
  KeyOptions o;
  o.profile.reset_window_ms = ms;
  return o;
}

}  // namespace

TEST_CASE("libfido2 reset: wipes credentials and the PIN within the window") {
  UnixKey k;
  FidoDev dev = k.open();
  REQUIRE(fido_dev_set_pin(dev.get(), "1234", nullptr) == FIDO_OK);
  REQUIRE(make(dev.get(), "1234") == FIDO_OK);
  REQUIRE(fido_dev_toggle_always_uv(dev.get(), "1234") == FIDO_OK);
  REQUIRE(fido_dev_reset(dev.get()) == FIDO_OK);

  FidoDev fresh = k.open();  // libfido2 caches getInfo at open
  CHECK_FALSE(fido_dev_has_pin(fresh.get()));
  CHECK(discover(fresh.get()) == FIDO_ERR_NO_CREDENTIALS);
  int retries = -1;
  REQUIRE(fido_dev_get_retry_count(fresh.get(), &retries) == FIDO_OK);
  CHECK(retries == 8);
  // A new PIN can be set, and the key works without alwaysUv.
  REQUIRE(make(fresh.get(), nullptr) == FIDO_OK);
  REQUIRE(fido_dev_set_pin(fresh.get(), "5678", nullptr) == FIDO_OK);
}

TEST_CASE("libfido2 reset: after the window it is NOT_ALLOWED") {
  UnixKey k(with_window(200));
  FidoDev dev = k.open();
  REQUIRE(make(dev.get(), nullptr) == FIDO_OK);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(fido_dev_reset(dev.get()) == FIDO_ERR_NOT_ALLOWED);
  CHECK(discover(dev.get()) == FIDO_OK);  // nothing wiped
}

TEST_CASE("libfido2 reset: the UDP reboot datagram power-cycles the key and reopens the window") {
  vfido::test::TempDir dir;
  vfido::host::BackgroundKey key(with_window(500));
  vfido::transport::udp::Options udp;
  udp.port = 0;
  udp.peer_port = 9;  // the discard port: nothing listens to what the key sends
  const std::uint16_t port = key.add_udp(udp);
  key.add_unix(dir.file("key.sock"));
  key.start();
  int r = FIDO_ERR_INTERNAL;
  FidoDev dev = vfido::host::open_unix_device(dir.file("key.sock"), &r, vfido::test::kTimeoutMs);
  REQUIRE(dev);
  REQUIRE(make(dev.get(), nullptr) == FIDO_OK);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  REQUIRE(fido_dev_reset(dev.get()) == FIDO_ERR_NOT_ALLOWED);

  // The datagram, from another socket, on the UDP transport of the same key.
  const int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  REQUIRE(s >= 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const auto& dgram = vfido::transport::udp::kRebootDatagram;
  REQUIRE(::sendto(s, dgram.data(), dgram.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) ==
          static_cast<ssize_t>(dgram.size()));
  ::close(s);

  // It is handled on the key's thread; within the new window a reset goes through.
  const auto sent = std::chrono::steady_clock::now();
  int status = FIDO_ERR_NOT_ALLOWED;
  while (status == FIDO_ERR_NOT_ALLOWED && std::chrono::steady_clock::now() - sent < std::chrono::milliseconds(400)) {
    status = fido_dev_reset(dev.get());
    if (status == FIDO_ERR_NOT_ALLOWED) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(status == FIDO_OK);
  CHECK(discover(dev.get()) == FIDO_ERR_NO_CREDENTIALS);
  key.stop();
}
