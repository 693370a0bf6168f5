#include "authenticator/commands/context.h"

#include <string>

namespace vfido {

tl::unexpected<CtapStatus> Ctx::reject(CtapStatus status, std::string_view why) const {
  std::string msg;
  msg.reserve(why.size() + 48);
  msg.append(why).append(" -> ").append(status_name(status));
  env.log.write(LogLevel::kDebug, msg);
  return fail(status);
}

Result<void> Ctx::save_device() const {
  auto saved = env.state.save_state(device.encode());
  if (!saved) {
    env.log.write(LogLevel::kError, std::string("device state not saved: ") + std::string(store_error_name(saved.error())));
    return fail(CtapStatus::kOther);
  }
  return {};
}

void Ctx::debug(std::string_view message) const { env.log.write(LogLevel::kDebug, message); }

}  // namespace vfido
