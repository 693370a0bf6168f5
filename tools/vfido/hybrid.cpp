// `vfido hybrid`: the two ends of the hybrid transport (caBLE v2) as separate programs.
//
//   vfido hybrid authenticator --qr 'FIDO:/...' | --qr-file FILE  [--tunnel-server URL]
//       [--domain N|NAME] [--advert udp:ADDR:PORT] [--profile ID|FILE] [--aaguid UUID]
//       [--attestation none|self|packed] [--presence approve|deny]
//       [--store NAME|PATH (--passphrase-file F | --key-file F) [--state NAME|PATH]]
//       [--identity FILE [--name NAME] [--listen-for-linked [--linked-sessions N]]]
//       The phone: opens a tunnel, advertises, answers the desktop's handshake, sends getInfo,
//       serves CTAP requests with an authenticator of the chosen profile. With --identity it
//       sends linking information (when the QR code allows it) and, with --listen-for-linked,
//       then serves linked desktops (no QR code) until SIGINT/SIGTERM or N sessions.
//
//   vfido hybrid client [--tunnel-server URL] [--advert udp:ADDR:PORT] [--hint mc|ga]
//       [--png FILE] [--svg FILE] [--qr-file FILE] [--no-qr] [--links FILE [--linked [--link-name N]]]
//       [--check] [--timeout S]
//       The desktop: shows the QR code (terminal, PNG, SVG, or the FIDO:/ text in a file), waits
//       for the phone's advert, joins the tunnel and opens the channel as a libfido2 device
//       (fido_dev_set_transport_functions); prints getInfo, with --check also registers and signs
//       in (libfido2 verifies both). Keeps verified linking information in --links FILE; with
//       --linked it reaches a stored phone without a QR code.
//
// Exit status: 0 when the session completed, 1 when it failed (the reason is printed), 2 on a
// usage error.
#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include <fido.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "profiles/registry.h"
#include "tools/host/fido_hybrid_io.h"
#include "tools/host/fido_objects.h"
#include "tools/host/hybrid_desktop.h"
#include "tools/host/link_store.h"
#include "tools/host/qr_image.h"
#include "tools/host/threshold_log.h"
#include "tools/host/virtual_key.h"
#include "tools/vfido/commands.h"
#include "tools/vfido/store_flags.h"
#include "tools/vfido/demo_hybrid.h"
#include "transports/hybrid/phone_session.h"
#include "transports/hybrid/tunnel_domain.h"
#include "transports/hybrid/udp_advert_channel.h"

namespace vfido::cli {
namespace {

namespace asio = boost::asio;

constexpr const char* kDefaultTunnel = "ws://127.0.0.1:47912";
constexpr int kFidoTimeoutMs = 10000;  // per libfido2 call

std::chrono::milliseconds ms(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  const auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

std::optional<cable::TunnelUrl> tunnel_option(const std::string& text, const char* who) {
  auto url = cable::parse_tunnel_url(text);
  if (!url) std::cerr << who << ": --tunnel-server: not a ws:// or wss:// URL: " << text << '\n';
  return url;
}

std::optional<cable::UdpAdvertOptions> advert_option(const std::string& text, const char* who) {
  auto a = cable::parse_advert_channel(text);
  if (!a) std::cerr << who << ": --advert: expected udp, udp::PORT or udp:ADDRESS:PORT, got " << text << '\n';
  return a;
}

// ---- the phone ------------------------------------------------------------------------------

struct AuthenticatorCli {
  std::string qr;
  std::string qr_file;
  std::string tunnel = kDefaultTunnel;
  std::string domain = "0";
  std::string advert = "udp";
  host::ProfileChoice profile;
  host::StoreOptions store;
  std::string presence = "approve";
  std::string identity_file;
  std::string name = "vfido phone";
  bool listen = false;
  std::size_t linked_sessions = 0;
  std::string tunnel_ca;
  double handshake_s = 120;
  double idle_s = 180;
  bool verbose = false;
};

std::optional<std::uint16_t> domain_option(const std::string& text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 5) return std::nullopt;
    const unsigned long v = std::stoul(text);
    if (v > 0xffff || !cable::decode_domain(static_cast<std::uint16_t>(v))) return std::nullopt;
    return static_cast<std::uint16_t>(v);
  }
  return cable::encode_domain(text);
}

int run_authenticator(const AuthenticatorCli& o) {
  const char* who = "vfido hybrid authenticator";
  std::string qr_text = o.qr;
  if (!o.qr_file.empty()) {
    std::ifstream in(o.qr_file);
    if (!in) {
      std::cerr << who << ": cannot read " << o.qr_file << '\n';
      return 2;
    }
    std::stringstream s;
    s << in.rdbuf();
    qr_text = s.str();
  }
  qr_text = trim(qr_text);
  if (qr_text.empty() && !o.listen) {
    std::cerr << who << ": give the QR code (--qr or --qr-file), or --listen-for-linked with --identity\n";
    return 2;
  }
  std::optional<cable::QrContents> qr;
  if (!qr_text.empty()) {
    auto parsed = cable::parse_qr_url(qr_text);
    if (!parsed) {
      std::cerr << who << ": the QR code: " << cable::describe(parsed.error()) << '\n';
      return 2;
    }
    qr = *parsed;
  }
  if (o.listen && o.identity_file.empty()) {
    std::cerr << who << ": --listen-for-linked needs --identity FILE\n";
    return 2;
  }
  auto tunnel = tunnel_option(o.tunnel, who);
  auto advert = advert_option(o.advert, who);
  auto domain = domain_option(o.domain);
  if (!domain) std::cerr << who << ": --domain: not an assigned index, a value >= 256 or a known name: " << o.domain << '\n';
  auto profile = resolve_profile_options(o.profile, who);
  if (!tunnel || !advert || !domain || !profile) return 2;
  // Declared before the key: the stores outlive it.
  std::optional<host::KeyStorage> storage;
  if (int r = open_storage_for_key(o.store, who, storage); r != 0) return r;
  if (storage) {
    if (auto note = storage->profile_note(profile->model); !note.empty()) std::cerr << who << ": note: " << note << '\n';
  }

  host::ThresholdLog log(o.verbose ? LogLevel::kDebug : LogLevel::kWarning);
  OpenSslRng rng;
  std::shared_ptr<cable::PhoneIdentity> identity;
  if (!o.identity_file.empty()) {
    std::string error;
    auto loaded = host::load_phone_identity(o.identity_file, &error);
    if (!loaded && !error.empty()) {
      std::cerr << who << ": " << error << '\n';
      return 1;
    }
    if (!loaded) {
      loaded = host::new_phone_identity(rng, o.name);
      if (!host::save_phone_identity(o.identity_file, *loaded, &error)) {
        std::cerr << who << ": cannot write " << error << '\n';
        return 1;
      }
      std::cout << "vfido: new phone identity in " << o.identity_file << std::endl;
    }
    identity = std::make_shared<cable::PhoneIdentity>(std::move(*loaded));
  }

  asio::io_context io;
  host::KeyOptions key_options;
  key_options.profile = profile->model;
  if (storage) storage->attach(key_options);  // after the profile: IDs fit its limit
  key_options.presence = o.presence == "deny" ? host::PresenceMode::kDeny : host::PresenceMode::kApprove;
  key_options.log = &log;
  std::unique_ptr<host::VirtualKey> key;
  try {
    key = std::make_unique<host::VirtualKey>(io, key_options);
  } catch (const std::exception& e) {
    std::cerr << who << ": " << e.what() << '\n';
    return 1;
  }
  auto adverts = std::make_shared<cable::UdpAdvertChannel>(io.get_executor(), *advert, log);
  cable::PhoneOptions phone;
  phone.tunnel = *tunnel;
  phone.domain = *domain;
  phone.ca_file = o.tunnel_ca;
  phone.handshake_timeout = ms(o.handshake_s);
  phone.idle_timeout = ms(o.idle_s);
  phone.identity = identity.get();
  cable::PhoneContext ctx{io.get_executor(), key->authenticator(), *adverts, rng, log, phone};
  key->start();

  int status = 0;
  std::shared_ptr<cable::ContactListener> listener;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (listener) listener->stop();
    key->shutdown();
    io.stop();
  });
  std::cout << "vfido: phone with profile \"" << key->authenticator().profile().name << "\", tunnel server "
            << tunnel->text() << std::endl;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        if (qr) {
          const std::string_view can = qr->supports_linking.value_or(false) ? "can" : "cannot";
          std::cout << "vfido: QR code read: request \"" << cable::request_type_text(qr->request_type())
                    << "\", the desktop " << can << " store linking information" << std::endl;
          auto r = co_await cable::run_phone_qr(ctx, *qr);
          if (r) {
            const std::string_view linked = r->linking_sent ? ", linking information sent" : "";
            std::cout << "vfido: hybrid session complete: " << r->ctap_requests << " CTAP request(s)" << linked
                      << std::endl;
          } else {
            std::cerr << who << ": " << cable::describe(r.error()) << '\n';
            status = 1;
          }
        }
        if (o.listen && status == 0) {
          listener = std::make_shared<cable::ContactListener>(ctx, *identity, o.linked_sessions);
          std::cout << "vfido: serving linked desktops (contact ID " << to_hex(identity->contact_id) << ")"
                    << std::endl;
          co_await listener->run();
          std::cout << "vfido: " << listener->sessions() << " linked session(s) served" << std::endl;
        }
        signals.cancel();
        adverts->stop_advertising();
        key->shutdown();
      },
      asio::detached);
  io.run();
  return status;
}

// ---- the desktop ----------------------------------------------------------------------------

struct ClientCli {
  std::string tunnel = kDefaultTunnel;
  std::string advert = "udp";
  std::string hint = "mc";
  std::string png;
  std::string svg;
  std::string qr_file;
  bool show_qr = true;
  std::string links;
  bool linked = false;
  std::string link_name;  // with --linked: which stored phone (default: the first)
  bool check = false;
  double timeout_s = 120;
  std::string tunnel_ca;
  bool verbose = false;
};

// The phone's getInfo, as libfido2 reads it (answered from the post-handshake message, §8.3).
bool print_info(fido_dev_t* dev) {
  host::FidoCborInfo ci(fido_cbor_info_new());
  const int r = ci ? fido_dev_get_cbor_info(dev, ci.get()) : FIDO_ERR_INTERNAL;
  if (r != FIDO_OK) {
    std::cerr << "vfido hybrid client: getInfo: " << fido_strerr(r) << '\n';
    return false;
  }
  std::string versions;
  for (std::size_t i = 0; i < fido_cbor_info_versions_len(ci.get()); ++i) {
    versions += (i ? ", " : "") + std::string(fido_cbor_info_versions_ptr(ci.get())[i]);
  }
  std::cout << "vfido: getInfo: versions " << versions << ", AAGUID "
            << host::uuid_text(fido_cbor_info_aaguid_ptr(ci.get()), fido_cbor_info_aaguid_len(ci.get())) << std::endl;
  return true;
}

bool write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

int run_client(const ClientCli& o) {
  const char* who = "vfido hybrid client";
  auto advert = advert_option(o.advert, who);
  std::optional<cable::TunnelUrl> tunnel;
  if (!o.tunnel.empty()) {
    tunnel = tunnel_option(o.tunnel, who);
    if (!tunnel) return 2;
  }
  if (!advert) return 2;
  if (o.linked && o.links.empty()) {
    std::cerr << who << ": --linked needs --links FILE\n";
    return 2;
  }
  host::ThresholdLog log(o.verbose ? LogLevel::kDebug : LogLevel::kWarning);
  host::HybridDesktopOptions dopt;
  dopt.desktop.tunnel_override = tunnel;  // none: wss://<the domain the advert names>
  dopt.desktop.advert_timeout = ms(o.timeout_s);
  dopt.desktop.ca_file = o.tunnel_ca;
  dopt.advert = *advert;
  dopt.hint = o.hint == "ga" ? cable::RequestType::kGetAssertion : cable::RequestType::kMakeCredential;
  dopt.supports_linking = !o.links.empty();

  std::vector<cable::LinkedDevice> links;
  if (!o.links.empty()) {
    std::string error;
    auto loaded = host::load_links(o.links, &error);
    if (!loaded) {
      std::cerr << who << ": " << error << '\n';
      return 1;
    }
    links = std::move(*loaded);
  }

  std::unique_ptr<host::HybridDesktop> desktop;
  try {
    desktop = std::make_unique<host::HybridDesktop>(dopt, log);
  } catch (const std::exception& e) {
    std::cerr << who << ": " << e.what() << '\n';
    return 1;
  }
  cable::CableResult<std::shared_ptr<host::HybridLink>> link = cable::cable_fail(cable::CableError::kInternal);
  if (o.linked) {
    auto it = std::find_if(links.begin(), links.end(),
                           [&](const cable::LinkedDevice& d) { return o.link_name.empty() || d.info.name == o.link_name; });
    if (it == links.end()) {
      std::cerr << who << ": no linked phone " << (o.link_name.empty() ? "" : "\"" + o.link_name + "\" ") << "in "
                << o.links << '\n';
      return 1;
    }
    std::cout << "vfido: contacting linked phone \"" << it->info.name << "\"" << std::endl;
    link = desktop->connect_linked(*it);
    if (!link && link.error() == cable::CableError::kTunnelGone) {
      // §9.2 step 6: the tunnel server no longer knows the contact: forget the link.
      links.erase(it);
      std::string error;
      host::save_links(o.links, links, &error);
      std::cerr << who << ": the tunnel server does not know this phone any more; the link was removed\n";
      return 1;
    }
  } else {
    const std::string url = cable::qr_url(desktop->qr());
    auto matrix = host::encode_qr(url);
    if (!matrix) {
      std::cerr << who << ": the QR code does not fit a QR symbol\n";
      return 1;
    }
    if (o.show_qr) std::cout << host::qr_to_terminal(*matrix);
    std::string error;
    if (!o.png.empty() && !host::write_qr_png(*matrix, o.png, 8, &error)) {
      std::cerr << who << ": cannot write " << o.png << ": " << error << '\n';
      return 1;
    }
    if (!o.svg.empty() && !write_text(o.svg, host::qr_to_svg(*matrix))) {
      std::cerr << who << ": cannot write " << o.svg << '\n';
      return 1;
    }
    if (!o.qr_file.empty() && !write_text(o.qr_file, url + "\n")) {
      std::cerr << who << ": cannot write " << o.qr_file << '\n';
      return 1;
    }
    std::cout << "vfido: QR code: " << url << std::endl;
    std::cout << "vfido: waiting for the phone's advert (" << o.timeout_s << " s)" << std::endl;
    link = desktop->connect_qr();
  }
  if (!link) {
    std::cerr << who << ": " << cable::describe(link.error()) << '\n';
    return 1;
  }
  std::cout << "vfido: connected over hybrid" << std::endl;

  fido_init(0);
  int r = FIDO_OK;
  host::FidoDev dev = host::open_hybrid_device(*link, &r, kFidoTimeoutMs);
  if (!dev) {
    std::cerr << who << ": fido_dev_open: " << fido_strerr(r) << '\n';
    return 1;
  }
  // --check: the demo's steps (getInfo, makeCredential and getAssertion, verified by libfido2).
  bool ok = o.check ? run_demo_steps(dev.get()) : print_info(dev.get());
  dev.reset();
  if (!o.links.empty() && !o.linked) {
    if (auto device = desktop->linked_device(std::chrono::seconds(2))) {
      const std::string name = device->info.name;
      host::upsert_link(links, std::move(*device));
      std::string error;
      if (host::save_links(o.links, links, &error)) {
        std::cout << "vfido: linked phone \"" << name << "\" saved in " << o.links << std::endl;
      } else {
        std::cerr << who << ": cannot save the link: " << error << '\n';
      }
    }
  }
  desktop->close();
  std::cout << (ok ? "vfido: done" : "vfido: FAILED") << std::endl;
  return ok ? 0 : 1;
}

}  // namespace

void add_hybrid(CLI::App& app, int* exit_code) {
  CLI::App* hybrid = app.add_subcommand("hybrid", "The hybrid transport (caBLE v2): a phone-side authenticator or a desktop-side client");
  hybrid->require_subcommand(1);

  auto a = std::make_shared<AuthenticatorCli>();
  CLI::App* auth = hybrid->add_subcommand("authenticator", "Be the phone: read a FIDO:/ QR code and serve CTAP over hybrid");
  auth->add_option("--qr", a->qr, "The QR code's text, FIDO:/...");
  auth->add_option("--qr-file", a->qr_file, "A file holding the QR code's text");
  auth->add_option("--tunnel-server", a->tunnel, "This phone's tunnel server, ws:// or wss://")->capture_default_str();
  auth->add_option("--domain", a->domain, "The tunnel domain the advert names: 0, 1, a value >= 256, or a name")
      ->capture_default_str();
  auth->add_option("--advert", a->advert, "Advert channel: udp (127.255.255.255:47911), udp::PORT or udp:ADDRESS:PORT")
      ->capture_default_str();
  add_profile_options(auth, a->profile);
  add_store_flags(auth, a->store, kAllStoreFlags, false);
  auth->add_option("--presence", a->presence, "How the simulated user answers")
      ->check(CLI::IsMember({"approve", "deny"}))
      ->capture_default_str();
  auth->add_option("--identity", a->identity_file, "Linking state file (made when missing): send linking information");
  auth->add_option("--name", a->name, "Display name sent with linking information")->capture_default_str();
  auth->add_flag("--listen-for-linked", a->listen, "Then serve linked desktops (no QR code) until SIGINT/SIGTERM");
  auth->add_option("--linked-sessions", a->linked_sessions, "Stop after this many linked sessions (0: no limit)");
  auth->add_option("--tunnel-ca", a->tunnel_ca, "wss://: trust this PEM certificate file");
  auth->add_option("--handshake-timeout", a->handshake_s, "Seconds to wait for the desktop's handshake")
      ->capture_default_str();
  auth->add_option("--idle-timeout", a->idle_s, "Seconds to wait for the next request")->capture_default_str();
  auth->add_flag("-v,--verbose", a->verbose, "Log the session to stderr");
  auth->callback([a, exit_code] { *exit_code = run_authenticator(*a); });

  auto c = std::make_shared<ClientCli>();
  CLI::App* client = hybrid->add_subcommand("client", "Be the desktop: show a QR code and use the phone through libfido2");
  client->add_option("--tunnel-server", c->tunnel, "Tunnel server to use (empty: wss://<the advertised domain>)")
      ->capture_default_str();
  client->add_option("--advert", c->advert, "Advert channel: udp (127.255.255.255:47911), udp::PORT or udp:ADDRESS:PORT")
      ->capture_default_str();
  client->add_option("--hint", c->hint, "QR request hint")->check(CLI::IsMember({"mc", "ga"}))->capture_default_str();
  client->add_option("--png", c->png, "Also write the QR code as PNG");
  client->add_option("--svg", c->svg, "Also write the QR code as SVG");
  client->add_option("--qr-file", c->qr_file, "Also write the QR code's FIDO:/ text to this file");
  client->add_flag("!--no-qr", c->show_qr, "Do not draw the QR code in the terminal");
  client->add_option("--links", c->links, "File of linked phones: store linking information, read it for --linked");
  client->add_flag("--linked", c->linked, "Reach a phone stored in --links without a QR code");
  client->add_option("--link-name", c->link_name, "With --linked: the stored phone's name (default: the first)");
  client->add_flag("--check", c->check, "Also register a credential and sign in with it (libfido2 verifies both)");
  client->add_option("--timeout", c->timeout_s, "Seconds to wait for the phone's advert")->capture_default_str();
  client->add_option("--tunnel-ca", c->tunnel_ca, "wss://: trust this PEM certificate file");
  client->add_flag("-v,--verbose", c->verbose, "Log the session to stderr");
  client->callback([c, exit_code] { *exit_code = run_client(*c); });
}

}  // namespace vfido::cli
