// DeviceState (authenticator/device_state.h): the persistent encoding round-trips and a damaged
// one is refused with a reason.
#include <doctest/doctest.h>

#include "authenticator/cbor/codec.h"
#include "authenticator/crypto/hash.h"
#include "authenticator/device_state.h"

using namespace vfido;

TEST_CASE("device_state: the initial state follows the profile") {
  AuthenticatorProfile p;
  p.max_pin_retries = 5;
  p.min_pin_length = 6;
  p.always_uv = true;
  p.client_pin = true;
  p.enterprise_attestation = true;
  DeviceState s = DeviceState::initial(p);
  CHECK_FALSE(s.pin.has_value());
  CHECK(s.pin_retries == 5);
  CHECK(s.min_pin_length == 6);
  CHECK(s.always_uv);
  CHECK(s.enterprise_attestation);
  // CTAP 2.1 §6.10.2: the initial serialized large-blob array is 0x80 || LEFT(SHA-256(0x80), 16).
  CHECK(to_hex(s.large_blob_array) == "8076be8b528d0075f7aae98d6fa57a6d3c");
}

TEST_CASE("device_state: encode and decode round-trip every field") {
  DeviceState s;
  StoredPin pin;
  for (std::size_t i = 0; i < kPinHashLen; ++i) pin.hash.expose_mut()[i] = static_cast<std::uint8_t>(i * 7);
  pin.code_points = 6;
  s.pin = std::move(pin);
  s.pin_retries = 3;
  s.uv_retries = 2;
  s.min_pin_length = 8;
  s.min_pin_length_rp_ids = {"example.com", "login.example"};
  s.force_pin_change = true;
  s.always_uv = true;
  s.enterprise_attestation = true;
  s.large_blob_array = {0x81, 0x01, 0x02};
  auto back = DeviceState::decode(s.encode());
  REQUIRE(back.has_value());
  REQUIRE(back->pin.has_value());
  CHECK(crypto::equal_ct(back->pin->hash.expose(), s.pin->hash.expose()));
  CHECK(back->pin->code_points == 6);
  CHECK(back->pin_retries == 3);
  CHECK(back->uv_retries == 2);
  CHECK(back->min_pin_length == 8);
  CHECK(back->min_pin_length_rp_ids == s.min_pin_length_rp_ids);
  CHECK(back->force_pin_change);
  CHECK(back->always_uv);
  CHECK(back->enterprise_attestation);
  CHECK(back->large_blob_array == s.large_blob_array);
  CHECK(back->encode() == s.encode());
}

TEST_CASE("device_state: damaged encodings are refused with a reason") {
  const Bytes good = DeviceState{}.encode();
  SUBCASE("truncated") {
    auto r = DeviceState::decode(ByteSpan(good).first(good.size() - 1));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().find("CBOR") != std::string::npos);
  }
  SUBCASE("trailing byte") {
    Bytes b = good;
    b.push_back(0);
    CHECK_FALSE(DeviceState::decode(b).has_value());
  }
  SUBCASE("a future version") {
    auto v = cbor::decode(good);
    REQUIRE(v);
    cbor::Value m = cbor::Value::map();
    for (const auto& [k, val] : v->as_map()) m.set(k, k == cbor::Value::uint(0) ? cbor::Value::uint(99) : val);
    auto r = DeviceState::decode(*cbor::encode(m));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().find("version 99") != std::string::npos);
  }
  SUBCASE("a PIN hash of the wrong length") {
    auto v = cbor::decode(good);
    REQUIRE(v);
    cbor::Value m = *v;
    m.set(1, cbor::Value::bytes(Bytes(15, 1)));
    m.set(2, cbor::Value::uint(4));
    auto r = DeviceState::decode(*cbor::encode(m));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().find("PIN hash") != std::string::npos);
  }
  SUBCASE("retries out of range") {
    auto v = cbor::decode(good);
    REQUIRE(v);
    cbor::Value m = cbor::Value::map();
    for (const auto& [k, val] : v->as_map()) m.set(k, k == cbor::Value::uint(3) ? cbor::Value::uint(300) : val);
    auto r = DeviceState::decode(*cbor::encode(m));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().find("PIN retries") != std::string::npos);
  }
}
