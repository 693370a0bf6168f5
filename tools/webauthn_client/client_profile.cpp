#include "tools/webauthn_client/client_profile.h"

namespace vfido::webauthn {

ClientProfile client_profile(ClientKind kind) {
  ClientProfile p;
  p.kind = kind;
  switch (kind) {
    case ClientKind::kBrowser:
      break;
    case ClientKind::kBrowserLegacy:
      p.name = "browser-legacy";
      p.related_origins = false;
      break;
    case ClientKind::kExtension:
      p.name = "extension";
      p.related_origins = false;
      p.origin_from_top_level = true;
      p.zero_aaguid_for_roaming_none = false;
      p.rewrites_attestation = false;
      break;
  }
  return p;
}

std::optional<ClientProfile> client_profile(std::string_view name) {
  if (name == "browser") return client_profile(ClientKind::kBrowser);
  if (name == "browser-legacy") return client_profile(ClientKind::kBrowserLegacy);
  if (name == "extension") return client_profile(ClientKind::kExtension);
  return std::nullopt;
}

}  // namespace vfido::webauthn
