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

void Ctx::debug(std::string_view message) const { env.log.write(LogLevel::kDebug, message); }

}  // namespace vfido
