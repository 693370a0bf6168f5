// The platform's side of clientPIN (CTAP 2.1 §6.5.5), for tests of the core: key agreement,
// setPIN, changePIN and the token subcommands, written from the spec independently of the
// core's own clientPIN handlers (it shares only the protocol primitives in pin_uv_auth/).
#pragma once

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "authenticator/crypto/hash.h"
#include "authenticator/pin_uv_auth/protocol.h"
#include "authenticator/pin_uv_auth/token_state.h"
#include "tests/support/test_env.h"

namespace vfido::test {

class PinPlatform {
 public:
  using ProtocolId = pin_uv_auth::ProtocolId;

  explicit PinPlatform(Authenticator& auth, ProtocolId p = ProtocolId::kTwo, std::uint64_t seed = 77)
      : auth_(auth), p_(p), rng_(seed) {}

  ProtocolId protocol() const { return p_; }
  std::uint64_t protocol_number() const { return static_cast<std::uint64_t>(p_); }

  // A clientPIN request with pinUvAuthProtocol and subCommand set.
  cbor::Value request(std::uint64_t sub) const {
    cbor::Value m = cbor::Value::map();
    m.set(0x01, cbor::Value::uint(protocol_number()));
    m.set(0x02, cbor::Value::uint(sub));
    return m;
  }

  Reply send(const cbor::Value& params) { return call(auth_, message(CtapCommand::kClientPin, params)); }

  // getKeyAgreement then encapsulate: a fresh shared secret and the platform key to send.
  pin_uv_auth::Encapsulation key_agreement() {
    Reply r = send(request(0x02));
    REQUIRE(r.status == CtapStatus::kOk);
    auto e = pin_uv_auth::encapsulate(p_, r.at(0x01), rng_);
    REQUIRE(e.has_value());
    return std::move(*e);
  }

  // paddedNewPin: the PIN's bytes followed by zeros up to 64 bytes.
  static Bytes padded(std::string_view pin, std::size_t len = 64) {
    Bytes b(pin.begin(), pin.end());
    b.resize(len, 0);
    return b;
  }

  Bytes encrypt(const crypto::SecretBytes& ss, ByteSpan pt) {
    auto ct = pin_uv_auth::encrypt(p_, ss.expose(), pt, rng_);
    REQUIRE(ct.has_value());
    return *ct;
  }

  Bytes pin_hash_enc(const crypto::SecretBytes& ss, std::string_view pin) {
    auto d = crypto::sha256(as_span(pin));
    return encrypt(ss, ByteSpan(d).first(16));
  }

  CtapStatus set_pin(std::string_view pin) { return set_padded_pin(padded(pin)); }

  CtapStatus set_padded_pin(ByteSpan padded_pin) {
    auto e = key_agreement();
    cbor::Value m = request(0x03);
    Bytes new_pin_enc = encrypt(e.shared_secret, padded_pin);
    m.set(0x03, e.platform_key);
    m.set(0x04, cbor::Value::bytes(pin_uv_auth::authenticate(p_, e.shared_secret.expose(), new_pin_enc)));
    m.set(0x05, cbor::Value::bytes(new_pin_enc));
    return send(m).status;
  }

  CtapStatus change_pin(std::string_view current, std::string_view next) {
    auto e = key_agreement();
    cbor::Value m = request(0x04);
    Bytes new_pin_enc = encrypt(e.shared_secret, padded(next));
    Bytes hash_enc = pin_hash_enc(e.shared_secret, current);
    m.set(0x03, e.platform_key);
    m.set(0x04, cbor::Value::bytes(pin_uv_auth::authenticate(p_, e.shared_secret.expose(), concat(new_pin_enc, hash_enc))));
    m.set(0x05, cbor::Value::bytes(new_pin_enc));
    m.set(0x06, cbor::Value::bytes(hash_enc));
    return send(m).status;
  }

  struct TokenReply {
    CtapStatus status = CtapStatus::kOther;
    Bytes token;  // decrypted, when status is OK
  };

  // getPinUvAuthTokenUsingPinWithPermissions (0x09), or getPinToken (0x05) when `permissions`
  // is nullopt.
  TokenReply token(std::string_view pin, std::optional<std::uint64_t> permissions,
                   std::optional<std::string> rp_id = std::nullopt) {
    auto e = key_agreement();
    cbor::Value m = request(permissions ? 0x09 : 0x05);
    m.set(0x03, e.platform_key);
    m.set(0x06, cbor::Value::bytes(pin_hash_enc(e.shared_secret, pin)));
    if (permissions) m.set(0x09, cbor::Value::uint(*permissions));
    if (rp_id) m.set(0x0A, cbor::Value::text(*rp_id));
    Reply r = send(m);
    TokenReply out{r.status, {}};
    if (r.status == CtapStatus::kOk) {
      auto t = pin_uv_auth::decrypt(p_, e.shared_secret.expose(), r.at(0x02).as_bytes());
      REQUIRE(t.has_value());
      out.token = Bytes(t->expose().begin(), t->expose().end());
    }
    return out;
  }

  // authenticate(token, message): a pinUvAuthParam.
  Bytes param(const Bytes& token, ByteSpan msg) const { return pin_uv_auth::authenticate(p_, token, msg); }

  std::uint64_t retries() {
    Reply r = send(request(0x01));
    REQUIRE(r.status == CtapStatus::kOk);
    return r.at(0x03).as_uint();
  }

 private:
  Authenticator& auth_;
  ProtocolId p_;
  SeededRng rng_;
};

// Runs the enclosing test case once per PIN/UV auth protocol (doctest SUBCASEs); returns the one
// of this run.
inline pin_uv_auth::ProtocolId each_protocol() {
  pin_uv_auth::ProtocolId p = pin_uv_auth::ProtocolId::kTwo;
  SUBCASE("protocol two") { p = pin_uv_auth::ProtocolId::kTwo; }
  SUBCASE("protocol one") { p = pin_uv_auth::ProtocolId::kOne; }
  return p;
}

}  // namespace vfido::test
