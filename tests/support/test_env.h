// Deterministic test environment for the CTAP core (style.md §18): a manual clock, a seeded RNG,
// scripted or automatic user presence, an in-memory credential store and a log that remembers
// what it was told, bundled into an Env; plus builders for CTAP requests and a decoder for
// responses. Header-only.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "authenticator/authenticator.h"
#include "authenticator/authenticator_data.h"
#include "authenticator/bytes.h"
#include "authenticator/cbor/codec.h"
#include "authenticator/cbor/value.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/env.h"
#include "credstore/memory_state_store.h"
#include "credstore/memory_store.h"

namespace vfido::test {

// A Log that keeps every line, so tests can check what the core reported.
class RecordingLog final : public Log {
 public:
  void write(LogLevel, std::string_view message) override { lines.emplace_back(message); }
  bool contains(std::string_view needle) const {
    for (const auto& l : lines) {
      if (l.find(needle) != std::string::npos) return true;
    }
    return false;
  }
  std::vector<std::string> lines;
};

enum class PresenceMode : std::uint8_t {
  kAutoApprove,  // AutoPresence(kApproved): every touch is given at once
  kScripted,     // ScriptedPresence: the test pushes answers (an empty script holds)
};

struct TestEnv {
  explicit TestEnv(PresenceMode mode = PresenceMode::kAutoApprove,
                   std::size_t capacity = credstore::MemoryStore::kDefaultCapacity, std::uint64_t seed = 1)
      : rng(seed),
        store(capacity),
        env{clock, rng,
            mode == PresenceMode::kScripted ? static_cast<UserPresence&>(scripted)
                                            : static_cast<UserPresence&>(auto_presence),
            store, state, log} {}
  TestEnv(const TestEnv&) = delete;
  TestEnv& operator=(const TestEnv&) = delete;

  ManualClock clock;
  SeededRng rng;
  AutoPresence auto_presence;
  ScriptedPresence scripted;
  credstore::MemoryStore store;
  credstore::MemoryStateStore state;
  RecordingLog log;
  Env env;
};

// A CTAP 2.0 authenticator: no clientPIN, no pinUvAuthToken, no extensions — what the core
// offered before CTAP 2.1, kept to test the paths a 2.1 feature must not change.
inline AuthenticatorProfile ctap20_profile() {
  AuthenticatorProfile p;
  p.versions = {"FIDO_2_0"};
  p.algorithms = {cose::kAlgEs256, cose::kAlgEdDsa};
  p.client_pin = false;
  p.pin_uv_auth_token = false;
  p.make_cred_uv_not_rqd = false;
  p.cred_mgmt = false;
  p.large_blobs = false;
  p.authnr_cfg = false;
  p.set_min_pin_length = false;
  p.enterprise_attestation = std::nullopt;
  p.extensions = {};
  return p;
}

// A TestEnv with an Authenticator on it.
struct TestDevice {
  explicit TestDevice(AuthenticatorProfile profile = {}, PresenceMode mode = PresenceMode::kAutoApprove,
                      std::size_t capacity = credstore::MemoryStore::kDefaultCapacity)
      : t(mode, capacity), auth(std::move(profile), t.env) {}
  TestEnv t;
  Authenticator auth;
};

// ---- requests -------------------------------------------------------------------------------

inline Bytes message(CtapCommand cmd) { return Bytes{static_cast<std::uint8_t>(cmd)}; }

inline Bytes message(CtapCommand cmd, const cbor::Value& params) {
  Bytes out = message(cmd);
  auto body = cbor::encode(params);
  REQUIRE(body.has_value());
  out.insert(out.end(), body->begin(), body->end());
  return out;
}

inline Bytes filled(std::size_t n, std::uint8_t v) { return Bytes(n, v); }

inline cbor::Value descriptor(const Bytes& id, std::string_view type = "public-key") {
  cbor::Value d = cbor::Value::map();
  d.set("id", cbor::Value::bytes(id));
  d.set("type", cbor::Value::text(type));
  return d;
}

inline cbor::Value descriptor_list(const std::vector<Bytes>& ids) {
  cbor::Array a;
  for (const auto& id : ids) a.push_back(descriptor(id));
  return cbor::Value::array(std::move(a));
}

inline cbor::Value options_map(std::initializer_list<std::pair<std::string_view, bool>> opts) {
  cbor::Value m = cbor::Value::map();
  for (const auto& [k, v] : opts) m.set(k, cbor::Value::boolean(v));
  return m;
}

inline cbor::Value alg_params(const std::vector<std::int64_t>& algs) {
  cbor::Array a;
  for (auto alg : algs) {
    cbor::Value e = cbor::Value::map();
    e.set("alg", cbor::Value::integer(alg));
    e.set("type", cbor::Value::text("public-key"));
    a.push_back(std::move(e));
  }
  return cbor::Value::array(std::move(a));
}

struct MakeCredentialArgs {
  Bytes client_data_hash = filled(kClientDataHashLen, 0x11);
  std::string rp_id = "example.com";
  Bytes user_id = {0x01, 0x02, 0x03, 0x04};
  std::string user_name = "alice";
  std::vector<std::int64_t> algs = {cose::kAlgEs256};
  std::optional<bool> rk{};
  std::optional<bool> up{};
  std::optional<bool> uv{};
  std::vector<Bytes> exclude{};
  std::optional<cbor::Value> extensions{};             // 0x06
  std::optional<Bytes> pin_uv_auth_param{};            // 0x08
  std::optional<std::uint64_t> pin_uv_auth_protocol{}; // 0x09
  std::optional<std::uint64_t> enterprise_attestation{};  // 0x0A
};

inline cbor::Value make_credential_params(const MakeCredentialArgs& a) {
  cbor::Value m = cbor::Value::map();
  m.set(1, cbor::Value::bytes(a.client_data_hash));
  cbor::Value rp = cbor::Value::map();
  rp.set("id", cbor::Value::text(a.rp_id));
  rp.set("name", cbor::Value::text("Example RP"));
  m.set(2, std::move(rp));
  cbor::Value user = cbor::Value::map();
  user.set("id", cbor::Value::bytes(a.user_id));
  user.set("name", cbor::Value::text(a.user_name));
  user.set("displayName", cbor::Value::text(a.user_name + " (display)"));
  m.set(3, std::move(user));
  m.set(4, alg_params(a.algs));
  if (!a.exclude.empty()) m.set(5, descriptor_list(a.exclude));
  cbor::Value opts = cbor::Value::map();
  if (a.rk) opts.set("rk", cbor::Value::boolean(*a.rk));
  if (a.up) opts.set("up", cbor::Value::boolean(*a.up));
  if (a.uv) opts.set("uv", cbor::Value::boolean(*a.uv));
  if (!opts.as_map().empty()) m.set(7, std::move(opts));
  if (a.extensions) m.set(6, *a.extensions);
  if (a.pin_uv_auth_param) m.set(8, cbor::Value::bytes(*a.pin_uv_auth_param));
  if (a.pin_uv_auth_protocol) m.set(9, cbor::Value::uint(*a.pin_uv_auth_protocol));
  if (a.enterprise_attestation) m.set(10, cbor::Value::uint(*a.enterprise_attestation));
  return m;
}

inline Bytes make_credential_msg(const MakeCredentialArgs& a) {
  return message(CtapCommand::kMakeCredential, make_credential_params(a));
}

struct GetAssertionArgs {
  std::string rp_id = "example.com";
  Bytes client_data_hash = filled(kClientDataHashLen, 0x22);
  std::vector<Bytes> allow{};
  std::optional<bool> rk{};
  std::optional<bool> up{};
  std::optional<bool> uv{};
  std::optional<cbor::Value> extensions{};             // 0x04
  std::optional<Bytes> pin_uv_auth_param{};            // 0x06
  std::optional<std::uint64_t> pin_uv_auth_protocol{}; // 0x07
};

inline cbor::Value get_assertion_params(const GetAssertionArgs& a) {
  cbor::Value m = cbor::Value::map();
  m.set(1, cbor::Value::text(a.rp_id));
  m.set(2, cbor::Value::bytes(a.client_data_hash));
  if (!a.allow.empty()) m.set(3, descriptor_list(a.allow));
  cbor::Value opts = cbor::Value::map();
  if (a.rk) opts.set("rk", cbor::Value::boolean(*a.rk));
  if (a.up) opts.set("up", cbor::Value::boolean(*a.up));
  if (a.uv) opts.set("uv", cbor::Value::boolean(*a.uv));
  if (!opts.as_map().empty()) m.set(5, std::move(opts));
  if (a.extensions) m.set(4, *a.extensions);
  if (a.pin_uv_auth_param) m.set(6, cbor::Value::bytes(*a.pin_uv_auth_param));
  if (a.pin_uv_auth_protocol) m.set(7, cbor::Value::uint(*a.pin_uv_auth_protocol));
  return m;
}

inline Bytes get_assertion_msg(const GetAssertionArgs& a) {
  return message(CtapCommand::kGetAssertion, get_assertion_params(a));
}

// ---- responses ------------------------------------------------------------------------------

struct Reply {
  CtapStatus status = CtapStatus::kOther;
  cbor::Value body;  // null for a status-only reply
  Bytes raw;

  // The member under `key` of the body map; fails the test when absent.
  const cbor::Value& at(std::int64_t key) const {
    const cbor::Value* v = body.find(key);
    REQUIRE_MESSAGE(v != nullptr, "response key ", key, " missing in ", cbor::diagnostic(body));
    return *v;
  }
  bool has(std::int64_t key) const { return body.find(key) != nullptr; }
};

inline Reply decode_reply(const Bytes& raw) {
  REQUIRE_FALSE(raw.empty());
  Reply r;
  r.raw = raw;
  r.status = static_cast<CtapStatus>(raw[0]);
  if (raw.size() > 1) {
    auto body = cbor::decode(ByteSpan(raw).subspan(1));
    REQUIRE_MESSAGE(body.has_value(), "response CBOR does not decode strictly");
    r.body = std::move(*body);
  }
  return r;
}

// handle() for a request expected to complete at once; `later` must not be called.
inline Reply call(Authenticator& a, const Bytes& msg) {
  bool later_called = false;
  auto out = a.handle(msg, [&later_called](Bytes) { later_called = true; });
  REQUIRE_MESSAGE(out.has_value(), "request did not complete synchronously");
  CHECK_FALSE(later_called);
  return decode_reply(*out);
}

// Collects what `later` receives, for requests that wait for the user.
struct LaterSink {
  int calls = 0;
  Bytes last;
  Authenticator::Reply fn() {
    return [this](Bytes b) {
      ++calls;
      last = std::move(b);
    };
  }
};

// A registered credential, as a relying party would record it.
struct Registered {
  Bytes id;
  cbor::Value public_key;  // COSE_Key
  AuthenticatorData auth_data;
};

inline Registered register_credential(Authenticator& a, const MakeCredentialArgs& args) {
  Reply r = call(a, make_credential_msg(args));
  REQUIRE(r.status == CtapStatus::kOk);
  auto ad = AuthenticatorData::parse(r.at(2).as_bytes());
  REQUIRE(ad.has_value());
  REQUIRE(ad->attested.has_value());
  return Registered{ad->attested->credential_id, ad->attested->public_key, *ad};
}

inline Bytes concat(ByteSpan a, ByteSpan b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Checks an assertion's signature with the registered COSE key and returns its authData (which
// has no attested credential data and no extensions).
inline AuthenticatorData verified(const Reply& r, const cbor::Value& cose_key, const Bytes& client_data_hash) {
  REQUIRE(r.status == CtapStatus::kOk);
  const Bytes& auth_data = r.at(2).as_bytes();
  CHECK(crypto::verify_signature(cose_key, concat(auth_data, client_data_hash), r.at(3).as_bytes()));
  auto ad = AuthenticatorData::parse(auth_data);
  REQUIRE(ad.has_value());
  CHECK_FALSE(ad->attested.has_value());
  CHECK_FALSE(ad->extensions.has_value());
  return *ad;
}

}  // namespace vfido::test
