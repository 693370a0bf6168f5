// The CTAP 2.1 §12 extensions through makeCredential and getAssertion: credProtect on
// discovery and with allowLists, hmac-secret with one or two salts and both PIN protocols,
// credBlob, and the input errors.
#include <doctest/doctest.h>

#include "tests/support/pin_platform.h"

using namespace vfido;
using namespace vfido::test;
using pin_uv_auth::ProtocolId;
namespace perm = pin_uv_auth::permission;

namespace {

cbor::Value ext(std::string_view id, cbor::Value v) {
  cbor::Value m = cbor::Value::map();
  m.set(id, std::move(v));
  return m;
}

// The authenticator-data extensions map of a response, or null.
cbor::Value auth_data_extensions(const Reply& r, int key) {
  auto ad = AuthenticatorData::parse(r.at(key).as_bytes());
  REQUIRE(ad.has_value());
  return ad->extensions.value_or(cbor::Value());
}

Registered make(Authenticator& a, std::optional<cbor::Value> extensions, bool rk = true, Bytes user_id = {1, 2, 3}) {
  MakeCredentialArgs m;
  m.rk = rk;
  m.user_id = std::move(user_id);
  m.extensions = std::move(extensions);
  return register_credential(a, m);
}

// The platform's side of hmac-secret (CTAP 2.1 §12.5).
struct HmacClient {
  HmacClient(Authenticator& a, ProtocolId p) : host(a, p) {}
  cbor::Value input(ByteSpan salts) {
    auto e = host.key_agreement();
    ss = std::move(e.shared_secret);
    Bytes salt_enc = host.encrypt(ss, salts);
    cbor::Value m = cbor::Value::map();
    m.set(1, e.platform_key);
    m.set(2, cbor::Value::bytes(salt_enc));
    m.set(3, cbor::Value::bytes(pin_uv_auth::authenticate(host.protocol(), ss.expose(), salt_enc)));
    m.set(4, cbor::Value::uint(host.protocol_number()));
    return ext("hmac-secret", std::move(m));
  }
  Bytes output(const Reply& r) {
    cbor::Value e = auth_data_extensions(r, 2);
    const cbor::Value* v = e.find("hmac-secret");
    REQUIRE(v != nullptr);
    auto pt = pin_uv_auth::decrypt(host.protocol(), ss.expose(), v->as_bytes());
    REQUIRE(pt.has_value());
    return Bytes(pt->expose().begin(), pt->expose().end());
  }
  PinPlatform host;
  crypto::SecretBytes ss;
};

}  // namespace

TEST_CASE("extensions: credProtect is echoed and stored; level 2 needs an allowList, level 3 needs UV") {
  TestDevice d;
  Registered l1 = make(d.auth, ext("credProtect", cbor::Value::uint(1)), true, {1});
  Registered l2 = make(d.auth, ext("credProtect", cbor::Value::uint(2)), true, {2});
  Registered l3 = make(d.auth, ext("credProtect", cbor::Value::uint(3)), true, {3});
  CHECK(*l2.auth_data.extensions->find("credProtect") == cbor::Value::uint(2));
  CHECK((l3.auth_data.flags & flags::kEd) != 0);

  // Discovery without UV finds only level 1.
  Reply r = call(d.auth, get_assertion_msg({}));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK_FALSE(r.has(0x05));
  CHECK(r.at(0x01).find("id")->as_bytes() == l1.id);
  // With an allowList, level 2 is usable, level 3 still is not.
  GetAssertionArgs g;
  g.allow = {l2.id};
  CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kOk);
  g.allow = {l3.id};
  CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kNoCredentials);
  // An excludeList entry of level 3 does not count without UV: the credential is made.
  MakeCredentialArgs again;
  again.exclude = {l3.id};
  CHECK(call(d.auth, make_credential_msg(again)).status == CtapStatus::kOk);
  // With a PIN token (uv), every level is found, newest first.
  PinPlatform host(d.auth);
  REQUIRE(host.set_pin("1234") == CtapStatus::kOk);
  auto t = host.token("1234", perm::kGa, "example.com");
  GetAssertionArgs uv;
  uv.pin_uv_auth_param = host.param(t.token, uv.client_data_hash);
  uv.pin_uv_auth_protocol = host.protocol_number();
  r = call(d.auth, get_assertion_msg(uv));
  REQUIRE(r.status == CtapStatus::kOk);
  CHECK(r.at(0x05).as_uint() == 3);
  CHECK(r.at(0x01).find("id")->as_bytes() == l3.id);
}

TEST_CASE("extensions: bad credProtect inputs") {
  TestDevice d;
  MakeCredentialArgs a;
  SUBCASE("level 0") { a.extensions = ext("credProtect", cbor::Value::uint(0)); }
  SUBCASE("level 4") { a.extensions = ext("credProtect", cbor::Value::uint(4)); }
  CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kInvalidOption);
  a.extensions = ext("credProtect", cbor::Value::text("2"));
  CHECK(call(d.auth, make_credential_msg(a)).status == CtapStatus::kCborUnexpectedType);
  CHECK(d.t.store.size() == 0);
}

TEST_CASE("extensions: hmac-secret outputs are stable per credential and salt, and differ with UV") {
  for (ProtocolId p : {ProtocolId::kOne, ProtocolId::kTwo}) {
    CAPTURE(static_cast<int>(p));
    TestDevice d;
    Registered a = make(d.auth, ext("hmac-secret", cbor::Value::boolean(true)), false, {1});
    CHECK(*a.auth_data.extensions->find("hmac-secret") == cbor::Value::boolean(true));
    Registered b = make(d.auth, ext("hmac-secret", cbor::Value::boolean(true)), false, {2});
    Registered plain = make(d.auth, std::nullopt, false, {3});
    HmacClient client(d.auth, p);
    const Bytes salt1(32, 0x5a);
    const Bytes salt2(32, 0xa5);
    auto ask = [&](const Registered& cred, ByteSpan salts, std::optional<Bytes> token = std::nullopt) {
      GetAssertionArgs g;
      g.allow = {cred.id};
      g.extensions = client.input(salts);
      if (token) {
        g.pin_uv_auth_param = client.host.param(*token, g.client_data_hash);
        g.pin_uv_auth_protocol = client.host.protocol_number();
      }
      Reply r = call(d.auth, get_assertion_msg(g));
      REQUIRE(r.status == CtapStatus::kOk);
      return r;
    };
    const Bytes a1 = client.output(ask(a, salt1));
    CHECK(a1.size() == 32);
    CHECK(client.output(ask(a, salt1)) == a1);  // stable, across fresh shared secrets
    CHECK(client.output(ask(b, salt1)) != a1);  // per credential
    const Bytes a12 = client.output(ask(a, concat(salt1, salt2)));
    REQUIRE(a12.size() == 64);
    CHECK(Bytes(a12.begin(), a12.begin() + 32) == a1);  // output1 is HMAC(CredRandom, salt1) either way
    CHECK(Bytes(a12.begin() + 32, a12.end()) != a1);
    // No output for a credential made without hmac-secret.
    CHECK(auth_data_extensions(ask(plain, salt1), 2).find("hmac-secret") == nullptr);
    // With UV the other CredRandom is used.
    REQUIRE(client.host.set_pin("1234") == CtapStatus::kOk);
    auto t = client.host.token("1234", perm::kGa, "example.com");
    REQUIRE(t.status == CtapStatus::kOk);
    const Bytes a1_uv = client.output(ask(a, salt1, t.token));
    CHECK(a1_uv.size() == 32);
    CHECK(a1_uv != a1);
  }
}

TEST_CASE("extensions: hmac-secret input errors") {
  TestDevice d;
  Registered a = make(d.auth, ext("hmac-secret", cbor::Value::boolean(true)), false);
  HmacClient client(d.auth, ProtocolId::kTwo);
  GetAssertionArgs g;
  g.allow = {a.id};
  cbor::Value in = client.input(Bytes(32, 1));
  cbor::Value inner = *in.find("hmac-secret");
  auto with = [&](int key, cbor::Value v) {
    cbor::Value m = cbor::Value::map();
    for (const auto& [k, val] : inner.as_map()) {
      if (k != cbor::Value::integer(key)) m.set(k, val);
    }
    if (!v.is_null()) m.set(key, std::move(v));
    return ext("hmac-secret", std::move(m));
  };
  SUBCASE("up=false is UNSUPPORTED_OPTION") {
    g.extensions = in;
    g.up = false;
    CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kUnsupportedOption);
  }
  SUBCASE("a saltAuth that does not verify is PIN_AUTH_INVALID") {
    Bytes bad = inner.find(3)->as_bytes();
    bad[5] ^= 0x10;
    g.extensions = with(3, cbor::Value::bytes(bad));
    CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("salts of 48 bytes are INVALID_PARAMETER") {
    cbor::Value bad = client.input(Bytes(48, 1));
    g.extensions = bad;
    CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kInvalidParameter);
  }
  SUBCASE("no saltEnc is MISSING_PARAMETER") {
    g.extensions = with(2, cbor::Value());
    CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kMissingParameter);
  }
  SUBCASE("protocol 2 material declared as protocol 1 does not verify") {
    g.extensions = with(4, cbor::Value::uint(1));
    CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kPinAuthInvalid);
  }
  SUBCASE("a keyAgreement that is not a COSE key is INVALID_PARAMETER") {
    g.extensions = with(1, cbor::Value::map());
    CHECK(call(d.auth, get_assertion_msg(g)).status == CtapStatus::kInvalidParameter);
  }
}

TEST_CASE("extensions: credBlob is stored up to maxCredBlobLength and returned on request") {
  TestDevice d;
  const Bytes blob(32, 0xcb);
  Registered with = make(d.auth, ext("credBlob", cbor::Value::bytes(blob)), true, {1});
  CHECK(*with.auth_data.extensions->find("credBlob") == cbor::Value::boolean(true));
  Registered too_long = make(d.auth, ext("credBlob", cbor::Value::bytes(Bytes(33, 1))), true, {2});
  CHECK(*too_long.auth_data.extensions->find("credBlob") == cbor::Value::boolean(false));
  Registered none = make(d.auth, std::nullopt, true, {3});
  for (const auto& [cred, expected] : {std::pair{&with, blob}, std::pair{&too_long, Bytes{}}, std::pair{&none, Bytes{}}}) {
    GetAssertionArgs g;
    g.allow = {cred->id};
    g.extensions = ext("credBlob", cbor::Value::boolean(true));
    Reply r = call(d.auth, get_assertion_msg(g));
    REQUIRE(r.status == CtapStatus::kOk);
    CHECK(auth_data_extensions(r, 2).find("credBlob")->as_bytes() == expected);
  }
  // Not asked for: not returned, and no ED flag.
  GetAssertionArgs g;
  g.allow = {with.id};
  Reply r = call(d.auth, get_assertion_msg(g));
  CHECK((r.at(2).as_bytes()[32] & flags::kEd) == 0);
}

TEST_CASE("extensions: unknown extensions are ignored and never echoed") {
  TestDevice d;
  cbor::Value m = ext("credProtect", cbor::Value::uint(1));
  m.set("futureExt", cbor::Value::map());
  Registered r = make(d.auth, m);
  CHECK(r.auth_data.extensions->as_map().size() == 1);
}
