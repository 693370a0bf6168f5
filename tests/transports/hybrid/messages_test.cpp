// Messages inside the channel (hybrid-protocol.md §8.2-8.4) and linking information (§9.1).
#include <doctest/doctest.h>

#include "authenticator/cbor/codec.h"
#include "authenticator/env/rng.h"
#include "tests/transports/hybrid/hybrid_test_util.h"
#include "transports/hybrid/handshake.h"
#include "transports/hybrid/messages.h"

namespace vfido::cable {
namespace {

using test::hex;
using test::hex_array;
using test::repeated_key;

// §8.3 [R]: post-handshake plaintexts captured by webauthn-rs from Android Chrome and iOS 16.
constexpr std::string_view kAndroid =
    "a101585ca50182684649444f5f325f30684649444f5f325f3102826c6465766963655075624b657963707266035000000000000000000000"
    "00000000000004a262726bf5627576f50983656361626c656668796272696468696e7465726e616c";
constexpr std::string_view kIos =
    "a101583aa40181684649444f5f325f300350f24a8e70d0d3f82c293732523cc4de5a04a262726bf5627576f5098268696e7465726e616c66"
    "687962726964";

TEST_CASE("messages: Android's and iOS's post-handshake messages parse") {
  auto android = parse_post_handshake(hex(kAndroid));
  REQUIRE(android.has_value());
  REQUIRE(android->get_info.has_value());
  CHECK(android->get_info->size() == 0x5c);
  CHECK(android->supports(kFeatureCtap));  // features absent: ["ctap"]
  CHECK_FALSE(android->supports(kFeatureDigitalCredentials));
  CHECK_FALSE(android->linking.has_value());
  auto info = cbor::decode(*android->get_info);
  REQUIRE(info.has_value());
  REQUIRE(info->find(1) != nullptr);
  CHECK(info->find(1)->as_array().size() == 2);

  auto ios = parse_post_handshake(hex(kIos));
  REQUIRE(ios.has_value());
  CHECK(ios->get_info->size() == 0x3a);
  // Re-encoding gives the same bytes (canonical CBOR, no features key).
  PostHandshakeMessage again;
  again.get_info = ios->get_info;
  CHECK(encode_post_handshake(again) == hex(kIos));
}

TEST_CASE("messages: post-handshake features and errors") {
  PostHandshakeMessage m;
  m.get_info = hex("a10181684649444f5f325f30");  // {1: ["FIDO_2_0"]}
  m.features = std::vector<std::string>{"dc", "ctap"};
  auto bytes = encode_post_handshake(m);
  REQUIRE(bytes.has_value());
  auto back = parse_post_handshake(*bytes);
  REQUIRE(back.has_value());
  CHECK(back->features == std::vector<std::string>{"ctap", "dc"});  // sorted
  CHECK(back->supports(kFeatureDigitalCredentials));

  SUBCASE("getInfo without ctap") {
    m.features = std::vector<std::string>{"dc"};
    CHECK(parse_post_handshake(*encode_post_handshake(m)).error() == CableError::kBadMessage);
  }
  SUBCASE("getInfo that is not a CBOR map") {
    cbor::Value map = cbor::Value::map();
    map.set(1, cbor::Value::bytes(hex("01")));
    CHECK(parse_post_handshake(*cbor::encode(map)).error() == CableError::kBadMessage);
    PostHandshakeMessage bad;
    bad.get_info = hex("ff");
    CHECK(encode_post_handshake(bad).error() == CableError::kBadMessage);
  }
  SUBCASE("a revision-0 padded map, garbage, wrong types") {
    Bytes padded = hex(kIos);
    padded.resize(512, 0);
    CHECK(parse_post_handshake(padded).error() == CableError::kBadMessage);
    CHECK(parse_post_handshake(hex("00")).error() == CableError::kBadMessage);
    CHECK(parse_post_handshake(hex("a10102")).error() == CableError::kBadMessage);  // key 1 not bytes
    CHECK(parse_post_handshake(hex("a1038101")).error() == CableError::kBadMessage);  // features: [1]
    CHECK(parse_post_handshake(hex("a10381626463")).has_value());                       // {3: ["dc"]}
  }
}

TEST_CASE("messages: framing") {
  auto m = parse_message(frame_message(MessageType::kCtap, hex("04")));
  REQUIRE(m.has_value());
  CHECK(m->type == MessageType::kCtap);
  CHECK(m->payload == hex("04"));
  auto s = parse_message(hex("00"));
  REQUIRE(s.has_value());
  CHECK(s->type == MessageType::kShutdown);
  CHECK(s->payload.empty());
  CHECK(parse_message(hex("03")).has_value());
  CHECK(parse_message(hex("04")).error() == CableError::kBadMessage);
  CHECK(parse_message(hex("ff01")).error() == CableError::kBadMessage);
  CHECK(parse_message({}).error() == CableError::kBadMessage);
}

LinkingInfo sample_linking(const HandshakeHash& hash, const crypto::EcdhKey& desktop_qr) {
  const crypto::EcdhKey identity = repeated_key(0x04);
  LinkingInfo info;
  info.contact_id = hex("c0ffee");
  info.link_id = hex_array<8>("0102030405060708");
  info.link_secret = crypto::SecretBytes(Bytes(32, 0x22));
  std::copy(identity.public_point().begin(), identity.public_point().end(), info.identity_public.begin());
  info.name = "vfido phone";
  auto sig = linking_signature(identity, desktop_qr.public_point(), hash);
  REQUIRE(sig.has_value());
  info.signature = *sig;
  return info;
}

TEST_CASE("linking: the signature vector (§7.5) and its verification") {
  const crypto::EcdhKey identity = repeated_key(0x04);
  CHECK(to_hex(identity.public_point()) ==
        "0473103ec30b3ccf57daae08e93534aef144a35940cf6bbba12a0cf7cbd5d65a64d82c8c99e9d3c45f9245ba9b27982c9aea8ec1db94b1"
        "9c44795942c0eb22aa32");
  const crypto::EcdhKey qr = repeated_key(0x01);
  const auto hash = hex_array<32>("813a300509bf62a1069aa976ebb51c76761339e4ef82d0f806e43d4fee4926e3");
  auto sig = linking_signature(identity, qr.public_point(), hash);
  REQUIRE(sig.has_value());
  CHECK(to_hex(*sig) == "a2ea6d9234025ceb3c4db2366bc49c4350326fe142461339c38d39b590c7f9ed");

  LinkingInfo info = sample_linking(hash, qr);
  CHECK(verify_linking_signature(info, qr, hash));
  HandshakeHash other = hash;
  other[0] ^= 1;
  CHECK_FALSE(verify_linking_signature(info, qr, other));  // another session's hash
  CHECK_FALSE(verify_linking_signature(info, repeated_key(0x02), hash));  // another desktop
  info.signature[31] ^= 1;
  CHECK_FALSE(verify_linking_signature(info, qr, hash));
}

TEST_CASE("linking: map round trip and strict parsing") {
  const crypto::EcdhKey qr = repeated_key(0x01);
  const HandshakeHash hash{};
  const LinkingInfo info = sample_linking(hash, qr);
  const cbor::Value map = encode_linking_map(info);
  auto back = parse_linking_map(map);
  REQUIRE(back.has_value());
  CHECK(back->contact_id == info.contact_id);
  CHECK(back->link_id == info.link_id);
  CHECK(to_hex(back->link_secret.expose()) == to_hex(info.link_secret.expose()));
  CHECK(back->identity_public == info.identity_public);
  CHECK(back->name == info.name);
  CHECK(back->signature == info.signature);

  auto broken = [&](std::int64_t key, cbor::Value v) {
    cbor::Value m = map;
    for (auto& [k, val] : m.as_map()) {
      if (k == cbor::Value::integer(key)) val = std::move(v);
    }
    return parse_linking_map(m);
  };
  CHECK(broken(1, cbor::Value::text("c0ffee")).error() == CableError::kBadLinkingInfo);
  CHECK(broken(2, cbor::Value::bytes(Bytes(7, 1))).error() == CableError::kBadLinkingInfo);
  CHECK(broken(3, cbor::Value::bytes(Bytes(31, 1))).error() == CableError::kBadLinkingInfo);
  CHECK(broken(4, cbor::Value::bytes(Bytes(65, 4))).error() == CableError::kBadLinkingInfo);  // not on the curve
  CHECK(broken(5, cbor::Value::bytes(Bytes(1, 1))).error() == CableError::kBadLinkingInfo);
  CHECK(broken(6, cbor::Value::uint(1)).error() == CableError::kBadLinkingInfo);
  // Key 999 (Play Services marker) is ignored.
  cbor::Value marked = map;
  marked.set(999, cbor::Value::boolean(true));
  CHECK(parse_linking_map(marked).has_value());
  CHECK(parse_linking_map(cbor::Value::array()).error() == CableError::kBadLinkingInfo);
}

TEST_CASE("messages: update message is 512 bytes once padded, with or without linking data") {
  const crypto::EcdhKey qr = repeated_key(0x01);
  const LinkingInfo info = sample_linking(HandshakeHash{}, qr);
  const Bytes with = encode_update_message(&info);
  const Bytes without = encode_update_message(nullptr);
  CHECK(with[0] == static_cast<std::uint8_t>(MessageType::kUpdate));
  CHECK(pad_message(with).size() == 512);
  CHECK(pad_message(without).size() == 512);
  // And the ciphertext is 528 bytes.
  CipherState k(Bytes(32, 1));
  Crypter c(CipherState(Bytes(32, 2)), std::move(k));
  CHECK(c.encrypt(with)->size() == 528);
  CHECK(c.encrypt(without)->size() == 528);

  auto parsed = parse_message(with);
  REQUIRE(parsed.has_value());
  auto linking = parse_update(parsed->payload);
  REQUIRE(linking.has_value());
  REQUIRE(linking->has_value());
  CHECK((*linking)->name == "vfido phone");
  auto none = parse_update(parse_message(without)->payload);
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());
  CHECK(parse_update(hex("01")).error() == CableError::kBadMessage);
}

TEST_CASE("linking: client payload round trip") {
  ClientPayload p;
  p.link_id = hex_array<8>("0102030405060708");
  p.client_nonce = hex_array<16>("101112131415161718191a1b1c1d1e1f");
  p.hint = "mc";
  CHECK(parse_client_payload(encode_client_payload(p)) == p);
  CHECK_FALSE(parse_client_payload(hex("a0")).has_value());
  CHECK_FALSE(parse_client_payload(hex("a2014101024101")).has_value());
}

}  // namespace
}  // namespace vfido::cable
