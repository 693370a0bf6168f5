#include "authenticator/commands/selection.h"

#include "authenticator/commands/touch.h"

namespace vfido {

Result<SelectionRequest> SelectionRequest::parse(ByteSpan) { return SelectionRequest{}; }

Result<Step<SelectionResponse>> selection(Ctx& ctx, const SelectionRequest&) {
  // CTAP 2.1 §6.9: the touch is the whole command.
  auto touched = [] { return Result<SelectionResponse>(SelectionResponse{}); };
  return Step<SelectionResponse>{
      after_touch<SelectionResponse>(ctx, PresenceRequest::Purpose::kSelection, "selection", touched)};
}

}  // namespace vfido
