#include "authenticator/commands/get_next_assertion.h"

namespace vfido {

Result<GetNextAssertionRequest> GetNextAssertionRequest::parse(ByteSpan) { return GetNextAssertionRequest{}; }

Result<GetAssertionResponse> get_next_assertion(Ctx& ctx, const GetNextAssertionRequest&) {
  auto& state = ctx.session.assertions;
  // Step 1: no remembered getAssertion parameters -> CTAP2_ERR_NOT_ALLOWED.
  if (!state) return ctx.reject(CtapStatus::kNotAllowed, "getNextAssertion step 1: no getAssertion state");
  // Step 2: credentialCounter >= numberOfCredentials -> CTAP2_ERR_NOT_ALLOWED.
  if (state->credential_counter >= state->credential_ids.size()) {
    state.reset();
    return ctx.reject(CtapStatus::kNotAllowed, "getNextAssertion step 2: no more credentials");
  }
  // Step 3: more than 30 s (profile.next_assertion_timeout_ms) since the last
  // getAssertion/getNextAssertion -> discard the state, CTAP2_ERR_NOT_ALLOWED.
  const std::uint64_t now = ctx.env.clock.now_ms();
  if (now >= state->last_ms && now - state->last_ms > ctx.profile.next_assertion_timeout_ms) {
    state.reset();
    return ctx.reject(CtapStatus::kNotAllowed, "getNextAssertion step 3: state expired");
  }
  // Step 4: select credentials[credentialCounter]. Only this command runs between getAssertion
  // and here, but a store shared with a control API may have lost the credential since: skip it.
  while (state->credential_counter < state->credential_ids.size()) {
    const Bytes& id = state->credential_ids[state->credential_counter];
    auto cred = ctx.env.store.find(state->rp_id, id);
    if (!cred) return ctx.reject(to_ctap_status(cred.error()), "getNextAssertion step 4: store lookup failed");
    // Step 8 (increment credentialCounter), done first so that a vanished credential is skipped.
    ++state->credential_counter;
    if (!*cred) continue;
    // Steps 5-6: the user entity (as UV was in the original call), a fresh signature over the
    // remembered clientDataHash, the original flags and extension inputs.
    auto resp = make_assertion(ctx, **cred, *state);
    if (!resp) return resp;
    // Step 7: reset the timer.
    state->last_ms = now;
    return resp;
  }
  state.reset();
  return ctx.reject(CtapStatus::kNotAllowed, "getNextAssertion step 4: remaining credentials are gone");
}

}  // namespace vfido
