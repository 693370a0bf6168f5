#include "transports/hybrid/noise.h"

#include <algorithm>
#include <array>
#include <vector>

#include "authenticator/crypto/aes.h"
#include "authenticator/crypto/hash.h"

namespace vfido::cable {
namespace {

using crypto::SecretBytes;

// §12.3 AESGCM: 32 bits of zeros, then the 64-bit nonce big-endian.
ByteArray<crypto::kGcmNonceLen> gcm_nonce(std::uint64_t n) {
  ByteArray<crypto::kGcmNonceLen> nonce{};
  for (std::size_t i = 0; i < 8; ++i) nonce[4 + i] = static_cast<std::uint8_t>(n >> (56 - 8 * i));
  return nonce;
}

// §4.3 HKDF(chaining_key, input_key_material, num_outputs): RFC 5869 with salt = ck and empty
// info, 32 bytes per output.
SecretBytes noise_hkdf(ByteSpan ck, ByteSpan ikm, std::size_t outputs) {
  return crypto::hkdf_sha256(ck, ikm, {}, outputs * kNoiseHashLen);
}

std::span<const std::uint8_t, kNoiseHashLen> part(const SecretBytes& s, std::size_t i) {
  return std::span<const std::uint8_t, kNoiseHashLen>(s.expose().data() + i * kNoiseHashLen, kNoiseHashLen);
}

enum class Token : std::uint8_t { kPsk, kE, kEe, kEs, kSe };

// §7.4 and §9 pattern definitions: the tokens of message 0 (initiator) and message 1.
const std::vector<Token>& tokens(HandshakePattern pattern, int message) {
  static const std::array<std::vector<Token>, 2> kn = {std::vector<Token>{Token::kPsk, Token::kE},
                                                       std::vector<Token>{Token::kE, Token::kEe, Token::kSe}};
  static const std::array<std::vector<Token>, 2> nk = {std::vector<Token>{Token::kPsk, Token::kE, Token::kEs},
                                                       std::vector<Token>{Token::kE, Token::kEe}};
  return pattern == HandshakePattern::kKNpsk0 ? kn[static_cast<std::size_t>(message)]
                                              : nk[static_cast<std::size_t>(message)];
}

// Whose static key the pattern's pre-message carries: KN the initiator's, NK the responder's.
Role static_owner(HandshakePattern pattern) {
  return pattern == HandshakePattern::kKNpsk0 ? Role::kInitiator : Role::kResponder;
}

}  // namespace

// ---- CipherState ----------------------------------------------------------------------------

CipherState::CipherState(ByteSpan key) {
  if (key.size() == kNoiseKeyLen) {
    std::copy(key.begin(), key.end(), k_.expose_mut().begin());
    has_key_ = true;
  }
}

CableResult<Bytes> CipherState::encrypt_with_ad(ByteSpan ad, ByteSpan plaintext) {
  if (!has_key_) return Bytes(plaintext.begin(), plaintext.end());
  // §5.1: n = 2^64 - 1 is reserved; reaching it is an error.
  if (n_ == UINT64_MAX) return cable_fail(CableError::kSequenceExhausted);
  auto sealed = crypto::aes256_gcm_seal(k_.expose(), gcm_nonce(n_), plaintext, ad);
  if (!sealed) return cable_fail(CableError::kInternal);
  ++n_;
  return std::move(*sealed);
}

CableResult<SecretBytes> CipherState::decrypt_with_ad(ByteSpan ad, ByteSpan ciphertext) {
  if (!has_key_) return SecretBytes(ciphertext);
  if (n_ == UINT64_MAX) return cable_fail(CableError::kSequenceExhausted);
  auto opened = crypto::aes256_gcm_open(k_.expose(), gcm_nonce(n_), ciphertext, ad);
  // §5.1 DecryptWithAd: on failure n is not incremented.
  if (!opened) return cable_fail(CableError::kDecryptFailed);
  ++n_;
  return std::move(*opened);
}

// ---- SymmetricState -------------------------------------------------------------------------

SymmetricState::SymmetricState(std::string_view protocol_name) {
  if (protocol_name.size() <= kNoiseHashLen) {
    std::copy(protocol_name.begin(), protocol_name.end(), h_.begin());  // the rest stays zero
  } else {
    h_ = crypto::sha256(as_span(protocol_name));
  }
  std::copy(h_.begin(), h_.end(), ck_.expose_mut().begin());
}

void SymmetricState::mix_key(ByteSpan input_key_material) {
  const SecretBytes out = noise_hkdf(ck_.expose(), input_key_material, 2);
  ck_ = crypto::Secret<kNoiseHashLen>(part(out, 0));
  cipher_ = CipherState(part(out, 1));
}

void SymmetricState::mix_hash(ByteSpan data) {
  Bytes input(h_.begin(), h_.end());
  input.insert(input.end(), data.begin(), data.end());
  h_ = crypto::sha256(input);
}

void SymmetricState::mix_key_and_hash(ByteSpan input_key_material) {
  const SecretBytes out = noise_hkdf(ck_.expose(), input_key_material, 3);
  ck_ = crypto::Secret<kNoiseHashLen>(part(out, 0));
  mix_hash(part(out, 1));
  cipher_ = CipherState(part(out, 2));
}

CableResult<Bytes> SymmetricState::encrypt_and_hash(ByteSpan plaintext) {
  auto c = cipher_.encrypt_with_ad(h_, plaintext);
  if (!c) return c;
  mix_hash(*c);
  return c;
}

CableResult<SecretBytes> SymmetricState::decrypt_and_hash(ByteSpan ciphertext) {
  auto p = cipher_.decrypt_with_ad(h_, ciphertext);
  if (!p) return p;
  mix_hash(ciphertext);
  return p;
}

std::pair<CipherState, CipherState> SymmetricState::split() const {
  const SecretBytes out = noise_hkdf(ck_.expose(), {}, 2);
  return {CipherState(part(out, 0)), CipherState(part(out, 1))};
}

// ---- HandshakeState -------------------------------------------------------------------------

std::string protocol_name(HandshakePattern pattern, const DhFunction& dh) {
  const char* p = pattern == HandshakePattern::kKNpsk0 ? "KNpsk0" : "NKpsk0";
  return std::string("Noise_") + p + "_" + dh.name + "_AESGCM_SHA256";
}

HandshakeState::HandshakeState(HandshakeConfig config, Rng& rng)
    : config_(std::move(config)), rng_(&rng), symmetric_(protocol_name(config_.pattern, *config_.dh)) {}

CableResult<HandshakeState> HandshakeState::initialize(HandshakeConfig config, Rng& rng) {
  if (config.dh == nullptr || config.psk.size() != kNoiseKeyLen) return cable_fail(CableError::kInternal);
  const bool i_own_static = static_owner(config.pattern) == config.role;
  // The pre-message key: ours must be a key pair, theirs a public key of the right size.
  if (i_own_static ? !config.s : config.rs.size() != config.dh->public_len) {
    return cable_fail(CableError::kInternal);
  }
  HandshakeState hs(std::move(config), rng);
  hs.symmetric_.mix_hash(hs.config_.prologue);
  // §7.1 pre-message pattern: both sides hash the static key that the pattern pre-shares.
  hs.symmetric_.mix_hash(i_own_static ? ByteSpan(hs.config_.s->public_key()) : ByteSpan(hs.config_.rs));
  return hs;
}

bool HandshakeState::my_turn() const {
  if (finished()) return false;
  // Message 0 is the initiator's, message 1 the responder's.
  return (message_index_ == 0) == (config_.role == Role::kInitiator);
}

CableResult<void> HandshakeState::mix_dh(const DhKeyPair* local, ByteSpan remote) {
  if (local == nullptr || remote.empty()) return cable_fail(CableError::kInternal);
  auto shared = local->dh(remote);
  if (!shared) return cable_fail(CableError::kHandshakeFailed);
  symmetric_.mix_key(shared->expose());
  return {};
}

CableResult<Bytes> HandshakeState::write_message(ByteSpan payload) {
  if (!my_turn()) return cable_fail(CableError::kInternal);
  const bool initiator = config_.role == Role::kInitiator;
  Bytes out;
  for (Token t : tokens(config_.pattern, message_index_)) {
    switch (t) {
      case Token::kPsk:
        symmetric_.mix_key_and_hash(config_.psk);
        break;
      case Token::kE: {
        if (!config_.e) {
          auto e = config_.dh->generate(*rng_);
          if (!e) return cable_fail(e.error());
          config_.e = std::move(*e);
        }
        const Bytes& pub = config_.e->public_key();
        out.insert(out.end(), pub.begin(), pub.end());
        symmetric_.mix_hash(pub);
        symmetric_.mix_key(pub);  // §9.2: with a psk, "e" also calls MixKey
        break;
      }
      case Token::kEe:
        VFIDO_CABLE_TRY(mix_dh(config_.e.get(), re_));
        break;
      case Token::kEs:  // DH(initiator e, responder s)
        VFIDO_CABLE_TRY(initiator ? mix_dh(config_.e.get(), config_.rs) : mix_dh(config_.s.get(), re_));
        break;
      case Token::kSe:  // DH(initiator s, responder e)
        VFIDO_CABLE_TRY(initiator ? mix_dh(config_.s.get(), re_) : mix_dh(config_.e.get(), config_.rs));
        break;
    }
  }
  auto sealed = symmetric_.encrypt_and_hash(payload);
  if (!sealed) return cable_fail(sealed.error());
  out.insert(out.end(), sealed->begin(), sealed->end());
  ++message_index_;
  return out;
}

CableResult<crypto::SecretBytes> HandshakeState::read_message(ByteSpan message) {
  if (finished() || my_turn()) return cable_fail(CableError::kInternal);
  const bool initiator = config_.role == Role::kInitiator;
  ByteReader in(message);
  for (Token t : tokens(config_.pattern, message_index_)) {
    switch (t) {
      case Token::kPsk:
        symmetric_.mix_key_and_hash(config_.psk);
        break;
      case Token::kE: {
        auto re = in.take(config_.dh->public_len);
        if (!re) return cable_fail(CableError::kHandshakeFailed);
        re_.assign(re->begin(), re->end());
        symmetric_.mix_hash(re_);
        symmetric_.mix_key(re_);
        break;
      }
      case Token::kEe:
        VFIDO_CABLE_TRY(mix_dh(config_.e.get(), re_));
        break;
      case Token::kEs:
        VFIDO_CABLE_TRY(initiator ? mix_dh(config_.e.get(), config_.rs) : mix_dh(config_.s.get(), re_));
        break;
      case Token::kSe:
        VFIDO_CABLE_TRY(initiator ? mix_dh(config_.s.get(), re_) : mix_dh(config_.e.get(), config_.rs));
        break;
    }
  }
  // Every message of these patterns is encrypted (the psk token sets a key first), so at least a
  // tag must follow.
  const ByteSpan rest = in.rest();
  if (rest.size() < kNoiseTagLen) return cable_fail(CableError::kHandshakeFailed);
  auto payload = symmetric_.decrypt_and_hash(rest);
  if (!payload) return cable_fail(CableError::kHandshakeFailed);
  ++message_index_;
  return payload;
}

}  // namespace vfido::cable
