#include "transports/hybrid/cable_error.h"

namespace vfido::cable {

std::string_view describe(CableError e) {
  switch (e) {
    case CableError::kBadQrUrl:
      return "not a FIDO:/ QR code (prefix or digits)";
    case CableError::kBadQrContents:
      return "the QR code's contents are malformed";
    case CableError::kBadPublicKey:
      return "invalid P-256 public key";
    case CableError::kBadAdvert:
      return "malformed advert";
    case CableError::kAdvertMismatch:
      return "the advert does not match this QR code or link";
    case CableError::kUnknownDomain:
      return "unknown tunnel server domain";
    case CableError::kHandshakeFailed:
      return "handshake failed: wrong QR secret, PSK or identity key";
    case CableError::kDecryptFailed:
      return "a message failed to decrypt (tampered, replayed or reordered)";
    case CableError::kSequenceExhausted:
      return "message sequence number exhausted";
    case CableError::kBadMessage:
      return "malformed message";
    case CableError::kBadLinkingInfo:
      return "invalid linking information";
    case CableError::kOversized:
      return "message too large (above the peer's or the tunnel server's limit)";
    case CableError::kTimeout:
      return "the peer did not answer in time";
    case CableError::kTunnelRefused:
      return "the tunnel server refused the connection";
    case CableError::kTunnelGone:
      return "the tunnel server no longer knows this contact (410 Gone)";
    case CableError::kTunnelClosed:
      return "the tunnel closed";
    case CableError::kPeerShutdown:
      return "the peer ended the session";
    case CableError::kCancelled:
      return "cancelled";
    case CableError::kInternal:
      return "internal error";
  }
  return "unknown error";
}

CtapStatus to_ctap_status(CableError e) {
  return e == CableError::kTimeout ? CtapStatus::kUserActionTimeout : CtapStatus::kOther;
}

}  // namespace vfido::cable
