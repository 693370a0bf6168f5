// Errors of the hybrid (caBLE v2) transport. The pure layers return them as values
// (CableResult<T>); the network layers add the tunnel and timing ones. Each has a short English
// description for the messages both ends print (style.md §5: lower layers have their own small
// error enum, mapped to CtapStatus by exactly one function).
#pragma once

#include <cstdint>
#include <string_view>

#include <tl/expected.hpp>

#include "authenticator/ctap_constants.h"

namespace vfido::cable {

enum class CableError : std::uint8_t {
  kBadQrUrl,            // not "FIDO:/" followed by a valid digit string
  kBadQrContents,       // the QR's CBOR is not a map with the required keys and types
  kBadPublicKey,        // a P-256 point that does not decode or is not on the curve
  kBadAdvert,           // an advert of the wrong size, or no caBLE service data in it
  kAdvertMismatch,      // the advert's tag does not verify with this key (another session's advert)
  kUnknownDomain,       // an encoded tunnel-server domain this side cannot decode
  kHandshakeFailed,     // a Noise message that does not decrypt: wrong PSK, QR key or identity
  kDecryptFailed,       // a transport message that does not decrypt: tampered, replayed or reordered
  kSequenceExhausted,   // more than 2^24 - 1 messages in one direction
  kBadMessage,          // a decrypted message that breaks the framing (padding, type, CBOR)
  kBadLinkingInfo,      // linking information with wrong types or a signature that does not verify
  kOversized,           // a message above the configured limit
  kTimeout,             // the peer did not answer in time
  kTunnelRefused,       // the tunnel server refused the WebSocket (HTTP status, no fido.cable)
  kTunnelGone,          // the contact ID is no longer valid (HTTP 410): forget the link
  kTunnelClosed,        // the tunnel closed before the exchange finished
  kPeerShutdown,        // the peer ended the session (shutdown message) — a clean end
  kCancelled,           // this side stopped the operation
  kInternal,            // a crypto or encoding failure that should not happen
};

template <typename T>
using CableResult = tl::expected<T, CableError>;

inline tl::unexpected<CableError> cable_fail(CableError e) { return tl::unexpected<CableError>(e); }

// "the advert's tag does not match this QR code", for log lines and error messages.
std::string_view describe(CableError e);

// The one mapping to CTAP status (style.md §5), for a CTAP request that a broken channel could
// not carry: timeouts are CTAP2_ERR_USER_ACTION_TIMEOUT, everything else CTAP1_ERR_OTHER.
CtapStatus to_ctap_status(CableError e);

}  // namespace vfido::cable

// Evaluate a CableResult-returning expression; on error return that error from the enclosing
// function (which returns a CableResult).
#define VFIDO_CABLE_TRY(expr)                                        \
  do {                                                               \
    auto vfido_cable_try_result_ = (expr);                           \
    if (!vfido_cable_try_result_) {                                  \
      return ::vfido::cable::cable_fail(vfido_cable_try_result_.error()); \
    }                                                                \
  } while (false)

// The same inside a coroutine (co_return).
#define VFIDO_CABLE_CO_TRY(expr)                                        \
  do {                                                                  \
    auto vfido_cable_try_result_ = (expr);                              \
    if (!vfido_cable_try_result_) {                                     \
      co_return ::vfido::cable::cable_fail(vfido_cable_try_result_.error()); \
    }                                                                   \
  } while (false)
