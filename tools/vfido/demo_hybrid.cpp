// `vfido demo --transport hybrid`: a tunnel server, a phone and a desktop in this process. The
// desktop shows the QR code, the phone "scans" it and advertises over the loopback advert
// channel, both meet at the tunnel server, and libfido2 runs the demo's steps over the Noise
// channel (fido_dev_set_transport_functions). Then a linked reconnection: the phone's linking
// information reaches it again without a QR code (NKpsk0) and the steps run once more.
// --tunnel-server URL uses a running tunnel server; --external-phone waits for
// `vfido hybrid authenticator` instead of the in-process phone.
#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include "tools/vfido/demo_hybrid.h"

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include <boost/asio/ip/udp.hpp>

#include "tools/host/background_io.h"
#include "tools/host/fido_hybrid_io.h"
#include "tools/host/hybrid_desktop.h"
#include "tools/host/hybrid_phone.h"
#include "tools/host/link_store.h"
#include "tools/host/qr_image.h"
#include "tools/host/threshold_log.h"
#include "transports/hybrid/tunnel_server.h"

namespace vfido::cli {
namespace {

constexpr int kTimeoutMs = 10000;  // per libfido2 call

void stage(const std::string& title) { std::printf("\n[hybrid] %s\n", title.c_str()); }

int finish(bool ok) {
  std::printf("\n%s\n", ok ? "demo: all steps passed" : "demo: FAILED (see above)");
  return ok ? 0 : 1;
}

int fail(const std::string& what) {
  std::printf("    FAILED: %s\n", what.c_str());
  return finish(false);
}

// A UDP port nobody uses right now, for this demo's advert broadcasts.
std::uint16_t free_udp_port() {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket s(io, boost::asio::ip::udp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
  return s.local_endpoint().port();
}

// Opens the channel as a libfido2 device and runs the demo's steps on it.
bool run_steps_over(const std::shared_ptr<host::HybridLink>& link) {
  int r = FIDO_OK;
  host::FidoDev dev = host::open_hybrid_device(link, &r, kTimeoutMs);
  if (!dev) {
    std::printf("    FAILED: fido_dev_open: %s\n", fido_strerr(r));
    return false;
  }
  return run_demo_steps(dev.get());
}

}  // namespace

void add_hybrid_demo_options(CLI::App* cmd, HybridDemoOptions& o) {
  cmd->add_option("--tunnel-server", o.tunnel_server,
                  "hybrid: use this tunnel server (ws:// or wss://) instead of one in this process");
  cmd->add_option("--tunnel-ca", o.tunnel_ca, "hybrid: wss://, trust this PEM certificate file");
  cmd->add_option("--advert", o.advert, "hybrid: the advert channel, udp:ADDRESS:PORT (default: a free loopback port)");
  cmd->add_flag("--external-phone", o.external_phone,
                "hybrid: wait for `vfido hybrid authenticator` instead of an in-process phone");
  cmd->add_flag("!--no-qr", o.show_qr, "hybrid: do not draw the QR code in the terminal");
}

int run_hybrid_demo(bool verbose, const HybridDemoOptions& o) {
  std::printf("vfido demo: hybrid (caBLE v2). A desktop, a phone and a tunnel server in this process:\n"
              "the desktop shows a QR code, the phone reads it and advertises over the loopback\n"
              "advert channel, both meet at the tunnel server, and libfido2 talks to the phone's key\n"
              "through the Noise channel (fido_dev_set_transport_functions).\n");
  host::ThresholdLog log(verbose ? LogLevel::kDebug : LogLevel::kWarning);

  host::BackgroundIo server_io;
  std::unique_ptr<cable::TunnelServer> server;
  cable::TunnelUrl tunnel;
  if (o.tunnel_server.empty()) {
    try {
      server = std::make_unique<cable::TunnelServer>(server_io.io().get_executor(), cable::TunnelServerOptions{}, log);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "vfido demo: cannot start a tunnel server: %s\n", e.what());
      return 1;
    }
    server->start();
    server_io.start();
    tunnel = server->url();
    std::printf("tunnel server: %s (in this process)\n", tunnel.text().c_str());
  } else if (auto url = cable::parse_tunnel_url(o.tunnel_server)) {
    tunnel = *url;
    std::printf("tunnel server: %s\n", tunnel.text().c_str());
  } else {
    std::fprintf(stderr, "vfido demo: --tunnel-server: not a ws:// or wss:// URL: %s\n", o.tunnel_server.c_str());
    return 2;
  }
  cable::UdpAdvertOptions advert;
  if (o.advert.empty()) {
    advert.port = free_udp_port();
  } else if (auto parsed = cable::parse_advert_channel(o.advert)) {
    advert = *parsed;
  } else {
    std::fprintf(stderr, "vfido demo: --advert: expected udp:ADDRESS:PORT, got %s\n", o.advert.c_str());
    return 2;
  }
  std::printf("advert channel: udp:%s:%u\n", advert.address.c_str(), advert.port);

  host::HybridDesktopOptions dopt;
  dopt.desktop.tunnel_override = tunnel;
  dopt.desktop.ca_file = o.tunnel_ca;
  dopt.desktop.advert_timeout = std::chrono::seconds(o.external_phone ? 300 : 30);
  dopt.advert = advert;
  std::unique_ptr<host::HybridDesktop> desktop;
  try {
    desktop = std::make_unique<host::HybridDesktop>(dopt, log);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vfido demo: %s\n", e.what());
    return 1;
  }
  const std::string url = cable::qr_url(desktop->qr());
  stage("the desktop shows a QR code");
  if (o.show_qr) {
    if (auto m = host::encode_qr(url)) std::printf("%s", host::qr_to_terminal(*m).c_str());
  }
  std::printf("    %s\n", url.c_str());

  OpenSslRng rng;
  std::unique_ptr<host::HybridPhone> phone;
  if (o.external_phone) {
    std::printf("\nwaiting for a phone: vfido hybrid authenticator --qr '%s' --tunnel-server %s --advert udp:%s:%u\n",
                url.c_str(), tunnel.text().c_str(), advert.address.c_str(), advert.port);
    std::fflush(stdout);  // another process reads the QR code from here
  } else {
    host::HybridPhoneOptions popt;
    popt.key.verbose = verbose;
    popt.phone.tunnel = tunnel;
    popt.phone.ca_file = o.tunnel_ca;
    popt.advert = advert;
    popt.identity = std::make_shared<cable::PhoneIdentity>(host::new_phone_identity(rng, "vfido demo phone"));
    phone = std::make_unique<host::HybridPhone>(std::move(popt), log);
    phone->start_qr(desktop->qr());
    std::printf("    the phone (in this process) reads it, opens a tunnel and advertises\n");
  }

  stage("advert found, tunnel joined, Noise KNpsk0 handshake");
  auto link = desktop->connect_qr();
  if (!link) return fail(std::string(cable::describe(link.error())));
  std::printf("    channel open; the phone sent its getInfo in the post-handshake message\n");
  fido_init(0);
  bool ok = run_steps_over(*link);
  auto linked = desktop->linked_device(std::chrono::seconds(2));
  desktop->close();
  if (phone) {
    auto outcome = phone->wait_qr(std::chrono::seconds(10));
    if (!outcome || !*outcome) return fail("the phone's session did not end cleanly");
  }
  if (!ok) return finish(false);

  stage("linked reconnection: no QR code (state-assisted, Noise NKpsk0)");
  if (!linked) {
    std::printf("    the phone sent no linking information\n");
    return o.external_phone ? finish(true) : fail("the in-process phone sent no linking information");
  }
  std::printf("    linked phone:    \"%s\" (identity %s...)\n", linked->info.name.c_str(),
              to_hex(ByteSpan(linked->info.identity_public).first(9)).c_str());
  if (!phone) {
    std::printf("    run the phone with --identity FILE --listen-for-linked to try it\n");
    return finish(true);
  }
  phone->start_listening();
  if (!phone->wait_listening(std::chrono::seconds(10))) return fail("the phone is not listening for linked desktops");
  host::HybridDesktopOptions again = dopt;
  again.hint = cable::RequestType::kGetAssertion;
  host::HybridDesktop second(again, log);
  auto link2 = second.connect_linked(*linked);
  if (!link2) return fail(std::string(cable::describe(link2.error())));
  std::printf("    channel open without a QR code; the same steps again\n");
  ok = run_steps_over(*link2);
  second.close();
  phone->stop_listening();
  return finish(ok);
}

}  // namespace vfido::cli
