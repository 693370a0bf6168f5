// U2F_AUTHENTICATE (FIDO U2F Raw Message Formats §5).
//   request:  challenge (32) || application (32) || key handle length (1) || key handle
//   P1:       0x07 check-only, 0x03 enforce-user-presence-and-sign,
//             0x08 dont-enforce-user-presence-and-sign
//   response: user presence (1) || counter (4, big-endian) || signature over
//             application || user presence || counter || challenge
// The signed bytes are a 37-byte authenticator data followed by the challenge, so a
// credential made through CTAP2 for an RP ID whose hash is the application parameter would
// sign the same way; vfido looks U2F credentials up by their "u2f:" RP ID (u2f.h).
#include "authenticator/u2f/messages.h"

namespace vfido::u2f {
namespace {

constexpr std::size_t kParamLen = 32;
constexpr std::uint8_t kCheckOnly = 0x07;
constexpr std::uint8_t kEnforce = 0x03;
constexpr std::uint8_t kDontEnforce = 0x08;
constexpr std::uint8_t kUserPresent = 0x01;

}  // namespace

Outcome authenticate(Ctx& ctx, const CommandApdu& cmd) {
  ByteReader r(cmd.data);
  auto challenge = r.take(kParamLen);
  auto application = r.take(kParamLen);
  auto len = r.u8();
  if (!challenge || !application || !len) return {response(StatusWord::kWrongLength)};
  auto handle = r.take(*len);
  if (!handle || r.remaining() != 0) return {response(StatusWord::kWrongLength)};
  // §5.1: an unknown control byte -> SW_WRONG_DATA (ctap-reference §11.2).
  if (cmd.p1 != kCheckOnly && cmd.p1 != kEnforce && cmd.p1 != kDontEnforce) return {response(StatusWord::kWrongData)};

  // §5.1: a key handle this key did not issue, or issued for another application ->
  // SW_WRONG_DATA. credProtect level 3 credentials are never usable without UV (ctap-reference
  // §11.3; U2F has no UV).
  auto cred = ctx.env.store.find(u2f_rp_id(*application), *handle);
  if (!cred || !*cred || (*cred)->alg != cose::kAlgEs256 || (*cred)->cred_protect >= 3) {
    return {response(StatusWord::kWrongData)};
  }
  // §5.1 check-only: a handle of ours answers SW_CONDITIONS_NOT_SATISFIED (that is the "yes").
  if (cmd.p1 == kCheckOnly) return {response(StatusWord::kConditionsNotSatisfied)};
  const bool present = cmd.p1 == kEnforce ? take_touch(ctx) : false;
  if (cmd.p1 == kEnforce && !present) {
    return {response(StatusWord::kConditionsNotSatisfied),
            PresenceRequest{.purpose = PresenceRequest::Purpose::kGetAssertion, .rp_id = u2f_rp_id(*application),
                            .user_name = "", .verification = false}};
  }

  StoreResult<std::uint32_t> count = 0u;
  if (ctx.profile.sign_counter == SignCounter::kPerCredential) count = ctx.env.store.next_sign_count(**cred);
  if (!count) return {response(StatusWord::kWrongData)};
  const std::uint8_t up = present ? kUserPresent : 0;
  ByteWriter signed_bytes(kParamLen + 1 + 4 + kParamLen);
  signed_bytes.bytes(*application).u8(up).u32be(*count).bytes(*challenge);
  auto key = ctx.keys.get(**cred);
  if (!key) return {response(StatusWord::kWrongData)};
  auto sig = (*key)->sign(signed_bytes.view());
  if (!sig) return {response(StatusWord::kWrongData)};
  ByteWriter w;
  w.u8(up).u32be(*count).bytes(*sig);
  return {response(w.view(), StatusWord::kNoError)};
}

}  // namespace vfido::u2f
