// enumerateRPsBegin (0x02) and enumerateRPsGetNextRP (0x03), CTAP 2.1 §6.8.3: the RPs that hold
// discoverable credentials, one per call, in RP ID order.
#include <map>

#include "authenticator/commands/credential_management/subcommands.h"
#include "authenticator/crypto/hash.h"

namespace vfido::credman {
namespace {

Response rp_response(const RpEnumerationState::Rp& rp) {
  Response r;
  r.rp = RpEntity{rp.id, rp.name};
  r.rp_id_hash = crypto::sha256(as_span(rp.id));
  return r;
}

}  // namespace

Result<Response> enumerate_rps_begin(Ctx& ctx, const Request& req) {
  // Steps 1-6; the list covers every RP, so the token must have no permissions RP ID.
  auto all = authorize_for_all_rps(ctx, req, "enumerateRPsBegin");
  if (!all) return fail(all.error());
  // One entry per RP ID. The name is the rp.name stored with the newest credential that has
  // one (list_discoverable() is newest first).
  std::map<std::string, std::optional<std::string>> by_id;
  for (const CredentialRecord& c : *all) {
    auto& name = by_id[c.rp_id];
    if (!name && c.rp_name) name = c.rp_name;
  }
  // No discoverable credentials -> CTAP2_ERR_NO_CREDENTIALS.
  if (by_id.empty()) return ctx.reject(CtapStatus::kNoCredentials, "enumerateRPsBegin: no discoverable credentials");
  RpEnumerationState state;
  for (auto& [id, name] : by_id) state.rps.push_back(RpEnumerationState::Rp{id, std::move(name)});
  state.last_ms = ctx.now_ms();
  // The first RP with totalRPs; the authenticator remembers the rest for GetNextRP.
  Response r = rp_response(state.rps.front());
  r.total_rps = state.rps.size();
  ctx.session.rp_enumeration = std::move(state);
  return r;
}

Result<Response> enumerate_rps_get_next_rp(Ctx& ctx, const Request&) {
  auto& state = ctx.session.rp_enumeration;
  // No enumerateRPsBegin just before, or its state expired -> CTAP2_ERR_NOT_ALLOWED.
  if (!state) return ctx.reject(CtapStatus::kNotAllowed, "enumerateRPsGetNextRP: no enumerateRPsBegin state");
  if (!enumeration_alive(ctx, state->last_ms)) {
    state.reset();
    return ctx.reject(CtapStatus::kNotAllowed, "enumerateRPsGetNextRP: state expired with its token or timer");
  }
  // Every RP went out already -> NOT_ALLOWED.
  if (state->next >= state->rps.size()) {
    state.reset();
    return ctx.reject(CtapStatus::kNotAllowed, "enumerateRPsGetNextRP: no more RPs");
  }
  Response r = rp_response(state->rps[state->next]);
  ++state->next;
  state->last_ms = ctx.now_ms();
  return r;
}

}  // namespace vfido::credman
