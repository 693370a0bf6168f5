// The caBLE v2 handshake (hybrid-protocol.md §7): Noise on P-256 / AES-256-GCM / SHA-256.
//   QR flow:     Noise_KNpsk0_P256_AESGCM_SHA256, prologue 0x01; the desktop's static key is the
//                QR key (the phone knows it from the QR code).
//   linked flow: Noise_NKpsk0_P256_AESGCM_SHA256, prologue 0x00; the phone's static key is its
//                identity key (the desktop knows it from the linking information).
// The desktop initiates; both handshake messages are a 65-byte point and a 16-byte tag with an
// empty payload. The result is a Crypter for the channel and the handshake hash that linking
// information signs (§9.1).
#pragma once

#include <memory>
#include <optional>

#include "authenticator/bytes.h"
#include "authenticator/crypto/keys.h"
#include "authenticator/env/rng.h"
#include "transports/hybrid/cable_error.h"
#include "transports/hybrid/crypter.h"
#include "transports/hybrid/noise.h"

namespace vfido::cable {

inline constexpr std::size_t kHandshakeMessageLen = 65 + kNoiseTagLen;  // §2: 81 bytes

// P-256 as a Noise DH function: 65-byte uncompressed points, DH output = the X coordinate.
const DhFunction& p256_dh();
// A Noise key pair holding a copy of `key`.
std::unique_ptr<DhKeyPair> p256_key_pair(const crypto::EcdhKey& key);

struct HandshakeOutput {
  Crypter crypter;
  HandshakeHash hash;
};

// The desktop's side.
class HandshakeInitiator {
 public:
  // QR flow: `identity` is the QR key (whose public half is QR key 0).
  static CableResult<HandshakeInitiator> for_qr(ByteSpan psk, const crypto::EcdhKey& identity, Rng& rng,
                                                const crypto::EcdhKey* ephemeral = nullptr);
  // Linked flow: `peer_identity` is the phone's identity public key (linking key 4, 65 bytes).
  static CableResult<HandshakeInitiator> for_linked(ByteSpan psk, ByteSpan peer_identity, Rng& rng,
                                                    const crypto::EcdhKey* ephemeral = nullptr);

  // Message 1 (81 bytes). Call once.
  CableResult<Bytes> message1();
  // Message 2 must be exactly 81 bytes and decrypt to nothing (kHandshakeFailed otherwise).
  // The crypter writes with k1 and reads with k2 (§7.4).
  CableResult<HandshakeOutput> process_message2(ByteSpan message2);

 private:
  explicit HandshakeInitiator(HandshakeState state) : state_(std::move(state)) {}
  HandshakeState state_;
};

struct ResponderOutput {
  Bytes message2;
  HandshakeOutput out;
};

// The phone's side, QR flow: `desktop_identity` is QR key 0 decompressed (65 bytes). kHandshakeFailed
// when message 1 is shorter than a point and a tag, or does not decrypt (wrong QR secret, PSK or
// key), or carries a payload. The crypter reads with k1 and writes with k2.
CableResult<ResponderOutput> respond_qr(ByteSpan psk, ByteSpan desktop_identity, ByteSpan message1, Rng& rng,
                                        const crypto::EcdhKey* ephemeral = nullptr);
// The phone's side, linked flow, with its identity key.
CableResult<ResponderOutput> respond_linked(ByteSpan psk, const crypto::EcdhKey& identity, ByteSpan message1,
                                            Rng& rng, const crypto::EcdhKey* ephemeral = nullptr);

}  // namespace vfido::cable
