#include "transports/hybrid/handshake.h"

namespace vfido::cable {
namespace {

// §7.1 prologues.
constexpr std::uint8_t kPrologueQr = 0x01;
constexpr std::uint8_t kPrologueLinked = 0x00;

class P256KeyPair final : public DhKeyPair {
 public:
  explicit P256KeyPair(crypto::EcdhKey key) : key_(std::move(key)) {}
  const Bytes& public_key() const override { return key_.public_point(); }
  CableResult<crypto::SecretBytes> dh(ByteSpan peer_public) const override {
    // §7.1: DH output is the X coordinate; a point off the curve fails.
    auto z = key_.shared_x(peer_public);
    if (!z) return cable_fail(CableError::kHandshakeFailed);
    return std::move(*z);
  }

 private:
  crypto::EcdhKey key_;
};

std::unique_ptr<DhKeyPair> optional_key(const crypto::EcdhKey* key) {
  return key == nullptr ? nullptr : p256_key_pair(*key);
}

HandshakeConfig config(HandshakePattern pattern, Role role, std::uint8_t prologue, ByteSpan psk) {
  HandshakeConfig c;
  c.pattern = pattern;
  c.role = role;
  c.dh = &p256_dh();
  c.prologue = Bytes{prologue};
  c.psk.assign(psk.begin(), psk.end());
  return c;
}

CableResult<HandshakeOutput> finish(const HandshakeState& hs, Role role) {
  auto [c1, c2] = hs.split();
  // §7.4: the desktop writes with k1, the phone with k2.
  if (role == Role::kInitiator) return HandshakeOutput{Crypter(std::move(c2), std::move(c1)), hs.handshake_hash()};
  return HandshakeOutput{Crypter(std::move(c1), std::move(c2)), hs.handshake_hash()};
}

CableResult<ResponderOutput> respond(HandshakeConfig c, ByteSpan message1, Rng& rng) {
  auto hs = HandshakeState::initialize(std::move(c), rng);
  if (!hs) return cable_fail(hs.error());
  // §10: message 1 is at least a point; its ciphertext must decrypt to nothing.
  auto payload = hs->read_message(message1);
  if (!payload) return cable_fail(payload.error());
  if (!payload->empty()) return cable_fail(CableError::kHandshakeFailed);
  auto message2 = hs->write_message({});
  if (!message2) return cable_fail(message2.error());
  auto out = finish(*hs, Role::kResponder);
  if (!out) return cable_fail(out.error());
  return ResponderOutput{std::move(*message2), std::move(*out)};
}

}  // namespace

const DhFunction& p256_dh() {
  static const DhFunction kP256{
      "P256", 65, [](Rng& rng) -> CableResult<std::unique_ptr<DhKeyPair>> {
        auto key = crypto::EcdhKey::generate(rng);
        if (!key) return cable_fail(CableError::kInternal);
        return std::unique_ptr<DhKeyPair>(std::make_unique<P256KeyPair>(std::move(*key)));
      }};
  return kP256;
}

std::unique_ptr<DhKeyPair> p256_key_pair(const crypto::EcdhKey& key) {
  auto copy = crypto::EcdhKey::from_scalar(key.scalar().expose());
  if (!copy) return nullptr;  // the scalar came from a valid key
  return std::make_unique<P256KeyPair>(std::move(*copy));
}

CableResult<HandshakeInitiator> HandshakeInitiator::for_qr(ByteSpan psk, const crypto::EcdhKey& identity, Rng& rng,
                                                           const crypto::EcdhKey* ephemeral) {
  HandshakeConfig c = config(HandshakePattern::kKNpsk0, Role::kInitiator, kPrologueQr, psk);
  c.s = p256_key_pair(identity);
  c.e = optional_key(ephemeral);
  auto hs = HandshakeState::initialize(std::move(c), rng);
  if (!hs) return cable_fail(hs.error());
  return HandshakeInitiator(std::move(*hs));
}

CableResult<HandshakeInitiator> HandshakeInitiator::for_linked(ByteSpan psk, ByteSpan peer_identity, Rng& rng,
                                                               const crypto::EcdhKey* ephemeral) {
  if (peer_identity.size() != p256_dh().public_len) return cable_fail(CableError::kBadPublicKey);
  HandshakeConfig c = config(HandshakePattern::kNKpsk0, Role::kInitiator, kPrologueLinked, psk);
  c.rs.assign(peer_identity.begin(), peer_identity.end());
  c.e = optional_key(ephemeral);
  auto hs = HandshakeState::initialize(std::move(c), rng);
  if (!hs) return cable_fail(hs.error());
  return HandshakeInitiator(std::move(*hs));
}

CableResult<Bytes> HandshakeInitiator::message1() { return state_.write_message({}); }

CableResult<HandshakeOutput> HandshakeInitiator::process_message2(ByteSpan message2) {
  // §7.2: the desktop requires exactly 81 bytes.
  if (message2.size() != kHandshakeMessageLen) return cable_fail(CableError::kHandshakeFailed);
  auto payload = state_.read_message(message2);
  if (!payload) return cable_fail(payload.error());
  return finish(state_, Role::kInitiator);
}

CableResult<ResponderOutput> respond_qr(ByteSpan psk, ByteSpan desktop_identity, ByteSpan message1, Rng& rng,
                                        const crypto::EcdhKey* ephemeral) {
  if (desktop_identity.size() != p256_dh().public_len) return cable_fail(CableError::kBadPublicKey);
  HandshakeConfig c = config(HandshakePattern::kKNpsk0, Role::kResponder, kPrologueQr, psk);
  c.rs.assign(desktop_identity.begin(), desktop_identity.end());
  c.e = optional_key(ephemeral);
  return respond(std::move(c), message1, rng);
}

CableResult<ResponderOutput> respond_linked(ByteSpan psk, const crypto::EcdhKey& identity, ByteSpan message1,
                                            Rng& rng, const crypto::EcdhKey* ephemeral) {
  HandshakeConfig c = config(HandshakePattern::kNKpsk0, Role::kResponder, kPrologueLinked, psk);
  c.s = p256_key_pair(identity);
  c.e = optional_key(ephemeral);
  return respond(std::move(c), message1, rng);
}

}  // namespace vfido::cable
