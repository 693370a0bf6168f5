// U2F_REGISTER (FIDO U2F Raw Message Formats §4): a new ES256 key pair for the application
// parameter, after a touch.
//   request:  challenge parameter (32) || application parameter (32)
//   response: 0x05 || user public key (65) || key handle length (1) || key handle ||
//             attestation certificate (DER) || signature over
//             0x00 || application || challenge || key handle || user public key
#include "authenticator/crypto/keys.h"
#include "authenticator/u2f/messages.h"

namespace vfido::u2f {
namespace {

constexpr std::size_t kParamLen = 32;
constexpr std::uint8_t kReservedByte = 0x05;  // §4.3 "reserved byte [1 byte], which for legacy reasons has the value 0x05"
constexpr std::size_t kMaxKeyHandleLen = 255;

}  // namespace

bool take_touch(Ctx& ctx) {
  auto& touch = ctx.vol.u2f_touch_ms;
  if (!touch) return false;
  const std::uint64_t now = ctx.now_ms();
  const bool fresh = now >= *touch && now - *touch <= kTouchValidityMs;
  touch.reset();  // used, or too old to count
  return fresh;
}

Outcome register_key(Ctx& ctx, const CommandApdu& cmd, const AttestationMaterial& attestation) {
  // §4.1: exactly two 32-byte parameters.
  if (cmd.data.size() != 2 * kParamLen) return {response(StatusWord::kWrongLength)};
  const ByteSpan challenge = ByteSpan(cmd.data).first(kParamLen);
  const ByteSpan application = ByteSpan(cmd.data).subspan(kParamLen);
  // §4.1: the key is made only after a touch; until then SW_CONDITIONS_NOT_SATISFIED.
  if (!take_touch(ctx)) {
    return {response(StatusWord::kConditionsNotSatisfied),
            PresenceRequest{.purpose = PresenceRequest::Purpose::kMakeCredential, .rp_id = u2f_rp_id(application),
                            .user_name = "", .verification = false}};
  }

  auto key = crypto::PrivateKey::generate(cose::kAlgEs256, ctx.env.rng);
  if (!key) return {response(StatusWord::kWrongData)};
  CredentialRecord rec;
  rec.rp_id = u2f_rp_id(application);
  rec.alg = cose::kAlgEs256;
  rec.private_key = key->private_bytes().clone();
  rec.public_key = key->public_bytes();
  rec.discoverable = false;
  rec.backup_eligible = ctx.profile.backup_eligible;
  rec.backup_state = ctx.profile.backup_state;
  auto id = ctx.env.store.create(std::move(rec), ctx.env.rng);
  if (!id || id->empty() || id->size() > kMaxKeyHandleLen) {
    if (id) (void)ctx.env.store.remove(*id);
    ctx.debug("U2F_REGISTER: the store refused the key or issued a key handle over 255 bytes");
    return {response(StatusWord::kWrongData)};
  }
  const Bytes& point = key->public_bytes();  // 04 || x || y
  auto sig = sign_u2f_registration(attestation, application, challenge, *id, point);
  if (!sig) {
    (void)ctx.env.store.remove(*id);
    return {response(StatusWord::kWrongData)};
  }
  ByteWriter w;
  w.u8(kReservedByte).bytes(point).u8(static_cast<std::uint8_t>(id->size())).bytes(*id);
  w.bytes(attestation.certificate().der()).bytes(*sig);
  return {response(w.view(), StatusWord::kNoError)};
}

}  // namespace vfido::u2f
