// The plain touch that authenticatorReset (CTAP 2.1 §6.6) and authenticatorSelection (§6.9)
// wait for, as a NeedsPresence step: declined -> CTAP2_ERR_OPERATION_DENIED, no answer within
// profile.up_timeout_ms -> CTAP2_ERR_USER_ACTION_TIMEOUT, touched -> whatever `then` returns.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "authenticator/commands/context.h"

namespace vfido {

// `command` names the command in logs; it must outlive the step (pass a string literal).
template <typename R, typename Then>
NeedsPresence<R> after_touch(Ctx& ctx, PresenceRequest::Purpose purpose, std::string_view command, Then then) {
  PresenceRequest ask;
  ask.purpose = purpose;
  return NeedsPresence<R>{std::move(ask),
                          [&ctx, command, then = std::move(then)](PresenceOutcome o) -> Result<R> {
                            if (o == PresenceOutcome::kDenied) {
                              return ctx.reject(CtapStatus::kOperationDenied,
                                                std::string(command) + ": the user declined");
                            }
                            if (o == PresenceOutcome::kTimedOut) {
                              return ctx.reject(CtapStatus::kUserActionTimeout,
                                                std::string(command) + ": no touch in time");
                            }
                            return then();
                          }};
}

}  // namespace vfido
