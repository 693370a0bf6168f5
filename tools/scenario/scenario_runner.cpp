#include <utility>  // first: Boost 1.74's awaitable.hpp needs std::exchange
#include "tools/scenario/scenario_runner.h"

#include <fido.h>
#include <algorithm>
#include <chrono>
#include <memory>

#include "authenticator/env/rng.h"
#include "credstore/sqlite/open_store.h"
#include "tools/host/fido_objects.h"
#include "tools/host/attestation_files.h"
#include "tools/host/background_io.h"
#include "tools/host/fido_hybrid_io.h"
#include "tools/host/hybrid_desktop.h"
#include "tools/host/hybrid_phone.h"
#include "tools/host/threshold_log.h"
#include "tools/host/fido_unix_io.h"
#include "tools/host/metadata_statement.h"
#include "tools/host/profile_choice.h"
#include "tools/host/scratch_dir.h"
#include "tools/host/virtual_key.h"
#include "tools/policy/policy_engine.h"
#include "tools/relying_party/relying_party.h"
#include "tools/relying_party/verdict_json.h"
#include "authenticator/base64.h"
#include "tools/webauthn_client/rp_id.h"
#include "tools/webauthn_client/webauthn_client.h"
#include "transports/hybrid/tunnel_server.h"

#include <boost/asio/ip/udp.hpp>

namespace vfido::scenario {

bool ScenarioResult::passed() const { return error.empty() && failures() == 0; }

std::size_t ScenarioResult::failures() const {
  return static_cast<std::size_t>(std::count_if(steps.begin(), steps.end(), [](const StepResult& s) { return !s.passed; }));
}

namespace {

using json = nlohmann::json;
constexpr int kTimeoutMs = 10000;  // per libfido2 call

struct SetupError {
  std::string message;
};

const webauthn::PublicSuffixList& system_psl() {
  static const auto psl = webauthn::PublicSuffixList::system();
  if (!psl) throw SetupError{psl.error()};
  return *psl;
}

// One authenticator of the scenario, running.
struct Device {
  const AuthenticatorSpec* spec = nullptr;
  AuthenticatorProfile model;
  credstore::sqlite::OpenedStore vault;  // when its passkeys live in a vault
  std::unique_ptr<host::BackgroundKey> key;     // --transport unix
  std::unique_ptr<host::HybridPhone> phone;      // --transport hybrid: the key is a phone's
  std::unique_ptr<host::HybridDesktop> desktop;  // hybrid: the session of the current ceremony
  host::FidoDev dev;  // unix: open for the whole run; hybrid: for one ceremony
};

std::uint16_t free_udp_port() {
  boost::asio::io_context io;
  boost::asio::ip::udp::socket s(io, boost::asio::ip::udp::endpoint(boost::asio::ip::address_v4::loopback(), 0));
  return s.local_endpoint().port();
}

// A credential the RP registered, and for whom and where.
struct Registered {
  rp::CredentialRecord record;
  std::string upn;
  std::string authenticator;
};

struct Outcome {
  std::string got;
  std::string reason;
};

std::string attestation_words(const rp::CredentialRecord& c) {
  std::string s = c.attestation_format;
  if (c.attestation_format == "none") return s;
  s += " " + std::string(rp::to_string(c.attestation_type));
  if (c.trust != rp::TrustResult::kNotApplicable) s += ", " + std::string(rp::to_string(c.trust));
  return s;
}

policy::PasskeyFacts facts_of(const rp::CredentialRecord& c, bool backup_eligible) {
  return policy::PasskeyFacts{c.aaguid, backup_eligible, c.trust == rp::TrustResult::kTrusted, attestation_words(c)};
}

class Run {
 public:
  Run(const Scenario& s, const RunOptions& o) : s_(s), options_(o), client_psl_(system_psl()), policy_(s.policy) {
    for (const auto& [rp_id, origins] : s_.rp.related_origins) fetcher_.set_well_known(rp_id, json{{"origins", origins}}.dump());
    if (dir_.path().empty()) throw SetupError{"cannot make a temporary directory"};
    data_dir_ = o.data_dir.empty() ? dir_.path() + "/data" : o.data_dir;
    for (const auto& file : s_.rp.metadata_files) {
      auto m = rp::MetadataStore::load_file(file);
      if (!m) throw SetupError{m.error()};
      metadata_.merge(*m);
    }
    for (const auto& id : s_.rp.metadata_profiles) trust_profile(id);
    for (const auto& st : metadata_.statements()) {
      for (const auto& root : st.attestation_root_certificates) root_pems_.push_back(root.pem());
    }
    rp_.rp_id = s_.rp.rp_id;
    rp_.origins = s_.rp.origins;
    rp_.metadata = &metadata_;
    vault_key_ = rng_.bytes(32);
    for (const auto& a : s_.authenticators) start(a);
  }

  ~Run() {
    for (auto& d : devices_) {
      if (d->phone) disconnect(*d);
      d->dev.reset();  // disconnect before the key stops
      if (d->key) d->key->stop();
    }
  }

  Outcome step(const Step& step) {
    switch (step.action) {
      case StepAction::kRegister: return register_passkey(step);
      case StepAction::kSignIn: return sign_in(step);
      case StepAction::kLockoutAnalysis: return lockout();
      case StepAction::kChangePolicy:
        policy_ = *step.policy;
        return {"changed", "from now on: " + describe(policy_)};
    }
    return {"error", "unknown action"};
  }

  std::string lockout_expected(const Step& step) const {
    std::string e;
    if (!step.flagged.empty()) e += "flagged: " + join(step.flagged);
    if (!step.not_flagged.empty()) e += std::string(e.empty() ? "" : "; ") + "not flagged: " + join(step.not_flagged);
    return e;
  }

  // The lockout verdict: passed when each user is on the expected side.
  std::string lockout_mismatch(const Step& step) const {
    std::string out;
    for (const auto& u : step.flagged) {
      if (!flagged(u)) out += (out.empty() ? "" : "; ") + u + " was not flagged";
    }
    for (const auto& u : step.not_flagged) {
      if (flagged(u)) out += (out.empty() ? "" : "; ") + u + " was flagged";
    }
    return out;
  }

 private:
  // "profiles default (device-bound, synced), admins (device-bound, attestation enforced, allow 1 AAGUID)"
  static std::string describe(const policy::PasskeyPolicy& p) {
    std::string out = p.enabled ? "profiles " : "method disabled; profiles ";
    for (std::size_t i = 0; i < p.profiles.size(); ++i) {
      const auto& pr = p.profiles[i];
      out += (i ? ", " : "") + pr.id + " (" + policy::to_string(pr.effective_types());
      if (pr.enforce_attestation) out += ", attestation enforced";
      if (pr.keys.enforced) {
        out += std::string(pr.keys.type == policy::KeyEnforcement::kAllow ? ", allow " : ", block ") +
               std::to_string(pr.keys.aaguids.size()) + " AAGUID(s)";
      }
      out += ")";
    }
    return out;
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& x : v) out += (out.empty() ? "" : ", ") + x;
    return out.empty() ? "nobody" : out;
  }

  // The RP trusts what `vfido metadata export --profile ID` would give it.
  void trust_profile(const std::string& id) {
    auto profile = host::load_profile(host::ProfileChoice{id, "", "", data_dir_}, rng_);
    if (!profile) throw SetupError{"relying_party.metadata: " + profile.error()};
    std::optional<crypto::Certificate> root;
    if (profile->model.attestation == AttestationMode::kBasic) {
      auto r = host::attestation_root(*profile, data_dir_, rng_);
      if (!r) throw SetupError{"relying_party.metadata: " + r.error()};
      root = *r;
    }
    const json statement = json::parse(host::metadata_statement(*profile, root).dump());
    auto parsed = rp::MetadataStore::parse_statement(statement, "metadata of profile " + id + ": ");
    if (!parsed) throw SetupError{parsed.error()};
    metadata_.add(std::move(*parsed));
  }

  void start(const AuthenticatorSpec& a) {
    auto d = std::make_unique<Device>();
    d->spec = &a;
    auto profile = host::load_profile(host::ProfileChoice{a.profile_id, a.claimed_aaguid, a.attestation, data_dir_}, rng_);
    if (!profile) throw SetupError{a.id + ": " + profile.error()};
    d->model = profile->model;
    host::KeyOptions o;
    o.profile = d->model;
    o.verbose = options_.verbose_keys;
    if (!a.vault.empty()) {
      // A synced vault file shared by every authenticator naming it (credstore/sqlite/vault_store.h).
      credstore::sqlite::OpenOptions open;
      credstore::sqlite::NewStore made;
      made.kind = credstore::sqlite::StoreKind::kVault;
      made.capacity = 0;
      made.provider = {d->model.aaguid, d->model.name};
      open.create = made;
      auto opened = credstore::sqlite::open_store(dir_.path() + "/vault-" + a.vault + ".db", credstore::sqlite::KeySource::key(vault_key_), open);
      if (!opened) throw SetupError{a.id + ": vault " + a.vault + ": " + opened.error().message};
      d->vault = std::move(*opened);
      o.store = d->vault.store.get();
    }
    if (options_.transport == "hybrid") {
      start_hybrid(*d, std::move(o));
      devices_.push_back(std::move(d));
      return;
    }
    try {
      d->key = std::make_unique<host::BackgroundKey>(std::move(o));
      const std::string socket = dir_.path() + "/" + std::to_string(devices_.size()) + ".sock";
      d->key->add_unix(socket);
      d->key->start();
      int r = FIDO_ERR_INTERNAL;
      d->dev = host::open_unix_device(socket, &r, kTimeoutMs);
      if (!d->dev) throw SetupError{a.id + ": cannot open the key through libfido2: " + host::fido_error_text(r)};
    } catch (const std::exception& e) {
      throw SetupError{a.id + ": cannot start the key: " + e.what()};
    }
    devices_.push_back(std::move(d));
  }

  // Hybrid: the key becomes a phone; the tunnel server (one for the run) starts with the first.
  void start_hybrid(Device& d, host::KeyOptions o) {
    try {
      if (!tunnel_) {
        tunnel_ = std::make_unique<cable::TunnelServer>(tunnel_io_.io().get_executor(), cable::TunnelServerOptions{}, hybrid_log_);
        tunnel_->start();
        tunnel_io_.start();
        advert_.port = free_udp_port();
      }
      host::HybridPhoneOptions p;
      p.key = std::move(o);
      p.phone.tunnel = tunnel_->url();
      p.advert = advert_;
      d.phone = std::make_unique<host::HybridPhone>(std::move(p), hybrid_log_);
    } catch (const std::exception& e) {
      throw SetupError{d.spec->id + ": cannot start the hybrid phone: " + e.what()};
    }
  }

  // The device a ceremony talks to. Hybrid: a new QR session — the desktop shows a code, the
  // phone reads it, advertises, and both meet at the tunnel server (hybrid-protocol.md §1).
  tl::expected<fido_dev_t*, Outcome> connect(Device& d) {
    if (!d.phone) return d.dev.get();
    host::HybridDesktopOptions o;
    o.desktop.tunnel_override = tunnel_->url();
    o.desktop.advert_timeout = std::chrono::seconds(10);
    o.advert = advert_;
    o.supports_linking = false;
    d.desktop = std::make_unique<host::HybridDesktop>(o, hybrid_log_);
    d.phone->start_qr(d.desktop->qr());
    auto link = d.desktop->connect_qr();
    if (!link) return tl::unexpected(Outcome{"hybrid error", "hybrid: " + std::string(cable::describe(link.error()))});
    int r = FIDO_ERR_INTERNAL;
    d.dev = host::open_hybrid_device(*link, &r, kTimeoutMs);
    if (!d.dev) return tl::unexpected(Outcome{"hybrid error", "hybrid: fido_dev_open: " + host::fido_error_text(r)});
    return d.dev.get();
  }

  // Ends a ceremony's hybrid session (nothing for the Unix transport).
  void disconnect(Device& d) {
    if (!d.phone || !d.desktop) return;
    d.dev.reset();
    d.desktop->close();
    d.phone->wait_qr(std::chrono::seconds(10));
    d.desktop.reset();
  }

  Device& device(const std::string& id) {
    for (auto& d : devices_) {
      if (d->spec->id == id) return *d;
    }
    throw SetupError{"no authenticator " + id};  // the loader rules this out
  }

  webauthn::Client client(const Step& step) {
    auto profile = webauthn::client_profile(step.client.empty() ? s_.client : step.client);
    return webauthn::Client(*profile, client_psl_, &fetcher_);
  }

  // What a register or sign-in step runs with: its authenticator, client, RP ID and page.
  struct Ceremony {
    Device& device;
    webauthn::Client client;
    std::string rp_id;
    webauthn::CallerContext caller;
    std::string client_data_origin;  // the origin the client writes into clientDataJSON
  };

  tl::expected<Ceremony, Outcome> ceremony(const Step& step) {
    const std::string rp_id = step.rp_id.empty() ? s_.rp.rp_id : step.rp_id;
    auto origin = webauthn::parse_origin(step.origin.empty() ? "https://" + rp_id : step.origin);
    if (!origin) return tl::unexpected(Outcome{"TypeError", "origin: " + origin.error()});
    webauthn::CallerContext caller{*origin, std::nullopt, true};
    webauthn::Client c = client(step);
    std::string data_origin = webauthn::ceremony_origin(c.profile(), caller).serialize();
    return Ceremony{device(step.authenticator), std::move(c), rp_id, caller, std::move(data_origin)};
  }

  static Bytes user_handle(const std::string& upn) {
    Bytes b = to_bytes(upn);
    if (b.size() > 64) b.resize(64);  // WebAuthn L3 §5.4.3: at most 64 bytes
    return b;
  }

  Outcome register_passkey(const Step& step) {
    auto cer = ceremony(step);
    if (!cer) return cer.error();
    webauthn::CreationOptions co;
    co.rp_id = cer->rp_id;
    co.rp_name = s_.name;
    co.user_id = user_handle(step.user);
    co.user_name = step.user;
    const policy::User* u = s_.directory.user(step.user);
    co.user_display_name = u != nullptr && !u->display_name.empty() ? u->display_name : step.user;
    co.challenge = rng_.bytes(32);
    co.pub_key_cred_params = {{"public-key", cose::kAlgEs256}, {"public-key", cose::kAlgEdDsa}, {"public-key", cose::kAlgRs256}};
    co.resident_key = webauthn::ResidentKey::kRequired;
    co.user_verification = webauthn::UserVerification::kPreferred;
    co.attestation = webauthn::AttestationConveyance::kDirect;
    for (const auto& r : registered_) {
      if (policy::same_upn(r.upn, step.user)) co.exclude_credentials.push_back({"public-key", r.record.id, r.record.transports});
    }
    auto dev = connect(cer->device);
    if (!dev) return dev.error();
    auto created = cer->client.create(*dev, cer->caller, co);
    disconnect(cer->device);
    if (!created) return {std::string(webauthn::name(created.error().name)), "client: " + created.error().message};

    rp::RegistrationExpectations e;
    e.challenge = co.challenge;
    e.algorithms = {cose::kAlgEs256, cose::kAlgEdDsa, cose::kAlgRs256};
    e.user_handle = co.user_id;
    e.credential_id_in_use = [&](ByteSpan id) {
      return std::any_of(registered_.begin(), registered_.end(),
                         [&](const Registered& r) { return std::equal(r.record.id.begin(), r.record.id.end(), id.begin(), id.end()); });
    };
    auto verified = rp::verify_registration(rp_, e, created->credential);
    if (options_.crosscheck != nullptr) {
      // The roots go along for an x5c attestation when the RP has any, and the two then compare
      // trust (without roots simplewebauthn checks no chain at all).
      const bool x5c = verified && verified->credential.trust != rp::TrustResult::kNotApplicable && !root_pems_.empty();
      json c = {{"name", s_.name + ": " + step.name},
                {"rpID", rp_.rp_id},
                {"origin", cer->client_data_origin},
                {"registration",
                 {{"challenge", vfido::base64url_encode(co.challenge)},
                  {"response", webauthn::to_json(created->credential)},
                  {"rp", rp::registration_verdict_json(verified, x5c)}}},
                {"authentications", json::array()}};
      if (x5c) c["rootCertificates"] = root_pems_;
      options_.crosscheck->push_back(c);
    }
    if (!verified) return {"refused", "relying party: " + verified.error().to_string()};
    const rp::CredentialRecord& c = verified->credential;
    auto decision = policy::evaluate(policy_, s_.directory, step.user, facts_of(c, c.backup_eligible), policy::PolicyCeremony::kRegistration);
    if (!decision.allowed) return {"refused", "policy: " + decision.reason};
    registered_.push_back({c, step.user, cer->device.spec->id});
    // Its sign-ins are cross-checked against this registration (only the RP's stored
    // credentials can sign in).
    if (options_.crosscheck != nullptr) crosscheck_index_[c.id] = options_.crosscheck->size() - 1;
    return {"accepted", decision.reason};
  }

  Outcome sign_in(const Step& step) {
    auto cer = ceremony(step);
    if (!cer) return cer.error();
    webauthn::RequestOptions ro;
    ro.rp_id = cer->rp_id;
    ro.challenge = rng_.bytes(32);
    ro.user_verification = webauthn::UserVerification::kPreferred;
    rp::AuthenticationExpectations e;
    e.challenge = ro.challenge;
    if (step.username_first) {
      // The UPN was typed first: the RP knows the account and lists its passkeys (§7.2 step 5-6).
      for (const auto& r : registered_) {
        if (!policy::same_upn(r.upn, step.user)) continue;
        ro.allow_credentials.push_back({"public-key", r.record.id, r.record.transports});
        e.allow_credentials.push_back(r.record.id);
      }
      e.identified_user = user_handle(step.user);
    }
    auto dev = connect(cer->device);
    if (!dev) return dev.error();
    auto got = cer->client.get(*dev, cer->caller, ro);
    disconnect(cer->device);
    if (!got) return {std::string(webauthn::name(got.error().name)), "client: " + got.error().message};

    std::vector<rp::CredentialRecord> records;
    for (const auto& r : registered_) records.push_back(r.record);
    auto verified = rp::verify_authentication(rp_, e, records, got->credential);
    if (options_.crosscheck != nullptr) {
      auto it = crosscheck_index_.find(got->credential.raw_id);
      if (it != crosscheck_index_.end()) {
        (*options_.crosscheck)[it->second]["authentications"].push_back({{"challenge", vfido::base64url_encode(ro.challenge)},
                                                                        {"origin", cer->client_data_origin},
                                                                        {"tampered", false},
                                                                        {"response", webauthn::to_json(got->credential)},
                                                                        {"rp", rp::authentication_verdict_json(verified)}});
      }
    }
    if (!verified) return {"refused", "relying party: " + verified.error().to_string()};
    Registered* reg = nullptr;
    for (auto& r : registered_) {
      if (r.record.id == verified->credential.id) reg = &r;
    }
    if (reg == nullptr) return {"refused", "relying party: the credential is not registered"};
    reg->record = verified->credential;
    std::string who_signed = reg->upn;
    const bool be = (verified->flags & flags::kBe) != 0;
    const policy::PasskeyFacts facts = facts_of(reg->record, be);
    // Type and key restrictions apply at every sign-in.
    auto decision = policy::evaluate(policy_, s_.directory, who_signed, facts, policy::PolicyCeremony::kSignIn);
    if (!decision.allowed) return {"refused", "policy: " + decision.reason};
    std::string reason = "signed in as " + who_signed + "; " + decision.reason;
    if (!step.strength.empty()) {
      auto strength = policy::check_strength(*policy_.strength(step.strength), facts);
      if (!strength.allowed) return {"refused", "conditional access: " + strength.reason};
      reason += "; " + strength.reason;
    }
    if (!step.user.empty() && !policy::same_upn(step.user, who_signed)) return {"refused", "signed in as " + who_signed + ", not " + step.user};
    return {"accepted", reason};
  }

  Outcome lockout() {
    std::map<std::string, std::vector<policy::HeldPasskey>> held;
    for (const auto& r : registered_) {
      const AuthenticatorSpec* a = s_.authenticator(r.authenticator);
      held[r.upn].push_back({a->label(), a->sso_gated});
    }
    findings_ = policy::analyse_lockout(s_.directory, held);
    std::vector<std::string> flagged_users;
    std::string reasons;
    for (const auto& f : findings_) {
      if (f.locked_out) flagged_users.push_back(f.upn);
      reasons += (reasons.empty() ? "" : "; ") + f.upn + ": " + f.reason;
    }
    return {"flagged: " + join(flagged_users), reasons};
  }

  bool flagged(const std::string& upn) const {
    for (const auto& f : findings_) {
      if (policy::same_upn(f.upn, upn)) return f.locked_out;
    }
    return false;
  }

  const Scenario& s_;
  const RunOptions& options_;
  const webauthn::PublicSuffixList& client_psl_;
  policy::PasskeyPolicy policy_;  // the one in force (change-policy steps replace it)
  OpenSslRng rng_;
  host::ScratchDir dir_{"vfido-scenario"};
  webauthn::MapFetcher fetcher_;
  rp::MetadataStore metadata_;
  std::vector<std::string> root_pems_;
  rp::RelyingPartyConfig rp_;
  Bytes vault_key_;
  std::string data_dir_;
  // Hybrid: declared before the devices, so that the phones go first.
  host::ThresholdLog hybrid_log_{LogLevel::kError};
  host::BackgroundIo tunnel_io_;
  std::unique_ptr<cable::TunnelServer> tunnel_;
  cable::UdpAdvertOptions advert_;
  std::vector<std::unique_ptr<Device>> devices_;
  std::vector<Registered> registered_;
  std::vector<policy::LockoutFinding> findings_;
  std::map<Bytes, std::size_t> crosscheck_index_;
};

}  // namespace

ScenarioResult run_scenario(const Scenario& scenario, const RunOptions& options) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  ScenarioResult result;
  result.file = scenario.file;
  result.name = scenario.name;
  fido_init(0);
  try {
    Run run(scenario, options);
    for (const auto& step : scenario.steps) {
      const auto t1 = Clock::now();
      StepResult r;
      r.name = step.name;
      r.action = std::string(action_name(step.action));
      r.where = step.where.to_string();
      Outcome o = run.step(step);
      r.got = o.got;
      r.reason = o.reason;
      if (step.action == StepAction::kLockoutAnalysis) {
        r.expected = run.lockout_expected(step);
        r.mismatch = run.lockout_mismatch(step);
      } else if (step.action == StepAction::kChangePolicy) {
        r.expected = "changed";
      } else {
        r.expected = step.expect;
        if (o.got != step.expect) {
          r.mismatch = "expected " + step.expect + ", got " + o.got;
        } else if (!step.reason.empty() && o.reason.find(step.reason) == std::string::npos) {
          r.mismatch = "the reason does not contain \"" + step.reason + "\"";
        }
      }
      r.passed = r.mismatch.empty();
      r.seconds = std::chrono::duration<double>(Clock::now() - t1).count();
      if (options.on_step) options.on_step(r);
      result.steps.push_back(std::move(r));
    }
  } catch (const SetupError& e) {
    result.error = e.message;
  } catch (const std::exception& e) {
    result.error = std::string("internal error: ") + e.what();  // reported, never a crash
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return result;
}

}  // namespace vfido::scenario
