// CTAP1/U2F (FIDO U2F Raw Message Formats; ctap-reference §11) through Authenticator::handle_u2f:
// version, register and authenticate in all three modes, the status words, the touch-and-retry
// presence model, and the registration and authentication signatures verified with the keys
// the responses carry.
#include <doctest/doctest.h>

#include "authenticator/attestation.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/crypto/x509.h"
#include "tests/support/test_env.h"

using namespace vfido;
using namespace vfido::test;

namespace {

constexpr std::uint16_t kOk = 0x9000;
constexpr std::uint16_t kNeedsTouch = 0x6985;
constexpr std::uint16_t kWrongData = 0x6A80;

Bytes apdu(std::uint8_t ins, std::uint8_t p1, ByteSpan data) {
  ByteWriter w;
  w.u8(0).u8(ins).u8(p1).u8(0).u8(0).u16be(static_cast<std::uint16_t>(data.size())).bytes(data).u16be(0);
  return std::move(w).take();
}

std::uint16_t sw(const Bytes& r) {
  REQUIRE(r.size() >= 2);
  return static_cast<std::uint16_t>((r[r.size() - 2] << 8) | r[r.size() - 1]);
}

ByteSpan body(const Bytes& r) { return ByteSpan(r).first(r.size() - 2); }

const Bytes kChallenge(32, 0xc1);
const Bytes kApp(32, 0xa9);

struct Registration {
  Bytes user_key;  // 04 || x || y
  Bytes handle;
  crypto::Certificate cert;
  Bytes signature;
};

// Splits a register response (§4.3), parsing the certificate's DER length to find where the
// signature starts, as hosts do.
Registration parse_registration(ByteSpan data) {
  ByteReader r(data);
  REQUIRE(*r.u8() == 0x05);
  auto key = r.take(65);
  REQUIRE(key);
  auto len = r.u8();
  REQUIRE(len);
  auto handle = r.take(*len);
  REQUIRE(handle);
  ByteSpan rest = r.rest();
  REQUIRE(rest.size() > 4);
  REQUIRE(rest[0] == 0x30);
  REQUIRE(rest[1] == 0x82);  // a certificate is longer than 255 bytes
  const std::size_t cert_len = 4 + ((static_cast<std::size_t>(rest[2]) << 8) | rest[3]);
  REQUIRE(rest.size() > cert_len);
  auto cert = crypto::Certificate::from_der(rest.first(cert_len));
  REQUIRE(cert.has_value());
  return Registration{Bytes(key->begin(), key->end()), Bytes(handle->begin(), handle->end()), std::move(*cert),
                      Bytes(rest.begin() + static_cast<std::ptrdiff_t>(cert_len), rest.end())};
}

cbor::Value es256_cose(ByteSpan point) {
  cbor::Value m = cbor::Value::map();
  m.set(1, cbor::Value::integer(2));
  m.set(3, cbor::Value::integer(-7));
  m.set(-1, cbor::Value::integer(1));
  m.set(-2, cbor::Value::bytes(point.subspan(1, 32)));
  m.set(-3, cbor::Value::bytes(point.subspan(33, 32)));
  return m;
}

Registration do_register(Authenticator& a) {
  Bytes r = a.handle_u2f(apdu(0x01, 0x00, concat(kChallenge, kApp)));
  REQUIRE(sw(r) == kOk);
  return parse_registration(body(r));
}

Bytes auth_request(const Registration& reg, ByteSpan app = kApp) {
  ByteWriter w;
  w.bytes(kChallenge).bytes(app).u8(static_cast<std::uint8_t>(reg.handle.size())).bytes(reg.handle);
  return std::move(w).take();
}

}  // namespace

TEST_CASE("u2f: U2F_VERSION answers U2F_V2") {
  TestDevice d;
  Bytes r = d.auth.handle_u2f(apdu(0x03, 0, {}));
  CHECK(sw(r) == kOk);
  CHECK(std::string(body(r).begin(), body(r).end()) == "U2F_V2");
  // Short encoding, no Lc/Le at all.
  r = d.auth.handle_u2f(Bytes{0x00, 0x03, 0x00, 0x00});
  CHECK(sw(r) == kOk);
}

TEST_CASE("u2f: status words for malformed requests") {
  TestDevice d;
  CHECK(sw(d.auth.handle_u2f(Bytes{0x00, 0x01})) == 0x6700);                    // no header
  CHECK(sw(d.auth.handle_u2f(Bytes{0x80, 0x03, 0, 0})) == 0x6E00);               // CLA
  CHECK(sw(d.auth.handle_u2f(Bytes{0x00, 0x44, 0, 0})) == 0x6D00);               // INS
  CHECK(sw(d.auth.handle_u2f(apdu(0x01, 0, Bytes(63, 1)))) == 0x6700);           // register data 63 bytes
  Bytes lying = apdu(0x01, 0, Bytes(64, 1));
  lying[6] = 70;                                                                  // Lc says 70
  CHECK(sw(d.auth.handle_u2f(lying)) == 0x6700);
  CHECK(sw(d.auth.handle_u2f(apdu(0x02, 0x03, Bytes(64, 1)))) == 0x6700);        // no key handle length
  Registration reg = do_register(d.auth);
  CHECK(sw(d.auth.handle_u2f(apdu(0x02, 0x05, auth_request(reg)))) == kWrongData);  // bad P1
  CHECK(sw(d.auth.handle_u2f(apdu(0x03, 0, Bytes{1}))) == 0x6700);               // version with data
}

TEST_CASE("u2f: a registration carries a P-256 key, a key handle and a verifiable attestation signature") {
  TestDevice d;
  Registration reg = do_register(d.auth);
  CHECK(reg.user_key.size() == 65);
  CHECK(reg.user_key[0] == 0x04);
  CHECK(!reg.handle.empty());
  CHECK(reg.handle.size() <= 255);
  // U2F §4.3: the signature covers 0x00 || application || challenge || key handle || user key.
  ByteWriter signed_data;
  signed_data.u8(0).bytes(kApp).bytes(kChallenge).bytes(reg.handle).bytes(reg.user_key);
  auto cert_key = reg.cert.public_key_cose();
  REQUIRE(cert_key.has_value());
  CHECK(crypto::verify_signature(*cert_key, signed_data.view(), reg.signature));
  Bytes tampered = reg.signature;
  tampered[tampered.size() - 1] ^= 1;
  CHECK_FALSE(crypto::verify_signature(*cert_key, signed_data.view(), tampered));
}

TEST_CASE("u2f: authenticate with enforce, check-only and dont-enforce") {
  TestDevice d;
  Registration reg = do_register(d.auth);
  auto verify = [&](const Bytes& resp, std::uint8_t up, std::uint32_t counter) {
    REQUIRE(sw(resp) == kOk);
    ByteReader r(body(resp));
    CHECK(*r.u8() == up);
    CHECK(*r.u32be() == counter);
    ByteSpan sig = r.rest();
    ByteWriter signed_data;
    signed_data.bytes(kApp).u8(up).u32be(counter).bytes(kChallenge);
    CHECK(crypto::verify_signature(es256_cose(reg.user_key), signed_data.view(), sig));
  };
  verify(d.auth.handle_u2f(apdu(0x02, 0x03, auth_request(reg))), 0x01, 1);
  verify(d.auth.handle_u2f(apdu(0x02, 0x03, auth_request(reg))), 0x01, 2);
  verify(d.auth.handle_u2f(apdu(0x02, 0x08, auth_request(reg))), 0x00, 3);
  // Check-only: "yes, mine" is SW_CONDITIONS_NOT_SATISFIED; a foreign or altered handle is WRONG_DATA.
  CHECK(sw(d.auth.handle_u2f(apdu(0x02, 0x07, auth_request(reg)))) == kNeedsTouch);
  CHECK(sw(d.auth.handle_u2f(apdu(0x02, 0x07, auth_request(reg, Bytes(32, 0xbb))))) == kWrongData);
  Registration other = reg;
  other.handle[0] ^= 0xff;
  CHECK(sw(d.auth.handle_u2f(apdu(0x02, 0x03, auth_request(other)))) == kWrongData);
  CHECK(sw(d.auth.handle_u2f(apdu(0x02, 0x03, auth_request(reg, Bytes(32, 0xbb))))) == kWrongData);
}

TEST_CASE("u2f: without a touch the answer is 0x6985 and the user is asked; the retry after the touch succeeds") {
  TestDevice d({}, PresenceMode::kScripted);  // an empty script holds the request
  const Bytes reg_apdu = apdu(0x01, 0x00, concat(kChallenge, kApp));
  CHECK(sw(d.auth.handle_u2f(reg_apdu)) == kNeedsTouch);
  REQUIRE(d.t.scripted.pending());
  CHECK(d.t.scripted.history().back().rp_id == "u2f:" + to_hex(kApp));
  CHECK(sw(d.auth.handle_u2f(reg_apdu)) == kNeedsTouch);  // still waiting; no second request
  CHECK(d.t.scripted.history().size() == 1);
  REQUIRE(d.t.scripted.resolve(PresenceResult::kApproved));
  Bytes r = d.auth.handle_u2f(reg_apdu);
  REQUIRE(sw(r) == kOk);
  // The touch is used up: the next one asks again.
  CHECK(sw(d.auth.handle_u2f(reg_apdu)) == kNeedsTouch);
  CHECK(d.t.scripted.history().size() == 2);
  // A declined touch leaves the host polling.
  REQUIRE(d.t.scripted.resolve(PresenceResult::kDenied));
  CHECK(sw(d.auth.handle_u2f(reg_apdu)) == kNeedsTouch);
  // A touch older than the validity window does not count.
  REQUIRE(d.t.scripted.resolve(PresenceResult::kApproved));
  d.t.clock.advance(11000);
  CHECK(sw(d.auth.handle_u2f(reg_apdu)) == kNeedsTouch);
}

TEST_CASE("u2f: a CTAP2 request that needs the user takes over a pending U2F touch request") {
  TestDevice d({}, PresenceMode::kScripted);
  CHECK(sw(d.auth.handle_u2f(apdu(0x01, 0x00, concat(kChallenge, kApp)))) == kNeedsTouch);
  REQUIRE(d.t.scripted.pending());
  LaterSink sink;
  auto out = d.auth.handle(make_credential_msg({}), sink.fn());
  CHECK_FALSE(out.has_value());
  REQUIRE(d.t.scripted.resolve(PresenceResult::kApproved));
  REQUIRE(sink.calls == 1);
  CHECK(decode_reply(sink.last).status == CtapStatus::kOk);
}

TEST_CASE("u2f: alwaysUv disables U2F and removes U2F_V2 from getInfo") {
  AuthenticatorProfile p;
  p.always_uv = true;
  TestDevice d(p);
  CHECK(sw(d.auth.handle_u2f(apdu(0x01, 0x00, concat(kChallenge, kApp)))) == 0x6986);
  Reply info = call(d.auth, message(CtapCommand::kGetInfo));
  for (const auto& v : info.at(0x01).as_array()) CHECK(v.as_text() != "U2F_V2");
}

TEST_CASE("u2f: the profile's ES256 attestation key signs registrations") {
  SeededRng rng(5);
  crypto::Validity validity;
  AttestationCaSpec ca_spec{{"US", "vfido", "", "vfido test root"}, {"US", "vfido", "", "vfido test intermediate"}, validity};
  auto ca = generate_attestation_ca(ca_spec, rng);
  REQUIRE(ca.has_value());
  AuthenticatorProfile p;
  crypto::AttestationCertificateSpec leaf;
  leaf.country = "US";
  leaf.organization = "vfido";
  leaf.common_name = "vfido test attestation";
  leaf.aaguid = p.aaguid;
  auto material = issue_attestation_material(*ca, leaf, rng);
  REQUIRE(material.has_value());
  p.attestation = AttestationMode::kBasic;
  p.attestation_material = std::make_shared<const AttestationMaterial>(std::move(*material));
  TestDevice d(p);
  Registration reg = do_register(d.auth);
  CHECK(reg.cert.der() == p.attestation_material->certificate().der());
}
