// The pinUvAuthParam checks every command that takes one shares (CTAP 2.1 §6.1.2 steps 1-2 and
// 11, §6.2.2 steps 1-2 and 6, §6.8, §6.10, §6.11): the zero-length "probe", choosing the
// protocol, verifying the parameter against the current pinUvAuthToken, and checking the
// token's permission and permissions RP ID.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "authenticator/commands/context.h"
#include "authenticator/pin_uv_auth/protocol.h"

namespace vfido {

// Step 1: a zero-length pinUvAuthParam on a device with clientPin or pinUvAuthToken. Platforms
// send it to have the user pick one of several keys by touching it.
bool is_probe(const Ctx& ctx, const std::optional<Bytes>& pin_uv_auth_param);

// Step 1.1-1.3: wait for a touch; declined or timed out -> OPERATION_DENIED; touched ->
// PIN_NOT_SET without a PIN, PIN_INVALID with one.
template <typename R>
NeedsPresence<R> probe_presence(Ctx& ctx, PresenceRequest ask, std::string_view command) {
  return NeedsPresence<R>{std::move(ask), [&ctx, command](PresenceOutcome o) -> Result<R> {
                            if (o != PresenceOutcome::kApproved) {
                              return ctx.reject(CtapStatus::kOperationDenied, std::string(command) + " step 1: no touch");
                            }
                            return ctx.reject(ctx.device.pin ? CtapStatus::kPinInvalid : CtapStatus::kPinNotSet,
                                              std::string(command) + " step 1: touched for the selection probe");
                          }};
}

// Step 2: with a pinUvAuthParam, pinUvAuthProtocol absent -> MISSING_PARAMETER, not supported
// (or no PIN/UV feature at all) -> CTAP1_ERR_INVALID_PARAMETER. nullopt without a parameter.
Result<std::optional<pin_uv_auth::ProtocolId>> param_protocol(const Ctx& ctx, const std::optional<Bytes>& param,
                                                             std::optional<std::uint64_t> protocol,
                                                             std::string_view step);

// verify(pinUvAuthToken, message, param) with the token of `p`, after the token's timers have
// been observed; a mismatch (or a token that is not in use) -> PIN_AUTH_INVALID.
Result<void> verify_token_param(Ctx& ctx, pin_uv_auth::ProtocolId p, ByteSpan message, ByteSpan param,
                                std::string_view step);

// For credentialManagement, largeBlobs and authenticatorConfig: verify the parameter, then the
// token must hold `permission` (-> PIN_AUTH_INVALID) and, when `rp_id` is given and the token
// has a permissions RP ID, they must match (-> PIN_AUTH_INVALID). Marks the token used.
Result<void> authorize(Ctx& ctx, pin_uv_auth::ProtocolId p, ByteSpan message, ByteSpan param, std::uint8_t permission,
                       std::optional<std::string_view> rp_id, std::string_view step);

}  // namespace vfido
