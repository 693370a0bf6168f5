// What the authenticatorCredentialManagement tests share (CTAP 2.1 §6.8): subcommand numbers,
// request builders, a CredMan client that gets tokens through the platform-side PIN helper, a
// device fixture with a PIN set, and credentials injected into the store directly.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>

#include "authenticator/crypto/hash.h"
#include "authenticator/crypto/keys.h"
#include "tests/support/pin_platform.h"

namespace vfido::test::credman {

using pin_uv_auth::ProtocolId;
namespace perm = pin_uv_auth::permission;

inline constexpr std::uint64_t kMetadata = 0x01;
inline constexpr std::uint64_t kRpsBegin = 0x02;
inline constexpr std::uint64_t kRpsNext = 0x03;
inline constexpr std::uint64_t kCredsBegin = 0x04;
inline constexpr std::uint64_t kCredsNext = 0x05;
inline constexpr std::uint64_t kDelete = 0x06;
inline constexpr std::uint64_t kUpdate = 0x07;

inline constexpr const char* kPin = "1234";

inline Bytes rp_hash(std::string_view rp_id) {
  auto d = crypto::sha256(as_span(rp_id));
  return Bytes(d.begin(), d.end());
}

// Sets `key` of map `m` to `v`, replacing an earlier value (cbor::Value::set appends).
inline void put(cbor::Value& m, std::int64_t key, cbor::Value v) {
  std::erase_if(m.as_map(), [&](const auto& kv) { return kv.first == cbor::Value::integer(key); });
  m.set(key, std::move(v));
}

inline cbor::Value rp_hash_params(std::string_view rp_id) {
  cbor::Value m = cbor::Value::map();
  m.set(0x01, cbor::Value::bytes(rp_hash(rp_id)));
  return m;
}

inline cbor::Value credential_params(const Bytes& id) {
  cbor::Value m = cbor::Value::map();
  m.set(0x02, descriptor(id));
  return m;
}

inline cbor::Value user_map(const Bytes& id, std::optional<std::string> name, std::optional<std::string> display) {
  cbor::Value u = cbor::Value::map();
  u.set("id", cbor::Value::bytes(id));
  if (name) u.set("name", cbor::Value::text(*name));
  if (display) u.set("displayName", cbor::Value::text(*display));
  return u;
}

// The platform side of credentialManagement: request maps with pinUvAuthParam =
// authenticate(token, subCommand || CBOR(subCommandParams)) (CTAP 2.1 §6.8).
class CredMan {
 public:
  CredMan(Authenticator& auth, PinPlatform& pin, CtapCommand cmd = CtapCommand::kCredentialManagement)
      : auth_(auth), pin_(pin), cmd_(cmd) {}

  void use_token(Bytes token) { token_ = std::move(token); }
  void use_command(CtapCommand cmd) { cmd_ = cmd; }
  const Bytes& token() const { return token_; }

  // The request map; `authenticated`: with pinUvAuthProtocol and pinUvAuthParam.
  cbor::Value request(std::uint64_t sub, const std::optional<cbor::Value>& params = std::nullopt,
                      bool authenticated = true) const {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(sub));
    if (params) m.set(0x02, *params);
    if (authenticated) {
      m.set(0x03, cbor::Value::uint(pin_.protocol_number()));
      m.set(0x04, cbor::Value::bytes(pin_.param(token_, signed_message(sub, params))));
    }
    return m;
  }

  static Bytes signed_message(std::uint64_t sub, const std::optional<cbor::Value>& params) {
    Bytes msg{static_cast<std::uint8_t>(sub)};
    if (params) {
      auto body = cbor::encode(*params);
      REQUIRE(body.has_value());
      msg.insert(msg.end(), body->begin(), body->end());
    }
    return msg;
  }

  Reply send(const cbor::Value& m) const { return call(auth_, message(cmd_, m)); }
  Reply run(std::uint64_t sub, const std::optional<cbor::Value>& params = std::nullopt) const {
    return send(request(sub, params, sub != kRpsNext && sub != kCredsNext));
  }

 private:
  Authenticator& auth_;
  PinPlatform& pin_;
  CtapCommand cmd_;
  Bytes token_;
};

// A device with a PIN and a cm token; discoverable credentials are made before the PIN is set,
// as an unprotected key makes them without user verification.
struct Fixture {
  explicit Fixture(ProtocolId p = ProtocolId::kTwo, AuthenticatorProfile profile = {})
      : d(std::move(profile)), pin(d.auth, p), cm(d.auth, pin) {}

  Registered make(std::string rp, std::string user, bool rk = true, std::optional<cbor::Value> ext = std::nullopt) {
    MakeCredentialArgs a;
    a.rp_id = std::move(rp);
    a.user_id = to_bytes("uid:" + user);
    a.user_name = std::move(user);
    a.rk = rk;
    a.extensions = std::move(ext);
    return register_credential(d.auth, a);
  }

  // Four discoverable credentials of three RPs: a.example (alice, carol), b.example, c.example.
  void make_sample() {
    make("a.example", "alice");
    make("b.example", "bob");
    make("a.example", "carol");
    make("c.example", "dave");
  }

  void protect(std::uint64_t permissions = perm::kCm, std::optional<std::string> rp_id = std::nullopt) {
    REQUIRE(pin.set_pin(kPin) == CtapStatus::kOk);
    new_token(permissions, std::move(rp_id));
  }

  void new_token(std::uint64_t permissions = perm::kCm, std::optional<std::string> rp_id = std::nullopt) {
    auto t = pin.token(kPin, permissions, std::move(rp_id));
    REQUIRE(t.status == CtapStatus::kOk);
    cm.use_token(t.token);
  }

  TestDevice d;
  PinPlatform pin;
  CredMan cm;
};

inline std::string text_at(const cbor::Value& map, std::string_view key) {
  const cbor::Value* v = map.find(key);
  REQUIRE_MESSAGE(v != nullptr, "missing ", key, " in ", cbor::diagnostic(map));
  return v->as_text();
}

// A discoverable credential written into the store directly, for what makeCredential cannot
// produce on this profile yet (a largeBlobKey, no rp.name).
inline Bytes inject(TestEnv& t, std::string rp, Bytes user_id, bool with_large_blob_key, std::optional<std::string> rp_name) {
  auto key = crypto::PrivateKey::generate(cose::kAlgEs256, t.rng);
  REQUIRE(key.has_value());
  CredentialRecord rec;
  rec.rp_id = std::move(rp);
  rec.rp_name = std::move(rp_name);
  rec.user = UserEntity{std::move(user_id), "injected", std::nullopt, std::nullopt};
  rec.alg = cose::kAlgEs256;
  rec.private_key = key->private_bytes().clone();
  rec.public_key = key->public_bytes();
  rec.discoverable = true;
  rec.cred_protect = 2;
  if (with_large_blob_key) rec.large_blob_key = crypto::SecretBytes(Bytes(32, 0x5c));
  auto id = t.store.create(std::move(rec), t.rng);
  REQUIRE(id.has_value());
  return *id;
}

}  // namespace vfido::test::credman
