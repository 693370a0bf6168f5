// `vfido webauthn register|login`: one WebAuthn ceremony against a real authenticator, as a
// browser or a password-manager extension would run it, checked by the relying-party emulator.
// Prints clientDataJSON, the CTAP exchange and the RP's verdict. Thin: the work is in
// tools/webauthn_client and tools/relying_party.
//
//   vfido webauthn register --device unix:/run/key.sock --origin https://login.example.com --store creds.json
//   vfido webauthn login    --device unix:/run/key.sock --origin https://login.example.com --store creds.json
#include <fido.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "authenticator/env/rng.h"
#include "tools/host/fido_objects.h"
#include "tools/host/fido_udp_io.h"
#include "tools/host/fido_unix_io.h"
#include "tools/relying_party/relying_party.h"
#include "tools/vfido/commands.h"
#include "authenticator/base64.h"
#include "tools/webauthn_client/rp_id.h"
#include "tools/webauthn_client/webauthn_client.h"

namespace vfido::cli {
namespace {

using json = nlohmann::json;

struct WebauthnOptions {
  std::string device;
  std::string origin;
  std::string top_origin;
  std::string rp_id;
  std::string client = "browser";
  std::string pin;
  std::string user = "user@example.com";
  std::string uv = "preferred";
  std::string resident_key = "preferred";
  std::string attestation = "none";
  std::vector<std::string> well_known;
  std::vector<std::string> rp_origins;
  std::string metadata;
  std::string store;
  bool allow_list = false;
  bool print_json = false;
  int timeout_ms = 30000;
};

// unix:PATH, udp:HOST:PORT, or a hidraw path.
host::FidoDev open_device(const std::string& spec, int timeout_ms, std::string& error) {
  int r = FIDO_ERR_INTERNAL;
  host::FidoDev dev;
  if (spec.rfind("unix:", 0) == 0) {
    dev = host::open_unix_device(spec.substr(5), &r, timeout_ms);
  } else if (spec.rfind("udp:", 0) == 0) {
    const std::string hp = spec.substr(4);
    const auto colon = hp.rfind(':');
    if (colon == std::string::npos) {
      error = "--device udp:HOST:PORT needs a port";
      return nullptr;
    }
    try {
      dev = host::open_udp_device(hp.substr(0, colon), static_cast<std::uint16_t>(std::stoul(hp.substr(colon + 1))), &r, timeout_ms);
    } catch (...) {
      error = "--device udp:HOST:PORT: bad port";
      return nullptr;
    }
  } else {
    dev.reset(fido_dev_new());
    r = dev ? fido_dev_open(dev.get(), spec.c_str()) : FIDO_ERR_INTERNAL;
    if (r == FIDO_OK) fido_dev_set_timeout(dev.get(), timeout_ms);
    if (r != FIDO_OK) dev.reset();
  }
  if (!dev) error = "cannot open " + spec + ": " + host::fido_error_text(r);
  return dev;
}

std::optional<webauthn::UserVerification> parse_uv(const std::string& s) {
  if (s == "required") return webauthn::UserVerification::kRequired;
  if (s == "preferred") return webauthn::UserVerification::kPreferred;
  if (s == "discouraged") return webauthn::UserVerification::kDiscouraged;
  return std::nullopt;
}

std::vector<rp::CredentialRecord> read_store(const std::string& path, std::string& error) {
  std::vector<rp::CredentialRecord> out;
  std::ifstream in(path);
  if (!in) return out;  // a new store
  json j = json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    error = path + ": not a JSON array of credential records";
    return out;
  }
  for (const auto& item : j) {
    auto c = rp::credential_record_from_json(item);
    if (!c) {
      error = path + ": " + c.error();
      return {};
    }
    out.push_back(*c);
  }
  return out;
}

bool write_store(const std::string& path, const std::vector<rp::CredentialRecord>& records) {
  json j = json::array();
  for (const auto& c : records) j.push_back(rp::to_json(c));
  std::ofstream out(path);
  out << j.dump(2) << "\n";
  return static_cast<bool>(out);
}

void print_transcript(const webauthn::Transcript& t) {
  for (const auto& line : t) {
    if (line.rfind("clientDataJSON: ", 0) == 0) {
      std::printf("%s\n", line.c_str());
    } else {
      std::printf("  CTAP  %s\n", line.c_str());
    }
  }
}

int run(const WebauthnOptions& o, bool registering) {
  auto fail = [](const std::string& why) {
    std::fprintf(stderr, "vfido webauthn: %s\n", why.c_str());
    return 2;
  };
  auto profile = webauthn::client_profile(o.client);
  if (!profile) return fail("--client must be browser, browser-legacy or extension");
  auto uv = parse_uv(o.uv);
  if (!uv) return fail("--uv must be required, preferred or discouraged");
  auto origin = webauthn::parse_origin(o.origin);
  if (!origin) return fail("--origin: " + origin.error());
  webauthn::CallerContext caller{*origin, std::nullopt, true};
  if (!o.top_origin.empty()) {
    auto top = webauthn::parse_origin(o.top_origin);
    if (!top) return fail("--top-origin: " + top.error());
    caller.top_origin = *top;
  }
  auto psl = webauthn::PublicSuffixList::system();
  if (!psl) return fail(psl.error());
  webauthn::FileFetcher fetcher;
  for (const auto& w : o.well_known) {
    const auto eq = w.find('=');
    if (eq == std::string::npos) return fail("--well-known wants RPID=FILE, got " + w);
    fetcher.add(w.substr(0, eq), w.substr(eq + 1));
  }
  webauthn::Client client(*profile, *psl, &fetcher);

  // The RP: its ID (as given, else the one the client settles on) and its origins.
  auto rp_id = client.check_rp_id(caller, o.rp_id.empty() ? std::nullopt : std::optional<std::string>(o.rp_id));
  rp::RelyingPartyConfig rp;
  rp.rp_id = rp_id ? *rp_id : o.rp_id;
  rp.origins = o.rp_origins;
  if (rp.origins.empty()) rp.origins = {webauthn::ceremony_origin(*profile, caller).serialize(), "https://" + rp.rp_id};
  if (caller.top_origin) {
    rp.allow_cross_origin = true;
    rp.top_origins = {caller.top_origin->serialize()};
  }
  std::optional<rp::MetadataStore> metadata;
  if (!o.metadata.empty()) {
    auto m = rp::MetadataStore::load_file(o.metadata);
    if (!m) return fail(m.error());
    metadata = std::move(*m);
    rp.metadata = &*metadata;
  }
  std::string store_error;
  std::vector<rp::CredentialRecord> records = o.store.empty() ? std::vector<rp::CredentialRecord>{} : read_store(o.store, store_error);
  if (!store_error.empty()) return fail(store_error);

  std::string dev_error;
  host::FidoDev dev = open_device(o.device, o.timeout_ms, dev_error);
  if (!dev) return fail(dev_error);
  webauthn::Interaction user;
  if (!o.pin.empty()) user.pin = o.pin;
  OpenSslRng rng;
  const Bytes challenge = rng.bytes(32);
  webauthn::Transcript transcript;
  std::printf("client: %s, origin %s, RP ID %s\n", profile->name.c_str(), caller.origin.serialize().c_str(), rp.rp_id.c_str());

  if (registering) {
    webauthn::CreationOptions co;
    if (!o.rp_id.empty()) co.rp_id = o.rp_id;
    co.user_id = to_bytes(o.user).size() <= 64 ? to_bytes(o.user) : Bytes(to_bytes(o.user).begin(), to_bytes(o.user).begin() + 64);
    co.user_name = o.user;
    co.user_display_name = o.user;
    co.challenge = challenge;
    co.pub_key_cred_params = {{"public-key", -7}, {"public-key", -8}, {"public-key", -257}};
    co.user_verification = *uv;
    co.resident_key = o.resident_key == "required"     ? webauthn::ResidentKey::kRequired
                      : o.resident_key == "discouraged" ? webauthn::ResidentKey::kDiscouraged
                                                        : webauthn::ResidentKey::kPreferred;
    co.attestation = o.attestation == "direct" ? webauthn::AttestationConveyance::kDirect : webauthn::AttestationConveyance::kNone;
    co.extensions.cred_props = true;
    for (const auto& r : records) {
      if (r.rp_id == rp.rp_id && r.user_handle == co.user_id) co.exclude_credentials.push_back({"public-key", r.id, r.transports});
    }
    auto created = client.create(dev.get(), caller, co, user, &transcript);
    print_transcript(transcript);
    if (!created) {
      std::printf("client: %s\n", created.error().to_string().c_str());
      return 1;
    }
    if (o.print_json) std::printf("%s\n", webauthn::to_json(created->credential).dump(2).c_str());
    rp::RegistrationExpectations e;
    e.challenge = challenge;
    e.algorithms = {-7, -8, -257};
    e.require_user_verification = *uv == webauthn::UserVerification::kRequired;
    e.user_handle = co.user_id;
    e.credential_id_in_use = [&](ByteSpan id) {
      for (const auto& r : records) {
        if (std::equal(r.id.begin(), r.id.end(), id.begin(), id.end())) return true;
      }
      return false;
    };
    auto v = rp::verify_registration(rp, e, created->credential);
    if (!v) {
      std::printf("RP: refused: %s\n", v.error().to_string().c_str());
      return 1;
    }
    const auto& c = v->credential;
    std::printf("RP: registered credential %s\n", vfido::base64url_encode(c.id).c_str());
    std::printf("    AAGUID %s, %s, backed up %s, signCount %u, UV %s\n", rp::format_aaguid(c.aaguid).c_str(),
                c.credential_device_type().c_str(), c.backed_up() ? "yes" : "no", c.sign_count, c.uv_initialized ? "yes" : "no");
    std::printf("    attestation %s (%s), trust %s: %s\n", c.attestation_format.c_str(), std::string(rp::to_string(c.attestation_type)).c_str(),
                std::string(rp::to_string(c.trust)).c_str(), c.trust_detail.c_str());
    if (!o.store.empty()) {
      records.push_back(c);
      if (!write_store(o.store, records)) return fail("cannot write " + o.store);
      std::printf("    stored in %s\n", o.store.c_str());
    }
    return 0;
  }

  webauthn::RequestOptions ro;
  if (!o.rp_id.empty()) ro.rp_id = o.rp_id;
  ro.challenge = challenge;
  ro.user_verification = *uv;
  std::vector<Bytes> allow;
  if (o.allow_list) {
    for (const auto& r : records) {
      if (r.rp_id == rp.rp_id && r.user_handle == to_bytes(o.user)) {
        ro.allow_credentials.push_back({"public-key", r.id, r.transports});
        allow.push_back(r.id);
      }
    }
  }
  auto got = client.get(dev.get(), caller, ro, user, &transcript);
  print_transcript(transcript);
  if (!got) {
    std::printf("client: %s\n", got.error().to_string().c_str());
    return 1;
  }
  if (o.print_json) std::printf("%s\n", webauthn::to_json(got->credential).dump(2).c_str());
  rp::AuthenticationExpectations e;
  e.challenge = challenge;
  e.require_user_verification = *uv == webauthn::UserVerification::kRequired;
  e.allow_credentials = allow;
  if (o.allow_list) e.identified_user = to_bytes(o.user);
  auto v = rp::verify_authentication(rp, e, records, got->credential);
  if (!v) {
    std::printf("RP: refused: %s\n", v.error().to_string().c_str());
    return 1;
  }
  std::printf("RP: signed in with credential %s\n", vfido::base64url_encode(v->credential.id).c_str());
  std::printf("    UV %s, %s, backed up %s, signCount %u%s\n", v->user_verified ? "yes" : "no",
              v->credential.credential_device_type().c_str(), v->credential.backed_up() ? "yes" : "no", v->credential.sign_count,
              v->counter_supported ? "" : " (no counter: 0/0)");
  if (!o.store.empty()) {
    for (auto& r : records) {
      if (r.id == v->credential.id) r = v->credential;
    }
    if (!write_store(o.store, records)) return fail("cannot write " + o.store);
  }
  return 0;
}

void add_common(CLI::App* cmd, WebauthnOptions& o) {
  cmd->add_option("--device", o.device, "unix:PATH, udp:HOST:PORT or /dev/hidrawN")->required();
  cmd->add_option("--origin", o.origin, "the calling page's origin (or a URL on it)")->required();
  cmd->add_option("--top-origin", o.top_origin, "the top-level page when the caller is a frame");
  cmd->add_option("--rp-id", o.rp_id, "rp.id / rpId (default: the origin's host)");
  cmd->add_option("--client", o.client, "browser | browser-legacy | extension")->capture_default_str();
  cmd->add_option("--pin", o.pin, "the PIN the user types when asked");
  cmd->add_option("--user", o.user, "user name, also the user handle")->capture_default_str();
  cmd->add_option("--uv", o.uv, "userVerification: required | preferred | discouraged")->capture_default_str();
  cmd->add_option("--well-known", o.well_known, "RPID=FILE: the /.well-known/webauthn document for related origins");
  cmd->add_option("--rp-origin", o.rp_origins, "an origin the RP accepts (default: the origin and https://RPID)");
  cmd->add_option("--metadata", o.metadata, "MDS3 metadata statement(s) JSON: the RP's attestation trust anchors");
  cmd->add_option("--store", o.store, "JSON file of the RP's credential records (read, and updated)");
  cmd->add_option("--timeout-ms", o.timeout_ms, "per libfido2 call")->capture_default_str();
  cmd->add_flag("--json", o.print_json, "print the credential as PublicKeyCredential.toJSON()");
}

}  // namespace

void add_webauthn(CLI::App& app, int* exit_code) {
  auto* cmd = app.add_subcommand("webauthn", "run a WebAuthn ceremony (client emulator + relying party) against a key");
  cmd->require_subcommand(1);
  auto o = std::make_shared<WebauthnOptions>();
  auto* reg = cmd->add_subcommand("register", "navigator.credentials.create() and the RP's registration checks");
  add_common(reg, *o);
  reg->add_option("--resident-key", o->resident_key, "required | preferred | discouraged")->capture_default_str();
  reg->add_option("--attestation", o->attestation, "none | direct")->capture_default_str();
  reg->callback([o, exit_code] { *exit_code = run(*o, true); });
  auto* login = cmd->add_subcommand("login", "navigator.credentials.get() and the RP's assertion checks");
  add_common(login, *o);
  login->add_flag("--allow-list", o->allow_list, "send the --user's credentials from --store (username typed first)");
  login->callback([o, exit_code] { *exit_code = run(*o, false); });
}

}  // namespace vfido::cli
