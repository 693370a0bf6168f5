// Which kind of WebAuthn client is emulated. A profile is data: the checks a client makes before
// it talks to an authenticator and what it hands back differ between a Level 3 browser, an older
// browser and a password manager's browser extension that replaces navigator.credentials.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vfido::webauthn {

enum class ClientKind : std::uint8_t {
  kBrowser,        // WebAuthn L3 with related origin requests (§5.11), Chromium's choices
  kBrowserLegacy,  // the same without related origins (WebAuthn L2 behaviour)
  kExtension,      // a password-manager extension: RP ID must equal the page's host or a
                   // registrable parent of it; the origin is the top-level page's
};

struct ClientProfile {
  ClientKind kind = ClientKind::kBrowser;
  std::string name = "browser";
  // WebAuthn L3 §5.11: when the RP ID is not the caller's domain or a registrable suffix of it,
  // fetch https://<rpId>/.well-known/webauthn and look for the caller's origin.
  bool related_origins = true;
  // §5.11.1 maxLabels: at least 5 (Chromium uses 5).
  std::size_t max_labels = 5;
  // The extension answers for the top-level page: clientDataJSON.origin is the top-level
  // origin, crossOrigin false, and the RP ID is checked against the top-level host.
  bool origin_from_top_level = false;
  // Chromium's attestation handling for attestation "none" (AuthenticatorCommonImpl): a
  // roaming (USB/NFC/BLE) authenticator's AAGUID is zeroed along with its statement; platform
  // and hybrid authenticators keep the AAGUID. WebAuthn L3 itself no longer zeroes it.
  bool zero_aaguid_for_roaming_none = true;
  // A browser passes the authenticator's attestation statement on when the RP asks for
  // "direct"; an extension's own authenticator decides (it never rewrites).
  bool rewrites_attestation = true;
};

// "browser", "browser-legacy" or "extension"; nullopt for anything else.
std::optional<ClientProfile> client_profile(std::string_view name);
ClientProfile client_profile(ClientKind kind);

}  // namespace vfido::webauthn
