// Every effect the core may have goes through one of these ports (style.md §1).
#pragma once

#include "authenticator/credential_store.h"
#include "authenticator/device_state.h"
#include "authenticator/env/clock.h"
#include "authenticator/env/log.h"
#include "authenticator/env/rng.h"
#include "authenticator/env/user_presence.h"

namespace vfido {

struct Env {
  Clock& clock;
  Rng& rng;
  UserPresence& presence;
  CredentialStore& store;
  StateStore& state;
  Log& log;
};

}  // namespace vfido
