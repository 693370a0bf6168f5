#include "authenticator/commands/client_pin/pin_check.h"

#include <algorithm>

#include "authenticator/crypto/hash.h"

namespace vfido::clientpin {
namespace {

constexpr std::size_t kPaddedPinLen = 64;    // §6.5.5.5 step 7
constexpr std::size_t kMaxPinBytes = 63;     // §6.5.1: the PIN is at most 63 bytes
constexpr std::uint8_t kMaxMismatches = 3;   // §6.5.2.2: three consecutive mismatches

std::string why(std::string_view step, std::string_view what) {
  std::string s(step);
  s.append(": ").append(what);
  return s;
}

}  // namespace

Result<pin_uv_auth::ProtocolId> selected_protocol(const Ctx& ctx, const ClientPinRequest& req, std::string_view step) {
  if (!req.pin_uv_auth_protocol) {
    return ctx.reject(CtapStatus::kMissingParameter, why(step, "pinUvAuthProtocol missing"));
  }
  auto p = pin_uv_auth::protocol_id(*req.pin_uv_auth_protocol);
  const auto& supported = ctx.profile.pin_uv_auth_protocols;
  if (!p || std::find(supported.begin(), supported.end(), *req.pin_uv_auth_protocol) == supported.end()) {
    return ctx.reject(CtapStatus::kInvalidParameter, why(step, "pinUvAuthProtocol not supported"));
  }
  return *p;
}

Result<crypto::SecretBytes> shared_secret(Ctx& ctx, pin_uv_auth::ProtocolId p, const cbor::Value& platform_key) {
  auto own = ctx.vol.key_agreement(p, ctx.env.rng);
  if (!own) return ctx.reject(CtapStatus::kOther, "clientPIN: key agreement key");
  auto ss = pin_uv_auth::decapsulate(p, **own, platform_key);
  if (!ss) return ctx.reject(CtapStatus::kInvalidParameter, "clientPIN: decapsulate failed (bad platform key)");
  return ss;
}

Result<void> check_not_blocked(const Ctx& ctx, std::string_view step) {
  if (ctx.device.pin_retries == 0) return ctx.reject(CtapStatus::kPinBlocked, why(step, "pinRetries is 0"));
  if (ctx.vol.pin_mismatches >= kMaxMismatches) {
    return ctx.reject(CtapStatus::kPinAuthBlocked, why(step, "three consecutive mismatches; power cycle needed"));
  }
  return {};
}

Result<void> check_pin_hash(Ctx& ctx, pin_uv_auth::ProtocolId p, const crypto::SecretBytes& ss, ByteSpan pin_hash_enc) {
  if (!ctx.device.pin) return ctx.reject(CtapStatus::kPinNotSet, "clientPIN: no PIN is set");
  // "The authenticator decrements the pinRetries counter by 1" before it compares, and the
  // decrement is saved first, so that pulling the plug mid-check cannot save an attempt.
  ctx.device.pin_retries = static_cast<std::uint8_t>(ctx.device.pin_retries - 1);
  VFIDO_TRY(ctx.save_device());
  auto hash = pin_uv_auth::decrypt(p, ss.expose(), pin_hash_enc);
  const bool match = hash && hash->size() == kPinHashLen && crypto::equal_ct(hash->expose(), ctx.device.pin->hash.expose());
  if (!match) {
    // Mismatch: regenerate, then PIN_BLOCKED / PIN_AUTH_BLOCKED / PIN_INVALID.
    ctx.vol.regenerate(p);
    if (ctx.vol.pin_mismatches < kMaxMismatches) ++ctx.vol.pin_mismatches;
    if (ctx.device.pin_retries == 0) return ctx.reject(CtapStatus::kPinBlocked, "clientPIN: wrong PIN, no retries left");
    if (ctx.vol.pin_mismatches >= kMaxMismatches) {
      return ctx.reject(CtapStatus::kPinAuthBlocked, "clientPIN: third consecutive wrong PIN");
    }
    return ctx.reject(CtapStatus::kPinInvalid, "clientPIN: wrong PIN");
  }
  ctx.vol.pin_mismatches = 0;
  ctx.device.pin_retries = ctx.profile.max_pin_retries;
  return ctx.save_device();
}

std::optional<std::uint32_t> utf8_code_points(ByteSpan s) {
  std::uint32_t count = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t b = s[i];
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      len = 1;
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      len = 2;
      cp = b & 0x1Fu;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3;
      cp = b & 0x0Fu;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4;
      cp = b & 0x07u;
    } else {
      return std::nullopt;
    }
    if (i + len > s.size()) return std::nullopt;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (s[i + k] & 0x3Fu);
    }
    // Overlong forms, surrogates and values beyond U+10FFFF are not UTF-8 (RFC 3629 §3).
    static constexpr std::uint32_t kMinForLen[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLen[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    i += len;
    ++count;
  }
  return count;
}

Result<NewPin> decrypt_new_pin(const Ctx& ctx, pin_uv_auth::ProtocolId p, const crypto::SecretBytes& ss,
                               ByteSpan new_pin_enc) {
  auto padded = pin_uv_auth::decrypt(p, ss.expose(), new_pin_enc);
  if (!padded) return ctx.reject(CtapStatus::kPinAuthInvalid, "clientPIN: newPinEnc does not decrypt");
  if (padded->size() != kPaddedPinLen) {
    return ctx.reject(CtapStatus::kInvalidParameter, "clientPIN: paddedNewPin is not 64 bytes");
  }
  ByteSpan bytes = padded->expose();
  std::size_t len = bytes.size();
  while (len > 0 && bytes[len - 1] == 0) --len;  // drop all trailing 0x00 bytes
  bytes = bytes.first(len);
  if (bytes.size() > kMaxPinBytes) return ctx.reject(CtapStatus::kPinPolicyViolation, "clientPIN: PIN longer than 63 bytes");
  if (std::find(bytes.begin(), bytes.end(), 0) != bytes.end()) {
    return ctx.reject(CtapStatus::kPinPolicyViolation, "clientPIN: PIN contains a NUL byte");
  }
  auto cps = utf8_code_points(bytes);
  if (!cps) return ctx.reject(CtapStatus::kPinPolicyViolation, "clientPIN: PIN is not UTF-8");
  if (*cps < ctx.device.min_pin_length) {
    return ctx.reject(CtapStatus::kPinPolicyViolation, "clientPIN: PIN shorter than minPINLength");
  }
  return NewPin{crypto::SecretBytes(bytes), *cps};
}

crypto::Secret<kPinHashLen> pin_hash(ByteSpan pin) {
  auto d = crypto::sha256(pin);
  crypto::Secret<kPinHashLen> out(std::span<const std::uint8_t, kPinHashLen>(d.data(), kPinHashLen));
  crypto::cleanse(d.data(), d.size());
  return out;
}

Result<void> store_pin(Ctx& ctx, const NewPin& pin) {
  StoredPin stored;
  stored.hash = pin_hash(pin.utf8.expose());
  stored.code_points = pin.code_points;
  ctx.device.pin = std::move(stored);
  ctx.device.pin_retries = ctx.profile.max_pin_retries;
  ctx.device.force_pin_change = false;
  return ctx.save_device();
}

}  // namespace vfido::clientpin

namespace vfido::clientpin {

Result<std::uint8_t> screen_permissions(const Ctx& ctx, std::uint64_t permissions, bool via_uv, std::string_view step) {
  namespace perm = pin_uv_auth::permission;
  if (permissions == 0) return ctx.reject(CtapStatus::kInvalidParameter, why(step, "permissions is 0"));
  const auto has = [&](std::uint8_t bit) { return (permissions & bit) != 0; };
  const auto refuse = [&](const char* what) {
    return ctx.reject(CtapStatus::kUnauthorizedPermission, why(step, what));
  };
  if (has(perm::kCm) && !ctx.profile.cred_mgmt) return refuse("cm: credMgmt not supported");
  if (has(perm::kBe)) return refuse("be: bioEnroll not supported");
  if (has(perm::kLbw) && !ctx.profile.large_blobs) return refuse("lbw: largeBlobs not supported");
  if (has(perm::kAcfg) && (!ctx.profile.authnr_cfg || via_uv)) return refuse("acfg: authnrCfg not available");
  if (!via_uv && (has(perm::kMc) || has(perm::kGa)) && ctx.profile.no_mc_ga_permissions_with_client_pin) {
    return refuse("mc/ga: noMcGaPermissionsWithClientPin");
  }
  return static_cast<std::uint8_t>(permissions & perm::kDefined);
}

Result<ClientPinResponse> issue_token(Ctx& ctx, pin_uv_auth::ProtocolId p, const crypto::SecretBytes& ss,
                                      std::uint8_t permissions, const std::optional<std::string>& rp_id,
                                      bool user_is_present) {
  ctx.vol.reset_pin_uv_auth_tokens(ctx.env.rng);
  auto& state = ctx.vol.token_state();
  state.begin_using(user_is_present, ctx.now_ms());
  state.set_permissions(permissions);
  if (rp_id) state.set_rp_id(*rp_id);
  auto enc = pin_uv_auth::encrypt(p, ss.expose(), ctx.vol.token(p), ctx.env.rng);
  if (!enc) return ctx.reject(CtapStatus::kOther, "clientPIN: encrypting the token failed");
  ClientPinResponse r;
  r.pin_uv_auth_token = std::move(*enc);
  return r;
}

}  // namespace vfido::clientpin
