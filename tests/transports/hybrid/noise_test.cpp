// Noise KNpsk0 / NKpsk0: the standard cacophony vectors with X25519 (so the pattern code is
// checked against an independent implementation), then caBLE's P-256 vectors
// (hybrid-protocol.md §7.5) through the handshake API both sides use.
#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <memory>

#include "tests/transports/hybrid/hybrid_test_util.h"
#include "transports/hybrid/handshake.h"
#include "transports/hybrid/noise.h"

namespace vfido::cable {
namespace {

using test::hex;
using test::repeated_key;

// ---- X25519 for the cacophony vectors (RFC 7748 through OpenSSL) ----------------------------

class X25519KeyPair final : public DhKeyPair {
 public:
  explicit X25519KeyPair(ByteSpan priv)
      : pkey_(EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, priv.data(), priv.size()), EVP_PKEY_free) {
    REQUIRE(pkey_ != nullptr);
    pub_.resize(32);
    std::size_t len = pub_.size();
    REQUIRE(EVP_PKEY_get_raw_public_key(pkey_.get(), pub_.data(), &len) == 1);
  }
  const Bytes& public_key() const override { return pub_; }
  CableResult<crypto::SecretBytes> dh(ByteSpan peer) const override {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> p(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()), EVP_PKEY_free);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(pkey_.get(), nullptr),
                                                                     EVP_PKEY_CTX_free);
    crypto::SecretBytes out(32);
    std::size_t len = 32;
    if (!p || !ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), p.get()) != 1 ||
        EVP_PKEY_derive(ctx.get(), out.expose_mut().data(), &len) != 1) {
      return cable_fail(CableError::kHandshakeFailed);
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey_{nullptr, EVP_PKEY_free};
  Bytes pub_;
};

const DhFunction& x25519() {
  static const DhFunction kX25519{"25519", 32, [](Rng&) -> CableResult<std::unique_ptr<DhKeyPair>> {
                                    return cable_fail(CableError::kInternal);  // vectors fix every key
                                  }};
  return kX25519;
}

std::unique_ptr<DhKeyPair> x_key(std::string_view priv_hex) { return std::make_unique<X25519KeyPair>(hex(priv_hex)); }

// The cacophony vector file's values (github.com/mcginty/snow tests/vectors/cacophony.txt,
// originally from the Cacophony Haskell implementation); every vector there uses these.
constexpr std::string_view kPrologue = "4a6f686e2047616c74";
constexpr std::string_view kPsk = "54686973206973206d7920417573747269616e20706572737065637469766521";
constexpr std::string_view kInitEphemeral = "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
constexpr std::string_view kRespEphemeral = "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";
constexpr std::string_view kPayloads[6] = {"4c756477696720766f6e204d69736573", "4d757272617920526f746862617264",
                                           "462e20412e20486179656b", "4361726c204d656e676572",
                                           "4a65616e2d426170746973746520536179",
                                           "457567656e2042f6686d20766f6e2042617765726b"};

struct Vector {
  HandshakePattern pattern;
  std::string_view static_priv;  // the pattern's one static key (KN: initiator's, NK: responder's)
  std::string_view static_pub;
  std::string_view handshake_hash;
  std::string_view ciphertexts[6];
};

const Vector kKnPsk0{HandshakePattern::kKNpsk0,
                     "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1",
                     "6bc3822a2aa7f4e6981d6538692b3cdf3e6df9eea6ed269eb41d93c22757b75a",
                     "c00c866735dd2199539304d8835efd4a1308b9c6985d7806b5727c30a0adcdfb",
                     {"ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944acf39a6a3f40b8900e8506c3582f2125"
                      "2a1a75b124e97499fb21b2d6c51fce6e",
                      "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f1448088431e091ae06ab3847c3d9f270b37486441"
                      "b1f5fc7d0d76b508efeb267a11e6cb",
                      "139b73cab81c4381acccde9d36efed71d713bcf883d97de4cfd2e0",
                      "1cd150b5c4133d8936a236cca7c17696557bdf1bdaa45d374e01be",
                      "ef2c21c92742c19c0097971409958cce88d15eb6f8ed2d681ac9cb5132ab691ff3",
                      "29dc3ce540fc07d80436672e56fc4f333c0f5d52bdb3c47f9a435489e78828f0ca3f443684"}};
const Vector kNkPsk0{HandshakePattern::kNKpsk0,
                     "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893",
                     "31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f701b8f62",
                     "c9855b6c52aeba6b7d07097d260e058ea90e85fa810c0c3e2ec3869f3f4319c9",
                     {"ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944052cffc8d5cdfaed3f9ca0a86c406cf5"
                      "8d24cfc3cec1af5060fd25c4e8a5ac04",
                      "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843afd57077a1747b71254c19bd798c87ac"
                      "61a2d4808a30a1372f81b2cb4d85f6",
                      "0ed5fabce6ef0ded315c4f213c51ea1e89be89f86c5dc98e50d15d",
                      "ba3cbc8800e6eb1b585269dca0f00fdc21f830eb1a497589215f7f",
                      "f1205cc05144bce5aad775bc12a7d569bfdd474337cdb03b09ae5478c0cd166eb4",
                      "32b8e77e5be275d093618c2a1fef8b6c4c263b23a39d25cce751015d44a7b4003aa4f66512"}};

HandshakeState make(const Vector& v, Role role, SeededRng& rng) {
  HandshakeConfig c;
  c.pattern = v.pattern;
  c.role = role;
  c.dh = &x25519();
  c.prologue = hex(kPrologue);
  c.psk = hex(kPsk);
  c.e = x_key(role == Role::kInitiator ? kInitEphemeral : kRespEphemeral);
  const Role owner = v.pattern == HandshakePattern::kKNpsk0 ? Role::kInitiator : Role::kResponder;
  if (role == owner) {
    c.s = x_key(v.static_priv);
    REQUIRE(to_hex(c.s->public_key()) == v.static_pub);
  } else {
    c.rs = hex(v.static_pub);
  }
  auto hs = HandshakeState::initialize(std::move(c), rng);
  REQUIRE(hs.has_value());
  return std::move(*hs);
}

void run_cacophony(const Vector& v) {
  SeededRng rng(1);
  HandshakeState init = make(v, Role::kInitiator, rng);
  HandshakeState resp = make(v, Role::kResponder, rng);

  auto m0 = init.write_message(hex(kPayloads[0]));
  REQUIRE(m0.has_value());
  CHECK(to_hex(*m0) == v.ciphertexts[0]);
  auto p0 = resp.read_message(*m0);
  REQUIRE(p0.has_value());
  CHECK(to_hex(p0->expose()) == kPayloads[0]);

  auto m1 = resp.write_message(hex(kPayloads[1]));
  REQUIRE(m1.has_value());
  CHECK(to_hex(*m1) == v.ciphertexts[1]);
  auto p1 = init.read_message(*m1);
  REQUIRE(p1.has_value());
  CHECK(to_hex(p1->expose()) == kPayloads[1]);

  REQUIRE(init.finished());
  REQUIRE(resp.finished());
  CHECK(to_hex(init.handshake_hash()) == v.handshake_hash);
  CHECK(to_hex(resp.handshake_hash()) == v.handshake_hash);

  // Transport messages alternate: initiator (c1), responder (c2), ...
  auto [i_send, i_recv] = init.split();
  auto [r_recv, r_send] = resp.split();
  for (std::size_t i = 2; i < 6; ++i) {
    CAPTURE(i);
    const bool from_initiator = i % 2 == 0;
    CipherState& sender = from_initiator ? i_send : r_send;
    CipherState& receiver = from_initiator ? r_recv : i_recv;
    auto c = sender.encrypt_with_ad({}, hex(kPayloads[i]));
    REQUIRE(c.has_value());
    CHECK(to_hex(*c) == v.ciphertexts[i]);
    auto p = receiver.decrypt_with_ad({}, *c);
    REQUIRE(p.has_value());
    CHECK(to_hex(p->expose()) == kPayloads[i]);
  }
}

TEST_CASE("noise: cacophony Noise_KNpsk0_25519_AESGCM_SHA256") { run_cacophony(kKnPsk0); }
TEST_CASE("noise: cacophony Noise_NKpsk0_25519_AESGCM_SHA256") { run_cacophony(kNkPsk0); }

TEST_CASE("noise: protocol names and the padded initial hash") {
  CHECK(protocol_name(HandshakePattern::kKNpsk0, p256_dh()) == "Noise_KNpsk0_P256_AESGCM_SHA256");
  CHECK(protocol_name(HandshakePattern::kNKpsk0, p256_dh()) == "Noise_NKpsk0_P256_AESGCM_SHA256");
  SymmetricState s("Noise_KNpsk0_P256_AESGCM_SHA256");
  Bytes expected = to_bytes("Noise_KNpsk0_P256_AESGCM_SHA256");
  expected.push_back(0);
  CHECK(Bytes(s.handshake_hash().begin(), s.handshake_hash().end()) == expected);
}

TEST_CASE("noise: turn order is enforced") {
  SeededRng rng(1);
  HandshakeState init = make(kKnPsk0, Role::kInitiator, rng);
  CHECK(init.read_message(Bytes(81, 0)).error() == CableError::kInternal);
  REQUIRE(init.write_message({}).has_value());
  CHECK(init.write_message({}).error() == CableError::kInternal);
}

// ---- caBLE's P-256 vectors (hybrid-protocol.md §7.5) ----------------------------------------

constexpr std::string_view kQrPsk = "839f4fa0f797563fc485031e4bec7e60b0f07fbc58fcda6815c8e9b1eec698bb";
constexpr std::string_view kKnMsg1 =
    "04550f471003f3df97c3df506ac797f6721fb1a1fb7b8f6f83d224498a65c88e24136093d7012e509a73715cbd0b00a3cc0ff4b5c01b3ffa19"
    "6ab1fb327036b8e60a536a84314f893a046a976370c2a241";
constexpr std::string_view kKnMsg2 =
    "04591ab771ebbcfd6d9cb9094d106528add1a69d44c2c1f627f089ec58b9c61adf9f4e6abf0d045c0c693a3c68ad7c97ca72be64def4a26fec"
    "d263dd98a92780f0296897f6af12d1a6cb0da3d16b991f14";
constexpr std::string_view kKnHash = "813a300509bf62a1069aa976ebb51c76761339e4ef82d0f806e43d4fee4926e3";

TEST_CASE("handshake: KNpsk0 on P-256, both sides, fixed keys") {
  SeededRng rng(1);
  const crypto::EcdhKey s_d = repeated_key(0x01);
  const crypto::EcdhKey e_d = repeated_key(0x02);
  const crypto::EcdhKey e_p = repeated_key(0x03);
  CHECK(to_hex(s_d.public_point()) ==
        "046ff03b949241ce1dadd43519e6960e0a85b41a69a05c328103aa2bce1594ca163c4f753a55bf01dc53f6c0b0c7eee78b40c6ff7d25a9"
        "6e2282b989cef71c144a");
  CHECK(to_hex(*crypto::p256_compress(s_d.public_point())) ==
        "026ff03b949241ce1dadd43519e6960e0a85b41a69a05c328103aa2bce1594ca16");

  auto desktop = HandshakeInitiator::for_qr(hex(kQrPsk), s_d, rng, &e_d);
  REQUIRE(desktop.has_value());
  auto msg1 = desktop->message1();
  REQUIRE(msg1.has_value());
  CHECK(msg1->size() == kHandshakeMessageLen);
  CHECK(to_hex(*msg1) == kKnMsg1);

  auto phone = respond_qr(hex(kQrPsk), s_d.public_point(), *msg1, rng, &e_p);
  REQUIRE(phone.has_value());
  CHECK(to_hex(phone->message2) == kKnMsg2);
  CHECK(to_hex(phone->out.hash) == kKnHash);

  auto done = desktop->process_message2(phone->message2);
  REQUIRE(done.has_value());
  CHECK(to_hex(done->hash) == kKnHash);

  // §7.5: the transport vectors with k1 (desktop write) and k2 (phone write).
  auto post = phone->out.crypter.encrypt(hex(
      "a101583aa40181684649444f5f325f300350f24a8e70d0d3f82c293732523cc4de5a04a262726bf5627576f5098268696e7465726e616c66"
      "687962726964"));
  REQUIRE(post.has_value());
  CHECK(to_hex(*post) ==
        "b35e2479cf7aac140f223da00d364a4aa40d56c4118868e214b5c13f78cd72f7b5f18da5a71218802ffcb254845ed8fb088a4d3f403f09"
        "69184d854033b7b9521def72136adae0a15f8e3a3fff107045");
  auto get_info = done->crypter.encrypt(hex("0104"));
  REQUIRE(get_info.has_value());
  CHECK(to_hex(*get_info) ==
        "ad1ab5b08e7f31ce1f684157a01a74891745a60047084d39b2797d44ab4bea470e04dade665720b905896e7d79c6573e");
  auto shutdown = done->crypter.encrypt(hex("00"));
  REQUIRE(shutdown.has_value());
  CHECK(to_hex(*shutdown) ==
        "472ba629bbd7cf2ba04b2901a394aa451d7dd11895a5502fc5afa98d670361a967ec4f20bd6fc42059caba40bcbd8692");
  // And each side reads the other's.
  auto read_post = done->crypter.decrypt(*post);
  REQUIRE(read_post.has_value());
  CHECK(to_hex(read_post->expose()).substr(0, 8) == "a101583a");
  CHECK(to_hex(phone->out.crypter.decrypt(*get_info)->expose()) == "0104");
  CHECK(to_hex(phone->out.crypter.decrypt(*shutdown)->expose()) == "00");
}

TEST_CASE("handshake: NKpsk0 on P-256, both sides, fixed keys") {
  SeededRng rng(1);
  const Bytes psk(32, 0x07);
  const crypto::EcdhKey s_p = repeated_key(0x04);
  const crypto::EcdhKey e_d = repeated_key(0x05);
  const crypto::EcdhKey e_p = repeated_key(0x06);
  auto desktop = HandshakeInitiator::for_linked(psk, s_p.public_point(), rng, &e_d);
  REQUIRE(desktop.has_value());
  auto msg1 = desktop->message1();
  REQUIRE(msg1.has_value());
  CHECK(to_hex(*msg1) ==
        "0407810ea974cea5773e63b897f37e3be9a09e7a5fe9b971a44d1065ac2a3a9311637e47a4f99464a0fdce44a88ec7d703a9183c1d0655"
        "2d9e2d6b76069481c5773018b553693c2282fae33062171b496a");
  auto phone = respond_linked(psk, s_p, *msg1, rng, &e_p);
  REQUIRE(phone.has_value());
  CHECK(to_hex(phone->message2) ==
        "04b0514c4c13540f2397f54719f3332e7ef38e42ad9dc08b71e660ce16b9e88d094e7f3adc888e944d45d5e4594e3fbe289180bb1cd7fc"
        "55d1b5c7cb501c09ca5050ec9265993161e951b2d238cd015dd6");
  auto done = desktop->process_message2(phone->message2);
  REQUIRE(done.has_value());
  CHECK(to_hex(done->hash) == "c6a0960428173a1cb83552a0aa0af7d3e356c20a4adbd7a1f332e4dac254d2df");
  CHECK(done->hash == phone->out.hash);
  // k1/k2 checked through a message each way: the phone's first message is readable by the
  // desktop and vice versa (the key values themselves are in crypter_test via CipherState).
  auto m = done->crypter.encrypt(hex("0102"));
  REQUIRE(m.has_value());
  CHECK(to_hex(phone->out.crypter.decrypt(*m)->expose()) == "0102");
}

TEST_CASE("handshake: split keys k1 and k2 (§7.5)") {
  // KNpsk0: a CipherState made from the documented k1 (k2) encrypts exactly as the desktop's
  // (phone's) write direction did above.
  CipherState k1(hex("8fe6d35118a0db1addd67639d5b4d2e17196c751822241c6b7ae7cbdd5ab90c0"));
  CipherState k2(hex("1f800d7cfdb9de2ec6430054571c1b1b3f4c37d36637ca7798376e2cbb17490c"));
  CHECK(to_hex(*k1.encrypt_with_ad({}, pad_message(hex("0104")))) ==
        "ad1ab5b08e7f31ce1f684157a01a74891745a60047084d39b2797d44ab4bea470e04dade665720b905896e7d79c6573e");
  CHECK(to_hex(*k2.encrypt_with_ad({}, pad_message(hex(
                   "a101583aa40181684649444f5f325f300350f24a8e70d0d3f82c293732523cc4de5a04a262726bf5627576f5098268696e74"
                   "65726e616c66687962726964")))) ==
        "b35e2479cf7aac140f223da00d364a4aa40d56c4118868e214b5c13f78cd72f7b5f18da5a71218802ffcb254845ed8fb088a4d3f403f09"
        "69184d854033b7b9521def72136adae0a15f8e3a3fff107045");

  // NKpsk0 with fixed keys: the desktop writes with k1, the phone with k2.
  SeededRng rng(1);
  const crypto::EcdhKey s_p = repeated_key(0x04);
  const crypto::EcdhKey e_d = repeated_key(0x05);
  const crypto::EcdhKey e_p = repeated_key(0x06);
  auto nk = HandshakeInitiator::for_linked(Bytes(32, 0x07), s_p.public_point(), rng, &e_d);
  REQUIRE(nk.has_value());
  auto nk_phone = respond_linked(Bytes(32, 0x07), s_p, *nk->message1(), rng, &e_p);
  REQUIRE(nk_phone.has_value());
  auto nk_done = nk->process_message2(nk_phone->message2);
  REQUIRE(nk_done.has_value());
  CipherState nk_k1(hex("1852754aa77f3cf096b15fcb3147397ec83cda01cb49b00542f8d6079f5e3cae"));
  CipherState nk_k2(hex("2d8a146275341e84b48870d55816be17c07a34b23f2e7e4d9f1e16f096b7c45f"));
  CHECK(*nk_done->crypter.encrypt(hex("0104")) == *nk_k1.encrypt_with_ad({}, pad_message(hex("0104"))));
  CHECK(*nk_phone->out.crypter.encrypt(hex("0104")) == *nk_k2.encrypt_with_ad({}, pad_message(hex("0104"))));
}

TEST_CASE("handshake: wrong PSK, wrong QR key, tampered and short messages are refused") {
  SeededRng rng(2);
  const crypto::EcdhKey s_d = repeated_key(0x01);
  const Bytes psk = hex(kQrPsk);
  auto fresh_msg1 = [&]() {
    auto d = HandshakeInitiator::for_qr(psk, s_d, rng);
    REQUIRE(d.has_value());
    return *d->message1();
  };
  SUBCASE("wrong PSK (another QR secret or EID)") {
    Bytes wrong = psk;
    wrong[0] ^= 1;
    CHECK(respond_qr(wrong, s_d.public_point(), fresh_msg1(), rng).error() == CableError::kHandshakeFailed);
  }
  SUBCASE("the phone has another desktop key") {
    CHECK(respond_qr(psk, repeated_key(0x09).public_point(), fresh_msg1(), rng).error() ==
          CableError::kHandshakeFailed);
  }
  SUBCASE("every flipped bit of message 1") {
    const Bytes m = fresh_msg1();
    for (std::size_t bit = 0; bit < m.size() * 8; bit += 7) {
      CAPTURE(bit);
      Bytes t = m;
      t[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
      CHECK(respond_qr(psk, s_d.public_point(), t, rng).error() == CableError::kHandshakeFailed);
    }
  }
  SUBCASE("short, empty, and with a payload") {
    const Bytes m = fresh_msg1();
    CHECK(respond_qr(psk, s_d.public_point(), ByteSpan(m).first(80), rng).error() == CableError::kHandshakeFailed);
    CHECK(respond_qr(psk, s_d.public_point(), ByteSpan(m).first(65), rng).error() == CableError::kHandshakeFailed);
    CHECK(respond_qr(psk, s_d.public_point(), {}, rng).error() == CableError::kHandshakeFailed);
  }
  SUBCASE("the desktop refuses a wrong or tampered message 2") {
    auto d = HandshakeInitiator::for_qr(psk, s_d, rng);
    REQUIRE(d.has_value());
    auto m1 = d->message1();
    auto phone = respond_qr(psk, s_d.public_point(), *m1, rng);
    REQUIRE(phone.has_value());
    Bytes t = phone->message2;
    t[70] ^= 0x10;
    CHECK(d->process_message2(t).error() == CableError::kHandshakeFailed);
    Bytes longer = phone->message2;
    longer.push_back(0);
    CHECK(d->process_message2(longer).error() == CableError::kHandshakeFailed);
  }
  SUBCASE("linked: another identity key") {
    const crypto::EcdhKey s_p = repeated_key(0x04);
    auto d = HandshakeInitiator::for_linked(psk, s_p.public_point(), rng);
    REQUIRE(d.has_value());
    CHECK(respond_linked(psk, repeated_key(0x05), *d->message1(), rng).error() == CableError::kHandshakeFailed);
  }
}

}  // namespace
}  // namespace vfido::cable
