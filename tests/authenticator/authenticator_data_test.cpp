#include <doctest/doctest.h>

#include "authenticator/authenticator_data.h"
#include "authenticator/cbor/codec.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/env/rng.h"

using namespace vfido;

namespace {

cbor::Value sample_cose_key() {
  cbor::Value k = cbor::Value::map();
  k.set(1, cbor::Value::integer(cose::kKtyOkp));
  k.set(3, cbor::Value::integer(cose::kAlgEdDsa));
  k.set(-1, cbor::Value::integer(cose::kCrvEd25519));
  k.set(-2, cbor::Value::bytes(Bytes(32, 0x5A)));
  return k;
}

AuthenticatorData sample(bool attested, bool extensions) {
  AuthenticatorData d;
  for (std::size_t i = 0; i < d.rp_id_hash.size(); ++i) d.rp_id_hash[i] = static_cast<std::uint8_t>(i);
  d.flags = flags::kUp;
  d.sign_count = 0x01020304;
  if (attested) {
    AttestedCredentialData acd;
    acd.aaguid.fill(0xAA);
    acd.credential_id = Bytes(20, 0xC1);
    acd.public_key = sample_cose_key();
    d.attested = std::move(acd);
  }
  if (extensions) {
    cbor::Value ext = cbor::Value::map();
    ext.set("credProtect", cbor::Value::uint(2));
    d.extensions = std::move(ext);
  }
  return d;
}

}  // namespace

TEST_CASE("authenticator_data: assertion layout is rpIdHash || flags || signCount") {
  AuthenticatorData d = sample(false, false);
  auto bytes = d.serialize();
  REQUIRE(bytes.has_value());
  REQUIRE(bytes->size() == 37);
  for (std::size_t i = 0; i < 32; ++i) CHECK((*bytes)[i] == i);
  CHECK((*bytes)[32] == 0x01);
  CHECK(to_hex(ByteSpan(*bytes).subspan(33)) == "01020304");  // big-endian
}

TEST_CASE("authenticator_data: attested credential data layout") {
  AuthenticatorData d = sample(true, false);
  auto bytes = d.serialize();
  REQUIRE(bytes.has_value());
  const Bytes& b = *bytes;
  CHECK(b[32] == 0x41);  // AT derived from the attested data
  CHECK(to_hex(ByteSpan(b).subspan(37, 16)) == std::string(32, 'a'));
  CHECK(b[53] == 0x00);
  CHECK(b[54] == 20);
  CHECK(Bytes(b.begin() + 55, b.begin() + 75) == Bytes(20, 0xC1));
  auto key = cbor::encode(sample_cose_key());
  REQUIRE(key.has_value());
  CHECK(Bytes(b.begin() + 75, b.end()) == *key);
}

TEST_CASE("authenticator_data: parse round-trips") {
  bool attested = false;
  bool extensions = false;
  SUBCASE("plain") {}
  SUBCASE("AT") { attested = true; }
  SUBCASE("ED") { extensions = true; }
  SUBCASE("AT and ED") {
    attested = true;
    extensions = true;
  }
  CAPTURE(attested);
  CAPTURE(extensions);
  AuthenticatorData d = sample(attested, extensions);
  auto bytes = d.serialize();
  REQUIRE(bytes.has_value());
  auto parsed = AuthenticatorData::parse(*bytes);
  REQUIRE(parsed.has_value());
  CHECK(parsed->wire_flags() == d.wire_flags());
  CHECK(parsed->flags == d.wire_flags());
  CHECK(parsed->rp_id_hash == d.rp_id_hash);
  CHECK(parsed->sign_count == d.sign_count);
  CHECK(parsed->attested == d.attested);
  CHECK(parsed->extensions == d.extensions);
  auto again = parsed->serialize();
  REQUIRE(again.has_value());
  CHECK(*again == *bytes);
}

TEST_CASE("authenticator_data: parse rejects malformed input") {
  auto full = sample(true, true).serialize();
  REQUIRE(full.has_value());
  const Bytes& b = *full;
  SUBCASE("shorter than 37 bytes") {
    CHECK(AuthenticatorData::parse(ByteSpan(b).first(36)).error() == CtapStatus::kInvalidLength);
  }
  SUBCASE("truncated inside the credential ID") {
    CHECK(AuthenticatorData::parse(ByteSpan(b).first(60)).error() == CtapStatus::kInvalidLength);
  }
  SUBCASE("truncated inside the COSE key") {
    CHECK(AuthenticatorData::parse(ByteSpan(b).first(80)).error() == CtapStatus::kInvalidCbor);
  }
  SUBCASE("trailing bytes") {
    Bytes t = b;
    t.push_back(0x00);
    CHECK(AuthenticatorData::parse(t).error() == CtapStatus::kInvalidLength);
  }
  SUBCASE("ED flag without extensions") {
    auto plain = sample(false, false).serialize();
    Bytes t = *plain;
    t[32] |= flags::kEd;
    CHECK(AuthenticatorData::parse(t).error() == CtapStatus::kInvalidCbor);
  }
  SUBCASE("extensions without the ED flag") {
    auto with_ext = sample(false, true).serialize();
    Bytes t = *with_ext;
    t[32] = static_cast<std::uint8_t>(t[32] & ~flags::kEd);
    CHECK(AuthenticatorData::parse(t).error() == CtapStatus::kInvalidLength);
  }
  SUBCASE("credential ID length zero") {
    Bytes t(b.begin(), b.begin() + 53);
    t.push_back(0);
    t.push_back(0);
    CHECK(AuthenticatorData::parse(t).error() == CtapStatus::kInvalidLength);
  }
  SUBCASE("COSE key that is not a map") {
    auto plain = sample(false, false).serialize();
    Bytes t = *plain;
    t[32] |= flags::kAt;
    t.insert(t.end(), 16, 0);
    t.push_back(0);
    t.push_back(1);
    t.push_back(0x99);  // credential ID
    t.push_back(0x01);  // CBOR unsigned 1 instead of a map
    CHECK(AuthenticatorData::parse(t).error() == CtapStatus::kInvalidCbor);
  }
}

TEST_CASE("authenticator_data: serialize refuses a credential ID outside 1..1023 bytes") {
  AuthenticatorData d = sample(true, false);
  d.attested->credential_id.clear();
  CHECK_FALSE(d.serialize().has_value());
  d.attested->credential_id = Bytes(1024, 1);
  CHECK_FALSE(d.serialize().has_value());
  d.attested->credential_id = Bytes(1023, 1);
  CHECK(d.serialize().has_value());
}

TEST_CASE("authenticator_data: a real COSE key from crypto round-trips") {
  SeededRng rng(7);
  for (auto alg : {cose::kAlgEs256, cose::kAlgEdDsa}) {
    CAPTURE(alg);
    auto key = crypto::PrivateKey::generate(alg, rng);
    REQUIRE(key.has_value());
    AuthenticatorData d = sample(false, false);
    d.attested = AttestedCredentialData{{}, Bytes(32, 3), key->public_cose()};
    auto bytes = d.serialize();
    REQUIRE(bytes.has_value());
    auto parsed = AuthenticatorData::parse(*bytes);
    REQUIRE(parsed.has_value());
    CHECK(parsed->attested->public_key == key->public_cose());
  }
}
