// The Noise Protocol Framework (revision 34, noiseprotocol.org/noise.html) as caBLE v2 uses it:
// HASH = SHA-256, cipher = AES-256-GCM, and the two handshake patterns of hybrid-protocol.md §7,
// KNpsk0 (QR flow) and NKpsk0 (linked flow), over any DH function. caBLE instantiates them with
// P-256 (handshake.h); the tests also run them with X25519 against the standard cacophony
// vectors, so the pattern code here is checked independently of caBLE's own vectors.
// Methods are named after the specification's (§5.1 CipherState, §5.2 SymmetricState,
// §5.3 HandshakeState).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "authenticator/bytes.h"
#include "authenticator/crypto/secret.h"
#include "authenticator/env/rng.h"
#include "transports/hybrid/cable_error.h"

namespace vfido::cable {

inline constexpr std::size_t kNoiseHashLen = 32;  // SHA-256
inline constexpr std::size_t kNoiseKeyLen = 32;   // AES-256
inline constexpr std::size_t kNoiseTagLen = 16;   // GCM tag
using HandshakeHash = ByteArray<kNoiseHashLen>;

// §5.1: a key (or none) and a 64-bit nonce. The AES-GCM nonce is 4 zero bytes || BE64(n)
// (§12.3), which is the same 12 bytes as caBLE's 8 zero bytes || BE32(counter) below 2^32.
class CipherState {
 public:
  CipherState() = default;
  explicit CipherState(ByteSpan key);  // kNoiseKeyLen bytes

  bool has_key() const { return has_key_; }
  std::uint64_t nonce() const { return n_; }

  // Without a key these return the input unchanged (§5.1). A failed decryption leaves n as it
  // was (kDecryptFailed), so a replayed or reordered message can never be accepted later.
  CableResult<Bytes> encrypt_with_ad(ByteSpan ad, ByteSpan plaintext);
  CableResult<crypto::SecretBytes> decrypt_with_ad(ByteSpan ad, ByteSpan ciphertext);

 private:
  crypto::Secret<kNoiseKeyLen> k_;
  bool has_key_ = false;
  std::uint64_t n_ = 0;
};

// §5.2.
class SymmetricState {
 public:
  // InitializeSymmetric: h = the name padded with zeros to 32 bytes (or its hash when longer);
  // ck = h.
  explicit SymmetricState(std::string_view protocol_name);

  void mix_key(ByteSpan input_key_material);
  void mix_hash(ByteSpan data);
  void mix_key_and_hash(ByteSpan input_key_material);
  const HandshakeHash& handshake_hash() const { return h_; }
  CableResult<Bytes> encrypt_and_hash(ByteSpan plaintext);
  CableResult<crypto::SecretBytes> decrypt_and_hash(ByteSpan ciphertext);
  // (c1, c2): c1 encrypts initiator -> responder, c2 responder -> initiator.
  std::pair<CipherState, CipherState> split() const;

 private:
  crypto::Secret<kNoiseHashLen> ck_;
  HandshakeHash h_{};
  CipherState cipher_;
};

// §4.1 DH functions: a key pair, and a factory that makes fresh ones.
class DhKeyPair {
 public:
  virtual ~DhKeyPair() = default;
  virtual const Bytes& public_key() const = 0;
  // DH(this private key, peer public key); kHandshakeFailed for an invalid peer key.
  virtual CableResult<crypto::SecretBytes> dh(ByteSpan peer_public) const = 0;
};

struct DhFunction {
  std::string name;         // as in the protocol name: "P256", "25519"
  std::size_t public_len;   // DHLEN of the wire form: 65 for P-256 (uncompressed), 32 for X25519
  std::function<CableResult<std::unique_ptr<DhKeyPair>>(Rng&)> generate;
};

enum class HandshakePattern : std::uint8_t {
  kKNpsk0,  // -> s ... -> psk, e   <- e, ee, se        (hybrid QR flow)
  kNKpsk0,  // <- s ... -> psk, e, es   <- e, ee        (hybrid linked flow)
};
enum class Role : std::uint8_t { kInitiator, kResponder };

// "Noise_KNpsk0_P256_AESGCM_SHA256".
std::string protocol_name(HandshakePattern pattern, const DhFunction& dh);

struct HandshakeConfig {
  HandshakePattern pattern = HandshakePattern::kKNpsk0;
  Role role = Role::kInitiator;
  const DhFunction* dh = nullptr;  // must outlive the handshake
  Bytes prologue;
  Bytes psk;                           // 32 bytes
  std::unique_ptr<DhKeyPair> s;        // the local static key, when the pattern has one for us
  Bytes rs;                            // the remote static key, when the pattern pre-shares it
  std::unique_ptr<DhKeyPair> e;        // a fixed ephemeral key (known-answer tests); else generated
};

// §5.3 for the two patterns above (two messages; psk0 makes "e" also MixKey, §9.2).
class HandshakeState {
 public:
  // Checks that the keys the pattern needs are given (kInternal otherwise).
  static CableResult<HandshakeState> initialize(HandshakeConfig config, Rng& rng);

  // The next message of this side; kInternal when it is the other side's turn or the handshake
  // is over.
  CableResult<Bytes> write_message(ByteSpan payload);
  // The other side's next message; returns its payload. kHandshakeFailed when it is too short,
  // carries an invalid public key, or does not decrypt.
  CableResult<crypto::SecretBytes> read_message(ByteSpan message);

  bool finished() const { return message_index_ == 2; }
  const HandshakeHash& handshake_hash() const { return symmetric_.handshake_hash(); }
  // Once finished: (c1, c2) as SymmetricState::split.
  std::pair<CipherState, CipherState> split() const { return symmetric_.split(); }
  // The remote ephemeral key received so far (empty before).
  const Bytes& remote_ephemeral() const { return re_; }

 private:
  HandshakeState(HandshakeConfig config, Rng& rng);
  bool my_turn() const;
  CableResult<void> mix_dh(const DhKeyPair* local, ByteSpan remote);

  HandshakeConfig config_;
  Rng* rng_;
  SymmetricState symmetric_;
  Bytes re_;
  int message_index_ = 0;
};

}  // namespace vfido::cable
