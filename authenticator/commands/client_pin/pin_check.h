// Steps the clientPIN subcommands share (CTAP 2.1 §6.5.5): choosing the PIN/UV auth protocol,
// decapsulating the platform's key, checking pinHashEnc against the stored PIN with the retry
// counters, decrypting and checking a new PIN, and screening requested permissions.
#pragma once

#include <optional>
#include <string>

#include "authenticator/commands/client_pin/client_pin.h"
#include "authenticator/pin_uv_auth/protocol.h"

namespace vfido::clientpin {

// The request's pinUvAuthProtocol if the profile supports it. Absent -> MISSING_PARAMETER;
// unsupported -> CTAP1_ERR_INVALID_PARAMETER.
Result<pin_uv_auth::ProtocolId> selected_protocol(const Ctx& ctx, const ClientPinRequest& req, std::string_view step);

// decapsulate(keyAgreement) with the authenticator's key for `p`; an invalid platform key is
// CTAP1_ERR_INVALID_PARAMETER (§6.5.5.4).
Result<crypto::SecretBytes> shared_secret(Ctx& ctx, pin_uv_auth::ProtocolId p, const cbor::Value& platform_key);

// The retry logic around a PIN check (changePIN steps 6-8, getPinToken steps 8-10): decrement
// and save pinRetries, compare decrypt(ss, pinHashEnc) with CurrentStoredPIN, and on a mismatch
// regenerate the key agreement key and answer PIN_BLOCKED (no retries left), PIN_AUTH_BLOCKED
// (third consecutive mismatch since power-up) or PIN_INVALID. On a match pinRetries goes back
// to the maximum and the mismatch count to 0.
Result<void> check_pin_hash(Ctx& ctx, pin_uv_auth::ProtocolId p, const crypto::SecretBytes& ss, ByteSpan pin_hash_enc);

// Up-front refusals before any PIN check: pinRetries 0 -> PIN_BLOCKED; three consecutive
// mismatches since power-up -> PIN_AUTH_BLOCKED (only a power cycle clears it, §6.5.2.2).
Result<void> check_not_blocked(const Ctx& ctx, std::string_view step);

// A PIN (its UTF-8 bytes) with its Unicode code-point count.
struct NewPin {
  crypto::SecretBytes utf8;
  std::uint32_t code_points = 0;
};

// setPIN steps 6-10 / changePIN steps 9-14: decrypt(ss, newPinEnc) (error -> PIN_AUTH_INVALID),
// exactly 64 bytes (else CTAP1_ERR_INVALID_PARAMETER), trailing zeros dropped, then the policy:
// at least minPINLength code points, at most 63 bytes, valid UTF-8 without NUL
// (PIN_POLICY_VIOLATION).
Result<NewPin> decrypt_new_pin(const Ctx& ctx, pin_uv_auth::ProtocolId p, const crypto::SecretBytes& ss,
                               ByteSpan new_pin_enc);

// Stores LEFT(SHA-256(pin), 16) and its length as the current PIN, pinRetries at maximum,
// forcePINChange cleared, and saves the device state.
Result<void> store_pin(Ctx& ctx, const NewPin& pin);

// LEFT(SHA-256(pin), 16).
crypto::Secret<kPinHashLen> pin_hash(ByteSpan pin);

// The number of Unicode code points in valid UTF-8, nullopt when it is not valid UTF-8.
std::optional<std::uint32_t> utf8_code_points(ByteSpan utf8);



// getPinUvAuthTokenUsing{Pin,Uv}WithPermissions step 3-4 (§6.5.5.7.2/3): permissions 0 ->
// CTAP1_ERR_INVALID_PARAMETER; a permission whose feature is off -> UNAUTHORIZED_PERMISSION.
// Undefined bits are ignored. `via_uv`: mc and ga are always authorized, be needs uvBioEnroll
// and acfg needs uvAcfg (neither is offered, so both are refused).
Result<std::uint8_t> screen_permissions(const Ctx& ctx, std::uint64_t permissions, bool via_uv, std::string_view step);

// Steps shared by every token-issuing subcommand once the user is verified: resetPinUvAuthToken()
// for all protocols, beginUsingPinUvAuthToken(userIsPresent), the permissions and RP ID, and the
// encrypted token for protocol `p`.
Result<ClientPinResponse> issue_token(Ctx& ctx, pin_uv_auth::ProtocolId p, const crypto::SecretBytes& ss,
                                      std::uint8_t permissions, const std::optional<std::string>& rp_id,
                                      bool user_is_present);

}  // namespace vfido::clientpin
