// Hybrid end to end on loopback, as a user would run it: a tunnel server, a phone (a VirtualKey
// behind the hybrid transport) and a desktop, each on its own thread; adverts over the loopback
// UDP broadcast channel; libfido2 drives the phone's key through fido_dev_set_transport_functions.
// makeCredential and getAssertion are verified by libfido2; a linked reconnection works without
// a new QR code; a tunnel server restarted mid-session is a clear error on both ends, and the
// restarted server serves a new session.
#include <doctest/doctest.h>
#include <fido.h>
#include <fido/es256.h>

#include <boost/asio/ip/udp.hpp>

#include "tools/host/background_io.h"
#include "tools/host/fido_hybrid_io.h"
#include "tools/host/fido_objects.h"
#include "tools/host/hybrid_desktop.h"
#include "tools/host/hybrid_phone.h"
#include "tools/host/link_store.h"
#include "profiles/registry.h"
#include "transports/hybrid/tunnel_server.h"

namespace vfido::host {
namespace {

using namespace std::chrono_literals;

constexpr const char* kRp = "hybrid.vfido.dev";
constexpr int kTimeoutMs = 10000;

std::uint16_t free_udp_port() {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket s(io, boost::asio::ip::udp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
  return s.local_endpoint().port();
}

class QuietLog final : public Log {
 public:
  void write(LogLevel level, std::string_view message) override {
    std::lock_guard lock(mu_);
    lines_.emplace_back(message);
    if (level >= LogLevel::kError) MESSAGE(std::string(message));
  }
  bool contains(std::string_view needle) {
    std::lock_guard lock(mu_);
    for (const auto& l : lines_) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

struct Server {
  explicit Server(std::uint16_t port = 0) {
    cable::TunnelServerOptions o;
    o.port = port;
    server = std::make_unique<cable::TunnelServer>(io.io().get_executor(), o, log);
    server->start();
    io.start();
  }
  ~Server() { stop(); }
  void stop() {
    if (!server) return;
    io.run_sync([this] {
      server->shutdown([this] { server.reset(); });
    });
    io.stop();
  }
  QuietLog log;
  BackgroundIo io;
  std::unique_ptr<cable::TunnelServer> server;
};

struct Setup {
  Setup() : port(server.server->port()), advert_port(free_udp_port()) {}
  HybridDesktopOptions desktop_options(cable::RequestType hint = cable::RequestType::kMakeCredential) const {
    HybridDesktopOptions o;
    o.desktop.tunnel_override = cable::TunnelUrl{false, "127.0.0.1", port};
    o.desktop.advert_timeout = 10s;
    o.advert.port = advert_port;
    o.hint = hint;
    return o;
  }
  std::unique_ptr<HybridPhone> make_phone(std::shared_ptr<const cable::PhoneIdentity> identity = nullptr,
                                          const std::string& profile = "vfido") {
    HybridPhoneOptions o;
    auto p = profiles::resolve(profile);
    REQUIRE_MESSAGE(p.has_value(), profile);
    o.key.profile = p->model;
    o.phone.tunnel = cable::TunnelUrl{false, "127.0.0.1", port};
    o.phone.handshake_timeout = 10s;
    o.phone.idle_timeout = 10s;
    o.advert.port = advert_port;
    o.identity = std::move(identity);
    return std::make_unique<HybridPhone>(std::move(o), phone_log);
  }
  Server server;
  std::uint16_t port;
  std::uint16_t advert_port;
  QuietLog phone_log;
  QuietLog desktop_log;
};

struct Made {
  std::vector<unsigned char> id;
  PublicKey key;
};

Made make_credential(fido_dev_t* dev) {
  FidoCred cred(fido_cred_new());
  const std::string cd = R"({"type":"webauthn.create","challenge":"aHlicmlk","origin":"https://hybrid.vfido.dev"})";
  const unsigned char user[] = {1, 2, 3};
  REQUIRE(fido_cred_set_type(cred.get(), COSE_ES256) == FIDO_OK);
  REQUIRE(fido_cred_set_clientdata(cred.get(), reinterpret_cast<const unsigned char*>(cd.data()), cd.size()) == FIDO_OK);
  REQUIRE(fido_cred_set_rp(cred.get(), kRp, "Hybrid RP") == FIDO_OK);
  REQUIRE(fido_cred_set_user(cred.get(), user, sizeof(user), "dana", "Dana", nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_rk(cred.get(), FIDO_OPT_TRUE) == FIDO_OK);
  REQUIRE(fido_dev_make_cred(dev, cred.get(), nullptr) == FIDO_OK);
  // Packed self attestation, checked by libfido2.
  CHECK(fido_cred_verify_self(cred.get()) == FIDO_OK);
  Made m;
  m.id.assign(fido_cred_id_ptr(cred.get()), fido_cred_id_ptr(cred.get()) + fido_cred_id_len(cred.get()));
  REQUIRE(m.key.load(fido_cred_type(cred.get()), fido_cred_pubkey_ptr(cred.get()), fido_cred_pubkey_len(cred.get())));
  return m;
}

void get_assertion(fido_dev_t* dev, const Made& m, bool allow) {
  FidoAssert as(fido_assert_new());
  const std::string cd = R"({"type":"webauthn.get","challenge":"c2lnbg","origin":"https://hybrid.vfido.dev"})";
  REQUIRE(fido_assert_set_rp(as.get(), kRp) == FIDO_OK);
  REQUIRE(fido_assert_set_clientdata(as.get(), reinterpret_cast<const unsigned char*>(cd.data()), cd.size()) == FIDO_OK);
  REQUIRE(fido_assert_set_up(as.get(), FIDO_OPT_TRUE) == FIDO_OK);
  if (allow) REQUIRE(fido_assert_allow_cred(as.get(), m.id.data(), m.id.size()) == FIDO_OK);
  REQUIRE(fido_dev_get_assert(dev, as.get(), nullptr) == FIDO_OK);
  REQUIRE(fido_assert_count(as.get()) >= 1);
  CHECK(std::vector<unsigned char>(fido_assert_id_ptr(as.get(), 0),
                                   fido_assert_id_ptr(as.get(), 0) + fido_assert_id_len(as.get(), 0)) == m.id);
  // The signature over authenticatorData || clientDataHash, with the credential's key.
  CHECK(fido_assert_verify(as.get(), 0, m.key.alg(), m.key.get()) == FIDO_OK);
}

TEST_CASE("hybrid e2e: libfido2 registers and signs in over hybrid, then again through a linked phone") {
  fido_init(0);
  Setup s;
  auto identity = std::make_shared<cable::PhoneIdentity>(
      cable::PhoneIdentity{crypto::SecretBytes(Bytes(32, 0x44)), Bytes{0xe2, 0xe0}, "e2e phone"});
  auto phone = s.make_phone(identity);
  HybridDesktop desktop(s.desktop_options(), s.desktop_log);
  phone->start_qr(desktop.qr());  // "the phone scans the QR code"
  auto link = desktop.connect_qr();
  REQUIRE(link.has_value());
  int r = FIDO_OK;
  FidoDev dev = open_hybrid_device(*link, &r, kTimeoutMs);
  REQUIRE_MESSAGE(dev != nullptr, fido_strerr(r));
  CHECK(fido_dev_is_fido2(dev.get()));
  // getInfo: the phone's own (its AAGUID), from the post-handshake message.
  FidoCborInfo info(fido_cbor_info_new());
  REQUIRE(fido_dev_get_cbor_info(dev.get(), info.get()) == FIDO_OK);
  Bytes aaguid(fido_cbor_info_aaguid_ptr(info.get()), fido_cbor_info_aaguid_ptr(info.get()) + fido_cbor_info_aaguid_len(info.get()));
  phone->on_key([&](VirtualKey& key) {
    CHECK(aaguid == Bytes(key.authenticator().profile().aaguid.begin(), key.authenticator().profile().aaguid.end()));
  });
  const Made made = make_credential(dev.get());
  get_assertion(dev.get(), made, true);
  dev.reset();
  auto device = desktop.linked_device(3s);
  desktop.close();
  auto outcome = phone->wait_qr(10s);
  REQUIRE(outcome.has_value());
  REQUIRE(outcome->has_value());
  CHECK((*outcome)->ctap_requests == 2);
  CHECK((*outcome)->linking_sent);
  REQUIRE(device.has_value());
  CHECK(device->info.name == "e2e phone");

  // Linked: the phone listens at its tunnel server; a new desktop reaches it without a QR code.
  phone->start_listening();
  REQUIRE(phone->wait_listening(10s));
  HybridDesktop again(s.desktop_options(cable::RequestType::kGetAssertion), s.desktop_log);
  auto link2 = again.connect_linked(*device);
  REQUIRE(link2.has_value());
  FidoDev dev2 = open_hybrid_device(*link2, &r, kTimeoutMs);
  REQUIRE(dev2 != nullptr);
  get_assertion(dev2.get(), made, false);  // discoverable: no allowList
  dev2.reset();
  again.close();
  for (int i = 0; i < 200 && phone->linked_sessions() == 0; ++i) std::this_thread::sleep_for(20ms);
  CHECK(phone->linked_sessions() == 1);
}

TEST_CASE("hybrid e2e: a synced passkey (Google Password Manager profile) over hybrid, with user verification") {
  fido_init(0);
  Setup s;
  auto phone = s.make_phone(nullptr, "google-password-manager");
  HybridDesktop desktop(s.desktop_options(), s.desktop_log);
  phone->start_qr(desktop.qr());
  auto link = desktop.connect_qr();
  REQUIRE(link.has_value());
  int r = FIDO_OK;
  FidoDev dev = open_hybrid_device(*link, &r, kTimeoutMs);
  REQUIRE(dev != nullptr);
  // The profile protects its credentials with built-in UV: libfido2 asks for a pinUvAuthToken
  // by UV (CTAP 2.1 §6.5.5.7.3) and sends uv through the tunnel like any other request.
  FidoCred cred(fido_cred_new());
  const std::string cd = R"({"type":"webauthn.create","challenge":"c3luY2Vk","origin":"https://hybrid.vfido.dev"})";
  const unsigned char user[] = {7, 7};
  REQUIRE(fido_cred_set_type(cred.get(), COSE_ES256) == FIDO_OK);
  REQUIRE(fido_cred_set_clientdata(cred.get(), reinterpret_cast<const unsigned char*>(cd.data()), cd.size()) == FIDO_OK);
  REQUIRE(fido_cred_set_rp(cred.get(), kRp, "Hybrid RP") == FIDO_OK);
  REQUIRE(fido_cred_set_user(cred.get(), user, sizeof(user), "erin", "Erin", nullptr) == FIDO_OK);
  REQUIRE(fido_cred_set_rk(cred.get(), FIDO_OPT_TRUE) == FIDO_OK);
  REQUIRE(fido_cred_set_uv(cred.get(), FIDO_OPT_TRUE) == FIDO_OK);
  r = fido_dev_make_cred(dev.get(), cred.get(), nullptr);
  REQUIRE_MESSAGE(r == FIDO_OK, fido_strerr(r));
  // A synced vault: attestation "none", backup eligible and backed up (WebAuthn L3 §6.1 BE, BS).
  CHECK(std::string(fido_cred_fmt(cred.get())) == "none");
  const std::uint8_t flags = fido_cred_flags(cred.get());
  CHECK((flags & 0x04) != 0);  // UV
  CHECK((flags & 0x08) != 0);  // BE
  CHECK((flags & 0x10) != 0);  // BS
  Made m;
  m.id.assign(fido_cred_id_ptr(cred.get()), fido_cred_id_ptr(cred.get()) + fido_cred_id_len(cred.get()));
  REQUIRE(m.key.load(fido_cred_type(cred.get()), fido_cred_pubkey_ptr(cred.get()), fido_cred_pubkey_len(cred.get())));
  get_assertion(dev.get(), m, false);
  dev.reset();
  desktop.close();
  auto outcome = phone->wait_qr(10s);
  REQUIRE(outcome.has_value());
  CHECK(outcome->has_value());
}

TEST_CASE("hybrid e2e: a tunnel server restarted mid-session fails both ends clearly; the new one serves") {
  fido_init(0);
  Setup s;
  auto phone = s.make_phone();
  HybridDesktop desktop(s.desktop_options(), s.desktop_log);
  phone->start_qr(desktop.qr());
  auto link = desktop.connect_qr();
  REQUIRE(link.has_value());
  int r = FIDO_OK;
  FidoDev dev = open_hybrid_device(*link, &r, 3000);
  REQUIRE(dev != nullptr);
  const Made made = make_credential(dev.get());

  s.server.stop();  // the tunnel server goes away mid-session
  FidoAssert as(fido_assert_new());
  const unsigned char cdh[32] = {};
  REQUIRE(fido_assert_set_rp(as.get(), kRp) == FIDO_OK);
  REQUIRE(fido_assert_set_clientdata_hash(as.get(), cdh, sizeof(cdh)) == FIDO_OK);
  CHECK(fido_dev_get_assert(dev.get(), as.get(), nullptr) != FIDO_OK);
  auto outcome = phone->wait_qr(10s);
  REQUIRE(outcome.has_value());
  CHECK(outcome->error() == cable::CableError::kTunnelClosed);
  CHECK(s.phone_log.contains("waiting for a request"));
  CHECK(link.value()->channel()->failure() == cable::CableError::kTunnelClosed);
  dev.reset();
  desktop.close();

  // The server comes back on the same port: a new QR session works.
  Server restarted(s.port);
  HybridDesktop desktop2(s.desktop_options(cable::RequestType::kGetAssertion), s.desktop_log);
  phone->start_qr(desktop2.qr());
  auto link2 = desktop2.connect_qr();
  REQUIRE(link2.has_value());
  FidoDev dev2 = open_hybrid_device(*link2, &r, kTimeoutMs);
  REQUIRE(dev2 != nullptr);
  get_assertion(dev2.get(), made, true);
  dev2.reset();
  desktop2.close();
  auto second = phone->wait_qr(10s);
  REQUIRE(second.has_value());
  CHECK(second->has_value());
}

}  // namespace
}  // namespace vfido::host
