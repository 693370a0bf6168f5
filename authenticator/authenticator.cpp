#include "authenticator/authenticator.h"

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

#include "authenticator/cbor/codec.h"
#include "authenticator/command.h"
#include "authenticator/commands/context.h"
#include "authenticator/crypto/x509.h"
#include "authenticator/large_blob_array.h"
#include "authenticator/u2f/apdu.h"
#include "authenticator/u2f/u2f.h"

namespace vfido {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

using AnyStep = Step<Response>;

// A handler that always answers at once.
template <typename R>
Result<AnyStep> lift(Result<R> r) {
  if (!r) return fail(r.error());
  return AnyStep{Response{std::move(*r)}};
}

// A handler that may need a touch first: widen its response type to Response.
template <typename R>
Result<AnyStep> lift(Result<Step<R>> r) {
  if (!r) return fail(r.error());
  if (auto* done = std::get_if<R>(&*r)) return AnyStep{Response{std::move(*done)}};
  auto& wait = std::get<NeedsPresence<R>>(*r);
  return AnyStep{NeedsPresence<Response>{
      std::move(wait.request), [resume = std::move(wait.resume)](PresenceOutcome o) -> Result<Response> {
        auto out = resume(o);
        if (!out) return fail(out.error());
        return Response{std::move(*out)};
      }}};
}

Bytes status_only(CtapStatus s) { return Bytes{static_cast<std::uint8_t>(s)}; }

PresenceOutcome to_outcome(PresenceResult r) {
  return r == PresenceResult::kApproved ? PresenceOutcome::kApproved : PresenceOutcome::kDenied;
}

// The saved device state, or the initial one of this model when nothing was saved yet. A state
// that cannot be read is not silently replaced (that would forget the PIN): it throws.
DeviceState load_device(const AuthenticatorProfile& profile, Env& env) {
  auto saved = env.state.load_state();
  if (!saved) throw std::runtime_error(std::string("cannot read the device state: ") + std::string(store_error_name(saved.error())));
  if (!*saved) return DeviceState::initial(profile);
  auto state = DeviceState::decode(**saved);
  if (!state) throw std::runtime_error(state.error());
  return std::move(*state);
}

AuthenticatorProfile checked(AuthenticatorProfile p) {
  auto ok = p.validate();
  if (!ok) throw std::invalid_argument("invalid authenticator profile \"" + p.name + "\": " + ok.error());
  return p;
}

}  // namespace

struct Authenticator::Impl {
  // A command waiting for the user (style.md §13).
  struct Pending {
    std::string_view command;  // for logs
    std::function<Result<Response>(PresenceOutcome)> resume;
    Reply later;
    std::uint64_t started_ms = 0;
    bool in_request = false;            // inside presence.request(): answer synchronously
    std::optional<Bytes> sync_result;   // the answer that arrived inside presence.request()
  };

  Impl(AuthenticatorProfile p, Env e)
      : profile(checked(std::move(p))),
        env(e),
        device(load_device(profile, env)),
        vol(profile, env.clock.now_ms(), env.rng),
        ctx{profile, env, session, keys, device, vol} {}

  AuthenticatorProfile profile;
  Env env;
  SessionState session;
  KeyCache keys;
  DeviceState device;
  VolatileState vol;
  Ctx ctx;
  std::shared_ptr<Pending> pending;  // the UserPresence callback holds only a weak_ptr
  bool u2f_asking = false;           // a U2F touch request is outstanding at the port
  std::unique_ptr<AttestationMaterial> u2f_self_attestation;  // made on first use (u2f_attestation())

  // U2F registrations are signed by the profile's attestation key when it is ES256 (a P-256
  // certificate, WebAuthn §8.6); otherwise by a self-signed P-256 certificate made on first use
  // and kept for the authenticator's lifetime.
  const AttestationMaterial* u2f_attestation() {
    const auto& m = profile.attestation_material;
    if (m && m->key().cose_alg() == cose::kAlgEs256) return m.get();
    if (!u2f_self_attestation) {
      auto key = crypto::PrivateKey::generate(cose::kAlgEs256, env.rng);
      if (!key) return nullptr;
      crypto::CertificateSpec spec;
      spec.subject = crypto::DistinguishedName{"US", "vfido", "Authenticator Attestation", profile.name + " U2F"};
      auto cert = crypto::issue_certificate(spec, *key, nullptr, *key, env.rng);
      if (!cert) return nullptr;
      auto material = AttestationMaterial::create(std::move(*key), {std::move(*cert)});
      if (!material) return nullptr;
      u2f_self_attestation = std::make_unique<AttestationMaterial>(std::move(*material));
    }
    return u2f_self_attestation.get();
  }

  // Asks the user for a U2F touch unless a request is already outstanding; true when the answer
  // came at once and was a touch (automatic presence).
  bool ask_u2f_presence(const PresenceRequest& ask) {
    if (pending || u2f_asking) return false;
    u2f_asking = true;
    env.presence.request(ask, [this](PresenceResult r) {
      u2f_asking = false;
      if (r == PresenceResult::kApproved) vol.u2f_touch_ms = env.clock.now_ms();
    });
    return !u2f_asking && vol.u2f_touch_ms.has_value();
  }

  Bytes handle_u2f(ByteSpan apdu) {
    env.log.write(LogLevel::kDebug, "U2F request");
    if (!profile.serves_u2f()) return u2f::response(u2f::StatusWord::kInsNotSupported);
    // A U2F command is not the continuation of any CTAP2 command (style.md §10).
    session.assertions.reset();
    session.rp_enumeration.reset();
    session.credential_enumeration.reset();
    const AttestationMaterial* attestation = u2f_attestation();
    if (attestation == nullptr) return u2f::response(u2f::StatusWord::kWrongData);
    auto out = u2f::handle(ctx, apdu, *attestation);
    if (out.ask && ask_u2f_presence(*out.ask)) out = u2f::handle(ctx, apdu, *attestation);
    return std::move(out.response);
  }

  void log_status(std::string_view command, CtapStatus s) {
    if (s == CtapStatus::kOk) return;
    std::string msg;
    msg.append(command).append(" -> ").append(status_name(s));
    env.log.write(LogLevel::kDebug, msg);
  }

  // status || CBOR, or the status alone for errors and for responses without members (an
  // empty map: setPIN, reset, ...; CTAP 2.1 §8.1 "the response ... MAY be omitted").
  Bytes finish(std::string_view command, const Result<Response>& r) {
    if (!r) {
      log_status(command, r.error());
      return status_only(r.error());
    }
    const cbor::Value value = encode_response(*r);
    if (value.is_map() && value.as_map().empty()) return status_only(CtapStatus::kOk);
    auto body = cbor::encode(value);
    if (!body) {
      log_status(command, CtapStatus::kOther);
      return status_only(CtapStatus::kOther);
    }
    Bytes out;
    out.reserve(body->size() + 1);
    out.push_back(static_cast<std::uint8_t>(CtapStatus::kOk));
    out.insert(out.end(), body->begin(), body->end());
    return out;
  }

  // Runs a continuation; never throws.
  Bytes resume(Pending& p, PresenceOutcome outcome) {
    try {
      return finish(p.command, p.resume(outcome));
    } catch (const std::exception& e) {
      env.log.write(LogLevel::kError, std::string(p.command) + ": exception: " + e.what());
    } catch (...) {
      env.log.write(LogLevel::kError, std::string(p.command) + ": unknown exception");
    }
    return status_only(CtapStatus::kOther);
  }

  std::optional<Bytes> handle(ByteSpan request, Reply later) {
    const std::string_view command = request.empty() ? std::string_view("empty message") : command_name(request[0]);
    env.log.write(LogLevel::kDebug, command);

    // The header's contract: one request at a time; a second one while the user is asked
    // answers CTAP2_ERR_USER_ACTION_PENDING ("authentication is waiting for user interaction",
    // CTAP 2.1 §8.2). The pending request carries on.
    if (pending) {
      log_status(command, CtapStatus::kUserActionPending);
      return status_only(CtapStatus::kUserActionPending);
    }
    // CTAP 2.1 §6.4 maxMsgSize counts the command byte and the CBOR: longer requests get
    // CTAP2_ERR_REQUEST_TOO_LARGE.
    if (request.size() > profile.max_msg_size) {
      log_status(command, CtapStatus::kRequestTooLarge);
      return status_only(CtapStatus::kRequestTooLarge);
    }
    // CTAP 2.1 §6.3 / style.md §10: getAssertion state survives only until the next command
    // that is not authenticatorGetNextAssertion.
    if (request.empty() || request[0] != static_cast<std::uint8_t>(CtapCommand::kGetNextAssertion)) {
      session.assertions.reset();
    }

    auto cmd = parse_command(request, profile);
    // CTAP 2.1 §6.8.3-§6.8.4: an enumeration survives only its own GetNext subcommand.
    end_enumerations_except(session, cmd ? std::get_if<CredentialManagementRequest>(&*cmd) : nullptr);
    if (!cmd) {
      log_status(command, cmd.error());
      return status_only(cmd.error());
    }
    Result<AnyStep> step = std::visit(
        Overloaded{
            [&](const MakeCredentialRequest& r) { return lift(make_credential(ctx, r)); },
            [&](const GetAssertionRequest& r) { return lift(get_assertion(ctx, r)); },
            [&](const GetInfoRequest& r) { return lift(get_info(ctx, r)); },
            [&](const GetNextAssertionRequest& r) { return lift(get_next_assertion(ctx, r)); },
            [&](const ClientPinRequest& r) { return lift(client_pin(ctx, r)); },
            [&](const CredentialManagementRequest& r) { return lift(credential_management(ctx, r)); },
            [&](const ResetRequest& r) { return lift(reset(ctx, r)); },
            [&](const SelectionRequest& r) { return lift(selection(ctx, r)); },
            [&](const LargeBlobsRequest& r) { return lift(large_blobs(ctx, r)); },
            [&](const ConfigRequest& r) { return lift(authenticator_config(ctx, r)); },
        },
        *cmd);
    if (!step) {
      log_status(command, step.error());
      return status_only(step.error());
    }
    if (auto* done = std::get_if<Response>(&*step)) return finish(command, Result<Response>(std::move(*done)));
    return ask_user(command, std::move(std::get<NeedsPresence<Response>>(*step)), std::move(later));
  }

  std::optional<Bytes> ask_user(std::string_view command, NeedsPresence<Response> need, Reply later) {
    // The port holds one request at a time: a U2F touch request gives way to this one.
    if (u2f_asking) {
      env.presence.withdraw();
      u2f_asking = false;
    }
    auto p = std::make_shared<Pending>();
    p->command = command;
    p->resume = std::move(need.resume);
    p->later = std::move(later);
    p->started_ms = env.clock.now_ms();
    p->in_request = true;
    pending = p;
    std::weak_ptr<Pending> weak = p;
    try {
      env.presence.request(need.request, [this, weak](PresenceResult r) { on_answer(weak, r); });
    } catch (...) {
      pending.reset();
      throw;
    }
    p->in_request = false;
    if (p->sync_result) {  // answered inside request(): reply now, never through `later`
      pending.reset();
      return std::move(*p->sync_result);
    }
    if (pending != p) return status_only(CtapStatus::kOther);  // cannot happen: nothing else clears it
    return std::nullopt;
  }

  void on_answer(const std::weak_ptr<Pending>& weak, PresenceResult r) {
    auto p = weak.lock();
    if (!p || p != pending) return;  // withdrawn (cancel, timeout, destruction): ignore
    if (p->sync_result) return;      // answered twice: the port promised at most once
    Bytes out = resume(*p, to_outcome(r));
    if (p->in_request) {
      p->sync_result = std::move(out);
      return;
    }
    pending.reset();  // before `later`, which may send the next request
    p->later(std::move(out));
  }

  // Ends the pending request without an answer from the user.
  void abandon(CtapStatus status) {
    auto p = std::move(pending);
    pending.reset();
    env.presence.withdraw();
    log_status(p->command, status);
    p->later(status_only(status));
  }

  void cancel() {
    if (!pending || pending->in_request) return;
    // CTAP 2.1 §11.2.9.1.5 CTAPHID_CANCEL: the request ends with CTAP2_ERR_KEEPALIVE_CANCEL.
    abandon(CtapStatus::kKeepaliveCancel);
  }

  void power_cycle() {
    if (pending) abandon(CtapStatus::kKeepaliveCancel);
    if (u2f_asking) {
      env.presence.withdraw();
      u2f_asking = false;
    }
    session = SessionState{};
    vol = VolatileState(profile, env.clock.now_ms(), env.rng);
    env.log.write(LogLevel::kInfo, "power cycle: tokens, key agreement and PIN mismatch count cleared");
  }

  tl::expected<void, std::string> import_credential(CredentialImport in) {
    using E = tl::unexpected<std::string>;
    auto rec = import_record(profile, in, env.rng);
    if (!rec) return E(rec.error());
    // WebAuthn §6.1.3: whether a credential is backed up is a property of where it lives; a
    // store whose policy disagrees with the requested flags cannot hold it as asked.
    CredentialRecord as_kept = rec->clone();
    env.store.apply_policy(as_kept);
    if (as_kept.backup_eligible != rec->backup_eligible) {
      return E(as_kept.backup_eligible
                   ? "this key's store is a synced vault: its credentials are backup eligible (give backupEligibility true)"
                   : "this key's store keeps credentials device-bound: backupEligibility must be false");
    }
    if (as_kept.discoverable != rec->discoverable) {
      return E("this key's store keeps every credential discoverable: give isResidentCredential true");
    }
    // The large-blob array with the new entry, checked before anything is stored.
    std::optional<Bytes> array;
    if (in.large_blob) {
      auto entries = large_blob_entries(device.large_blob_array);
      if (!entries) return E("largeBlob: the key's large-blob array is not one vfido can extend (not canonical CBOR)");
      auto entry = seal_large_blob(rec->large_blob_key.expose(), *in.large_blob, env.rng);
      if (!entry) return E("largeBlob: sealing the blob failed");
      entries->push_back(std::move(*entry));
      auto serialized = serialize_large_blob_array(*entries);
      if (!serialized) return E("largeBlob: encoding the large-blob array failed");
      if (serialized->size() > profile.max_serialized_large_blob_array) {
        return E("largeBlob does not fit: the large-blob array would take " + std::to_string(serialized->size()) +
                 " bytes, this model keeps at most " + std::to_string(profile.max_serialized_large_blob_array));
      }
      array = std::move(*serialized);
    }
    const Bytes id = rec->id;
    if (auto stored = env.store.import(std::move(*rec)); !stored) {
      if (stored.error() == StoreError::kFull) return E("the key has no room for another resident credential");
      return E("the credential store refused it: " + std::string(store_error_name(stored.error())));
    }
    if (array) {
      std::swap(device.large_blob_array, *array);
      if (!ctx.save_device()) {
        std::swap(device.large_blob_array, *array);
        (void)env.store.remove(id);
        return E("largeBlob: the key's state could not be saved");
      }
    }
    return {};
  }

  std::optional<LargeBlob> large_blob_of(const CredentialRecord& cred) const {
    if (cred.large_blob_key.empty()) return std::nullopt;
    auto entries = large_blob_entries(device.large_blob_array);
    if (!entries) return std::nullopt;
    return open_large_blob(*entries, cred.large_blob_key.expose());
  }

  void poll() {
    vol.token_state().observe(env.clock.now_ms());
    if (!pending || pending->in_request) return;
    const std::uint64_t now = env.clock.now_ms();
    if (now < pending->started_ms || now - pending->started_ms < profile.up_timeout_ms) return;
    // The user did not answer in time: the command decides the status (USER_ACTION_TIMEOUT for
    // a touch to proceed, CREDENTIAL_EXCLUDED for an excludeList hit).
    auto p = std::move(pending);
    pending.reset();
    env.presence.withdraw();
    Bytes out = resume(*p, PresenceOutcome::kTimedOut);
    p->later(std::move(out));
  }
};

Authenticator::Authenticator(AuthenticatorProfile profile, Env env)
    : impl_(std::make_unique<Impl>(std::move(profile), env)) {}

Authenticator::~Authenticator() {
  if (impl_ && (impl_->pending || impl_->u2f_asking)) impl_->env.presence.withdraw();
}

Bytes Authenticator::handle_u2f(ByteSpan apdu) {
  try {
    return impl_->handle_u2f(apdu);
  } catch (const std::exception& e) {
    impl_->env.log.write(LogLevel::kError, std::string("handle_u2f: exception: ") + e.what());
  } catch (...) {
    impl_->env.log.write(LogLevel::kError, "handle_u2f: unknown exception");
  }
  return u2f::response(u2f::StatusWord::kWrongData);
}

std::optional<Bytes> Authenticator::handle(ByteSpan request, Reply later) {
  try {
    return impl_->handle(request, std::move(later));
  } catch (const std::exception& e) {
    impl_->env.log.write(LogLevel::kError, std::string("handle: exception: ") + e.what());
  } catch (...) {
    impl_->env.log.write(LogLevel::kError, "handle: unknown exception");
  }
  // style.md §5: no exception crosses handle().
  return status_only(CtapStatus::kOther);
}

void Authenticator::cancel() { impl_->cancel(); }

void Authenticator::poll() { impl_->poll(); }

void Authenticator::power_cycle() { impl_->power_cycle(); }

const DeviceState& Authenticator::device_state() const { return impl_->device; }

bool Authenticator::waiting_for_user() const { return impl_->pending != nullptr; }

const AuthenticatorProfile& Authenticator::profile() const { return impl_->profile; }

tl::expected<void, std::string> Authenticator::import_credential(CredentialImport in) {
  return impl_->import_credential(std::move(in));
}

std::optional<LargeBlob> Authenticator::large_blob_of(const CredentialRecord& cred) const {
  return impl_->large_blob_of(cred);
}

}  // namespace vfido
