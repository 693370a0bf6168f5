// Credential keys (ES256, EdDSA), COSE_Key encoding, signature verification and P-256 ECDH.
#include "authenticator/crypto/keys.h"

#include <doctest/doctest.h>

#include <deque>
#include <string>

#include "authenticator/cbor/codec.h"
#include "authenticator/ctap_constants.h"
#include "authenticator/env/rng.h"

namespace vfido::crypto {
namespace {

Bytes hex(std::string_view s) {
  auto b = from_hex(s);
  REQUIRE(b.has_value());
  return *b;
}

// P-256 (FIPS 186-4 D.1.2.3 / SEC 2 §2.4.2): the generator G, the order n and -G.
const char* const kGx = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
const char* const kGy = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
const char* const kMinusGy = "b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a";  // p - Gy
const char* const kOrder = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const char* const kOrderMinus1 = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550";
// 2G, the x-coordinate of the ECDH of scalar 2 with G.
const char* const k2Gx = "7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978";
const char* const k2Gy = "07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1";

Bytes scalar(std::uint8_t low) {
  Bytes d(32, 0);
  d[31] = low;
  return d;
}

Bytes point(std::string_view x, std::string_view y) { return hex("04" + std::string(x) + std::string(y)); }

// An Rng that hands out scripted bytes in order; running out is a test failure.
class ScriptedRng final : public Rng {
 public:
  explicit ScriptedRng(std::vector<Bytes> chunks) {
    for (const Bytes& c : chunks) bytes_.insert(bytes_.end(), c.begin(), c.end());
  }
  void fill(std::span<std::uint8_t> out) override {
    REQUIRE(out.size() <= bytes_.size());
    for (auto& b : out) {
      b = bytes_.front();
      bytes_.pop_front();
    }
  }
  std::size_t left() const { return bytes_.size(); }

 private:
  std::deque<std::uint8_t> bytes_;
};

PrivateKey must(Result<PrivateKey> r) {
  REQUIRE(r.has_value());
  return std::move(*r);
}

}  // namespace

TEST_CASE("keys: supports ES256, EdDSA and RS256 only") {
  CHECK(PrivateKey::supports(cose::kAlgEs256));
  CHECK(PrivateKey::supports(cose::kAlgEdDsa));
  CHECK(PrivateKey::supports(cose::kAlgRs256));
  CHECK_FALSE(PrivateKey::supports(-35));  // ES384
  CHECK_FALSE(PrivateKey::supports(-65535));  // RS1
  CHECK_FALSE(PrivateKey::supports(cose::kAlgEcdhEsHkdf256));
  CHECK_FALSE(PrivateKey::supports(0));
}

TEST_CASE("keys: unsupported algorithms are kUnsupportedAlgorithm") {
  SeededRng rng(1);
  for (std::int64_t alg : {std::int64_t{-65535}, std::int64_t{0}, cose::kAlgEcdhEsHkdf256, std::int64_t{-35}}) {
    CAPTURE(alg);
    CHECK(PrivateKey::generate(alg, rng).error() == CtapStatus::kUnsupportedAlgorithm);
    CHECK(PrivateKey::from_bytes(alg, Bytes(32, 1), {}).error() == CtapStatus::kUnsupportedAlgorithm);
  }
}

// ---- Ed25519 ---------------------------------------------------------------------------------

TEST_CASE("keys: Ed25519 RFC 8032 §7.1 TEST 1 (empty message)") {
  Bytes seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  Bytes pub = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  Bytes sig = hex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595"
      "bbe24655141438e7a100b");
  SUBCASE("public key computed from the seed") {
    PrivateKey k = must(PrivateKey::from_bytes(cose::kAlgEdDsa, seed, {}));
    CHECK(k.public_bytes() == pub);
    auto s = k.sign({});
    REQUIRE(s.has_value());
    CHECK(*s == sig);
    CHECK(verify_signature(k.public_cose(), {}, *s));
  }
  SUBCASE("public key given") {
    PrivateKey k = must(PrivateKey::from_bytes(cose::kAlgEdDsa, seed, pub));
    CHECK(k.public_bytes() == pub);
    CHECK(to_hex(k.private_bytes().expose()) == to_hex(seed));
    auto s = k.sign({});
    REQUIRE(s.has_value());
    CHECK(*s == sig);
  }
}

TEST_CASE("keys: Ed25519 RFC 8032 §7.1 TEST 2 (one-byte message)") {
  PrivateKey k = must(
      PrivateKey::from_bytes(cose::kAlgEdDsa, hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"), {}));
  CHECK(to_hex(k.public_bytes()) == "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
  auto s = k.sign(hex("72"));
  REQUIRE(s.has_value());
  CHECK(to_hex(*s) ==
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302ae"
        "eb00d291612bb0c00");
  CHECK(verify_signature(k.public_cose(), hex("72"), *s));
  CHECK_FALSE(verify_signature(k.public_cose(), hex("73"), *s));
}

TEST_CASE("keys: EdDSA generate takes the seed from the Rng and signs verifiably") {
  SeededRng rng(42);
  SeededRng same(42);
  PrivateKey k = must(PrivateKey::generate(cose::kAlgEdDsa, rng));
  CHECK(k.cose_alg() == cose::kAlgEdDsa);
  CHECK(to_hex(k.private_bytes().expose()) == to_hex(same.bytes(32)));
  CHECK(k.public_bytes().size() == 32);
  Bytes msg = to_bytes("authenticatorData || clientDataHash");
  auto s = k.sign(msg);
  REQUIRE(s.has_value());
  CHECK(s->size() == 64);
  CHECK(verify_signature(k.public_cose(), msg, *s));
  msg[0] ^= 0x01;
  CHECK_FALSE(verify_signature(k.public_cose(), msg, *s));
}

TEST_CASE("keys: EdDSA from_bytes validates lengths") {
  CHECK(PrivateKey::from_bytes(cose::kAlgEdDsa, Bytes(31, 1), {}).error() == CtapStatus::kInvalidParameter);
  CHECK(PrivateKey::from_bytes(cose::kAlgEdDsa, Bytes(33, 1), {}).error() == CtapStatus::kInvalidParameter);
  CHECK(PrivateKey::from_bytes(cose::kAlgEdDsa, {}, {}).error() == CtapStatus::kInvalidParameter);
  CHECK(PrivateKey::from_bytes(cose::kAlgEdDsa, Bytes(32, 1), Bytes(31, 2)).error() == CtapStatus::kInvalidParameter);
  CHECK(PrivateKey::from_bytes(cose::kAlgEdDsa, Bytes(32, 1), Bytes(65, 2)).error() == CtapStatus::kInvalidParameter);
}

TEST_CASE("keys: EdDSA public_cose has the exact OKP layout") {
  PrivateKey k = must(
      PrivateKey::from_bytes(cose::kAlgEdDsa, hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"), {}));
  cbor::Value expected = cbor::Value::map({
      {cbor::Value::integer(1), cbor::Value::integer(1)},
      {cbor::Value::integer(3), cbor::Value::integer(-8)},
      {cbor::Value::integer(-1), cbor::Value::integer(6)},
      {cbor::Value::integer(-2), cbor::Value::bytes(k.public_bytes())},
  });
  CHECK(k.public_cose() == expected);
  auto enc = cbor::encode(k.public_cose());
  REQUIRE(enc.has_value());
  CHECK(to_hex(*enc) == "a4010103272006215820d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
}

// ---- ES256 -----------------------------------------------------------------------------------

TEST_CASE("keys: P-256 scalar 1 and n-1 give G and -G (public point computed)") {
  PrivateKey one = must(PrivateKey::from_bytes(cose::kAlgEs256, scalar(1), {}));
  CHECK(one.public_bytes() == point(kGx, kGy));
  PrivateKey last = must(PrivateKey::from_bytes(cose::kAlgEs256, hex(kOrderMinus1), {}));
  CHECK(last.public_bytes() == point(kGx, kMinusGy));
  PrivateKey two = must(PrivateKey::from_bytes(cose::kAlgEs256, scalar(2), {}));
  CHECK(two.public_bytes() == point(k2Gx, k2Gy));
}

TEST_CASE("keys: P-256 RFC 6979 A.2.5 key and a known signature verify") {
  Bytes d = hex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
  PrivateKey k = must(PrivateKey::from_bytes(cose::kAlgEs256, d, {}));
  CHECK(to_hex(k.public_bytes()) ==
        "04"
        "60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
        "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299");
  // SHA-256, message "sample": r and s DER-encoded (both need a leading zero byte).
  Bytes sig = hex(
      "3046"
      "022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
      "022100f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8");
  CHECK(verify_signature(k.public_cose(), as_span("sample"), sig));
  CHECK_FALSE(verify_signature(k.public_cose(), as_span("samplf"), sig));
  // The same r||s without DER framing is not an ES256 signature.
  Bytes raw(sig.begin() + 5, sig.begin() + 37);
  raw.insert(raw.end(), sig.begin() + 40, sig.end());
  REQUIRE(raw.size() == 64);
  CHECK_FALSE(verify_signature(k.public_cose(), as_span("sample"), raw));
}

TEST_CASE("keys: ES256 generate, sign, verify") {
  SeededRng rng(7);
  PrivateKey k = must(PrivateKey::generate(cose::kAlgEs256, rng));
  CHECK(k.cose_alg() == cose::kAlgEs256);
  CHECK(k.private_bytes().size() == 32);
  REQUIRE(k.public_bytes().size() == 65);
  CHECK(k.public_bytes()[0] == 0x04);
  Bytes msg = to_bytes("authenticatorData || clientDataHash");
  auto s = k.sign(msg);
  REQUIRE(s.has_value());
  CHECK((*s)[0] == 0x30);  // DER SEQUENCE
  CHECK(s->size() <= 72);
  CHECK(verify_signature(k.public_cose(), msg, *s));
  SUBCASE("flipped message bit") {
    for (std::size_t i = 0; i < msg.size(); i += 7) {
      CAPTURE(i);
      Bytes m = msg;
      m[i] ^= 0x01;
      CHECK_FALSE(verify_signature(k.public_cose(), m, *s));
    }
  }
  SUBCASE("flipped signature bit") {
    for (std::size_t i = 0; i < s->size(); ++i) {
      CAPTURE(i);
      Bytes t = *s;
      t[i] ^= 0x01;
      CHECK_FALSE(verify_signature(k.public_cose(), msg, t));
    }
  }
  SUBCASE("another key") {
    PrivateKey other = must(PrivateKey::generate(cose::kAlgEs256, rng));
    CHECK_FALSE(verify_signature(other.public_cose(), msg, *s));
  }
  SUBCASE("empty message") {
    auto e = k.sign({});
    REQUIRE(e.has_value());
    CHECK(verify_signature(k.public_cose(), {}, *e));
    CHECK_FALSE(verify_signature(k.public_cose(), msg, *e));
  }
}

TEST_CASE("keys: ES256 from_bytes round trip, with and without the public key") {
  SeededRng rng(99);
  PrivateKey k = must(PrivateKey::generate(cose::kAlgEs256, rng));
  Bytes msg = to_bytes("round trip");
  for (bool with_pub : {false, true}) {
    CAPTURE(with_pub);
    PrivateKey r = must(PrivateKey::from_bytes(cose::kAlgEs256, k.private_bytes().expose(),
                                               with_pub ? ByteSpan(k.public_bytes()) : ByteSpan()));
    CHECK(r.public_bytes() == k.public_bytes());
    CHECK(r.public_cose() == k.public_cose());
    CHECK(to_hex(r.private_bytes().expose()) == to_hex(k.private_bytes().expose()));
    auto s = r.sign(msg);
    REQUIRE(s.has_value());
    CHECK(verify_signature(k.public_cose(), msg, *s));
  }
}

TEST_CASE("keys: ES256 from_bytes trusts a given public point instead of recomputing it") {
  // Loading a stored credential must cost far less than a signature, so the point passed in
  // is imported as it is (only the on-curve check runs). Scalar 1 with 2G proves it was not
  // recomputed (1·G would be G).
  PrivateKey k = must(PrivateKey::from_bytes(cose::kAlgEs256, scalar(1), point(k2Gx, k2Gy)));
  CHECK(k.public_bytes() == point(k2Gx, k2Gy));
}

TEST_CASE("keys: ES256 from_bytes rejects malformed input with kInvalidParameter") {
  Bytes g = point(kGx, kGy);
  SUBCASE("scalar length") {
    CHECK(PrivateKey::from_bytes(cose::kAlgEs256, Bytes(31, 1), {}).error() == CtapStatus::kInvalidParameter);
    CHECK(PrivateKey::from_bytes(cose::kAlgEs256, Bytes(33, 1), {}).error() == CtapStatus::kInvalidParameter);
    CHECK(PrivateKey::from_bytes(cose::kAlgEs256, {}, g).error() == CtapStatus::kInvalidParameter);
  }
  SUBCASE("scalar out of [1, n-1]") {
    for (bool with_pub : {false, true}) {
      CAPTURE(with_pub);
      ByteSpan pub = with_pub ? ByteSpan(g) : ByteSpan();
      CHECK(PrivateKey::from_bytes(cose::kAlgEs256, Bytes(32, 0), pub).error() == CtapStatus::kInvalidParameter);
      CHECK(PrivateKey::from_bytes(cose::kAlgEs256, hex(kOrder), pub).error() == CtapStatus::kInvalidParameter);
      CHECK(PrivateKey::from_bytes(cose::kAlgEs256, Bytes(32, 0xff), pub).error() == CtapStatus::kInvalidParameter);
    }
  }
  SUBCASE("public point encoding") {
    Bytes compressed = hex(std::string("03") + kGx);
    CHECK(PrivateKey::from_bytes(cose::kAlgEs256, scalar(1), compressed).error() == CtapStatus::kInvalidParameter);
    CHECK(PrivateKey::from_bytes(cose::kAlgEs256, scalar(1), ByteSpan(g).first(64)).error() ==
          CtapStatus::kInvalidParameter);
    Bytes longer = g;
    longer.push_back(0);
    CHECK(PrivateKey::from_bytes(cose::kAlgEs256, scalar(1), longer).error() == CtapStatus::kInvalidParameter);
    Bytes wrong_tag = g;
    wrong_tag[0] = 0x06;
    CHECK(PrivateKey::from_bytes(cose::kAlgEs256, scalar(1), wrong_tag).error() == CtapStatus::kInvalidParameter);
  }
  SUBCASE("public point off the curve") {
    Bytes off = g;
    off[64] ^= 0x01;
    CHECK(PrivateKey::from_bytes(cose::kAlgEs256, scalar(1), off).error() == CtapStatus::kInvalidParameter);
  }
}

TEST_CASE("keys: ES256 generate rejects scalars outside [1, n-1] and draws again") {
  // FIPS 186-5 A.2.2: 0xff..ff and n are >= n, zero is < 1; n-1 is the first acceptable draw.
  ScriptedRng rng({Bytes(32, 0xff), hex(kOrder), Bytes(32, 0), hex(kOrderMinus1), scalar(5)});
  PrivateKey k = must(PrivateKey::generate(cose::kAlgEs256, rng));
  CHECK(to_hex(k.private_bytes().expose()) == kOrderMinus1);
  CHECK(k.public_bytes() == point(kGx, kMinusGy));
  CHECK(rng.left() == 32);  // the draw after the accepted one was not consumed
}

TEST_CASE("keys: ES256 generate from a stuck Rng fails instead of looping") {
  struct StuckRng final : Rng {
    void fill(std::span<std::uint8_t> out) override { std::fill(out.begin(), out.end(), std::uint8_t{0xff}); }
  } rng;
  auto k = PrivateKey::generate(cose::kAlgEs256, rng);
  REQUIRE_FALSE(k.has_value());
  CHECK(k.error() == CtapStatus::kOther);
}

TEST_CASE("keys: generate with SeededRng is deterministic") {
  for (std::int64_t alg : {cose::kAlgEs256, cose::kAlgEdDsa}) {
    CAPTURE(alg);
    SeededRng a(2024);
    SeededRng b(2024);
    SeededRng c(2025);
    PrivateKey ka = must(PrivateKey::generate(alg, a));
    PrivateKey kb = must(PrivateKey::generate(alg, b));
    PrivateKey kc = must(PrivateKey::generate(alg, c));
    CHECK(to_hex(ka.private_bytes().expose()) == to_hex(kb.private_bytes().expose()));
    CHECK(ka.public_bytes() == kb.public_bytes());
    CHECK(ka.public_bytes() != kc.public_bytes());
    // The next key from the same generator is a different one.
    PrivateKey ka2 = must(PrivateKey::generate(alg, a));
    CHECK(ka2.public_bytes() != ka.public_bytes());
  }
}

TEST_CASE("keys: ES256 public_cose has the exact EC2 layout") {
  PrivateKey k = must(PrivateKey::from_bytes(cose::kAlgEs256, scalar(1), {}));
  cbor::Value expected = cbor::Value::map({
      {cbor::Value::integer(1), cbor::Value::integer(2)},
      {cbor::Value::integer(3), cbor::Value::integer(-7)},
      {cbor::Value::integer(-1), cbor::Value::integer(1)},
      {cbor::Value::integer(-2), cbor::Value::bytes(hex(kGx))},
      {cbor::Value::integer(-3), cbor::Value::bytes(hex(kGy))},
  });
  CHECK(k.public_cose() == expected);
  auto enc = cbor::encode(k.public_cose());
  REQUIRE(enc.has_value());
  CHECK(to_hex(*enc) == std::string("a5010203262001215820") + kGx + "225820" + kGy);
}

TEST_CASE("keys: ES256 public_cose keeps leading zero bytes of the coordinates") {
  // Find a deterministic key whose x starts with 0x00, so the full-width rule is exercised.
  SeededRng rng(3);
  for (int i = 0; i < 2000; ++i) {
    PrivateKey k = must(PrivateKey::generate(cose::kAlgEs256, rng));
    if (k.public_bytes()[1] != 0) continue;
    cbor::Value cose_key = k.public_cose();
    REQUIRE(cose_key.find(cose::kLabelX) != nullptr);
    CHECK(cose_key.find(cose::kLabelX)->as_bytes().size() == 32);
    CHECK(cose_key.find(cose::kLabelX)->as_bytes()[0] == 0);
    auto s = k.sign(as_span("m"));
    REQUIRE(s.has_value());
    CHECK(verify_signature(cose_key, as_span("m"), *s));
    return;
  }
  FAIL("no key with a leading zero x in 2000 draws");
}

// ---- verify_signature on malformed keys ------------------------------------------------------

TEST_CASE("verify_signature: false on malformed COSE keys and signatures") {
  PrivateKey es = must(PrivateKey::from_bytes(cose::kAlgEs256, scalar(9), {}));
  PrivateKey ed = must(
      PrivateKey::from_bytes(cose::kAlgEdDsa, hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"), {}));
  Bytes msg = to_bytes("msg");
  Bytes es_sig = *es.sign(msg);
  Bytes ed_sig = *ed.sign(msg);
  REQUIRE(verify_signature(es.public_cose(), msg, es_sig));
  REQUIRE(verify_signature(ed.public_cose(), msg, ed_sig));

  // Rebuilds a COSE key with one parameter replaced (or removed, when `value` is nullopt).
  auto edit = [](const cbor::Value& key, std::int64_t label, std::optional<cbor::Value> value) {
    cbor::Value out = cbor::Value::map();
    for (const auto& [k, v] : key.as_map()) {
      if (k == cbor::Value::integer(label)) {
        if (value) out.set(k, *value);
      } else {
        out.set(k, v);
      }
    }
    return out;
  };
  const cbor::Value es_key = es.public_cose();
  const cbor::Value ed_key = ed.public_cose();

  CHECK_FALSE(verify_signature(cbor::Value::bytes(es.public_bytes()), msg, es_sig));
  CHECK_FALSE(verify_signature(cbor::Value::map(), msg, es_sig));
  for (std::int64_t label : {cose::kLabelKty, cose::kLabelAlg, cose::kLabelCrv, cose::kLabelX, cose::kLabelY}) {
    CAPTURE(label);
    CHECK_FALSE(verify_signature(edit(es_key, label, std::nullopt), msg, es_sig));
    CHECK_FALSE(verify_signature(edit(es_key, label, cbor::Value::text("x")), msg, es_sig));
  }
  CHECK_FALSE(verify_signature(edit(es_key, cose::kLabelAlg, cbor::Value::integer(cose::kAlgEdDsa)), msg, es_sig));
  CHECK_FALSE(verify_signature(edit(es_key, cose::kLabelAlg, cbor::Value::integer(cose::kAlgEcdhEsHkdf256)), msg, es_sig));
  CHECK_FALSE(verify_signature(edit(es_key, cose::kLabelKty, cbor::Value::integer(cose::kKtyOkp)), msg, es_sig));
  CHECK_FALSE(verify_signature(edit(es_key, cose::kLabelCrv, cbor::Value::integer(2)), msg, es_sig));
  CHECK_FALSE(verify_signature(edit(es_key, cose::kLabelX, cbor::Value::bytes(Bytes(31, 1))), msg, es_sig));
  CHECK_FALSE(verify_signature(edit(es_key, cose::kLabelY, cbor::Value::bytes(Bytes(33, 1))), msg, es_sig));
  Bytes bad_y = es_key.find(cose::kLabelY)->as_bytes();
  bad_y[0] ^= 0x01;  // off the curve
  CHECK_FALSE(verify_signature(edit(es_key, cose::kLabelY, cbor::Value::bytes(bad_y)), msg, es_sig));
  CHECK_FALSE(verify_signature(es_key, msg, {}));
  CHECK_FALSE(verify_signature(es_key, msg, ByteSpan(es_sig).first(es_sig.size() - 1)));

  for (std::int64_t label : {cose::kLabelKty, cose::kLabelAlg, cose::kLabelCrv, cose::kLabelX}) {
    CAPTURE(label);
    CHECK_FALSE(verify_signature(edit(ed_key, label, std::nullopt), msg, ed_sig));
  }
  CHECK_FALSE(verify_signature(edit(ed_key, cose::kLabelX, cbor::Value::bytes(Bytes(33, 1))), msg, ed_sig));
  CHECK_FALSE(verify_signature(edit(ed_key, cose::kLabelCrv, cbor::Value::integer(4)), msg, ed_sig));
  CHECK_FALSE(verify_signature(ed_key, msg, ByteSpan(ed_sig).first(63)));
  Bytes ed_long = ed_sig;
  ed_long.push_back(0);
  CHECK_FALSE(verify_signature(ed_key, msg, ed_long));
  // A signature of one algorithm under the other's key.
  CHECK_FALSE(verify_signature(ed_key, msg, es_sig));
  CHECK_FALSE(verify_signature(es_key, msg, ed_sig));
}

// ---- ECDH ------------------------------------------------------------------------------------

TEST_CASE("ecdh: two keys agree on the shared x-coordinate") {
  SeededRng rng(11);
  auto a = EcdhKey::generate(rng);
  auto b = EcdhKey::generate(rng);
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  REQUIRE(a->public_point().size() == 65);
  CHECK(a->public_point() != b->public_point());
  auto ab = a->shared_x(b->public_point());
  auto ba = b->shared_x(a->public_point());
  REQUIRE(ab.has_value());
  REQUIRE(ba.has_value());
  CHECK(ab->size() == 32);
  CHECK(to_hex(ab->expose()) == to_hex(ba->expose()));
  auto self = a->shared_x(a->public_point());
  REQUIRE(self.has_value());
  CHECK(to_hex(self->expose()) != to_hex(ab->expose()));
}

TEST_CASE("ecdh: known answers with small scalars") {
  SUBCASE("scalar 1 returns the peer's x") {
    ScriptedRng rng({scalar(1)});
    auto k = EcdhKey::generate(rng);
    REQUIRE(k.has_value());
    CHECK(k->public_point() == point(kGx, kGy));
    auto z = k->shared_x(point(k2Gx, k2Gy));
    REQUIRE(z.has_value());
    CHECK(to_hex(z->expose()) == k2Gx);
  }
  SUBCASE("scalar 2 with G gives x(2G)") {
    ScriptedRng rng({scalar(2)});
    auto k = EcdhKey::generate(rng);
    REQUIRE(k.has_value());
    auto z = k->shared_x(point(kGx, kGy));
    REQUIRE(z.has_value());
    CHECK(to_hex(z->expose()) == k2Gx);
  }
}

TEST_CASE("ecdh: peer points off the curve or of the wrong length are kInvalidParameter") {
  SeededRng rng(12);
  auto k = EcdhKey::generate(rng);
  REQUIRE(k.has_value());
  Bytes g = point(kGx, kGy);
  Bytes off = g;
  off[64] ^= 0x01;
  CHECK(k->shared_x(off).error() == CtapStatus::kInvalidParameter);
  // Coordinates >= p are not field elements.
  CHECK(k->shared_x(point(std::string(64, 'f'), std::string(64, 'f'))).error() == CtapStatus::kInvalidParameter);
  CHECK(k->shared_x(Bytes(65, 0)).error() == CtapStatus::kInvalidParameter);
  Bytes zero_point(65, 0);
  zero_point[0] = 0x04;
  CHECK(k->shared_x(zero_point).error() == CtapStatus::kInvalidParameter);
  CHECK(k->shared_x(hex("00")).error() == CtapStatus::kInvalidParameter);  // the point at infinity
  CHECK(k->shared_x({}).error() == CtapStatus::kInvalidParameter);
  CHECK(k->shared_x(ByteSpan(g).first(64)).error() == CtapStatus::kInvalidParameter);
  CHECK(k->shared_x(ByteSpan(g).last(64)).error() == CtapStatus::kInvalidParameter);
  CHECK(k->shared_x(hex(std::string("02") + kGx)).error() == CtapStatus::kInvalidParameter);
  Bytes longer = g;
  longer.push_back(0);
  CHECK(k->shared_x(longer).error() == CtapStatus::kInvalidParameter);
  CHECK(k->shared_x(g).has_value());
}

TEST_CASE("keys: P-256 point compression (SEC 1 §2.3.3-2.3.4) with G and -G") {
  const Bytes g = hex(std::string("04") + kGx + kGy);
  const Bytes minus_g = hex(std::string("04") + kGx + kMinusGy);
  // Gy is odd and -Gy even: 03 and 02 prefixes.
  CHECK(p256_compress(g) == hex(std::string("03") + kGx));
  CHECK(p256_compress(minus_g) == hex(std::string("02") + kGx));
  CHECK(p256_decompress(hex(std::string("03") + kGx)) == g);
  CHECK(p256_decompress(hex(std::string("02") + kGx)) == minus_g);
  // Wrong lengths, prefixes, and points off the curve.
  CHECK(p256_compress(hex(std::string("03") + kGx)).error() == CtapStatus::kInvalidParameter);
  CHECK(p256_decompress(hex(std::string("04") + kGx)).error() == CtapStatus::kInvalidParameter);
  CHECK(p256_decompress(Bytes(32, 2)).error() == CtapStatus::kInvalidParameter);
  Bytes off = g;
  off[64] ^= 1;
  CHECK(p256_compress(off).error() == CtapStatus::kInvalidParameter);
}

TEST_CASE("keys: EcdhKey from a scalar keeps it, and agrees with a generated peer") {
  auto one = EcdhKey::from_scalar(hex("0000000000000000000000000000000000000000000000000000000000000001"));
  REQUIRE(one.has_value());
  CHECK(to_hex(one->public_point()) == std::string("04") + kGx + kGy);
  CHECK(to_hex(one->scalar().expose()) == "0000000000000000000000000000000000000000000000000000000000000001");
  SeededRng rng(11);
  auto peer = EcdhKey::generate(rng);
  REQUIRE(peer.has_value());
  // With d = 1 the shared secret is the peer's own x coordinate.
  auto z = one->shared_x(peer->public_point());
  REQUIRE(z.has_value());
  CHECK(to_hex(z->expose()) == to_hex(ByteSpan(peer->public_point()).subspan(1, 32)));
  CHECK(EcdhKey::from_scalar(Bytes(32, 0)).error() == CtapStatus::kInvalidParameter);
  CHECK(EcdhKey::from_scalar(Bytes(31, 1)).error() == CtapStatus::kInvalidParameter);
}

}  // namespace vfido::crypto
